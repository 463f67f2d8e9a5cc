#!/usr/bin/env bash
# stop.sh [--clean] <dir>: stops the containerd that start.sh started in <dir>, by the PID in <dir>/containerd.pid
# (TERM, wait up to STOP_TIMEOUT_S (default 10), then KILL). Idempotent: nothing running is not an error.
#
# Pod sandboxes outlive containerd (their shims keep running). --clean removes them first: through the CRI with
# clean-main.ts when the repo's node_modules are installed (this also frees their CNI IPs), then a ctr sweep of
# whatever is left in namespace k8s.io: tasks killed and deleted (the shim exits), network namespaces unmounted,
# pod IPs released, container records deleted.
set -euo pipefail

die() { echo "containerd stop: $*" >&2; exit 1; }

clean=false
if [ "${1:-}" = --clean ]; then clean=true; shift; fi
[ $# -eq 1 ] || die "usage: $0 [--clean] <dir>"
[ -d "$1" ] || { echo "containerd stop: no such dir $1; nothing to stop" >&2; exit 0; }
dir=$(cd "$1" && pwd)
sock="$dir/containerd.sock"
pidfile="$dir/containerd.pid"
timeout_s=${STOP_TIMEOUT_S:-10}

pid=""
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then pid=$(cat "$pidfile"); fi

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if $clean && [ -n "$pid" ] && [ -d "$repo/node_modules/@swc/core" ]; then
  (cd "$repo" && node -r ./pkg/cli/testing/register-ts.js pkg/containerd/clean-main.ts "unix://$sock") \
    || echo "containerd stop: CRI clean failed; falling back to ctr" >&2
fi
if $clean && [ -n "$pid" ]; then
  k() { ctr -a "$sock" -n k8s.io "$@"; }
  # Application containers first, sandboxes (pause) last, so no container outlives its pod's namespaces.
  ids=$(k containers ls -q 2>/dev/null || true)
  for id in $ids; do
    k tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  for id in $ids; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      k tasks delete -f "$id" >/dev/null 2>&1 && break
      k tasks ls -q 2>/dev/null | grep -qx "$id" || break
      sleep 0.1
    done
    # The sandbox's network namespace is a bind mount under /run/netns (or /var/run/netns) named in its spec.
    for ns in $(k containers info "$id" 2>/dev/null | grep -o '"/\(var/\)\{0,1\}run/netns/[^"]*"' | tr -d '"' | sort -u); do
      umount "$ns" 2>/dev/null || true
      rm -f "$ns"
    done
    # host-local's allocation files start with the sandbox id (then CRLF); without the CRI nobody frees them.
    { grep -l "^$id" /var/lib/cni/networks/kubeedge-test/* 2>/dev/null || true; } | xargs -r rm -f
    k containers delete "$id" >/dev/null 2>&1 || echo "containerd stop: could not delete container $id" >&2
  done
  [ -z "$ids" ] || echo "containerd stop: removed $(echo "$ids" | wc -w) k8s.io containers" >&2
fi

if [ -z "$pid" ]; then
  rm -f "$pidfile"
  echo "containerd stop: not running ($dir)" >&2
  exit 0
fi

kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + timeout_s))
while kill -0 "$pid" 2>/dev/null; do
  if [ $SECONDS -ge $deadline ]; then
    echo "containerd stop: pid $pid ignored TERM for ${timeout_s}s; sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    break
  fi
  sleep 0.05
done
rm -f "$pidfile" "$sock" "$sock.ttrpc"
echo "containerd stop: stopped pid $pid" >&2
