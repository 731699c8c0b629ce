//! Attack paths: how an attacker who holds one thing (an entry point) reaches root on the host,
//! control of dockerd, cluster-admin, etcd data, Secrets or a node's kubelet credentials (the
//! targets), hop by hop, each hop carried by a threat instance and the check evidence behind it.
//!
//! The graph's nodes are element ids of the discovered system (`container:web`, `sa:lab/ci`),
//! plus a few attacker positions and prizes that are not diagram elements: `entry:network`
//! (anyone who reaches the host's addresses), `entry:local-user` (any local user or process),
//! `node:root` (root on a node that runs a pod), `node:kubelet-credentials` and
//! `identity:cluster-admin`. An edge A → B exists when the linked checks of one threat instance
//! show, for that element, the condition that lets the holder of A gain B (the socket mounted,
//! the container privileged, the RBAC rule granted); its `needs` say which verdicts it rests on.
//! An instance the model file declares not applicable (or suppresses) removes its edges; an
//! accepted one keeps them: the path is still there. A few hops are the design itself (root on a
//! node reads the kubelet's credentials): they carry no instance and no fix breaks them.
//!
//! Edges come from the evidence in hand, indexed once (instances by id, check links by element
//! and slug, pod specs by name), so building is linear in the elements. Paths are the shortest
//! per entry–target pair, found by one breadth-first search backwards from each target (at most
//! [`MAX_HOPS`] hops), so the cost is targets × (nodes + edges), not entries × anything.
//!
//! A path's risk is the likelihood of its least likely hop (the current likelihood of the hop's
//! threat instance) times the impact of its target. Paths are ranked by risk, then fewer hops;
//! [`PATHS_LIMIT`] of them are kept with their hops for the reports, and every pair is counted.

mod docker;
mod kube;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use super::catalog::Level;
use super::elements::{Element, SystemModel};
use super::model::{CheckLink, Instance, LinkVerdict, Risk, Status};
use crate::facts::Facts;

/// The longest path searched, in hops.
pub const MAX_HOPS: usize = 6;
/// How many ranked paths are kept with their hops (the JSON, the document and `--paths`).
pub const PATHS_LIMIT: usize = 50;
/// How the paths are bounded, as the reports state it.
pub const BOUND: &str = "the shortest path (at most 6 hops) per entry-target pair, ranked by risk (likelihood of the least likely hop x impact of the target) then by fewer hops; the first 50 are listed";

/// What an attacker gains at the end of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    HostRoot,
    DockerdControl,
    ClusterAdmin,
    EtcdData,
    Secrets,
    KubeletCredentials,
}

impl TargetKind {
    pub const ALL: [TargetKind; 6] = [
        TargetKind::HostRoot,
        TargetKind::DockerdControl,
        TargetKind::ClusterAdmin,
        TargetKind::EtcdData,
        TargetKind::Secrets,
        TargetKind::KubeletCredentials,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::HostRoot => "host-root",
            TargetKind::DockerdControl => "dockerd-control",
            TargetKind::ClusterAdmin => "cluster-admin",
            TargetKind::EtcdData => "etcd-data",
            TargetKind::Secrets => "secrets",
            TargetKind::KubeletCredentials => "kubelet-credentials",
        }
    }

    /// "breaks 4 of 6 paths to host root".
    pub fn title(self) -> &'static str {
        match self {
            TargetKind::HostRoot => "host root",
            TargetKind::DockerdControl => "dockerd control",
            TargetKind::ClusterAdmin => "cluster-admin",
            TargetKind::EtcdData => "etcd data",
            TargetKind::Secrets => "Kubernetes Secrets",
            TargetKind::KubeletCredentials => "kubelet credentials",
        }
    }

    /// What holding the target means.
    pub fn impact(self) -> Level {
        match self {
            TargetKind::KubeletCredentials => Level::High,
            _ => Level::Critical,
        }
    }
}

