#!/usr/bin/env bash
# tests/peers/bluesky.sh — a real, local Bluesky network for smm's integration tests.
#
#   bash tests/peers/bluesky.sh install   # npm ci of the pinned packages (+ apt postgresql/redis if missing)
#   bash tests/peers/bluesky.sh start     # fresh network; waits until it answers; writes tests/.peers/bluesky.env
#   bash tests/peers/bluesky.sh status    # exit 0 when every service answers
#   bash tests/peers/bluesky.sh stop      # stops what `start` started (by saved pid)
#
# What runs (every listener on 127.0.0.1; fixed ports, each overridable by the env var named):
#   PostgreSQL 15 (Debian)   5433  SMM_BSKY_PG_PORT     private cluster under tests/.peers/bluesky/pg
#   Redis (Debian)           6380  SMM_BSKY_REDIS_PORT  no persistence
#   @atproto/dev-env TestNetwork, one node process (tests/peers/bluesky/devnet.js):
#     PLC directory          2582  SMM_BSKY_PLC_PORT    in memory
#     PDS                    2583  SMM_BSKY_PDS_PORT    invites off, handles end in ".test", admin password admin-pass
#     AppView (bsky)         2584  SMM_BSKY_APPVIEW_PORT indexes the PDS firehose (~0.5 s behind)
#     Ozone (moderation)     2587  SMM_BSKY_OZONE_PORT  dev-env requires it
#     (+ a few helper listeners on random loopback ports inside that process)
# Every `start` is a fresh network: new PLC, PDS data and AppView database.
# Pinned npm packages (Node 20): @atproto/dev-env 0.3.215, @atproto/pds 0.4.217, @did-plc/server 0.0.1,
# full tree locked in tests/peers/bluesky/package-lock.json.
#
# Test accounts: com.atproto.server.createAccount on the PDS (no invite code), e.g.
#   curl -X POST $SMM_BLUESKY_PDS_URL/xrpc/com.atproto.server.createAccount -H 'content-type: application/json' \
#        -d '{"handle":"alice1.test","email":"alice1@example.com","password":"pw-alice1"}'
# or, in tests, tests/peers: `require("bluesky").create_account("alice")`.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)          # tests/peers
PEERS=${SMM_PEERS_DIR:-$(dirname "$HERE")/.peers}           # tests/.peers (gitignored)
ROOT=$PEERS/bluesky
RUN=$ROOT/run                                               # pid files, logs, node's TMPDIR
ENV_FILE=$PEERS/bluesky.env

PG_PORT=${SMM_BSKY_PG_PORT:-5433}
REDIS_PORT=${SMM_BSKY_REDIS_PORT:-6380}
PLC_PORT=${SMM_BSKY_PLC_PORT:-2582}
PDS_PORT=${SMM_BSKY_PDS_PORT:-2583}
APPVIEW_PORT=${SMM_BSKY_APPVIEW_PORT:-2584}
OZONE_PORT=${SMM_BSKY_OZONE_PORT:-2587}
START_TIMEOUT=${SMM_BSKY_START_TIMEOUT:-180}                # seconds, for the node network

