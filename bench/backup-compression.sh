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
bash hack/tools.sh >/dev/null
tools=$(bash hack/tools.sh --print | sed -n 's/^QUORUM_TOOLS=//p')
./mvnw -B -q -ntp package -DskipTests -Dquorum.tools="$tools"
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
# the report names what was measured; a dirty tree is not quite that commit
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain -- src pom.xml crds bench 2>/dev/null)" ]]; then
  commit+=" (plus uncommitted changes)"
fi
# the rig's control-plane client and kubelet live in this JVM
exec java -Xmx512m -Dquorum.tools="$tools" -Dbench.commit="$commit" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.quorum.bench.BackupCompressionBench "$@"
