#!/usr/bin/env bash
# ensure-packages.sh <label> <package>...: installs the Debian/Ubuntu packages that are missing, and nothing when all
# are there, so the project's install scripts are cheap to run on every CI build. The label names the caller in every
# line. Without apt-get, or not as root, it says what is missing and how to get it, and fails.
set -euo pipefail

label=$1
shift
packages=("$@")

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "$label: all present (${packages[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$label: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$label: missing ${missing[*]}; run its install script as root (sudo)" >&2
  exit 1
fi

echo "$label: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet: a failed install retries once after an update. The lock timeout waits
# for another apt-get (another install script run in parallel) instead of failing.
apt=(apt-get -o DPkg::Lock::Timeout=300)
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" || {
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
}
echo "$label: done"
