//! YAML (and JSON) documents as a generic tree with a line and column on every node, read with
//! serde-saphyr. Checks see plain `serde_json::Value`s (the same shape the Kubernetes API and
//! `docker inspect` return), and findings point back into the file through [`Document::locate`],
//! which resolves a JSON pointer against the spanned tree.
//!
//! Semantics chosen to match the consumers of these files:
//! - YAML 1.1 booleans (`yes`, `on`, `y`, ...) are booleans, as the Kubernetes API server reads
//!   them (sigs.k8s.io/yaml → go-yaml v2); serde-saphyr infers them by default.
//! - Duplicate keys do not fail the file: the last value wins (as in a Kubernetes apply without
//!   strict decoding) and every repeated key is reported in [`Document::duplicates`].
//! - Anchors, aliases and merge keys (`<<`) are expanded; alias bombs are stopped by
//!   serde-saphyr's budget.

use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use serde_saphyr::{DuplicateKeyPolicy, Options, Spanned};

/// A 1-based line and column in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    pub fn new(line: usize, column: usize) -> Self {
        Pos { line, column }
    }
}

/// One YAML node with where it was written.
#[derive(Debug, Clone)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in source order, duplicates included: `(key, position of the key, value)`.
    Map(Vec<(String, Pos, Node)>),
}

/// A repeated mapping key: the later occurrence wins.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    /// JSON pointer of the mapping that holds the key.
    pub parent: String,
    pub key: String,
    /// Where the key was written first, and where it was repeated.
    pub first: Pos,
    pub repeated: Pos,
}

/// One parsed document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Node,
    /// The document as JSON (duplicate keys collapsed, last wins).
    pub value: Value,
    pub duplicates: Vec<DuplicateKey>,
}

/// A parse failure with the parser's own message.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(f, "line {} column {}: {}", p.line, p.column, self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Parse every document of a YAML (or JSON) stream. Empty documents are skipped.
pub fn parse_stream(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    options.with_snippet = false;
    // Keys are read as text: `~:` is the key "~", not an error.
    options.null_as_string = true;
    let nodes: Vec<Spanned<RawNode>> = serde_saphyr::from_str_multiple_with_options(text, options)
        .map_err(|e| YamlError {
            pos: e
                .location()
                .map(|l| Pos::new(l.line() as usize, l.column() as usize)),
            message: first_line(&e.to_string()),
        })?;
    Ok(nodes
        .into_iter()
        .map(|n| {
            let p = pos_of(&n);
            let root = n.value.into_node(p);
            let mut duplicates = Vec::new();
            let mut pointer = String::new();
            let value = to_json(&root, &mut pointer, &mut duplicates);
            Document {
                root,
                value,
                duplicates,
            }
        })
        .collect())
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

impl Document {
    /// The position of the node a JSON pointer names. A pointer into something that is absent
    /// (a missing key) resolves to its nearest present ancestor: the finding "no memory limit"
    /// points at the container that lacks one. For a mapping entry the key's position is used.
    pub fn locate(&self, pointer: &str) -> Pos {
        let mut node = &self.root;
        let mut pos = node.pos;
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            let next = match &node.kind {
                NodeKind::Map(entries) => entries
                    .iter()
                    .rev()
                    .find(|(k, _, _)| *k == token)
                    .map(|(_, key_pos, v)| (*key_pos, v)),
                NodeKind::Seq(items) => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i))
                    .map(|v| (v.pos, v)),
                _ => None,
            };
            match next {
                Some((p, n)) => {
                    pos = p;
                    node = n;
                }
                None => break,
            }
        }
        pos
    }
}

/// Escape one JSON pointer token.
pub fn pointer_token(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_string()
    }
}

fn to_json(node: &Node, pointer: &mut String, dups: &mut Vec<DuplicateKey>) -> Value {
    match &node.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Bool(b) => Value::Bool(*b),
        NodeKind::Int(i) => Value::from(*i),
        NodeKind::UInt(u) => Value::from(*u),
        NodeKind::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        NodeKind::Str(s) => Value::String(s.clone()),
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                out.push(to_json(item, pointer, dups));
                pointer.truncate(len);
            }
            Value::Array(out)
        }
        NodeKind::Map(entries) => {
            let mut out = Map::with_capacity(entries.len());
            for (idx, (key, key_pos, value)) in entries.iter().enumerate() {
                if let Some((_, first, _)) = entries[..idx].iter().find(|(k, _, _)| k == key) {
                    dups.push(DuplicateKey {
                        parent: pointer.clone(),
                        key: key.clone(),
                        first: *first,
                        repeated: *key_pos,
                    });
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&pointer_token(key));
                let v = to_json(value, pointer, dups);
                pointer.truncate(len);
                // Last wins: remove first so the key takes the position of its last occurrence.
                out.shift_remove(key);
                out.insert(key.clone(), v);
            }
            Value::Object(out)
        }
    }
}

fn pos_of<T>(s: &Spanned<T>) -> Pos {
    Pos::new(s.referenced.line() as usize, s.referenced.column() as usize)
}

/// What serde-saphyr hands us: children carry their own spans.
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<RawKey>, Spanned<RawNode>)>),
}

