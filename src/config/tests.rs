//! The library's own config handling, with a small app's settings.

use std::path::Path;

use serde::Deserialize;

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Canary {
    target_url: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Dashboard {
    regions: Vec<String>,
}

/// A stand-in app: a few keys and the platform's default tags.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Small {
    canary: Canary,
    dashboard: Dashboard,
}

impl Settings for Small {
    const DEFAULT_TAGS: &'static [(&'static str, &'static str)] =
        &[("Project", "observability-platform"), ("Owner", "platform-team"), ("CostCenter", "engineering")];

    fn check(&self, cx: &mut Checker<'_>) {
        if !self.canary.target_url.is_empty() && check_url(&self.canary.target_url).is_err() {
            cx.value("canary.target_url", "not a URL", None);
        }
        if self.dashboard.regions.iter().any(|r| r == "warn-me") {
            cx.warn("dashboard.regions", "a warning", None);
        }
    }
}

type Config = EnvConfig<Small>;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(Path::new("stacks/config/dev.yaml"), text, "dev")
}

fn first_problem(text: &str) -> ConfigProblem {
    match parse(text) {
        Err(ConfigError::Invalid { problems, .. }) => problems[0].clone(),
        other => panic!("expected an invalid config, got {other:?}"),
    }
}

#[test]
fn unknown_keys_fail_at_the_key_with_a_suggestion() {
    let p = first_problem("canary:\n  target_ur: https://x.example.com\n");
    assert_eq!((p.line, p.column), (2, 3));
    assert!(p.message.starts_with("canary: unknown field `target_ur`"), "{}", p.message);
    assert!(p.hint.as_deref().unwrap().contains("did you mean `target_url`"));
    // At the top level the library's own keys are offered too.
    let p = first_problem("canary: {}\ntagz: {}\n");
    assert_eq!((p.line, p.column), (2, 1));
    assert!(p.message.starts_with("unknown field `tagz`"), "{}", p.message);
    assert!(p.hint.as_deref().unwrap().contains("did you mean `tags`"), "{:?}", p.hint);
    // A wrong type points at the value.
    let p = first_problem("dashboard:\n  regions: 5\n");
    assert_eq!((p.line, p.column), (2, 12));
    assert!(p.message.starts_with("dashboard.regions: invalid type"), "{}", p.message);
    // Not a mapping at all.
    assert!(first_problem("- a\n").message.contains("mapping"));
}

#[test]
fn an_empty_file_gives_defaults_and_the_tags() {
    for text in ["", "{}\n", "# only a comment\n"] {
        let c = parse(text).unwrap();
        assert_eq!(c.env, "dev");
        assert_eq!(c.tags.first().unwrap(), &("Environment".to_string(), "dev".to_string()));
        assert_eq!(c.tags.last().unwrap(), &("ManagedBy".to_string(), "cfnc".to_string()));
        assert_eq!(c.tags.len(), 5);
        assert_eq!(c.sha256.len(), 64);
    }
}

#[test]
fn warnings_do_not_fail_the_load() {
    let c = parse("dashboard:\n  regions: [warn-me]\n").unwrap();
    assert_eq!(c.warnings.len(), 1);
    assert_eq!((c.warnings[0].line, c.warnings[0].column), (2, 12));
}

#[test]
fn structure_problems_serde_would_hide() {
    // Duplicate keys in a map (serde keeps the last) and in a struct.
    let p = first_problem("tags:\n  Team: a\n  Team: b\n");
    assert_eq!((p.line, p.column), (3, 3));
    assert!(p.message.contains("duplicate key `Team` (first at line 2, column 3)"), "{}", p.message);
    // Tags other than the core ones (serde would read `!Ref x` as `x`).
    let p = first_problem("canary:\n  target_url: !Ref Url\n");
    assert_eq!((p.line, p.column), (2, 15));
    assert!(p.message.contains("unknown tag `!Ref`"), "{}", p.message);
    assert!(parse("canary:\n  target_url: !!str https://a.example.com/x\n").is_ok());
    // Alias bombs: nested and by long strings.
    let mut bomb = String::from("dashboard:\n  regions:\n    - &a0 [l, l, l, l, l, l, l, l, l]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("    - &a{i} [{refs}]\n"));
    }
    assert!(first_problem(&bomb).message.contains("alias bomb"));
    let long = format!(
        "tags:\n  A: &s {}\n{}",
        "x".repeat(100_000),
        (0..20).map(|i| format!("  B{i}: *s\n")).collect::<String>()
    );
    assert!(first_problem(&long).message.contains("alias bomb"));
    // Nesting and documents.
    for depth in [100, 10_000] {
        let deep = format!("dashboard:\n  regions: {}{}\n", "[".repeat(depth), "]".repeat(depth));
        assert!(first_problem(&deep).message.contains("nesting deeper than 64"), "{depth}");
    }
    assert!(first_problem("a: 1\n---\nb: 2\n").message.contains("one YAML document"));
}

#[test]
fn oversized_and_non_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("stacks/config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("dev.yaml"), b"tags:\n  A: \xff\n").unwrap();
    match Config::load(dir.path(), "dev") {
        Err(ConfigError::Invalid { problems, .. }) => {
            assert_eq!((problems[0].line, problems[0].column), (2, 6));
            assert!(problems[0].message.contains("not UTF-8"), "{}", problems[0].message);
        }
        other => panic!("{other:?}"),
    }
    let f = std::fs::File::create(cfg.join("dev.yaml")).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    assert!(matches!(Config::load(dir.path(), "dev"), Err(ConfigError::TooLarge { .. })));
}

