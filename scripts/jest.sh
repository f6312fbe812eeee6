#!/usr/bin/env bash
# Runs Jest on Node 24. --experimental-vm-modules lets Jest load ES-module-only dependencies
# (sanitize-html's htmlparser2 12), which Node itself loads with require() outside Jest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NODE_OPTIONS="--experimental-vm-modules --no-warnings=ExperimentalWarning ${NODE_OPTIONS:-}"
exec "$root/scripts/with-node.sh" "$root/node_modules/.bin/jest" "$@"
