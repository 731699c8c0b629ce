#!/usr/bin/env bash
# bench/containers.sh: how long `threatbench scan` takes, end to end, against a Docker host with
# N running containers, and how much memory it needs at its peak.
#
#   bench/containers.sh [N...]          default: 0 50 200
#   TB_BENCH_RUNS=10 TB_BENCH_DIR=/tmp/tb-bench bench/containers.sh 0 200
#
# Starts a private dockerd (scripts/docker-test-env, stopped on exit), builds the release binary,
# then for each N: brings the daemon to exactly N running `sleep` containers of the busybox test
# image, times `threatbench scan --format json` with hyperfine (and, for comparison, the same
# scan with container processes listed through `docker top`), and measures its peak RSS with
# GNU time. Results (hyperfine JSON/Markdown, time -v output) go to $TB_BENCH_OUT
# (default target/bench). The load average is printed before and after each run, because the
# machine may be shared: compare ratios against the N=0 baseline of the same session.
# Needs: hyperfine and GNU time (installed with apt-get when missing).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
COUNTS=("${@:-0 50 200}")
# shellcheck disable=SC2206 # word-split the default list
COUNTS=(${COUNTS[*]})
RUNS="${TB_BENCH_RUNS:-10}"
OUT="${TB_BENCH_OUT:-$ROOT/target/bench}"
# Each scan records into the history store as a user's would, but into a store of the
# benchmark's own (not ~/.local/share).
export XDG_DATA_HOME="$OUT/xdg"
export TB_TEST_DIR="${TB_BENCH_DIR:-/tmp/tb-bench-$$}"
ENV_SCRIPT="$ROOT/scripts/docker-test-env"

log() { echo "bench: $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${missing[@]}" </dev/null
fi

cargo build --release --quiet
BIN="$ROOT/target/release/threatbench"
mkdir -p "$OUT"

trap 'bash "$ENV_SCRIPT" stop || log "docker-test-env stop failed"' EXIT
bash "$ENV_SCRIPT" start
# shellcheck source=/dev/null
. "$TB_TEST_DIR/env"

# set_running N: exactly N running containers (started 4 at a time, removed when too many).
set_running() {
  local want="$1" have
  have=$(docker ps -q | wc -l)
  if ((have < want)); then
    seq "$have" $((want - 1)) |
      xargs -P 4 -I{} docker run -d --pull never --name "bench-{}" "$TB_TEST_IMAGE" sleep 1000000 >/dev/null
  elif ((have > want)); then
    docker ps -q | tail -n $((have - want)) | xargs docker rm -f >/dev/null
  fi
  have=$(docker ps -q | wc -l)
  ((have == want)) || { log "wanted $want running containers, have $have"; exit 1; }
}

# The second command reads no host files (an empty --root), so container processes come from
# `docker top` (as for a remote daemon) instead of the host's /proc; it exits 3, since the
# daemon's flags are then unknown, hence --ignore-failure for it.
EMPTY_ROOT="$OUT/empty-root"
mkdir -p "$EMPTY_ROOT"
printf '%-5s %-18s %-18s %-10s %-5s %s\n' N "scan (mean ± sd)" "docker-top path" "peak RSS" exit \
  "load avg before -> after" | tee "$OUT/summary.txt"
for n in "${COUNTS[@]}"; do
  set_running "$n"
  before=$(loadavg)
  hyperfine --style basic --warmup 1 --runs "$RUNS" \
    --export-json "$OUT/scan-$n.json" --export-markdown "$OUT/scan-$n.md" \
    -n scan "$BIN scan --format json" \
    -n docker-top "$BIN scan --format json --root $EMPTY_ROOT --docker-host $DOCKER_HOST" \
    --ignore-failure >"$OUT/hyperfine-$n.txt"
  code=0
  /usr/bin/time -v -o "$OUT/time-$n.txt" "$BIN" scan --format json >/dev/null || code=$?
  after=$(loadavg)
  mean() { jq -r ".results[$1] | \"\(.mean*1000|floor) ms ± \(.stddev*1000|floor)\"" "$OUT/scan-$n.json"; }
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f MB", $2/1024}' "$OUT/time-$n.txt")
  printf '%-5s %-18s %-18s %-10s %-5s %s -> %s\n' "$n" "$(mean 0)" "$(mean 1)" "$rss" "$code" \
    "$before" "$after" | tee -a "$OUT/summary.txt"
done
log "details in $OUT"