/// A linked check a hop rests on, with its verdict for the hop's element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HopCheck {
    pub id: String,
    pub slug: String,
    pub verdict: LinkVerdict,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hop {
    pub from: String,
    pub to: String,
    /// The threat instance that lets the step happen (`None`: the design allows it).
    pub instance: Option<String>,
    pub threat: Option<String>,
    pub checks: Vec<HopCheck>,
    /// What a person can verify: the condition and each check's evidence.
    pub evidence: String,
}

/// One path from an entry point to a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttackPath {
    /// `entry->target`, stable across scans.
    pub id: String,
    pub entry: String,
    pub entry_label: String,
    /// Why the entry is one (reachable from the network, assumed compromised, ...).
    pub entry_reason: String,
    pub target: String,
    pub target_label: String,
    pub target_kind: TargetKind,
    pub risk: Risk,
    pub hops: Vec<Hop>,
}

/// A node of the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetKind>,
}

/// Paths to one kind of target: how many, and how many a fix breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PathCount {
    pub target: TargetKind,
    pub broken: usize,
    pub total: usize,
}

impl PathCount {
    /// `4 of 6 paths to host root`.
    pub fn describe(&self) -> String {
        format!(
            "{} of {} path{} to {}",
            self.broken,
            self.total,
            if self.total == 1 { "" } else { "s" },
            self.target.title()
        )
    }
}

#[derive(Debug, Clone)]
struct Edge {
    from: usize,
    to: usize,
    hop: Hop,
    /// The checks it rests on that fail now, as (element, slug): a fix of any removes the edge.
    breakable: Vec<(String, String)>,
    likelihood: Option<Level>,
}

/// A shortest path as edge positions, with its rank key.
#[derive(Debug, Clone)]
struct PathRef {
    entry: usize,
    target: usize,
    edges: Vec<usize>,
    risk: Risk,
}

/// Every attack path of the assessed system.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AttackPaths {
    /// The first [`PATHS_LIMIT`] paths, ranked, with their hops.
    pub paths: Vec<AttackPath>,
    /// Every entry-target pair connected (one shortest path each).
    pub total: usize,
    /// Per target kind, the pairs connected.
    pub by_target: Vec<PathCount>,
    pub entries: usize,
    pub targets: usize,
    #[serde(skip)]
    nodes: Vec<Node>,
    #[serde(skip)]
    edges: Vec<Edge>,
    #[serde(skip)]
    incoming: Vec<Vec<usize>>,
    #[serde(skip)]
    all: Vec<PathRef>,
}

/// Which verdict of a linked check lets an edge exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// The check fails for the element.
    Fails,
    /// It fails, or asks for review while its evidence shows the condition (an automounted
    /// token is a review item: the token is mounted all the same).
    Shows,
    /// Anything but a pass (the mitigation it checks is not shown to be there).
    NotPassing,
}

/// Gathers nodes and edges from the assessment's evidence.
pub(crate) struct Builder<'a> {
    pub facts: &'a Facts,
    elements: HashMap<&'a str, &'a Element>,
    instances: HashMap<&'a str, &'a Instance>,
    /// The first link of each (element, slug) among the element's instances.
    links: HashMap<(&'a str, &'a str), &'a CheckLink>,
    nodes: Vec<Node>,
    index: HashMap<String, usize>,
    edges: Vec<Edge>,
    pub system: &'a SystemModel,
}

fn synthetic_label(id: &str) -> Option<&'static str> {
    Some(match id {
        "entry:network" => "anyone who reaches the host over the network",
        "entry:local-user" => "any local user or process on the host",
        "process:host" => "root on the host",
        "node:root" => "root on a node that runs the pod",
        "node:kubelet-credentials" => "a node's kubelet credentials",
        "identity:cluster-admin" => "cluster-admin on the Kubernetes API",
        "store:kube-secrets" => "Kubernetes Secrets",
        "store:etcd" => "etcd data",
        _ => return None,
    })
}

