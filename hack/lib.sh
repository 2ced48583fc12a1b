# Shared by the scripts behind the README's commands (sourced, not run): every step has a name and a log, and a
# script never ends without saying why. A step that fails is named with its exit code and the last lines of its
# output; anything else that fails (outside a step) is named by its line and command.
#
#   SCRIPT_NAME=tools STEP_LOGS=/some/dir; source hack/lib.sh
#   step "etcd 3.6.16: build etcd" go build ...     output kept in the step's log, shown only when it fails
#   step_shown "the tests" ./mvnw verify             output shown as it comes (and kept in the log)
#
# No pipeline here or in the scripts may end early on a reader that stops reading (`cmd | head` under pipefail
# kills cmd with SIGPIPE and, with set -e, the whole script): read a command's output into a variable instead.

STEP_TAIL_LINES=${STEP_TAIL_LINES:-30}

script_log() { printf '[%s %(%H:%M:%S)T] %s\n' "$SCRIPT_NAME" -1 "$*" >&2; }

# The log of a step: its name with everything but letters, digits, dots and dashes made a dash.
step_log() {
  local slug=${1//[^A-Za-z0-9.-]/-}
  mkdir -p "$STEP_LOGS"
  printf '%s/%s.log' "$STEP_LOGS" "$slug"
}

# Names the failed step, shows the end of its output and exits with its code.
step_failed() {
  local name=$1 code=$2 log=$3
  {
    echo "[$SCRIPT_NAME] FAILED: step '$name' exited with code $code. The last lines of its output ($log):"
    tail -n "$STEP_TAIL_LINES" "$log" | sed 's/^/    /'
  } >&2
  exit "$code"
}

step() {
  local name=$1; shift
  local log code=0
  log=$(step_log "$name")
  "$@" >"$log" 2>&1 </dev/null || code=$?
  ((code == 0)) || step_failed "$name" "$code" "$log"
}

step_shown() {
  local name=$1; shift
  local log code=0 rc_file
  log=$(step_log "$name")
  rc_file="$log.rc"
  rm -f "$rc_file"
  # tee reads to the end, so the command never meets a closed pipe; its exit code comes back through a file
  { "$@" 2>&1 || echo "$?" >"$rc_file"; } | tee "$log"
  [[ -f "$rc_file" ]] && code=$(<"$rc_file")
  rm -f "$rc_file"
  ((code == 0)) || step_failed "$name" "$code" "$log"
}

# Anything that fails outside a step (a typo, a missing file) still says where.
on_unexpected_error() {
  local code=$1 line=$2 command=$3
  echo "[$SCRIPT_NAME] FAILED (exit $code) at ${BASH_SOURCE[1]:-$0} line $line: $command" >&2
}
set -o errtrace
trap 'on_unexpected_error $? $LINENO "$BASH_COMMAND"' ERR

# The rig's tools, built if missing (shown as it goes), and where they are: sets $tools.
prepare_tools() {
  step_shown "the rig's tools (hack/tools.sh)" bash hack/tools.sh
  tools=$(bash hack/tools.sh --print)
  tools=${tools#QUORUM_TOOLS=}
  tools=${tools%%$'\n'*}
}

# What the demo and the benchmarks run Java on: the tools, the operator built, the test classpath written to $1.
prepare_java_run() {
  prepare_tools
  step "build the operator (./mvnw package)" ./mvnw -B -q -ntp package -DskipTests -Dquorum.tools="$tools"
  step "resolve the classpath" ./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$1"
}
