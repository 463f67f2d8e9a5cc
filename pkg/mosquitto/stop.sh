#!/usr/bin/env bash
# stop.sh <dir>: stops the mosquitto that start.sh started in <dir>, by the PID in <dir>/mosquitto.pid (TERM, wait up
# to STOP_TIMEOUT_S (default 10), then KILL). Idempotent: nothing running is not an error. Keeps the persistence file
# and the log.
set -euo pipefail

die() { echo "mosquitto stop: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 <dir>"
[ -d "$1" ] || { echo "mosquitto stop: no such dir $1; nothing to stop" >&2; exit 0; }
dir=$(cd "$1" && pwd)
pidfile="$dir/mosquitto.pid"
timeout_s=${STOP_TIMEOUT_S:-10}

# Alive and not a zombie: a broker killed with SIGKILL is not our child, and whoever reaps it may be slow.
running() { kill -0 "$1" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

if ! [ -f "$pidfile" ] || ! running "$(cat "$pidfile")"; then
  rm -f "$pidfile"
  echo "mosquitto stop: not running ($dir)" >&2
  exit 0
fi
pid=$(cat "$pidfile")
# Only a mosquitto: a stale pid file must never make us signal some unrelated process that reused the PID.
comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
if [ "$comm" != mosquitto ]; then
  rm -f "$pidfile"
  echo "mosquitto stop: pid $pid is not mosquitto (it is '$comm'); removed the stale pid file" >&2
  exit 0
fi

kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + timeout_s))
while running "$pid"; do
  if [ $SECONDS -ge $deadline ]; then
    echo "mosquitto stop: pid $pid ignored TERM for ${timeout_s}s; sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.02
done
rm -f "$pidfile"
echo "mosquitto stop: stopped pid $pid" >&2
