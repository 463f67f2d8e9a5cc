#!/usr/bin/env bash
# Installs the mosquitto MQTT broker and its command-line clients (mosquitto_pub, mosquitto_sub), for eventbus's
# external-mode tests and for nodes that run an external broker. Never starts the system service: start.sh runs a
# private instance instead.
set -euo pipefail
"$(dirname "$0")/../apt/ensure-packages.sh" "mosquitto install" mosquitto mosquitto-clients
