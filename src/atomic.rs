//! Output files written whole or not at all: the bytes go to a temporary
//! file beside the target, renamed onto it once complete, so a crash or a
//! kill mid-run never leaves a half report where the last good one was.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written; [`AtomicFile::commit`] puts it in place.
pub enum AtomicFile {
    /// A temporary file in the target's folder (`.NAME.XXXX.partial`).
    Staged { temp: NamedTempFile, path: PathBuf },
    /// Not a regular file (`/dev/stdout`, a named pipe): written directly,
    /// as there is nothing to rename onto.
    Direct(File),
}

impl AtomicFile {
    /// Stages `path`: fails now, before any work, if its folder cannot take a
    /// new file.
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        if path.metadata().is_ok_and(|m| !m.is_file()) {
            return File::create(path).map(AtomicFile::Direct);
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .permissions(default_permissions())
            .tempfile_in(dir)?;
        Ok(AtomicFile::Staged {
            temp,
            path: path.to_path_buf(),
        })
    }

    /// Writes the file through a buffer with `write`, then commits it: the
    /// one way every `-o` file is written.
    pub fn fill(
        self,
        write: impl FnOnce(&mut io::BufWriter<AtomicFile>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut out = io::BufWriter::new(self);
        write(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.commit()?;
        Ok(())
    }

    /// Flushes the file to disk and renames it onto its path.
    pub fn commit(self) -> io::Result<()> {
        match self {
            AtomicFile::Staged { temp, path } => {
                temp.as_file().sync_all()?;
                temp.persist(&path).map(|_| ()).map_err(|e| e.error)
            }
            AtomicFile::Direct(mut file) => file.flush(),
        }
    }
}

/// What `File::create` gives (0666 less the umask), not a temporary file's
/// private 0600: a report is shared like any file the user writes.
#[cfg(unix)]
fn default_permissions() -> std::fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    std::fs::Permissions::from_mode(0o666)
}

#[cfg(not(unix))]
fn default_permissions() -> std::fs::Permissions {
    File::open(".")
        .and_then(|f| f.metadata())
        .map(|m| m.permissions())
        .expect("the current folder has permissions")
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            AtomicFile::Staged { temp, .. } => temp.write(buf),
            AtomicFile::Direct(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            AtomicFile::Staged { temp, .. } => temp.flush(),
            AtomicFile::Direct(file) => file.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_changes_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        std::fs::write(&path, "the last good report\n").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"half a new one").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "the last good report\n"
        );
        drop(file);
        // Dropped without a commit: the old file stays, no temporary is left.
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "the last good report\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"a whole new one\n").unwrap();
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a whole new one\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_report_is_readable_like_any_file_the_user_writes() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join("a.csv");
        let mut file = AtomicFile::create(&staged).unwrap();
        file.write_all(b"x").unwrap();
        file.commit().unwrap();
        let plain = dir.path().join("b.csv");
        File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&staged), mode(&plain));
    }

    #[test]
    fn a_folder_that_cannot_take_the_file_fails_at_once() {
        let missing = Path::new("/nonexistent-sslcensus-folder/report.csv");
        assert!(AtomicFile::create(missing).is_err());
    }
}
