//! The kinematics core (signals + reps) on a 60 s, 60 fps synthetic track, with noise, gaps and spikes.
//!
//! `cargo bench --bench kinematics`. Compare the time per track with the pose stage on the same number of
//! frames (`make bench-pose` reports genu pose at 120–160 frames/s here, so 3600 frames take 22–30 s): the
//! core should take well under 1 % of that.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use genu::analysis::{analyze_track, AnalysisConfig};
use genu::synthetic::{generate, SynthRep, SynthSpec};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("kinematics");
    group.sample_size(20);
    for seconds in [10usize, 60] {
        let reps = seconds / 3;
        let spec = SynthSpec {
            fps: 60.0,
            reps: vec![SynthRep::plain(30.0); reps],
            noise_px: 0.8,
            time_jitter: 0.2,
            gaps: vec![(2.0, 0.1), (7.0, 0.5)],
            spikes: vec![(1.5, 25, 50.0, 0.0)],
            ..SynthSpec::default()
        };
        let (track, _) = generate(&spec);
        group.throughput(Throughput::Elements(track.frames.len() as u64));
        group.bench_with_input(BenchmarkId::new("analyze_track", format!("{seconds}s@60fps")), &track, |b, t| {
            b.iter(|| analyze_track(t, &AnalysisConfig::default()).expect("analysis"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
