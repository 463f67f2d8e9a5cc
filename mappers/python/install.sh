#!/usr/bin/env bash
# Installs what the Python mapper and its stub generation need, from Debian's packages: the gRPC and protobuf runtimes
# for Debian's own python3 (/usr/bin/python3: a pyenv or venv python does not see them), protoc (which buf's
# `protoc_builtin: python` runs) and grpc_python_plugin. Skips packages already installed, so it is cheap to run on
# every CI build. Debian/Ubuntu only.
set -euo pipefail

packages=(python3 python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "python mapper install: all present (${packages[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "python mapper install: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "python mapper install: missing ${missing[*]}; run as root: sudo $0" >&2
  exit 1
fi

echo "python mapper install: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; a failed install retries once after an update.
apt-get install -y --no-install-recommends "${missing[@]}" || {
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
}
echo "python mapper install: done"
