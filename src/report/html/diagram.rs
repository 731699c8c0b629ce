//! The data-flow diagram as inline SVG: trust boundaries as nested boxes, elements as nodes
//! inside them (rounded: process, double-lined: data store, square: external entity), data
//! flows as arrows; elements with an exposed threat drawn in red, each node a link that filters
//! the threat register to its element.
//!
//! Decision: a layout of our own rather than layout-rs: the model is a shallow tree of
//! boundaries (host → daemon → containers; cluster → namespaces → workloads), which nested
//! boxes with a grid of nodes each show directly, where a general layered graph layout has no
//! clusters (layout-rs draws no subgraphs) and would lose the boundaries. It is linear in the
//! elements and deterministic. At cluster scale a box shows its first [`NODES_PER_BOX`]
//! elements (exposed first) and a "+N more" node; a boundary its first [`BOXES_PER_BOX`]
//! child boundaries.

use std::collections::{HashMap, HashSet};

use super::markup::Html;
use crate::threats::Assessment;
use crate::threats::Status;
use crate::threats::elements::{DfdType, Element};

pub const NODES_PER_BOX: usize = 12;
pub const BOXES_PER_BOX: usize = 12;
const NODE_W: f64 = 176.0;
const NODE_H: f64 = 40.0;
const GAP: f64 = 14.0;
const PAD: f64 = 12.0;
const HEADER: f64 = 22.0;
const GRID_COLS: usize = 3;
const MAX_ROW_W: f64 = 1200.0;
const LABEL_CHARS: usize = 24;

/// A drawn node: an element, or the count of those a box does not show.
enum NodeKind<'a> {
    Element(&'a Element),
    More { hidden: usize, exposed: usize },
}

struct Node<'a> {
    kind: NodeKind<'a>,
    exposed: bool,
    x: f64,
    y: f64,
}

struct BoxLayout<'a> {
    label: String,
    nodes: Vec<Node<'a>>,
    children: Vec<BoxLayout<'a>>,
    /// Child boundaries not drawn.
    more_boxes: usize,
    w: f64,
    h: f64,
    x: f64,
    y: f64,
}

struct Index<'a> {
    exposed: HashSet<&'a str>,
    nodes_in: HashMap<&'a str, Vec<&'a Element>>,
    children_of: HashMap<&'a str, Vec<usize>>,
}

pub fn render(out: &mut Html, a: &Assessment) {
    let model = &a.system;
    let mut exposed: HashSet<&str> = HashSet::new();
    for i in a.instances.iter().filter(|i| i.status == Status::Exposed) {
        match model.element(&i.element) {
            Some(e) if e.dfd == DfdType::DataFlow => {
                exposed.extend(e.from.as_deref());
                exposed.extend(e.to.as_deref());
                exposed.insert(e.id.as_str());
            }
            Some(e) => {
                exposed.insert(e.id.as_str());
            }
            None => {}
        }
    }
    let known: HashSet<&str> = model.boundaries.iter().map(|b| b.id.as_str()).collect();
    let mut index = Index {
        exposed,
        nodes_in: HashMap::new(),
        children_of: HashMap::new(),
    };
    let mut loose: Vec<&Element> = Vec::new();
    for e in model.elements.iter().filter(|e| e.dfd != DfdType::DataFlow) {
        if known.contains(e.boundary.as_str()) {
            index
                .nodes_in
                .entry(e.boundary.as_str())
                .or_default()
                .push(e);
        } else {
            loose.push(e);
        }
    }
    let mut roots = Vec::new();
    for (n, b) in model.boundaries.iter().enumerate() {
        match b.parent.as_deref().filter(|p| known.contains(p)) {
            Some(p) => index.children_of.entry(p).or_default().push(n),
            None => roots.push(n),
        }
    }
    let mut boxes: Vec<BoxLayout> = roots.iter().map(|&n| layout_box(a, &index, n, 0)).collect();
    if !loose.is_empty() {
        boxes.push(sized(BoxLayout {
            label: "outside any trust boundary".into(),
            nodes: nodes_of(&loose, &index),
            children: vec![],
            more_boxes: 0,
            w: 0.0,
            h: 0.0,
            x: 0.0,
            y: 0.0,
        }));
    }
    let (w, h) = place_row(&mut boxes, 0.0, 0.0);
    let mut centres: HashMap<&str, (f64, f64)> = HashMap::new();
    for b in &boxes {
        collect_centres(b, &mut centres);
    }

    let view = format!("0 0 {:.0} {:.0}", w.max(NODE_W), h.max(NODE_H));
    out.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("viewBox", &view),
            ("width", &format!("{:.0}", w.max(NODE_W))),
            ("role", "img"),
            ("aria-label", "Data-flow diagram with trust boundaries"),
            ("class", "dfd"),
        ],
    );
    out.raw("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" class=\"arrowhead\"/></marker></defs>");
    for b in &boxes {
        draw_box(out, b);
    }
    draw_flows(out, a, &index, &centres);
    out.close("svg");
}

