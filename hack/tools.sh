#!/usr/bin/env bash
# Builds (once) and caches the real binaries the Quorum rig and tests run:
# kube-apiserver, kube-controller-manager, kubectl, etcd/etcdctl/etcdutl (two minors, and an old patch for the upgrade-path tests),
# helm, an S3-compatible server (versitygw) and Prometheus with promtool; cert-manager's CRDs (no controller: the tests show what the operator
# asks of cert-manager); for real nodes kubelet, kube-scheduler, kube-proxy, containerd, the CNI plugins and CoreDNS.
# Everything comes from the Go module proxy, but runc: the distribution's package (see check_runc).
# Idempotent: a binary that is already there is not rebuilt, so a warm run takes seconds.
#
#   hack/tools.sh            build what is missing, print the tool directory
#   hack/tools.sh --print    only print the environment the tests read (QUORUM_TOOLS, KUBE_API_TEST_DIR)
set -euo pipefail

KUBE_VERSION=${KUBE_VERSION:-1.34.4}
ETCD_VERSIONS=${ETCD_VERSIONS:-"3.6.16 3.5.35"}
# only for the upgrade-path tests, not run by every test as the above are: a 3.5 patch older than the one etcd's
# 3.6 upgrade guide starts from, which the operator must refuse to take to 3.6
ETCD_UPGRADE_PATH_VERSIONS=${ETCD_UPGRADE_PATH_VERSIONS:-"3.5.21"}
HELM_VERSION=${HELM_VERSION:-3.19.5}
VERSITYGW_VERSION=${VERSITYGW_VERSION:-1.8.0}
CERT_MANAGER_VERSION=${CERT_MANAGER_VERSION:-1.21.2}
# real nodes: the container runtime, pod networking and cluster DNS (runc is Debian's: see build_node_tools)
CONTAINERD_VERSION=${CONTAINERD_VERSION:-2.2.10}
CNI_PLUGINS_VERSION=${CNI_PLUGINS_VERSION:-1.9.1}
COREDNS_VERSION=${COREDNS_VERSION:-1.14.7}
# Prometheus 3.16.0 (its Go module is versioned v0.316.0): the server the rig scrapes with, and promtool for the
# chart's alert rules; service discovery left out (remove_all_sd), as the rig renders its targets
PROMETHEUS_VERSION=${PROMETHEUS_VERSION:-0.316.0}
# the sandbox image containerd $CONTAINERD_VERSION pins (registry.k8s.io/pause:<tag>), built from hack/pause
PAUSE_VERSION=${PAUSE_VERSION:-3.10.1}

TOOLS=${QUORUM_TOOLS:-$HOME/.cache/quorum}

if [[ "${1:-}" == "--print" ]]; then
  echo "QUORUM_TOOLS=$TOOLS"
  echo "KUBE_API_TEST_DIR=$TOOLS/kube-api-test"
  exit 0
fi

SCRIPT_NAME=tools
STEP_LOGS=$TOOLS/logs
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
log() { script_log "$@"; }
need() { command -v "$1" >/dev/null || { echo "[tools] FAILED: '$1' is required: $2" >&2; exit 1; }; }
need go "install Go 1.24 or newer (https://go.dev or your distribution)"
need curl "install curl (your distribution's package)"

# The Go toolchain's own proxy setting (so a user's corporate proxy is honoured), without the `direct`
# fallback: modules come from a proxy only, and a missing one fails clearly.
GOPROXY=${QUORUM_GOPROXY:-$(go env GOPROXY 2>/dev/null || true)}
GOPROXY=$(tr '|' ',' <<<"$GOPROXY" | tr ',' '\n' | grep -Ev '^(direct|off|)$' | paste -sd, - || true)
if [[ -z "$GOPROXY" ]]; then
  echo "[tools] FAILED: no module proxy configured (go env GOPROXY, or QUORUM_GOPROXY); the rig's tools are built from one" >&2
  exit 1
fi
export GOPROXY
PROXY_URL=${GOPROXY%%,*}   # the first proxy, for the one file read with curl
export GOSUMDB=${QUORUM_GOSUMDB:-off}                        # the checksum database is not reachable here
export GOFLAGS="-mod=mod -buildvcs=false"
export GOMODCACHE=${GOMODCACHE:-$TOOLS/go/mod}
export GOCACHE=${GOCACHE:-$TOOLS/go/cache}
export CGO_ENABLED=0
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}

