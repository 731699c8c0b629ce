//! Patches: how each kind of change is computed and shown (diffs, commands), without side effects.

pub mod audit;
pub mod containers;
pub mod daemon_json;
pub mod files;
pub mod shell;
