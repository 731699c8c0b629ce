//! `kubectl get <resources> -A -o json` dumps (`--cluster-dump DIR`), and the objects the
//! `--kube-api` lists return: each object of a kind the checks read is kept, trimmed to what
//! they examine ([`trim_object`]).
//!
//! A list file is read item by item ([`ListFile`]): each item is trimmed as soon as it is
//! parsed, so the whole list never sits in memory untrimmed and a dump of 100,000 pods needs
//! about the memory of its trimmed objects. Files are read through a buffered reader rather
//! than whole, for the same reason: their size no longer bounds what can be read.

use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::facts::kube::{ClusterFacts, DUMP_RESOURCES};
use crate::facts::{Observed, Unavailable, UnavailableKind};

/// Largest dump file read: far above a 100,000-pod `kubectl get pods -A -o json` (about 1 GB
/// with managedFields), below what a mistaken path (a disk image) would be.
const MAX_DUMP_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// Cluster object kinds the checks read; everything else in a dump is dropped.
const DUMP_KINDS: &[&str] = &[
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Pod",
    "ServiceAccount",
    "Namespace",
    "NetworkPolicy",
    "LimitRange",
    "ResourceQuota",
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "Node",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
];
/// Read every `*.json` file of a `kubectl get ... -o json` dump directory.
pub fn read_dump(dir: &Path) -> Observed<ClusterFacts> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            return Observed::Unavailable(Unavailable::from_io(
                &format!("--cluster-dump {}", dir.display()),
                &e,
            ));
        }
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .collect();
    paths.sort();
    let mut out = ClusterFacts::new(dir.display().to_string());
    for path in paths {
        let name = path.display().to_string();
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len > MAX_DUMP_BYTES {
            out.problems.push(format!(
                "{name}: {len} bytes, over the {MAX_DUMP_BYTES}-byte limit"
            ));
            continue;
        }
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                out.problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        let before = out.objects.len();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_lowercase();
        for part in stem.split(['-', '_', ',', '.']) {
            if let Some((_, kind)) = DUMP_RESOURCES.iter().find(|(plural, _)| *plural == part) {
                out.listed.push(kind.to_string());
            }
        }
        let mut reader =
            serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file));
        let read = ListFile {
            out: &mut out.objects,
        }
        .deserialize(&mut reader)
        .and_then(|()| reader.end());
        if let Err(e) = read {
            // Objects read before the error stay: the file is named as partly read.
            out.problems.push(format!("{name}: not JSON: {e}"));
            if out.objects.len() == before {
                continue;
            }
        }
        out.files
            .push(format!("{name} ({} objects)", out.objects.len() - before));
    }
    if out.files.is_empty() && out.problems.is_empty() {
        return Observed::unavailable(
            UnavailableKind::NotFound,
            format!("--cluster-dump {}: no *.json files", dir.display()),
        );
    }
    Observed::Seen(out)
}

pub(crate) fn add_dump_value(out: &mut Vec<Value>, mut value: Value, list_kind: Option<&str>) {
    if let Some(server) = value.get("serverVersion").cloned() {
        // `kubectl version -o json`
        let mut v = server;
        if let Value::Object(m) = &mut v {
            m.insert("kind".into(), Value::String("ServerVersion".into()));
        }
        out.push(v);
        return;
    }
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            list_kind
                .and_then(|k| k.strip_suffix("List"))
                .map(str::to_string)
        });
    if let Some(items) = value.get_mut("items").and_then(Value::as_array_mut) {
        let items = std::mem::take(items);
        for item in items {
            add_dump_value(out, item, kind.as_deref());
        }
        return;
    }
    let Some(kind) = kind else { return };
    if !DUMP_KINDS.contains(&kind.as_str()) {
        return;
    }
    if let Value::Object(m) = &mut value {
        trim_object(&kind, m);
        m.insert("kind".into(), Value::String(kind));
    }
    out.push(value);
}

