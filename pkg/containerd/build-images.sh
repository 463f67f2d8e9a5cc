#!/usr/bin/env bash
# build-images.sh <dir | unix://socket>: builds the local test images without a registry (none is reachable here)
# and imports them into the containerd of <dir> (socket <dir>/containerd.sock), namespace k8s.io, where the CRI sees
# them:
#   docker.io/kubeedge/pause:3.6      a static C pause program (the sandbox_image start.sh configures)
#   docker.io/library/busybox:1.35    busybox-static with every applet linked, /etc/passwd, /etc/group, /tmp
#   docker.io/library/busybox:latest  the same image
# The OCI archives are written by hand (one uncompressed layer, config, manifest, index) and cached in IMAGE_CACHE
# (default <repo>/.tmp/images) under a key of their inputs, so a second run only re-imports (~0.1 s per image).
set -euo pipefail

die() { echo "build-images: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 <containerd dir | unix://socket>"
case "$1" in
  unix://*) sock=${1#unix://} ;;
  *) sock="$1/containerd.sock" ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cache=${IMAGE_CACHE:-$here/../../.tmp/images}
busybox=${BUSYBOX:-/bin/busybox}

command -v ctr >/dev/null 2>&1 || die "containerd is not installed (ctr missing): run pkg/containerd/install.sh as root"
command -v gcc >/dev/null 2>&1 || die "gcc is not installed: run pkg/containerd/install.sh as root"
[ -x "$busybox" ] || die "$busybox missing: run pkg/containerd/install.sh as root (package busybox-static)"
file_type=$(head -c 4 "$busybox" | od -An -c | tr -d ' ')
[ "$file_type" = '177ELF' ] || die "$busybox is not an ELF binary"
[ -S "$sock" ] || die "no containerd socket at $sock: start one with pkg/containerd/start.sh <dir>"

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  armv7l) arch=arm ;;
  *) arch=$(uname -m) ;;
esac

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

sha() { sha256sum "$1" | cut -d' ' -f1; }

# oci_archive <rootfs> <out.tar> <name> <config "config" object JSON>: a one-layer OCI image archive named <name>
# (annotation io.containerd.image.name, which ctr import uses). The layer tar is reproducible (sorted, mtime 0,
# root-owned), so equal inputs give equal digests.
oci_archive() {
  local rootfs=$1 out=$2 name=$3 config=$4 work
  work=$(mktemp -d "$cache/.build.XXXXXX")
  mkdir -p "$work/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local layer layer_size cfg cfg_size manifest manifest_size
  layer=$(sha "$work/layer.tar"); layer_size=$(stat -c %s "$work/layer.tar")
  mv "$work/layer.tar" "$work/blobs/sha256/$layer"

  printf '{"architecture":"%s","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"pkg/containerd/build-images.sh"}]}' \
    "$arch" "$config" "$layer" > "$work/config.json"
  cfg=$(sha "$work/config.json"); cfg_size=$(stat -c %s "$work/config.json")
  mv "$work/config.json" "$work/blobs/sha256/$cfg"

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$cfg" "$cfg_size" "$layer" "$layer_size" > "$work/manifest.json"
  manifest=$(sha "$work/manifest.json"); manifest_size=$(stat -c %s "$work/manifest.json")
  mv "$work/manifest.json" "$work/blobs/sha256/$manifest"

  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest" "$manifest_size" "$arch" "$name" "${name##*:}" > "$work/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$work/oci-layout"

  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out.partial" oci-layout index.json blobs
  mv "$out.partial" "$out" # atomic: an interrupted build never leaves a half archive in the cache
  rm -rf "$work"
}

build_pause() {
  local out=$1 rootfs
  rootfs=$(mktemp -d "$cache/.rootfs.XXXXXX")
  gcc -Os -static -o "$rootfs/pause" "$here/pause.c" || die "gcc could not build a static pause (is libc6-dev installed?)"
  strip "$rootfs/pause" 2>/dev/null || true
  oci_archive "$rootfs" "$out" docker.io/kubeedge/pause:3.6 '{"Entrypoint":["/pause"],"User":"65535:65535"}'
  rm -rf "$rootfs"
}

build_busybox() {
  local out=$1 rootfs path
  rootfs=$(mktemp -d "$cache/.rootfs.XXXXXX")
  mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home,var}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  # What `busybox --install -s` does in a chroot, without needing chroot: one symlink per applet at its usual path.
  "$busybox" --list-full | while read -r path; do
    [ "$path" = bin/busybox ] || ln -sf /bin/busybox "$rootfs/$path"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  oci_archive "$rootfs" "$out" docker.io/library/busybox:1.35 '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}'
  rm -rf "$rootfs"
}

# The cache key covers every input: this script, the pause source, the busybox binary and the architecture.
script_key=$(sha "$0" | cut -c1-12)
pause_tar="$cache/pause-$arch-$script_key-$(sha "$here/pause.c" | cut -c1-12).tar"
busybox_tar="$cache/busybox-$arch-$script_key-$(sha "$busybox" | cut -c1-12).tar"
[ -f "$pause_tar" ] || { echo "build-images: building $pause_tar" >&2; build_pause "$pause_tar"; }
[ -f "$busybox_tar" ] || { echo "build-images: building $busybox_tar" >&2; build_busybox "$busybox_tar"; }
# Archives of older inputs are never used again.
for old in "$cache"/pause-*.tar "$cache"/busybox-*.tar; do
  [ "$old" = "$pause_tar" ] || [ "$old" = "$busybox_tar" ] || rm -f "$old"
done

# import_as <archive> [<more names>]: import (named by the archive), unpack for the CRI's snapshotter, add tags.
import_as() {
  local archive=$1 name; shift
  ctr -a "$sock" -n k8s.io images import --snapshotter overlayfs "$archive" >/dev/null \
    || die "ctr import of $archive failed (containerd log may say why)"
  name=$(tar -xOf "$archive" index.json | grep -o '"io.containerd.image.name":"[^"]*"' | cut -d'"' -f4)
  [ $# -eq 0 ] || ctr -a "$sock" -n k8s.io images tag --force "$name" "$@" >/dev/null || die "ctr tag $name $* failed"
  echo "build-images: imported $name${*:+ $*} ($(basename "$archive"))" >&2
}

import_as "$pause_tar"
import_as "$busybox_tar" docker.io/library/busybox:latest
