//! Driver versions from the project's dependency files.
//!
//! Some drivers changed a TLS default between versions (Npgsql 6,
//! Microsoft.Data.SqlClient 2 and 4, node-postgres 8, Connector/J 8,
//! mssql-jdbc 10.2, lib/pq 1.12, pgx 5.7; docs/FORMATS.md has the table).
//! A detector asks for its driver's version; the answer comes from the
//! nearest dependency file up the directory tree from the setting's file,
//! within the scanned root, that names the driver with a version: installed
//! packages and lock files before manifests in the same folder. No such
//! file means no version, and the version-dependent facts stay `unknown`.
//!
//! Read: NuGet (`*.deps.json`, `packages.lock.json`, `*.csproj`/`*.fsproj`/
//! `*.vbproj`, `packages.config`, `Directory.Packages.props`,
//! `Directory.Build.props`/`.targets`), npm (`node_modules/<pkg>/package.json`,
//! `package-lock.json`, `npm-shrinkwrap.json`, `yarn.lock`,
//! `pnpm-lock.yaml`, `package.json`), Maven and Gradle (`pom.xml`,
//! `build.gradle[.kts]`, `gradle/libs.versions.toml`) and Go (`go.mod`).
//! Python and Ruby lock files are not read: no driver default in the
//! tables depends on a Python or Ruby package's version (libpq's version
//! comes from the operating system or a wheel, not from a lock file).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use regex::Regex;

/// A driver whose TLS defaults changed between versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Package {
    /// NuGet `Npgsql` (or its EF Core provider, whose major version is
    /// Npgsql's from 5 on and was 4 for provider 3.x).
    Npgsql,
    /// NuGet `Microsoft.Data.SqlClient`.
    SqlClient,
    /// NuGet `System.Data.SqlClient` (its TLS behaviour never changed).
    SystemDataSqlClient,
    /// npm `pg` (node-postgres).
    NodePg,
    /// Maven `mysql:mysql-connector-java` / `com.mysql:mysql-connector-j`.
    ConnectorJ,
    /// Maven `com.microsoft.sqlserver:mssql-jdbc`.
    MssqlJdbc,
    /// Go `github.com/lib/pq`.
    GoPq,
    /// Go `github.com/jackc/pgx` (v4, v5).
    Pgx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ecosystem {
    NuGet,
    Npm,
    Maven,
    Go,
}

impl Package {
    /// The ecosystem, the names it goes by there (lowercase), and the name
    /// shown when a version is given outright.
    fn names(self) -> (Ecosystem, &'static [&'static str], &'static str) {
        match self {
            Package::Npgsql => (
                Ecosystem::NuGet,
                &["npgsql", "npgsql.entityframeworkcore.postgresql"],
                "Npgsql",
            ),
            Package::SqlClient => (
                Ecosystem::NuGet,
                &["microsoft.data.sqlclient"],
                "Microsoft.Data.SqlClient",
            ),
            Package::SystemDataSqlClient => (
                Ecosystem::NuGet,
                &["system.data.sqlclient"],
                "System.Data.SqlClient",
            ),
            Package::NodePg => (Ecosystem::Npm, &["pg"], "pg"),
            Package::ConnectorJ => (
                Ecosystem::Maven,
                &["mysql:mysql-connector-java", "com.mysql:mysql-connector-j"],
                "mysql-connector-j",
            ),
            Package::MssqlJdbc => (
                Ecosystem::Maven,
                &["com.microsoft.sqlserver:mssql-jdbc"],
                "mssql-jdbc",
            ),
            Package::GoPq => (Ecosystem::Go, &["github.com/lib/pq"], "github.com/lib/pq"),
            Package::Pgx => (
                Ecosystem::Go,
                &[
                    "github.com/jackc/pgx/v5",
                    "github.com/jackc/pgx/v4",
                    "github.com/jackc/pgx",
                ],
                "github.com/jackc/pgx",
            ),
        }
    }
}

/// `major.minor.patch`.
type Ver = (u32, u32, u32);

