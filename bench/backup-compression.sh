#!/usr/bin/env bash
# Benchmark: backup compression. On one local rig with the operator running (-Xmx256m, as the chart), times
# EtcdBackups of the same 3-member cluster with compression None and Gzip, alternating within each round, on two
# kinds of data (Kubernetes-like JSON objects; random 1 MiB values), and compares the objects' sizes. Writes a
# Markdown report to target/bench/backup-compression.md and prints it. See docs/benchmarks.md.
#
#   bench/backup-compression.sh [--rounds N] [--mib N]
#     defaults: 3 measured rounds after 1 warm-up per kind of data, 256 MiB of each
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
# the rig's control-plane client and kubelet live in this JVM
run_bench 512m BackupCompressionBench "$@"
