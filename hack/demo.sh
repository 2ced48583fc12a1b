#!/usr/bin/env bash
# The demo: builds the operator, starts the local rig (real kube-apiserver, kube-controller-manager and etcd,
# pods as local processes), installs the CRDs and the operator, applies deploy/examples/etcdcluster.yaml and
# waits for a real 3-member etcd cluster. Stays up until Ctrl-C; --exit stops once the cluster served a write.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/tools.sh >/dev/null
tools=$(bash hack/tools.sh --print | sed -n 's/^QUORUM_TOOLS=//p')
./mvnw -B -q -ntp package -DskipTests -Dquorum.tools="$tools"
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/demo.classpath >/dev/null
exec java -Dquorum.tools="$tools" -cp "target/test-classes:target/classes:$(cat target/demo.classpath)" dev.quorum.demo.Demo "$@"
