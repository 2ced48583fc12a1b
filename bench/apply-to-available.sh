#!/usr/bin/env bash
# Benchmark: apply to Available. On one local rig with the operator running, times an EtcdCluster from
# apply to condition Available=True (and its member pods to Ready) next to the hand-written StatefulSet of
# the same size and storage (src/test/resources/rig/etcd-statefulset.yaml) from apply to all pods Ready.
# Writes a Markdown table to target/bench/apply-to-available.md and prints it. See docs/benchmarks.md.
#
#   bench/apply-to-available.sh [--rounds N] [--warmup N]    defaults: 5 measured rounds after 1 warm-up
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
# a modest heap: the rig's control-plane client and kubelet live in this JVM, the machine has other work
run_bench 512m ApplyToAvailableBench "$@"
