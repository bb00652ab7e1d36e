#!/usr/bin/env bash
# Builds the local images project containers run on, offline: no registry is reachable here.
# devsanctum/node:20 = the host's own Node binary + glibc + busybox in a bare rootfs (~120 MB, ~2 s).
# devsanctum/vite-react:* = that image plus the built-in template's pinned dependencies
# (scripts/prepare-template-images.sh).
# Idempotent: each image is skipped when it exists and was built from the same inputs.
set -euo pipefail
IMAGE="${DEVSANCTUM_NODE_IMAGE:-devsanctum/node:20}"
NODE="$(readlink -f "$(command -v node)")"
NODE_VERSION="$(node -v)"

build_node_image() {
command -v busybox >/dev/null || { echo "busybox is required: apt-get install -y busybox-static" >&2; exit 1; }
echo "building $IMAGE from the host's Node $NODE_VERSION" >&2

ROOTFS="$(mktemp -d)"
trap 'rm -rf "$ROOTFS"' EXIT
mkdir -p "$ROOTFS"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,usr/lib/node_modules,etc,tmp,var/tmp,root,home/node,app}
ln -s usr/bin "$ROOTFS/bin"; ln -s usr/sbin "$ROOTFS/sbin"; ln -s usr/lib "$ROOTFS/lib"; ln -s usr/lib64 "$ROOTFS/lib64"
chmod 1777 "$ROOTFS/tmp" "$ROOTFS/var/tmp"
chown 1000:1000 "$ROOTFS/home/node" "$ROOTFS/app"

cp "$(readlink -f "$(command -v busybox)")" "$ROOTFS/usr/bin/busybox"
for applet in $(busybox --list); do [ -e "$ROOTFS/usr/bin/$applet" ] || ln -s busybox "$ROOTFS/usr/bin/$applet"; done

cp "$NODE" "$ROOTFS/usr/bin/node"
# Every library node links plus all of libc6: native addons (Rollup's) need librt and friends.
for lib in $(ldd "$NODE" | awk '/=>/{print $3}') \
  $(dpkg -L libc6 | grep -E '^/(usr/)?lib/x86_64-linux-gnu/[^/]+\.so[.0-9]*$'); do
  cp -nL "$lib" "$ROOTFS/usr/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$ROOTFS/usr/lib64/"
NPM_DIR="$(dirname "$NODE")/../lib/node_modules/npm"
if [ -d "$NPM_DIR" ]; then
  cp -a "$NPM_DIR" "$ROOTFS/usr/lib/node_modules/"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/bin/npx"
fi
cp -L /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$ROOTFS/etc/group"
echo 'hosts: files dns' >"$ROOTFS/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n' >"$ROOTFS/etc/hosts"

tar -C "$ROOTFS" -c --numeric-owner . | docker import \
  -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  -c 'ENV NODE_EXTRA_CA_CERTS=/etc/ca-certificates.crt' \
  -c "LABEL devsanctum.node-version=$NODE_VERSION devsanctum.managed=true" \
  -c 'WORKDIR /app' -c 'CMD ["/bin/sh"]' - "$IMAGE" >/dev/null
docker run --rm --init "$IMAGE" node -e 'process.exit(0)' || { echo "smoke test of $IMAGE failed" >&2; exit 1; }
echo "built $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE") bytes)" >&2
}

if [ "$(docker image inspect -f '{{index .Config.Labels "devsanctum.node-version"}}' "$IMAGE" 2>/dev/null || true)" != "$NODE_VERSION" ]; then
  (build_node_image)
fi
DEVSANCTUM_NODE_IMAGE="$IMAGE" bash "$(dirname "$0")/prepare-template-images.sh"
