#!/usr/bin/env bash
# Benchmark: time to heal. On one local rig with the operator running, times how long a 3-member cluster takes to be
# whole again (Available, every member ready, three started voters and no learner) after each kind of fault at member
# 0, while a client writes through its client Service, next to the baseline of a member whose etcd was killed and
# restarts with its data. Writes a Markdown report to target/bench/heal.md and prints it. See docs/benchmarks.md.
#
#   bench/heal.sh [--rounds N] [--warmup N]     defaults: 3 measured rounds, 1 warm-up round
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
run_bench 512m HealBench "$@"
