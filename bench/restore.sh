#!/usr/bin/env bash
# Benchmark: restore. On one local rig with the operator running, times an EtcdRestore of a backup into a new
# 3-member cluster, from create to Succeeded, next to what a user does by hand (download the object, etcdutl snapshot
# restore once per member, start the three members and wait until all are healthy), alternating within each round.
# Writes a Markdown report to target/bench/restore.md and prints it. See docs/benchmarks.md.
#
#   bench/restore.sh [--rounds N] [--warmup N] [--size MiB]
#     defaults: 3 measured rounds, 1 warm-up round, 1100 MiB of data
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
# the rig's control-plane client and kubelet live in this JVM, and the script side's 10 parts of 8 MiB in flight
run_bench 768m RestoreBench "$@"
