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
bash hack/tools.sh >/dev/null
tools=$(bash hack/tools.sh --print | sed -n 's/^QUORUM_TOOLS=//p')
./mvnw -B -q -ntp package -DskipTests -Dquorum.tools="$tools"
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
# the report names what was measured; a dirty tree is not quite that commit
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain -- src pom.xml crds bench 2>/dev/null)" ]]; then
  commit+=" (plus uncommitted changes)"
fi
exec java -Xmx512m -Dquorum.tools="$tools" -Dbench.commit="$commit" \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.quorum.bench.ScaleUpBench "$@"
