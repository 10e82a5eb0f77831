# idco: `make run` serves every function on 127.0.0.1:8080 with an embedded
# DynamoDB; `make test` runs every test. Both need only Go. The module proxy
# is whatever your Go settings say (`go env GOPROXY`): the Makefile sets none.
export GOFLAGS ?= -mod=readonly

.PHONY: run test bench bench-tables load fmt vet lint client-test browser-test demo

# run: `make run ADDR=0.0.0.0:9000` listens there (the dev server's -addr;
# without ADDR, its default 127.0.0.1:8080).
run:
	go run ./infra/devserver $(if $(ADDR),-addr $(ADDR))

test: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go test -race -count=1 ./...
	go test -run '^$$' -fuzz FuzzServe -fuzztime 10s ./shared/cloudobj
	$(MAKE) client-test

# client-test: the uni-app adapter's unit tests (Node only, no packages).
client-test:
	node --test shared/idco-client/test/

# browser-test: DCloud's uni-id-pages built as an H5 app and driven in
# headless Chromium (Debian's /usr/bin/chromium; .ci/run installs it) against
# the dev server (e2e.test.mjs), and the open platform's hosted login and
# consent pages with JavaScript off (oidc.test.mjs). demo: the same app
# against `make run`, to try by hand.
BROWSER_DEPS := infra/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): infra/browser/package-lock.json
	cd infra/browser && npm ci --no-audit --no-fund
browser-test: $(BROWSER_DEPS)
	cd infra/browser && node --test e2e.test.mjs oidc.test.mjs
demo: $(BROWSER_DEPS)
	node infra/browser/demo.mjs

vet:
	go vet ./...

# lint: staticcheck, pinned, installed into ./bin on first use.
STATICCHECK := bin/staticcheck-v0.8.2
lint: $(STATICCHECK)
	$(STATICCHECK) ./...
$(STATICCHECK):
	GOBIN=$(CURDIR)/bin/.staticcheck go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
	mv bin/.staticcheck/staticcheck $@

bench:
	go test -run '^$$' -bench . -benchmem ./...

# load: registration and login throughput at concurrency 1 and 8, and a
# burst of 200 logins, against the dev server as a separate process (the
# README's "Throughput and memory" figures).
load:
	go run ./infra/load

# bench-tables: every method's benchmark (a few minutes); prints the
# README's two method tables and rewrites them there. make test checks
# their calls. (Run in the package's folder, go test shows what it prints.)
bench-tables:
	cd shared/account && go test -count=1 -run '^TestReadmeBenchTables$$' -update-readme

fmt:
	gofmt -w .

# build, smoke, coldstart and sam build targets
include infra/build.mk
