//! The One-Euro filter that steadies the tracking region between frames.
//!
//! MediaPipe smooths the two alignment landmarks (33, 34) that place the next frame's region, always (even
//! when landmark smoothing is off), so that the crop stays still while the person is still and follows fast
//! movement. genu does the same so that its regions — and so its landmarks — match MediaPipe's. The reported
//! landmarks themselves are not smoothed here: the kinematics stage filters offline, without lag.
//!
//! Values are in pixels; the filter divides speeds by the object's scale (the region's size), so that the
//! same settings serve a small and a large person.

/// Cutoff frequency (Hz) when the point is still (MediaPipe's value for the alignment landmarks).
pub const MIN_CUTOFF_HZ: f32 = 0.01;
/// How fast the cutoff rises with speed (MediaPipe's value for the alignment landmarks).
pub const BETA: f32 = 10.0;
/// Cutoff (Hz) of the speed estimate.
pub const DERIVATIVE_CUTOFF_HZ: f32 = 1.0;
/// Rate assumed before two timestamps are known, and when timestamps do not increase.
pub const DEFAULT_RATE_HZ: f32 = 30.0;

#[derive(Debug, Clone, Copy, Default)]
struct LowPass {
    raw: f32,
    smoothed: f32,
    ready: bool,
}

impl LowPass {
    fn apply(&mut self, value: f32, alpha: f32) -> f32 {
        let out = if self.ready { alpha * value + (1.0 - alpha) * self.smoothed } else { value };
        self.raw = value;
        self.smoothed = out;
        self.ready = true;
        out
    }
}

fn alpha(cutoff_hz: f32, rate_hz: f32) -> f32 {
    let te = 1.0 / rate_hz;
    let tau = 1.0 / (2.0 * std::f32::consts::PI * cutoff_hz);
    1.0 / (1.0 + tau / te)
}

/// One-Euro filter of one scalar.
#[derive(Debug, Clone, Copy)]
pub struct OneEuro {
    x: LowPass,
    dx: LowPass,
    last_t: Option<f64>,
    rate_hz: f32,
}

impl Default for OneEuro {
    fn default() -> Self {
        Self { x: LowPass::default(), dx: LowPass::default(), last_t: None, rate_hz: DEFAULT_RATE_HZ }
    }
}

impl OneEuro {
    /// Filter `value` observed at time `t_s`; `scale` is the object's size in the value's units.
    pub fn apply(&mut self, value: f32, t_s: f64, scale: f32) -> f32 {
        if let Some(last) = self.last_t {
            let dt = t_s - last;
            if dt > 0.0 {
                self.rate_hz = (1.0 / dt) as f32;
            }
        }
        self.last_t = Some(t_s);
        let speed = if self.x.ready { (value - self.x.raw) / scale.max(1e-6) * self.rate_hz } else { 0.0 };
        let smooth_speed = self.dx.apply(speed, alpha(DERIVATIVE_CUTOFF_HZ, self.rate_hz));
        let cutoff = MIN_CUTOFF_HZ + BETA * smooth_speed.abs();
        self.x.apply(value, alpha(cutoff, self.rate_hz))
    }
}

/// One-Euro filters for a set of 2D points.
#[derive(Debug, Clone, Default)]
pub struct PointFilter {
    filters: Vec<[OneEuro; 2]>,
}

impl PointFilter {
    /// Filter `points` at time `t_s` for an object of size `scale` pixels.
    pub fn apply(&mut self, points: &mut [[f32; 2]], t_s: f64, scale: f32) {
        if self.filters.len() != points.len() {
            self.filters = vec![[OneEuro::default(); 2]; points.len()];
        }
        for (p, f) in points.iter_mut().zip(&mut self.filters) {
            p[0] = f[0].apply(p[0], t_s, scale);
            p[1] = f[1].apply(p[1], t_s, scale);
        }
    }

    /// Forget the history (the subject was lost).
    pub fn reset(&mut self) {
        self.filters.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn still_point_stays_and_first_value_passes_through() {
        let mut f = OneEuro::default();
        assert_eq!(f.apply(10.0, 0.0, 100.0), 10.0);
        let v = f.apply(10.0, 1.0 / 30.0, 100.0);
        assert!((v - 10.0).abs() < 1e-6);
    }

    #[test]
    fn small_jitter_is_damped_and_fast_moves_followed() {
        let mut f = OneEuro::default();
        f.apply(0.0, 0.0, 100.0);
        // A 1 px jitter on a 100 px object barely moves the output.
        let jitter = f.apply(1.0, 1.0 / 30.0, 100.0);
        assert!(jitter < 0.1, "{jitter}");
        // A steady fast move (one object size per frame) is followed closely after a few frames.
        let mut f = OneEuro::default();
        let mut out = 0.0;
        for i in 0..30 {
            out = f.apply(100.0 * i as f32, f64::from(i) / 30.0, 100.0);
        }
        assert!((2900.0 - out).abs() < 200.0, "{out}");
    }
}