impl RawNode {
    fn into_node(self, pos: Pos) -> Node {
        let kind = match self {
            RawNode::Null => NodeKind::Null,
            RawNode::Bool(b) => NodeKind::Bool(b),
            RawNode::Int(i) => NodeKind::Int(i),
            RawNode::UInt(u) => NodeKind::UInt(u),
            RawNode::Float(f) => NodeKind::Float(f),
            RawNode::Str(s) => NodeKind::Str(s),
            RawNode::Seq(items) => NodeKind::Seq(
                items
                    .into_iter()
                    .map(|i| {
                        let p = pos_of(&i);
                        i.value.into_node(p)
                    })
                    .collect(),
            ),
            RawNode::Map(entries) => NodeKind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let kp = pos_of(&k);
                        let vp = pos_of(&v);
                        (k.value.0, kp, v.value.into_node(vp))
                    })
                    .collect(),
            ),
        };
        Node { pos, kind }
    }
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(RawNode::UInt(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<RawNode, E> {
        Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<Spanned<RawNode>>()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(key) = map.next_key::<Spanned<RawKey>>()? {
            let value = map.next_value::<Spanned<RawNode>>()?;
            entries.push((key, value));
        }
        Ok(RawNode::Map(entries))
    }
}

/// A mapping key as text. Keys are read as written (`on:` stays "on", `80:` is "80"). Complex
/// keys (sequences or mappings as keys, which no Kubernetes or compose file uses) are a parse
/// error with a location.
struct RawKey(String);

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Asking for a string keeps the scalar's spelling.
        d.deserialize_string(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = RawKey;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }
    fn visit_str<E>(self, v: &str) -> Result<RawKey, E> {
        Ok(RawKey(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawKey, E> {
        Ok(RawKey(v))
    }
    fn visit_unit<E>(self) -> Result<RawKey, E> {
        Ok(RawKey("null".into()))
    }
    fn visit_none<E>(self) -> Result<RawKey, E> {
        Ok(RawKey("null".into()))
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawKey, E> {
        Ok(RawKey(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawKey, E> {
        Ok(RawKey(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawKey, E> {
        Ok(RawKey(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawKey, E> {
        Ok(RawKey(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_keys_and_items_across_documents() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: x\n---\nkind: Service\n";
        let docs = parse_stream(text).unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.value["spec"]["containers"][0]["name"], "a");
        assert_eq!(d.locate("/spec/containers/0/image"), Pos::new(6, 7));
        assert_eq!(d.locate("/spec/containers/0"), Pos::new(5, 7));
        assert_eq!(d.locate("/kind"), Pos::new(2, 1));
        // Absent keys resolve to the nearest present ancestor.
        assert_eq!(
            d.locate("/spec/containers/0/securityContext/privileged"),
            Pos::new(5, 7)
        );
        assert_eq!(docs[1].locate("/kind"), Pos::new(8, 1));
    }

    #[test]
    fn yaml_1_1_booleans_are_booleans_like_kubernetes_reads_them() {
        let docs = parse_stream("a: yes\nb: on\nc: \"yes\"\nd: off\n").unwrap();
        assert_eq!(docs[0].value["a"], Value::Bool(true));
        assert_eq!(docs[0].value["b"], Value::Bool(true));
        assert_eq!(docs[0].value["c"], Value::String("yes".into()));
        assert_eq!(docs[0].value["d"], Value::Bool(false));
    }

    #[test]
    fn keys_keep_their_spelling() {
        let docs = parse_stream("on: push\n80: http\n~: n\n").unwrap();
        let keys: Vec<&String> = docs[0].value.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["on", "80", "~"]);
        // A sequence as a key (used by no Kubernetes or compose file) is a located error.
        let err = parse_stream("a: 1\n? [x, y]\n: c\n").unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(2));
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_last_wins() {
        let text = "spec:\n  privileged: false\n  other: 1\n  privileged: true\n";
        let docs = parse_stream(text).unwrap();
        assert_eq!(docs[0].value["spec"]["privileged"], Value::Bool(true));
        assert_eq!(
            docs[0].duplicates,
            vec![DuplicateKey {
                parent: "/spec".into(),
                key: "privileged".into(),
                first: Pos::new(2, 3),
                repeated: Pos::new(4, 3),
            }]
        );
        assert_eq!(docs[0].locate("/spec/privileged"), Pos::new(4, 3));
    }

    #[test]
    fn anchors_and_merge_keys_expand() {
        let text = "base: &b\n  privileged: true\nsvc:\n  <<: *b\n  image: x\n";
        let docs = parse_stream(text).unwrap();
        assert_eq!(docs[0].value["svc"]["privileged"], Value::Bool(true));
        assert_eq!(docs[0].value["svc"]["image"], "x");
    }

    #[test]
    fn json_documents_parse_with_positions() {
        let text = "{\n  \"kind\": \"Pod\",\n  \"spec\": {\"hostPID\": true}\n}\n";
        let docs = parse_stream(text).unwrap();
        assert_eq!(docs[0].value["spec"]["hostPID"], Value::Bool(true));
        assert_eq!(docs[0].locate("/spec/hostPID").line, 3);
    }

    #[test]
    fn syntax_errors_carry_a_location() {
        let err = parse_stream("a: b\n  c: d\n- e\n").unwrap_err();
        assert!(err.pos.is_some(), "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        let docs = parse_stream("metadata:\n  annotations:\n    a/b: x\n").unwrap();
        let p = format!("/metadata/annotations/{}", pointer_token("a/b"));
        assert_eq!(docs[0].locate(&p), Pos::new(3, 5));
    }
}