impl<'a> Builder<'a> {
    fn new(facts: &'a Facts, system: &'a SystemModel, instances: &'a [Instance]) -> Self {
        let mut links = HashMap::new();
        for inst in instances {
            for c in &inst.checks {
                links
                    .entry((inst.element.as_str(), c.slug.as_str()))
                    .or_insert(c);
            }
        }
        Builder {
            facts,
            elements: system.elements.iter().map(|e| (e.id.as_str(), e)).collect(),
            instances: instances.iter().map(|i| (i.id.as_str(), i)).collect(),
            links,
            nodes: vec![],
            index: HashMap::new(),
            edges: vec![],
            system,
        }
    }

    pub fn element(&self, id: &str) -> Option<&'a Element> {
        self.elements.get(id).copied()
    }

    fn node(&mut self, id: &str) -> usize {
        if let Some(n) = self.index.get(id) {
            return *n;
        }
        let label = match (self.element(id), synthetic_label(id)) {
            // Targets read as what the attacker gains.
            (_, Some(l)) if id == "process:host" => l.to_string(),
            (Some(e), _) => e.label.clone(),
            (None, Some(l)) => l.to_string(),
            (None, None) => id.to_string(),
        };
        self.nodes.push(Node {
            id: id.to_string(),
            label,
            entry: None,
            target: None,
        });
        self.index.insert(id.to_string(), self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    /// Mark a node as an entry point, saying why.
    pub fn entry(&mut self, id: &str, reason: impl Into<String>) {
        let n = self.node(id);
        if self.nodes[n].entry.is_none() {
            self.nodes[n].entry = Some(reason.into());
        }
    }

    pub fn target(&mut self, id: &str, kind: TargetKind) {
        let n = self.node(id);
        self.nodes[n].target = Some(kind);
    }

    fn link(&self, element: &str, slug: &str) -> Option<&'a CheckLink> {
        self.links.get(&(element, slug)).copied()
    }

    /// Add `from → to` carried by instance `threat@element` when every need holds for that
    /// element. Returns whether the edge was added.
    pub fn edge(
        &mut self,
        from: &str,
        to: &str,
        carried: (&str, &str),
        needs: &[(&str, Need)],
        condition: &str,
    ) -> bool {
        let on: Vec<(&str, &str, Need)> = needs.iter().map(|(s, n)| (carried.1, *s, *n)).collect();
        self.edge_across(from, to, carried, &on, condition)
    }

    /// Like [`Builder::edge`], with needs on other elements too: `(element, slug, need)`.
    pub fn edge_across(
        &mut self,
        from: &str,
        to: &str,
        (threat, element): (&str, &str),
        needs: &[(&str, &str, Need)],
        condition: &str,
    ) -> bool {
        let id = format!("{threat}@{element}");
        let Some(inst) = self.instances.get(id.as_str()).copied() else {
            return false;
        };
        if inst.status == Status::NotApplicable {
            return false;
        }
        let mut checks = Vec::new();
        let mut breakable = Vec::new();
        let mut evidence = vec![condition.to_string()];
        for (on, slug, need) in needs {
            let link = self.link(on, slug);
            let verdict = link.map_or(LinkVerdict::NotEvaluated, |l| l.verdict);
            let holds = match need {
                Need::Fails => verdict == LinkVerdict::Fail,
                Need::Shows => matches!(verdict, LinkVerdict::Fail | LinkVerdict::Warn),
                Need::NotPassing => verdict != LinkVerdict::Pass,
            };
            if !holds {
                return false;
            }
            if verdict == LinkVerdict::Fail {
                breakable.push((on.to_string(), slug.to_string()));
            }
            let label = link.map_or_else(|| slug.to_string(), |l| l.label());
            let phrase = match verdict {
                LinkVerdict::Fail => "fails",
                LinkVerdict::Warn => "asks for review",
                LinkVerdict::Pass => "passes",
                other => other.as_str(),
            };
            match link.map(|l| l.evidence.trim()).filter(|e| !e.is_empty()) {
                Some(e) => evidence.push(format!("check {label} {phrase}: {e}")),
                None => evidence.push(format!("check {label} {phrase}")),
            }
            checks.push(HopCheck {
                id: link.map(|l| l.id.clone()).unwrap_or_default(),
                slug: slug.to_string(),
                verdict,
            });
        }
        self.push(
            from,
            to,
            Hop {
                from: from.to_string(),
                to: to.to_string(),
                instance: Some(inst.id.clone()),
                threat: Some(inst.threat.id.clone()),
                checks,
                evidence: evidence.join("; "),
            },
            breakable,
            Some(inst.risk.current.likelihood),
        );
        true
    }

    /// Like [`Builder::edge`], carried by the first instance on `element` that links the first
    /// need's check (for conditions that no single threat is about).
    pub fn edge_on(
        &mut self,
        from: &str,
        to: &str,
        element: &str,
        needs: &[(&str, Need)],
        condition: &str,
    ) -> bool {
        let Some((slug, _)) = needs.first() else {
            return false;
        };
        let threat = self
            .system_instances_on(element)
            .find(|i| i.checks.iter().any(|c| c.slug == *slug))
            .map(|i| i.threat.id.clone());
        match threat {
            Some(t) => self.edge(from, to, (&t, element), needs, condition),
            None => false,
        }
    }

    fn system_instances_on<'b>(
        &'b self,
        element: &'b str,
    ) -> impl Iterator<Item = &'a Instance> + 'b {
        // Instance ids are THREAT@element: the catalogue's threats on this element.
        super::catalog::builtin()
            .threats
            .iter()
            .filter_map(move |t| {
                self.instances
                    .get(format!("{}@{element}", t.id).as_str())
                    .copied()
            })
    }

    /// A step the design allows: no threat instance, no fix.
    pub fn inherent(&mut self, from: &str, to: &str, evidence: &str) {
        self.push(
            from,
            to,
            Hop {
                from: from.to_string(),
                to: to.to_string(),
                instance: None,
                threat: None,
                checks: vec![],
                evidence: evidence.to_string(),
            },
            vec![],
            None,
        );
    }

    fn push(
        &mut self,
        from: &str,
        to: &str,
        hop: Hop,
        breakable: Vec<(String, String)>,
        likelihood: Option<Level>,
    ) {
        let (from, to) = (self.node(from), self.node(to));
        self.edges.push(Edge {
            from,
            to,
            hop,
            breakable,
            likelihood,
        });
    }
}

