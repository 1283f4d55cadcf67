//! Offline signal cleaning: uniform resampling, gap filling, outlier rejection and zero-phase low-pass.
//!
//! In: samples of one coordinate with their times, `NaN` where the subject was not seen. Out: the same signal
//! on a uniform time grid, short gaps filled (and flagged), long gaps left as `NaN` (never invented),
//! outliers replaced by the local median (Hampel), and a 4th-order Butterworth low-pass applied forward and
//! backward (no phase lag) to each stretch between long gaps.
//!
//! The filter design and the forward-backward pass are `sci-rs`'s ports of SciPy's `butter(..., output="sos")`
//! and `sosfiltfilt` (odd padding), checked against SciPy's numbers in the tests.

use sci_rs::signal::filter::design::{butter_dyn, DigitalFilter, FilterBandType, FilterOutputType, Sos};
use sci_rs::signal::filter::sosfiltfilt_dyn;

/// Default low-pass cut-off (Hz): squats and step-downs have almost no energy above it (Winter's residual
/// analysis of gait gives 4–6 Hz), while landmark jitter does.
pub const DEFAULT_CUTOFF_HZ: f64 = 6.0;
/// Smallest cut-off, as a fraction of the Nyquist frequency, a low-pass is designed for (see [`LowPass::new`]).
pub const MIN_NORMALISED_CUTOFF: f64 = 1e-4;
/// Butterworth order (applied twice, forward and backward, so the effective order is 8 and the phase is zero).
pub const FILTER_ORDER: usize = 4;
/// Gaps up to this long are filled by linear interpolation; longer ones stay empty.
pub const DEFAULT_MAX_FILL_S: f64 = 0.2;
/// Hampel window half-width in seconds (at least [`HAMPEL_MIN_HALF`] samples).
pub const HAMPEL_HALF_WINDOW_S: f64 = 0.1;
/// Hampel window half-width floor, in samples.
pub const HAMPEL_MIN_HALF: usize = 3;
/// A sample further than this many scaled MADs from its window's median is an outlier.
pub const HAMPEL_SIGMAS: f64 = 3.0;
/// MAD to standard deviation for normally distributed data.
const MAD_SCALE: f64 = 1.4826;
/// Floor of the Hampel spread for image coordinates (pixels): on a smooth stretch the local MAD is tiny and
/// would turn ordinary sub-pixel jitter into "outliers"; with this floor a sample must be more than 3 px off.
pub const HAMPEL_MIN_SPREAD_PX: f64 = 1.0;
/// Floor of the Hampel spread for world coordinates (metres).
pub const HAMPEL_MIN_SPREAD_M: f64 = 0.005;

/// The uniform time grid the signals are put on.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// Sample times in seconds.
    pub t_s: Vec<f64>,
    /// Sampling rate in Hz.
    pub rate_hz: f64,
}

impl Grid {
    /// A grid spanning `times` (increasing) at `rate_hz`.
    pub fn spanning(times: &[f64], rate_hz: f64) -> Self {
        let (Some(&first), Some(&last)) = (times.first(), times.last()) else {
            return Self { t_s: Vec::new(), rate_hz };
        };
        let n = ((last - first) * rate_hz).round() as usize + 1;
        Self { t_s: (0..n).map(|i| first + i as f64 / rate_hz).collect(), rate_hz }
    }
}

/// Linear interpolation of `values` (at `times`, `NaN` = missing) onto `grid`; a grid point gets a value only
/// when both neighbouring samples exist and are at most `max_gap_s` apart (or one sample is within half a grid
/// step).
pub fn resample(times: &[f64], values: &[f64], grid: &[f64], max_gap_s: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(grid.len());
    let mut j = 0;
    for &t in grid {
        while j + 1 < times.len() && times[j + 1] <= t {
            j += 1;
        }
        let v = if times.is_empty() {
            f64::NAN
        } else if (times[j] - t).abs() < 1e-9 {
            values[j]
        } else if j + 1 < times.len() && times[j] <= t {
            let (t0, t1, v0, v1) = (times[j], times[j + 1], values[j], values[j + 1]);
            if v0.is_finite() && v1.is_finite() && t1 - t0 <= max_gap_s.max(1e-9) + 1e-9 {
                v0 + (v1 - v0) * (t - t0) / (t1 - t0)
            } else {
                f64::NAN
            }
        } else {
            f64::NAN
        };
        out.push(v);
    }
    out
}

/// Fill runs of `NaN` no longer than `max_run` samples by linear interpolation between their neighbours.
/// Returns which samples were filled.
pub fn fill_gaps(values: &mut [f64], max_run: usize) -> Vec<bool> {
    let mut filled = vec![false; values.len()];
    let mut i = 0;
    while i < values.len() {
        if values[i].is_finite() {
            i += 1;
            continue;
        }
        let start = i;
        while i < values.len() && !values[i].is_finite() {
            i += 1;
        }
        let run = i - start;
        if start == 0 || i == values.len() || run > max_run {
            continue;
        }
        let (a, b) = (values[start - 1], values[i]);
        for k in 0..run {
            values[start + k] = a + (b - a) * (k + 1) as f64 / (run + 1) as f64;
            filled[start + k] = true;
        }
    }
    filled
}

