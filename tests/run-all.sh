#!/usr/bin/env bash
# README's test command: installs what a fresh machine lacks (PostgreSQL server binaries, Debian's Chromium),
# runs every test project with `dotnet test AuditPortal.sln`, and prints one closing line
# "N passed, N failed, N skipped" summed from the TRX files. Exits non-zero on any failure. .ci/run calls it.
set -uo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; fi
fi

missing=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then missing+=(postgresql); fi
# CHROMIUM_PATH (see tests/AuditPortal.EndToEndTests/Infrastructure/PortalServer.cs) counts as installed.
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ] && [ ! -x /usr/bin/chromium-browser ]; then missing+=(chromium); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    echo "Cannot install ${missing[*]}: not root and no sudo. Install them (apt-get install -y ${missing[*]}) and run again."
    exit 1
  fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "apt-get install ${missing[*]} failed"; exit 1; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
rm -rf TestResults

# Printed because a run once failed with "No space left on device": the test clusters need ~1 GB in the temp folder.
echo "Free disk: $(df -Pm "${TMPDIR:-/tmp}" | awk 'NR==2{print $4}') MiB in ${TMPDIR:-/tmp}, $(df -Pm . | awk 'NR==2{print $4}') MiB here"
start=$(date +%s)
# tests/Directory.Build.props adds the TRX logger read below. One test project at a time (-m:1): on two cores the
# browser suite beside the integration suite (its million-event import included) measured the machine, not the portal.
dotnet test AuditPortal.sln -m:1 "$@"
rc=$?
echo "dotnet test finished in $(( $(date +%s) - start )) s with exit code $rc"

passed=0; failed=0; skipped=0; total=0
shopt -s nullglob
for trx in TestResults/*.trx; do
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$(( total + $(get total) ))
  passed=$(( passed + $(get passed) ))
  failed=$(( failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted) ))
  skipped=$(( skipped + $(get notExecuted) ))
done

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
if [ "$total" -eq 0 ] || [ "$passed" -eq 0 ]; then echo "No test ran."; exit 1; fi
exit 0
