# Bazaar: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/bazaarshop/bazaar/internal/wire.Version=$(VERSION)

.PHONY: run build storefront test test-web vet bench clean

STOREFRONT := web/storefront

## run: start the shop on http://127.0.0.1:8080 with embedded storage in ./data
run: storefront
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/bazaar

## build: the bazaar binary in ./bin
build: storefront
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/bazaar ./cmd/bazaar

## storefront: build the web storefront (web/storefront) into internal/storefront/dist, which the binary embeds
storefront: $(STOREFRONT)/node_modules/.package-lock.json
	cd $(STOREFRONT) && npm run build

# npm ci only when package.json or the lock file changed since the last install.
$(STOREFRONT)/node_modules/.package-lock.json: $(STOREFRONT)/package.json $(STOREFRONT)/package-lock.json
	cd $(STOREFRONT) && npm ci --no-audit --no-fund

## test: every test (external servers are used when BAZAAR_TEST_*_URL are set)
test: vet test-web
	$(GO) test -race -count=1 -timeout 30m ./...

## test-web: the storefront's type check and unit tests (vitest); builds it for the browser tests
test-web: storefront
	cd $(STOREFRONT) && npm run typecheck && npm test

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks, figures to bench.txt (see docs/benchmarks.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./... | tee bench.txt

clean:
	rm -rf bin data bench.txt
