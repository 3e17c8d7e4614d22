#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# profile-auth Redis suite: starts a real redis-server on a free 127.0.0.1 port with a password
# (no persistence), runs redis_tests against it, and stops the server.
#
#   tests/redis/run.sh path/to/redis_tests [doctest options…]
#
# Exports to the suite: PROFILE_AUTH_REDIS_HOST, PROFILE_AUTH_REDIS_PORT,
# PROFILE_AUTH_REDIS_PASSWORD (the shared server) and PROFILE_AUTH_REDIS_SERVER (the redis-server
# binary, for the tests that start, stop and restart servers of their own).
#   PROFILE_AUTH_REDIS_SERVER=/path/to/redis-server   another binary (default: from PATH;
#                                                     valkey-server works too)
# Needs the Debian packages redis-server (the server) and, to build the suite, libhiredis-dev.
# Exit status: the suite's. The server's log goes next to the suite binary: redis-server.log.
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 path/to/redis_tests [doctest options...]" >&2
  exit 2
fi
suite=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
if [[ ! -x "$suite" ]]; then
  echo "run.sh: $suite is not an executable: build the redis_tests target first" >&2
  exit 2
fi
server_bin=${PROFILE_AUTH_REDIS_SERVER:-$(command -v redis-server || true)}
if [[ -z "$server_bin" || ! -x "$server_bin" ]]; then
  echo "run.sh: redis-server is missing (Debian: apt-get install redis-server)" >&2
  exit 2
fi
log="$(dirname "$suite")/redis-server.log"
server_pid=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

free_port() {  # a port nobody listens on right now (the server binds it a moment later)
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

password="pa-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

# start_server: sets server_pid and port once the server answers PING, or fails with its log.
start_server() {
  port=$(free_port)
  "$server_bin" --port "$port" --bind 127.0.0.1 --requirepass "$password" --save '' \
    --appendonly no --daemonize no --loglevel notice >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "run.sh: redis-server exited before it was ready; its log ($log):" >&2
      cat "$log" >&2
      server_pid=""
      return 1
    fi
    # A bare PING over bash's /dev/tcp: NOAUTH also means it is up.
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      printf 'PING\r\n' >&3
      reply=$(timeout 1 head -c 1 <&3 || true)
      exec 3<&- 3>&-
      if [[ "$reply" == "+" || "$reply" == "-" ]]; then
        echo "run.sh: $("$server_bin" --version | head -n 1), pid $server_pid, on 127.0.0.1:$port"
        return 0
      fi
    fi
    sleep 0.1
  done
  echo "run.sh: redis-server did not answer within 10 s; its log ($log):" >&2
  cat "$log" >&2
  stop_server
  return 1
}

start_server || {
  echo "run.sh: starting redis-server once more, on a new port" >&2
  start_server
}
rc=0
PROFILE_AUTH_REDIS_HOST=127.0.0.1 PROFILE_AUTH_REDIS_PORT="$port" \
  PROFILE_AUTH_REDIS_PASSWORD="$password" PROFILE_AUTH_REDIS_SERVER="$server_bin" \
  "$suite" "$@" || rc=$?
stop_server
if [[ $rc -ne 0 ]]; then
  echo "run.sh: redis_tests FAILED (exit $rc); last lines of redis-server's log:"
  tail -n 20 "$log"
fi
exit "$rc"
