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
log "console API types match the OpenAPI document"
(cd frontend && pnpm exec tsx ../backend/tools/openapi-doc.ts >"$TMP_DIR/openapi.json" &&
  pnpm exec openapi-typescript "$TMP_DIR/openapi.json" -o "$TMP_DIR/schema.d.ts" >/dev/null 2>&1)
cmp -s "$TMP_DIR/schema.d.ts" frontend/src/api/schema.d.ts ||
  die "frontend/src/api/schema.d.ts is out of date with /docs/json: run 'pnpm --filter ./frontend gen:api' and commit it"

log "tests (vitest: unit + integration on real PostgreSQL and Docker)"
REPORT="$TMP_DIR/vitest-report.json"
CONSOLE_REPORT="$TMP_DIR/vitest-console-report.json"
E2E_REPORT="$TMP_DIR/vitest-e2e-report.json"
rm -f "$REPORT" "$CONSOLE_REPORT" "$E2E_REPORT"
status=0
(cd backend && pnpm exec vitest run --reporter=default --reporter=json --outputFile="$REPORT") || status=$?

log "console component tests (vitest + Testing Library + MSW)"
(cd frontend && pnpm exec vitest run --reporter=default --reporter=json --outputFile="$CONSOLE_REPORT") || status=$?

log "console end to end (Chromium against the built backend, PostgreSQL and Docker; screenshots in test-artifacts/e2e)"
(cd frontend && pnpm exec vitest run --config e2e/vitest.config.ts --reporter=default --reporter=json \
  --outputFile="$E2E_REPORT") || status=$?

# Safety net: anything this run labelled and left behind is a bug, reported and removed.
left=$(docker ps -aq --filter "label=devsanctum.test-run=$DEVSANCTUM_TEST_RUN" | wc -l)
if [ "$left" != 0 ]; then
  log "warning: $left container(s) of this test run were left behind; removing them"
  docker ps -aq --filter "label=devsanctum.test-run=$DEVSANCTUM_TEST_RUN" | xargs -r docker rm -f >/dev/null
fi

# One line for every suite together; it fails when it counts a failure, whatever the suites said.
summary=0
node scripts/summarize-tests.mjs "$REPORT" "$CONSOLE_REPORT" "$E2E_REPORT" || summary=$?
[ "$status" = 0 ] && status=$summary
exit "$status"