/// Annotations the pod-security checks read (legacy seccomp and AppArmor settings).
fn kept_annotation(key: &str) -> bool {
    key.starts_with("seccomp.security.alpha.kubernetes.io/")
        || key.starts_with("container.seccomp.security.alpha.kubernetes.io/")
        || key.starts_with("container.apparmor.security.beta.kubernetes.io/")
}

/// Kinds that are or hold pods.
const POD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// Pod spec fields no check or threat reads: scheduling, DNS and lifecycle settings.
const UNREAD_POD_FIELDS: &[&str] = &[
    "affinity",
    "nodeName",
    "dnsConfig",
    "dnsPolicy",
    "enableServiceLinks",
    "hostname",
    "nodeSelector",
    "overhead",
    "preemptionPolicy",
    "priority",
    "priorityClassName",
    "readinessGates",
    "resourceClaims",
    "restartPolicy",
    "schedulerName",
    "schedulingGates",
    "subdomain",
    "terminationGracePeriodSeconds",
    "tolerations",
    "topologySpreadConstraints",
];

/// Container fields no check or threat reads: probes, hooks, the command line and terminal
/// settings.
const UNREAD_CONTAINER_FIELDS: &[&str] = &[
    "args",
    "command",
    "imagePullPolicy",
    "lifecycle",
    "livenessProbe",
    "readinessProbe",
    "resizePolicy",
    "startupProbe",
    "stdin",
    "stdinOnce",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "tty",
    "workingDir",
];

/// An object cut to what the checks and the threat model examine, so a big cluster fits in
/// memory (a parsed JSON field costs about ten times its bytes). `metadata` keeps name,
/// generateName, namespace, labels, the controller fields of `ownerReferences` and the seccomp
/// and AppArmor annotations (managedFields and `last-applied-configuration`, which repeats the
/// object and may hold env values, go); `status` goes except a Node's `nodeInfo` (the kubelet
/// version): a pod's status is a third of its bytes and read by no check. Pod specs (of pods
/// and of controllers' templates) lose the fields in [`UNREAD_POD_FIELDS`] and
/// [`UNREAD_CONTAINER_FIELDS`]: a list of what goes rather than of what stays, so a field a new
/// rule reads is kept unless someone removes it here (a test checks that trimming changes no
/// finding on the test manifests).
pub(crate) fn trim_object(kind: &str, m: &mut Map<String, Value>) {
    if let Some(Value::Object(meta)) = m.get_mut("metadata") {
        meta.retain(|k, _| {
            matches!(
                k.as_str(),
                "name"
                    | "generateName"
                    | "namespace"
                    | "labels"
                    | "annotations"
                    | "ownerReferences"
            )
        });
        if let Some(Value::Object(ann)) = meta.get_mut("annotations") {
            ann.retain(|k, _| kept_annotation(k));
            if ann.is_empty() {
                meta.remove("annotations");
            }
        }
        if let Some(Value::Array(owners)) = meta.get_mut("ownerReferences") {
            for o in owners.iter_mut() {
                if let Value::Object(o) = o {
                    o.retain(|k, _| matches!(k.as_str(), "kind" | "name" | "controller"));
                }
            }
        }
    }
    let spec_at = match kind {
        "Pod" => "/spec",
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    };
    let mut object = Value::Object(std::mem::take(m));
    // Labels are read on Namespaces (pod-security) and RBAC objects (bootstrapping), not on
    // pods and their controllers, where every replica carries its own.
    if POD_KINDS.contains(&kind)
        && let Some(Value::Object(meta)) = object.get_mut("metadata")
    {
        meta.remove("labels");
    }
    if matches!(kind, "ReplicaSet" | "Job") && has_controller(&object) {
        // The controller's template (a Deployment's, a CronJob's) and the pods themselves are
        // judged; a ReplicaSet or Job it owns only links the two.
        if let Some(Value::Object(spec)) = object.get_mut("spec") {
            spec.remove("template");
        }
    } else if let Some(Value::Object(spec)) = object.pointer_mut(spec_at) {
        trim_pod_spec(spec);
    }
    if let Value::Object(trimmed) = compact(object) {
        *m = trimmed;
    }
    match (kind, m.get_mut("status")) {
        ("Node", Some(Value::Object(status))) => status.retain(|k, _| k == "nodeInfo"),
        (_, Some(_)) => {
            m.remove("status");
        }
        _ => {}
    }
}

