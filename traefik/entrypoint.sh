#!/bin/sh
# Fills the placeholders (dollar, brace, variable name, brace) of /etc/traefik/traefik.yml from the environment, then runs
# Traefik on the result. awk's ENVIRON does plain substitution: a value is never evaluated.
# A placeholder whose variable is unset or empty stops the start, naming it.
set -eu
src="${TRAEFIK_STATIC_TEMPLATE:-/etc/traefik/traefik.yml}"
out="${TRAEFIK_STATIC_FILE:-/tmp/traefik.yml}"
awk '
  {
    rest = $0; done = ""
    while (match(rest, /\$\{[A-Z][A-Z0-9_]*\}/)) {
      name = substr(rest, RSTART + 2, RLENGTH - 3)
      if (ENVIRON[name] == "") { print "traefik: " name " is not set (see .env.example)" > "/dev/stderr"; exit 64 }
      done = done substr(rest, 1, RSTART - 1) ENVIRON[name]
      rest = substr(rest, RSTART + RLENGTH)
    }
    print done rest
  }
' "$src" > "$out"
[ "${1:-}" = "--render-only" ] && exit 0
exec traefik --configFile="$out" "$@"