/// A driver version as a dependency file gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverVersion {
    /// The package name as written there.
    pub name: String,
    /// The version or range as written (`5.0.18`, `^8.7.1`, `[5.0,6.0)`).
    pub written: String,
    /// The dependency file; None when given outright.
    pub file: Option<PathBuf>,
    /// The versions it allows: `[low, high)`, or exactly `low` when
    /// `exact`; `high` None = no upper bound.
    low: Ver,
    high: Option<Ver>,
    exact: bool,
    /// A pre-release or Go pseudo-version of `low`: somewhere before it.
    pre: bool,
}

impl DriverVersion {
    /// Whether every version it allows is at least `min`; None when some
    /// are and some are not.
    pub fn at_least(&self, min: Ver) -> Option<bool> {
        if self.exact {
            return match self.low.cmp(&min) {
                std::cmp::Ordering::Less => Some(false),
                std::cmp::Ordering::Greater => Some(true),
                std::cmp::Ordering::Equal => (!self.pre).then_some(true),
            };
        }
        if self.low >= min && !(self.pre && self.low == min) {
            Some(true)
        } else if self.high.is_some_and(|h| h <= min) {
            Some(false)
        } else {
            None
        }
    }

    /// The major version, when every allowed version shares it (what the
    /// parsing tests compare).
    #[cfg(test)]
    pub fn major(&self) -> Option<u32> {
        let next = (self.low.0 + 1, 0, 0);
        (self.exact || self.high.is_some_and(|h| h <= next)).then_some(self.low.0)
    }

    /// `Npgsql 5.0.18 (src/App/App.csproj)`, the scan output's form.
    pub fn shown(&self) -> String {
        match &self.file {
            Some(f) => format!("{} {} ({})", self.name, self.written, f.display()),
            None => format!("{} {}", self.name, self.written),
        }
    }
}

/// The eras of a driver (each from its first version to the next era's)
/// that `version` may fall in: every era when no version is in sight.
/// `eras` is ordered by first version.
pub fn eras<T: Copy>(version: Option<&DriverVersion>, eras: &[(Ver, T)]) -> Vec<T> {
    eras.iter()
        .enumerate()
        .filter(|(i, (start, _))| {
            let Some(v) = version else { return true };
            let before_start = v.at_least(*start) == Some(false);
            let past_end = eras
                .get(i + 1)
                .is_some_and(|(next, _)| v.at_least(*next) == Some(true));
            !before_start && !past_end
        })
        .map(|(_, (_, era))| *era)
        .collect()
}

/// Where a detector looks up driver versions for one file.
#[derive(Debug, Clone, Copy)]
pub enum Versions<'a> {
    /// No dependency file in sight (a lone text).
    None,
    /// Versions given outright, as written (tests).
    #[cfg(test)]
    Given(&'a [(Package, &'a str)]),
    /// The dependency files from `dir` up to `stop`, read through `deps`.
    Tree {
        deps: &'a ProjectDeps,
        dir: &'a Path,
        stop: &'a Path,
    },
}

impl Versions<'_> {
    /// The version of `package` in sight, if any.
    pub fn of(&self, package: Package) -> Option<DriverVersion> {
        let (ecosystem, names, _) = package.names();
        match *self {
            Versions::None => None,
            #[cfg(test)]
            Versions::Given(given) => given
                .iter()
                .find(|(p, _)| *p == package)
                .and_then(|(_, written)| version(package.names().2, written, None)),
            Versions::Tree { deps, dir, stop } => {
                for folder in dir.ancestors() {
                    let found = deps.in_folder(folder, ecosystem, names);
                    if found.is_some() {
                        return found;
                    }
                    if folder == stop || !folder.starts_with(stop) {
                        break;
                    }
                }
                None
            }
        }
    }
}

/// A dependency a file names: the name as written, lowercase, and the
/// version as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Dep {
    name: String,
    lower: String,
    written: String,
}

fn dep(name: &str, written: &str) -> Dep {
    Dep {
        name: name.to_string(),
        lower: name.to_ascii_lowercase(),
        written: written.trim().to_string(),
    }
}

