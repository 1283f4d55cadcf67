//! Finding and loading the ONNX Runtime shared library.
//!
//! genu uses `ort` with dynamic loading: the library is not linked at build time but opened when the first
//! model is loaded. [`locate_library`] decides which file to open, in this order:
//!
//! 1. an explicit path (the `--ort-lib` flag of the binary);
//! 2. the environment variable [`ORT_LIB_ENV`];
//! 3. the project's own folder, where `scripts/setup.sh` puts the library ([`PROJECT_ORT_DIR`]);
//! 4. the folder of the running executable, and its `lib/` sub-folder (for an installed copy).
//!
//! An explicit path or environment variable that points at nothing is an error: falling back silently would
//! hide the user's mistake.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use thiserror::Error;

/// Version of ONNX Runtime that genu is built and tested against (`ort` 2.0.0-rc.15 targets API 31).
pub const ORT_VERSION: &str = "1.31.1";
/// File name of the ONNX Runtime shared library.
pub const ORT_LIB_NAME: &str = "libonnxruntime.so.1.31.1";
/// Environment variable naming the ONNX Runtime shared library to use.
pub const ORT_LIB_ENV: &str = "GENU_ORT_LIB";
/// Folder (relative to the project root) where `scripts/setup.sh` installs the library.
pub const PROJECT_ORT_DIR: &str = ".runtime/onnxruntime-1.31.1";

/// Errors finding or opening the ONNX Runtime library.
#[derive(Debug, Error)]
pub enum RuntimeError {
    /// The library was not found in any of the places searched.
    #[error(
        "ONNX Runtime library {ORT_LIB_NAME} not found (looked in: {}); run `make setup` in the genu \
         folder, or pass --ort-lib PATH / set {ORT_LIB_ENV}",
        searched.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NotFound {
        /// Every path that was tried.
        searched: Vec<PathBuf>,
    },
    /// A path given explicitly (flag or environment variable) does not exist.
    #[error("ONNX Runtime library '{path}' (from {origin}) does not exist")]
    Missing {
        /// The path given.
        path: PathBuf,
        /// Where the path came from.
        origin: &'static str,
    },
    /// The file exists but could not be loaded as ONNX Runtime.
    #[error("cannot load ONNX Runtime from '{path}': {message}")]
    Load {
        /// The library file.
        path: PathBuf,
        /// What the loader said.
        message: String,
    },
    /// ONNX Runtime refused to create its environment.
    #[error("ONNX Runtime environment: {0}")]
    Environment(#[from] ort::Error),
}

/// Where the library was found and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryLocation {
    /// The library file.
    pub path: PathBuf,
    /// How it was chosen: `--ort-lib`, the environment variable, the project folder or the executable's folder.
    pub origin: &'static str,
}

/// The folders searched when neither a flag nor the environment names the library, in order: the project's
/// own runtime folder (the project root as seen at build time), then the running executable's folder and its
/// `lib/` sub-folder.
pub fn default_search_dirs() -> Vec<(PathBuf, &'static str)> {
    let mut dirs = vec![(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(PROJECT_ORT_DIR), "project folder")];
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)) {
        dirs.push((exe_dir.join("lib"), "executable folder"));
        dirs.push((exe_dir, "executable folder"));
    }
    dirs
}

