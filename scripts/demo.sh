#!/usr/bin/env bash
# npm run demo: the whole job in one command (README "Demo"). Sets up what is missing (apt
# packages, Node 24, npm ci: npm run setup; n8n 2.41.1: scripts/e2e-install.sh, about 4 minutes
# the first time), then demo/run.ts builds and packs the package, starts Dovecot + Postfix and a
# real n8n with the package installed, seeds the embedded SQLite case store, imports and
# activates the ticket template, sends three sample mails and prints what happened and how to
# log in. Runs until Ctrl-C.
#   MAIL_CASES_DEMO_EXIT=1 npm run demo    (or: npm run demo -- --once) exits after the report
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# npm run setup only when something the demo needs is missing (it also installs test-only tools).
have() { PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null 2>&1; }
if have dovecot && have postfix && have openssl && [ -f node_modules/.package-lock.json ] &&
  [ ! package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "demo: Dovecot, Postfix and the dependencies are installed"
else
  echo "demo: setting up what is missing (npm run setup)"
  npm run --silent setup
fi
echo "demo: checking n8n 2.41.1 (scripts/e2e-install.sh n8n-2.41.1)"
scripts/e2e-install.sh n8n-2.41.1
exec scripts/with-node.sh node demo/start.js "$@"
