#!/usr/bin/env bash
# Benchmark: quorum loss. On one local rig with the operator running, times an EtcdRecovery from the survivor (a
# persistent 3-member cluster that lost two members' data) and from a backup (an ephemeral one that lost every pod),
# each from create to Succeeded, next to etcd's documented manual procedure run by a script on the same rig
# (--force-new-cluster then member add; or download, etcdutl snapshot restore, start), alternating within each round.
# Writes a Markdown report to target/bench/quorum-loss.md and prints it. See docs/benchmarks.md.
#
#   bench/quorum-loss.sh [--rounds N] [--warmup N] [--size MiB]
#     defaults: 3 measured rounds, 1 warm-up round, 64 MiB of data
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
# the rig's control-plane client and kubelet live in this JVM
run_bench 768m QuorumLossBench "$@"
