# Corridor. The two commands a newcomer needs: `make run` and `make test`.
SHELL   := /bin/bash
GO      ?= go
BIN     := bin/corridor
TOOLS   := $(CURDIR)/.tools
# Debian's prometheus package, unpacked (no service started) for promtool.
PROMTOOL_LOCAL := $(TOOLS)/prometheus/usr/bin/promtool
PROMTOOL ?= $(shell command -v promtool 2>/dev/null || echo $(PROMTOOL_LOCAL))
KCAT    ?= $(shell command -v kcat 2>/dev/null || echo /usr/bin/kcat)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := $(TOOLS)/.apt-updated
FUZZTIME ?= 30s

.PHONY: bench-load soak all build run test test-unit test-integration tools fuzz bench bench-pipeline fmt vet tidy golden clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/corridor

## run: build and start the gateway with the embedded Kafka-protocol broker
## on 127.0.0.1:9092, HTTP on :8080, dev secrets from deploy/dev/corridor.yaml.
run: build
	$(BIN) serve --config deploy/dev/corridor.yaml

## test: every test, race detector on, including the Kafka integration tests
## and the end-to-end test of the built binary read back with kcat.
test: tools build
	CORRIDOR_REQUIRE_TOOLS=1 CORRIDOR_KCAT=$(KCAT) CORRIDOR_PROMTOOL=$(PROMTOOL) CORRIDOR_BIN=$(CURDIR)/$(BIN) \
		$(GO) test -race -count=1 -timeout 12m ./...

test-unit:
	$(GO) test -race -count=1 -short ./...

test-integration: tools build
	CORRIDOR_REQUIRE_TOOLS=1 CORRIDOR_KCAT=$(KCAT) CORRIDOR_PROMTOOL=$(PROMTOOL) CORRIDOR_BIN=$(CURDIR)/$(BIN) \
		$(GO) test -race -count=1 -run 'Integration|EndToEnd' ./...

## tools: what the tests need beyond Go modules, installed when missing.
tools: $(KCAT) $(PROMTOOL)

$(APT_UPDATED):
	@mkdir -p $(TOOLS)
	$(SUDO) apt-get update -qq
	@touch $@

/usr/bin/kcat: | $(APT_UPDATED)
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat

$(PROMTOOL_LOCAL): | $(APT_UPDATED)
	@mkdir -p $(TOOLS)/deb
	cd $(TOOLS)/deb && rm -f prometheus_*.deb && apt-get download prometheus
	dpkg -x $(TOOLS)/deb/prometheus_*.deb $(TOOLS)/prometheus
	@test -x $@

## fuzz: fuzz every decoder, the JSON helpers, and the record, raw-message
## and Kafka record batch encoders against encoding/json, the reference
## encoders and kafka-go, for FUZZTIME each. Keep FUZZTIME well above the
## 5 s minimize time: with 8 s, go test once ended with "context deadline
## exceeded" while minimizing, and no crasher.
fuzz:
	@for pkg in $$($(GO) list ./connectors/...); do \
		if $(GO) test -list '^FuzzDecode$$' $$pkg | grep -q FuzzDecode; then \
			echo "fuzz $$pkg"; $(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg || exit 1; \
		fi; \
	done
	@for target in 'connectors FuzzDecodeJSONAgreesWithStdlib' 'connectors FuzzCheckShape' 'connectors/internal/wire FuzzUnquote' \
		'gateway/feedback FuzzRecordAppendJSONMatchesEncodingJSON' 'gateway/sink FuzzRawMessageMatchesReference' \
		'gateway/sink FuzzAppendRecordSetMatchesKafkaGo'; do \
		set -- $$target; echo "fuzz ./$$1 $$2"; \
		$(GO) test -run '^$$' -fuzz "^$$2$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./$$1 || exit 1; \
	done

## bench: every Go benchmark, for benchstat.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./... | tee benchmarks/latest.txt

bench-pipeline:
	$(GO) test -run '^$$' -bench 'Pipeline|Analyze' -benchmem -count 6 ./benchmarks/ ./nlp/

## soak: bounded (< 3 min) loss test: broker outage + kill -9 of the gateway,
## then every acknowledged record must be in Kafka (prints lost=0).
soak: build
	$(GO) run ./benchmarks/soak --bin $(BIN)

## bench-load: wrk -t1 at -c64/-c256 against a bare Fiber handler and
## corridor serve (full NLP, 2xx after acks=all), alternating; prints ratios.
bench-load: build /usr/bin/wrk
	$(GO) build -o bin/barefiber ./benchmarks/barefiber
	$(GO) run ./benchmarks/loadbench --bin $(BIN) --bare bin/barefiber

/usr/bin/wrk: | $(APT_UPDATED)
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

golden:
	UPDATE_GOLDEN=1 $(GO) test ./connectors/...

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

tidy:
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

clean:
	rm -rf bin var

## quality: the NLP quality table (SemEval-2014/2015 aspect categories, UCI
## sentiment) on the shared labeled data; DATA overrides its folder.
## Figures and method: benchmarks/README.md, "NLP quality".
DATA ?= ../shared/data
.PHONY: quality
quality:
	$(GO) run ./benchmarks/quality --data $(DATA)