/// The `p`-th percentile (0–100) of `values`, sorting them in place: linear interpolation between the two
/// nearest ranks (NumPy's default), so the median of an even count is the mean of the middle pair. `None` when
/// empty. The one percentile of the kinematics core; callers drop non-finite values first.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (values.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    Some(values[lo] + (values[hi] - values[lo]) * (rank - lo as f64))
}

/// Spread (largest minus smallest) of the values of `series` present at the indices `r` (indices past its end
/// skipped); `None` when none is present.
pub fn range_of(series: &[Option<f64>], r: std::ops::RangeInclusive<usize>) -> Option<f64> {
    let (n, lo, hi) = r
        .filter_map(|i| series.get(i).copied().flatten())
        .fold((0usize, f64::INFINITY, f64::NEG_INFINITY), |(n, a, b), x| (n + 1, a.min(x), b.max(x)));
    (n > 0).then_some(hi - lo)
}

/// Running median of `values` over `±half` samples (missing samples skipped; missing where the window is
/// empty or the sample itself is missing).
pub fn running_median(values: &[Option<f64>], half: usize) -> Vec<Option<f64>> {
    let mut window = Vec::with_capacity(2 * half + 1);
    (0..values.len())
        .map(|i| {
            values[i]?;
            window.clear();
            let (lo, hi) = (i.saturating_sub(half), (i + half + 1).min(values.len()));
            window.extend(values[lo..hi].iter().flatten().copied());
            percentile(&mut window, 50.0)
        })
        .collect()
}

/// The median of `values` (sorted in place); `NaN` when empty.
fn median(values: &mut [f64]) -> f64 {
    percentile(values, 50.0).unwrap_or(f64::NAN)
}

/// Hampel filter: replace each sample further than [`HAMPEL_SIGMAS`] scaled MADs (at least `min_spread`) from
/// the median of its `±half` window by that median. `NaN` samples are skipped. Returns the number replaced.
pub fn hampel(values: &mut [f64], half: usize, min_spread: f64) -> usize {
    let original = values.to_vec();
    let mut replaced = 0;
    let mut window = Vec::with_capacity(2 * half + 1);
    for i in 0..values.len() {
        if !original[i].is_finite() {
            continue;
        }
        window.clear();
        let lo = i.saturating_sub(half);
        let hi = (i + half + 1).min(values.len());
        window.extend(original[lo..hi].iter().copied().filter(|v| v.is_finite()));
        if window.len() < 3 {
            continue;
        }
        let m = median(&mut window);
        let mut dev: Vec<f64> = window.iter().map(|v| (v - m).abs()).collect();
        let mad = MAD_SCALE * median(&mut dev);
        if (original[i] - m).abs() > HAMPEL_SIGMAS * mad.max(min_spread) {
            values[i] = m;
            replaced += 1;
        }
    }
    replaced
}

/// A zero-phase Butterworth low-pass.
#[derive(Debug, Clone)]
pub struct LowPass {
    sos: Vec<Sos<f64>>,
}

impl LowPass {
    /// Design a 4th-order low-pass at `cutoff_hz` for signals sampled at `rate_hz`; `None` when the cut-off is
    /// not below the Nyquist frequency (nothing to remove).
    pub fn new(cutoff_hz: f64, rate_hz: f64) -> Option<Self> {
        if !(cutoff_hz > 0.0 && cutoff_hz < rate_hz / 2.0) {
            return None;
        }
        // The design's pole placement breaks down numerically (and sci-rs panics) for cut-offs this far below
        // the Nyquist frequency; no analysis uses one (6 Hz at 1000 fps is 0.012).
        if cutoff_hz / (rate_hz / 2.0) < MIN_NORMALISED_CUTOFF {
            return None;
        }
        let design = butter_dyn(
            FILTER_ORDER,
            vec![cutoff_hz],
            Some(FilterBandType::Lowpass),
            Some(false),
            Some(FilterOutputType::Sos),
            Some(rate_hz),
        );
        match design {
            DigitalFilter::Sos(s) => Some(Self { sos: s.sos }),
            _ => None,
        }
    }

    /// The second-order sections, each `[b0, b1, b2, a0, a1, a2]`.
    pub fn sections(&self) -> Vec<[f64; 6]> {
        self.sos.iter().map(|s| [s.b[0], s.b[1], s.b[2], s.a[0], s.a[1], s.a[2]]).collect()
    }

    /// Samples a stretch needs for the forward-backward pass with odd padding.
    pub fn min_len(&self) -> usize {
        3 * (2 * self.sos.len() + 1) + 1
    }

