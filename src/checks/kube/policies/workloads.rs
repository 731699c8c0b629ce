//! The workloads of a cluster dump, as a person edits them: each pod followed through its
//! controller `ownerReferences` to the object at the top (Pod → ReplicaSet → Deployment,
//! Pod → Job → CronJob, Pod → StatefulSet or DaemonSet), and every top-level controller with
//! its pod template, running or not (a Deployment scaled to 0 or a CronJob between runs is
//! still a risk). A bare pod is its own workload. An owner the dump does not hold stops the
//! chain at the last object it names, and the workload says so.
//!
//! The per-pod checks judge a workload once, over its template and every pod it runs
//! ([`super::pods`]), so 10,000 replicas make a few thousand verdicts named after the objects
//! people own (`deployment shop/web`), not one per replica.

use std::collections::HashMap;

use serde_json::Value;

use super::{namespace, qualified, s};
use crate::facts::kube::ClusterFacts;

/// Controllers whose pod template is judged when they are at the top of a chain.
const CONTROLLERS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "CronJob",
    "Job",
    "ReplicaSet",
    "ReplicationController",
];

/// Links followed at most (a Pod → Job → CronJob chain has two); more means a loop.
const MAX_CHAIN: usize = 4;

/// One workload: what a person edits, with the pods it runs.
pub(crate) struct Workload<'a> {
    /// The object name every per-pod check reports for it (`deployment shop/web`,
    /// `pod shop/debug`), which the threat model matches its elements against.
    pub name: String,
    /// Its kind in lower case (`deployment`, `pod`) and its own name, for element ids.
    pub kind: String,
    pub own_name: String,
    pub namespace: &'a str,
    /// The controller object whose template is judged; `None` when the dump does not hold the
    /// top of the chain (the pods alone are judged) and for a bare pod.
    pub controller: Option<&'a Value>,
    /// The pods it runs, in dump order.
    pub pods: Vec<&'a Value>,
    /// Where the ownership chain stopped short (an owner missing from the dump).
    pub note: Option<String>,
    /// The kind of the owner it is named after when the dump lists no object of that kind at
    /// all (said once for the whole dump, not per workload).
    pub owner_not_dumped: Option<&'a str>,
}

impl<'a> Workload<'a> {
    /// The pod spec that stands for the workload: its template, else its first pod's.
    pub fn spec(&self) -> Option<&'a Value> {
        match self.controller {
            Some(c) => template_spec(c),
            None => self.pods.first().and_then(|p| p.get("spec")),
        }
    }

    /// Every object the evaluator judges for it: the controller (its template) and each pod.
    pub fn judged_objects(&self) -> impl Iterator<Item = &'a Value> + '_ {
        self.controller
            .filter(|c| template_spec(c).is_some())
            .into_iter()
            .chain(self.pods.iter().copied())
    }

    /// `3 pods`, `1 pod`, `no pod running`.
    pub fn replicas(&self) -> String {
        match self.pods.len() {
            0 => "no pod running".to_string(),
            1 => "1 pod".to_string(),
            n => format!("{n} pods"),
        }
    }
}

/// The pod spec of a controller's template (a CronJob's inside its job template).
pub(crate) fn template_spec(o: &Value) -> Option<&Value> {
    match o.get("kind").and_then(Value::as_str) {
        Some("CronJob") => o.pointer("/spec/jobTemplate/spec/template/spec"),
        Some("Pod") => o.get("spec"),
        _ => o.pointer("/spec/template/spec"),
    }
}

/// The controller reference of an object (`controller: true`), as (kind, name).
fn controller_ref(o: &Value) -> Option<(&str, &str)> {
    o.pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|r| r.get("controller") == Some(&Value::Bool(true)))
        .map(|r| (s(r, "/kind"), s(r, "/name")))
        .filter(|(kind, name)| !kind.is_empty() && !name.is_empty())
}

/// Where a chain ends: the top object when the dump holds it, else the last reference.
enum Top<'a> {
    Object(&'a Value),
    Missing {
        kind: &'a str,
        name: &'a str,
        /// Whether the dump lists that kind at all (if not, the gap is said once, not here).
        kind_dumped: bool,
    },
}

/// Follow controller references up from `o` in its namespace.
fn top<'a>(c: &'a ClusterFacts, o: &'a Value) -> Top<'a> {
    let ns = namespace(o);
    let mut current = o;
    for _ in 0..MAX_CHAIN {
        let Some((kind, name)) = controller_ref(current) else {
            break;
        };
        match c.get(kind, ns, name) {
            Some(owner) => current = owner,
            None => {
                return Top::Missing {
                    kind,
                    name,
                    kind_dumped: c.is_listed(kind),
                };
            }
        }
    }
    Top::Object(current)
}

/// Every workload of the dump: pods grouped under the object at the top of their chain, then
/// top-level controllers that run no pod, in dump order of their first sighting. A pod whose
/// owner is missing is grouped under that owner's name (what a person edits, known from the
/// reference), judged on its pods alone, with a note naming the missing object.
pub(crate) fn workloads(c: &ClusterFacts) -> Vec<Workload<'_>> {
    let mut out: Vec<Workload> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for pod in c.of_kind("Pod") {
        let ns = namespace(pod);
        let (kind, own_name, controller, note, owner_not_dumped) = match top(c, pod) {
            Top::Object(o) if std::ptr::eq(o, pod) => (
                "Pod".to_string(),
                s(pod, "/metadata/name").to_string(),
                None,
                None,
                None,
            ),
            Top::Object(o) => (
                s(o, "/kind").to_string(),
                s(o, "/metadata/name").to_string(),
                Some(o),
                None,
                None,
            ),
            Top::Missing {
                kind,
                name,
                kind_dumped,
            } => (
                kind.to_string(),
                name.to_string(),
                None,
                kind_dumped
                    .then(|| format!("its owner {kind} {ns}/{name} is not in the cluster dump")),
                (!kind_dumped).then_some(kind),
            ),
        };
        let key = format!("{kind}/{ns}/{own_name}");
        let i = *at.entry(key).or_insert_with(|| {
            out.push(Workload {
                name: format!("{} {ns}/{own_name}", kind.to_lowercase()),
                kind: kind.to_lowercase(),
                own_name: own_name.clone(),
                namespace: ns,
                controller,
                pods: Vec::new(),
                note,
                owner_not_dumped,
            });
            out.len() - 1
        });
        out[i].pods.push(pod);
    }
    for kind in CONTROLLERS {
        for o in c.of_kind(kind) {
            // Owned controllers (a Deployment's ReplicaSets, a CronJob's Jobs) are reached
            // through their owner; an owner missing from the dump leaves them on top.
            if controller_ref(o).is_some_and(|(k, n)| c.get(k, namespace(o), n).is_some()) {
                continue;
            }
            let key = format!("{kind}/{}/{}", namespace(o), s(o, "/metadata/name"));
            if at.contains_key(&key) || template_spec(o).is_none() {
                continue;
            }
            at.insert(key, out.len());
            out.push(Workload {
                name: format!("{} {}", kind.to_lowercase(), qualified(o)),
                kind: kind.to_lowercase(),
                own_name: s(o, "/metadata/name").to_string(),
                namespace: namespace(o),
                controller: Some(o),
                pods: Vec::new(),
                note: None,
                owner_not_dumped: None,
            });
        }
    }
    out
}