mkdir -p "$TOOLS/bin" "$TOOLS/src"

have_all() { local d=$1; shift; for f in "$@"; do [[ -x "$d/$f" ]] || return 1; done; }

# --- Kubernetes: wrapper module requiring k8s.io/kubernetes, staging modules replaced by their tags ---
build_kube() {
  local v=$KUBE_VERSION out="$TOOLS/bin/kube-$KUBE_VERSION"
  if have_all "$out" kube-apiserver kube-controller-manager kubectl; then log "kubernetes $v: cached"; return; fi
  log "kubernetes $v: building kube-apiserver, kube-controller-manager, kubectl (cold: about 5-10 min on 2 cores)"
  local src="$TOOLS/src/kube-$v"
  mkdir -p "$src"
  local upstream_mod="$src/upstream.mod"
  step "kubernetes $v: read upstream's go.mod" curl -fsS -o "$upstream_mod" "$PROXY_URL/k8s.io/kubernetes/@v/v$v.mod"
  local upstream
  upstream=$(<"$upstream_mod")
  local minor=${v#*.}; minor=${minor%%.*}
  local patch=${v##*.}
  {
    echo "module quorum.dev/tools/kube"
    echo
    echo "go 1.24.0"
    echo
    echo "require k8s.io/kubernetes v$v"
    echo
    # every staging module upstream pins at v0.0.0 with a local replace -> its published v0.<minor>.<patch>
    grep -E '^\s*k8s\.io/[^ ]+ => \./staging/' <<<"$upstream" | awk -v tag="v0.$minor.$patch" '{print "replace " $1 " => " $1 " " tag}'
  } >"$src/go.mod"
  cat >"$src/tools.go" <<'GO'
//go:build tools

package tools
GO
  local pkg=k8s.io/component-base/version cpkg=k8s.io/client-go/pkg/version
  local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld="-s -w"
  for p in $pkg $cpkg; do
    ld+=" -X $p.gitVersion=v$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  step "kubernetes $v: download its modules" go -C "$src" mod download k8s.io/kubernetes
  mkdir -p "$out.tmp"
  step "kubernetes $v: build kube-apiserver, kube-controller-manager, kubectl" \
    go -C "$src" build -p "$(nproc)" -trimpath -ldflags "$ld" -o "$out.tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kubectl
  rm -rf "$out"; mv "$out.tmp" "$out"
  local version
  version=$("$out/kube-apiserver" --version)
  log "kubernetes $v: built ($version)"
}

# --- etcd: wrapper module (go install fails on etcd's replace directives) ---
build_etcd() {
  local v=$1 out="$TOOLS/bin/etcd-$1"
  if have_all "$out" etcd etcdctl etcdutl; then log "etcd $v: cached"; return; fi
  log "etcd $v: building etcd, etcdctl, etcdutl"
  local src="$TOOLS/src/etcd-$v"
  mkdir -p "$src"
  cat >"$src/go.mod" <<MOD
module quorum.dev/tools/etcd

go 1.23

require (
	go.etcd.io/etcd/server/v3 v$v
	go.etcd.io/etcd/etcdctl/v3 v$v
	go.etcd.io/etcd/etcdutl/v3 v$v
)
MOD
  mkdir -p "$out.tmp"
  local bin pkg
  for bin in etcd etcdctl etcdutl; do
    pkg=go.etcd.io/etcd/$([[ $bin == etcd ]] && echo server || echo "$bin")/v3
    step "etcd $v: build $bin" go -C "$src" build -trimpath -ldflags "-s -w" -o "$out.tmp/$bin" "$pkg"
  done
  rm -rf "$out"; mv "$out.tmp" "$out"
  # read whole, never piped into head: etcd would die of SIGPIPE, and set -e with it (a race a fresh machine lost)
  local version
  version=$("$out/etcd" --version)
  log "etcd $v: built (${version%%$'\n'*})"
}

# --- real nodes: kubelet, kube-scheduler and kube-proxy from the same wrapper module as the control plane ---
build_kube_node() {
  local v=$KUBE_VERSION out="$TOOLS/bin/kube-node-$KUBE_VERSION" src="$TOOLS/src/kube-$KUBE_VERSION"
  if have_all "$out" kubelet kube-scheduler kube-proxy; then log "kubernetes $v node binaries: cached"; return; fi
  log "kubernetes $v: building kubelet, kube-scheduler, kube-proxy (cold: about 7 min on 2 cores)"
  local minor=${v#*.}; minor=${minor%%.*}
  local date; date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=v$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=$date"
  done
  mkdir -p "$out.tmp"
  step "kubernetes $v: build kubelet, kube-scheduler, kube-proxy" \
    go -C "$src" build -p "$(nproc)" -trimpath -ldflags "$ld" -o "$out.tmp/" \
      k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kube-proxy
  rm -rf "$out"; mv "$out.tmp" "$out"
  local version
  version=$("$out/kubelet" --version)
  log "kubernetes $v: node binaries built ($version)"
}

# A wrapper module that requires one upstream module and builds some of its commands: go install refuses modules
# with replace directives (containerd, CoreDNS); the wrapper resolves them as a normal dependency instead.
build_wrapped() { # name version module binary=package...
  local name=$1 v=$2 module=$3; shift 3
  local out="$TOOLS/bin/$name-$v" src="$TOOLS/src/$name-$v" bins=() pair
  for pair in "$@"; do bins+=("${pair%%=*}"); done
  if have_all "$out" "${bins[@]}"; then log "$name $v: cached"; return; fi
  log "$name $v: building ${bins[*]}"
  mkdir -p "$src" "$out.tmp"
  printf 'module quorum.dev/tools/%s\n\ngo 1.24.0\n\nrequire %s v%s\n' "$name" "$module" "$v" >"$src/go.mod"
  step "$name $v: download its modules" go -C "$src" mod download "$module"
  for pair in "$@"; do
    step "$name $v: build ${pair%%=*}" go -C "$src" build -trimpath -ldflags "-s -w" -o "$out.tmp/${pair%%=*}" "${pair#*=}"
  done
  rm -rf "$out"; mv "$out.tmp" "$out"
}

# runc is Debian's package, not built here: it needs cgo and libseccomp (the Go proxy cannot give a static build),
# and Debian 12's runc 1.1.5 runs the rig's pods (see ../shared notes on real nodes).
check_runc() {
  if command -v runc >/dev/null; then log "runc: $(runc --version | sed -n 1p) (the distribution's)"; return; fi
  echo "[tools] FAILED: runc is required for real nodes: install Debian's package 'runc'" >&2
  exit 1
}

# the pod sandbox image's one binary, from this repository (hack/pause says why); rebuilt when its source changes
build_pause() {
  local out="$TOOLS/bin/pause-$PAUSE_VERSION" src
  src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pause"
  if [[ -x "$out/pause" && ! "$src/main.go" -nt "$out/pause" ]]; then log "pause $PAUSE_VERSION: cached"; return; fi
  mkdir -p "$out"
  step "pause $PAUSE_VERSION: build" go -C "$src" build -trimpath -ldflags "-s -w" -o "$out/pause" .
  log "pause $PAUSE_VERSION: built"
}

build_node_tools() {
  build_kube_node
  build_wrapped containerd "$CONTAINERD_VERSION" github.com/containerd/containerd/v2 \
    containerd=github.com/containerd/containerd/v2/cmd/containerd \
    containerd-shim-runc-v2=github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
    ctr=github.com/containerd/containerd/v2/cmd/ctr
  build_wrapped cni-plugins "$CNI_PLUGINS_VERSION" github.com/containernetworking/plugins \
    bridge=github.com/containernetworking/plugins/plugins/main/bridge \
    host-local=github.com/containernetworking/plugins/plugins/ipam/host-local \
    loopback=github.com/containernetworking/plugins/plugins/main/loopback \
    portmap=github.com/containernetworking/plugins/plugins/meta/portmap
  build_wrapped coredns "$COREDNS_VERSION" github.com/coredns/coredns coredns=github.com/coredns/coredns
  build_pause
  check_runc
}

build_go_install() { # name version module-path/cmd binary
  local name=$1 v=$2 pkg=$3 bin=$4 out="$TOOLS/bin/$1-$2"
  if have_all "$out" "$bin"; then log "$name $v: cached"; return; fi
  log "$name $v: go install $pkg@v$v"
  mkdir -p "$out.tmp"
  step "$name $v: go install" env GOBIN="$out.tmp" go install -trimpath -ldflags "-s -w" "$pkg@v$v"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_prometheus() {
  local v=$PROMETHEUS_VERSION out="$TOOLS/bin/prometheus-$PROMETHEUS_VERSION" mod=github.com/prometheus/prometheus
  if have_all "$out" prometheus promtool; then log "prometheus $v: cached"; return; fi
  log "prometheus $v: go install $mod/cmd/{prometheus,promtool}@v$v (no service discovery)"
  mkdir -p "$out.tmp"
  step "prometheus $v: go install" env GOBIN="$out.tmp" go install -trimpath -ldflags "-s -w" -tags remove_all_sd \
    "$mod/cmd/prometheus@v$v" "$mod/cmd/promtool@v$v"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

# cert-manager's CRDs as its module ships them (deploy/crds), without building cert-manager
fetch_cert_manager_crds() {
  local v=$CERT_MANAGER_VERSION out="$TOOLS/crds/cert-manager-$CERT_MANAGER_VERSION" dir
  if [[ -f "$out/cert-manager.io_certificates.yaml" ]]; then log "cert-manager $v CRDs: cached"; return; fi
  log "cert-manager $v CRDs: go mod download github.com/cert-manager/cert-manager@v$v"
  local listing="$TOOLS/src/cert-manager-$v.json"
  mkdir -p "$TOOLS/src"
  step "cert-manager $v CRDs: download the module" \
    sh -c 'go mod download -json "$1" >"$2"' download "github.com/cert-manager/cert-manager@v$v" "$listing"
  dir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$listing")
  mkdir -p "$out.tmp"
  cp "$dir"/deploy/crds/cert-manager.io_*.yaml "$out.tmp/"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

# kube-api-test layout: $KUBE_API_TEST_DIR/k8s/<X.Y.Z>-linux-amd64/{etcd,kube-apiserver,kubectl}
layout_kube_api_test() {
  local d="$TOOLS/kube-api-test/k8s/$KUBE_VERSION-linux-amd64" etcd_default=${ETCD_VERSIONS%% *}
  mkdir -p "$d"
  ln -sfn "$TOOLS/bin/kube-$KUBE_VERSION/kube-apiserver" "$d/kube-apiserver"
  ln -sfn "$TOOLS/bin/kube-$KUBE_VERSION/kubectl" "$d/kubectl"
  ln -sfn "$TOOLS/bin/etcd-$etcd_default/etcd" "$d/etcd"
}

start=$SECONDS
for v in $ETCD_VERSIONS $ETCD_UPGRADE_PATH_VERSIONS; do build_etcd "$v"; done
build_go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm helm
build_go_install versitygw "$VERSITYGW_VERSION" github.com/versity/versitygw/cmd/versitygw versitygw
build_prometheus
build_kube
fetch_cert_manager_crds
build_node_tools
layout_kube_api_test
cat >"$TOOLS/versions.env" <<ENV
KUBE_VERSION=$KUBE_VERSION
ETCD_VERSIONS="$ETCD_VERSIONS"
ETCD_UPGRADE_PATH_VERSIONS="$ETCD_UPGRADE_PATH_VERSIONS"
HELM_VERSION=$HELM_VERSION
VERSITYGW_VERSION=$VERSITYGW_VERSION
CERT_MANAGER_VERSION=$CERT_MANAGER_VERSION
CONTAINERD_VERSION=$CONTAINERD_VERSION
CNI_PLUGINS_VERSION=$CNI_PLUGINS_VERSION
COREDNS_VERSION=$COREDNS_VERSION
PROMETHEUS_VERSION=$PROMETHEUS_VERSION
PAUSE_VERSION=$PAUSE_VERSION
ENV
log "all tools ready in $TOOLS ($((SECONDS - start))s)"
echo "$TOOLS"
