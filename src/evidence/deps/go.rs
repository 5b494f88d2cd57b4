//! Go: `go.mod`.

use std::sync::LazyLock;

use regex::Regex;

use super::{Dep, dep};

/// `go.mod`: `require` lines, single or in a block.
pub(super) fn go_mod(text: &str) -> Vec<Dep> {
    static REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:require\s+)?([a-z0-9][A-Za-z0-9_.\-/]*\.[A-Za-z0-9_.\-/]+)\s+(v[0-9][^\s]*)")
            .expect("go.mod pattern compiles")
    });
    REQUIRE
        .captures_iter(text)
        .map(|c| dep(&c[1], &c[2]))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::evidence::deps::files::{Kind, assert_reads};

    #[test]
    fn go_mod_is_read() {
        // (kind, text) → (name, version as written) of each dependency
        assert_reads(&[(
            Kind::GoMod,
            "module example.com/app\n\ngo 1.22\n\nrequire github.com/lib/pq v1.10.9\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.5.5\n\tgolang.org/x/crypto v0.21.0 // indirect\n)\n",
            &[
                ("github.com/lib/pq", "v1.10.9"),
                ("github.com/jackc/pgx/v5", "v5.5.5"),
                ("golang.org/x/crypto", "v0.21.0"),
            ],
        )]);
    }
}
