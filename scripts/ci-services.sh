#!/usr/bin/env bash
# Installs what the cluster test (node --test test/cluster/) and `npm run cluster`
# need from Debian, only when missing: redis-server and nginx. Neither is started
# as a system service here: scripts/cluster-lib.mjs runs its own copies on free
# loopback ports, with their files in a temporary directory.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # policy-rc.d 101: the packages' post-install scripts do not start the system
  # services (no port 80 or 6379 taken, nothing left running).
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created_policy=1
  fi
  apt-get install -y --no-install-recommends "${missing[@]}"
  if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
fi
echo "== $(redis-server --version | cut -d' ' -f1-3), $(/usr/sbin/nginx -v 2>&1 || nginx -v 2>&1)"
