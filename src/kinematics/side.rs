//! Named geometry: the subject's [`Side`]s, a [`Sides`] pair indexed by side, and a [`Leg`]'s five points.
//!
//! Left and right are always the **subject's** (never the image's). A [`Sides`] pair serialises as a
//! two-element array, left first, which is how every per-leg pair has always been written.

use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

/// One of the subject's two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The subject's left.
    Left,
    /// The subject's right.
    Right,
}

impl Side {
    /// Both sides, left first (the order of every per-leg pair).
    pub const BOTH: [Side; 2] = [Side::Left, Side::Right];

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// The side's position in a pair (0 left, 1 right).
    pub fn index(self) -> usize {
        match self {
            Side::Left => 0,
            Side::Right => 1,
        }
    }

    /// "left" or "right".
    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }

    /// "Left" or "Right", to start a sentence.
    pub fn title(self) -> &'static str {
        match self {
            Side::Left => "Left",
            Side::Right => "Right",
        }
    }

    /// "L" or "R", for tight labels.
    pub fn letter(self) -> &'static str {
        match self {
            Side::Left => "L",
            Side::Right => "R",
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A left/right pair, indexed by [`Side`]; serialised as `[left, right]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sides<T>(pub [T; 2]);

impl<T> Sides<T> {
    /// A pair from its left and right values.
    pub fn new(left: T, right: T) -> Self {
        Self([left, right])
    }

    /// A pair with each side's value computed from the side.
    pub fn from_fn(mut f: impl FnMut(Side) -> T) -> Self {
        Self([f(Side::Left), f(Side::Right)])
    }

    /// Each side's value turned into another.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Sides<U> {
        let [l, r] = self.0;
        Sides([f(l), f(r)])
    }

    /// The pair of references.
    pub fn as_ref(&self) -> Sides<&T> {
        Sides([&self.0[0], &self.0[1]])
    }

    /// The values, left first.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    /// The sides with their values, left first.
    pub fn with_sides(&self) -> impl Iterator<Item = (Side, &T)> {
        Side::BOTH.into_iter().zip(self.0.iter())
    }

    /// The left value.
    pub fn left(&self) -> &T {
        &self.0[0]
    }

    /// The right value.
    pub fn right(&self) -> &T {
        &self.0[1]
    }
}

impl<'a, T> IntoIterator for &'a Sides<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> Index<Side> for Sides<T> {
    type Output = T;
    fn index(&self, side: Side) -> &T {
        &self.0[side.index()]
    }
}

impl<T> IndexMut<Side> for Sides<T> {
    fn index_mut(&mut self, side: Side) -> &mut T {
        &mut self.0[side.index()]
    }
}

/// An image point (x right, y down, pixels); `NaN` where missing.
pub type Point = [f64; 2];

/// The five tracked points of one leg, top to bottom. `toe` is BlazePose's foot index (the tip of the foot).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leg<P = Point> {
    /// Hip joint centre.
    pub hip: P,
    /// Knee.
    pub knee: P,
    /// Ankle.
    pub ankle: P,
    /// Heel.
    pub heel: P,
    /// Foot index (tip of the foot), the proxy for the second toe.
    pub toe: P,
}

impl<P: Copy> Leg<P> {
    /// A leg with every point computed from its [`Joint`].
    pub fn from_fn(mut f: impl FnMut(Joint) -> P) -> Self {
        Self {
            hip: f(Joint::Hip),
            knee: f(Joint::Knee),
            ankle: f(Joint::Ankle),
            heel: f(Joint::Heel),
            toe: f(Joint::Toe),
        }
    }

    /// The points, top to bottom (the order of [`Joint::ALL`]).
    pub fn points(&self) -> [P; 5] {
        [self.hip, self.knee, self.ankle, self.heel, self.toe]
    }

    /// The point of a joint.
    pub fn get(&self, joint: Joint) -> P {
        match joint {
            Joint::Hip => self.hip,
            Joint::Knee => self.knee,
            Joint::Ankle => self.ankle,
            Joint::Heel => self.heel,
            Joint::Toe => self.toe,
        }
    }
}

impl Default for Leg {
    fn default() -> Self {
        Self::from_fn(|_| [f64::NAN; 2])
    }
}

/// A joint of [`Leg`], with its BlazePose landmark index per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Joint {
    /// Hip.
    Hip,
    /// Knee.
    Knee,
    /// Ankle.
    Ankle,
    /// Heel.
    Heel,
    /// Foot index.
    Toe,
}

impl Joint {
    /// Every joint, top to bottom (the order of the kinematics stage's point series).
    pub const ALL: [Joint; 5] = [Joint::Hip, Joint::Knee, Joint::Ankle, Joint::Heel, Joint::Toe];

    /// Position in [`Joint::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// BlazePose landmark index of this joint on `side`.
    pub fn landmark(self, side: Side) -> usize {
        23 + 2 * self.index() + side.index()
    }
}

/// Both legs' points of one sample.
pub type LegPoints = Sides<Leg>;

/// How a [`Leg`] is written: each point `[x, y]`, or null where it is missing.
#[derive(Serialize, Deserialize)]
struct LegRepr {
    hip: Option<Point>,
    knee: Option<Point>,
    ankle: Option<Point>,
    heel: Option<Point>,
    toe: Option<Point>,
}

impl Serialize for Leg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = |p: Point| p.iter().all(|v| v.is_finite()).then_some(p);
        LegRepr { hip: w(self.hip), knee: w(self.knee), ankle: w(self.ankle), heel: w(self.heel), toe: w(self.toe) }
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Leg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = LegRepr::deserialize(d)?;
        let p = |v: Option<Point>| v.unwrap_or([f64::NAN; 2]);
        Ok(Leg { hip: p(r.hip), knee: p(r.knee), ankle: p(r.ankle), heel: p(r.heel), toe: p(r.toe) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_index_by_side_and_serialise_left_first() {
        let mut s = Sides::new(1, 2);
        s[Side::Right] += 10;
        assert_eq!((s[Side::Left], s[Side::Right]), (1, 12));
        assert_eq!(serde_json::to_string(&s).expect("json"), "[1,12]");
        assert_eq!(Side::Left.other(), Side::Right);
        assert_eq!(s.with_sides().map(|(side, v)| format!("{side}{v}")).collect::<String>(), "left1right12");
        assert_eq!(s.iter().sum::<i32>(), 13);
    }

    #[test]
    fn joints_name_blazepose_landmarks() {
        assert_eq!(Joint::Hip.landmark(Side::Left), 23);
        assert_eq!(Joint::Knee.landmark(Side::Right), 26);
        assert_eq!(Joint::Toe.landmark(Side::Left), 31);
        assert_eq!(Joint::Toe.landmark(Side::Right), 32);
    }

    #[test]
    fn missing_points_round_trip_as_null() {
        let leg = Leg { knee: [1.5, 2.0], ..Leg::default() };
        let json = serde_json::to_string(&leg).expect("json");
        assert_eq!(json, r#"{"hip":null,"knee":[1.5,2.0],"ankle":null,"heel":null,"toe":null}"#);
        let back: Leg = serde_json::from_str(&json).expect("parse");
        assert_eq!(back.knee, [1.5, 2.0]);
        assert!(back.hip[0].is_nan() && back.toe[1].is_nan());
    }
}
