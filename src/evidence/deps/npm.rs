//! npm: `package.json`, `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`.

use std::sync::LazyLock;

use regex::Regex;

use super::{Dep, dep, field_deps};

/// A top-level string field of a JSON document.
pub(super) fn json_string(text: &str, field: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    json.get(field)?.as_str().map(str::to_string)
}

/// `package.json`: dependencies of every kind.
pub(super) fn package_json(text: &str) -> Vec<Dep> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in [
        "dependencies",
        "devDependencies",
        "optionalDependencies",
        "peerDependencies",
    ] {
        if let Some(deps) = json.get(field).and_then(|d| d.as_object()) {
            for (name, v) in deps {
                if let Some(v) = v.as_str() {
                    out.push(dep(name, v));
                }
            }
        }
    }
    out
}

/// `package-lock.json` / `npm-shrinkwrap.json`: `packages` (lockfile v2,
/// v3), else `dependencies` (v1); the top-level install only.
pub(super) fn npm_lock(text: &str) -> Vec<Dep> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(packages) = json.get("packages").and_then(|p| p.as_object()) {
        for (path, info) in packages {
            let Some(name) = path.strip_prefix("node_modules/") else {
                continue;
            };
            if !name.contains("/node_modules/")
                && let Some(v) = info.get("version").and_then(|v| v.as_str())
            {
                out.push(dep(name, v));
            }
        }
    } else if let Some(deps) = json.get("dependencies").and_then(|d| d.as_object()) {
        out.extend(field_deps(deps, "version"));
    }
    out
}

/// `yarn.lock` (classic and berry): `pg@^8.7.1:` then `version "8.7.1"`.
pub(super) fn yarn_lock(text: &str) -> Vec<Dep> {
    static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^"?((?:@[^@/\s"]+/)?[^@\s"]+)@[^\n]*:\r?\n(?:[ \t]+[^\n]*\n)*?[ \t]+version:? "?([^"\s]+)"?"#)
            .expect("yarn.lock pattern compiles")
    });
    ENTRY
        .captures_iter(text)
        .map(|c| dep(&c[1], &c[2]))
        .collect()
}

/// `pnpm-lock.yaml`: `/pg@8.11.3:` / `pg@8.11.3:` package keys.
pub(super) fn pnpm_lock(text: &str) -> Vec<Dep> {
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s+['"]?/?((?:@[^@/\s'"]+/)?[^@/\s'"]+)[@/]([0-9][^:()\s'"]*)(?:\([^:]*\))?['"]?:\s*$"#)
            .expect("pnpm-lock pattern compiles")
    });
    KEY.captures_iter(text).map(|c| dep(&c[1], &c[2])).collect()
}

#[cfg(test)]
mod tests {
    use crate::evidence::deps::files::{Kind, assert_reads};

    #[test]
    fn npm_files_are_read() {
        // (kind, text) → (name, version as written) of each dependency
        assert_reads(&[
            (
                Kind::PackageJson,
                r#"{"name": "billing", "dependencies": {"pg": "^7.18.2", "express": "^4.18.0"}, "devDependencies": {"jest": "29"}}"#,
                &[("express", "^4.18.0"), ("pg", "^7.18.2"), ("jest", "29")],
            ),
            (
                Kind::NpmLock,
                r#"{"lockfileVersion": 3, "packages": {"": {"name": "billing"}, "node_modules/pg": {"version": "8.11.3"}, "node_modules/x/node_modules/pg": {"version": "7.0.0"}}}"#,
                &[("pg", "8.11.3")],
            ),
            (
                Kind::NpmLock,
                r#"{"lockfileVersion": 1, "dependencies": {"pg": {"version": "7.18.2"}}}"#,
                &[("pg", "7.18.2")],
            ),
            (
                Kind::YarnLock,
                "# yarn lockfile v1\n\npg@^8.7.1, pg@^8.8.0:\n  version \"8.11.3\"\n  resolved \"https://registry.yarnpkg.com/pg/-/pg-8.11.3.tgz\"\n\n\"@types/pg@^8\":\n  version \"8.10.9\"\n",
                &[("pg", "8.11.3"), ("@types/pg", "8.10.9")],
            ),
            (
                Kind::PnpmLock,
                "lockfileVersion: '9.0'\npackages:\n\n  pg@8.11.3:\n    resolution: {integrity: sha512-x}\n  /pg-pool@3.6.1(pg@8.11.3):\n    resolution: {integrity: sha512-y}\n",
                &[("pg", "8.11.3"), ("pg-pool", "3.6.1")],
            ),
        ]);
    }
}
