//! The command line: one file per command. Exit codes are a public contract:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | the job completed (findings or not) |
//! | 1 | findings at or above `--fail-on` |
//! | 2 | usage error (bad flag, unreadable `--facts` file) |
//! | 3 | incomplete: a target could not be read (daemon unreachable, evidence missing); wins over 1 |

pub mod checks;
pub mod checks_docs;
pub mod collect;
pub mod diff;
pub mod fleet;
pub mod harden;
pub mod history;
pub mod lint;
pub mod model;
pub mod report;
pub mod scan;
pub mod store;
pub mod threats;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INCOMPLETE: u8 = 3;

const EXIT_CODES_HELP: &str = "Exit codes:
  0  the job completed (findings or not)
  1  findings at or above --fail-on (never without --fail-on)
  2  usage error (bad flag, unreadable or invalid --facts or --model file, unwritable --output)
  3  incomplete: a target could not be read (daemon unreachable, evidence missing); wins over 1";

#[derive(Debug, Parser)]
#[command(
    name = "threatbench",
    version,
    about = "Read-only audit of Docker and Kubernetes hosts: CIS benchmark checks linked to a STRIDE threat model",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit this machine (or a host root, or a facts bundle) against the CIS Docker and
    /// Kubernetes benchmarks, each failed check linked to the threats it leaves open.
    Scan(scan::ScanArgs),
    /// Collect the facts every check needs into one JSON bundle, to scan elsewhere with --facts.
    Collect(collect::CollectArgs),
    /// List the checks, or explain one.
    Checks(checks::ChecksArgs),
    /// Lint Dockerfiles, compose files and Kubernetes manifests (CIS Docker 4-5, CIS Kubernetes 5,
    /// Pod Security Standards).
    Lint(lint::LintArgs),
    /// The STRIDE threat model: which threats are exposed, mitigated or unknown, and why.
    Threats(threats::ThreatsArgs),
    /// The user's threat-model file (threatmodel.yaml): create a starter, validate.
    Model(model::ModelArgs),
    /// Plan what to harden first (patches as diffs and commands); --apply makes the local,
    /// reversible changes with a backup, --rollback undoes them.
    Harden(harden::HardenArgs),
    /// The whole assessment in one document: benchmark results, threat model, attack paths and
    /// the hardening plan, as a self-contained HTML page (default), Markdown or JSON.
    Report(report::ReportArgs),
    /// The scans recorded in the history store, newest first.
    History(history::HistoryArgs),
    /// What changed between two recorded scans (default: the last two of this host): new,
    /// fixed and changed findings per object, threat instances whose status changed.
    Diff(diff::DiffArgs),
    /// Across the hosts of a store: each host's newest scan, the threats exposed on the most
    /// hosts, the checks failing on the most, hosts not seen lately.
    Fleet(fleet::FleetArgs),
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // Before any work (a scan, an apply): a report that cannot be written is a usage error.
    if let Err(e) = output_paths(&cli.command)
        .into_iter()
        .try_for_each(|(flag, path)| check_output_dir(flag, path))
    {
        anstream::eprintln!("threatbench: error: {e:#}");
        return ExitCode::from(EXIT_USAGE);
    }
    let code = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Collect(args) => collect::run(args),
        Command::Checks(args) => checks::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Threats(args) => threats::run(args),
        Command::Model(args) => model::run(args),
        Command::Harden(args) => harden::run(args),
        Command::Report(args) => report::run(args),
        Command::History(args) => history::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Fleet(args) => fleet::run(args),
    };
    match code {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            anstream::eprintln!("threatbench: error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The files a command will write its report (or the discovered model) to, with their flag.
fn output_paths(command: &Command) -> Vec<(&'static str, &std::path::Path)> {
    let out = "--output";
    let paths = match command {
        Command::Scan(a) => vec![(out, a.output.as_deref())],
        Command::Collect(a) => vec![(out, a.output.as_deref())],
        Command::Lint(a) => vec![(out, a.output.as_deref())],
        Command::Harden(a) => vec![(out, a.output.as_deref())],
        Command::Report(a) => vec![(out, a.output.as_deref())],
        Command::History(a) => vec![(out, a.output.as_deref())],
        Command::Diff(a) => vec![(out, a.output.as_deref())],
        Command::Fleet(a) => vec![(out, a.output.as_deref())],
        Command::Threats(a) => match &a.command {
            Some(threats::ThreatsCommand::Catalog { output, .. }) => vec![(out, output.as_deref())],
            None => vec![
                (out, a.output.as_deref()),
                ("--write-discovered", a.write_discovered.as_deref()),
            ],
        },
        Command::Checks(_) | Command::Model(_) => vec![],
    };
    paths
        .into_iter()
        .filter_map(|(flag, p)| Some((flag, p?)))
        .collect()
}

/// A report file needs an existing directory to be written into (atomically, through a
/// temporary file beside it).
fn check_output_dir(flag: &str, path: &std::path::Path) -> anyhow::Result<()> {
    if path.is_dir() {
        anyhow::bail!("{flag} {}: is a directory", path.display());
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    anyhow::ensure!(
        dir.is_dir(),
        "{flag} {}: directory {} does not exist",
        path.display(),
        dir.display()
    );
    Ok(())
}

/// A single-threaded async runtime: collection is I/O-bound and the machine may have two cores.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// A positive duration in jiff's friendly (`6h`, `1h30m`, `90s`) or ISO 8601 (`PT6H`) form
/// (`--interval`, `--timeout`).
pub(crate) fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let parsed: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|e| format!("{text:?} is not a duration such as 30s, 15m, 6h or 1h30m ({e})"))?;
    std::time::Duration::try_from(parsed)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("{text:?}: the duration must be longer than zero"))
}

/// Hand the command's data to the process exit instead of freeing it: the OS takes the memory
/// back at once, where freeing a 100,000-pod cluster's objects one by one takes seconds.
pub(crate) fn leave_at_exit<T>(data: T) {
    std::mem::forget(data);
}

/// Write to `--output FILE` (atomically, via a temporary file in the same directory) or stdout.
pub(crate) fn write_output(path: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    write_output_with(path, |out| out.write_all(text.as_bytes()))
}

/// [`write_output`] for a renderer that writes as it goes (a big JSON document need not be
/// built in memory first).
pub(crate) fn write_output_with(
    path: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use std::io::Write;
    let to_file = |p: &std::path::Path,
                   write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>| {
        let mut f = std::io::BufWriter::new(std::fs::File::create(p)?);
        write(&mut f)?;
        f.flush()
    };
    let mut write = Some(write);
    let mut once = |out: &mut dyn Write| match write.take() {
        Some(w) => w(out),
        None => Ok(()),
    };
    match path {
        // A device, pipe or symlink target (`-o /dev/null`, `-o /dev/stdout`, a FIFO): write
        // into it. Renaming a temporary file over it would replace it.
        Some(p) if std::fs::metadata(p).is_ok_and(|m| !m.is_file()) => {
            to_file(p, &mut once).with_context(|| format!("writing {}", p.display()))
        }
        Some(p) => {
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let tmp = dir.join(format!(
                ".{}.tmp-{}",
                p.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
                std::process::id()
            ));
            if let Err(e) = to_file(&tmp, &mut once) {
                let _ = std::fs::remove_file(&tmp);
                return Err(e).with_context(|| format!("writing {}", p.display()));
            }
            std::fs::rename(&tmp, p).with_context(|| format!("writing {}", p.display()))?;
            Ok(())
        }
        None => {
            let mut out = anstream::stdout().lock();
            once(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}
