//! `report.html`: one self-contained page a clinician can hand over (no network: styles, plots and pictures are
//! inline). Clip facts, view and quality, plain-language findings, a per-rep table, a still of each rep's
//! bottom with the legs drawn, and plots of FPPA and knee-over-toe over time per leg with the reps shaded.

use base64::Engine as _;
use plotters::prelude::*;

use super::draw::side_colour;
use super::overlay::Still;
use super::Summary;
use crate::kinematics::{Side, Sides, View};
use crate::reps::KtoCategory;

/// File name.
pub const FILE: &str = "report.html";

/// Escape text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn f1(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1}"))
}

fn png_data_url(img: &image::RgbImage) -> Option<String> {
    let mut bytes = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).ok()?;
    Some(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
}

/// The runs of consecutive present values of `value(0..n)`.
fn runs(n: usize, value: impl Fn(usize) -> Option<(f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for i in 0..n {
        match value(i) {
            Some(p) => current.push(p),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// An inline SVG plot of one per-leg series over time, reps shaded.
fn plot(summary: &Summary, title: &str, unit: &str, pick: &dyn Fn(Side, usize) -> Option<f64>) -> String {
    let s = &summary.analysis.signals;
    let mut svg = String::new();
    // Each leg's series as runs of consecutive values: a missing value breaks the line, so a gap is drawn as a
    // gap and never as a straight line across it.
    let points: Sides<Vec<Vec<(f64, f64)>>> =
        Sides::from_fn(|side| runs(s.len(), |i| pick(side, i).map(|v| (s.t_s[i], v))));
    let all: Vec<f64> = points.iter().flatten().flat_map(|run| run.iter().map(|(_, v)| *v)).collect();
    if all.is_empty() {
        return format!("<p class=\"muted\">{} not available in this clip.</p>", escape(title));
    }
    let (lo, hi) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let pad = ((hi - lo) * 0.1).max(1.0);
    let (t0, t1) = (s.t_s.first().copied().unwrap_or(0.0), s.t_s.last().copied().unwrap_or(1.0).max(0.1));
    {
        let root = SVGBackend::with_string(&mut svg, (760, 260)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(48)
            .build_cartesian_2d(t0..t1, (lo - pad)..(hi + pad));
        if let Ok(mut chart) = chart {
            let _ =
                chart.configure_mesh().x_desc("time (s)").y_desc(unit).light_line_style(RGBColor(235, 235, 235)).draw();
            for r in &summary.analysis.reps.reps {
                let _ = chart.draw_series(std::iter::once(Rectangle::new(
                    [(r.descent_start.t_s, lo - pad), (r.ascent_end.t_s, hi + pad)],
                    RGBColor(225, 232, 245).filled(),
                )));
            }
            let _ = chart.draw_series(LineSeries::new([(t0, 0.0), (t1, 0.0)], RGBColor(150, 150, 150)));
            for side in Side::BOTH {
                let colour = side_colour(side);
                let c = RGBColor(colour[0], colour[1], colour[2]);
                let name = side.name();
                for (k, run) in points[side].iter().enumerate() {
                    // A lone sample is drawn as a short tick so that it is not lost.
                    let line: Vec<(f64, f64)> = if run.len() == 1 {
                        let (t, v) = run[0];
                        vec![(t - 0.02, v), (t + 0.02, v)]
                    } else {
                        run.clone()
                    };
                    if let Ok(series) = chart.draw_series(LineSeries::new(line, c.stroke_width(2))) {
                        if k == 0 {
                            series
                                .label(name)
                                .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], c.stroke_width(2)));
                        }
                    }
                }
            }
            let _ = chart.configure_series_labels().border_style(BLACK).background_style(WHITE.mix(0.8)).draw();
        }
        let _ = root.present();
    }
    svg
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:980px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f4f6fa}td.l,th.l{text-align:left}.muted{color:#777}.find li{margin:4px 0}.find li.task{list-style:none;margin:12px 0 4px -16px;font-weight:600}
.stills{display:flex;flex-wrap:wrap;gap:12px}.stills figure{margin:0}.stills img{max-width:300px;border:1px solid #ccc}
.medial{color:#b00020;font-weight:600}.unclear{color:#8a5a00}.left{color:#d97a00}.right{color:#0088cc}code{font-size:12px}";

/// The whole report page.
pub fn render(summary: &Summary, stills: &[Still]) -> String {
    let a = &summary.analysis;
    let c = &summary.clip;
    let p = &summary.provenance;
    let mut h = String::new();
    let name = escape(&p.input.file_name);
    h.push_str(&format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>genu — {name}</title><style>{STYLE}</style></head><body>"
    ));
    h.push_str(&format!("<h1>Knee tracking report — {name}</h1>"));
    h.push_str(&format!(
        "<p class=\"muted\">{} × {} px, {:.1} s, {:.1} frames/s{}, {}; view: {}; task: {} ({}).</p>",
        c.width,
        c.height,
        c.duration_s.unwrap_or(0.0),
        c.measured_fps.unwrap_or(c.nominal_fps),
        if c.rotation_deg != 0 { format!(", rotated {}°", c.rotation_deg) } else { String::new() },
        escape(&c.codec),
        escape(&summary.view),
        a.reps.task,
        escape(&a.reps.task_reason)
    ));
    h.push_str("<h2>Findings</h2><ul class=\"find\">");
    for f in &summary.findings {
        // A mixed clip's findings come under a heading per task ("Single-leg squat (reps 3–6):").
        let class = if f.ends_with("):") { " class=\"task\"" } else { "" };
        h.push_str(&format!("<li{class}>{}</li>", escape(f)));
    }
    h.push_str("</ul>");
    h.push_str(&format!(
        "<p class=\"muted\">Subject found in {} of {} frames; tracking lost {} time(s); {} left/right label swaps corrected; camera roll corrected {:.1}°.</p>",
        summary.frames_with_subject, summary.frames, summary.tracking_losses, a.signals.swaps_corrected, a.signals.roll_deg
    ));

    h.push_str("<h2>Repetitions</h2>");
    if a.reps.reps.is_empty() {
        h.push_str("<p>No repetitions found.</p>");
    } else {
        h.push_str("<table><tr><th>rep</th><th>bottom (s)</th><th>depth (% leg)</th><th class=\"l\">stance</th>");
        for leg in ["left", "right"] {
            h.push_str(&format!(
                "<th class=\"{leg}\">{leg} FPPA bottom / peak (°)</th><th class=\"{leg}\">{leg} knee over toe bottom / most medial (% shank)</th>"
            ));
        }
        h.push_str("<th>quality</th></tr>");
        for r in &a.reps.reps {
            h.push_str(&format!(
                "<tr><td>{}{}</td><td>{:.2}</td><td>{}</td><td class=\"l\">{}</td>",
                r.number,
                if r.complete { "" } else { "*" },
                r.bottom.t_s,
                if r.depth_pct_leg.is_finite() { format!("{:.0}", r.depth_pct_leg) } else { "–".to_string() },
                r.stance.map_or("both", Side::name)
            ));
            for leg in &r.legs {
                let class = match leg.kto_category {
                    Some(KtoCategory::MedialToToe) => " class=\"medial\"",
                    Some(KtoCategory::MedialUnclear) => " class=\"unclear\"",
                    _ => "",
                };
                h.push_str(&format!(
                    "<td>{} / {}</td><td{}>{} / {}</td>",
                    f1(leg.fppa_bottom_deg.value),
                    f1(leg.fppa_peak_deg.value),
                    class,
                    f1(leg.kto_bottom_pct_shank.value),
                    f1(leg.kto_medial_peak_pct_shank.value)
                ));
            }
            match &r.flag {
                Some(why) => h.push_str(&format!(
                    "<td class=\"medial\" title=\"{}\">{:.2} flagged</td></tr>",
                    escape(why),
                    r.quality.score
                )),
                None => h.push_str(&format!("<td>{:.2}</td></tr>", r.quality.score)),
            }
        }
        let band = crate::reps::KTO_OVER_TOE_BAND_PCT;
        let (lo, hi) = KtoCategory::drift_limits();
        h.push_str(&format!("</table><p class=\"muted\">FPPA: frontal-plane projection angle, positive = knee inside the hip–ankle line (valgus). Knee over toe: positive = knee medial to the second toe; red = the knee drifted medial during the rep (more than {hi:.0} % of shank from where it stood) and ended medial of the toe by more than {band:.0} %; amber = medial of the toe, but its drift ({lo:.0}–{hi:.0} %) is too close to the rule to tell caving in from standing there. * = rep cut by the start or end of the clip. Flagged reps (the reason is in reps.csv and on hover) are left out of the findings.</p>"));
    }
    if !stills.is_empty() {
        h.push_str("<h2>Bottom of each rep</h2><div class=\"stills\">");
        for s in stills {
            if let Some(url) = png_data_url(&s.image) {
                h.push_str(&format!(
                    "<figure><img src=\"{url}\" alt=\"rep {} bottom\"><figcaption>rep {} (frame {})</figcaption></figure>",
                    s.rep, s.rep, s.frame
                ));
            }
        }
        h.push_str("</div><p class=\"muted\">Orange: left leg, blue: right leg, white: hip–ankle line, green: plumb line from the second toe.</p>");
    }
    h.push_str("<h2>Over time</h2>");
    let s = &a.signals;
    h.push_str(&plot(summary, "Frontal-plane projection angle (valgus +)", "degrees", &|side, i| {
        s.legs[side].fppa_deg[i]
    }));
    h.push_str(&plot(summary, "Knee over second toe (medial +)", "% of shank", &|side, i| {
        s.legs[side].kto_pct_shank[i]
    }));
    // One series: drawn in the left leg's colour, labelled as such by the legend; say what it is.
    h.push_str(&plot(summary, "Hip drop (hip midpoint)", "% of leg length", &|side, i| {
        if side == Side::Left {
            s.hip_drop_pct_leg[i]
        } else {
            None
        }
    }));
    if !s.unavailable.is_empty() || s.clip_view != View::FrontalFront {
        h.push_str("<h2>What could not be measured</h2><ul>");
        for u in &s.unavailable {
            h.push_str(&format!("<li><code>{}</code>: {}</li>", escape(&u.metric), escape(&u.reason)));
        }
        h.push_str("</ul>");
    }
    h.push_str(&format!(
        "<h2>Provenance</h2><p class=\"muted\">genu {} · model {} (<code>{}</code>) · input {} bytes, SHA-256 <code>{}</code>. 2D projection angles from a single camera; not a 3D measurement of valgus.</p>",
        escape(&p.producer.version),
        escape(&p.producer.landmark_model),
        escape(p.producer.landmark_model_sha256.as_deref().unwrap_or("")),
        p.input.bytes,
        escape(&p.input.sha256)
    ));
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::runs;

    #[test]
    fn gaps_split_the_line() {
        let v = [Some(1.0), Some(2.0), None, None, Some(3.0), None, Some(4.0), Some(5.0)];
        let r = runs(v.len(), |i| v[i].map(|x| (i as f64, x)));
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], vec![(0.0, 1.0), (1.0, 2.0)]);
        assert_eq!(r[1], vec![(4.0, 3.0)]);
        assert_eq!(r[2], vec![(6.0, 4.0), (7.0, 5.0)]);
        assert!(runs(3, |_| None).is_empty());
    }
}
