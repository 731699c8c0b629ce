//! `--help` is complete: every flag and argument of every command and subcommand says what it
//! does, every choice of a value list is explained, and the commands whose exit code carries
//! meaning list their exit codes. Plus `checks list` and `checks explain` on ids that Docker
//! and Kubernetes share.

use clap::CommandFactory;
use threatbench::cli::Cli;

/// Every command, as its path of names (`threats catalog`).
fn commands(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
    out.push((path.clone(), cmd.clone()));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = if path.is_empty() {
            sub.get_name().to_string()
        } else {
            format!("{path} {}", sub.get_name())
        };
        commands(sub, name, out);
    }
}

#[test]
fn every_flag_argument_and_choice_is_explained() {
    let mut all = Vec::new();
    commands(&Cli::command(), String::new(), &mut all);
    let mut missing = Vec::new();
    for (path, cmd) in &all {
        if !path.is_empty() && cmd.get_about().is_none() {
            missing.push(format!("`{path}` has no description"));
        }
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("`{path}` argument {id} has no help"));
            }
            let values = arg.get_possible_values();
            // A list of more than two choices whose meaning is not obvious from the names.
            if values.len() > 2 && values.iter().any(|v| v.get_help().is_some()) {
                for v in values.iter().filter(|v| v.get_help().is_none()) {
                    missing.push(format!(
                        "`{path}` {id}: choice {} is not explained",
                        v.get_name()
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn commands_whose_exit_code_means_something_list_their_exit_codes() {
    let mut all = Vec::new();
    commands(&Cli::command(), String::new(), &mut all);
    for name in [
        "scan", "collect", "threats", "harden", "lint", "diff", "report",
    ] {
        let (_, cmd) = all.iter().find(|(p, _)| p == name).unwrap();
        let after = cmd
            .get_after_help()
            .or(cmd.get_after_long_help())
            .map(|s| s.to_string())
            .unwrap_or_default();
        assert!(after.contains("Exit codes:"), "`{name} --help`: {after}");
    }
}

#[test]
fn checks_list_separates_the_benchmarks_and_explain_names_the_other_fit() {
    let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .args(["checks", "list"])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    let docker = list
        .find("CIS Docker Benchmark v1.6.0 (cis-docker-1.6.0)")
        .unwrap();
    let kube = list
        .find("CIS Kubernetes Benchmark v1.12 (cis-kubernetes-1.12)")
        .unwrap();
    let docker_1_1_1 = list.find("host-docker-partition").unwrap();
    let kube_1_1_1 = list.find("k8s-file-apiserver-manifest-mode").unwrap();
    assert!(docker < docker_1_1_1 && docker_1_1_1 < kube && kube < kube_1_1_1);

    let out = assert_cmd::cargo::cargo_bin_cmd!("threatbench")
        .args(["checks", "explain", "1.1.1"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("host-docker-partition"));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("also: cis-kubernetes-1.12/1.1.1 (k8s-file-apiserver-manifest-mode)")
    );
}
