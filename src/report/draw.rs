//! Drawing on frames: the legs, anti-aliased text on a shaded panel, and the colours every picture shares.
//!
//! Text is set in DejaVu Sans Bold (from the `dejavu` crate; the DejaVu fonts' licence is a free licence, see
//! `docs/third-party.md`), rasterised with coverage-based anti-aliasing by `ab_glyph` through `imageproc`.

use std::sync::OnceLock;

use ab_glyph::{FontRef, PxScale};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_circle_mut, draw_line_segment_mut, draw_text_mut, text_size};
use imageproc::rect::Rect;

use crate::kinematics::{Joint, Side};

/// Colour of the left leg.
pub const LEFT_COLOUR: Rgb<u8> = Rgb([255, 140, 0]);
/// Colour of the right leg.
pub const RIGHT_COLOUR: Rgb<u8> = Rgb([0, 170, 255]);
/// Colour of plain text and of the hip–ankle lines.
pub const WHITE: Rgb<u8> = Rgb([255, 255, 255]);
/// Colour of the plumb line up from the second toe.
pub const GREEN: Rgb<u8> = Rgb([60, 230, 90]);
/// Colour of the panels behind text.
const PANEL: Rgb<u8> = Rgb([16, 16, 16]);
/// How much of the picture shows through a text panel.
const PANEL_SHOW_THROUGH: f32 = 0.3;

/// The colour a side is drawn in, everywhere (overlay, stills, plots).
pub fn side_colour(side: Side) -> Rgb<u8> {
    match side {
        Side::Left => LEFT_COLOUR,
        Side::Right => RIGHT_COLOUR,
    }
}

/// The bundled font.
fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    FONT.get_or_init(|| {
        // The bytes are compiled in from the `dejavu` crate and are a valid TrueType font; a failure here would
        // be a broken build, not bad input.
        FontRef::try_from_slice(dejavu::sans::bold()).expect("the bundled DejaVu Sans Bold font parses")
    })
}

/// Pixels two rectangles share.
pub fn overlap(a: &Rect, b: &Rect) -> i64 {
    a.intersect(*b).map_or(0, |r| i64::from(r.width()) * i64::from(r.height()))
}

/// Size in pixels of `lines` set at `px` on a panel (padding included).
pub fn panel_size(lines: &[&str], px: f32) -> (i32, i32) {
    let pad = (px * 0.3).round() as i32;
    let line_h = (px * 1.15).round() as i32;
    let width = lines.iter().map(|l| text_size(PxScale::from(px), font(), l).0 as i32).max().unwrap_or(0);
    (width + 2 * pad, line_h * lines.len() as i32 + 2 * pad)
}

/// Darken `area` of the picture (clipped to it), leaving [`PANEL_SHOW_THROUGH`] of it visible.
fn shade(img: &mut RgbImage, area: Rect) {
    let (iw, ih) = (img.width() as i32, img.height() as i32);
    let (x0, y0) = (area.left().clamp(0, iw) as usize, area.top().clamp(0, ih) as usize);
    let (x1, y1) = ((area.right() + 1).clamp(0, iw) as usize, (area.bottom() + 1).clamp(0, ih) as usize);
    // In 1/256ths: the picture's share, and the panel colour's contribution per channel.
    let keep = (PANEL_SHOW_THROUGH * 256.0).round() as u32;
    let add = PANEL.0.map(|c| u32::from(c) * (256 - keep) + 128);
    let row_len = 3 * iw as usize;
    let raw: &mut [u8] = img;
    for row in raw.chunks_exact_mut(row_len).take(y1).skip(y0) {
        for px in row[3 * x0..3 * x1].chunks_exact_mut(3) {
            for c in 0..3 {
                px[c] = ((u32::from(px[c]) * keep + add[c]) >> 8) as u8;
            }
        }
    }
}

/// Set `lines` at `px` pixels in `colour` on a shaded panel whose top-left corner is (`x`, `y`), moved inside
/// the picture if it would stick out; returns where the panel went.
pub fn panel(img: &mut RgbImage, x: i32, y: i32, px: f32, lines: &[(&str, Rgb<u8>)]) -> Rect {
    let texts: Vec<&str> = lines.iter().map(|(t, _)| *t).collect();
    let (w, h) = panel_size(&texts, px);
    let x = x.min(img.width() as i32 - w).max(0);
    let y = y.min(img.height() as i32 - h).max(0);
    let area = Rect::at(x, y).of_size(w as u32, h as u32);
    shade(img, area);
    let pad = (px * 0.3).round() as i32;
    let line_h = (px * 1.15).round() as i32;
    for (k, (text, colour)) in lines.iter().enumerate() {
        draw_text_mut(img, *colour, x + pad, y + pad + k as i32 * line_h, PxScale::from(px), font(), text);
    }
    area
}

