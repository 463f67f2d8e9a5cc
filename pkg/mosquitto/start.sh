#!/usr/bin/env bash
# start.sh <dir> [port]: runs a private mosquitto on 127.0.0.1:<port> (default 1883) whose config, persistence file,
# log and pid file all live in <dir>, so tests and developers never touch (or collide with) a system broker. Anonymous
# clients are allowed: it listens on loopback only. Idempotent: when the mosquitto recorded in <dir>/mosquitto.pid is
# alive and listening on <port>, it is left alone. Prints the broker's URL (tcp://127.0.0.1:<port>) as the last line of
# stdout. No systemd: the broker runs in the background; stop it with stop.sh <dir> (by PID).
#
# Persistence is on, in <dir> (autosave_interval 1: mosquitto saves every 1-2 seconds): a broker killed with SIGKILL
# and started again on the same <dir> keeps its clients' persistent sessions (subscriptions and queued QoS 1/2
# messages) as of the last save, like a production broker restarted after a crash.
#
# Environment: START_TIMEOUT_S (default 10).
set -euo pipefail

die() { echo "mosquitto start: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 <dir> [port]"
command -v mosquitto >/dev/null 2>&1 || die "mosquitto is not installed: run pkg/mosquitto/install.sh as root"
port=${2:-1883}
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "port must be 1..65535, got '$port'"

mkdir -p "$1"
dir=$(cd "$1" && pwd)
pidfile="$dir/mosquitto.pid"
log="$dir/mosquitto.log"
conf="$dir/mosquitto.conf"
timeout_s=${START_TIMEOUT_S:-10}

# Alive and not a zombie: a broker killed with SIGKILL is not our child, and whoever reaps it may be slow.
running() { kill -0 "$1" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
alive() { [ -f "$pidfile" ] && running "$(cat "$pidfile")"; }
# bash's /dev/tcp: true once something accepts connections on the port.
accepting() { (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

if alive; then
  if accepting && grep -qx "listener $port 127.0.0.1" "$conf" 2>/dev/null; then
    echo "mosquitto start: already running (pid $(cat "$pidfile"))" >&2
    echo "tcp://127.0.0.1:$port"
    exit 0
  fi
  die "mosquitto pid $(cat "$pidfile") from $dir is running but not listening on 127.0.0.1:$port; stop it with $(dirname "$0")/stop.sh $dir"
fi
# Otherwise the readiness check below would be fooled by whoever holds the port.
accepting && die "127.0.0.1:$port is already in use by another program; pick another port"
rm -f "$pidfile"

cat > "$conf" <<CONF
# Written by pkg/mosquitto/start.sh; rewritten on every start.
listener $port 127.0.0.1
allow_anonymous true
# Run as whoever started it (mosquitto switches to user "mosquitto" by default when started as root, which could not
# write to a private <dir>).
user $(id -un)
persistence true
persistence_location $dir/
persistence_file mosquitto.db
autosave_interval 1
log_dest file $log
log_type error
log_type warning
log_type notice
log_type information
log_timestamp_format %Y-%m-%dT%H:%M:%S
CONF

# No systemd on these machines: run in the background, stdin closed, output to the log. Stop with stop.sh (by PID).
mosquitto -c "$conf" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid" > "$pidfile"

deadline=$((SECONDS + timeout_s))
until accepting; do
  if ! running "$pid"; then
    rm -f "$pidfile"
    echo "--- last lines of $log:" >&2
    tail -n 20 "$log" >&2 || true
    die "mosquitto exited during start-up (see $log)"
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "--- last lines of $log:" >&2
    tail -n 20 "$log" >&2 || true
    die "mosquitto did not accept connections on 127.0.0.1:$port within ${timeout_s}s (pid $pid left running; stop it with $(dirname "$0")/stop.sh $dir)"
  fi
  sleep 0.02
done
# It accepted, but make sure it was ours and it stayed up (a port grabbed between the check above and the start).
running "$pid" || die "mosquitto exited during start-up (see $log)"

echo "mosquitto start: pid $pid, log $log" >&2
echo "tcp://127.0.0.1:$port"
