#!/usr/bin/env bash
# The demo: builds the operator, starts the local rig (a real control plane and three real nodes: kubelet,
# containerd, runc), installs the chart with the operator's image built here, applies deploy/examples/etcdcluster.yaml
# and waits for a real 3-member etcd cluster. Stays up until Ctrl-C; --exit stops once the cluster served a write.
# A failing step is named, with its last lines.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=demo
STEP_LOGS=target/scripts
source hack/lib.sh
prepare_java_run target/demo.classpath
# shown as it runs, not through a pipe: Ctrl-C must reach the demo alone, which then stops everything it started
code=0
java -Dquorum.tools="$tools" -cp "target/test-classes:target/classes:$(<target/demo.classpath)" \
  dev.quorum.demo.Demo "$@" || code=$?
case $code in
  0) ;;
  130 | 143) script_log "stopped" ;;
  *) echo "[demo] FAILED: the demo exited with code $code at the step it names above (\"FAILED while ...\");" \
       "every process's log is under target/rig/demo/logs" >&2
     exit "$code" ;;
esac