/// Draw a line about `width` pixels thick, as parallel one-pixel lines (much cheaper than filling a polygon,
/// and the same to the eye at these widths).
pub fn thick_line(img: &mut RgbImage, a: [f32; 2], b: [f32; 2], width: f32, colour: Rgb<u8>) {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len = dx.hypot(dy);
    if len.is_nan() || len <= 0.5 || !a.iter().chain(&b).all(|v| v.is_finite()) {
        return;
    }
    let (nx, ny) = (-dy / len, dx / len);
    let n = width.round().max(1.0) as i32;
    for k in 0..n {
        let o = k as f32 - (n - 1) as f32 / 2.0;
        draw_line_segment_mut(img, (a[0] + nx * o, a[1] + ny * o), (b[0] + nx * o, b[1] + ny * o), colour);
    }
}

/// Draw the legs of one frame's pose (`landmarks` in full-resolution pixels, `k` full → image scale): each
/// leg's skeleton in its colour, the hip–ankle line the FPPA is measured against, and a plumb line up from
/// the second toe tilted with the camera's roll.
pub fn legs(img: &mut RgbImage, landmarks: &[[f32; 5]], k: f32, roll_deg: f64) {
    let p = |i: usize| [landmarks[i][0] * k, landmarks[i][1] * k];
    let width = (img.width().max(img.height()) as f32 / 300.0).max(2.0);
    let (s, c) = (roll_deg.to_radians() as f32).sin_cos();
    for side in Side::BOTH {
        let colour = side_colour(side);
        let at = |j: Joint| p(j.landmark(side));
        let (hip, knee, ankle, heel, toe) =
            (at(Joint::Hip), at(Joint::Knee), at(Joint::Ankle), at(Joint::Heel), at(Joint::Toe));
        thick_line(img, hip, ankle, (width / 2.0).max(1.0), WHITE);
        let up = (toe[1] - hip[1]).max(0.0);
        thick_line(img, toe, [toe[0] + s * up, toe[1] - c * up], (width / 2.0).max(1.0), GREEN);
        for (a, b) in [(hip, knee), (knee, ankle), (ankle, heel), (heel, toe), (ankle, toe)] {
            thick_line(img, a, b, width, colour);
        }
        for q in [hip, knee, ankle, toe] {
            if q.iter().all(|v| v.is_finite()) {
                draw_filled_circle_mut(img, (q[0] as i32, q[1] as i32), (width * 1.3) as i32, colour);
            }
        }
    }
    thick_line(img, p(23), p(24), width, WHITE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_of_rectangles() {
        let a = Rect::at(0, 0).of_size(10, 10);
        assert_eq!(overlap(&a, &Rect::at(5, 5).of_size(10, 10)), 25);
        assert_eq!(overlap(&a, &Rect::at(10, 0).of_size(5, 5)), 0);
        assert_eq!(overlap(&a, &a), 100);
    }

    #[test]
    fn text_is_anti_aliased_and_stays_in_the_picture() {
        let mut img = RgbImage::from_pixel(400, 100, Rgb([255, 255, 255]));
        // Asked to start past the right edge: moved inside.
        let area = panel(&mut img, 390, 10, 32.0, &[("FPPA +12°", WHITE)]);
        assert!(area.right() < 400 && area.left() >= 0, "{area:?}");
        let inside: Vec<u8> = (area.top()..=area.bottom())
            .flat_map(|y| (area.left()..=area.right()).map(move |x| (x, y)))
            .map(|(x, y)| img.get_pixel(x as u32, y as u32)[0])
            .collect();
        // Glyph edges blend: grey levels strictly between the panel's and the text's.
        let panel_level = (255.0 * PANEL_SHOW_THROUGH + 16.0 * (1.0 - PANEL_SHOW_THROUGH)).round() as u8;
        let between = inside.iter().filter(|&&v| v > panel_level + 10 && v < 245).count();
        let full = inside.iter().filter(|&&v| v >= 250).count();
        assert!(full > 50, "solid glyph pixels: {full}");
        assert!(between > 30, "anti-aliased edge pixels: {between}");
        // Outside the panel the picture is untouched.
        assert_eq!(img.get_pixel(0, 99)[0], 255);
    }
}
