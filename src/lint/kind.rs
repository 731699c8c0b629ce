//! What kind of artifact a file is: by name first (`Dockerfile`, `compose.yaml`), else by what
//! its documents contain.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Dockerfile,
    Compose,
    Kubernetes,
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Dockerfile => "dockerfile",
            Kind::Compose => "compose",
            Kind::Kubernetes => "kubernetes",
            Kind::Unknown => "unknown",
        }
    }
}

/// A cheap look at the text before parsing: could it hold a manifest or a compose file at all?
/// Keeps a directory walk from parsing every `package.json` and CI workflow in a project.
pub fn may_be_structured_artifact(text: &str) -> bool {
    (text.contains("apiVersion") && text.contains("kind")) || text.contains("services")
}

/// Whether a document is a Kubernetes object (or a List of them).
pub fn is_kubernetes_object(v: &Value) -> bool {
    v.get("apiVersion").is_some_and(Value::is_string) && v.get("kind").is_some_and(Value::is_string)
}

/// Whether a document is a compose file: a `services` mapping whose entries are mappings with
/// the keys a service has.
pub fn is_compose(v: &Value) -> bool {
    let Some(services) = v.get("services").and_then(Value::as_object) else {
        return false;
    };
    !services.is_empty()
        && services.values().all(|s| {
            s.as_object().is_some_and(|o| {
                o.is_empty()
                    || [
                        "image",
                        "build",
                        "extends",
                        "command",
                        "environment",
                        "ports",
                        "volumes",
                    ]
                    .iter()
                    .any(|k| o.contains_key(*k))
            })
        })
        && !is_kubernetes_object(v)
}

/// The kind of a YAML or JSON stream, from its documents.
pub fn detect_structured<'a>(docs: impl Iterator<Item = &'a Value>) -> Kind {
    let mut kind = Kind::Unknown;
    for d in docs {
        if is_kubernetes_object(d) {
            return Kind::Kubernetes;
        }
        if is_compose(d) {
            kind = Kind::Compose;
        }
    }
    kind
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents_decide_the_kind() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod"});
        let compose = json!({"services": {"web": {"image": "nginx"}}});
        let workflow =
            json!({"on": "push", "jobs": {"build": {"services": {"db": {"image": "x"}}}}});
        let openapi = json!({"services": {"a": "not a mapping"}});
        assert_eq!(detect_structured([&pod].into_iter()), Kind::Kubernetes);
        assert_eq!(detect_structured([&compose].into_iter()), Kind::Compose);
        assert_eq!(detect_structured([&workflow].into_iter()), Kind::Unknown);
        assert_eq!(detect_structured([&openapi].into_iter()), Kind::Unknown);
        assert_eq!(
            detect_structured([&json!({"a": 1}), &pod].into_iter()),
            Kind::Kubernetes
        );
    }
}
