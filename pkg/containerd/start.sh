#!/usr/bin/env bash
# start.sh <dir>: runs a private containerd whose root, state, socket, CNI config and log all live under <dir>, so
# tests and developers never touch (or collide with) a system containerd. Idempotent: when the containerd recorded in
# <dir>/containerd.pid is alive and answering, it is left alone. Prints the CRI endpoint (unix://<dir>/containerd.sock)
# as the last line of stdout.
#
# Environment: CNI_SUBNET (default 10.234.0.0/16), CNI_BRIDGE (default kecni0), START_TIMEOUT_S (default 20).
# The subnet is shared by every instance on the machine on purpose: they share one bridge and one host-local data dir
# (/var/lib/cni/networks/kubeedge-test), so two instances never hand out the same pod IP.
set -euo pipefail

die() { echo "containerd start: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 <dir>"
for bin in containerd ctr runc; do
  command -v "$bin" >/dev/null 2>&1 || die "containerd is not installed ($bin missing): run pkg/containerd/install.sh as root"
done
[ -x /usr/lib/cni/bridge ] || die "CNI plugins are not installed (/usr/lib/cni/bridge missing): run pkg/containerd/install.sh as root"
[ "$(id -u)" -eq 0 ] || die "containerd needs root (namespaces, mounts, cgroups); run as root"

mkdir -p "$1"
dir=$(cd "$1" && pwd)
sock="$dir/containerd.sock"
pidfile="$dir/containerd.pid"
log="$dir/containerd.log"
subnet=${CNI_SUBNET:-10.234.0.0/16}
bridge=${CNI_BRIDGE:-kecni0}
timeout_s=${START_TIMEOUT_S:-20}

# unix socket paths are limited to 107 bytes; containerd also makes "<sock>.ttrpc".
[ ${#sock} -le 100 ] || die "socket path too long (${#sock} > 100 bytes): $sock; use a shorter <dir>"

alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
# The CRI is served once containerd's gRPC server answers and the cri plugin loaded without error.
cri_ok() { ctr -a "$sock" plugins ls 2>/dev/null | awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" { print $NF }' | grep -qx ok; }

if alive && cri_ok; then
  echo "containerd start: already running (pid $(cat "$pidfile"))" >&2
  echo "unix://$sock"
  exit 0
fi
if alive; then
  die "containerd pid $(cat "$pidfile") is running but its CRI does not answer on $sock; stop it with pkg/containerd/stop.sh $dir (log: $log)"
fi

mkdir -p "$dir/root" "$dir/state" "$dir/opt" "$dir/cni/net.d"
rm -f "$sock" "$sock.ttrpc" "$pidfile"

cat > "$dir/config.toml" <<TOML
# Written by pkg/containerd/start.sh; rewritten on every start.
version = 2
root = "$dir/root"
state = "$dir/state"

[grpc]
  address = "$sock"

[ttrpc]
  address = "$sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "docker.io/kubeedge/pause:3.6"
  # Required on VMs whose bounding set lacks CAP_SYS_RESOURCE: without it runc fails to lower oom_score_adj and
  # every RunPodSandbox fails with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # cgroupfs driver: edged must send cgroupfs-style parents (/kubepods/pod<uid>).
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    # Debian's containernetworking-plugins install here, not in /opt/cni/bin.
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
TOML

cat > "$dir/cni/net.d/10-kubeedge-test.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "kubeedge-test",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$subnet" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON

# No systemd on these machines: run in the background, stdin closed, output to the log. Stop with stop.sh (by PID).
containerd --config "$dir/config.toml" </dev/null >>"$log" 2>&1 &
pid=$!
echo "$pid" > "$pidfile"

deadline=$((SECONDS + timeout_s))
until cri_ok; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$pidfile"
    echo "--- last lines of $log:" >&2
    tail -n 20 "$log" >&2 || true
    die "containerd exited during start-up (see $log)"
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "--- last lines of $log:" >&2
    tail -n 20 "$log" >&2 || true
    die "CRI did not answer on $sock within ${timeout_s}s (containerd pid $pid left running; stop it with $(dirname "$0")/stop.sh $dir)"
  fi
  sleep 0.05
done

echo "containerd start: pid $pid, log $log, CNI $subnet on bridge $bridge" >&2
echo "unix://$sock"
