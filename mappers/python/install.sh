#!/usr/bin/env bash
# Installs what the Python mapper and its stub generation need, from Debian's packages: the gRPC and protobuf runtimes
# for Debian's own python3 (/usr/bin/python3: a pyenv or venv python does not see them), protoc (which buf's
# `protoc_builtin: python` runs) and grpc_python_plugin.
set -euo pipefail
"$(dirname "$0")/../../pkg/apt/ensure-packages.sh" "python mapper install" \
  python3 python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc
