# Bazaar: the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/bazaarshop/bazaar/internal/wire.Version=$(VERSION)

.PHONY: run build test vet bench clean

## run: start the shop on http://127.0.0.1:8080 with embedded storage in ./data
run:
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/bazaar

## build: the bazaar binary in ./bin
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/bazaar ./cmd/bazaar

## test: every test (external servers are used when BAZAAR_TEST_*_URL are set)
test: vet
	$(GO) test -race -count=1 -timeout 30m ./...

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks, figures to bench.txt (see docs/benchmarks.md)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./... | tee bench.txt

clean:
	rm -rf bin data bench.txt
