//! The one path guard: every file sloxide reads or writes goes through here.
//!
//! In CI a pull-request author controls every file and directory name under the spec
//! paths and the output directory, symlinks included. The guard never follows a symlink
//! (neither in a path as written nor inside a tree it walks), reads only regular files
//! and never more than a cap, and opens nothing that could block (FIFOs, devices).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// What a path is, looked at without following symlinks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Nothing there.
    Missing,
    /// A regular file of this many bytes.
    File(u64),
    /// A directory.
    Dir,
    /// A symbolic link (never followed).
    Symlink,
    /// A FIFO, socket or device.
    Special,
}

/// Why the guard refused a path.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    /// A component of the path is a symlink.
    #[error("{0} is a symbolic link; sloxide never follows symlinks")]
    Symlink(String),
    /// Not a regular file (directory, FIFO, socket, device).
    #[error("{0} is not a regular file")]
    NotRegular(String),
    /// A component that must be a directory is not one.
    #[error("{0} is not a directory")]
    NotDirectory(String),
    /// Larger than the cap.
    #[error("{path} is larger than {limit} bytes")]
    TooLarge {
        /// The path.
        path: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// An I/O error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}

/// A path for messages, with `/` separators.
pub fn display(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> GuardError + '_ {
    move |source| GuardError::Io {
        path: display(path),
        source,
    }
}

/// What `path` is, without following a final symlink.
pub fn kind(path: &Path) -> Result<Kind, GuardError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) => {
            let t = m.file_type();
            Ok(if t.is_symlink() {
                Kind::Symlink
            } else if t.is_dir() {
                Kind::Dir
            } else if t.is_file() {
                Kind::File(m.len())
            } else {
                Kind::Special
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Kind::Missing),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Checks every component of `path` as written: none may be a symlink, and every
/// existing component before the last must be a directory. Returns the kind of the last.
/// `..` components are refused as well, so the path names what it spells.
pub fn check_path(path: &Path) -> Result<Kind, GuardError> {
    let mut prefix = PathBuf::new();
    let mut last = Kind::Dir;
    for component in path.components() {
        match component {
            Component::ParentDir => {
                return Err(GuardError::NotDirectory(format!(
                    "{} (`..` in a path)",
                    display(path)
                )));
            }
            Component::CurDir => continue,
            Component::RootDir | Component::Prefix(_) => {
                prefix.push(component);
                continue;
            }
            Component::Normal(_) => {}
        }
        if last == Kind::Missing {
            prefix.push(component);
            continue;
        }
        if last != Kind::Dir {
            return Err(GuardError::NotDirectory(display(&prefix)));
        }
        prefix.push(component);
        last = kind(&prefix)?;
        if last == Kind::Symlink {
            return Err(GuardError::Symlink(display(&prefix)));
        }
    }
    Ok(last)
}

/// Checks `rel` (a safe relative path, see [`is_safe_relative`]) below the real directory
/// `root`, which the caller has checked.
pub fn check_below(root: &Path, rel: &str) -> Result<Kind, GuardError> {
    let mut path = root.to_path_buf();
    let mut last = Kind::Dir;
    for part in rel.split('/') {
        match last {
            Kind::Missing => return Ok(Kind::Missing),
            Kind::Dir => {}
            _ => return Err(GuardError::NotDirectory(display(&path))),
        }
        path.push(part);
        last = kind(&path)?;
        if last == Kind::Symlink {
            return Err(GuardError::Symlink(display(&path)));
        }
    }
    Ok(last)
}

/// Whether `path` is a relative path of plain `/`-separated names, so joining it to a
/// directory stays inside that directory.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Opens `path` for reading without following a final symlink and without blocking on a
/// FIFO; refuses anything but a regular file.
fn open_regular(path: &Path) -> Result<(File, u64), GuardError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    #[cfg(not(unix))]
    if kind(path)? == Kind::Symlink {
        return Err(GuardError::Symlink(display(path)));
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return GuardError::Symlink(display(path));
        }
        io_err(path)(e)
    })?;
    let meta = file.metadata().map_err(io_err(path))?;
    if !meta.is_file() {
        return Err(GuardError::NotRegular(display(path)));
    }
    Ok((file, meta.len()))
}

/// Reads a regular file of at most `limit` bytes (see [`open_regular`]); a larger file is
/// refused before anything is read, and reading stops at the cap if the file grows.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, GuardError> {
    let (file, len) = open_regular(path)?;
    let too_large = || GuardError::TooLarge {
        path: display(path),
        limit,
    };
    if len > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_relative_paths_are_plain_names() {
        assert!(is_safe_relative("prometheus/a.rules.yml"));
        assert!(is_safe_relative("a"));
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "",
            "./a",
            "a//b",
            "a/",
            "a\\b",
        ] {
            assert!(!is_safe_relative(bad), "{bad} accepted");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_refused_anywhere_in_a_path() {
        let root = tempfile::tempdir().unwrap();
        let real = root.path().join("real");
        std::fs::create_dir(&real).unwrap();
        std::fs::write(real.join("f.yaml"), "x").unwrap();
        std::os::unix::fs::symlink(&real, root.path().join("link")).unwrap();
        std::os::unix::fs::symlink(real.join("f.yaml"), root.path().join("f.yaml")).unwrap();
        assert_eq!(check_path(&real.join("f.yaml")).unwrap(), Kind::File(1));
        for bad in [root.path().join("link/f.yaml"), root.path().join("f.yaml")] {
            assert!(matches!(check_path(&bad), Err(GuardError::Symlink(_))));
        }
        assert!(matches!(
            read_capped(&root.path().join("f.yaml"), 10),
            Err(GuardError::Symlink(_))
        ));
        assert!(matches!(
            check_below(root.path(), "link/f.yaml"),
            Err(GuardError::Symlink(_))
        ));
        assert_eq!(
            check_below(root.path(), "real/f.yaml").unwrap(),
            Kind::File(1)
        );
        assert_eq!(
            check_below(root.path(), "nope/f.yaml").unwrap(),
            Kind::Missing
        );
    }

    #[cfg(unix)]
    #[test]
    fn special_and_large_files_are_not_read() {
        let root = tempfile::tempdir().unwrap();
        let big = root.path().join("big");
        std::fs::write(&big, vec![b'a'; 100]).unwrap();
        assert!(matches!(
            read_capped(&big, 99),
            Err(GuardError::TooLarge { limit: 99, .. })
        ));
        assert_eq!(read_capped(&big, 100).unwrap().len(), 100);
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 10),
            Err(GuardError::NotRegular(_))
        ));
        let fifo = root.path().join("fifo.yaml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert_eq!(kind(&fifo).unwrap(), Kind::Special);
        assert!(matches!(
            read_capped(&fifo, 10),
            Err(GuardError::NotRegular(_))
        ));
    }
}
