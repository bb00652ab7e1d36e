#!/usr/bin/env bash
# Builds the images of the built-in templates, offline apart from the npm registry, on top of
# devsanctum/node:20 (docker create + cp + commit: no registry, no builder needed).
#  - devsanctum/vite-react:<n> = /node_modules holding exactly the dependencies pinned by
#    backend/templates/vite-react/files/package-lock.json, installed here on the host with
#    `npm ci`. A project's files in /app find them the way Node and Vite resolve any bare
#    import: by walking up to /node_modules. Nothing is installed when a project starts.
#  - devsanctum/opencode:<version>-<n> = the real `opencode` binary from the npm package
#    opencode-linux-x64@<version> (the tag of the template's opencode image up to its first
#    `-`), plus `rg` when the host has one (ripgrep: OpenCode's grep tool; otherwise it would
#    try to download it), and an empty ~/.local/share/opencode owned by `node`, so the
#    per-project volume mounted there (the agent's sessions) starts with that owner.
#  - devsanctum/workspace:<n> = the base plus git only: the per-project helper through which
#    the control plane reads and writes files and runs git (WORKSPACE_IMAGE).
# Every image gets the host's git (scripts/stage-git.sh): the project is a git repository and
# the agent's tools (and OpenCode's snapshots, which undo its changes) expect one. An image
# whose content changes gets a new tag: other checkouts on the same engine keep using the old one.
# Idempotent: each image is skipped when its label matches the hash of its inputs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${DEVSANCTUM_NODE_IMAGE:-devsanctum/node:20}"
TEMPLATE="$ROOT/backend/templates/vite-react"
BASE_ID="$(docker image inspect -f '{{.Id}}' "$BASE")"
SELF_HASH="$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)"
GIT_HASH="$(bash "$ROOT/scripts/stage-git.sh" --hash)"
WORKSPACE_IMAGE="${WORKSPACE_IMAGE:-devsanctum/workspace:1}"

