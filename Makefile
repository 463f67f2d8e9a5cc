# The project's entry points. `make test` is what CI runs (.ci/run); `make gen` must leave gen/ unchanged.
SHELL := /bin/bash
BIN := node_modules/.bin

.PHONY: all install gen gen-check build test unit lint bench-runtime bench-kubeapi bench-tunnel quickstart clean

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

test: lint unit

bench-runtime: build
	node dist/bench/runtime.js

bench-kubeapi: build
	node dist/bench/kubeapi.js

bench-tunnel: build
	node dist/bench/tunnel/main.js

clean:
	rm -rf dist coverage

# The README's first command: brings the system up and shows it working (grows with each issue).
quickstart: build
	node dist/pkg/quickstart/main.js
