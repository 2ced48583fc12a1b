#!/usr/bin/env bash
# Benchmark: apply to Available. On one local rig with the operator running, times an EtcdCluster from
# apply to condition Available=True (and its member pods to Ready) next to the hand-written StatefulSet of
# the same size and storage (src/test/resources/rig/etcd-statefulset.yaml) from apply to all pods Ready.
# Writes a Markdown table to target/bench/apply-to-available.md and prints it. See docs/benchmarks.md.
#
#   bench/apply-to-available.sh [--rounds N] [--warmup N]    defaults: 5 measured rounds after 1 warm-up
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
# a modest heap: the rig's control-plane client and kubelet live in this JVM, the machine has other work
exec java -Xmx512m -Dquorum.tools="$tools" -Dbench.commit="$commit" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.quorum.bench.ApplyToAvailableBench "$@"
