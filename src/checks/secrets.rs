//! A small, pure secret detector for environment variables and build commands (image `Config.Env`,
//! container `Config.Env`, `docker history` lines, Dockerfile instructions).
//!
//! Written here rather than taken from a crate: the scanners that exist (gitleaks, trufflehog) are
//! Go programs with rule files of hundreds of regexes for source trees; what a container needs is a
//! handful of rules over `NAME=VALUE` pairs, explainable in one line of evidence, with no regex
//! engine. Three rules, in order:
//!
//! 1. the value starts like a known credential (`AKIA…`, `ghp_…`, `xoxb-…`, a PEM private key, a
//!    URL with a password in it);
//! 2. the name looks like a credential (`PASSWORD`, `SECRET`, `TOKEN`, `API_KEY`, …), not like a
//!    reference to one (`…_FILE`, `…_NAME`, `…_REF`, `…_ID`), and the value
//!    is not empty, a boolean, a number or a reference to a file or another variable;
//! 3. the value is a long random-looking string (Shannon entropy), whatever its name.
//!
//! Findings never carry the secret: only its first two characters and its length ([`mask`]).

use std::fmt;

/// Why a value was taken for a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The value has the shape of a known credential (the name of its kind).
    KnownPrefix(&'static str),
    /// The variable's name says it holds a credential.
    CredentialName,
    /// A long string with the character spread of random data.
    HighEntropy,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::KnownPrefix(kind) => write!(f, "value looks like {kind}"),
            Reason::CredentialName => f.write_str("name looks like a credential"),
            Reason::HighEntropy => f.write_str("long random-looking value"),
        }
    }
}

/// One suspected secret. `masked` is safe to print; the value itself is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The variable's name, when the secret was a `NAME=VALUE` pair.
    pub name: Option<String>,
    pub masked: String,
    pub reason: Reason,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name}={} ({})", self.masked, self.reason),
            None => write!(f, "{} ({})", self.masked, self.reason),
        }
    }
}

/// The first two characters of a value and its length: enough to recognise it, not to use it.
pub fn mask(value: &str) -> String {
    let head: String = value.chars().take(2).collect();
    format!("{head}…({} chars)", value.chars().count())
}

/// Shannon entropy of the string's characters, in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut total = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}

/// Words in a variable name that say it holds a credential. A name matches when one of its
/// `_`/`-`/`.`-separated words is one of these, or when it contains one of [`NAME_PHRASES`].
const NAME_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "PASS",
    "PWD",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "APIKEY",
    "PRIVATEKEY",
];

/// Multi-word credential names (matched on the upper-cased name with `-` and `.` as `_`).
const NAME_PHRASES: &[&str] = &[
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "SECRET_KEY",
    "AUTH_KEY",
    "CLIENT_SECRET",
    "SECRET_ACCESS_KEY",
    "ENCRYPTION_KEY",
    "SIGNING_KEY",
    "MASTER_KEY",
];

/// Names that contain a credential word but name something else (`PWD` is the working
/// directory).
const NAME_EXCEPTIONS: &[&str] = &["PWD", "OLDPWD"];

/// Name endings that make a credential name a reference to a secret rather than the secret:
/// `PASSWORD_FILE` and `SECRET_PATH` point at a mounted file (the recommended practice),
/// `ALLOYDB_SECRET_NAME`, `DB_PASSWORD_REF`, `API_TOKEN_ID` and `DB_SECRET_ARN` name an entry in
/// a secret store. Such a value is still judged by its shape (rules 1 and 3), so
/// `TOKEN_NAME=ghp_…` or a random 32-character string under any of these names is reported.
const NAME_REFERENCE_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_LOCATION",
    "_NAME",
    "_REF",
    "_ID",
    "_ARN",
];

/// Whether a variable name says it holds a credential (not a reference to one).
pub fn is_credential_name(name: &str) -> bool {
    let upper = name.trim().to_ascii_uppercase().replace(['-', '.'], "_");
    if upper.is_empty() || NAME_EXCEPTIONS.contains(&upper.as_str()) {
        return false;
    }
    if NAME_REFERENCE_SUFFIXES.iter().any(|s| upper.ends_with(s)) {
        return false;
    }
    upper.split('_').any(|w| NAME_WORDS.contains(&w))
        || NAME_PHRASES.iter().any(|p| upper.contains(p))
}

/// Values that cannot be a credential even under a credential name: empty, booleans, numbers,
/// references to other variables or to files.
fn is_inert_value(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    let lower = v.to_ascii_lowercase();
    v.is_empty()
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "none" | "null" | "nil"
        )
        || v.parse::<f64>().is_ok()
        || v.starts_with('$')
        || (v.starts_with('/') && !v.contains(char::is_whitespace))
}

