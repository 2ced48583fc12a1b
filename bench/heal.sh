#!/usr/bin/env bash
# Benchmark: time to heal. On one local rig with the operator running, times how long a 3-member cluster takes to be
# whole again (Available, every member ready, three started voters and no learner) after each kind of fault at member
# 0, while a client writes through its client Service, next to the baseline of a member whose etcd was killed and
# restarts with its data. Writes a Markdown report to target/bench/heal.md and prints it. See docs/benchmarks.md.
#
#   bench/heal.sh [--rounds N] [--warmup N]     defaults: 3 measured rounds, 1 warm-up round
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=bench
STEP_LOGS=target/scripts
source hack/lib.sh
prepare_java_run target/bench.classpath
# the report names what was measured; a dirty tree is not quite that commit
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain -- src pom.xml crds bench 2>/dev/null)" ]]; then
  commit+=" (plus uncommitted changes)"
fi
exec java -Xmx512m -Dquorum.tools="$tools" -Dbench.commit="$commit" \
  -cp "target/test-classes:target/classes:$(<target/bench.classpath)" dev.quorum.bench.HealBench "$@"