#[test]
fn reserved_tags_and_environment_mismatch() {
    let p = first_problem("tags:\n  ManagedBy: me\n");
    assert_eq!((p.line, p.column), (2, 3));
    let p = first_problem("environment: prod\n");
    assert!(p.message.contains("selected for `dev`"));
    let c = parse("tags:\n  Owner: payments\n  Team: sre\n").unwrap();
    assert!(c.tags.contains(&("Owner".into(), "payments".into())));
    assert!(c.tags.contains(&("Team".into(), "sre".into())));
    assert_eq!(c.tags.last().unwrap().0, "ManagedBy");
}

#[test]
fn validators() {
    assert!(is_email("ops-team@example.com"));
    assert!(!is_email("ops@localhost"));
    assert!(!is_email("a b@example.com"));
    assert!(check_url("https://api.example.com/health").is_ok());
    assert!(check_url("http://127.0.0.1:8080/x").is_ok());
    assert!(check_url("https:///x").is_err());
    assert!(check_url("https://h:0/").is_err());
    assert!(is_region("us-gov-west-1") && is_region("ap-southeast-1") && !is_region("us-east"));
    assert!(is_region("af-south-1") && is_region("ap-southeast-7") && is_region("cn-northwest-1"));
    assert!(is_region("eusc-de-east-1"), "opt-in and sovereign Regions are listed");
    assert!(!is_region("eu-north-9") && !is_region("us-east-3"), "well formed, but AWS has no such Region");
    assert_eq!(closest_region("eu-wset-1"), Some("eu-west-1"));
    assert!(
        is_timezone("UTC") && is_timezone("Europe/Berlin") && is_timezone("America/Argentina/Buenos_Aires")
    );
    assert!(
        !is_timezone("Europe/Berlinn") && !is_timezone("Mars/Olympus_Mons") && !is_timezone("europe/berlin")
    );
    assert_eq!(closest_timezone("europe/berlin"), Some("Europe/Berlin"));
    assert_eq!(closest_timezone("Europe/Berlinn"), Some("Europe/Berlin"));
    assert!(!TZDB_VERSION.is_empty());
    assert!(is_example_domain("example.com") && is_example_domain("api.EXAMPLE.org."));
    assert!(
        is_example_domain("corp.example") && is_example_domain("mail.test") && is_example_domain("x.invalid")
    );
    assert!(
        !is_example_domain("example.co.uk")
            && !is_example_domain("myexample.com")
            && !is_example_domain("payments.io")
    );
    assert_eq!(url_host("https://api.example.com:8443/health?x=1"), Some("api.example.com"));
    assert_eq!(url_host("http://user@host.io/"), Some("host.io"));
    assert_eq!(url_host("ftp://x"), None);
    assert!(is_env_name("dev") && !is_env_name("Dev") && !is_env_name("1dev"));
}

#[test]
fn the_region_list_is_embedded_and_sorted() {
    let r = regions();
    assert!(r.len() >= 40, "{}", r.len());
    assert!(r.windows(2).all(|w| w[0] < w[1]), "sorted and unique: is_region searches it");
    assert!(r.iter().all(|code| code.split('-').count() >= 3), "{r:?}");
}

#[test]
fn regions_and_the_primary_region_are_the_librarys_keys() {
    let c = parse("regions: [eu-west-1, us-east-1]\n").unwrap();
    assert_eq!(c.regions, ["eu-west-1", "us-east-1"]);
    assert_eq!(c.primary_region.as_deref(), Some("eu-west-1"), "the first one by default");
    let c = parse("regions: [eu-west-1, us-east-1, ap-southeast-1]\nprimary_region: us-east-1\n").unwrap();
    assert_eq!(c.rollout_regions(), ["us-east-1", "eu-west-1", "ap-southeast-1"]);
    let none = parse("{}\n").unwrap();
    assert!(none.regions.is_empty() && none.primary_region.is_none() && none.rollout_regions().is_empty());

    let p = first_problem("regions: [us-east-1]\nprimary_region: eu-west-1\n");
    assert_eq!((p.line, p.column), (2, 17));
    assert!(p.message.contains("not one of `regions`"), "{}", p.message);
    let p = first_problem("primary_region: eu-west-1\n");
    assert_eq!((p.line, p.column), (1, 1));
    assert!(p.hint.as_deref().unwrap().contains("regions: [eu-west-1]"), "{:?}", p.hint);
    let p = first_problem("regions: []\n");
    assert!(p.message.contains("empty"), "{}", p.message);
    let p = first_problem("regions:\n  - us-east-1\n  - us-east-1\n");
    assert_eq!((p.line, p.column), (3, 5));
    assert!(p.message.contains("twice"));
    let p = first_problem("regions: [us-east-1, cn-north-1]\n");
    assert!(p.message.contains("partition aws-cn") && p.message.contains("partition aws"), "{}", p.message);
    assert!(p.hint.as_deref().unwrap().contains("one partition"));
    let p = first_problem("regions: [us-east-1, moon-1]\n");
    assert!(p.message.contains("`moon-1` is not an AWS region code"), "{}", p.message);
    // A misspelt key is offered the library's keys too.
    let p = first_problem("region: [us-east-1]\n");
    assert!(p.hint.as_deref().unwrap().contains("did you mean `regions`"), "{:?}", p.hint);
}

#[test]
fn the_common_part_reads_without_the_app() {
    let text = "regions: [us-east-1, eu-west-1]\nanything: {the: app's}\ncanary: [1, 2]\n";
    let c = CommonConfig::parse(Path::new("stacks/config/dev.yaml"), text, "dev").unwrap();
    assert_eq!(c.rollout_regions(), ["us-east-1", "eu-west-1"]);
    assert!(CommonConfig::parse(Path::new("stacks/config/dev.yaml"), "regions: [x]\n", "dev").is_err());
}