/// The element id discovery gives a container (`container:<name>`, or its short id).
pub fn container_element_id(c: &crate::facts::docker::ContainerView) -> String {
    docker::container_id(c)
}

/// Build the graph from the assessed instances and find the paths.
pub fn compute(facts: &Facts, system: &SystemModel, instances: &[Instance]) -> AttackPaths {
    let mut b = Builder::new(facts, system, instances);
    docker::edges(&mut b);
    kube::edges(&mut b);
    AttackPaths::from_graph(b.nodes, b.edges)
}

impl AttackPaths {
    fn from_graph(nodes: Vec<Node>, mut edges: Vec<Edge>) -> AttackPaths {
        // The likeliest mechanism first, so that among equally short paths the search keeps it.
        edges.sort_by_key(|e| std::cmp::Reverse(e.likelihood.map_or(5, |l| l.weight())));
        let mut incoming = vec![Vec::new(); nodes.len()];
        for (i, e) in edges.iter().enumerate() {
            incoming[e.to].push(i);
        }
        let mut out = AttackPaths {
            entries: nodes.iter().filter(|n| n.entry.is_some()).count(),
            targets: nodes.iter().filter(|n| n.target.is_some()).count(),
            nodes,
            edges,
            incoming,
            ..Default::default()
        };
        let mut all = out.shortest(&|_| false);
        all.sort_by(|a, b| {
            b.risk
                .score
                .cmp(&a.risk.score)
                .then(a.edges.len().cmp(&b.edges.len()))
                .then(out.nodes[a.entry].id.cmp(&out.nodes[b.entry].id))
                .then(out.nodes[a.target].id.cmp(&out.nodes[b.target].id))
        });
        out.total = all.len();
        out.by_target = TargetKind::ALL
            .iter()
            .map(|k| PathCount {
                target: *k,
                broken: 0,
                total: all
                    .iter()
                    .filter(|p| out.nodes[p.target].target == Some(*k))
                    .count(),
            })
            .filter(|c| c.total > 0)
            .collect();
        out.paths = all
            .iter()
            .take(PATHS_LIMIT)
            .map(|p| out.materialise(p))
            .collect();
        out.all = all;
        out
    }