/// The dependency files read so far, each once, shared by the scan's
/// threads.
#[derive(Debug, Default)]
pub struct ProjectDeps {
    folders: Mutex<HashMap<(PathBuf, Ecosystem), Arc<FolderDeps>>>,
}

/// One folder's dependency files of one ecosystem, read, in priority order.
type FolderDeps = Vec<(PathBuf, Vec<Dep>)>;

/// Lock files grow large; a manifest never does.
const MAX_DEPENDENCY_FILE: u64 = 64 << 20;

impl ProjectDeps {
    /// The first dependency file of `folder` (in priority order) that names
    /// one of `names` with a version that can be read.
    fn in_folder(
        &self,
        folder: &Path,
        ecosystem: Ecosystem,
        names: &[&str],
    ) -> Option<DriverVersion> {
        if ecosystem == Ecosystem::Npm {
            // The installed package says exactly which version runs.
            for name in names {
                let path = folder.join("node_modules").join(name).join("package.json");
                if let Some(text) = read(&path)
                    && let Some(v) = json_string(&text, "version")
                    && let Some(found) = version(name, &v, Some(path))
                {
                    return Some(found);
                }
            }
        }
        let files = self.files(folder, ecosystem);
        files.iter().find_map(|(file, deps)| {
            deps.iter()
                .filter(|d| names.contains(&d.lower.as_str()))
                // Npgsql itself before its EF Core provider.
                .min_by_key(|d| names.iter().position(|n| *n == d.lower))
                .and_then(|d| version(&d.name, &d.written, Some(file.clone())))
        })
    }

    fn files(&self, folder: &Path, ecosystem: Ecosystem) -> Arc<FolderDeps> {
        let key = (folder.to_path_buf(), ecosystem);
        if let Some(files) = self.folders.lock().expect("not poisoned").get(&key) {
            return files.clone();
        }
        let files = Arc::new(read_folder(folder, ecosystem));
        self.folders
            .lock()
            .expect("not poisoned")
            .insert(key, files.clone());
        files
    }
}

fn read(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_DEPENDENCY_FILE {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The dependency file kinds of an ecosystem, exact ones first.
fn kinds(ecosystem: Ecosystem) -> &'static [Kind] {
    match ecosystem {
        Ecosystem::NuGet => &[
            Kind::DepsJson,
            Kind::NuGetLock,
            Kind::MsBuild,
            Kind::PackagesConfig,
        ],
        Ecosystem::Npm => &[
            Kind::NpmLock,
            Kind::YarnLock,
            Kind::PnpmLock,
            Kind::PackageJson,
        ],
        Ecosystem::Maven => &[Kind::Pom, Kind::Gradle, Kind::GradleCatalog],
        Ecosystem::Go => &[Kind::GoMod],
    }
}

/// One kind of dependency file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    DepsJson,
    NuGetLock,
    MsBuild,
    PackagesConfig,
    NpmLock,
    YarnLock,
    PnpmLock,
    PackageJson,
    Pom,
    Gradle,
    GradleCatalog,
    GoMod,
}

impl Kind {
    /// Whether a file name (lowercase) is of this kind.
    fn matches(self, name: &str) -> bool {
        match self {
            Kind::DepsJson => name.ends_with(".deps.json"),
            Kind::NuGetLock => name == "packages.lock.json",
            Kind::MsBuild => {
                [".csproj", ".fsproj", ".vbproj"]
                    .iter()
                    .any(|e| name.ends_with(e))
                    || matches!(
                        name,
                        "directory.packages.props"
                            | "directory.build.props"
                            | "directory.build.targets"
                    )
            }
            Kind::PackagesConfig => name == "packages.config",
            Kind::NpmLock => name == "package-lock.json" || name == "npm-shrinkwrap.json",
            Kind::YarnLock => name == "yarn.lock",
            Kind::PnpmLock => name == "pnpm-lock.yaml",
            Kind::PackageJson => name == "package.json",
            Kind::Pom => name == "pom.xml",
            Kind::Gradle => name == "build.gradle" || name == "build.gradle.kts",
            // Looked up as gradle/libs.versions.toml.
            Kind::GradleCatalog => name == "libs.versions.toml",
            Kind::GoMod => name == "go.mod",
        }
    }

