#!/usr/bin/env bash
# Installs the pinned n8n of an end-to-end harness folder (test/e2e/n8n-<version>/) from its
# committed package-lock.json, the way ../shared/notes/real-n8n.md describes:
#   npm ci --ignore-scripts   (2.x pulls @confluentinc/kafka-javascript, whose install script
#                              downloads from GitHub and fails; only the Kafka node is lost)
#   npm rebuild sqlite3       (n8n's SQLite driver, built from its bundled source)
# Idempotent: a folder whose node_modules was installed from the same lockfile with the same
# Node is left alone (a second run takes well under a second).
#
# The folder registry/ holds the tools that run beside n8n (Verdaccio, the private npm registry of
# test/e2e/support/local-registry.ts, and n8n's package scanner @n8n/scan-community-package):
# installed the same way (npm ci --ignore-scripts, same stamp), without the sqlite3 step.
#
#   scripts/e2e-install.sh                 every harness folder (n8n-2.41.1, n8n-1.123.81, registry)
#   scripts/e2e-install.sh n8n-2.41.1 ...  only these
#
# Runs on Node 24 through scripts/with-node.sh. Installs one folder at a time (each needs up to
# ~1.8 GB of memory and 2-4 minutes on two cores).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
e2e="$root/test/e2e"

if [ "$#" -eq 0 ]; then
  set --
  for d in "$e2e"/n8n-*/; do
    [ -f "$d/package.json" ] && set -- "$@" "$(basename "$d")"
  done
  [ -f "$e2e/registry/package.json" ] && set -- "$@" registry
fi
[ "$#" -gt 0 ] || { echo "e2e-install: no harness folders test/e2e/n8n-*/ found" >&2; exit 1; }

for name in "$@"; do
  name="${name%/}"
  name="${name##*/}"
  dir="$e2e/$name"
  if [ ! -f "$dir/package.json" ] || [ ! -f "$dir/package-lock.json" ]; then
    echo "e2e-install: $dir has no package.json and package-lock.json" >&2
    exit 1
  fi
  stamp="$dir/node_modules/.mail-cases-e2e-installed"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1) node-$("$root/scripts/with-node.sh" node -p 'process.versions.node')"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "e2e-install: $name is up to date"
    continue
  fi
  start=$(date +%s)
  if [ "$name" = registry ]; then
    echo "e2e-install: installing $name (npm ci --ignore-scripts)"
    (
      cd "$dir"
      "$root/scripts/with-node.sh" npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
      test -f node_modules/verdaccio/bin/verdaccio
      test -f node_modules/@n8n/scan-community-package/scanner/scanner.mjs
    )
    echo "$want" > "$stamp"
    echo "e2e-install: $name installed in $(( $(date +%s) - start )) s"
    continue
  fi
  echo "e2e-install: installing $name (npm ci --ignore-scripts, then npm rebuild sqlite3)"
  (
    cd "$dir"
    "$root/scripts/with-node.sh" npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    # prebuild-install would try GitHub first (unreachable here): build from the bundled source.
    npm_config_build_from_source=true "$root/scripts/with-node.sh" npm rebuild sqlite3 --loglevel=error
    "$root/scripts/with-node.sh" node -e 'require("sqlite3"); require.resolve("n8n/bin/n8n")'
  )
  echo "$want" > "$stamp"
  echo "e2e-install: $name installed in $(( $(date +%s) - start )) s"
done
