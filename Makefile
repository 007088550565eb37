# Everyday commands. CI runs .ci/run, which does what `make ci` does and
# also brings up MariaDB and Chromium for the tests that need them.

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT ?= $(shell command -v golangci-lint 2>/dev/null || echo $(shell go env GOPATH)/bin/golangci-lint)

# Packages whose tests start no server (no database, no Temporal, no
# browser): cheap enough to run under the race detector every time.
RACE_PKGS := ./breakdown/ ./names/ ./scorecard/ ./records/ ./scoring/ ./templates/ ./notify/... ./metrics/ ./workflows/

.PHONY: dev test race lint tidy ci

dev: ## the whole product on http://localhost:8080, demo data seeded
	go run ./cmd/perfloop dev

test: ## every test; set PERFLOOP_TEST_MYSQL_DSN and PERFLOOP_CHROMIUM for full coverage
	go vet ./...
	go test ./...

race: ## the server-free packages under the race detector
	go test -race -count=1 $(RACE_PKGS)

$(GOLANGCI_LINT):
	go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

lint: $(GOLANGCI_LINT) ## gofmt, golangci-lint (depguard keeps each doc.go import rule) and go.mod tidiness
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting" >&2; exit 1; }
	$(GOLANGCI_LINT) run ./...
	go mod tidy -diff

ci: lint race test ## what CI checks, less the fault-injection and fuzz runs in .ci/run
