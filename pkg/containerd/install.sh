#!/usr/bin/env bash
# Installs what edged's real-container tests and a real edge node need: containerd (with its CRI plugin), runc, the
# CNI plugins (Debian puts them in /usr/lib/cni), a static busybox for the test image and gcc to build the pause
# program. No systemd here: installing containerd does not start it, and tests never use the system instance.
set -euo pipefail
"$(dirname "$0")/../apt/ensure-packages.sh" "containerd install" containerd runc containernetworking-plugins busybox-static gcc libc6-dev
