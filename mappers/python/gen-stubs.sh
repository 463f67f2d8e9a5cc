#!/usr/bin/env bash
# Generates the Python DMI stubs (mappers/python/gen/kubeedge/dmi/v1beta1/api_pb2{,_grpc}.py) from
# proto/kubeedge/dmi/v1beta1/api.proto with the project's buf and buf.gen.python.yaml: the same proto, linted by the
# same pipeline as gen/ for TypeScript. gen/ here is not committed; this script rebuilds it (about a second, offline).
# Needs node_modules (make install) and Debian's protoc + grpc_python_plugin (mappers/python/install.sh).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
buf="$root/node_modules/.bin/buf"

missing=()
for tool in /usr/bin/protoc /usr/bin/grpc_python_plugin; do
  [ -x "$tool" ] || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "gen-stubs: missing ${missing[*]}; run mappers/python/install.sh (as root)" >&2
  exit 1
fi
if [ ! -x "$buf" ]; then
  echo "gen-stubs: $buf not found; run make install" >&2
  exit 1
fi

# One generation at a time (a test and a developer may run this together): lock this script's own file.
exec 9<"$0"
flock 9

# Generate into a scratch folder, then swap it in, so a mapper starting meanwhile never sees a half-written gen/.
scratch="$(mktemp -d "$here/.gen-tmp.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && "$buf" generate --template buf.gen.python.yaml -o "$scratch")
test -f "$scratch/mappers/python/gen/kubeedge/dmi/v1beta1/api_pb2_grpc.py" || {
  echo "gen-stubs: buf wrote no api_pb2_grpc.py under $scratch" >&2
  exit 1
}
rm -rf "$here/gen.old"
[ -d "$here/gen" ] && mv "$here/gen" "$here/gen.old"
mv "$scratch/mappers/python/gen" "$here/gen"
rm -rf "$here/gen.old"
echo "gen-stubs: wrote $here/gen"
