//! How deploy commands talk to the person or the CI log: results on stdout, progress and
//! events on stderr; a progress bar only on a terminal (not in CI, not with `-q`).

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};

#[derive(Clone, Debug)]
pub struct Ui {
    /// `-q`: only errors (and the results a command exists to print).
    pub quiet: bool,
    /// `--json`: stdout carries one JSON document.
    pub json: bool,
    /// A person at a terminal (stderr is a TTY, `CI` is not set).
    pub interactive: bool,
    /// Colours allowed (no `NO_COLOR`).
    pub color: bool,
    pub verbose: u8,
    /// Progress lines start with this (`[eu-west-1] `) when several regions work at once.
    pub prefix: String,
}

impl Ui {
    /// A UI for this process: interactive when stderr is a terminal and `CI` is not set,
    /// colours unless `NO_COLOR` is set.
    pub fn new(quiet: bool, json: bool, verbose: u8) -> Self {
        let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false");
        Ui {
            quiet,
            json,
            interactive: std::io::stderr().is_terminal() && !ci,
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            verbose,
            prefix: String::new(),
        }
    }

    /// The same UI for the work of one region among several: progress lines say which region
    /// they are about, and there are no progress bars (they would fight over the terminal).
    pub fn in_region(&self, region: &str) -> Self {
        Ui { prefix: format!("[{region}] "), ..self.clone() }
    }

    /// A UI that prints plain lines (tests).
    pub fn plain() -> Self {
        Ui { quiet: false, json: false, interactive: false, color: false, verbose: 0, prefix: String::new() }
    }

    /// A progress line on stderr.
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            let mut e = std::io::stderr().lock();
            let _ = writeln!(e, "{}{}", self.prefix, msg.as_ref());
        }
    }

    /// Detail shown with `-v`.
    pub fn detail(&self, msg: impl AsRef<str>) {
        if self.verbose > 0 && !self.quiet {
            self.info(msg);
        }
    }

    /// A result on stdout (printed even with `-q`, unless `--json` owns stdout).
    pub fn result(&self, msg: impl AsRef<str>) {
        if !self.json {
            let mut o = std::io::stdout().lock();
            let _ = writeln!(o, "{}", msg.as_ref());
        }
    }

    /// The JSON document of a `--json` command.
    pub fn json_result(&self, value: &serde_json::Value) {
        let mut o = std::io::stdout().lock();
        let _ = writeln!(o, "{}", serde_json::to_string_pretty(value).unwrap_or_default());
    }

    /// A progress bar of `len` steps on a terminal; `None` elsewhere (print lines instead).
    pub fn bar(&self, len: u64, what: &str) -> Option<ProgressBar> {
        if !self.interactive || self.quiet || !self.prefix.is_empty() {
            return None;
        }
        let template = if self.color {
            "{spinner:.green} {msg:<12} [{bar:30.cyan/blue}] {pos}/{len} {wide_msg}"
        } else {
            "{spinner} {msg:<12} [{bar:30}] {pos}/{len}"
        };
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
        let pb = ProgressBar::new(len).with_style(style.progress_chars("=> "));
        pb.set_message(what.to_string());
        Some(pb)
    }

    /// Asks for confirmation on a terminal. `Ok(true)` when the answer is `yes` (or `expect`).
    pub fn confirm(&self, question: &str, expect: &str) -> std::io::Result<bool> {
        let mut e = std::io::stderr().lock();
        write!(e, "{question} ")?;
        e.flush()?;
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let answer = line.trim();
        Ok(answer == expect || (expect == "yes" && answer.eq_ignore_ascii_case("y")))
    }

    /// True when a confirmation prompt can be shown (stdin is a terminal).
    pub fn can_prompt(&self) -> bool {
        std::io::stdin().is_terminal()
    }
}
