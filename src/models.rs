//! The BlazePose models: where they are, what they must look like, and loading them into ONNX Runtime.
//!
//! Three ONNX files are committed under `models/` (converted from MediaPipe's TFLite files by
//! `tools/convert_models.py`): the person detector and the lite and full landmark models. The heavy landmark
//! model is produced on demand by the same tool. Every model is checked against its [`Contract`] (input and
//! output names, element type and shapes) when it is loaded, so a wrong or corrupt file fails with a typed
//! [`ModelError`] before any frame is processed.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ort::session::Session;
use ort::value::{TensorElementType, ValueType};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::runtime::Runtime;

/// Environment variable naming the folder that holds the model files.
pub const MODELS_ENV: &str = "GENU_MODELS";
/// File name of the person detector.
pub const DETECTOR_FILE: &str = "pose_detection.onnx";
/// File listing the SHA-256 of each committed model, in `sha256sum` format.
pub const CHECKSUMS_FILE: &str = "SHA256SUMS";

/// The landmark model variant: a speed/accuracy trade-off, same inputs and outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LandmarkVariant {
    /// Fastest, least accurate (~4.8 ms a frame on 2 cores).
    Lite,
    /// The default: MediaPipe's own default model (~6.3 ms a frame).
    #[default]
    Full,
    /// Most accurate, ~4x slower than full; not committed, made by `make models-heavy`.
    Heavy,
}

impl LandmarkVariant {
    /// All variants, fastest first.
    pub const ALL: [LandmarkVariant; 3] = [Self::Lite, Self::Full, Self::Heavy];

    /// The ONNX file name of this variant.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Lite => "pose_landmark_lite.onnx",
            Self::Full => "pose_landmark_full.onnx",
            Self::Heavy => "pose_landmark_heavy.onnx",
        }
    }

    /// Whether the file is committed with the project (heavy is made on demand).
    pub fn is_committed(self) -> bool {
        !matches!(self, Self::Heavy)
    }
}

impl fmt::Display for LandmarkVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Lite => "lite",
            Self::Full => "full",
            Self::Heavy => "heavy",
        })
    }
}

impl FromStr for LandmarkVariant {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lite" => Ok(Self::Lite),
            "full" => Ok(Self::Full),
            "heavy" => Ok(Self::Heavy),
            other => Err(format!("unknown landmark model '{other}' (choose lite, full or heavy)")),
        }
    }
}

/// Which network a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// The BlazePose person detector (224x224 input, 2254 anchors).
    Detector,
    /// A BlazePose landmark model (256x256 input, 39 landmarks).
    Landmark(LandmarkVariant),
}

impl ModelKind {
    /// The file name of this model inside the models folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Detector => DETECTOR_FILE,
            Self::Landmark(v) => v.file_name(),
        }
    }

    /// The input/output contract this model must satisfy.
    pub fn contract(self) -> &'static Contract {
        match self {
            Self::Detector => &DETECTOR_CONTRACT,
            Self::Landmark(_) => &LANDMARK_CONTRACT,
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Detector => f.write_str("detector"),
            Self::Landmark(v) => write!(f, "landmark-{v}"),
        }
    }
}

/// One named float32 tensor with a fixed shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TensorSpec {
    /// Tensor name in the graph.
    pub name: &'static str,
    /// Expected shape; every dimension is fixed.
    pub shape: &'static [i64],
}

/// The inputs and outputs a model must have, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contract {
    /// Graph inputs.
    pub inputs: &'static [TensorSpec],
    /// Graph outputs.
    pub outputs: &'static [TensorSpec],
}

/// Number of SSD anchors of the detector (28²·2 + 14²·2 + 7²·6).
pub const DETECTOR_ANCHORS: i64 = 2254;
/// Side of the detector's square input, in pixels.
pub const DETECTOR_INPUT_SIZE: i64 = 224;
/// Side of the landmark model's square input crop, in pixels.
pub const LANDMARK_INPUT_SIZE: i64 = 256;
/// Landmarks the landmark model predicts: 33 body points, 2 alignment points, 4 undocumented.
pub const LANDMARK_COUNT: i64 = 39;

/// The detector: `input_1` RGB in [-1, 1]; `Identity` box + 4 keypoints per anchor; `Identity_1` score logits.
pub const DETECTOR_CONTRACT: Contract = Contract {
    inputs: &[TensorSpec { name: "input_1", shape: &[1, DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE, 3] }],
    outputs: &[
        TensorSpec { name: "Identity", shape: &[1, DETECTOR_ANCHORS, 12] },
        TensorSpec { name: "Identity_1", shape: &[1, DETECTOR_ANCHORS, 1] },
    ],
};

