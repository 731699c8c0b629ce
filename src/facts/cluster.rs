//! Cluster objects read from `kubectl get -A -o json` dumps (`--cluster-dump`) or the API server
//! (`--kube-api`), with an index built on first use: by kind, and by (kind, namespace, name).
//! Every check and the threat model look objects up through it, so a cluster of 100,000 pods
//! costs one pass to index and constant time per lookup (a scan of all objects per binding or
//! per namespace made 10,000 pods take half a minute).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Objects read from `kubectl get ... -o json` dumps.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterFacts {
    /// The dump directory.
    pub dir: String,
    /// Files read, with the number of objects each held.
    pub files: Vec<String>,
    /// Objects of the kinds the checks read, trimmed to what they examine (see
    /// `collect::kube::trim_object`: no managedFields, status only of Nodes, only the seccomp
    /// and AppArmor annotations).
    pub objects: Vec<Value>,
    /// Files that could not be read or parsed, named.
    #[serde(default)]
    pub problems: Vec<String>,
    /// Kinds the dump lists even when it holds none of them (from file names such as
    /// networkpolicies.json), to tell "none exist" from "not dumped".
    #[serde(default)]
    pub listed: Vec<String>,
    #[serde(skip)]
    index: LazyIndex,
}

/// Resource names (as `kubectl get` and dump file names spell them) of the kinds read.
pub const DUMP_RESOURCES: &[(&str, &str)] = &[
    ("clusterroles", "ClusterRole"),
    ("clusterrolebindings", "ClusterRoleBinding"),
    ("roles", "Role"),
    ("rolebindings", "RoleBinding"),
    ("pods", "Pod"),
    ("serviceaccounts", "ServiceAccount"),
    ("namespaces", "Namespace"),
    ("networkpolicies", "NetworkPolicy"),
    ("limitranges", "LimitRange"),
    ("resourcequotas", "ResourceQuota"),
    ("deployments", "Deployment"),
    ("daemonsets", "DaemonSet"),
    ("statefulsets", "StatefulSet"),
    ("replicasets", "ReplicaSet"),
    ("jobs", "Job"),
    ("cronjobs", "CronJob"),
    ("nodes", "Node"),
    (
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
    ),
    (
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
    ),
];

/// The shell loop that writes a complete dump, one file per resource (the README shows it).
pub fn dump_command() -> String {
    let resources: Vec<&str> = DUMP_RESOURCES.iter().map(|(plural, _)| *plural).collect();
    format!(
        "for r in {}; do kubectl get $r -A -o json > $r.json; done; kubectl version -o json > version.json",
        resources.join(" ")
    )
}

impl ClusterFacts {
    /// Nothing read yet from `dir` (a dump directory or an API server's address).
    pub fn new(dir: impl Into<String>) -> ClusterFacts {
        ClusterFacts {
            dir: dir.into(),
            ..Default::default()
        }
    }

    /// Whether the dump covers this kind: objects of it, or a file named after it.
    pub fn is_listed(&self, kind: &str) -> bool {
        self.has_kind(kind) || self.listed.iter().any(|k| k == kind)
    }

    /// Objects of one kind (`Pod`, `ClusterRoleBinding`, ...), in dump order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Value> + 'a {
        self.index()
            .by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.objects[i])
    }

    /// Whether the dump held any object of this kind (to tell "none exist" from "not dumped").
    pub fn has_kind(&self, kind: &str) -> bool {
        self.index().by_kind.contains_key(kind)
    }

    /// The object of this kind, namespace (empty for cluster-scoped kinds) and name.
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<&Value> {
        let i = self.index().by_name.get(kind)?.get(namespace)?.get(name)?;
        Some(&self.objects[*i])
    }

    /// Objects of one kind in one namespace.
    pub fn in_namespace<'a>(
        &'a self,
        kind: &str,
        namespace: &str,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        let key = (kind.to_string(), namespace.to_string());
        self.index()
            .by_namespace
            .get(&key)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.objects[i])
    }

    fn index(&self) -> &ClusterIndex {
        let index = self
            .index
            .0
            .get_or_init(|| ClusterIndex::build(&self.objects));
        debug_assert_eq!(
            index.objects,
            self.objects.len(),
            "objects added after indexing"
        );
        index
    }
}