/// Decide which ONNX Runtime library to load (see the module documentation for the order).
///
/// `explicit` is the `--ort-lib` flag; `env_value` is the value of [`ORT_LIB_ENV`]; `dirs` are the folders
/// to search for [`ORT_LIB_NAME`] otherwise (normally [`default_search_dirs`]). All are passed in so that the
/// search is testable without touching the process environment.
pub fn locate_library(
    explicit: Option<&Path>,
    env_value: Option<&Path>,
    dirs: &[(PathBuf, &'static str)],
) -> Result<LibraryLocation, RuntimeError> {
    for (given, origin) in [(explicit, "--ort-lib"), (env_value, ORT_LIB_ENV)] {
        if let Some(path) = given {
            if path.is_file() {
                return Ok(LibraryLocation { path: path.to_path_buf(), origin });
            }
            return Err(RuntimeError::Missing { path: path.to_path_buf(), origin });
        }
    }
    let candidates: Vec<(PathBuf, &'static str)> =
        dirs.iter().map(|(dir, origin)| (dir.join(ORT_LIB_NAME), *origin)).collect();
    for (path, origin) in &candidates {
        if path.is_file() {
            return Ok(LibraryLocation { path: path.clone(), origin });
        }
    }
    Err(RuntimeError::NotFound { searched: candidates.into_iter().map(|(p, _)| p).collect() })
}

/// The loaded ONNX Runtime: the library it came from and the environment sessions are built in.
pub struct Runtime {
    /// Where the library was loaded from.
    pub location: LibraryLocation,
    /// ONNX Runtime's build description (version, commit).
    pub build_info: String,
    env: ort::environment::Environment,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime").field("location", &self.location).field("build_info", &self.build_info).finish()
    }
}

/// ONNX Runtime can be loaded once per process; remember which file it was.
static LOADED_FROM: OnceLock<PathBuf> = OnceLock::new();

impl Runtime {
    /// Open the library at `location` and create the ONNX Runtime environment.
    pub fn load(location: LibraryLocation) -> Result<Self, RuntimeError> {
        if let Some(previous) = LOADED_FROM.get() {
            if previous != &location.path {
                return Err(RuntimeError::Load {
                    path: location.path,
                    message: format!("ONNX Runtime is already loaded from '{}' in this process", previous.display()),
                });
            }
        }
        let builder = ort::init_from(&location.path)
            .map_err(|e| RuntimeError::Load { path: location.path.clone(), message: e.to_string() })?;
        let _ = LOADED_FROM.set(location.path.clone());
        let env = builder.with_name("genu").build()?;
        let build_info = ort::info().to_string();
        Ok(Self { location, build_info, env })
    }

    /// Locate (see [`locate_library`]) and load the library in one step, reading [`ORT_LIB_ENV`].
    pub fn discover(explicit: Option<&Path>) -> Result<Self, RuntimeError> {
        let env_value = std::env::var_os(ORT_LIB_ENV).filter(|v| !v.is_empty()).map(PathBuf::from);
        let location = locate_library(explicit, env_value.as_deref(), &default_search_dirs())?;
        Self::load(location)
    }

    /// The environment new sessions are created in.
    pub fn environment(&self) -> &ort::environment::Environment {
        &self.env
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_path_wins_and_must_exist() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = dir.path().join("libfake.so");
        std::fs::write(&lib, b"x").expect("write");
        let found = locate_library(Some(&lib), None, &[]).expect("found");
        assert_eq!(found.origin, "--ort-lib");
        assert_eq!(found.path, lib);

        let missing = dir.path().join("nope.so");
        let err = locate_library(Some(&missing), Some(&lib), &[]).expect_err("missing must fail");
        assert!(matches!(err, RuntimeError::Missing { origin: "--ort-lib", .. }), "{err}");
    }

    #[test]
    fn env_value_is_used_when_no_flag() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lib = dir.path().join("libfake.so");
        std::fs::write(&lib, b"x").expect("write");
        let found = locate_library(None, Some(&lib), &[]).expect("found");
        assert_eq!(found.origin, ORT_LIB_ENV);
    }

    #[test]
    fn folders_are_searched_in_order() {
        let first = tempfile::tempdir().expect("tempdir");
        let second = tempfile::tempdir().expect("tempdir");
        let lib = second.path().join(ORT_LIB_NAME);
        std::fs::write(&lib, b"x").expect("write");
        let dirs =
            vec![(first.path().to_path_buf(), "project folder"), (second.path().to_path_buf(), "executable folder")];
        let found = locate_library(None, None, &dirs).expect("found");
        assert_eq!(found, LibraryLocation { path: lib.clone(), origin: "executable folder" });

        std::fs::write(first.path().join(ORT_LIB_NAME), b"x").expect("write");
        let found = locate_library(None, None, &dirs).expect("found");
        assert_eq!(found.origin, "project folder");
    }

    #[test]
    fn not_found_lists_where_it_looked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dirs = vec![(dir.path().to_path_buf(), "project folder")];
        let text = locate_library(None, None, &dirs).expect_err("nothing there").to_string();
        assert!(text.contains(&dir.path().join(ORT_LIB_NAME).display().to_string()), "{text}");
        assert!(text.contains("make setup"), "{text}");
    }
}
