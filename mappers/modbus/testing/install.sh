#!/usr/bin/env bash
# Installs the real Modbus server the Modbus mapper's tests talk to: Debian's python3-pymodbus (3.0.x), run with the
# system interpreter /usr/bin/python3 (a pyenv or venv python3 on PATH would not see Debian's package).
# python3-serial-asyncio (and python3-serial): pymodbus.server imports them even for TCP, and Debian lists them only as
# recommendations.
set -euo pipefail
"$(dirname "$0")/../../../pkg/apt/ensure-packages.sh" "modbus test install" \
  python3 python3-pymodbus python3-serial python3-serial-asyncio
/usr/bin/python3 -c 'import pymodbus, pymodbus.server; print("modbus test install: pymodbus", pymodbus.__version__)'
