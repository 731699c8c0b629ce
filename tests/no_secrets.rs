//! Secrets stay out of every report: a real container on the private test daemon holds a
//! database password and a cloud secret key in its environment (and a token in a label), and is
//! risky enough (an added capability, a sensitive host mount) for the plan to re-create it. Every
//! format of `scan`, `threats` and `harden` is searched for the values; none may appear, while
//! the plan still names the variables it passes on. The history store those runs recorded into
//! is searched too: every stored report, decompressed.

mod common;

use common::Daemon;

const DB_PASSWORD: &str = "Pg-pr0d-Passw0rd-7731";
const AWS_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const LABEL_TOKEN: &str = "lbl-4f1d9a7c2e8b6035";

fn assert_no_secret(what: &str, text: &str) {
    for secret in [DB_PASSWORD, AWS_SECRET, LABEL_TOKEN] {
        assert!(!text.contains(secret), "{what} prints the secret {secret}");
    }
}

/// The history store every run records into (threatbench's own SQLite file).
fn store_path() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap())
        .path()
        .join("history.db")
}

fn run(d: &Daemon, args: &[&str]) -> String {
    let out = d
        .threatbench()
        .env("THREATBENCH_STORE", store_path())
        .args(args)
        .output()
        .expect("running threatbench");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=3)),
        "threatbench {args:?}: exit {code:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

#[test]
fn credential_values_appear_in_no_output_format() {
    let Some(d) = Daemon::main("credential_values_appear_in_no_output_format") else {
        return;
    };
    let db_password = format!("DB_PASSWORD={DB_PASSWORD}");
    let aws = format!("AWS_SECRET_ACCESS_KEY={AWS_SECRET}");
    let label = format!("vault_token={LABEL_TOKEN}");
    let c = d.run(
        "secrets",
        &[
            "--env",
            &db_password,
            "--env",
            &aws,
            "--env",
            "PGDATA=/var/lib/postgresql/data",
            "--label",
            &label,
            "--cap-add",
            "SYS_ADMIN",
            "--volume",
            "/etc:/host-etc",
        ],
    );

    for format in ["table", "json", "markdown", "junit", "sarif"] {
        let text = run(&d, &["scan", "--format", format, "--verbose"]);
        assert!(text.contains(&c.name), "scan {format} names the container");
        assert_no_secret(&format!("scan --format {format}"), &text);
    }
    for format in ["table", "json", "markdown", "sarif"] {
        let text = run(&d, &["threats", "--format", format]);
        assert_no_secret(&format!("threats --format {format}"), &text);
    }
    for format in ["html", "markdown", "json"] {
        let text = run(&d, &["report", "--format", format]);
        assert!(
            text.contains(&c.name),
            "report {format} names the container"
        );
        assert_no_secret(&format!("report --format {format}"), &text);
    }
    for format in ["text", "json", "markdown"] {
        let text = run(
            &d,
            &[
                "harden",
                "--select",
                "container-capabilities-restricted",
                "--select",
                "container-sensitive-host-mounts",
                "--format",
                format,
            ],
        );
        assert_no_secret(&format!("harden --format {format}"), &text);
        // The plan re-creates the container and passes the variables on by name.
        assert!(
            text.contains(&format!("{}-pre-harden", c.name)),
            "harden {format} re-creates the container"
        );
        assert!(text.contains("--env=DB_PASSWORD"), "harden {format}");
        assert!(
            text.contains("PGDATA=/var/lib/postgresql/data"),
            "harden {format}"
        );
    }

    use threatbench::store::Backend as _;
    let mut store = threatbench::store::sqlite::Sqlite::open(&store_path()).unwrap();
    let scans = store.scans(None, None).unwrap();
    assert!(
        scans.len() >= 10,
        "every scan, threats and report run recorded"
    );
    for s in scans {
        let report = store.report(s.id).unwrap().unwrap();
        let text = threatbench::store::record::decompress(&report).unwrap();
        assert!(
            text.contains(&c.name),
            "stored report {} names the container",
            s.id
        );
        assert_no_secret(&format!("stored report {}", s.id), &text);
    }
}