/// A known credential shape at the start of the value.
fn known_prefix(value: &str) -> Option<&'static str> {
    let v = value.trim().trim_matches(['"', '\'']);
    let alnum_after = |prefix: &str, min: usize| {
        v.strip_prefix(prefix).is_some_and(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .count()
                >= min
        })
    };
    let upper_alnum_after = |prefix: &str| {
        v.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() >= 16
                && rest
                    .chars()
                    .take(16)
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
    };
    if v.contains("-----BEGIN") && v.contains("PRIVATE KEY") {
        return Some("a PEM private key");
    }
    if upper_alnum_after("AKIA") || upper_alnum_after("ASIA") {
        return Some("an AWS access key id");
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if alnum_after(prefix, 30) {
            return Some("a GitHub token");
        }
    }
    if alnum_after("github_pat_", 30) {
        return Some("a GitHub token");
    }
    if alnum_after("glpat-", 20) {
        return Some("a GitLab token");
    }
    for prefix in ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"] {
        if alnum_after(prefix, 10) {
            return Some("a Slack token");
        }
    }
    if alnum_after("sk_live_", 16) || alnum_after("rk_live_", 16) {
        return Some("a Stripe secret key");
    }
    if alnum_after("AIza", 30) {
        return Some("a Google API key");
    }
    if alnum_after("npm_", 30) {
        return Some("an npm token");
    }
    if url_with_password(v) {
        return Some("a URL with a password");
    }
    None
}

/// `scheme://user:password@host`, the password being more than a variable reference.
fn url_with_password(v: &str) -> bool {
    let Some((_, rest)) = v.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let Some((userinfo, _host)) = authority.rsplit_once('@') else {
        return false;
    };
    match userinfo.split_once(':') {
        Some((_, password)) => !password.is_empty() && !password.starts_with('$'),
        None => false,
    }
}

/// Minimum length and entropy for rule 3. Random base64 of 24 characters has about 4.3 bits per
/// character; English words, paths and version strings stay well below 4.
const ENTROPY_MIN_LEN: usize = 24;
const ENTROPY_MIN_BITS: f64 = 4.0;

/// A long random-looking token: base64/url-safe characters only, upper and lower case and
/// digits mixed, high entropy. Pure hex is left out: in images it is almost always a checksum or
/// a key fingerprint (`NODE_SHA256`, `GPG_KEY`), and real hex secrets are caught by their names.
fn looks_random(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    if v.len() < ENTROPY_MIN_LEN
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c))
    {
        return false;
    }
    let has_upper = v.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = v.chars().any(|c| c.is_ascii_lowercase());
    let has_digit = v.chars().any(|c| c.is_ascii_digit());
    has_upper
        && has_lower
        && has_digit
        && shannon_entropy(v) >= ENTROPY_MIN_BITS
        && class_switch_ratio(v) >= MIN_CLASS_SWITCH_RATIO
}

/// Random base62/base64 text switches between upper case, lower case and digits at about 6 of
/// 10 characters; CamelCase words and version strings at 3 or fewer. Entropy alone cannot tell
/// `ApplicationServerBootstrapLauncher2024` from a token.
const MIN_CLASS_SWITCH_RATIO: f64 = 0.45;

fn class_switch_ratio(v: &str) -> f64 {
    let class = |c: char| {
        if c.is_ascii_uppercase() {
            0
        } else if c.is_ascii_lowercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        }
    };
    let classes: Vec<u8> = v.chars().map(class).collect();
    if classes.len() < 2 {
        return 0.0;
    }
    let switches = classes.windows(2).filter(|w| w[0] != w[1]).count();
    switches as f64 / (classes.len() - 1) as f64
}

/// The one `_ID` name that holds a secret: a Vault AppRole `secret_id` (`VAULT_SECRET_ID`) is the
/// AppRole's password, and it is a UUID, which is neither a known prefix nor random-looking by
/// [`looks_random`] (lower-case hex). A secret store's id of a secret (`ALLOYDB_SECRET_ID`) is a
/// name or a path, not a UUID.
fn is_approle_secret_id(name: &str, value: &str) -> bool {
    let upper = name.trim().to_ascii_uppercase().replace(['-', '.'], "_");
    let is_uuid = value.len() == 36
        && value.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    upper.ends_with("SECRET_ID") && is_uuid
}

/// Judge one `NAME=VALUE` pair (an environment variable, an `ENV` or `ARG` assignment).
pub fn check_assignment(name: &str, value: &str) -> Option<Finding> {
    let clean = value.trim().trim_matches(['"', '\'']);
    let reason = if let Some(kind) = known_prefix(clean) {
        Reason::KnownPrefix(kind)
    } else if (is_credential_name(name) || is_approle_secret_id(name, clean))
        && !is_inert_value(clean)
    {
        Reason::CredentialName
    } else if looks_random(clean) {
        Reason::HighEntropy
    } else {
        return None;
    };
    Some(Finding {
        name: Some(name.trim().to_string()),
        masked: mask(clean),
        reason,
    })
}

