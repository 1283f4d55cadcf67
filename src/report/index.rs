//! The batch's `index.html`: one line per clip, linking its report, with its rep count and headline or why it
//! failed. Built from plain rows so that the page knows nothing of how the batch runs.

use super::html::escape;

/// File name (in the batch's output folder).
pub const FILE: &str = "index.html";

/// How a clip of the batch ended, as the index shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    /// Analysed (now or by an earlier run): reps found and the first finding.
    Done {
        /// Reps found.
        reps: Option<usize>,
        /// The summary's first line.
        headline: String,
    },
    /// Failed, with the one-line error.
    Failed(String),
    /// Stopped before it finished.
    Interrupted,
}

/// One clip's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRow {
    /// The clip, relative to the batch's input folder.
    pub clip: String,
    /// Its report, relative to the index, when there is one.
    pub report: Option<String>,
    /// How it ended.
    pub state: IndexState,
}

/// The page: `headline` (already plain text: counts of done, failed...) above the clips' table.
pub fn batch_index_html(headline: &str, rows: &[IndexRow]) -> String {
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>genu batch</title><style>body{font-family:system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 12px}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}table{border-collapse:collapse}.f{color:#b00020}</style></head><body>",
    );
    html.push_str(&format!(
        "<h1>genu batch</h1><p>{}. All reps: <a href=\"all_reps.csv\">all_reps.csv</a>.</p><table><tr><th>clip</th><th>reps</th><th>summary</th></tr>",
        escape(headline)
    ));
    for row in rows {
        let name = escape(&row.clip);
        match &row.state {
            IndexState::Interrupted => html.push_str(&format!("<tr><td>{name}</td><td></td><td>interrupted</td></tr>")),
            IndexState::Failed(error) => html
                .push_str(&format!("<tr><td>{name}</td><td></td><td class=\"f\">failed: {}</td></tr>", escape(error))),
            IndexState::Done { reps, headline } => {
                let link =
                    row.report.as_ref().map_or(name.clone(), |r| format!("<a href=\"{}\">{name}</a>", escape(r)));
                html.push_str(&format!(
                    "<tr><td>{link}</td><td>{}</td><td>{}</td></tr>",
                    reps.map_or(String::new(), |n| n.to_string()),
                    escape(headline)
                ));
            }
        }
    }
    html.push_str("</table></body></html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_clip_gets_its_line_escaped() {
        let rows = [
            IndexRow {
                clip: "a<b>.mp4".into(),
                report: Some("a.1/report.html".into()),
                state: IndexState::Done { reps: Some(3), headline: "3 repetitions & more".into() },
            },
            IndexRow { clip: "bad.mp4".into(), report: None, state: IndexState::Failed("not a video".into()) },
            IndexRow { clip: "late.mp4".into(), report: None, state: IndexState::Interrupted },
        ];
        let html = batch_index_html("3 clips: 1 done, 1 failed", &rows);
        assert!(
            html.contains("<a href=\"a.1/report.html\">a&lt;b&gt;.mp4</a></td><td>3</td><td>3 repetitions &amp; more")
        );
        assert!(html.contains("<td class=\"f\">failed: not a video</td>"));
        assert!(html.contains("<td>late.mp4</td><td></td><td>interrupted</td>"));
        assert!(html.starts_with("<!doctype html>") && html.ends_with("</html>\n"));
    }
}
