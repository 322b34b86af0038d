#!/usr/bin/env bash
# tests/peers/browser.sh — the real browser that tests/test_browser.py drives: Debian's chromium (with CJK
# fonts), the PyPI playwright package (the test extra) and axe-core from npm. Never `playwright install`:
# playwright launches the system chromium by path.
#
#   bash tests/peers/browser.sh install   # apt-get chromium + fonts-noto-cjk when missing (root); npm ci axe-core
#   bash tests/peers/browser.sh start     # checks all three are there; writes tests/.peers/browser.env
#   bash tests/peers/browser.sh status    # exit 0 when all three are there
#   bash tests/peers/browser.sh stop      # nothing runs between tests: nothing to stop
#
# browser.env: SMM_BROWSER_CHROMIUM (the executable; set it to use another chromium) and SMM_BROWSER_AXE
# (axe.min.js, pinned by tests/peers/browser/package-lock.json, installed under tests/.peers/browser).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)          # tests/peers
PEERS=${SMM_PEERS_DIR:-$(dirname "$HERE")/.peers}           # tests/.peers (gitignored)
ROOT=$PEERS/browser
ENV_FILE=$PEERS/browser.env
AXE=$ROOT/node_modules/axe-core/axe.min.js
PYTHON=${PYTHON:-python3}

log() { echo "browser: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=common.sh
source "$HERE/common.sh"

chromium_path() {  # SMM_BROWSER_CHROMIUM, else Debian's chromium, when it runs
  local exe=${SMM_BROWSER_CHROMIUM:-$(command -v chromium || true)}
  [ -n "$exe" ] && "$exe" --version >/dev/null 2>&1 && echo "$exe"
}

cjk_font() { fc-list :lang=zh family 2>/dev/null | grep -q .; }

install_system() {
  local need=()
  [ -n "$(chromium_path)" ] || need+=(chromium)
  cjk_font || need+=(fonts-noto-cjk)
  [ ${#need[@]} = 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null \
      || die "missing ${need[*]}: run as root, or install them yourself (apt-get install --no-install-recommends ${need[*]})"
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null || die "missing ${need[*]} and no apt-get here: install Debian's chromium and a CJK font"
  log "apt-get install ${need[*]}"
  mkdir -p "$ROOT"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$ROOT/apt.log" 2>&1 \
    || { tail -20 "$ROOT/apt.log" >&2; die "apt-get update failed"; }
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >>"$ROOT/apt.log" 2>&1 \
    || { tail -20 "$ROOT/apt.log" >&2; die "apt-get install ${need[*]} failed (log: $ROOT/apt.log)"; }
  [ -n "$(chromium_path)" ] || die "chromium does not run after apt-get install (on Ubuntu the package is a snap: set SMM_BROWSER_CHROMIUM)"
  cjk_font || die "no CJK font after apt-get install fonts-noto-cjk"
}

install_axe() {
  command -v npm >/dev/null || die "npm not found (axe-core is installed from npm)"
  local want have=""
  want=$(sha256sum "$HERE/browser/package-lock.json" | cut -c1-16)
  [ -f "$ROOT/node_modules/.smm-stamp" ] && have=$(cat "$ROOT/node_modules/.smm-stamp")
  if [ "$have" = "$want" ] && [ -f "$AXE" ]; then
    log "axe-core already installed"
    return 0
  fi
  mkdir -p "$ROOT"
  cp "$HERE/browser/package.json" "$HERE/browser/package-lock.json" "$ROOT/"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error) >"$ROOT/npm.log" 2>&1 \
    || { tail -20 "$ROOT/npm.log" >&2; die "npm ci failed (log: $ROOT/npm.log)"; }
  [ -f "$AXE" ] || die "$AXE missing after npm ci"
  echo "$want" >"$ROOT/node_modules/.smm-stamp"
}

check_playwright() {
  local python=${SMM_PYTHON:-$(dirname "$HERE")/../.venv/bin/python}
  [ -x "$python" ] || python=$PYTHON
  "$python" -c "import playwright.sync_api" 2>/dev/null \
    || die "the playwright package is missing for $python: pip install -e '.[test]'"
}

cmd_install() {
  local t0=$SECONDS
  install_system
  install_axe
  log "installed in $((SECONDS - t0))s ($("$(chromium_path)" --version 2>/dev/null | head -1), axe-core $(cd "$ROOT" && node -p 'require("axe-core/package.json").version'))"
}

cmd_status() {
  [ -n "$(chromium_path)" ] || die "no chromium (bash tests/peers/browser.sh install)"
  [ -f "$AXE" ] || die "no axe-core at $AXE (bash tests/peers/browser.sh install)"
  check_playwright
}

cmd_start() {
  cmd_status
  mkdir -p "$PEERS"
  printf 'SMM_BROWSER_CHROMIUM=%s\nSMM_BROWSER_AXE=%s\n' "$(chromium_path)" "$AXE" >"$ENV_FILE"
  log "ready: $(cat "$ENV_FILE" | paste -sd' ' -)"
}

cmd_stop() { :; }

peer_main "${1:-}" '2,12p'
