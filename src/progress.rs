//! Progress bars on stderr when it is a terminal (hidden otherwise, so logs and pipes stay clean): one factory
//! for `analyze` (frames) and `batch` (clips).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps, or a counter when the length is not known, drawn with `template` (indicatif's
/// syntax); hidden unless stderr is a terminal and `show` is set.
pub fn bar(len: Option<u64>, template: &str, show: bool) -> ProgressBar {
    if !show || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let b = len.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
    b.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_when_not_asked_for() {
        let b = bar(Some(10), "{bar} {pos}/{len}", false);
        assert!(b.is_hidden());
        b.inc(3);
        assert_eq!(b.position(), 3, "a hidden bar still counts");
    }
}
