#!/usr/bin/env bash
# Installs what edged's real-container tests and a real edge node need: containerd (with its CRI plugin), runc, the
# CNI plugins (Debian puts them in /usr/lib/cni), a static busybox for the test image and gcc to build the pause
# program. Skips packages that are already installed, so it is cheap to run on every CI build. Debian/Ubuntu only.
set -euo pipefail

packages=(containerd runc containernetworking-plugins busybox-static gcc libc6-dev)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "containerd install: all present (${packages[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "containerd install: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "containerd install: missing ${missing[*]}; run as root: sudo $0" >&2
  exit 1
fi

echo "containerd install: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; a failed install retries once after an update.
apt-get install -y --no-install-recommends "${missing[@]}" || {
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}
# No systemd here: installing containerd does not start it, and we never want the system instance for tests.
echo "containerd install: done"
