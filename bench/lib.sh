# Sourced by the benchmark scripts: builds what a benchmark runs (each step says so if it fails, see hack/lib.sh),
# then runs its class from the test sources on this JVM, stamped with the commit it measures.
#
#   run_bench <heap> <class> [the benchmark's own arguments...]
SCRIPT_NAME=bench
STEP_LOGS=target/scripts
source hack/lib.sh

run_bench() {
  local heap=$1 class=$2
  shift 2
  prepare_java_run target/bench.classpath
  # the report names what was measured; a dirty tree is not quite that commit
  local commit
  commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
  if [[ -n "$(git status --porcelain -- src pom.xml crds bench 2>/dev/null)" ]]; then
    commit+=" (plus uncommitted changes)"
  fi
  exec java "-Xmx$heap" -Dquorum.tools="$tools" -Dbench.commit="$commit" \
    -cp "target/test-classes:target/classes:$(<target/bench.classpath)" "dev.quorum.bench.$class" "$@"
}
