#!/usr/bin/env bash
# npm run setup: everything the tests need on this machine, idempotent and quick when done.
#   1. Dovecot (IMAP, POP3, LMTP), Postfix and openssl from apt on Debian/Ubuntu (other systems:
#      prints what to install), and Chromium with fonts-liberation for the e2e tests that drive
#      n8n's editor in a browser (playwright-core launches /usr/bin/chromium);
#   2. Node.js 24 (scripts/with-node.sh installs it into toolchain/ when the host's is older);
#   3. npm ci when node_modules is missing or older than package-lock.json.
# Building is left to the caller (npm run build).
# SETUP_DRY_RUN=1 prints what would be done and changes nothing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dry="${SETUP_DRY_RUN:-}"
step() { printf 'setup: %s\n' "$*"; }
run() {
  if [ -n "$dry" ]; then printf 'setup:   would run: %s\n' "$*"; else "$@"; fi
}

packages=(dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl chromium fonts-liberation)
mail_tools_missing=0

is_debian() {
  [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1
}

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# --- 1. mail servers and the browser ---------------------------------------------------------
if is_debian; then
  missing=()
  for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    step "apt packages present: ${packages[*]}"
  else
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
      else
        step "missing apt packages ${missing[*]}, and neither root nor sudo: install them as root" >&2
        exit 1
      fi
    fi
    step "installing apt packages: ${missing[*]}"
    dovecot_core_before=0
    installed dovecot-core && dovecot_core_before=1
    if [[ " ${missing[*]} " == *" postfix "* ]]; then
      # Postfix asks for a mail setup type; the tests run their own instance with their own config.
      if [ -n "$dry" ]; then
        step "  would preseed debconf: postfix/main_mailer_type select No configuration"
      else
        echo 'postfix postfix/main_mailer_type select No configuration' | "${sudo[@]}" debconf-set-selections
      fi
    fi
    run "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    run "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    # The tests start private instances on random loopback ports. A system-wide Dovecot that the
    # package may just have started would offer IMAP/POP3 logins for system accounts: switch off
    # what this run installed (never touches servers that were there before).
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      units=()
      [ "$dovecot_core_before" -eq 0 ] && units+=(dovecot.service)
      [[ " ${missing[*]} " == *" postfix "* ]] && units+=(postfix.service)
      if [ ${#units[@]} -gt 0 ]; then
        step "disabling the system services the packages started: ${units[*]} (the tests run their own)"
        run "${sudo[@]}" systemctl disable --now "${units[@]}" || true
      fi
    fi
  fi
else
  for tool in dovecot postfix openssl; do
    command -v "$tool" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null 2>&1 || mail_tools_missing=1
  done
  if [ "$mail_tools_missing" -eq 0 ]; then
    step "dovecot, postfix and openssl found (not a Debian system: not checking packages)"
  else
    step "not a Debian/Ubuntu system: install these with your package manager, then run npm run setup again:" >&2
    step "  Dovecot 2.3 with IMAP, POP3 and LMTP (e.g. dnf install dovecot), Postfix 3.x (dnf install postfix), openssl" >&2
    step "  the integration tests run them as root; the system services themselves need not be enabled" >&2
    step "  the e2e browser tests need Chromium at /usr/bin/chromium (e.g. dnf install chromium)" >&2
  fi
fi

# --- 2. Node 24 --------------------------------------------------------------------------------
if [ -n "$dry" ]; then
  step "Node.js: would run scripts/with-node.sh true"
else
  scripts/with-node.sh true
  step "Node.js $(scripts/with-node.sh node -v) ready"
fi

# --- 3. npm ci ---------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install; older than package-lock.json
# means the dependencies changed since.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "dependencies missing or older than package-lock.json: npm ci"
  run scripts/with-node.sh npm ci --no-audit --no-fund
else
  step "dependencies up to date (node_modules matches package-lock.json)"
fi

if [ "$mail_tools_missing" -ne 0 ]; then
  step "incomplete: Dovecot/Postfix/openssl missing (see above)" >&2
  exit 1
fi
step "done (build with: npm run build)"
