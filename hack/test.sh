#!/usr/bin/env bash
# Runs every test: unit tests (Surefire) and the tests on the local rig (Failsafe), after making sure the
# rig's real binaries are built (hack/tools.sh; seconds once cached). A failing step is named, with its last lines.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=test
STEP_LOGS=target/scripts
source hack/lib.sh
step_shown "the rig's tools (hack/tools.sh)" bash hack/tools.sh
tools=$(bash hack/tools.sh --print)
export QUORUM_TOOLS=${tools#QUORUM_TOOLS=}
QUORUM_TOOLS=${QUORUM_TOOLS%%$'\n'*}
step_shown "the tests (./mvnw verify)" ./mvnw -B -ntp verify -Dquorum.tools="$QUORUM_TOOLS" "$@"