    fn materialise(&self, p: &PathRef) -> AttackPath {
        let (entry, target) = (&self.nodes[p.entry], &self.nodes[p.target]);
        AttackPath {
            id: format!("{}->{}", entry.id, target.id),
            entry: entry.id.clone(),
            entry_label: entry.label.clone(),
            entry_reason: entry.entry.clone().unwrap_or_default(),
            target: target.id.clone(),
            target_label: target.label.clone(),
            target_kind: target.target.unwrap_or(TargetKind::HostRoot),
            risk: p.risk,
            hops: p.edges.iter().map(|e| self.edges[*e].hop.clone()).collect(),
        }
    }

    /// One shortest path per connected entry-target pair, the edges `blocked` says are gone
    /// left out: a search backwards from each target, at most [`MAX_HOPS`] deep.
    fn shortest(&self, blocked: &dyn Fn(&Edge) -> bool) -> Vec<PathRef> {
        let n = self.nodes.len();
        let mut out = Vec::new();
        for (t, node) in self.nodes.iter().enumerate() {
            let Some(kind) = node.target else { continue };
            let next = self.search_to(t, blocked);
            for (entry, e) in self.nodes.iter().enumerate() {
                if entry == t || e.entry.is_none() || next[entry].is_none() {
                    continue;
                }
                let mut edges = Vec::new();
                let mut at = entry;
                while at != t && edges.len() <= n {
                    let Some(edge) = next[at] else { break };
                    edges.push(edge);
                    at = self.edges[edge].to;
                }
                let likelihood = edges
                    .iter()
                    .filter_map(|e| self.edges[*e].likelihood)
                    .min()
                    .unwrap_or(Level::High);
                out.push(PathRef {
                    entry,
                    target: t,
                    edges,
                    risk: Risk::new(likelihood, kind.impact()),
                });
            }
        }
        out
    }

    /// For each node, the first edge of a shortest path to `target` (`None`: none within bounds).
    fn search_to(&self, target: usize, blocked: &dyn Fn(&Edge) -> bool) -> Vec<Option<usize>> {
        let n = self.nodes.len();
        let mut next: Vec<Option<usize>> = vec![None; n];
        let mut depth = vec![usize::MAX; n];
        depth[target] = 0;
        let mut queue = VecDeque::from([target]);
        while let Some(v) = queue.pop_front() {
            if depth[v] >= MAX_HOPS {
                continue;
            }
            for &e in &self.incoming[v] {
                let edge = &self.edges[e];
                if depth[edge.from] != usize::MAX || blocked(edge) {
                    continue;
                }
                depth[edge.from] = depth[v] + 1;
                next[edge.from] = Some(e);
                queue.push_back(edge.from);
            }
        }
        next
    }

    /// How many entry-target pairs, per target kind, are no longer connected once `cleared`
    /// checks pass: `cleared(element, slug)` says whether a fix makes that check pass on that
    /// element. Kinds with no path are left out.
    pub fn broken_by(&self, cleared: &dyn Fn(&str, &str) -> bool) -> Vec<PathCount> {
        let blocked = |e: &Edge| e.breakable.iter().any(|(el, s)| cleared(el, s));
        if !self.edges.iter().any(blocked) {
            return self.by_target.clone();
        }
        let after = self.shortest(&blocked);
        self.by_target
            .iter()
            .map(|c| {
                let left = after
                    .iter()
                    .filter(|p| self.nodes[p.target].target == Some(c.target))
                    .count();
                PathCount {
                    broken: c.total.saturating_sub(left),
                    ..*c
                }
            })
            .collect()
    }

    /// The graph's nodes (entries, targets and the elements between).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The label of a node id, for renderers.
    pub fn label<'a>(&'a self, id: &'a str) -> &'a str {
        self.nodes
            .iter()
            .find(|n| n.id == id)
            .map_or(id, |n| n.label.as_str())
    }
}
