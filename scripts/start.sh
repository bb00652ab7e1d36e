#!/usr/bin/env bash
# README command 1: install what is missing, build, apply migrations, start, print the URLs.
# Everything runs on this machine: embedded PostgreSQL under ./data, the local Docker engine.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_node
ensure_pnpm
ensure_deps
ensure_docker
ensure_images
log "building"
pnpm -s build

export NODE_ENV="${NODE_ENV:-production}"
# .env is read by Node itself when present; variables already in the environment win.
ENV_FILE=()
[ -f .env ] && ENV_FILE=(--env-file=.env)
log "starting DevSanctum (Ctrl-C stops it and its embedded database)"
exec node "${ENV_FILE[@]}" backend/dist/main.js
