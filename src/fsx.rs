//! File-system helpers every stage shares: atomic writes, and temporaries genu owns and can recognise.
//!
//! In: a path and bytes. Out: the file, complete or not at all. Temporaries are created in the target's own
//! folder (so the final rename stays on one file system) with a name starting with [`TEMP_PREFIX`]. genu
//! only ever removes files carrying that prefix ([`remove_own_temporaries`]): a user's `notes.partial` or
//! `.tmp_thesis` in an output folder is never touched.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Prefix of every temporary file genu creates. Nothing else in an output folder is ever deleted by genu.
pub const TEMP_PREFIX: &str = ".genu-tmp-";

/// Whether a file name is one of genu's own temporaries.
pub fn is_own_temporary(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(TEMP_PREFIX.as_bytes())
}

/// The folder a file will be written in (`.` for a bare file name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A named temporary file beside `path`, with genu's prefix, removed when dropped unless persisted.
pub fn temp_beside(path: &Path, suffix: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(suffix).tempfile_in(parent_dir(path))
}

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so that readers never
/// see a half-written file. On any error the temporary is removed and `path` is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = temp_beside(path, "")?;
    // Temporary files are private (0600); results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Remove genu's own temporaries left in `dir` by a run that was killed; returns how many were removed.
/// Files without [`TEMP_PREFIX`] are never touched.
pub fn remove_own_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .filter(|e| is_own_temporary(&e.file_name()) && e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// What kind of file system object a path is, for inputs that must be regular files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A regular file (or a symlink to one).
    Regular,
    /// A folder.
    Folder,
    /// A named pipe, socket, terminal or device: reading it could block forever or never end.
    Special(&'static str),
}

/// Classify `path` (following symlinks) without opening it, so a FIFO is never read.
pub fn input_kind(path: &Path) -> std::io::Result<InputKind> {
    let meta = std::fs::metadata(path)?;
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(InputKind::Regular);
    }
    if ft.is_dir() {
        return Ok(InputKind::Folder);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Ok(InputKind::Special("a pipe (FIFO)"));
        }
        if ft.is_socket() {
            return Ok(InputKind::Special("a socket"));
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Ok(InputKind::Special("a device"));
        }
    }
    Ok(InputKind::Special("not a regular file"))
}

/// The error for an input that is not a regular file, in words a user can act on.
pub fn not_regular(kind: InputKind) -> std::io::Error {
    let what = match kind {
        InputKind::Regular => "a regular file",
        InputKind::Folder => "a folder",
        InputKind::Special(s) => s,
    };
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("is {what}, not a regular file: save it to a file first"),
    )
}

/// Check that `path` is a regular file (following symlinks), without opening it.
pub fn require_regular(path: &Path) -> std::io::Result<()> {
    match input_kind(path)? {
        InputKind::Regular => Ok(()),
        other => Err(not_regular(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_only_the_result() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").expect("write");
        write_atomic(&p, b"two").expect("rewrite");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).expect("ls").flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")]);
    }

    #[test]
    fn only_own_temporaries_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in ["thesis.docx.partial", ".tmp_notes", ".tmpABC", "keep.mp4", ".genu-tmp-x", ".genu-tmp-y.mkv"] {
            std::fs::write(dir.path().join(name), b"x").expect("write");
        }
        assert_eq!(remove_own_temporaries(dir.path()), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".tmpABC", ".tmp_notes", "keep.mp4", "thesis.docx.partial"]);
    }

    #[test]
    fn fifo_is_classified_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo").arg(&p).status().expect("mkfifo");
        assert!(status.success());
        assert_eq!(input_kind(&p).expect("kind"), InputKind::Special("a pipe (FIFO)"));
        assert!(require_regular(&p).is_err());
        assert_eq!(input_kind(dir.path()).expect("kind"), InputKind::Folder);
    }
}