    /// Filter every stretch of finite samples forward and backward; stretches too short to pad are left as
    /// they are. `NaN` samples stay `NaN`.
    pub fn apply(&self, values: &mut [f64]) {
        let mut i = 0;
        while i < values.len() {
            if !values[i].is_finite() {
                i += 1;
                continue;
            }
            let start = i;
            while i < values.len() && values[i].is_finite() {
                i += 1;
            }
            if i - start >= self.min_len() {
                let out = sosfiltfilt_dyn(values[start..i].iter(), &self.sos);
                values[start..i].copy_from_slice(&out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn butterworth_matches_scipy() {
        // scipy 1.17.1: signal.butter(4, 6.0, btype="low", fs=30.0, output="sos") (and fs=60.0).
        let expected_30 = [
            [
                0.04658290663644368,
                0.09316581327288735,
                0.04658290663644368,
                1.0,
                -0.32897567737095285,
                0.06458765491644297,
            ],
            [1.0, 2.0, 1.0, 1.0, -0.4531195206523847, 0.4663255707632367],
        ];
        let expected_60 = [
            [
                0.00482434335771623,
                0.00964868671543246,
                0.00482434335771623,
                1.0,
                -1.0485995763626117,
                0.2961403575616696,
            ],
            [1.0, 2.0, 1.0, 1.0, -1.3209134308194264, 0.6327387928852766],
        ];
        for (rate, expected) in [(30.0, expected_30), (60.0, expected_60)] {
            let f = LowPass::new(6.0, rate).expect("design");
            let got = f.sections();
            assert_eq!(got.len(), 2);
            for (g, e) in got.iter().zip(&expected) {
                for k in 0..6 {
                    assert_abs_diff_eq!(g[k], e[k], epsilon = 1e-10);
                }
            }
        }
    }

    #[test]
    fn filtfilt_matches_scipy() {
        // scipy 1.17.1: x = sin(0.3 n) + 0.5 cos(2.1 n), n = 0..40;
        // signal.sosfiltfilt(signal.butter(4, 6.0, fs=30.0, output="sos"), x)
        let mut x: Vec<f64> = (0..40).map(|n| (0.3 * n as f64).sin() + 0.5 * (2.1 * n as f64).cos()).collect();
        LowPass::new(6.0, 30.0).expect("design").apply(&mut x);
        let head =
            [0.49950806179666507, 0.3647437798810548, 0.4476443706487746, 0.7116212266362676, 0.9524257690704772];
        for (g, e) in x.iter().zip(head) {
            assert_abs_diff_eq!(*g, e, epsilon = 1e-9);
        }
        for (g, e) in x[18..21].iter().zip([-0.7725238214887002, -0.5508235012053314, -0.279477635353063]) {
            assert_abs_diff_eq!(*g, e, epsilon = 1e-9);
        }
    }

    #[test]
    fn filter_keeps_gaps_and_short_stretches() {
        let f = LowPass::new(6.0, 30.0).expect("design");
        let mut v: Vec<f64> = (0..60).map(|i| i as f64).collect();
        v[30] = f64::NAN;
        v[31..40].iter_mut().for_each(|x| *x = 5.0);
        v[40] = f64::NAN;
        f.apply(&mut v);
        assert!(v[30].is_nan() && v[40].is_nan());
        // The 9-sample stretch is too short to pad: untouched.
        assert!(v[31..40].iter().all(|x| *x == 5.0));
        // A ramp passes a zero-phase low-pass unchanged (odd padding keeps it linear).
        assert_abs_diff_eq!(v[10], 10.0, epsilon = 1e-3);
    }

    #[test]
    fn short_gaps_filled_long_gaps_kept() {
        let mut v = vec![0.0, 1.0, f64::NAN, 3.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN, 8.0];
        let filled = fill_gaps(&mut v, 2);
        assert_abs_diff_eq!(v[2], 2.0);
        assert!(filled[2]);
        assert!(v[4..8].iter().all(|x| x.is_nan()));
        assert!(!filled[5]);
    }

    #[test]
    fn hampel_removes_spikes_only() {
        let mut v: Vec<f64> = (0..50).map(|i| (i as f64 * 0.2).sin()).collect();
        let clean = v.clone();
        v[20] += 5.0;
        v[35] -= 4.0;
        let n = hampel(&mut v, 3, 0.01);
        assert_eq!(n, 2);
        // Replaced by the window's median: within one sample's change of the clean value.
        assert!((v[20] - clean[20]).abs() < 0.2, "{} vs {}", v[20], clean[20]);
        assert!((v[35] - clean[35]).abs() < 0.2, "{} vs {}", v[35], clean[35]);
        assert_eq!(v[10], clean[10]);
    }

    #[test]
    fn resampling_onto_a_grid() {
        let times = [0.0, 0.1, 0.25, 0.3];
        let values = [0.0, 1.0, 2.5, 3.0];
        let grid = Grid::spanning(&times, 20.0);
        assert_eq!(grid.t_s.len(), 7);
        let r = resample(&times, &values, &grid.t_s, 0.2);
        assert_abs_diff_eq!(r[3], 1.5, epsilon = 1e-9);
        assert_abs_diff_eq!(r[6], 3.0, epsilon = 1e-9);
        // A gap longer than allowed gives NaN.
        let r = resample(&times, &values, &grid.t_s, 0.1);
        assert!(r[3].is_nan());
    }
}
