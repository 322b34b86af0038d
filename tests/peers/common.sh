# Shared by bluesky.sh and mastodon.sh (sourced): waiting for a server, stopping one.
# Expects RUN (the folder of pid files) and a `log` function.

# wait_http URL SECONDS [PID] [BEARER_TOKEN]: poll until URL answers 2xx, bounded by time;
# gives up early if PID dies; with a token, the request is authenticated.
wait_http() {
  python3 - "$1" "$2" "${3:-}" "${4:-}" <<'PY'
import os, sys, time, urllib.request
url, limit, pid, token = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
request = urllib.request.Request(url, headers={"Authorization": "Bearer " + token} if token else {})
deadline = time.monotonic() + limit
while True:
    try:
        with urllib.request.urlopen(request, timeout=2) as r:
            if 200 <= r.status < 300:
                sys.exit(0)
    except Exception:
        pass
    if pid:
        try:
            os.kill(int(pid), 0)
        except OSError:
            sys.exit(f"process {pid} exited while waiting for {url}")
    if time.monotonic() > deadline:
        sys.exit(f"timed out after {limit:.0f}s waiting for {url}")
    time.sleep(0.1)
PY
}

# kill_pidfile NAME: SIGTERM the process group in $RUN/NAME.pid, wait up to 10 s, then SIGKILL.
kill_pidfile() {
  local f=$RUN/$1.pid pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$1 (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$f"
}

# peer_main COMMAND USAGE_LINES: each peer script's `install|start|stop|status` (its cmd_* functions);
# anything else prints the script's usage (the sed range of its header comment) and exits 2
peer_main() {
  case "${1:-}" in
    install|start|stop|status) "cmd_$1" ;;
    *) sed -n "$2" "$0" >&2; exit 2 ;;
  esac
}
