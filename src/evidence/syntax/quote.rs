//! Quoted values and literals: one pair of quotes off, booleans as
//! settings spell them, and what a literal in code amounts to.

use super::super::Fact::{self, No, Unknown, Yes};

/// `true/false`, `yes/no`, `on/off`, `1/0` (any case, quoted or not).
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match unquote(v).to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" | "y" => Some(true),
        "false" | "no" | "off" | "0" | "n" => Some(false),
        _ => None,
    }
}

/// Strips one pair of matching quotes (after trimming), also `\"…\"` as
/// found in JSON-escaped code (notebooks).
pub(crate) fn unquote(v: &str) -> &str {
    let v = v.trim();
    if v.len() >= 4 && v.starts_with("\\\"") && v.ends_with("\\\"") {
        return &v[2..v.len() - 2];
    }
    for q in ['"', '\'', '`'] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// A literal in code, as far as a detector needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Literal {
    True,
    False,
    None,
    /// A string, number or expression.
    Other,
}

impl Literal {
    pub(crate) fn of(v: &str) -> Literal {
        let v = v.trim();
        match v {
            "None" | "null" | "undefined" | "nil" => return Literal::None,
            "0" => return Literal::False,
            "1" => return Literal::True,
            _ => {}
        }
        // Only bare booleans: `'false'` is a truthy string in Python and JS.
        match v.to_ascii_lowercase().as_str() {
            "true" => Literal::True,
            "false" => Literal::False,
            _ => Literal::Other,
        }
    }

    pub(crate) fn fact(self) -> Fact {
        match self {
            Literal::True => Yes,
            Literal::False | Literal::None => No,
            Literal::Other => Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    #[test]
    fn one_pair_of_matching_quotes_comes_off() {
        assert_rows(
            unquote,
            &[
                (" 'db' ", "db"),
                ("\"db\"", "db"),
                ("`db`", "db"),
                ("db", "db"),
                ("''", ""),
                ("'db\"", "'db\""),
                ("'", "'"),
                ("\"'db'\"", "'db'"),
                // JSON-escaped code (notebooks).
                (r#" \"db\" "#, "db"),
            ],
        );
    }

    #[test]
    fn booleans_as_settings_spell_them() {
        let spellings: [(&[&str], Option<bool>); 3] = [
            (&["true", "'Yes'", "ON", "1", "y"], Some(true)),
            (&["false", "\"no\"", "off", "0", "n"], Some(false)),
            (&["${SSL}", "", "enabled"], None),
        ];
        let rows: Vec<(&str, Option<bool>)> = spellings
            .iter()
            .flat_map(|&(values, want)| values.iter().map(move |&v| (v, want)))
            .collect();
        assert_rows(parse_bool, &rows);
    }

    #[test]
    fn literals_in_code() {
        assert_rows(
            |v| Literal::of(v).fact(),
            &[
                ("True", Yes),
                ("true", Yes),
                ("1", Yes),
                ("False", No),
                ("0", No),
                ("None", No),
                ("null", No),
                ("undefined", No),
                ("nil", No),
                // A string is truthy: `'false'` is not false.
                ("'false'", Unknown),
                ("os.environ['SSL']", Unknown),
            ],
        );
    }
}