log() { echo "bluesky: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=common.sh
source "$HERE/common.sh"

# ---------------------------------------------------------------- helpers

pg_bin() {  # the newest installed PostgreSQL server's bin dir, or nothing
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  return 0
}

as_pg() {  # run a command as the postgres user when we are root (initdb/postgres refuse root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }


# ---------------------------------------------------------------- install

install_system() {
  local need=()
  [ -n "$(pg_bin)" ] || need+=(postgresql)
  command -v redis-server >/dev/null || need+=(redis-server)
  [ ${#need[@]} = 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}: install them (apt-get install ${need[*]}) or run as root"
  log "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >"$ROOT/apt.log" 2>&1 || { tail -20 "$ROOT/apt.log" >&2; die "apt-get update failed"; }
  # The packages' own services are not used (we run private instances on our own ports).
  apt-get install -y -q --no-install-recommends "${need[@]}" >>"$ROOT/apt.log" 2>&1 \
    || { tail -20 "$ROOT/apt.log" >&2; die "apt-get install ${need[*]} failed"; }
  [ -n "$(pg_bin)" ] || die "PostgreSQL server binaries not found after install"
  command -v redis-server >/dev/null || die "redis-server not found after install"
}

native_ok() {  # the native modules that the PDS loads
  (cd "$ROOT" && node -e "new (require('better-sqlite3'))(':memory:').close(); require('sharp')") >/dev/null 2>&1
}

install_node() {
  command -v node >/dev/null || die "node not found (Node 20 is required)"
  command -v npm >/dev/null || die "npm not found"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] && [ "$major" -lt 22 ] \
    || log "warning: Node $(node --version); the pinned packages were verified on Node 20"
  local stamp_want stamp_have=""
  stamp_want="$(cat "$HERE/bluesky/package.json" "$HERE/bluesky/package-lock.json" | sha256sum | cut -c1-16) node-$(node --version)"
  [ -f "$ROOT/node_modules/.smm-stamp" ] && stamp_have=$(cat "$ROOT/node_modules/.smm-stamp")
  if [ "$stamp_have" = "$stamp_want" ] && native_ok; then
    log "npm packages already installed"
    return 0
  fi
  cp "$HERE/bluesky/package.json" "$HERE/bluesky/package-lock.json" "$ROOT/"
  # better-sqlite3 has no prebuilt binary reachable here: node-gyp compiles it (g++, make, python3)
  # against the local Node headers, never downloaded ones.
  local nodedir=""
  [ -f /usr/include/node/node.h ] && nodedir=/usr
  log "npm ci (pinned tree; ~1.5 min cold)"
  (cd "$ROOT" && ${nodedir:+env npm_config_nodedir=$nodedir} npm ci --no-audit --no-fund --loglevel=error) \
    >"$ROOT/npm.log" 2>&1 || { tail -40 "$ROOT/npm.log" >&2; die "npm ci failed (log: $ROOT/npm.log)"; }
  if ! native_ok; then
    log "native modules do not load: npm rebuild better-sqlite3 sharp"
    (cd "$ROOT" && ${nodedir:+env npm_config_nodedir=$nodedir} npm rebuild better-sqlite3 sharp) >>"$ROOT/npm.log" 2>&1 || true
    native_ok || { tail -40 "$ROOT/npm.log" >&2; die "better-sqlite3/sharp do not load (log: $ROOT/npm.log)"; }
  fi
  echo "$stamp_want" >"$ROOT/node_modules/.smm-stamp"
}

cmd_install() {
  mkdir -p "$ROOT"
  local t0=$SECONDS
  install_system
  local t1=$SECONDS
  install_node
  log "installed in $((SECONDS - t0))s (system packages $((t1 - t0))s, npm $((SECONDS - t1))s; $(node --version), $(basename "$(dirname "$(pg_bin)")" | sed 's/^/PostgreSQL /'), $(redis-server --version | awk '{print $1, $3}'))"
}

# ---------------------------------------------------------------- start

pg_dir() {  # the cluster's folder: under tests/.peers unless the postgres user cannot reach it
  local d=$ROOT/pg
  mkdir -p "$d"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$d"
    if ! runuser -u postgres -- test -w "$d"; then
      d=${TMPDIR:-/tmp}/smm-peers-pg-$(echo "$ROOT" | sha256sum | cut -c1-12)
      mkdir -p "$d"; chown postgres:postgres "$d"; chmod 700 "$d"
    fi
  fi
  echo "$d"
}

start_pg() {
  local bin d; bin=$(pg_bin); [ -n "$bin" ] || die "PostgreSQL not installed: run '$0 install'"
  d=$(pg_dir); echo "$d" >"$RUN/pg.dir"
  if [ ! -f "$d/data/PG_VERSION" ]; then
    rm -rf "$d/data"
    as_pg "$bin/initdb" -D "$d/data" -U pg --auth=trust -E UTF8 --no-locale >"$RUN/initdb.log" 2>&1 \
      || { cat "$RUN/initdb.log" >&2; die "initdb failed"; }
  fi
  port_open "$PG_PORT" && die "port $PG_PORT (PostgreSQL) is already in use"
  as_pg "$bin/pg_ctl" -D "$d/data" -l "$d/pg.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $d -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >"$RUN/pg_ctl.log" 2>&1 || { cat "$RUN/pg_ctl.log" "$d/pg.log" >&2 2>/dev/null; die "PostgreSQL did not start"; }
  head -1 "$d/data/postmaster.pid" >"$RUN/pg.pid"
  # a fresh AppView/Ozone database on every start
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U pg -d postgres -v ON_ERROR_STOP=1 -q \
    -c "DROP DATABASE IF EXISTS bsky WITH (FORCE)" -c "CREATE DATABASE bsky" >"$RUN/psql.log" 2>&1 \
    || { cat "$RUN/psql.log" >&2; die "could not create database bsky"; }
}

start_redis() {
  port_open "$REDIS_PORT" && die "port $REDIS_PORT (Redis) is already in use"
  setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --protected-mode yes --dir "$RUN" </dev/null >"$RUN/redis.log" 2>&1 &
  echo $! >"$RUN/redis.pid"
  for _ in $(seq 1 100); do  # <= 10 s
    port_open "$REDIS_PORT" && return 0
    alive redis || { cat "$RUN/redis.log" >&2; die "redis-server exited"; }
    sleep 0.1
  done
  die "redis-server did not listen on $REDIS_PORT within 10 s"
}

start_devnet() {
  local p
  for p in "$PLC_PORT" "$PDS_PORT" "$APPVIEW_PORT" "$OZONE_PORT"; do
    port_open "$p" && die "port $p is already in use"
  done
  [ -d "$ROOT/node_modules/@atproto/dev-env" ] || die "npm packages missing: run '$0 install'"
  cp "$HERE/bluesky/loopback.js" "$HERE/bluesky/devnet.js" "$ROOT/"
  rm -rf "$RUN/tmp"; mkdir -p "$RUN/tmp"          # dev-env puts PDS data + blobs in os.tmpdir()
  (
    cd "$ROOT"
    export TMPDIR="$RUN/tmp" LOG_ENABLED="${LOG_ENABLED:-false}" NODE_ENV=development \
      DB_POSTGRES_URL="postgresql://pg@127.0.0.1:$PG_PORT/bsky" DB_POSTGRES_SCHEMA=smm \
      REDIS_HOST="127.0.0.1:$REDIS_PORT" \
      SMM_PLC_PORT="$PLC_PORT" SMM_PDS_PORT="$PDS_PORT" SMM_APPVIEW_PORT="$APPVIEW_PORT" SMM_OZONE_PORT="$OZONE_PORT"
    exec setsid node -r ./loopback.js devnet.js </dev/null >"$RUN/devnet.log" 2>&1
  ) &
  echo $! >"$RUN/devnet.pid"
  local pid; pid=$(cat "$RUN/devnet.pid")
  local limit=$((START_TIMEOUT * 10))
  for _ in $(seq 1 "$limit"); do
    grep -q '^SMM-DEVNET-READY' "$RUN/devnet.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { tail -40 "$RUN/devnet.log" >&2; die "the node network exited during start"; }
    sleep 0.1
  done
  grep -q '^SMM-DEVNET-READY' "$RUN/devnet.log" || { tail -40 "$RUN/devnet.log" >&2; die "network not ready within ${START_TIMEOUT}s"; }
  # each service answers over HTTP (bounded; fails early if the process died)
  wait_http "http://127.0.0.1:$PLC_PORT/_health" 20 "$pid"
  wait_http "http://127.0.0.1:$PDS_PORT/xrpc/_health" 20 "$pid"
  wait_http "http://127.0.0.1:$APPVIEW_PORT/xrpc/_health" 20 "$pid"
  wait_http "http://127.0.0.1:$OZONE_PORT/xrpc/_health" 20 "$pid"
}

write_env() {
  local tmp=$ENV_FILE.tmp
  cat >"$tmp" <<EOF
# written by tests/peers/bluesky.sh start; read by tests/peers (bluesky()). Shell-sourceable.
SMM_BLUESKY_PDS_URL=http://127.0.0.1:$PDS_PORT
SMM_BLUESKY_APPVIEW_URL=http://127.0.0.1:$APPVIEW_PORT
SMM_BLUESKY_PLC_URL=http://127.0.0.1:$PLC_PORT
SMM_BLUESKY_OZONE_URL=http://127.0.0.1:$OZONE_PORT
SMM_BLUESKY_ADMIN_PASSWORD=admin-pass
SMM_BLUESKY_HANDLE_DOMAIN=.test
EOF
  mv "$tmp" "$ENV_FILE"
}

cmd_start() {
  mkdir -p "$RUN"
  cmd_stop_quiet                                   # a fresh network every time
  trap 'log "start failed: stopping what was started"; cmd_stop_quiet' EXIT
  local t0=$SECONDS
  start_pg
  start_redis
  start_devnet
  write_env
  trap - EXIT
  log "up in $((SECONDS - t0))s: $(sed -n 's/^SMM-DEVNET-READY //p' "$RUN/devnet.log")"
  log "env: $ENV_FILE"
}

# ---------------------------------------------------------------- stop / status

cmd_stop_quiet() {
  rm -f "$ENV_FILE"
  kill_pidfile devnet
  kill_pidfile redis
  if [ -f "$RUN/pg.pid" ]; then
    local bin d; bin=$(pg_bin); d=$(cat "$RUN/pg.dir" 2>/dev/null || echo "$ROOT/pg")
    if [ -n "$bin" ] && [ -f "$d/data/postmaster.pid" ]; then
      as_pg "$bin/pg_ctl" -D "$d/data" -m fast -w -t 30 stop >/dev/null 2>&1 || kill_pidfile pg
    fi
    rm -f "$RUN/pg.pid"
  fi
}

cmd_stop() { cmd_stop_quiet; log "stopped"; }

cmd_status() {
  local ok=0 name url
  for pair in "PLC=http://127.0.0.1:$PLC_PORT/_health" "PDS=http://127.0.0.1:$PDS_PORT/xrpc/_health" \
              "AppView=http://127.0.0.1:$APPVIEW_PORT/xrpc/_health" "Ozone=http://127.0.0.1:$OZONE_PORT/xrpc/_health"; do
    name=${pair%%=*}; url=${pair#*=}
    if wait_http "$url" 0 >/dev/null 2>&1; then echo "$name up   $url"; else echo "$name DOWN $url"; ok=1; fi
  done
  port_open "$PG_PORT" && echo "PostgreSQL up   127.0.0.1:$PG_PORT" || { echo "PostgreSQL DOWN 127.0.0.1:$PG_PORT"; ok=1; }
  port_open "$REDIS_PORT" && echo "Redis up   127.0.0.1:$REDIS_PORT" || { echo "Redis DOWN 127.0.0.1:$REDIS_PORT"; ok=1; }
  [ -f "$ENV_FILE" ] && echo "env file: $ENV_FILE" || { echo "env file missing: $ENV_FILE"; ok=1; }
  return $ok
}

peer_main "${1:-}" '2,25p'
