//! `key=value` runs: normalized keys and the values read from them.

/// A key as drivers compare them: lowercased, without `-`, `_`, `.`,
/// spaces and tabs (`SSL Mode`, `ssl-mode` and `sslMode` are one key).
pub(crate) fn norm_key(k: &str) -> String {
    k.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' ' | '\t'))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The last value of a normalized key.
pub(crate) fn param<'p>(params: &'p [(String, String)], key: &str) -> Option<&'p str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    #[test]
    fn keys_compare_as_drivers_do() {
        assert_rows(
            norm_key,
            &[
                ("sslMode", "sslmode"),
                ("SSL Mode", "sslmode"),
                ("ssl-mode", "sslmode"),
                ("ssl_mode", "sslmode"),
                ("trust.store\t", "truststore"),
                ("", ""),
            ],
        );
    }

    #[test]
    fn the_last_value_of_a_key_counts() {
        let params = [
            ("sslmode".to_string(), "disable".to_string()),
            ("host".to_string(), "db".to_string()),
            ("sslmode".to_string(), "verify-full".to_string()),
        ];
        assert_rows(
            |key| param(&params, key),
            &[
                ("sslmode", Some("verify-full")),
                ("host", Some("db")),
                ("port", None),
            ],
        );
    }
}