fn has_controller(object: &Value) -> bool {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|owners| {
            owners
                .iter()
                .any(|o| o.get("controller") == Some(&Value::Bool(true)))
        })
}

/// The value rebuilt with no spare capacity: a parsed map grows by doubling, and at 100,000
/// pods the spare room is hundreds of megabytes.
fn compact(value: Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, compact(v))).collect()),
        Value::Array(a) => Value::Array(a.into_iter().map(compact).collect()),
        Value::String(s) => Value::String(s.into_boxed_str().into_string()),
        other => other,
    }
}

fn trim_pod_spec(spec: &mut Map<String, Value>) {
    spec.retain(|k, _| !UNREAD_POD_FIELDS.contains(&k.as_str()));
    // Volumes keep their name and type; only a hostPath's settings are read.
    if let Some(Value::Array(volumes)) = spec.get_mut("volumes") {
        for v in volumes.iter_mut().filter_map(Value::as_object_mut) {
            for (k, source) in v.iter_mut() {
                if k != "name" && k != "hostPath" {
                    *source = Value::Object(Map::new());
                }
            }
        }
    }
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        let Some(Value::Array(containers)) = spec.get_mut(list) else {
            continue;
        };
        for c in containers.iter_mut().filter_map(Value::as_object_mut) {
            c.retain(|k, _| !UNREAD_CONTAINER_FIELDS.contains(&k.as_str()));
            // An env entry from a field or a ConfigMap keeps its name: only Secret references
            // and literal values are judged.
            if let Some(Value::Array(env)) = c.get_mut("env") {
                for e in env.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(Value::Object(from)) = e.get_mut("valueFrom") {
                        from.retain(|k, _| k == "secretKeyRef");
                    }
                }
            }
        }
    }
}

/// One dump file: a list (`{"kind": "List", "items": [...]}`, a `PodList`, ...), a single
/// object, or `kubectl version -o json`. List items go to [`add_dump_value`] one at a time as
/// they are parsed; an item without a `kind` (API server lists leave it out) waits for the
/// list's kind, which `kubectl` writes after the items.
struct ListFile<'a> {
    out: &'a mut Vec<Value>,
}

impl<'de> DeserializeSeed<'de> for ListFile<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListFile<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object (a `kubectl get -o json` list or object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        let mut waiting = Vec::new();
        let mut had_items = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                had_items = true;
                map.next_value_seed(Items {
                    out: self.out,
                    waiting: &mut waiting,
                })?;
            } else {
                fields.insert(key, map.next_value()?);
            }
        }
        if !had_items {
            add_dump_value(self.out, Value::Object(fields), None);
            return Ok(());
        }
        let list_kind = fields.get("kind").and_then(Value::as_str);
        for item in waiting {
            add_dump_value(self.out, item, list_kind);
        }
        Ok(())
    }
}

/// The `items` of a list, each handed on as soon as it is parsed.
struct Items<'a, 'b> {
    out: &'a mut Vec<Value>,
    waiting: &'b mut Vec<Value>,
}

