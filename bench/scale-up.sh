#!/usr/bin/env bash
# Benchmark: scale 3 -> 5. On one local rig with the operator running, times an EtcdCluster's size change from 3 to 5
# members (to five healthy voters) next to the manual baseline (etcdctl member add, then start the member by hand with
# the membership it printed, twice), alternating within each round. Writes a Markdown report to
# target/bench/scale-up.md and prints it. See docs/benchmarks.md.
#
#   bench/scale-up.sh [--rounds N] [--warmup N] [--data MiB]
#     defaults: 3 measured rounds, 1 warm-up round, 64 MiB of data for the new members to catch up with
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
run_bench 512m ScaleUpBench "$@"
