//! Which dependency files of a folder are read, in which order, and how
//! each kind is read.

use std::path::{Path, PathBuf};

use super::go::go_mod;
use super::maven::{gradle, gradle_catalog, pom};
use super::npm::{npm_lock, package_json, pnpm_lock, yarn_lock};
use super::nuget::{deps_json, msbuild, nuget_lock, packages_config};
use super::{Dep, Ecosystem, FolderDeps};

/// Lock files grow large; a manifest never does.
const MAX_DEPENDENCY_FILE: u64 = 64 << 20;

pub(super) fn read(path: &Path) -> Option<String> {
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
pub(super) enum Kind {
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
pub(super) fn read_folder(folder: &Path, ecosystem: Ecosystem) -> FolderDeps {
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

/// A file's kind and text, and the (name, version as written) of each
/// dependency it names.
#[cfg(test)]
pub(super) type ReadCase<'a> = (Kind, &'a str, &'a [(&'a str, &'a str)]);

/// Asserts that each file's text, read as its kind, names the
/// dependencies given.
#[cfg(test)]
pub(super) fn assert_reads(table: &[ReadCase<'_>]) {
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