impl<'de> DeserializeSeed<'de> for Items<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            if item.get("kind").and_then(Value::as_str).is_some() {
                add_dump_value(self.out, item, None);
            } else {
                self.waiting.push(item);
            }
        }
        Ok(())
    }

    /// `"items": null` (an empty list as some clients write it).
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_lists_and_single_objects_are_read_and_filtered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("all.json"),
            r#"{"apiVersion":"v1","kind":"List","items":[
                {"kind":"Pod","metadata":{"name":"a","namespace":"x","managedFields":[{}]}},
                {"kind":"Service","metadata":{"name":"s"}}]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("ns.json"),
            r#"{"kind":"NamespaceList","items":[{"metadata":{"name":"x"}}]}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("bad.json"), "{not json").unwrap();
        std::fs::write(
            dir.path().join("version.json"),
            r#"{"serverVersion":{"gitVersion":"v1.33.2"}}"#,
        )
        .unwrap();
        let Observed::Seen(c) = read_dump(dir.path()) else {
            panic!()
        };
        assert_eq!(c.of_kind("Pod").count(), 1);
        assert!(
            c.of_kind("Pod")
                .next()
                .unwrap()
                .pointer("/metadata/managedFields")
                .is_none()
        );
        assert_eq!(c.of_kind("Namespace").count(), 1);
        assert_eq!(c.of_kind("Service").count(), 0);
        assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
        assert!(c.problems[0].contains("bad.json"));
        assert_eq!(c.of_kind("ServerVersion").count(), 1);
    }

    #[test]
    fn lists_are_read_item_by_item_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        // An API server list: items without `kind`, the list's kind after them.
        std::fs::write(
            dir.path().join("pods.json"),
            r#"{"items":[{"metadata":{"name":"a","namespace":"x","uid":"1",
                "annotations":{"seccomp.security.alpha.kubernetes.io/pod":"runtime/default",
                               "note":"dropped"},
                "ownerReferences":[{"kind":"ReplicaSet","name":"rs","uid":"2","controller":true}]},
                "spec":{"nodeName":"n1","tolerations":[],"hostPID":true,
                        "containers":[{"name":"c","livenessProbe":{},"securityContext":{}}]},
                "status":{"phase":"Running"}}],
               "kind":"PodList","apiVersion":"v1"}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("replicasets.json"),
            r#"{"kind":"List","items":[
                {"kind":"ReplicaSet","metadata":{"name":"rs","namespace":"x",
                 "ownerReferences":[{"kind":"Deployment","name":"d","controller":true}]},
                 "spec":{"replicas":1,"template":{"spec":{"containers":[]}}}},
                {"kind":"ReplicaSet","metadata":{"name":"bare","namespace":"x"},
                 "spec":{"template":{"spec":{"tolerations":[],"containers":[]}}}}]}"#,
        )
        .unwrap();
        // Cut off mid-list: the first object is kept and the file named.
        std::fs::write(
            dir.path().join("nodes.json"),
            r#"{"kind":"List","items":[{"kind":"Node","metadata":{"name":"n1"},
                "status":{"nodeInfo":{"kubeletVersion":"v1.33.1"},"conditions":[]}},
                {"kind":"Node","metadata":{"na"#,
        )
        .unwrap();
        let Observed::Seen(c) = read_dump(dir.path()) else {
            panic!()
        };
        let pod = c
            .of_kind("Pod")
            .next()
            .expect("the kind-less item is a Pod");
        assert_eq!(
            pod,
            &serde_json::json!({"kind": "Pod",
                "metadata": {"name": "a", "namespace": "x",
                    "annotations": {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"},
                    "ownerReferences": [{"kind": "ReplicaSet", "name": "rs", "controller": true}]},
                "spec": {"hostPID": true, "containers": [{"name": "c", "securityContext": {}}]}})
        );
        let owned = c.get("ReplicaSet", "x", "rs").unwrap();
        assert!(owned.pointer("/spec/template").is_none(), "{owned}");
        let bare = c.get("ReplicaSet", "x", "bare").unwrap();
        assert_eq!(
            bare.pointer("/spec/template/spec"),
            Some(&serde_json::json!({"containers": []}))
        );
        let node = c.get("Node", "", "n1").unwrap();
        assert_eq!(
            node.pointer("/status"),
            Some(&serde_json::json!({"nodeInfo": {"kubeletVersion": "v1.33.1"}}))
        );
        assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
        assert!(c.problems[0].contains("nodes.json"), "{:?}", c.problems);
        assert!(
            c.files.iter().any(|f| f.contains("nodes.json (1 objects)")),
            "{:?}",
            c.files
        );
    }
}