/// Judge one `NAME=VALUE` environment entry as Docker stores it (`Config.Env`).
pub fn check_env_entry(entry: &str) -> Option<Finding> {
    let (name, value) = entry.split_once('=')?;
    check_assignment(name, value)
}

/// Scan free text (a build command): every `NAME=VALUE` word is judged as an assignment, and
/// known credential shapes are found anywhere (a token passed as an argument, a PEM block).
pub fn scan_text(text: &str) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let push = |f: Finding, out: &mut Vec<Finding>| {
        if !out.contains(&f) {
            out.push(f);
        }
    };
    if let Some(start) = text.find("-----BEGIN")
        && let Some(f) = check_pem(&text[start..])
    {
        push(f, &mut out);
    }
    for word in text.split_whitespace() {
        let word = word.trim_matches(['"', '\'', ';', '&', '|', '(', ')', '`']);
        if let Some((name, value)) = word.split_once('=') {
            let name = name.trim_start_matches("--");
            if is_identifier(name)
                && let Some(f) = check_assignment(name, value)
            {
                push(f, &mut out);
                continue;
            }
        }
        if word.contains("PRIVATE") {
            continue; // part of a PEM block, reported above
        }
        let candidate = word.rsplit_once('=').map_or(word, |(_, v)| v);
        if let Some(kind) = known_prefix(candidate) {
            push(
                Finding {
                    name: None,
                    masked: mask(candidate),
                    reason: Reason::KnownPrefix(kind),
                },
                &mut out,
            );
        }
    }
    out
}

