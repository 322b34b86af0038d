#!/usr/bin/env bash
# tests/peers/apis.sh — local doubles of the WeChat, Weibo, X, LinkedIn and Meta (Threads, Facebook Pages,
# Instagram) APIs for smm's integration tests: one Python process (standard library only), each network on
# its own 127.0.0.1 port, written from each network's documentation (cited in tests/peers/<network>_api.py).
#
#   bash tests/peers/apis.sh install   # nothing to install (checks that python3 ≥ 3.11 is there)
#   bash tests/peers/apis.sh start     # fresh in-memory servers; waits until each answers; writes tests/.peers/<network>.env
#   bash tests/peers/apis.sh status    # exit 0 when every server answers
#   bash tests/peers/apis.sh stop
#
# Ports: SMM_<NETWORK>_PORT (default: any free port). Each env file holds SMM_<NETWORK>_URL and the seeded
# credentials (tests/peers/__init__.py `require("wechat")` etc. reads them). Every server has the same test
# control API: POST /_mock/reset, POST|GET|DELETE /_mock/faults, POST /_mock/tokens, POST /_mock/clock,
# GET /_mock/state (see tests/peers/mockapi.py).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)          # tests/peers
PEERS=${SMM_PEERS_DIR:-$(dirname "$HERE")/.peers}           # tests/.peers (gitignored)
ROOT=$PEERS/apis
RUN=$ROOT/run
NETWORKS="wechat weibo x linkedin meta"
PYTHON=${PYTHON:-python3}

log() { echo "apis: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=common.sh
source "$HERE/common.sh"

url_of() { sed -n "s/^SMM_$(echo "$1" | tr a-z A-Z)_URL=//p" "$PEERS/$1.env" 2>/dev/null || true; }

cmd_install() {
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "$PYTHON is older than 3.11"
  log "nothing to install ($("$PYTHON" --version))"
}

cmd_start() {
  mkdir -p "$RUN"
  cmd_stop_quiet
  local t0=$SECONDS net url
  trap 'log "start failed: stopping it"; cmd_stop_quiet' EXIT
  (exec setsid "$PYTHON" "$HERE/apis_serve.py" --env-dir "$PEERS" </dev/null >"$RUN/server.log" 2>&1) &
  echo $! >"$RUN/server.pid"
  for net in $NETWORKS; do
    for _ in $(seq 1 100); do
      [ -f "$PEERS/$net.env" ] || kill -0 "$(cat "$RUN/server.pid")" 2>/dev/null || break
      [ -f "$PEERS/$net.env" ] && break
      sleep 0.1
    done
    url=$(url_of "$net")
    [ -n "$url" ] || { tail -30 "$RUN/server.log" >&2; die "$net wrote no env file"; }
    wait_http "$url/_mock/state" 20 "$(cat "$RUN/server.pid")" || { tail -30 "$RUN/server.log" >&2; die "$net did not answer"; }
  done
  trap - EXIT
  log "up in $((SECONDS - t0))s: $(for net in $NETWORKS; do printf '%s %s; ' "$net" "$(url_of "$net")"; done)(pid $(cat "$RUN/server.pid"))"
}

cmd_stop_quiet() {
  kill_pidfile server
  for net in $NETWORKS; do rm -f "$PEERS/$net.env"; done
}

cmd_stop() { cmd_stop_quiet; log "stopped"; }

cmd_status() {
  local net url down=0
  for net in $NETWORKS; do
    url=$(url_of "$net")
    if [ -n "$url" ] && wait_http "$url/_mock/state" 0 >/dev/null 2>&1; then echo "$net up   $url"
    else echo "$net DOWN ${url:-(no env file $PEERS/$net.env)}"; down=1; fi
  done
  return "$down"
}

peer_main "${1:-}" '2,13p'
