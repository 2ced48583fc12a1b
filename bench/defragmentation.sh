#!/usr/bin/env bash
# Benchmark: defragmentation. On one local rig with the operator running, times how long the operator takes to
# defragment a 3-member cluster holding 128 MiB of free pages (spec.defragmentation.freeSpacePercent, from the spec
# change to its end on record), next to the baseline of etcdctl by hand on an identical cluster in the same round
# (followers, move-leader, then the old leader), with the databases' size before and after. Writes a Markdown report to
# target/bench/defragmentation.md and prints it. See docs/benchmarks.md.
#
#   bench/defragmentation.sh [--rounds N] [--warmup N]     defaults: 3 measured rounds, 1 warm-up round
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
run_bench 512m DefragmentationBench "$@"