fn check_pem(text: &str) -> Option<Finding> {
    let end = text.find("-----END").map_or(text.len(), |i| {
        text[i..]
            .find("KEY-----")
            .map_or(text.len(), |j| i + j + "KEY-----".len())
    });
    let block = &text[..end];
    known_prefix(block).map(|kind| Finding {
        name: None,
        masked: mask(block),
        reason: Reason::KnownPrefix(kind),
    })
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_shows_two_characters_and_the_length() {
        assert_eq!(mask("s3cretvalue"), "s3…(11 chars)");
        assert_eq!(mask("x"), "x…(1 chars)");
        assert_eq!(mask(""), "…(0 chars)");
    }

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert_eq!(shannon_entropy(""), 0.0);
    }

    #[test]
    fn credential_names_match_and_references_do_not() {
        for name in [
            "PASSWORD",
            "DB_PASSWORD",
            "postgres_password",
            "MYSQL_ROOT_PASSWORD",
            "API_KEY",
            "STRIPE_APIKEY",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "CLIENT_SECRET",
            "PRIVATE_KEY",
            "REDIS_PASS",
            "auth-token",
        ] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in [
            "PATH",
            "PWD",
            "OLDPWD",
            "HOME",
            "GPG_KEY",
            "PASSWORD_FILE",
            "SECRET_PATH",
            "ALLOYDB_SECRET_NAME",
            "DB_PASSWORD_REF",
            "API_TOKEN_ID",
            "DB_SECRET_ARN",
            "vault-secret-name",
            "TOKENIZER_MODE_X",
            "PASSENGER_VERSION",
        ] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn credential_names_with_inert_values_are_not_secrets() {
        for (n, v) in [
            ("PASSWORD", ""),
            ("TOKEN_TTL", "3600"),
            ("SECRET_ENABLED", "true"),
            ("DB_PASSWORD", "$DB_PASSWORD"),
            ("API_KEY", "/run/secrets/api_key"),
        ] {
            assert_eq!(check_assignment(n, v), None, "{n}={v}");
        }
    }

    #[test]
    fn references_to_secrets_are_not_secrets_unless_the_value_looks_like_one() {
        // Names of entries in a secret store, and files holding the secret.
        for (n, v) in [
            ("ALLOYDB_SECRET_NAME", "alloydb-password"),
            ("PASSWORD_FILE", "/run/secrets/db"),
            ("PASSWORD_FILE", "db-password.txt"),
            ("DB_PASSWORD_REF", "prod/db/password"),
            ("API_TOKEN_ID", "tok-0042"),
            (
                "DB_SECRET_ARN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
            ),
            ("ALLOYDB_SECRET_ID", "projects/p/secrets/alloydb/versions/3"),
            ("AWS_ACCESS_KEY_ID", "not-an-aws-key"),
        ] {
            assert_eq!(check_assignment(n, v), None, "{n}={v}");
        }
        // The value itself is a secret: reported whatever the name says.
        let f = check_assignment("TOKEN_NAME", "ghp_abcdefghijklmnopqrstuvwxyz0123456789").unwrap();
        assert_eq!(f.reason, Reason::KnownPrefix("a GitHub token"));
        let f = check_assignment("SECRET_REF", "q8Zr4TmW1xK9bVn2Lp7YdH3sJf6Gc0Ae").unwrap();
        assert_eq!(f.reason, Reason::HighEntropy);
        let f = check_assignment("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE").unwrap();
        assert_eq!(f.reason, Reason::KnownPrefix("an AWS access key id"));
        // A Vault AppRole secret id is the AppRole's password (a UUID).
        let f =
            check_assignment("VAULT_SECRET_ID", "6a1f3c2e-9b4d-4e8a-b7c5-0d2e1f3a4b5c").unwrap();
        assert_eq!(f.reason, Reason::CredentialName);
        // Without a credential word, an `_ID` stays a plain identifier.
        assert_eq!(
            check_assignment("CLIENT_ID", "6a1f3c2e-9b4d-4e8a-b7c5-0d2e1f3a4b5c"),
            None
        );
    }

    #[test]
    fn credential_name_with_a_value_is_a_secret_and_masked() {
        let f = check_env_entry("PASSWORD=s3cretvalue").unwrap();
        assert_eq!(f.reason, Reason::CredentialName);
        assert_eq!(f.masked, "s3…(11 chars)");
        assert_eq!(
            f.to_string(),
            "PASSWORD=s3…(11 chars) (name looks like a credential)"
        );
        assert!(!f.to_string().contains("s3cretvalue"));
    }

    #[test]
    fn known_prefixes_are_found_under_any_name() {
        let cases = [
            ("AWS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
            (
                "X",
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                "a GitHub token",
            ),
            ("SLACK", "xoxb-1234567890-abcdefghij", "a Slack token"),
            (
                "KEYDATA",
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
                "a PEM private key",
            ),
            (
                "DATABASE_URL",
                "postgres://app:hunter2@db:5432/app",
                "a URL with a password",
            ),
        ];
        for (name, value, kind) in cases {
            let f = check_assignment(name, value).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(f.reason, Reason::KnownPrefix(kind), "{name}");
        }
        assert_eq!(
            check_assignment("DATABASE_URL", "postgres://app@db:5432/app"),
            None
        );
        assert_eq!(
            check_assignment("DATABASE_URL", "postgres://app:$PW@db/app"),
            None
        );
    }

    #[test]
    fn high_entropy_values_are_found_but_checksums_and_words_are_not() {
        let f = check_assignment("SESSION_SALT_X", "q8Zr4TmW1xK9bVn2Lp7YdH3sJf6Gc0Ae").unwrap();
        assert_eq!(f.reason, Reason::HighEntropy);
        for (n, v) in [
            (
                "NODE_SHA256",
                "e0065c61f340e85106a99c4b54746c5cee09d59b08c5712f67f99e92aa44995d",
            ),
            ("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D"),
            (
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ),
            ("LANG", "C.UTF-8"),
            ("PYTHON_VERSION", "3.12.4"),
            ("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"),
            ("MAIN_CLASS", "ApplicationServerBootstrapLauncher2024"),
        ] {
            assert_eq!(check_assignment(n, v), None, "{n}={v}");
        }
    }

    #[test]
    fn build_commands_are_scanned_for_assignments_and_tokens() {
        // Shapes taken from `docker history --no-trunc` of images built with the legacy builder.
        let arg_run = "|1 TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 /bin/sh -c echo update";
        let found = scan_text(arg_run);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].name.as_deref(), Some("TOKEN"));
        assert_eq!(found[0].masked, "gh…(40 chars)");

        let env = "/bin/sh -c #(nop)  ENV PASSWORD=s3cretvalue";
        assert_eq!(scan_text(env)[0].name.as_deref(), Some("PASSWORD"));

        let curl = "/bin/sh -c curl -H \"Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789\" https://x";
        let found = scan_text(curl);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, None);

        let pem = "/bin/sh -c echo '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----' > /root/.ssh/id";
        let found = scan_text(pem);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].reason, Reason::KnownPrefix("a PEM private key"));

        for clean in [
            "/bin/sh -c apt-get update && apt-get install -y curl",
            "/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin",
            "/bin/sh -c #(nop)  ENV PASSWORD_FILE=/run/secrets/db",
            "RUN /bin/sh -c set -eux; ./configure --prefix=/usr # buildkit",
        ] {
            assert_eq!(scan_text(clean), vec![], "{clean}");
        }
    }
}