fn layout_box<'a>(a: &'a Assessment, index: &Index<'a>, n: usize, depth: usize) -> BoxLayout<'a> {
    let b = &a.system.boundaries[n];
    let members = index
        .nodes_in
        .get(b.id.as_str())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let kids = index
        .children_of
        .get(b.id.as_str())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    // Deep or wide trees are cut: a model is a few levels deep, a cluster wide.
    let shown = if depth > 6 {
        0
    } else {
        kids.len().min(BOXES_PER_BOX)
    };
    let children = kids[..shown]
        .iter()
        .map(|&k| layout_box(a, index, k, depth + 1))
        .collect();
    sized(BoxLayout {
        label: b.label.clone(),
        nodes: nodes_of(members, index),
        children,
        more_boxes: kids.len() - shown,
        w: 0.0,
        h: 0.0,
        x: 0.0,
        y: 0.0,
    })
}

/// The nodes a box draws: exposed elements first, at most [`NODES_PER_BOX`], the rest counted.
fn nodes_of<'a>(members: &[&'a Element], index: &Index<'a>) -> Vec<Node<'a>> {
    let is_exposed = |e: &&Element| index.exposed.contains(e.id.as_str());
    let mut ordered: Vec<&Element> = members.iter().copied().filter(is_exposed).collect();
    ordered.extend(members.iter().copied().filter(|e| !is_exposed(e)));
    let node = |kind, exposed| Node {
        kind,
        exposed,
        x: 0.0,
        y: 0.0,
    };
    if ordered.len() <= NODES_PER_BOX {
        return ordered
            .into_iter()
            .map(|e| node(NodeKind::Element(e), is_exposed(&e)))
            .collect();
    }
    let keep = NODES_PER_BOX - 1;
    let hidden = &ordered[keep..];
    let hidden_exposed = hidden.iter().filter(|e| is_exposed(e)).count();
    let mut nodes: Vec<Node> = ordered[..keep]
        .iter()
        .map(|&e| node(NodeKind::Element(e), is_exposed(&e)))
        .collect();
    nodes.push(node(
        NodeKind::More {
            hidden: hidden.len(),
            exposed: hidden_exposed,
        },
        hidden_exposed > 0,
    ));
    nodes
}

/// Compute a box's size from its nodes (a grid) and children (rows that wrap).
fn sized(mut b: BoxLayout) -> BoxLayout {
    let cols = b.nodes.len().min(GRID_COLS);
    let rows = b.nodes.len().div_ceil(GRID_COLS.max(1));
    let grid_w = if cols == 0 {
        0.0
    } else {
        cols as f64 * NODE_W + (cols - 1) as f64 * GAP
    };
    let grid_h = if rows == 0 {
        0.0
    } else {
        rows as f64 * NODE_H + (rows - 1) as f64 * GAP
    };
    let (kids_w, kids_h) = row_extent(&b.children);
    let label_w = (b.label.chars().count().min(80) as f64) * 7.0 + 2.0 * PAD;
    let more_h = if b.more_boxes > 0 { 18.0 } else { 0.0 };
    b.w = grid_w.max(kids_w).max(label_w).max(NODE_W) + 2.0 * PAD;
    let between = if grid_h > 0.0 && kids_h > 0.0 {
        GAP
    } else {
        0.0
    };
    b.h = HEADER + grid_h + between + kids_h + more_h + PAD;
    b
}

