//! Progress on stderr for the long jobs (`--deep` image layers, `--kube-api` lists of a large
//! cluster, `lint` of a large tree), drawn by indicatif only when stderr is a terminal: a pipe,
//! a file or a CI log gets nothing, so reports and logs stay clean. Every bar belongs to one
//! process-wide [`MultiProgress`], so that a spinner and a bar running at once do not overwrite
//! each other.

use std::io::IsTerminal as _;
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

fn shown() -> Option<&'static MultiProgress> {
    static MULTI: OnceLock<Option<MultiProgress>> = OnceLock::new();
    MULTI
        .get_or_init(|| std::io::stderr().is_terminal().then(MultiProgress::new))
        .as_ref()
}

/// A spinner with a message, for a job of unknown length.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let Some(multi) = shown() else {
        return ProgressBar::hidden();
    };
    let bar = multi.add(ProgressBar::new_spinner().with_message(message.into()));
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// A bar of `len` steps: `message [=====>    ] 12/40 (eta 3s)`.
pub fn bar(len: usize, message: impl Into<String>) -> ProgressBar {
    let Some(multi) = shown() else {
        return ProgressBar::hidden();
    };
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} (eta {eta})")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = multi.add(
        ProgressBar::new(len as u64)
            .with_style(style)
            .with_message(message.into()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