/// A landmark model: `input_1` RGB in [0, 1]; `Identity` 39 x (x, y, z, visibility, presence) in crop pixels;
/// `Identity_1` pose flag; `Identity_3` heatmap logits; `Identity_4` world landmarks (metres). MediaPipe's
/// segmentation output (`Identity_2`) is removed at conversion, with the half of the network only it needs.
pub const LANDMARK_CONTRACT: Contract = Contract {
    inputs: &[TensorSpec { name: "input_1", shape: &[1, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE, 3] }],
    outputs: &[
        TensorSpec { name: "Identity", shape: &[1, LANDMARK_COUNT * 5] },
        TensorSpec { name: "Identity_1", shape: &[1, 1] },
        TensorSpec { name: "Identity_3", shape: &[1, 64, 64, LANDMARK_COUNT] },
        TensorSpec { name: "Identity_4", shape: &[1, LANDMARK_COUNT * 3] },
    ],
};

/// What a model file actually declares for one tensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// Tensor name.
    pub name: String,
    /// Element type, as ONNX Runtime names it (e.g. `f32`), or the kind of value when it is not a tensor.
    pub element: String,
    /// Shape; `-1` marks a dynamic dimension.
    pub shape: Vec<i64>,
}

impl fmt::Display for TensorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}{:?}", self.name, self.element, self.shape)
    }
}

/// Errors finding, reading or loading a model.
#[derive(Debug, Error)]
pub enum ModelError {
    /// The model file does not exist.
    #[error("model file '{path}' not found{hint}")]
    NotFound {
        /// The path looked for.
        path: PathBuf,
        /// How to get the file.
        hint: String,
    },
    /// The file could not be read.
    #[error("cannot read model file '{path}': {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// ONNX Runtime could not load the file as a model.
    #[error("cannot load model '{path}': {source}")]
    Load {
        /// The file.
        path: PathBuf,
        /// ONNX Runtime's error.
        source: ort::Error,
    },
    /// The model loaded but its inputs or outputs are not what genu needs.
    #[error("model '{path}' does not match the {kind} contract: {detail}")]
    Contract {
        /// The file.
        path: PathBuf,
        /// The kind of model it was loaded as.
        kind: ModelKind,
        /// The first mismatch found.
        detail: String,
    },
}

/// Describe a value type the way [`TensorInfo`] records it.
fn describe(ty: &ValueType) -> (String, Vec<i64>) {
    match ty {
        ValueType::Tensor { ty, shape, .. } => (format!("{ty}"), shape.to_vec()),
        other => (format!("{other}"), Vec::new()),
    }
}

/// Compare what a model declares with a contract; the first mismatch is returned as text.
pub fn check_contract(contract: &Contract, inputs: &[TensorInfo], outputs: &[TensorInfo]) -> Result<(), String> {
    let f32_name = format!("{}", TensorElementType::Float32);
    for (role, want, got) in [("input", contract.inputs, inputs), ("output", contract.outputs, outputs)] {
        if want.len() != got.len() {
            let names: Vec<&str> = got.iter().map(|t| t.name.as_str()).collect();
            return Err(format!("expected {} {role}s, found {} ({})", want.len(), got.len(), names.join(", ")));
        }
        for (w, g) in want.iter().zip(got) {
            if w.name != g.name {
                return Err(format!("{role} '{}' found where '{}' was expected", g.name, w.name));
            }
            if g.element != f32_name {
                return Err(format!("{role} '{}' has element type {}, expected {f32_name}", g.name, g.element));
            }
            if g.shape != w.shape {
                return Err(format!("{role} '{}' has shape {:?}, expected {:?}", g.name, g.shape, w.shape));
            }
        }
    }
    Ok(())
}

/// SHA-256 of a file, as lowercase hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// A model loaded into ONNX Runtime whose contract has been checked.
#[derive(Debug)]
pub struct LoadedModel {
    /// What the model is.
    pub kind: ModelKind,
    /// The file it was loaded from.
    pub path: PathBuf,
    /// SHA-256 of the file, for provenance.
    pub sha256: String,
    /// Declared inputs.
    pub inputs: Vec<TensorInfo>,
    /// Declared outputs.
    pub outputs: Vec<TensorInfo>,
    /// The ONNX Runtime session.
    pub session: Session,
}

/// Load `path` as a model of `kind`, using `threads` intra-op threads, and check its contract.
pub fn load_model(runtime: &Runtime, kind: ModelKind, path: &Path, threads: usize) -> Result<LoadedModel, ModelError> {
    if !path.is_file() {
        return Err(ModelError::NotFound { path: path.to_path_buf(), hint: String::new() });
    }
    let sha256 = sha256_file(path).map_err(|source| ModelError::Read { path: path.to_path_buf(), source })?;
    let load_err = |source: ort::Error| ModelError::Load { path: path.to_path_buf(), source };
    let session = Session::builder(runtime.environment())
        .map_err(load_err)?
        .with_intra_threads(threads.max(1))
        .map_err(|e| load_err(e.into()))?
        // Spinning threads would take the core the decoding thread needs.
        .with_intra_op_spinning(false)
        .map_err(|e| load_err(e.into()))?
        .commit_from_file(path)
        .map_err(load_err)?;
    let info = |outlets: &[ort::value::Outlet]| -> Vec<TensorInfo> {
        outlets
            .iter()
            .map(|o| {
                let (element, shape) = describe(o.dtype());
                TensorInfo { name: o.name().to_string(), element, shape }
            })
            .collect()
    };
    let inputs = info(session.inputs());
    let outputs = info(session.outputs());
    check_contract(kind.contract(), &inputs, &outputs).map_err(|detail| ModelError::Contract {
        path: path.to_path_buf(),
        kind,
        detail,
    })?;
    Ok(LoadedModel { kind, path: path.to_path_buf(), sha256, inputs, outputs, session })
}

