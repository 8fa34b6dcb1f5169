# fluxscope — one hand-written Makefile (see README "Building").
# Targets: all run test asan bench eval eval-seeds clean install deps check-layers fuzz fuzz-smoke

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKGS     = libpcap ldns libmaxminddb ncursesw readline libpsl libloc libcurl libfstrm libprotobuf-c zlib
TESTPKGS = cmocka

STD   = -std=c11 -D_GNU_SOURCE
WARN  = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wwrite-strings -Wpointer-arith -Wundef -Wno-format-nonliteral
OPT  ?= -O2 -g
SAN  ?=
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
TEST_LIBS   := $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)
CFLAGS_ALL  = $(STD) $(WARN) $(OPT) $(SAN) -Iinclude -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
LDLIBS_ALL  = $(SAN) $(PKG_LIBS) -lpthread -lm $(LDFLAGS)

CORE_SRC = $(sort $(shell find src -name '*.c' -not -path 'src/ui/*' -not -path 'src/cli/*'))
UI_SRC   = $(sort $(wildcard src/ui/*.c))
CLI_SRC  = $(sort $(wildcard src/cli/*.c))
UNIT_SRC = $(sort $(shell find tests/unit -name 'test_*.c'))
BENCH_SRC = $(sort $(wildcard bench/*.c))
E2E_SRC  = $(sort $(wildcard tests/e2e/*.c))
# GeoIP test fixtures: readable JSON in tests/data/geo/ built with MaxMind's own writer.
GEO_FIXT = $(patsubst tests/data/geo/%.json,$(BUILD)/fixtures/geo/%.mmdb,$(sort $(wildcard tests/data/geo/*.json)))

# dnstap: C code generated at build time by protoc-c from the schema Debian ships in
# golang-github-dnstap-golang-dnstap-dev (scripts/deps.sh build installs both).
DNSTAP_PROTO ?= /usr/share/gocode/src/github.com/dnstap/golang-dnstap/dnstap.pb/dnstap.proto
GEN_DIR  = $(BUILD)/gen
GEN_OBJ  = $(GEN_DIR)/dnstap.pb-c.o
CORE_OBJ = $(CORE_SRC:%.c=$(BUILD)/%.o) $(GEN_OBJ)
UI_OBJ   = $(UI_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:%.c=$(BUILD)/%)
BENCH_BIN = $(BENCH_SRC:%.c=$(BUILD)/%)
E2E_BIN  = $(E2E_SRC:%.c=$(BUILD)/%)
LIB      = $(BUILD)/libfluxscope.a
BIN      = $(BUILD)/fluxscope

Q = @
ifeq ($(V),1)
Q =
endif

.PHONY: all binary run test asan bench eval eval-seeds clean install deps deps-check deps-test check-layers unit e2e fuzz fuzz-clang fuzz-smoke

# Public targets first make sure the Debian packages are there, then re-enter make so that
# pkg-config sees the freshly installed libraries.
all:
	$(Q)scripts/deps.sh build
	$(Q)$(MAKE) --no-print-directory binary

binary: $(BIN)
	$(Q)cp -f $(BIN) ./fluxscope

# Install missing Debian packages (as root directly, otherwise through sudo).
deps:
	$(Q)scripts/deps.sh all


$(GEN_DIR)/dnstap.pb-c.c $(GEN_DIR)/dnstap.pb-c.h: $(DNSTAP_PROTO)
	@mkdir -p $(GEN_DIR)
	@echo "  PROTOC  $<"
	$(Q)protoc-c --c_out=$(GEN_DIR) --proto_path=$(dir $(DNSTAP_PROTO)) $(DNSTAP_PROTO)

$(GEN_OBJ): $(GEN_DIR)/dnstap.pb-c.c
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

# the feed readers include the generated header
$(BUILD)/src/capture/dnstap.o: $(GEN_DIR)/dnstap.pb-c.h

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(LIB): $(CORE_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(UI_OBJ) $(LIB)
	@echo "  LINK    $@"
	$(Q)$(CC) -o $@ $(CLI_OBJ) $(UI_OBJ) $(LIB) $(LDLIBS_ALL)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB) $(UI_OBJ)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -Itests -o $@ $< $(UI_OBJ) $(LIB) $(TEST_LIBS) $(LDLIBS_ALL)

# Helper programs the e2e scripts drive (built with the library under test).
$(BUILD)/tests/e2e/%: tests/e2e/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  E2E     $@"
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB) $(LDLIBS_ALL)

$(BUILD)/bench/%: bench/%.c $(LIB) $(UI_OBJ)
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(CFLAGS_ALL) -O2 -o $@ $< $(UI_OBJ) $(LIB) $(LDLIBS_ALL)

$(BUILD)/fixtures/geo/%.mmdb: tests/data/geo/%.json scripts/mkmmdb.pl
	@mkdir -p $(dir $@)
	@echo "  MMDB    $@"
	$(Q)perl scripts/mkmmdb.pl $< $@

run: all
	./fluxscope --geoip samples/demo-geo.mmdb --geoip samples/demo-asn.mmdb samples/flux-demo.pcap

unit: $(BIN) $(UNIT_BIN) $(GEO_FIXT)
	$(Q)scripts/run-unit.sh $(BUILD) $(UNIT_BIN)

# tests/e2e/writes.sh generates a large capture with bench/gen_capture.c
e2e: $(BIN) $(E2E_BIN) $(GEO_FIXT) $(BUILD)/bench/gen_capture
	$(Q)BUILD=$(BUILD) FLUXSCOPE=$(abspath $(BIN)) scripts/run-e2e.sh

test:
	$(Q)scripts/deps.sh test
	$(Q)scripts/check-layers.sh
	$(Q)$(MAKE) --no-print-directory binary unit e2e
	$(Q)$(MAKE) --no-print-directory fuzz-smoke

asan:
	$(Q)scripts/deps.sh test
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" unit e2e

bench:
	$(Q)scripts/deps.sh bench
	$(Q)$(MAKE) --no-print-directory binary $(BENCH_BIN) $(BUILD)/tests/e2e/gen_subdomains
	$(Q)BUILD=$(BUILD) scripts/bench.sh

eval: all
	$(Q)scripts/eval.sh

# one eval profile over many seeds (the ones the rules were built on and held-out ones)
eval-seeds: all
	$(Q)scripts/eval-seeds.sh

# libFuzzer targets (tests/fuzz/fuzz_*.c), one per parser of outside input: the packet path,
# capture files, theme/keys/canvas text, the filter language, the `:` command splitter, the
# allowlist, intel feeds, detector weights and the configuration file. Built with clang into
# build-fuzz/ over the library compiled with ASan, UBSan and coverage instrumentation; run e.g.
# build-fuzz/fuzz_packet -max_total_time=600 CORPUS_DIR tests/fuzz/corpus/fuzz_packet.
# `make fuzz-smoke` (part of `make test`) runs each for FUZZ_SECS seconds over its seed corpus
# in tests/fuzz/corpus/<target>/ (scripts/fuzz-smoke.sh).
FUZZ_DIR   = build-fuzz
FUZZ_SRC   = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN   = $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_OBJ   = $(CORE_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(UI_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/gen/dnstap.pb-c.o
FUZZ_LIB   = $(FUZZ_DIR)/libfluxscope-fuzz.a
FUZZ_CC    = clang
FUZZ_CFLAGS = $(STD) $(WARN) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=all -Iinclude -Isrc -I$(FUZZ_DIR)/gen $(PKG_CFLAGS) -MMD -MP
FUZZ_SECS ?= 5

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/gen/dnstap.pb-c.c $(FUZZ_DIR)/gen/dnstap.pb-c.h: $(DNSTAP_PROTO)
	@mkdir -p $(FUZZ_DIR)/gen
	$(Q)protoc-c --c_out=$(FUZZ_DIR)/gen --proto_path=$(dir $(DNSTAP_PROTO)) $(DNSTAP_PROTO)

$(FUZZ_DIR)/obj/gen/dnstap.pb-c.o: $(FUZZ_DIR)/gen/dnstap.pb-c.c
	@mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj/src/capture/dnstap.o: $(FUZZ_DIR)/gen/dnstap.pb-c.h

$(FUZZ_LIB): $(FUZZ_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lpthread -lm

fuzz-clang:
	$(Q)command -v $(FUZZ_CC) >/dev/null || { echo "make fuzz needs clang and its libFuzzer runtime (scripts/deps.sh test installs them)"; exit 1; }

fuzz: fuzz-clang
	$(Q)$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz-smoke: fuzz
	$(Q)scripts/fuzz-smoke.sh $(FUZZ_SECS) $(FUZZ_BIN)

check-layers:
	$(Q)scripts/check-layers.sh

install: binary
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/fluxscope/themes
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/fluxscope
	install -m 644 man/fluxscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/fluxscope.1
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/fluxscope/themes/
	[ ! -d share ] || cp -r share/. $(DESTDIR)$(PREFIX)/share/fluxscope/

clean:
	rm -rf build build-asan build-fuzz fluxscope

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
-include $(shell find $(FUZZ_DIR) -name '*.d' 2>/dev/null)
