//! Nothing lost: data outlives `cfnc destroy` and replacements, `destroy` says what it keeps,
//! nothing is executed or deleted without approval, and a build that fails while writing
//! leaves the previous `cfnc.out/<env>/` as it was.
//!
//! The retention checks run on the templates the real platform build writes (dev and prod),
//! and `destroy` is run against those templates served as a deployed stack set (tests/replay/).

use crate::build_common;
use crate::moto;
use crate::replay;
use crate::stack_server;

use std::collections::BTreeSet;
use std::process::Output;

use build_common::{Built, build, build_project, files, temp_project};
use moto::{Moto, cfnc_at, fixture, text};
use serde_json::Value;
use stack_server::{Served, nested_id, root_id};

/// Data-holding resource types (the diff's `delete-data` list) that the platform may delete
/// with its stack, and why. Every other data-holding type must be retained.
const DELETED_WITH_THE_STACK: &[(&str, &str)] = &[(
    "AWS::Logs::LogGroup",
    "log events are kept 1 day (RetentionInDays 1, checked below); the groups have fixed names, so retained \
     groups would block re-creating the stack",
)];

/// (stack, logical id, type) of every resource of a build with `DeletionPolicy: Retain`.
fn retained(built: &Built) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for s in &built.report.manifest.stacks {
        let t = built.template(&s.name);
        for (id, r) in t["Resources"].as_object().unwrap() {
            if r["DeletionPolicy"] == "Retain" {
                out.insert((s.name.clone(), id.clone(), r["Type"].as_str().unwrap().to_string()));
            }
        }
    }
    out
}