/// Where the model files are and how that folder was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDir {
    /// The folder.
    pub path: PathBuf,
    /// `--models`, the environment variable, the project folder or the executable's folder.
    pub origin: &'static str,
}

impl ModelDir {
    /// Choose the models folder: an explicit folder, then [`MODELS_ENV`], then the project's `models/`
    /// (as seen at build time), then `models/` next to the executable. The first that exists is used; an
    /// explicit folder is used as given, so that a wrong one is reported rather than skipped.
    pub fn locate(explicit: Option<&Path>) -> Self {
        if let Some(p) = explicit {
            return Self { path: p.to_path_buf(), origin: "--models" };
        }
        if let Some(p) = std::env::var_os(MODELS_ENV).filter(|v| !v.is_empty()) {
            return Self { path: PathBuf::from(p), origin: MODELS_ENV };
        }
        let project = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
        if project.is_dir() {
            return Self { path: project, origin: "project folder" };
        }
        if let Some(dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("models"))) {
            if dir.is_dir() {
                return Self { path: dir, origin: "executable folder" };
            }
        }
        Self { path: project, origin: "project folder" }
    }

    /// Path of a model's file in this folder.
    pub fn file(&self, kind: ModelKind) -> PathBuf {
        self.path.join(kind.file_name())
    }

    /// Load a model from this folder; a missing file's error says how to get it.
    pub fn load(&self, runtime: &Runtime, kind: ModelKind, threads: usize) -> Result<LoadedModel, ModelError> {
        let path = self.file(kind);
        if !path.is_file() {
            let hint = match kind {
                ModelKind::Landmark(LandmarkVariant::Heavy) => {
                    " (the heavy model is not shipped: make it with `make models-heavy`)".to_string()
                }
                _ => format!(" (models folder from {}; pass --models DIR or set {MODELS_ENV})", self.origin),
            };
            return Err(ModelError::NotFound { path, hint });
        }
        load_model(runtime, kind, &path, threads)
    }

    /// The checksums listed in this folder's `SHA256SUMS`, as (file name, hex digest) pairs.
    pub fn listed_checksums(&self) -> Vec<(String, String)> {
        let Ok(text) = std::fs::read_to_string(self.path.join(CHECKSUMS_FILE)) else {
            return Vec::new();
        };
        text.lines()
            .filter_map(|line| {
                let (hash, name) = line.split_once(char::is_whitespace)?;
                Some((name.trim().trim_start_matches('*').to_string(), hash.to_string()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_info(specs: &[TensorSpec]) -> Vec<TensorInfo> {
        specs
            .iter()
            .map(|s| TensorInfo { name: s.name.into(), element: "f32".into(), shape: s.shape.to_vec() })
            .collect()
    }

    #[test]
    fn contract_accepts_exact_match() {
        let c = &LANDMARK_CONTRACT;
        assert_eq!(check_contract(c, &spec_info(c.inputs), &spec_info(c.outputs)), Ok(()));
    }

    #[test]
    fn contract_rejects_wrong_shape_name_type_and_count() {
        let c = &LANDMARK_CONTRACT;
        let mut inputs = spec_info(DETECTOR_CONTRACT.inputs);
        let err = check_contract(c, &inputs, &spec_info(c.outputs)).expect_err("wrong shape");
        assert!(err.contains("[1, 224, 224, 3]") && err.contains("[1, 256, 256, 3]"), "{err}");

        inputs = spec_info(c.inputs);
        inputs[0].name = "image".into();
        let err = check_contract(c, &inputs, &spec_info(c.outputs)).expect_err("wrong name");
        assert!(err.contains("'image'"), "{err}");

        inputs = spec_info(c.inputs);
        inputs[0].element = "u8".into();
        let err = check_contract(c, &inputs, &spec_info(c.outputs)).expect_err("wrong type");
        assert!(err.contains("u8"), "{err}");

        let err = check_contract(c, &spec_info(c.inputs), &spec_info(DETECTOR_CONTRACT.outputs)).expect_err("count");
        assert!(err.contains("expected 4 outputs, found 2"), "{err}");
    }

    #[test]
    fn variant_names_round_trip() {
        for v in LandmarkVariant::ALL {
            assert_eq!(v.to_string().parse::<LandmarkVariant>(), Ok(v));
        }
        assert!("medium".parse::<LandmarkVariant>().is_err());
    }

    #[test]
    fn sha256_of_known_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("abc");
        std::fs::write(&p, b"abc").expect("write");
        assert_eq!(sha256_file(&p).expect("hash"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
