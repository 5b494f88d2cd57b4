//! NuGet: `*.deps.json`, `packages.lock.json`, MSBuild project and props
//! files, `packages.config`.

use std::sync::LazyLock;

use regex::Regex;

use super::{Dep, dep, field_deps};

/// `"Npgsql/8.0.3"` library keys of a .NET `*.deps.json`.
pub(super) fn deps_json(text: &str) -> Vec<Dep> {
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""([A-Za-z0-9_.\-]+)/([0-9][^"/]*)"\s*:"#).expect("deps.json pattern compiles")
    });
    KEY.captures_iter(text).map(|c| dep(&c[1], &c[2])).collect()
}

/// NuGet `packages.lock.json`: `"Npgsql": {"resolved": "8.0.3"}` per
/// target framework.
pub(super) fn nuget_lock(text: &str) -> Vec<Dep> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(frameworks) = json.get("dependencies").and_then(|d| d.as_object()) {
        for packages in frameworks.values().filter_map(|p| p.as_object()) {
            out.extend(field_deps(packages, "resolved"));
        }
    }
    out
}

/// MSBuild project files: `<PackageReference Include="X" Version="Y" />`
/// (attributes in any order, `Update=`, `VersionOverride=`, a `<Version>`
/// child), central `<PackageVersion …/>`, and `$(Property)` versions
/// defined in the same file.
pub(super) fn msbuild(text: &str) -> Vec<Dep> {
    static TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?s)<(?:PackageReference|PackageVersion)\b([^>]*?)(/>|>(.*?)</(?:PackageReference|PackageVersion)>)")
            .expect("PackageReference pattern compiles")
    });
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(Include|Update|VersionOverride|Version)\s*=\s*"([^"]*)""#)
            .expect("attribute pattern compiles")
    });
    static CHILD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?s)<Version>\s*([^<]*?)\s*</Version>").expect("Version pattern compiles")
    });
    let mut out = Vec::new();
    for c in TAG.captures_iter(text) {
        let mut name = None;
        let mut written = None;
        for a in ATTR.captures_iter(&c[1]) {
            match a[1].to_ascii_lowercase().as_str() {
                "include" | "update" => name = Some(a[2].to_string()),
                "versionoverride" => written = Some(a[2].to_string()),
                _ => {
                    written.get_or_insert_with(|| a[2].to_string());
                }
            }
        }
        if written.is_none() {
            written = c
                .get(3)
                .and_then(|body| CHILD.captures(body.as_str()))
                .map(|v| v[1].to_string());
        }
        if let (Some(name), Some(written)) = (name, written)
            && let Some(written) = msbuild_property(text, &written)
        {
            out.push(dep(&name, &written));
        }
    }
    out
}

/// `$(NpgsqlVersion)` → the value `<NpgsqlVersion>` has in the same file;
/// anything else as is; None when the property is not defined here.
fn msbuild_property(text: &str, written: &str) -> Option<String> {
    let Some(name) = written
        .trim()
        .strip_prefix("$(")
        .and_then(|p| p.strip_suffix(')'))
    else {
        return Some(written.to_string());
    };
    let re = Regex::new(&format!(r"<{0}>\s*([^<$]+?)\s*</{0}>", regex::escape(name))).ok()?;
    re.captures(text).map(|c| c[1].to_string())
}

/// `packages.config`: `<package id="X" version="Y" />`.
pub(super) fn packages_config(text: &str) -> Vec<Dep> {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)<package\b([^>]*)>").expect("package pattern compiles"));
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)(id|version)\s*=\s*"([^"]*)""#).expect("attribute pattern compiles")
    });
    TAG.captures_iter(text)
        .filter_map(|c| {
            let attrs: Vec<(String, String)> = ATTR
                .captures_iter(&c[1])
                .map(|a| (a[1].to_ascii_lowercase(), a[2].to_string()))
                .collect();
            let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
            Some(dep(get("id")?, get("version")?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::evidence::deps::files::{Kind, assert_reads};

    #[test]
    fn nuget_files_are_read() {
        // (kind, text) → (name, version as written) of each dependency
        assert_reads(&[
            (
                Kind::MsBuild,
                r#"<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><NpgsqlVersion>5.0.18</NpgsqlVersion></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Npgsql" Version="$(NpgsqlVersion)" />
    <PackageReference Version="5.2.1" Include="Microsoft.Data.SqlClient" />
    <PackageReference Include="Dapper">
      <Version>2.1.35</Version>
    </PackageReference>
    <PackageReference Include="Serilog" />
  </ItemGroup>
</Project>"#,
                &[
                    ("Npgsql", "5.0.18"),
                    ("Microsoft.Data.SqlClient", "5.2.1"),
                    ("Dapper", "2.1.35"),
                ],
            ),
            (
                Kind::MsBuild,
                r#"<Project><ItemGroup><PackageVersion Include="Npgsql" Version="8.0.3" /></ItemGroup></Project>"#,
                &[("Npgsql", "8.0.3")],
            ),
            (
                Kind::PackagesConfig,
                r#"<packages><package id="Microsoft.Data.SqlClient" version="1.1.4" targetFramework="net48" /></packages>"#,
                &[("Microsoft.Data.SqlClient", "1.1.4")],
            ),
            (
                Kind::DepsJson,
                r#"{"targets": {".NETCoreApp,Version=v8.0": {"App/1.0.0": {"dependencies": {"Npgsql": "8.0.3"}}, "Npgsql/8.0.3": {}}}, "libraries": {"Npgsql/8.0.3": {"type": "package"}}}"#,
                &[("App", "1.0.0"), ("Npgsql", "8.0.3"), ("Npgsql", "8.0.3")],
            ),
            (
                Kind::NuGetLock,
                r#"{"version": 1, "dependencies": {"net8.0": {"Npgsql": {"type": "Direct", "requested": "[8.0.3, )", "resolved": "8.0.3"}}}}"#,
                &[("Npgsql", "8.0.3")],
            ),
        ]);
    }
}
