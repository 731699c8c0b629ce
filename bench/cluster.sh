#!/usr/bin/env bash
# bench/cluster.sh: how long `threatbench scan` and `threatbench threats` take on a kubeadm
# control-plane node (--root) with a cluster dump of N pods (--cluster-dump), how much memory
# they need at their peak and how large the threats JSON is.
#
#   bench/cluster.sh [N...]             default: 1000 10000 100000
#   TB_BENCH_RUNS=5 TB_BENCH_BIN=/tmp/rel/release/threatbench bench/cluster.sh 1000 10000
#   TB_BENCH_BASE=/tmp/base/release/threatbench bench/cluster.sh 1000 10000   # and a baseline
#
# The dumps come from our own deterministic generator (examples/cluster_dump.rs: 100
# namespaces, Deployments -> ReplicaSets -> Pods with ownerReferences, StatefulSets, DaemonSets,
# CronJobs -> Jobs -> Pods, service accounts, Roles and bindings, NetworkPolicies, LimitRanges,
# ResourceQuotas) and are kept in $TB_BENCH_OUT/cluster-N between runs. Each command is timed
# with hyperfine (one warm-up run; 100,000 pods: 2 runs), its peak RSS measured with GNU time.
# The load average is printed before and after each N, because the machine may be shared:
# compare ratios (10k/1k, before/after) taken in the same session.
# Needs: hyperfine and GNU time (installed with apt-get when missing; not a CI dependency).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
COUNTS=("${@:-1000 10000 100000}")
# shellcheck disable=SC2206 # word-split the default list
COUNTS=(${COUNTS[*]})
RUNS="${TB_BENCH_RUNS:-5}"
OUT="${TB_BENCH_OUT:-$ROOT/target/bench}"
# Each scan records into the history store as a user's would, but into a store of the
# benchmark's own (not ~/.local/share); TB_BENCH_NO_STORE=1 adds --no-store (cluster.sh).
export XDG_DATA_HOME="$OUT/xdg"

log() { echo "bench: $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v jq >/dev/null || missing+=(jq)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" </dev/null
fi

if [[ -n "${TB_BENCH_BIN:-}" ]]; then
  BIN="$TB_BENCH_BIN"
else
  cargo build --release --quiet
  BIN="$ROOT/target/release/threatbench"
fi
cargo build --release --quiet --example cluster_dump
GEN="$ROOT/target/release/examples/cluster_dump"
mkdir -p "$OUT"

printf '%-7s %-9s %-9s %-20s %-20s %-10s %-10s %-10s %s\n' pods binary command "mean ± sd" "" "peak RSS" "JSON" exit \
  "load avg before -> after" | tee -a "$OUT/cluster-summary.txt"
BINARIES=("current:$BIN")
[[ -n "${TB_BENCH_BASE:-}" ]] && BINARIES+=("baseline:$TB_BENCH_BASE")
for n in "${COUNTS[@]}"; do
for labelled in "${BINARIES[@]}"; do
  label="${labelled%%:*}"
  BIN="${labelled#*:}"
  dir="$OUT/cluster-$n"
  [[ -f "$dir/dump/pods.json" ]] || "$GEN" "$n" "$dir" >&2
  args="--root $dir/root --cluster-dump $dir/dump --format json"
  [[ "${TB_BENCH_NO_STORE:-0}" == 1 ]] && args="$args --no-store"
  ((n >= 100000)) && runs=2
  before=$(loadavg)
  # Exit 1 (failed checks) is the expected outcome of a scan that finds something.
  hyperfine --style basic --warmup 1 --runs "$runs" --ignore-failure \
    --export-json "$OUT/cluster-$label-$n.json" --export-markdown "$OUT/cluster-$label-$n.md" \
    -n scan "$BIN scan $args" \
    -n threats "$BIN threats $args" >"$OUT/cluster-hyperfine-$label-$n.txt"
  after=$(loadavg)
  i=0
  for cmd in scan threats; do
    code=0
    /usr/bin/time -v -o "$OUT/cluster-time-$label-$cmd-$n.txt" "$BIN" $cmd $args -o "$OUT/cluster-$label-$cmd-$n.out.json" || code=$?
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MB", $2/1024}' "$OUT/cluster-time-$label-$cmd-$n.txt")
    size=$(stat -c %s "$OUT/cluster-$label-$cmd-$n.out.json" | awk '{printf "%.1f MB", $1/1e6}')
    mean=$(jq -r ".results[$i] | \"\(.mean*1000|floor) ms ± \(.stddev*1000|floor)\"" "$OUT/cluster-$label-$n.json")
    printf '%-7s %-9s %-9s %-41s %-10s %-10s %-10s %s -> %s\n' "$n" "$label" "$cmd" "$mean" "$rss" "$size" "$code" \
      "$before" "$after" | tee -a "$OUT/cluster-summary.txt"
    i=$((i + 1))
  done
done
done
log "details in $OUT"
