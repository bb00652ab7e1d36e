#!/usr/bin/env bash
# Stages the host's own git (Debian's package) as a rootfs overlay for the project images:
# /usr/bin/git, the git-core helpers that are not network transports, their libraries beyond
# glibc, the init templates and a system gitconfig. Offline: nothing is downloaded.
#   stage-git.sh <dir>      fills <dir>; prints nothing
#   stage-git.sh --hash     prints a hash of what would be staged (the images' skip check)
set -euo pipefail
GIT="$(readlink -f "$(command -v git)")" || { echo "git is required: apt-get install -y git" >&2; exit 1; }
CORE=/usr/lib/git-core
# Helpers that speak to a network (http, daemon, imap) or need perl are left out: project
# containers have no route out and no perl. Everything else in git-core is git itself.
SKIP='^(git-(http-|remote-|daemon|imap-send|shell|instaweb|add--interactive|send-email|svn|cvs|archimport|p4)|scalar)'
SYSTEM_CONFIG='[init]
	defaultBranch = main
[safe]
	directory = *
[advice]
	detachedHead = false
[core]
	quotePath = false
'

if [ "${1:-}" = "--hash" ]; then
  { git --version; sha256sum "$GIT"; printf '%s' "$SYSTEM_CONFIG"; sha256sum "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-16
  exit 0
fi
OUT="${1:?usage: stage-git.sh <dir> | --hash}"
mkdir -p "$OUT/usr/bin" "$OUT$CORE" "$OUT/usr/lib/x86_64-linux-gnu" "$OUT/usr/share/git-core" "$OUT/etc"
cp "$GIT" "$OUT/usr/bin/git"
for f in "$CORE"/*; do
  name="$(basename "$f")"
  [[ "$name" =~ $SKIP ]] && continue
  if [ "$f" -ef "$CORE/git" ] || [ "$name" = git ]; then
    # Built-in commands: links to the one binary, as Debian installs them.
    ln -sf ../../bin/git "$OUT$CORE/$name"
  elif [ -d "$f" ]; then
    cp -a "$f" "$OUT$CORE/"
  else
    cp -L "$f" "$OUT$CORE/"
  fi
done
cp -a /usr/share/git-core/templates "$OUT/usr/share/git-core/"
# Libraries git links beyond what the base image has (glibc is there already).
for bin in "$GIT" "$CORE/git-sh-i18n--envsubst"; do
  for lib in $(ldd "$bin" | awk '/=>/{print $3}' | grep -vE '/(libc|libm|libdl|libpthread|librt)\.so'); do
    cp -nL "$lib" "$OUT/usr/lib/x86_64-linux-gnu/"
  done
done
printf '%s' "$SYSTEM_CONFIG" >"$OUT/etc/gitconfig"
