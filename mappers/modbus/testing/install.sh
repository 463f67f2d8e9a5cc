#!/usr/bin/env bash
# Installs the real Modbus server the Modbus mapper's tests talk to: Debian's python3-pymodbus (3.0.x), run with the
# system interpreter /usr/bin/python3 (a pyenv or venv python3 on PATH would not see Debian's package). Skips what is
# already installed, so it is cheap to run on every CI build. Debian/Ubuntu only.
set -euo pipefail

# python3-serial-asyncio (and python3-serial): pymodbus.server imports them even for TCP, and Debian lists them only
# as recommendations.
packages=(python3 python3-pymodbus python3-serial python3-serial-asyncio)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "modbus test install: all present (${packages[*]})"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "modbus test install: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "modbus test install: missing ${missing[*]}; run as root: sudo $0" >&2
  exit 1
fi

echo "modbus test install: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; a failed install retries once after an update. The lock timeout
# waits for another apt-get (another install script run in parallel) instead of failing.
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" || {
  apt-get -o DPkg::Lock::Timeout=300 update
  apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
}
/usr/bin/python3 -c 'import pymodbus, pymodbus.server; print("modbus test install: pymodbus", pymodbus.__version__)'
