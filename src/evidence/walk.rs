//! Walking application trees for connection settings: `.gitignore` is
//! respected, vendored and build folders are skipped, binaries and huge
//! files are passed over (and counted), and files are read in parallel.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use std::collections::HashMap;

use super::deps::{ProjectDeps, Versions};
use super::truststore::{self, coverage_summary};
use super::{ConfigHit, SourceFile, detect_all};

/// Folders that hold other people's code or build output, never an app's
/// own settings.
const SKIPPED_FOLDERS: [&str; 12] = [
    ".git",
    "node_modules",
    "vendor",
    "third_party",
    "target",
    "dist",
    "build",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    "bower_components",
];

/// Settings files are small; a larger file is data or generated.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// A hit and the file it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHit {
    pub file: PathBuf,
    pub hit: ConfigHit,
    /// Which RDS CAs the trust store the setting names holds, when that file
    /// could be found and read here.
    pub trust_store_rds_cas: Option<String>,
}

/// What the walk passed over, and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanSummary {
    pub files_read: usize,
    pub binary_files: usize,
    pub large_files: usize,
    /// Unreadable paths, with the reason.
    pub errors: Vec<(PathBuf, String)>,
}

fn is_skipped_folder(entry: &ignore::DirEntry) -> bool {
    entry.depth() > 0
        && entry.file_type().is_some_and(|t| t.is_dir())
        && SKIPPED_FOLDERS.contains(&entry.file_name().to_string_lossy().as_ref())
}

/// Every file under `roots` worth reading, in a stable order, with the
/// root it was found under.
fn files_under(roots: &[PathBuf], summary: &mut ScanSummary) -> Vec<(PathBuf, usize)> {
    let mut files = Vec::new();
    for (r, root) in roots.iter().enumerate() {
        let walk = ignore::WalkBuilder::new(root)
            .hidden(false) // `.env` files hold settings
            .require_git(false)
            .filter_entry(|e| !is_skipped_folder(e))
            .build();
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                    match e.metadata().map(|m| m.len()) {
                        Ok(len) if len > MAX_FILE_BYTES => summary.large_files += 1,
                        Ok(_) => files.push((e.into_path(), r)),
                        Err(err) => summary.errors.push((e.into_path(), err.to_string())),
                    }
                }
                Ok(_) => {}
                Err(err) => summary.errors.push((root.clone(), err.to_string())),
            }
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

/// The folder the dependency-file lookup stops at: the scanned root, or
/// the folder of a root that is a file.
fn stop_folder(root: &Path) -> &Path {
    if root.is_dir() {
        root
    } else {
        root.parent().unwrap_or(root)
    }
}

enum Read {
    Hits(Vec<ConfigHit>),
    Binary,
    Failed(String),
}

fn read_file(path: &Path, root: &Path, deps: &ProjectDeps) -> Read {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return Read::Failed(e.to_string()),
    };
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Read::Binary;
    }
    let text = String::from_utf8_lossy(&bytes);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new(""));
    // A bug in a detector costs this file (an error naming it), not the scan.
    std::panic::catch_unwind(|| {
        detect_all(&SourceFile {
            path,
            name: &name,
            text: &text,
            versions: Versions::Tree {
                deps,
                dir,
                stop: stop_folder(root),
            },
        })
    })
    .map_or_else(
        |_| {
            Read::Failed(
                "internal error while reading its settings (a bug in sslcensus: please report it)"
                    .into(),
            )
        },
        Read::Hits,
    )
}

/// Finds the connection settings in files and trees.
pub fn scan(roots: &[PathBuf]) -> (Vec<FoundHit>, ScanSummary) {
    let mut summary = ScanSummary::default();
    let files = files_under(roots, &mut summary);
    let deps = ProjectDeps::default();
    let read: Vec<(PathBuf, Read)> = files
        .into_par_iter()
        .map(|(path, root)| {
            let read = read_file(&path, &roots[root], &deps);
            (path, read)
        })
        .collect();
    let mut found = Vec::new();
    let mut stores = TrustStores::default();
    for (file, read) in read {
        match read {
            Read::Hits(hits) => {
                summary.files_read += 1;
                for hit in hits {
                    let trust_store_rds_cas = hit
                        .trust_store
                        .as_deref()
                        .and_then(|named| stores.coverage(named, &file, roots));
                    found.push(FoundHit {
                        file: file.clone(),
                        hit,
                        trust_store_rds_cas,
                    });
                }
            }
            Read::Binary => summary.binary_files += 1,
            Read::Failed(why) => summary.errors.push((file, why)),
        }
    }
    (found, summary)
}

/// Trust stores named by settings, each read once.
#[derive(Default)]
struct TrustStores(HashMap<PathBuf, Option<String>>);

impl TrustStores {
    /// The RDS CA coverage of the store a setting names: an absolute path, or
    /// one relative to the setting's file or to a scanned root.
    fn coverage(&mut self, named: &str, file: &Path, roots: &[PathBuf]) -> Option<String> {
        let named = Path::new(named.trim_start_matches("file:"));
        let candidates = std::iter::once(named.to_path_buf())
            .chain(file.parent().map(|dir| dir.join(named)))
            .chain(roots.iter().map(|root| root.join(named)));
        let path = candidates.into_iter().find(|p| p.is_file())?;
        self.0
            .entry(path.clone())
            .or_insert_with(|| {
                let now = chrono::Utc::now().timestamp();
                truststore::read(&path, None)
                    .ok()
                    .map(|store| coverage_summary(&store, now))
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_vendored_binary_and_large_files_are_passed_over() {
        let large = vec![b'x'; (MAX_FILE_BYTES + 1) as usize];
        let dir = crate::evidence::testing::tree(&[
            (".gitignore", b"secret-local.env\n"),
            ("app/.env", b"PGSSLMODE=verify-full\n"),
            ("app/secret-local.env", b"PGSSLMODE=disable\n"),
            ("node_modules/pg/defaults.js", b"PGSSLMODE=disable\n"),
            ("app/logo.png", b"\x89PNG\r\n\x1a\n\0\0\0"),
            ("app/dump.sql", &large),
        ]);
        let root = dir.path();
        let mut summary = ScanSummary::default();
        let files = files_under(&[root.to_path_buf()], &mut summary);
        let names: Vec<String> = files
            .iter()
            .map(|(f, _)| f.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [".gitignore", "app/.env", "app/logo.png"]);
        assert_eq!(summary.large_files, 1);
        let (_, summary) = scan(&[root.to_path_buf()]);
        assert_eq!((summary.files_read, summary.binary_files), (2, 1));
    }
}