/// The size of boxes laid out left to right, wrapping at [`MAX_ROW_W`].
fn row_extent(boxes: &[BoxLayout]) -> (f64, f64) {
    let (mut x, mut row_h, mut w, mut h) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for b in boxes {
        if x > 0.0 && x + b.w > MAX_ROW_W {
            h += row_h + GAP;
            x = 0.0;
            row_h = 0.0;
        }
        x += b.w + GAP;
        row_h = row_h.max(b.h);
        w = w.max(x - GAP);
    }
    (w, if boxes.is_empty() { 0.0 } else { h + row_h })
}

/// Give boxes (and everything inside them) their positions, from (x0, y0); returns the extent.
fn place_row(boxes: &mut [BoxLayout], x0: f64, y0: f64) -> (f64, f64) {
    let (mut x, mut y, mut row_h, mut w) = (x0, y0, 0.0f64, 0.0f64);
    for b in boxes.iter_mut() {
        if x > x0 && x - x0 + b.w > MAX_ROW_W {
            y += row_h + GAP;
            x = x0;
            row_h = 0.0;
        }
        place_box(b, x, y);
        x += b.w + GAP;
        row_h = row_h.max(b.h);
        w = w.max(x - GAP - x0);
    }
    (w, y - y0 + row_h)
}

fn place_box(b: &mut BoxLayout, x: f64, y: f64) {
    b.x = x;
    b.y = y;
    let top = y + HEADER;
    for (n, node) in b.nodes.iter_mut().enumerate() {
        node.x = x + PAD + (n % GRID_COLS) as f64 * (NODE_W + GAP);
        node.y = top + (n / GRID_COLS) as f64 * (NODE_H + GAP);
    }
    let rows = b.nodes.len().div_ceil(GRID_COLS);
    let grid_h = if rows == 0 {
        0.0
    } else {
        rows as f64 * (NODE_H + GAP)
    };
    place_row(&mut b.children, x + PAD, top + grid_h);
}

fn collect_centres<'a>(b: &BoxLayout<'a>, out: &mut HashMap<&'a str, (f64, f64)>) {
    for n in &b.nodes {
        if let NodeKind::Element(e) = n.kind {
            out.insert(e.id.as_str(), (n.x + NODE_W / 2.0, n.y + NODE_H / 2.0));
        }
    }
    for c in &b.children {
        collect_centres(c, out);
    }
}

fn f(v: f64) -> String {
    format!("{v:.0}")
}

fn draw_box(out: &mut Html, b: &BoxLayout) {
    out.open("g", &[("class", "boundary")]);
    out.el("title", &[], &b.label);
    out.void(
        "rect",
        &[
            ("x", &f(b.x)),
            ("y", &f(b.y)),
            ("width", &f(b.w)),
            ("height", &f(b.h)),
            ("rx", "6"),
        ],
    );
    out.el(
        "text",
        &[
            ("x", &f(b.x + PAD)),
            ("y", &f(b.y + 15.0)),
            ("class", "boundary-label"),
        ],
        &shorten_to(&b.label, 80),
    );
    out.close("g");
    for n in &b.nodes {
        draw_node(out, n);
    }
    for c in &b.children {
        draw_box(out, c);
    }
    if b.more_boxes > 0 {
        out.el(
            "text",
            &[
                ("x", &f(b.x + PAD)),
                ("y", &f(b.y + b.h - PAD)),
                ("class", "more"),
            ],
            &format!(
                "+{} more trust boundaries (in the threat register)",
                b.more_boxes
            ),
        );
    }
}

/// `text`, cut to `n` characters with an ellipsis (the full text is in the node's title).
fn shorten_to(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        return text.to_string();
    }
    text.chars().take(n - 1).chain(['…']).collect()
}

