#!/usr/bin/env bash
# fuzz/seed.sh: rebuild the seed corpora in fuzz/corpus/<target>/ (run from anywhere).
#
# Seeds come from the repository's own fixtures and generated files, plus, when the
# research corpus is present beside the checkout (../shared/corpus, real public files; see
# fuzz/corpus/SOURCES.md), a sample of real Dockerfiles, compose files and manifests.
# The committed corpus is the minimised one (`cargo fuzz cmin`, see scripts/fuzz --minimise).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
repo=$PWD/..
shared=$repo/../shared
bin=$repo/target/debug/threatbench
[[ -x $bin ]] || (cd "$repo" && cargo build -q)

seed() { # seed TARGET NAME < content
  mkdir -p "corpus/$1"
  cat >"corpus/$1/$2"
}
copy() { # copy TARGET FILE [NAME]
  [[ -f $2 ]] || return 0
  mkdir -p "corpus/$1"
  cp "$2" "corpus/$1/${3:-$(basename "$2")}"
}

# Dockerfiles
copy dockerfile "$repo/tests/fixtures/lint/project/app/Dockerfile" project.Dockerfile
seed dockerfile heredoc <<'X'
# syntax=docker/dockerfile:1
ARG BASE=debian:12
FROM ${BASE} AS build
RUN <<SH
set -e
apt-get update && apt-get install -y curl
SH
COPY --from=build --chown=1000:1000 /out /app
ENV PASSWORD=hunter2 \
    PATH=/app:$PATH
HEALTHCHECK --interval=30s CMD ["/app/health"]
USER 1000
ENTRYPOINT ["/app/run"]
X
if [[ -d $shared/corpus/dockerfiles ]]; then
  find "$shared/corpus/dockerfiles" -name Dockerfile | sort | head -40 | while read -r f; do
    copy dockerfile "$f" "$(basename "$(dirname "$f")")"
  done
fi

# compose files
copy compose "$repo/tests/fixtures/lint/project/compose/docker-compose.yml" project.yml
if [[ -d $shared/corpus/compose ]]; then
  find "$shared/corpus/compose" -type f | sort | head -30 | while read -r f; do
    copy compose "$f" "$(basename "$(dirname "$f")").yaml"
  done
fi

# Kubernetes manifests (YAML and JSON lists)
for f in "$repo"/tests/fixtures/lint/project/k8s/*; do copy kubernetes_manifest "$f"; done
if [[ -d $shared/corpus/k8s ]]; then
  find "$shared/corpus/k8s" -type f | sort | awk 'NR % 3 == 1' | while read -r f; do
    copy kubernetes_manifest "$f"
  done
fi
for f in "$shared"/research/k8s-inputs/kubeadm-v1.29-controlplane/*.yaml; do
  [[ -f $f ]] && copy kubernetes_manifest "$f" "kubeadm-$(basename "$f")"
done

# systemd units and drop-ins
seed systemd_unit docker.service <<'X'
[Unit]
Description=Docker Application Container Engine
After=network-online.target docker.socket
Requires=docker.socket

[Service]
Type=notify
EnvironmentFile=-/etc/default/docker
Environment="DOCKER_OPTS=--tlsverify" 'HTTP_PROXY=http://proxy:3128'
ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS \
  --log-level=info
ExecReload=/bin/kill -s HUP $MAINPID
X
seed systemd_unit docker.socket <<'X'
[Socket]
ListenStream=/run/docker.sock
SocketMode=0660
SocketUser=root
SocketGroup=docker
X
for f in "$shared"/research/k8s-inputs/systemd/*; do [[ -f $f ]] && copy systemd_unit "$f"; done

# audit rules
seed audit_rules docker.rules <<'X'
-w /usr/bin/dockerd -p wa -k docker
-w /run/containerd -k docker
-a always,exit -F path=/etc/docker/daemon.json -F perm=wa -k docker
-a exit,always -F arch=b64 -S mount -F dir=/var/lib/docker
-e 2
X

# mountinfo
seed mountinfo self <<'X'
22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
24 22 0:5 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev rw,size=4096k
30 22 253:2 / /var/lib/docker rw,relatime shared:20 - xfs /dev/vdb rw,attr2
31 22 0:40 /var/lib/kubelet /var/lib/kubelet\040dir rw master:5 propagate_from:1 - tmpfs tmpfs rw
X

# threatmodel.yaml (the starter file) and .threatbench.yaml
mkdir -p corpus/threat_model
rm -f corpus/threat_model/starter.yaml
"$bin" model init corpus/threat_model/starter.yaml >/dev/null
seed lint_config threatbench.yaml <<'X'
select: [k8s-, "5.2", container-privileged]
ignore: [image-healthcheck, "k8s-pod-resource-*"]
severity:
  k8s-namespace-default-used: medium
skip:
  - vendor
  - "charts/**/templates/**"
benchmark: [cis-docker-1.8.0, cis-kubernetes-2.0]
X

# daemon.json with dockerd's flags on the first line
seed daemon_json tls <<'X'
-H tcp://0.0.0.0:2376 --tlsverify --icc=false
{"hosts": ["unix:///var/run/docker.sock"], "log-driver": "json-file", "log-opts": {"max-size": "10m"}, "userns-remap": "default", "live-restore": true, "no-new-privileges": true, "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}, "tlscacert": "/etc/docker/ca.pem"}
X
seed daemon_json insecure <<'X'
--insecure-registry=10.0.0.0/8 --storage-driver=devicemapper --userland-proxy=true
{"insecure-registries": ["0.0.0.0/0"], "icc": true, "authorization-plugins": ["opa"], "storage-driver": "overlay2"}
X

# kubelet config with flags on the first line
{
  echo "--anonymous-auth=true --read-only-port=10255 --rotate-certificates"
  if [[ -f $shared/research/k8s-inputs/kubelet/config.yaml.kubeadm-default ]]; then
    cat "$shared/research/k8s-inputs/kubelet/config.yaml.kubeadm-default"
  else
    printf 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: false\n  webhook:\n    enabled: true\nauthorization:\n  mode: Webhook\n'
  fi
} | seed kubelet_config kubeadm

# facts bundle: collected from a small host root (no daemon), so no real host data is kept
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/proc/812" "$root/etc/docker" "$root/lib/systemd/system"
printf '/usr/bin/dockerd\0-H\0fd://\0--icc=false\0' >"$root/proc/812/cmdline"
echo '{"live-restore": true}' >"$root/etc/docker/daemon.json"
cp corpus/systemd_unit/docker.service "$root/lib/systemd/system/docker.service"
mkdir -p corpus/facts_bundle
"$bin" collect --root "$root" -o corpus/facts_bundle/root.json 2>/dev/null || true  # partial: no daemon
echo "seeded: $(for d in corpus/*/; do printf '%s=%s ' "$(basename "$d")" "$(ls "$d" | wc -l)"; done)"
