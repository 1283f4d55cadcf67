//! Who the subject is: the person chosen on the first frame with people, and the rules that decide whether a
//! person seen later is still that person.
//!
//! Identity is decided by motion, not looks: clothing colour changes too much with light (on the two-person
//! demo clip the subject's own colour histogram, back-lit on a box and then front-lit on the grass, is less
//! similar to itself than to the other person). A person seen after a loss is the subject only if the subject
//! could have moved there in the time since last seen ([`Seen::reaches`]) and no other person, seen recently,
//! explains the sighting better.

use super::detector::Detection;

/// How to choose the subject on the first frame with people in it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum SubjectChoice {
    /// The largest person (by body size).
    #[default]
    Largest,
    /// The person nearest the centre of the frame.
    Central,
    /// The person nearest a point given as fractions of the frame's width and height.
    Near {
        /// x as a fraction of the width.
        x: f32,
        /// y as a fraction of the height.
        y: f32,
    },
}

impl std::str::FromStr for SubjectChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "largest" => Ok(Self::Largest),
            "central" => Ok(Self::Central),
            other => {
                let parse = |v: &str| v.trim().parse::<f32>().ok().filter(|v| (0.0..=1.0).contains(v));
                match other.split_once(',').map(|(a, b)| (parse(a), parse(b))) {
                    Some((Some(x), Some(y))) => Ok(Self::Near { x, y }),
                    _ => Err(format!(
                        "'{other}' is not a subject choice: use largest, central, or X,Y as fractions of the frame (e.g. 0.3,0.6)"
                    )),
                }
            }
        }
    }
}

impl SubjectChoice {
    /// Index of the detection to follow, among `detections` in a `width x height` frame.
    pub fn pick(&self, detections: &[Detection], width: f32, height: f32) -> Option<usize> {
        let centre_distance = |d: &Detection, x: f32, y: f32| {
            let k = d.keypoints[0];
            (k[0] / width - x).hypot(k[1] / height - y)
        };
        let key = |d: &Detection| -> f32 {
            match self {
                Self::Largest => -d.body_size(),
                Self::Central => centre_distance(d, 0.5, 0.5),
                Self::Near { x, y } => centre_distance(d, *x, *y),
            }
        };
        (0..detections.len()).min_by(|&a, &b| key(&detections[a]).total_cmp(&key(&detections[b])))
    }
}

/// Where a person was seen: hip centre and body size in pixels, at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen {
    /// Hip centre.
    pub centre: [f32; 2],
    /// Body size: distance from the hip centre to the full-body scale point (about half the body's height).
    pub size: f32,
    /// When, in seconds.
    pub t_s: f64,
}

/// A person can always have moved this many body sizes between two sightings (pose noise, a step).
pub const REACH_BASE_SIZES: f32 = 1.0;
/// Fastest plausible movement, in body sizes per second (a sprint of about 6 m/s for a body size of ~0.9 m).
pub const MAX_SPEED_SIZES_PER_S: f32 = 6.5;
/// Body sizes may change by at most this factor between sightings (turning, crouching, jumping).
pub const MAX_SIZE_RATIO: f32 = 2.5;
/// Other people are remembered this long after they were last seen.
pub const OTHERS_MEMORY_S: f64 = 2.0;

impl Seen {
    /// The sighting of a detection at time `t_s`.
    pub fn of_detection(d: &Detection, t_s: f64) -> Self {
        Self { centre: d.keypoints[0], size: d.body_size(), t_s }
    }

    /// Distance to `other` in units of how far this person could have moved by `other`'s time: at most 1 when
    /// `other` is reachable; infinite when the body sizes differ too much.
    pub fn reach_ratio(&self, other: &Seen) -> f32 {
        let ratio = other.size.max(1e-3) / self.size.max(1e-3);
        if !(1.0 / MAX_SIZE_RATIO..=MAX_SIZE_RATIO).contains(&ratio) {
            return f32::INFINITY;
        }
        let dt = (other.t_s - self.t_s).abs() as f32;
        let allowed = self.size * (REACH_BASE_SIZES + MAX_SPEED_SIZES_PER_S * dt);
        let d = (other.centre[0] - self.centre[0]).hypot(other.centre[1] - self.centre[1]);
        d / allowed.max(1e-3)
    }

    /// Whether this person could be at `other`.
    pub fn reaches(&self, other: &Seen) -> bool {
        self.reach_ratio(other) <= 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_choice_parses_and_picks() {
        assert_eq!("largest".parse::<SubjectChoice>(), Ok(SubjectChoice::Largest));
        assert_eq!("0.25,0.5".parse::<SubjectChoice>(), Ok(SubjectChoice::Near { x: 0.25, y: 0.5 }));
        assert!("2,3".parse::<SubjectChoice>().is_err());
        let det = |x: f32, size: f32| Detection {
            score: 0.9,
            face_box: [0.0; 4],
            keypoints: [[x, 50.0], [x, 50.0 - size], [x, 30.0], [x, 20.0]],
        };
        let dets = [det(10.0, 30.0), det(50.0, 10.0), det(90.0, 20.0)];
        assert_eq!(SubjectChoice::Largest.pick(&dets, 100.0, 100.0), Some(0));
        assert_eq!(SubjectChoice::Central.pick(&dets, 100.0, 100.0), Some(1));
        assert_eq!(SubjectChoice::Near { x: 0.95, y: 0.5 }.pick(&dets, 100.0, 100.0), Some(2));
        assert_eq!(SubjectChoice::Largest.pick(&[], 100.0, 100.0), None);
    }

    #[test]
    fn reach_grows_with_time_and_checks_size() {
        let a = Seen { centre: [100.0, 100.0], size: 100.0, t_s: 0.0 };
        let near = Seen { centre: [180.0, 100.0], size: 110.0, t_s: 0.033 };
        let far = Seen { centre: [600.0, 100.0], size: 100.0, t_s: 0.033 };
        assert!(a.reaches(&near));
        assert!(!a.reaches(&far));
        // Half a second later the far point is within reach (1 + 6.5 * 0.5 = 4.25 sizes).
        assert!(a.reaches(&Seen { t_s: 1.0, ..far }));
        // A person three times smaller is someone else, however close.
        assert!(!a.reaches(&Seen { size: 30.0, ..near }));
    }
}
