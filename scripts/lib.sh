#!/usr/bin/env bash
# Shared by scripts/start.sh and scripts/test.sh: install what is missing, idempotently.
# Debian + Node 20 + npm is all a fresh machine needs; everything else comes from here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TMP_DIR="$ROOT/.tmp"
mkdir -p "$TMP_DIR"

# Prisma's CLI would try to download a schema engine; we use its WASM engine (see README).
export PRISMA_SCHEMA_ENGINE_BINARY=/bin/false CHECKPOINT_DISABLE=1

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

APT_UPDATED=0
ensure_apt() { # ensure_apt <package>...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_node() {
  command -v node >/dev/null || die "Node.js 20.19+ is required (apt-get install nodejs is too old; use the NodeSource or official build)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
    || die "Node $(node -v) is too old: Vite 7+ and this project need Node >= 20.19"
}

ensure_pnpm() {
  if ! command -v pnpm >/dev/null; then
    # corepack cannot verify pnpm's signature offline; npm can install it.
    log "installing pnpm 10"
    npm install -g pnpm@10 >/dev/null 2>&1 || as_root npm install -g pnpm@10 >/dev/null
  fi
}

ensure_deps() {
  log "installing dependencies (pnpm)"
  (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -vE '^(Progress|\s*$)' | tail -n 5) >&2
}

DOCKERD_STARTED_PID=""
docker_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

ensure_docker() {
  if [ -n "${DOCKER_HOST:-}" ]; then
    docker_answers || die "DOCKER_HOST=$DOCKER_HOST does not answer"
    return 0
  fi
  if docker_answers; then return 0; fi
  if ! command -v dockerd >/dev/null; then
    [ "${DEVSANCTUM_INSTALL_DOCKER:-yes}" = no ] && die "no Docker engine and DEVSANCTUM_INSTALL_DOCKER=no: install and start Docker, or set DOCKER_HOST"
    ensure_apt docker.io
  fi
  command -v docker >/dev/null || ensure_apt docker.io
  log "starting the Docker engine (dockerd, log in .tmp/dockerd.log)"
  # Every project has its own network; Docker's default pools hold ~30 of them. /24s out of
  # 10.200.0.0/13 hold 2,048 (unless /etc/docker/daemon.json sets its own pools: then those).
  local pools="--default-address-pool base=10.200.0.0/13,size=24"
  grep -qs default-address-pools /etc/docker/daemon.json && pools=""
  as_root sh -c "nohup dockerd $pools >'$TMP_DIR/dockerd.log' 2>&1 & echo \$! >'$TMP_DIR/dockerd.pid'"
  DOCKERD_STARTED_PID="$(cat "$TMP_DIR/dockerd.pid")"
  for _ in $(seq 1 100); do docker_answers && return 0; sleep 0.2; done
  die "dockerd did not come up within 20 s; see $TMP_DIR/dockerd.log"
}

# Stops the engine only if this script started it.
stop_docker_if_started() {
  if [ -n "$DOCKERD_STARTED_PID" ] && kill -0 "$DOCKERD_STARTED_PID" 2>/dev/null; then
    log "stopping the Docker engine this script started (pid $DOCKERD_STARTED_PID)"
    as_root kill -TERM "$DOCKERD_STARTED_PID" || true
    for _ in $(seq 1 100); do kill -0 "$DOCKERD_STARTED_PID" 2>/dev/null || break; sleep 0.2; done
  fi
}

ensure_test_tools() {
  # openssl makes the throwaway TLS certificates of the edge tests; curl verifies them.
  ensure_apt openssl curl ca-certificates
  # The console's end-to-end test drives Debian's Chromium (playwright-core cannot download one).
  ensure_apt chromium fonts-dejavu-core
}

ensure_images() {
  # ripgrep goes into the OpenCode image: without rg on PATH OpenCode downloads one (impossible here).
  # git goes into every project image and the workspace image (files and history, issue #13).
  ensure_apt busybox-static ripgrep git
  bash "$ROOT/scripts/prepare-images.sh"
}