    /// The dependencies a file of this kind names.
    fn read(self, text: &str) -> Vec<Dep> {
        match self {
            Kind::DepsJson => deps_json(text),
            Kind::NuGetLock => nuget_lock(text),
            Kind::MsBuild => msbuild(text),
            Kind::PackagesConfig => packages_config(text),
            Kind::NpmLock => npm_lock(text),
            Kind::YarnLock => yarn_lock(text),
            Kind::PnpmLock => pnpm_lock(text),
            Kind::PackageJson => package_json(text),
            Kind::Pom => pom(text),
            Kind::Gradle => gradle(text),
            Kind::GradleCatalog => gradle_catalog(text),
            Kind::GoMod => go_mod(text),
        }
    }
}

/// The dependency files of `folder` for `ecosystem`, read, in priority
/// order (kind, then name).
fn read_folder(folder: &Path, ecosystem: Ecosystem) -> FolderDeps {
    let dir = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let mut names: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_ascii_lowercase(),
                folder.join(e.file_name()),
            )
        })
        .collect();
    if ecosystem == Ecosystem::Maven {
        let catalog = folder.join("gradle").join("libs.versions.toml");
        names.push(("libs.versions.toml".into(), catalog));
    }
    names.sort();
    let mut out = Vec::new();
    for kind in kinds(ecosystem) {
        for (name, path) in &names {
            if kind.matches(name)
                && let Some(text) = read(path)
            {
                out.push((path.clone(), kind.read(&text)));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Readers, one per kind of file

/// `"Npgsql/8.0.3"` library keys of a .NET `*.deps.json`.
fn deps_json(text: &str) -> Vec<Dep> {
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""([A-Za-z0-9_.\-]+)/([0-9][^"/]*)"\s*:"#).expect("deps.json pattern compiles")
    });
    KEY.captures_iter(text).map(|c| dep(&c[1], &c[2])).collect()
}

/// NuGet `packages.lock.json`: `"Npgsql": {"resolved": "8.0.3"}` per
/// target framework.
fn nuget_lock(text: &str) -> Vec<Dep> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(frameworks) = json.get("dependencies").and_then(|d| d.as_object()) {
        for packages in frameworks.values().filter_map(|p| p.as_object()) {
            for (name, info) in packages {
                if let Some(v) = info.get("resolved").and_then(|v| v.as_str()) {
                    out.push(dep(name, v));
                }
            }
        }
    }
    out
}

/// MSBuild project files: `<PackageReference Include="X" Version="Y" />`
/// (attributes in any order, `Update=`, `VersionOverride=`, a `<Version>`
/// child), central `<PackageVersion …/>`, and `$(Property)` versions
/// defined in the same file.
fn msbuild(text: &str) -> Vec<Dep> {
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
fn packages_config(text: &str) -> Vec<Dep> {
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

/// A top-level string field of a JSON document.
fn json_string(text: &str, field: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    json.get(field)?.as_str().map(str::to_string)
}

/// `package.json`: dependencies of every kind.
fn package_json(text: &str) -> Vec<Dep> {
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
fn npm_lock(text: &str) -> Vec<Dep> {
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
        for (name, info) in deps {
            if let Some(v) = info.get("version").and_then(|v| v.as_str()) {
                out.push(dep(name, v));
            }
        }
    }
    out
}

/// `yarn.lock` (classic and berry): `pg@^8.7.1:` then `version "8.7.1"`.
fn yarn_lock(text: &str) -> Vec<Dep> {
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
fn pnpm_lock(text: &str) -> Vec<Dep> {
    static KEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s+['"]?/?((?:@[^@/\s'"]+/)?[^@/\s'"]+)[@/]([0-9][^:()\s'"]*)(?:\([^:]*\))?['"]?:\s*$"#)
            .expect("pnpm-lock pattern compiles")
    });
    KEY.captures_iter(text).map(|c| dep(&c[1], &c[2])).collect()
}

/// `pom.xml`: `<dependency>` groupId, artifactId and version, `${prop}`
/// versions from the same file's `<properties>`.
fn pom(text: &str) -> Vec<Dep> {
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
fn gradle(text: &str) -> Vec<Dep> {
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
fn gradle_catalog(text: &str) -> Vec<Dep> {
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

/// `go.mod`: `require` lines, single or in a block.
fn go_mod(text: &str) -> Vec<Dep> {
    static REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:require\s+)?([a-z0-9][A-Za-z0-9_.\-/]*\.[A-Za-z0-9_.\-/]+)\s+(v[0-9][^\s]*)")
            .expect("go.mod pattern compiles")
    });
    REQUIRE
        .captures_iter(text)
        .map(|c| dep(&c[1], &c[2]))
        .collect()
}

// ---------------------------------------------------------------------------
// Version ranges

/// A version or range as written, read into the versions it allows: exact
/// (`5.0.18`, `v1.10.9`, Maven and NuGet's lowest-applicable `5.0.1`), npm
/// ranges (`^8.7.1`, `~7.4`, `8.x`, `>=8 <9`), NuGet/Maven intervals
/// (`[5.0,6.0)`), wildcards (`5.*`, `8.+`). None when it allows any major
/// (`*`, `latest`, `>=5`, `||` unions, placeholders).
fn version(name: &str, written: &str, file: Option<PathBuf>) -> Option<DriverVersion> {
    let (low, high, exact, pre) = range(written.trim())?;
    Some(DriverVersion {
        name: name.to_string(),
        written: written.trim().to_string(),
        file,
        low,
        high,
        exact,
        pre,
    })
}

/// (low, high, exact, pre-release) for [`version`].
fn range(w: &str) -> Option<(Ver, Option<Ver>, bool, bool)> {
    if w.contains("||") || w.is_empty() {
        return None;
    }
    // NuGet / Maven interval notation.
    if let Some(inner) = w.strip_prefix(['[', '(']) {
        let inner = inner.strip_suffix([']', ')'])?;
        let closed_high = w.ends_with(']');
        let (lo, hi) = match inner.split_once(',') {
            Some((lo, hi)) => (lo.trim(), hi.trim()),
            None => (inner.trim(), inner.trim()),
        };
        let low = if lo.is_empty() {
            (0, 0, 0)
        } else {
            parse(lo)?.0
        };
        let high = if hi.is_empty() {
            None
        } else {
            let h = parse(hi)?.0;
            Some(if closed_high { bump_patch(h) } else { h })
        };
        return Some((low, high, lo == hi && closed_high, false));
    }
    // npm comparator pairs: `>=8.0.0 <9.0.0`.
    let parts: Vec<&str> = w.split_whitespace().collect();
    if parts.len() == 2
        && let (Some(lo), Some(hi)) = (parts[0].strip_prefix(">="), parts[1].strip_prefix('<'))
        && !hi.starts_with('=')
    {
        return Some((parse(lo)?.0, Some(parse(hi)?.0), false, false));
    }
    if parts.len() != 1 {
        return None;
    }
    if let Some(rest) = w.strip_prefix('^') {
        let (v, given, _) = parse(rest)?;
        let high = match (v, given) {
            ((0, 0, p), 3) => (0, 0, p + 1),
            ((0, m, _), n) if n >= 2 => (0, m + 1, 0),
            ((major, _, _), _) => (major + 1, 0, 0),
        };
        return Some((v, Some(high), false, false));
    }
    if let Some(rest) = w.strip_prefix('~') {
        let (v, given, _) = parse(rest.trim_start_matches('>'))?;
        let high = if given >= 2 {
            (v.0, v.1 + 1, 0)
        } else {
            (v.0 + 1, 0, 0)
        };
        return Some((v, Some(high), false, false));
    }
    if w.starts_with(['>', '<', '=', '!']) {
        let exact = w
            .strip_prefix('=')
            .filter(|r| !r.starts_with(['=', '>', '<']));
        return exact.and_then(|r| range(r.trim()));
    }
    // Wildcards: `5.*`, `8.x`, `8.+`, `5`.
    let trimmed = w
        .trim_end_matches(['*', 'x', 'X', '+'])
        .trim_end_matches('.');
    if trimmed.len() < w.len() || !w.contains('.') {
        let (v, given, _) = parse(trimmed)?;
        let high = match given {
            1 => (v.0 + 1, 0, 0),
            2 => (v.0, v.1 + 1, 0),
            _ => bump_patch(v),
        };
        return Some((v, Some(high), false, false));
    }
    let (v, _, pre) = parse(w)?;
    Some((v, None, true, pre))
}

/// `v1.2.3-rc1+meta` → ((1, 2, 3), components given, pre-release).
fn parse(s: &str) -> Option<(Ver, usize, bool)> {
    let s = s.trim().trim_start_matches(['v', 'V']);
    let (core, pre) = match s.find(['-', '+']) {
        Some(i) => (&s[..i], s[i..].starts_with('-')),
        None => (s, false),
    };
    let mut nums = core.split('.');
    let mut v = [0u32; 3];
    let mut given = 0;
    for slot in &mut v {
        match nums.next() {
            Some(n) => {
                *slot = n.parse().ok()?;
                given += 1;
            }
            None => break,
        }
    }
    (given > 0).then_some(((v[0], v[1], v[2]), given, pre))
}

fn bump_patch(v: Ver) -> Ver {
    (v.0, v.1, v.2 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_ranges_as_each_ecosystem_writes_them() {
        type Row<'a> = (&'a str, Option<bool>, Option<bool>, Option<u32>);
        // (written, at least 6.0.0?, at least 8.0.0?, major)
        let table: &[Row<'_>] = &[
            ("5.0.18", Some(false), Some(false), Some(5)),
            ("6.0.0", Some(true), Some(false), Some(6)),
            ("v8.11.3", Some(true), Some(true), Some(8)),
            ("6.0.0-rc.1", None, Some(false), Some(6)),
            (
                "v1.12.4-0.20260410120000-abcdef123456",
                Some(false),
                Some(false),
                Some(1),
            ),
            ("^8.7.1", Some(true), Some(true), Some(8)),
            ("^7.4.0", Some(true), Some(false), Some(7)),
            ("~5.0.2", Some(false), Some(false), Some(5)),
            ("8.x", Some(true), Some(true), Some(8)),
            ("5.*", Some(false), Some(false), Some(5)),
            ("8.+", Some(true), Some(true), Some(8)),
            ("7", Some(true), Some(false), Some(7)),
            (">=8.0.0 <9.0.0", Some(true), Some(true), Some(8)),
            ("[5.0,6.0)", Some(false), Some(false), Some(5)),
            ("[6.0.0,)", Some(true), None, None),
            ("[5.0.18]", Some(false), Some(false), Some(5)),
            ("=8.1.0", Some(true), Some(true), Some(8)),
            (">=5", None, None, None),
            ("*", None, None, None),
            ("latest", None, None, None),
            ("^7 || ^8", None, None, None),
            ("$(NpgsqlVersion)", None, None, None),
            ("${mysql.version}", None, None, None),
        ];
        for &(written, six, eight, major) in table {
            let v = version("x", written, None);
            assert_eq!(
                (
                    v.as_ref().and_then(|v| v.at_least((6, 0, 0))),
                    v.as_ref().and_then(|v| v.at_least((8, 0, 0))),
                    v.as_ref().and_then(DriverVersion::major),
                ),
                (six, eight, major),
                "{written}"
            );
        }
    }

    #[test]
    fn a_version_selects_the_eras_it_may_fall_in() {
        let table = [((0, 0, 0), 'a'), ((6, 0, 0), 'b'), ((8, 0, 0), 'c')];
        for (written, want) in [
            (None, "abc"),
            (Some("5.0.18"), "a"),
            (Some("6.0.0"), "b"),
            (Some("^7.0.1"), "b"),
            (Some("8.0.3"), "c"),
            (Some("[6.0,)"), "bc"),
            (Some("5.*"), "a"),
            (Some("6.0.0-rc.1"), "ab"),
        ] {
            let v = written.and_then(|w| version("x", w, None));
            let got: String = eras(v.as_ref(), &table).into_iter().collect();
            assert_eq!(got, want, "{written:?}");
        }
    }

    #[test]
    fn each_kind_of_dependency_file_is_read() {
        type Row<'a> = (Kind, &'a str, &'a [(&'a str, &'a str)]);
        let table: &[Row<'_>] = &[
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
            (
                Kind::GoMod,
                "module example.com/app\n\ngo 1.22\n\nrequire github.com/lib/pq v1.10.9\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.5.5\n\tgolang.org/x/crypto v0.21.0 // indirect\n)\n",
                &[
                    ("github.com/lib/pq", "v1.10.9"),
                    ("github.com/jackc/pgx/v5", "v5.5.5"),
                    ("golang.org/x/crypto", "v0.21.0"),
                ],
            ),
        ];
        for (kind, text, want) in table {
            let got: Vec<(String, String)> = kind
                .read(text)
                .into_iter()
                .map(|d| (d.name, d.written))
                .collect();
            let want: Vec<(String, String)> = want
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            assert_eq!(got, want, "{kind:?}:\n{text}");
        }
    }

    #[test]
    fn the_nearest_file_naming_the_driver_wins_within_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        // Central package management at the root; the project file names
        // the package without a version.
        write(
            "Directory.Packages.props",
            r#"<Project><ItemGroup><PackageVersion Include="Npgsql" Version="5.0.18" /></ItemGroup></Project>"#,
        );
        write(
            "src/Billing/Billing.csproj",
            r#"<Project><ItemGroup><PackageReference Include="Npgsql" /></ItemGroup></Project>"#,
        );
        write("src/Billing/appsettings.json", "{}");
        // A node service: the lock file beats the manifest in its folder,
        // and the installed package beats both.
        write("web/package.json", r#"{"dependencies": {"pg": "^8.0.0"}}"#);
        write(
            "web/package-lock.json",
            r#"{"lockfileVersion": 3, "packages": {"node_modules/pg": {"version": "8.11.3"}}}"#,
        );
        write("web/src/db.js", "");
        write("api/package.json", r#"{"dependencies": {"pg": "^8.0.0"}}"#);
        write(
            "api/node_modules/pg/package.json",
            r#"{"name": "pg", "version": "8.12.0"}"#,
        );
        let deps = ProjectDeps::default();
        let lookup = |file: &str, package: Package, stop: &Path| {
            let file = root.join(file);
            let dir = file.parent().unwrap();
            Versions::Tree {
                deps: &deps,
                dir,
                stop,
            }
            .of(package)
            .map(|v| {
                (
                    v.written.clone(),
                    v.file
                        .unwrap()
                        .strip_prefix(root)
                        .unwrap()
                        .display()
                        .to_string(),
                )
            })
        };
        assert_eq!(
            lookup("src/Billing/appsettings.json", Package::Npgsql, root),
            Some(("5.0.18".into(), "Directory.Packages.props".into()))
        );
        assert_eq!(
            lookup("web/src/db.js", Package::NodePg, root),
            Some(("8.11.3".into(), "web/package-lock.json".into()))
        );
        assert_eq!(
            lookup("api/db.js", Package::NodePg, root),
            Some(("8.12.0".into(), "api/node_modules/pg/package.json".into()))
        );
        assert_eq!(lookup("web/src/db.js", Package::GoPq, root), None);
        // Scanning only src/Billing: the root's props file is out of sight.
        let billing = root.join("src/Billing");
        assert_eq!(
            lookup("src/Billing/appsettings.json", Package::Npgsql, &billing),
            None
        );
    }
}
