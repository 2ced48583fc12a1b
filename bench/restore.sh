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
bash hack/tools.sh >/dev/null
tools=$(bash hack/tools.sh --print | sed -n 's/^QUORUM_TOOLS=//p')
./mvnw -B -q -ntp package -DskipTests -Dquorum.tools="$tools"
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
# the report names what was measured; a dirty tree is not quite that commit
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain -- src pom.xml crds bench 2>/dev/null)" ]]; then
  commit+=" (plus uncommitted changes)"
fi
# the rig's control-plane client and kubelet live in this JVM, and the script side's 10 parts of 8 MiB in flight
exec java -Xmx768m -Dquorum.tools="$tools" -Dbench.commit="$commit" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.quorum.bench.RestoreBench "$@"
