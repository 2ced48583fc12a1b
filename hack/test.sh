#!/usr/bin/env bash
# Runs every test: unit tests (Surefire) and the tests on the local rig (Failsafe), after making sure the
# rig's real binaries are built (hack/tools.sh; seconds once cached). A failing step is named, with its last lines.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=test
STEP_LOGS=target/scripts
source hack/lib.sh
prepare_tools
export QUORUM_TOOLS=$tools
step_shown "the tests (./mvnw verify)" ./mvnw -B -ntp verify -Dquorum.tools="$QUORUM_TOOLS" "$@"
