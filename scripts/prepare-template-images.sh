#!/usr/bin/env bash
# Builds the images of the built-in templates, offline apart from the npm registry:
# devsanctum/vite-react:<n> = devsanctum/node:20 + /node_modules holding exactly the
# dependencies pinned by backend/templates/vite-react/files/package-lock.json, installed here
# on the host with `npm ci`. A project's files in /app find them the way Node and Vite resolve
# any bare import: by walking up to /node_modules. Nothing is installed when a project starts.
# Idempotent: skipped when the image's label matches the hash of its inputs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${DEVSANCTUM_NODE_IMAGE:-devsanctum/node:20}"
TEMPLATE="$ROOT/backend/templates/vite-react"
IMAGE="$(node -p 'require(process.argv[1]).services.preview.image' "$TEMPLATE/template.json")"

BASE_ID="$(docker image inspect -f '{{.Id}}' "$BASE")"
INPUTS="$( (echo "$BASE_ID"; cat "$TEMPLATE/files/package.json" "$TEMPLATE/files/package-lock.json" "${BASH_SOURCE[0]}") | sha256sum | cut -c1-16)"
if [ "$(docker image inspect -f '{{index .Config.Labels "devsanctum.inputs"}}' "$IMAGE" 2>/dev/null || true)" = "$INPUTS" ]; then
  exit 0
fi
echo "building $IMAGE on $BASE with the template's pinned dependencies" >&2
started=$(date +%s%N)

WORK="$(mktemp -d)"
CID=""
cleanup() { [ -n "$CID" ] && docker rm -f "$CID" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT
cp "$TEMPLATE/files/package.json" "$TEMPLATE/files/package-lock.json" "$WORK/"
# --ignore-scripts: none of these packages needs one (Rolldown and Lightning CSS ship their
# native binaries as optional platform packages).
(cd "$WORK" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
# Vite bundles vite.config.ts into the nearest node_modules/.vite-temp: writable by the user.
mkdir -p "$WORK/node_modules/.vite-temp"
chmod 1777 "$WORK/node_modules/.vite-temp"

CID="$(docker create --label devsanctum.image-build=vite-react "$BASE" true)"
docker cp "$WORK/node_modules" "$CID:/node_modules"
docker commit \
  -c 'ENV PATH=/app/node_modules/.bin:/node_modules/.bin:/usr/local/bin:/usr/bin:/bin' \
  -c 'ENV VITE_CACHE_DIR=/tmp/vite' \
  -c "LABEL devsanctum.inputs=$INPUTS devsanctum.managed=true devsanctum.template=vite-react" \
  -c 'USER node' -c 'WORKDIR /app' -c 'CMD ["vite", "--host", "0.0.0.0"]' \
  "$CID" "$IMAGE" >/dev/null

version="$(docker run --rm --init "$IMAGE" vite --version)" || { echo "smoke test of $IMAGE failed" >&2; exit 1; }
echo "built $IMAGE ($version, $(docker image inspect -f '{{.Size}}' "$IMAGE") bytes) in $(( ($(date +%s%N) - started) / 1000000 )) ms" >&2
