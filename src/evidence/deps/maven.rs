//! Maven and Gradle: `pom.xml`, `build.gradle[.kts]`,
//! `gradle/libs.versions.toml`.

use std::sync::LazyLock;

use regex::Regex;

use super::{Dep, dep};

/// `pom.xml`: `<dependency>` groupId, artifactId and version, `${prop}`
/// versions from the same file's `<properties>`.
pub(super) fn pom(text: &str) -> Vec<Dep> {
    static DEPENDENCY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?s)<dependency>(.*?)</dependency>").expect("dependency pattern compiles")
    });
    static FIELD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"<(groupId|artifactId|version)>\s*([^<]*?)\s*</")
            .expect("field pattern compiles")
    });
    let mut out = Vec::new();
    for d in DEPENDENCY.captures_iter(text) {
        let fields: Vec<(String, String)> = FIELD
            .captures_iter(&d[1])
            .map(|f| (f[1].to_string(), f[2].to_string()))
            .collect();
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let (Some(group), Some(artifact), Some(written)) =
            (get("groupId"), get("artifactId"), get("version"))
        else {
            continue;
        };
        let written = match written.strip_prefix("${").and_then(|p| p.strip_suffix('}')) {
            Some(prop) => {
                let Ok(re) =
                    Regex::new(&format!(r"<{0}>\s*([^<$]+?)\s*</{0}>", regex::escape(prop)))
                else {
                    continue;
                };
                match re.captures(text) {
                    Some(c) => c[1].to_string(),
                    None => continue,
                }
            }
            None => written.to_string(),
        };
        out.push(dep(&format!("{group}:{artifact}"), &written));
    }
    out
}

/// `build.gradle[.kts]`: `'group:artifact:version'` strings and
/// `group: 'g', name: 'a', version: 'v'` maps.
pub(super) fn gradle(text: &str) -> Vec<Dep> {
    static COORDS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"["']([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+):([^"':@\s]+)["']"#)
            .expect("coordinates pattern compiles")
    });
    static MAP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"group\s*[:=]\s*["']([^"']+)["']\s*,\s*name\s*[:=]\s*["']([^"']+)["']\s*,\s*version\s*[:=]\s*["']([^"']+)["']"#)
            .expect("map pattern compiles")
    });
    COORDS
        .captures_iter(text)
        .chain(MAP.captures_iter(text))
        .map(|c| dep(&format!("{}:{}", &c[1], &c[2]), &c[3]))
        .collect()
}

/// `gradle/libs.versions.toml`: `module = "g:a", version = "v"` or
/// `version.ref = "x"` with `x = "v"` under `[versions]`; `"g:a:v"`.
pub(super) fn gradle_catalog(text: &str) -> Vec<Dep> {
    static MODULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"module\s*=\s*"([^":]+):([^"]+)"\s*,\s*version(\.ref)?\s*=\s*"([^"]+)""#)
            .expect("catalog pattern compiles")
    });
    let mut out = gradle(text);
    for c in MODULE.captures_iter(text) {
        let written = if c.get(3).is_some() {
            let Ok(re) = Regex::new(&format!(
                r#"(?m)^\s*{}\s*=\s*"([^"]+)""#,
                regex::escape(&c[4])
            )) else {
                continue;
            };
            match re.captures(text) {
                Some(v) => v[1].to_string(),
                None => continue,
            }
        } else {
            c[4].to_string()
        };
        out.push(dep(&format!("{}:{}", &c[1], &c[2]), &written));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::evidence::deps::files::{Kind, assert_reads};

    #[test]
    fn maven_and_gradle_files_are_read() {
        // (kind, text) → (name, version as written) of each dependency
        assert_reads(&[
            (
                Kind::Pom,
                "<project><properties><mysql.version>5.1.49</mysql.version></properties><dependencies>\n<dependency>\n  <groupId>mysql</groupId>\n  <artifactId>mysql-connector-java</artifactId>\n  <version>${mysql.version}</version>\n</dependency>\n<dependency><groupId>com.microsoft.sqlserver</groupId><artifactId>mssql-jdbc</artifactId><version>9.4.1.jre8</version></dependency>\n<dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId></dependency>\n</dependencies></project>",
                &[
                    ("mysql:mysql-connector-java", "5.1.49"),
                    ("com.microsoft.sqlserver:mssql-jdbc", "9.4.1.jre8"),
                ],
            ),
            (
                Kind::Gradle,
                "dependencies {\n    runtimeOnly 'com.mysql:mysql-connector-j:8.3.0'\n    implementation(\"com.microsoft.sqlserver:mssql-jdbc:12.6.1.jre11\")\n    implementation group: 'mysql', name: 'mysql-connector-java', version: '5.1.49'\n}\n",
                &[
                    ("com.mysql:mysql-connector-j", "8.3.0"),
                    ("com.microsoft.sqlserver:mssql-jdbc", "12.6.1.jre11"),
                    ("mysql:mysql-connector-java", "5.1.49"),
                ],
            ),
            (
                Kind::GradleCatalog,
                "[versions]\nmysql = \"8.4.0\"\n\n[libraries]\nmysql-connector = { module = \"com.mysql:mysql-connector-j\", version.ref = \"mysql\" }\nmssql = { module = \"com.microsoft.sqlserver:mssql-jdbc\", version = \"10.2.3.jre8\" }\n",
                &[
                    ("com.mysql:mysql-connector-j", "8.4.0"),
                    ("com.microsoft.sqlserver:mssql-jdbc", "10.2.3.jre8"),
                ],
            ),
        ]);
    }
}
