#!/usr/bin/env bash
# n8n's package scanner (@n8n/scan-community-package, pinned in test/e2e/registry/) on the packed
# package, offline: builds and packs (under /tmp/build.lock, as every build here), publishes the
# tarball to a private Verdaccio on loopback and runs the scanner's checks on what comes back
# (test/e2e/registry/scan.ts says which parts and why). Prints the scanner's report; exits 1 when
# it finds something that test/e2e/registry/scan-accepted.json does not list with its reason.
#
#   scripts/scan-package.sh                  build, pack and scan
#   scripts/scan-package.sh <package.tgz>    scan that tarball
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/e2e-install.sh registry
tarball="${1:-}"
if [ -z "$tarball" ]; then
  pack="$(mktemp -d /tmp/mail-cases-scan-pack-XXXXXX)"
  trap 'rm -rf "$pack"' EXIT
  flock /tmp/build.lock sh -c 'npm run build --silent && scripts/with-node.sh npm pack --pack-destination "$1" --loglevel=error >/dev/null' sh "$pack"
  tarball="$(ls "$pack"/*.tgz)"
fi
scripts/with-node.sh node -r ./test/support/register-ts.js test/e2e/registry/scan.ts "$tarball"