fn draw_node(out: &mut Html, n: &Node) {
    let class = if n.exposed { "node exposed" } else { "node" };
    let (x, y) = (f(n.x), f(n.y));
    let (w, h) = (f(NODE_W), f(NODE_H));
    match n.kind {
        NodeKind::Element(e) => {
            out.open(
                "a",
                &[
                    ("href", "#register"),
                    ("class", class),
                    ("data-element", &e.id),
                ],
            );
            out.el("title", &[], &format!("{} ({})", e.label, e.id));
            let rx = match e.dfd {
                DfdType::Process => "18",
                DfdType::DataStore => "3",
                _ => "0",
            };
            out.void(
                "rect",
                &[
                    ("x", &x),
                    ("y", &y),
                    ("width", &w),
                    ("height", &h),
                    ("rx", rx),
                ],
            );
            if e.dfd == DfdType::DataStore {
                // A data store's second line, as DFD notation draws it.
                out.void(
                    "line",
                    &[
                        ("x1", &x),
                        ("y1", &f(n.y + 6.0)),
                        ("x2", &f(n.x + NODE_W)),
                        ("y2", &f(n.y + 6.0)),
                    ],
                );
            }
            out.el(
                "text",
                &[("x", &f(n.x + NODE_W / 2.0)), ("y", &f(n.y + 25.0))],
                &shorten_to(&e.label, LABEL_CHARS),
            );
            out.close("a");
        }
        NodeKind::More { hidden, exposed } => {
            out.open("g", &[("class", class)]);
            let label = format!("+{hidden} more ({exposed} exposed)");
            out.el(
                "title",
                &[],
                &format!("{label}; every one is in the threat register"),
            );
            out.void(
                "rect",
                &[
                    ("x", &x),
                    ("y", &y),
                    ("width", &w),
                    ("height", &h),
                    ("rx", "0"),
                    ("stroke-dasharray", "4 3"),
                ],
            );
            out.el(
                "text",
                &[("x", &f(n.x + NODE_W / 2.0)), ("y", &f(n.y + 25.0))],
                &label,
            );
            out.close("g");
        }
    }
}

/// Where the line from `from` to the centre `to` of a node leaves that node's rectangle.
fn border_point(to: (f64, f64), from: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (from.0 - to.0, from.1 - to.1);
    let tx = if dx == 0.0 {
        f64::INFINITY
    } else {
        (NODE_W / 2.0) / dx.abs()
    };
    let ty = if dy == 0.0 {
        f64::INFINITY
    } else {
        (NODE_H / 2.0) / dy.abs()
    };
    let t = tx.min(ty).min(1.0);
    (to.0 + dx * t, to.1 + dy * t)
}

fn draw_flows(out: &mut Html, a: &Assessment, index: &Index, centres: &HashMap<&str, (f64, f64)>) {
    let mut drawn: HashSet<(String, String)> = HashSet::new();
    for e in a
        .system
        .elements
        .iter()
        .filter(|e| e.dfd == DfdType::DataFlow)
    {
        let (Some(from), Some(to)) = (e.from.as_deref(), e.to.as_deref()) else {
            continue;
        };
        let (Some(&p), Some(&q)) = (centres.get(from), centres.get(to)) else {
            continue;
        };
        if p == q || !drawn.insert((from.to_string(), to.to_string())) {
            continue;
        }
        let start = border_point(p, q);
        let end = border_point(q, p);
        let class = if index.exposed.contains(e.id.as_str()) {
            "flow exposed"
        } else {
            "flow"
        };
        out.open("g", &[("class", class)]);
        out.el("title", &[], &format!("{} ({})", e.label, e.id));
        out.void(
            "line",
            &[
                ("x1", &f(start.0)),
                ("y1", &f(start.1)),
                ("x2", &f(end.0)),
                ("y2", &f(end.1)),
                ("marker-end", "url(#arrow)"),
            ],
        );
        out.close("g");
    }
}
