#!/usr/bin/env bash
# npm test: sets up what is missing, builds, lints, then runs unit, integration and workflow
# tests (Jest) against real Dovecot, Postfix and PostgreSQL. Extra arguments go to Jest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v dovecot >/dev/null || ! command -v postfix >/dev/null || [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "test: something is missing, running npm run setup first"
  bash scripts/setup.sh
fi
npm run build
npm run lint
# The e2e project (the packed package inside real n8n servers) runs separately: npm run test:e2e.
scripts/jest.sh --ci "$@" --ignoreProjects e2e
