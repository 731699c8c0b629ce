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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn owned(kind: &str, name: &str, ns: &str, owner: Option<(&str, &str)>, spec: Value) -> Value {
        let mut o =
            json!({"kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec});
        if let Some((k, n)) = owner {
            o["metadata"]["ownerReferences"] = json!([{"kind": k, "name": n, "controller": true}]);
        }
        o
    }

    fn pod(name: &str, owner: Option<(&str, &str)>) -> Value {
        owned(
            "Pod",
            name,
            "shop",
            owner,
            json!({"containers": [{"name": "c"}]}),
        )
    }

    fn template() -> Value {
        json!({"template": {"spec": {"containers": [{"name": "c"}]}}})
    }

    fn cluster(objects: Vec<Value>, listed: &[&str]) -> ClusterFacts {
        let mut c = ClusterFacts::new("dump");
        c.objects = objects;
        c.listed = listed.iter().map(|k| k.to_string()).collect();
        c
    }

    fn by_name<'a>(ws: &'a [Workload<'a>], name: &str) -> &'a Workload<'a> {
        ws.iter().find(|w| w.name == name).unwrap_or_else(|| {
            panic!(
                "no workload {name}: {:?}",
                ws.iter().map(|w| &w.name).collect::<Vec<_>>()
            )
        })
    }

    #[test]
    fn pods_are_grouped_under_the_object_a_person_edits() {
        let c = cluster(
            vec![
                owned("Deployment", "web", "shop", None, template()),
                owned(
                    "ReplicaSet",
                    "web-7d9",
                    "shop",
                    Some(("Deployment", "web")),
                    json!({}),
                ),
                // An old ReplicaSet scaled to 0: reached through its Deployment, not a workload.
                owned(
                    "ReplicaSet",
                    "web-5c1",
                    "shop",
                    Some(("Deployment", "web")),
                    json!({}),
                ),
                pod("web-7d9-a", Some(("ReplicaSet", "web-7d9"))),
                pod("web-7d9-b", Some(("ReplicaSet", "web-7d9"))),
                owned(
                    "CronJob",
                    "report",
                    "shop",
                    None,
                    json!({"jobTemplate": {"spec": template()}}),
                ),
                owned(
                    "Job",
                    "report-2911",
                    "shop",
                    Some(("CronJob", "report")),
                    json!({}),
                ),
                pod("report-2911-x", Some(("Job", "report-2911"))),
                owned("StatefulSet", "db", "shop", None, template()),
                pod("db-0", Some(("StatefulSet", "db"))),
                owned("DaemonSet", "agent", "shop", None, template()),
                pod("agent-n1", Some(("DaemonSet", "agent"))),
                pod("debug", None),
                // Scaled to 0 and between runs: judged by their templates.
                owned("Deployment", "idle", "shop", None, template()),
                owned(
                    "CronJob",
                    "weekly",
                    "shop",
                    None,
                    json!({"jobTemplate": {"spec": template()}}),
                ),
            ],
            &[],
        );
        let ws = workloads(&c);
        let names: Vec<&str> = ws.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "deployment shop/web",
                "cronjob shop/report",
                "statefulset shop/db",
                "daemonset shop/agent",
                "pod shop/debug",
                "deployment shop/idle",
                "cronjob shop/weekly",
            ]
        );
        let web = by_name(&ws, "deployment shop/web");
        assert_eq!(web.pods.len(), 2);
        assert_eq!(web.replicas(), "2 pods");
        assert_eq!(web.judged_objects().count(), 3, "template and two pods");
        let report = by_name(&ws, "cronjob shop/report");
        assert_eq!(report.pods.len(), 1);
        assert!(report.spec().is_some(), "the CronJob's template");
        let debug = by_name(&ws, "pod shop/debug");
        assert!(debug.controller.is_none() && debug.kind == "pod");
        let idle = by_name(&ws, "deployment shop/idle");
        assert_eq!(idle.replicas(), "no pod running");
        assert_eq!(idle.judged_objects().count(), 1);
        assert!(
            ws.iter()
                .all(|w| w.note.is_none() && w.owner_not_dumped.is_none())
        );
    }

    #[test]
    fn a_missing_owner_stops_the_chain_and_says_so() {
        // The ReplicaSet is dumped, its Deployment is not in the dump although deployments are.
        let c = cluster(
            vec![
                owned(
                    "ReplicaSet",
                    "api-6f2",
                    "shop",
                    Some(("Deployment", "api")),
                    json!({}),
                ),
                pod("api-6f2-a", Some(("ReplicaSet", "api-6f2"))),
                pod("old-1", Some(("ReplicaSet", "gone-1"))),
            ],
            &["Deployment", "ReplicaSet"],
        );
        let ws = workloads(&c);
        let api = by_name(&ws, "deployment shop/api");
        assert!(api.controller.is_none());
        assert_eq!(api.pods.len(), 1);
        assert!(
            api.note
                .as_deref()
                .unwrap()
                .contains("Deployment shop/api is not in the cluster dump"),
            "{:?}",
            api.note
        );
        let old = by_name(&ws, "replicaset shop/gone-1");
        assert!(
            old.note
                .as_deref()
                .unwrap()
                .contains("ReplicaSet shop/gone-1")
        );
        assert_eq!(
            ws.len(),
            2,
            "the dumped ReplicaSet has no template of its own to judge"
        );
    }

    #[test]
    fn an_owner_kind_not_dumped_at_all_is_not_said_per_pod() {
        let c = cluster(
            vec![
                pod("web-7d9-a", Some(("ReplicaSet", "web-7d9"))),
                pod("web-7d9-b", Some(("ReplicaSet", "web-7d9"))),
            ],
            &["Pod"],
        );
        let ws = workloads(&c);
        assert_eq!(ws.len(), 1);
        assert_eq!(ws[0].name, "replicaset shop/web-7d9");
        assert_eq!(ws[0].note, None);
        assert_eq!(ws[0].owner_not_dumped, Some("ReplicaSet"));
    }

    #[test]
    fn an_ownership_loop_ends() {
        let c = cluster(
            vec![
                owned(
                    "ReplicaSet",
                    "a",
                    "shop",
                    Some(("ReplicaSet", "b")),
                    template(),
                ),
                owned(
                    "ReplicaSet",
                    "b",
                    "shop",
                    Some(("ReplicaSet", "a")),
                    template(),
                ),
                pod("p", Some(("ReplicaSet", "a"))),
            ],
            &[],
        );
        let ws = workloads(&c);
        assert_eq!(
            ws.len(),
            1,
            "{:?}",
            ws.iter().map(|w| &w.name).collect::<Vec<_>>()
        );
        assert_eq!(ws[0].pods.len(), 1);
    }
}
