//! genu: knee tracking from squat, single-leg squat, step-down and stair videos.
//!
//! The pipeline is a chain of stages joined by plain owned data:
//!
//! ```text
//! video file ──video──▶ frames ──pose──▶ PoseTrack ──kinematics──▶ signals ──reps──▶ per-rep metrics ──report──▶ files
//! ```
//!
//! This library holds every stage; the `genu` binary only parses the command line and maps errors to exit
//! codes. ONNX Runtime is loaded at run time from a shared library found by [`runtime::locate_library`],
//! and the BlazePose models are checked against their input/output contract when they are loaded
//! ([`models`]).

#![deny(missing_docs)]

pub mod analysis;
pub mod batch;
pub mod fsx;
pub mod job;
pub mod kinematics;
pub mod models;
pub mod pose;
pub mod progress;
pub mod report;
pub mod reps;
pub mod runtime;
pub mod synthetic;
pub mod video;

/// Version of this crate, recorded in every output's provenance.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
