#!/usr/bin/env bash
# Installs the mosquitto MQTT broker and its command-line clients (mosquitto_pub, mosquitto_sub) from the distribution's
# packages, for eventbus's external-mode tests and for nodes that run an external broker. Skips packages that are
# already installed, so it is cheap to run on every CI build. Debian/Ubuntu only. Never starts the system service:
# start.sh runs a private instance instead.
set -euo pipefail

packages=(mosquitto mosquitto-clients)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "mosquitto install: all present (${packages[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "mosquitto install: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "mosquitto install: missing ${missing[*]}; run as root: sudo $0" >&2
  exit 1
fi

echo "mosquitto install: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; a failed install retries once after an update.
apt-get install -y --no-install-recommends "${missing[@]}" || {
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}
echo "mosquitto install: done"
