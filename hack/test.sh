#!/usr/bin/env bash
# Runs every test: unit tests (Surefire) and the tests on the local rig (Failsafe), after making sure the
# rig's real binaries are built (hack/tools.sh; seconds once cached).
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/tools.sh >/dev/null
export QUORUM_TOOLS=$(bash hack/tools.sh --print | sed -n 's/^QUORUM_TOOLS=//p')
exec ./mvnw -B -ntp verify -Dquorum.tools="$QUORUM_TOOLS" "$@"