#[test]
fn data_holding_resources_of_the_platform_are_retained() {
    let data_types = cfnc::diff::data_holding_types();
    for env in ["dev", "prod"] {
        let built = build(env);
        let mut seen = BTreeSet::new();
        for s in &built.report.manifest.stacks {
            let t = built.template(&s.name);
            for (id, r) in t["Resources"].as_object().unwrap() {
                let ty = r["Type"].as_str().unwrap();
                if !data_types.contains(&ty) {
                    continue;
                }
                seen.insert(ty.to_string());
                let kept = r["DeletionPolicy"] == "Retain" && r["UpdateReplacePolicy"] == "Retain";
                match DELETED_WITH_THE_STACK.iter().find(|(t, _)| *t == ty) {
                    None => assert!(
                        kept,
                        "{env}: {}/{id} ({ty}) holds data: it needs DeletionPolicy and UpdateReplacePolicy Retain",
                        s.name
                    ),
                    Some((_, why)) => {
                        assert_eq!(ty, "AWS::Logs::LogGroup");
                        let days = r["Properties"]["RetentionInDays"].as_i64();
                        assert!(
                            days.is_some_and(|d| d <= 1),
                            "{env}: {}/{id}: deleting it with the stack was accepted because {why}; with \
                             RetentionInDays {days:?} retain it instead",
                            s.name
                        );
                    }
                }
            }
        }
        // The platform has buckets and keys (PLATFORM.md): the checks above did run on them.
        assert!(seen.contains("AWS::S3::Bucket") && seen.contains("AWS::KMS::Key"), "{env}: {seen:?}");
        // Every key a retained resource uses is retained too (the bucket's data needs its key).
        let security = built.template("security");
        let key = security["Resources"]["ArtifactsBucket"]["Properties"]["BucketEncryption"]
            ["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]["Fn::GetAtt"][0]
            .as_str()
            .expect("the artifacts bucket is encrypted with a key of the security stack")
            .to_string();
        assert_eq!(security["Resources"][&key]["DeletionPolicy"], "Retain", "{env}: {key}");
    }
}

/// The built set served as a deployed one: root plus each nested stack under its logical id.
fn serve_build(built: &Built) -> replay::Replay {
    let root_stack = built.report.manifest.root_stack.clone();
    let stacks = built
        .report
        .manifest
        .stacks
        .iter()
        .map(|s| Served {
            name: s.name.clone(),
            stack_id: match &s.logical_id {
                Some(l) => nested_id(&root_stack, l),
                None => root_id(&root_stack),
            },
            template: built.template(&s.name),
        })
        .collect();
    stack_server::serve(&root_stack, stacks)
}

#[test]
fn destroy_lists_what_it_keeps_and_deletes_nothing_unconfirmed() {
    let project = temp_project();
    let built = build_project(project.path(), "dev");
    // `destroy` reads the manifest from the project's own build output.
    let out = project.path().join("cfnc.out/dev");
    std::fs::create_dir_all(&out).unwrap();
    for (name, bytes) in files(&built.out()) {
        std::fs::write(out.join(name), bytes).unwrap();
    }
    let expected = retained(&built);
    assert!(
        expected.iter().any(|(_, _, t)| t == "AWS::S3::Bucket")
            && expected.iter().any(|(_, _, t)| t == "AWS::KMS::Key"),
        "{expected:?}"
    );
    let listed = |o: &Output, stream: &[u8]| {
        let s = String::from_utf8_lossy(stream);
        for (stack, id, ty) in &expected {
            assert!(s.contains(&format!("{stack}/{id} {ty}")), "{stack}/{id} not listed:\n{}", text(o));
        }
    };
    let server = serve_build(&built);

    // No terminal, no --yes: it says what would be kept in each of the environment's regions
    // (the recorded stacks answer for all three), then refuses; nothing is deleted.
    let o = cfnc_at(&server.endpoint(), project.path(), &["destroy"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        assert!(
            String::from_utf8_lossy(&o.stderr)
                .contains(&format!("{} resource(s) in {region} will be kept", expected.len())),
            "{}",
            text(&o)
        );
    }
    listed(&o, &o.stderr);
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to destroy"), "{}", text(&o));
    assert_eq!(server.calls("DeleteStack"), 0);

    // --yes: the root stack is deleted once per region, and the result names what stays in
    // the account; `--region` deletes in one region only.
    let o = cfnc_at(&server.endpoint(), project.path(), &["--region", "eu-west-1", "destroy", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(server.calls("DeleteStack"), 1);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("deleted in eu-west-1") && stdout.contains("retained in eu-west-1 (DeletionPolicy"),
        "{}",
        text(&o)
    );
    listed(&o, &o.stdout);
}

fn stack_status(m: &Moto, name: &str) -> String {
    let aws = moto::aws_client(&m.endpoint());
    moto::block_on(async {
        let s = cfnc_cli::deploy::stack::describe(&aws, name).await.unwrap().expect("the stack exists");
        s.stack_status().unwrap().as_str().to_string()
    })
}

#[test]
fn deploy_executes_nothing_without_approval() {
    let m = Moto::shared();
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path();
    fixture::write_build(project, 2000);
    let o = cfnc_at(&m.endpoint(), project, &["bootstrap"]);
    assert!(o.status.success(), "{}", text(&o));

    // --yes without --execute answers deploy's other questions (placeholder values) only: the
    // change set is reviewed, nothing executed.
    let o = cfnc_at(&m.endpoint(), project, &["deploy", "--change-set", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(stack_status(&m, fixture::ROOT_STACK), "REVIEW_IN_PROGRESS", "nothing ran");

    // --execute without a terminal and without --yes: reviewed, then refused; not executed.
    let o = cfnc_at(&m.endpoint(), project, &["deploy", "--change-set", "--execute"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("refusing to execute the change set"),
        "{}",
        text(&o)
    );
    assert!(
        project.join("cfnc.out/dev/changeset.json").exists(),
        "the review is written for a later `execute`"
    );
    assert_eq!(stack_status(&m, fixture::ROOT_STACK), "REVIEW_IN_PROGRESS", "nothing ran");

    // Without --execute: reviewed only.
    let o = cfnc_at(&m.endpoint(), project, &["deploy", "--change-set"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(stack_status(&m, fixture::ROOT_STACK), "REVIEW_IN_PROGRESS", "nothing ran");
    let review: Value =
        serde_json::from_slice(&std::fs::read(project.join("cfnc.out/dev/changeset.json")).unwrap()).unwrap();
    assert!(review["regions"][0]["change_set_arn"].is_string());
}

#[test]
fn a_build_that_fails_while_writing_leaves_the_previous_output_intact() {
    let project = temp_project();
    let first = build_project(project.path(), "dev");
    let out_root = first.root.path().to_path_buf();
    let before = files(&first.out());
    // The build writes into `.<env>.tmp-<pid>` beside the output: a file in that place makes
    // the write fail after everything else succeeded (this process is the builder).
    let blocker = out_root.join(format!(".dev.tmp-{}", std::process::id()));
    std::fs::write(&blocker, "in the way").unwrap();
    let req = cfnc::build::Request {
        project: project.path().to_path_buf(),
        env: "dev".into(),
        out_root: out_root.clone(),
        synthetic: None,
    };
    let err = cfnc::build::build(&req, &payment_platform::platform, &mut |_| {}).unwrap_err();
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(err.to_string().contains("cannot write the build output"), "{err}");
    assert_eq!(files(&first.out()), before, "the previous output is unchanged");
    std::fs::remove_file(&blocker).unwrap();
    // And a build that can write replaces the set as a whole, leaving nothing beside it.
    cfnc::build::build(&req, &payment_platform::platform, &mut |_| {}).unwrap();
    assert_eq!(files(&first.out()), before, "same inputs, same bytes");
    let names: Vec<String> = std::fs::read_dir(&out_root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["dev"]);
}
