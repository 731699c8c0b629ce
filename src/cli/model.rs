//! `threatbench model`: the user's model file. `init` writes a starter threatmodel.yaml (and
//! never overwrites one); `check` validates a file and says what it would change.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{EXIT_OK, EXIT_USAGE};
use crate::threats::modelfile::{DEFAULT_MODEL_FILE, ModelFile, starter};

#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    pub command: ModelCommand,
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Write a starter threatmodel.yaml; refuses to overwrite an existing file (exit 2).
    Init {
        /// Where to write it.
        #[arg(default_value = DEFAULT_MODEL_FILE, value_name = "PATH")]
        path: PathBuf,
    },
    /// Validate a model file (syntax, required justifications, dates, custom threats): exit 0
    /// when valid, 2 with the line and reason when not.
    Check {
        /// The model file.
        #[arg(default_value = DEFAULT_MODEL_FILE, value_name = "PATH")]
        path: PathBuf,
    },
}

pub fn run(args: ModelArgs) -> anyhow::Result<u8> {
    match args.command {
        ModelCommand::Init { path } => {
            let host = std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty());
            // create_new: the human-owned file is never overwritten, even in a race.
            let mut file = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    anstream::eprintln!(
                        "threatbench: {} already exists; not overwriting it (edit it, or choose another path)",
                        path.display()
                    );
                    return Ok(EXIT_USAGE);
                }
                Err(e) => anyhow::bail!("writing {}: {e}", path.display()),
            };
            file.write_all(starter(host.as_deref()).as_bytes())?;
            anstream::println!("wrote {}", path.display());
            Ok(EXIT_OK)
        }
        ModelCommand::Check { path } => {
            let m = ModelFile::load(&path, crate::threats::builtin())?;
            anstream::println!(
                "{}: valid ({} annotations, {} decisions, {} suppressions, {} overrides, {} custom threats)",
                path.display(),
                m.annotations.len(),
                m.decisions.len(),
                m.suppressions.len(),
                m.overrides.len(),
                m.custom_threats.len()
            );
            Ok(EXIT_OK)
        }
    }
}