image_of() { node -p "require(process.argv[1]).services.$1.image" "$TEMPLATE/template.json"; }
up_to_date() { # up_to_date <image> <inputs-hash>
  [ "$(docker image inspect -f '{{index .Config.Labels "devsanctum.inputs"}}' "$1" 2>/dev/null || true)" = "$2" ]
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

WORK="$(mktemp -d)"
CID=""
cleanup() { [ -n "$CID" ] && docker rm -f "$CID" >/dev/null 2>&1; rm -rf "$WORK"; }
trap cleanup EXIT

# commit_image <image> <inputs-hash> <docker commit -c change>... : commits $CID, then removes
# it and the image this one replaces (when no container uses that any more).
commit_image() {
  local image="$1" inputs="$2" old
  shift 2
  old="$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)"
  local changes=(-c "LABEL devsanctum.inputs=$inputs devsanctum.managed=true devsanctum.template=vite-react")
  # git on the container (staged once per run).
  [ -d "$WORK/git" ] || bash "$ROOT/scripts/stage-git.sh" "$WORK/git"
  docker cp "$WORK/git/." "$CID:/"
  for c in "$@"; do changes+=(-c "$c"); done
  docker commit "${changes[@]}" "$CID" "$image" >/dev/null
  docker rm -f "$CID" >/dev/null
  CID=""
  [ -z "$old" ] || docker image rm "$old" >/dev/null 2>&1 || true
}

build_vite_react() {
  local image inputs started
  image="$(image_of preview)"
  inputs="$( (echo "$BASE_ID $SELF_HASH $GIT_HASH"; cat "$TEMPLATE/files/package.json" "$TEMPLATE/files/package-lock.json") | sha256sum | cut -c1-16)"
  up_to_date "$image" "$inputs" && return 0
  echo "building $image on $BASE with the template's pinned dependencies" >&2
  started=$(date +%s%N)
  mkdir -p "$WORK/vite"
  cp "$TEMPLATE/files/package.json" "$TEMPLATE/files/package-lock.json" "$WORK/vite/"
  # --ignore-scripts: none of these packages needs one (Rolldown and Lightning CSS ship their
  # native binaries as optional platform packages).
  (cd "$WORK/vite" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  # Vite bundles vite.config.ts into the nearest node_modules/.vite-temp: writable by the user.
  mkdir -p "$WORK/vite/node_modules/.vite-temp"
  chmod 1777 "$WORK/vite/node_modules/.vite-temp"
  CID="$(docker create --label devsanctum.image-build=vite-react "$BASE" true)"
  docker cp "$WORK/vite/node_modules" "$CID:/node_modules"
  commit_image "$image" "$inputs" \
    'ENV PATH=/app/node_modules/.bin:/node_modules/.bin:/usr/local/bin:/usr/bin:/bin' \
    'ENV VITE_CACHE_DIR=/tmp/vite' 'USER node' 'WORKDIR /app' 'CMD ["vite", "--host", "0.0.0.0"]'
  local version
  version="$(docker run --rm --init "$image" vite --version)" || { echo "smoke test of $image failed" >&2; exit 1; }
  echo "built $image ($version, $(docker image inspect -f '{{.Size}}' "$image") bytes) in $(ms_since "$started") ms" >&2
}

build_opencode() {
  local image version rg inputs started
  image="$(image_of opencode)"
  version="${image##*:}"
  version="${version%%-*}"
  rg="$(command -v rg || true)"
  inputs="$(echo "$BASE_ID $SELF_HASH $GIT_HASH $version ${rg:+$(sha256sum "$(readlink -f "$rg")")}" | sha256sum | cut -c1-16)"
  up_to_date "$image" "$inputs" && return 0
  echo "building $image on $BASE from the npm package opencode-linux-x64@$version" >&2
  started=$(date +%s%N)
  mkdir -p "$WORK/opencode/bin" "$WORK/opencode/config/opencode"
  (cd "$WORK/opencode" && npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund \
    --loglevel=error "opencode-linux-x64@$version" >&2)
  mv "$WORK/opencode/node_modules/opencode-linux-x64/bin/opencode" "$WORK/opencode/bin/opencode"
  if [ -n "$rg" ]; then
    cp "$(readlink -f "$rg")" "$WORK/opencode/bin/rg"
    # Debian's rg links libpcre2-8, which the base rootfs (node's libraries + libc6) lacks.
    mkdir -p "$WORK/opencode/lib"
    for lib in $(ldd "$(readlink -f "$rg")" | awk '/=>/{print $3}' | grep -vE '/(libc|libm|libgcc_s)\.so'); do cp -nL "$lib" "$WORK/opencode/lib/"; done
  else
    echo "warning: no rg on this host (apt-get install ripgrep): $image has no ripgrep, OpenCode's grep tool will fail offline" >&2
  fi
  # A config in place, so OpenCode neither writes a default one nor phones home on start.
  printf '{\n  "$schema": "https://opencode.ai/config.json",\n  "autoupdate": false,\n  "share": "disabled"\n}\n' \
    >"$WORK/opencode/config/opencode/opencode.json"
  CID="$(docker create --label devsanctum.image-build=opencode "$BASE" true)"
  docker cp "$WORK/opencode/bin/." "$CID:/usr/bin/"
  [ -d "$WORK/opencode/lib" ] && docker cp "$WORK/opencode/lib/." "$CID:/usr/lib/x86_64-linux-gnu/"
  # Owned by `node`: OpenCode writes beside its config (.gitignore, plugin metadata), and its
  # data directory is where the project's agent-state volume is mounted.
  mkdir -p "$WORK/opencode/local/share/opencode"
  chown -R 1000:1000 "$WORK/opencode/config" "$WORK/opencode/local"
  docker cp -a "$WORK/opencode/config" "$CID:/home/node/.config"
  docker cp -a "$WORK/opencode/local" "$CID:/home/node/.local"
  commit_image "$image" "$inputs" 'ENV HOME=/home/node' 'USER node' 'WORKDIR /app' \
    'CMD ["opencode", "serve", "--hostname", "0.0.0.0", "--port", "4096"]'
  local got
  got="$(docker run --rm --init "$image" opencode --version)" || { echo "smoke test of $image failed" >&2; exit 1; }
  if [ -n "$rg" ]; then
    docker run --rm --init "$image" rg --version >/dev/null || { echo "smoke test of rg in $image failed" >&2; exit 1; }
  fi
  docker run --rm --init "$image" git --version >/dev/null || { echo "smoke test of git in $image failed" >&2; exit 1; }
  echo "built $image (opencode $got, $(docker image inspect -f '{{.Size}}' "$image") bytes) in $(ms_since "$started") ms" >&2
}

build_workspace() {
  local image="$WORKSPACE_IMAGE" inputs started
  inputs="$(echo "$BASE_ID $SELF_HASH $GIT_HASH" | sha256sum | cut -c1-16)"
  up_to_date "$image" "$inputs" && return 0
  echo "building $image on $BASE with git" >&2
  started=$(date +%s%N)
  CID="$(docker create --label devsanctum.image-build=workspace "$BASE" true)"
  commit_image "$image" "$inputs" 'ENV HOME=/tmp' 'USER node' 'WORKDIR /app' 'CMD ["sleep", "2147483647"]'
  docker run --rm --init "$image" git --version >/dev/null || { echo "smoke test of $image failed" >&2; exit 1; }
  echo "built $image ($(docker image inspect -f '{{.Size}}' "$image") bytes) in $(ms_since "$started") ms" >&2
}

build_vite_react
build_opencode
build_workspace
