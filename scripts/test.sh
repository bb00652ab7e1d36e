#!/usr/bin/env bash
# README command 2: the whole test suite on real engines — lint, layer rules, types, build,
# unit + integration tests on a real PostgreSQL and a real Docker engine.
# Installs what is missing; stops only the engine it started itself.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node
ensure_pnpm
ensure_deps
ensure_docker
trap stop_docker_if_started EXIT
ensure_images
ensure_test_tools

# Every container, network and volume a test creates carries this install label, so a run
# removes what it created and only that.
export DEVSANCTUM_TEST_RUN="${DEVSANCTUM_TEST_RUN:-t$(date +%s)$$}"

log "lint + format (biome)"
pnpm -s lint
log "layer rules (dependency-cruiser)"
pnpm -s deps:check
log "types (tsc)"
pnpm -s typecheck
log "build"
pnpm -s build

log "tests (vitest: unit + integration on real PostgreSQL and Docker)"
REPORT="$TMP_DIR/vitest-report.json"
rm -f "$REPORT"
status=0
(cd backend && pnpm exec vitest run --reporter=default --reporter=json --outputFile="$REPORT") || status=$?

# Safety net: anything this run labelled and left behind is a bug, reported and removed.
left=$(docker ps -aq --filter "label=devsanctum.test-run=$DEVSANCTUM_TEST_RUN" | wc -l)
if [ "$left" != 0 ]; then
  log "warning: $left container(s) of this test run were left behind; removing them"
  docker ps -aq --filter "label=devsanctum.test-run=$DEVSANCTUM_TEST_RUN" | xargs -r docker rm -f >/dev/null
fi

if [ -f "$REPORT" ]; then
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));' "$REPORT"
fi
exit "$status"