/// Positions in [`ClusterFacts::objects`].
#[derive(Debug, Default)]
struct ClusterIndex {
    /// How many objects were indexed (objects are only added before the first lookup).
    objects: usize,
    by_kind: HashMap<String, Vec<usize>>,
    by_namespace: HashMap<(String, String), Vec<usize>>,
    /// kind → namespace → name: looked up with borrowed strings, no key built per lookup.
    by_name: HashMap<String, HashMap<String, HashMap<String, usize>>>,
}

impl ClusterIndex {
    fn build(objects: &[Value]) -> ClusterIndex {
        let mut index = ClusterIndex {
            objects: objects.len(),
            ..Default::default()
        };
        for (i, o) in objects.iter().enumerate() {
            let text = |ptr: &str| o.pointer(ptr).and_then(Value::as_str).unwrap_or("");
            let kind = text("/kind");
            if kind.is_empty() {
                continue;
            }
            let (ns, name) = (text("/metadata/namespace"), text("/metadata/name"));
            index.by_kind.entry(kind.to_string()).or_default().push(i);
            index
                .by_namespace
                .entry((kind.to_string(), ns.to_string()))
                .or_default()
                .push(i);
            // A name given twice (two dump files listing the same object) keeps the first.
            index
                .by_name
                .entry(kind.to_string())
                .or_default()
                .entry(ns.to_string())
                .or_default()
                .entry(name.to_string())
                .or_insert(i);
        }
        index
    }
}

/// The index, built on first use; it is derived data, so copies start without one and every
/// two indexes compare equal.
#[derive(Debug, Default)]
struct LazyIndex(OnceLock<ClusterIndex>);

impl Clone for LazyIndex {
    fn clone(&self) -> Self {
        LazyIndex::default()
    }
}

impl PartialEq for LazyIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn facts(objects: Vec<Value>) -> ClusterFacts {
        ClusterFacts {
            objects,
            ..Default::default()
        }
    }

    #[test]
    fn looks_objects_up_by_kind_namespace_and_name() {
        let c = facts(vec![
            json!({"kind": "Role", "metadata": {"namespace": "a", "name": "r"}}),
            json!({"kind": "ClusterRole", "metadata": {"name": "r"}}),
            json!({"kind": "Role", "metadata": {"namespace": "b", "name": "r"}}),
            json!({"kind": "Role", "metadata": {"namespace": "a", "name": "r"}, "dup": true}),
            json!({"metadata": {"name": "no kind"}}),
        ]);
        assert_eq!(c.of_kind("Role").count(), 3);
        assert!(c.has_kind("ClusterRole") && !c.has_kind("Pod"));
        assert_eq!(c.of_kind("Pod").count(), 0);
        let role = c.get("Role", "b", "r").expect("role b/r");
        assert_eq!(role.pointer("/metadata/namespace"), Some(&json!("b")));
        assert!(c.get("Role", "a", "r").unwrap().get("dup").is_none());
        assert!(c.get("ClusterRole", "", "r").is_some());
        assert!(c.get("ClusterRole", "a", "r").is_none());
        assert_eq!(c.in_namespace("Role", "a").count(), 2);
    }

    #[test]
    fn the_readme_shows_the_complete_dump_command() {
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&format!("`{}`", dump_command())),
            "README.md should show `{}`",
            dump_command()
        );
    }

    #[test]
    fn a_copy_builds_its_own_index() {
        let c = facts(vec![json!({"kind": "Pod", "metadata": {"name": "p"}})]);
        assert!(c.has_kind("Pod"));
        let mut copy = c.clone();
        copy.objects
            .push(json!({"kind": "Node", "metadata": {"name": "n"}}));
        assert!(copy.has_kind("Node"));
        assert_eq!(c, c.clone());
    }
}
