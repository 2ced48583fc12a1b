#!/usr/bin/env bash
# Benchmark: backup to S3. On one local rig with the operator running (-Xmx256m, as the chart), times an EtcdBackup
# of a 3-member cluster from create to Succeeded next to the two-step script a user would write (etcdctl snapshot
# save to a file, then a multipart upload of it as aws s3 cp does), at two database sizes, and reads the operator's
# peak heap during its backups from its GC log. Writes a Markdown report to target/bench/backup-to-s3.md and prints
# it. See docs/benchmarks.md.
#
#   bench/backup-to-s3.sh [--rounds N] [--warmup N] [--sizes MiB,MiB]
#     defaults: 3 measured rounds per size, 1 warm-up round at the first size, sizes 256,1100
#   disk: about 10 GB free under target/ at 1100 MiB (3 members' data and WAL, the snapshot file, the objects)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
# the rig's control-plane client and kubelet live in this JVM, and the script side's 10 parts of 8 MiB in flight
run_bench 768m BackupToS3Bench "$@"
