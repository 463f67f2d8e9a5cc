# The project's entry points. `make test` is what CI runs (.ci/run); `make gen` must leave gen/ unchanged.
SHELL := /bin/bash
BIN := node_modules/.bin

.PHONY: all install gen gen-check build test unit lint bench-runtime bench-kubeapi bench-tunnel bench-pods quickstart clean \
	containerd-up containerd-down test-images python-mapper-deps gen-python bench-devices device-test-deps test-deps config-docs

all: build

# npm install, not npm ci: npm 11 leaves other platforms' optional packages (buf, swc binaries) out of the lock
# file here, and npm ci then refuses the lock as out of sync. npm install still follows the lock file.
node_modules/.installed: package.json package-lock.json
	npm install --no-fund --no-audit
	touch $@

install: node_modules/.installed

# buf.gen.yaml sets clean: true, so a deleted .proto leaves nothing stale behind.
gen: install
	$(BIN)/buf lint
	$(BIN)/buf generate

# Fails when the committed gen/ is not what `make gen` writes.
gen-check: gen
	@git diff --exit-code --stat -- gen || { echo "gen/ is stale: run 'make gen' and commit the result"; exit 1; }
	@test -z "$$(git status --porcelain -- gen)" || { git status --porcelain -- gen; echo "gen/ has files 'make gen' made that are not committed"; exit 1; }

build: install
	$(BIN)/tsc -p tsconfig.build.json

lint: install
	$(BIN)/buf lint
	$(BIN)/buf format -d --exit-code
	$(BIN)/eslint .
	$(BIN)/tsc -p tsconfig.json --noEmit

# Jest also writes its results as JSON so that .ci/run can print a one-line summary.
unit: build
	mkdir -p .tmp
	$(BIN)/jest --json --outputFile=.tmp/jest-results.json

# The tests run real containerd, mosquitto, pymodbus and Python: their Debian packages first (root; a no-op once there).
test-deps:
	pkg/containerd/install.sh
	$(MAKE) device-test-deps

test: test-deps lint unit

# A private containerd (config, root, state, socket, log under CONTAINERD_DIR) for running edged against real
# containers by hand; tests start their own in temp dirs. Needs root and pkg/containerd/install.sh.
CONTAINERD_DIR ?= .tmp/containerd

containerd-up:
	pkg/containerd/start.sh $(CONTAINERD_DIR)

# --clean: removes every pod sandbox first, so no containerd-shim outlives containerd.
containerd-down:
	pkg/containerd/stop.sh --clean $(CONTAINERD_DIR)

# pause and busybox images built locally (no registry) and imported; archives cached in .tmp/images.
test-images: containerd-up
	pkg/containerd/build-images.sh $(CONTAINERD_DIR)

# The Python mapper (mappers/python): Debian's python3-grpcio, python3-protobuf, protoc and grpc_python_plugin (root),
# and its DMI stubs rebuilt from proto/ into mappers/python/gen/ (not committed; its test runs gen-stubs.sh itself).
python-mapper-deps:
	mappers/python/install.sh

# Everything the device tests run for real (root): mosquitto, Debian's pymodbus server, the Python mapper's packages.
device-test-deps:
	pkg/mosquitto/install.sh
	mappers/modbus/testing/install.sh
	mappers/python/install.sh

gen-python: install
	mappers/python/gen-stubs.sh

bench-runtime: build
	node dist/bench/runtime.js

bench-kubeapi: build
	node dist/bench/kubeapi.js

bench-tunnel: build
	node dist/bench/tunnel/main.js

# Needs root and containerd (pkg/containerd/install.sh); BENCH_QUICK=1 for a short run.
bench-pods: build
	node dist/bench/pods/main.js

# Twin report latency (mapper -> DMI -> edgecore -> tunnel -> DeviceStatus) and 1,000 devices reporting every second.
bench-devices: build
	node dist/bench/devices/main.js

# cloudcore/CONFIG.md and edgecore/CONFIG.md from the config specs (a test fails when they are stale).
config-docs: build
	node dist/pkg/docs/write-config-pages.js

clean:
	rm -rf dist coverage

# The README's first command: brings the system up and shows it working (grows with each issue).
quickstart: build
	node dist/pkg/quickstart/main.js
