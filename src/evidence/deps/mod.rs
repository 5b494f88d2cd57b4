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
use std::sync::{Arc, Mutex};

mod files;
mod go;
mod maven;
mod npm;
mod nuget;
mod version;

pub(crate) use version::driver_eras;
pub use version::{DriverVersion, eras};

use files::{read, read_folder};
use npm::json_string;
use version::version;

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

/// The dependencies of a JSON object of packages, `{"Npgsql": {"resolved":
/// "8.0.3"}}`: each package whose `field` is a string.
fn field_deps<'a>(
    packages: &'a serde_json::Map<String, serde_json::Value>,
    field: &'a str,
) -> impl Iterator<Item = Dep> + 'a {
    packages.iter().filter_map(move |(name, info)| {
        let v = info.get(field)?.as_str()?;
        Some(dep(name, v))
    })
}

/// The dependency files read so far, each once, shared by the scan's
/// threads.
#[derive(Debug, Default)]
pub struct ProjectDeps {
    folders: Mutex<HashMap<(PathBuf, Ecosystem), Arc<FolderDeps>>>,
}

/// One folder's dependency files of one ecosystem, read, in priority order.
type FolderDeps = Vec<(PathBuf, Vec<Dep>)>;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_file_naming_the_driver_wins_within_the_root() {
        let dir = crate::evidence::testing::tree(&[
            // Central package management at the root; the project file names
            // the package without a version.
            ("Directory.Packages.props", br#"<Project><ItemGroup><PackageVersion Include="Npgsql" Version="5.0.18" /></ItemGroup></Project>"#),
            ("src/Billing/Billing.csproj", br#"<Project><ItemGroup><PackageReference Include="Npgsql" /></ItemGroup></Project>"#),
            ("src/Billing/appsettings.json", b"{}"),
            // A node service: the lock file beats the manifest in its folder,
            // and the installed package beats both.
            ("web/package.json", br#"{"dependencies": {"pg": "^8.0.0"}}"#),
            ("web/package-lock.json", br#"{"lockfileVersion": 3, "packages": {"node_modules/pg": {"version": "8.11.3"}}}"#),
            ("web/src/db.js", b""),
            ("api/package.json", br#"{"dependencies": {"pg": "^8.0.0"}}"#),
            ("api/node_modules/pg/package.json", br#"{"name": "pg", "version": "8.12.0"}"#),
        ]);
        let root = dir.path();
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
