//! "Did you mean ...?": the closest of a set of known names to a misspelt one.

/// The candidate closest to `word` (case-insensitive Levenshtein distance), if it is close
/// enough to be a plausible misspelling: at most a third of its length, and at least 2.
/// Ties go to the first candidate in sorted order, so the answer is deterministic.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn finds_plausible_misspellings_only() {
        let names = ["target_url", "latency_budget_ms", "schedule"];
        assert_eq!(closest("targt_url", names), Some("target_url"));
        assert_eq!(closest("TARGET_URL", names), Some("target_url"));
        assert_eq!(closest("colour", names), None);
        assert_eq!(
            closest("AWS::S3::Buckett", ["AWS::S3::Bucket", "AWS::S3::BucketPolicy"]),
            Some("AWS::S3::Bucket")
        );
        assert_eq!(closest("a", ["b", "c"]), Some("b"));
    }
}
