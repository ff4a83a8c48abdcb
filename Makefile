# quire: one non-recursive Makefile.  Outputs go under $(B) (build/ by
# default; build/asan, build/ubsan and build/coverage for the instrumented
# variants).  `make test` and `make demo` install missing Debian packages
# first (see .ci/deps).

B ?= build
CC ?= gcc
CXX ?= g++
PKGS = xapian-core libzstd libarchive libcjson libcrypto libcbor libmicrohttpd

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
       -Wwrite-strings -Wvla
WERROR ?= $(if $(CI),-Werror,)
OPT ?= -O2 -g
SAN ?=
SANFLAGS = $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer,)
COVFLAGS ?=
# Coverage instrumentation for libFuzzer (make fuzz sets it).
FUZZFLAGS ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libarchive and libcrypto are not linked: indexer/libarchive.c and
# lib/hash.c load them when first needed, so that a search starts faster.
PKG_LIBS = $(shell pkg-config --libs $(filter-out libarchive libcrypto,$(PKGS)) 2>/dev/null) -lcsv

CPPFLAGS += -Ilib -Ixapian-c -Iindexer -Iquery -Iserver -D_GNU_SOURCE -MMD -MP
CFLAGS += -std=c11 $(OPT) $(WARN) $(WERROR) $(SANFLAGS) $(FUZZFLAGS) $(COVFLAGS) -pthread $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 $(OPT) -Wall -Wextra -Wshadow $(WERROR) $(SANFLAGS) $(FUZZFLAGS) $(COVFLAGS) -fPIC \
	-fvisibility=hidden -fvisibility-inlines-hidden $(PKG_CFLAGS)
LDFLAGS += $(SANFLAGS) $(COVFLAGS) -pthread
LDLIBS += $(PKG_LIBS) -lstdc++ -lm

XC_SRC = $(wildcard xapian-c/*.cc)
LIB_SRC = $(wildcard lib/*.c)
IDX_SRC = $(wildcard indexer/*.c)
QRY_SRC = $(wildcard query/*.c)
SRV_SRC = $(wildcard server/*.c)

XC_OBJ = $(XC_SRC:%.cc=$(B)/%.o)
LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o)
IDX_OBJ = $(IDX_SRC:%.c=$(B)/%.o)
QRY_OBJ = $(QRY_SRC:%.c=$(B)/%.o)
SRV_OBJ = $(SRV_SRC:%.c=$(B)/%.o)

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

QUIRE = $(B)/quire

# Test tools: the post generator of the reliability tests, and one replay
# binary per fuzz target (runs the target's function on files, without
# libFuzzer, so that make test replays every regression input).
FUZZ_TARGETS = twitter_v1 readers container store query bluesky
REPLAY_BIN = $(FUZZ_TARGETS:%=$(B)/tests/fuzz/replay_%)
TEST_TOOLS = $(B)/tests/reliability/genposts $(REPLAY_BIN)

.PHONY: all deps test unit cli demo asan ubsan coverage clean check-deps bench bench-large bench-store bench-tools \
	reliability fuzz man install uninstall bench-export bench-serve bench-shards
.DEFAULT_GOAL := all

all: $(QUIRE) $(B)/libxapian-c.so

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(B)/libxapian-c.a: $(XC_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The shared library exports exactly what xapian-c.h declares: hidden
# visibility by default, and a version script as a second fence.
$(B)/libxapian-c.so: $(XC_OBJ) xapian-c/exports.map
	$(CXX) -shared $(LDFLAGS) -Wl,--version-script=xapian-c/exports.map -o $@ $(XC_OBJ) \
		$(shell pkg-config --libs xapian-core)

$(B)/libquire.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/libquire-front.a: $(IDX_OBJ) $(QRY_OBJ) $(SRV_OBJ)
	@rm -f $@
	ar rcs $@ $^

# The shipped mappings and the page's files are built into the binary (.incbin).
$(B)/indexer/mapping_builtin.o: $(wildcard schemas/mappings/*.json)
$(B)/server/assets.o: $(wildcard web/*)

$(QUIRE): $(B)/quire.o $(B)/manual.o $(B)/libquire-front.a $(B)/libquire.a $(B)/libxapian-c.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- install: the binary, its manual pages and bash completion (made by
# the binary from the tables of its help), the schemas, the event
# catalogue.  quire links its own libraries statically and needs no data
# file at run time (the shipped mappings are built in).

PREFIX ?= /usr/local
DESTDIR ?=
bindir = $(PREFIX)/bin
datadir = $(PREFIX)/share
mandir = $(datadir)/man
docdir = $(datadir)/doc/quire
bashcompdir = $(datadir)/bash-completion/completions
INSTALL ?= install

# Made at every install: the pages name $(datadir), which PREFIX changes.
man: $(QUIRE)
	@rm -rf $(B)/man && mkdir -p $(B)/man
	$(QUIRE) help --man-pages $(B)/man $(datadir)/quire

$(B)/quire.bash: $(QUIRE)
	$(QUIRE) help --completion bash >$@.tmp && mv $@.tmp $@

install: $(QUIRE) man $(B)/quire.bash
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(bashcompdir) \
		$(DESTDIR)$(datadir)/quire/schemas/mappings $(DESTDIR)$(datadir)/quire/events $(DESTDIR)$(docdir)
	$(INSTALL) -m 755 $(QUIRE) $(DESTDIR)$(bindir)/quire
	$(INSTALL) -m 644 $(B)/man/*.1 $(DESTDIR)$(mandir)/man1/
	$(INSTALL) -m 644 $(B)/quire.bash $(DESTDIR)$(bashcompdir)/quire
	$(INSTALL) -m 644 schemas/*.json schemas/index.md $(DESTDIR)$(datadir)/quire/schemas/
	$(INSTALL) -m 644 schemas/mappings/*.json $(DESTDIR)$(datadir)/quire/schemas/mappings/
	$(INSTALL) -m 644 corpus/events/*.json $(DESTDIR)$(datadir)/quire/events/
	$(INSTALL) -m 644 README.md LICENSE CITATION.cff $(DESTDIR)$(docdir)/

uninstall:
	rm -f $(DESTDIR)$(bindir)/quire $(DESTDIR)$(mandir)/man1/quire.1 $(DESTDIR)$(mandir)/man1/quire-*.1 \
		$(DESTDIR)$(bashcompdir)/quire
	rm -rf $(DESTDIR)$(datadir)/quire $(DESTDIR)$(docdir)

# ---- tests ----

$(B)/tests/%: tests/unit/%.c $(B)/libquire-front.a $(B)/libquire.a $(B)/libxapian-c.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $(filter %.c %.a,$^) $(LDFLAGS) \
		$(shell pkg-config --libs cmocka) $(LDLIBS)

$(B)/tests/reliability/genposts: tests/reliability/genposts.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) $(WERROR) $(SANFLAGS) -o $@ $< $(LDFLAGS)

$(B)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(B)/libquire-front.a $(B)/libquire.a \
		$(B)/libxapian-c.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) -o $@ tests/fuzz/fuzz_$*.c tests/fuzz/replay.c $(B)/libquire-front.a \
		$(B)/libquire.a $(B)/libxapian-c.a $(LDFLAGS) $(LDLIBS)

# libFuzzer binaries (make fuzz): clang, ASan + UBSan, linked by clang++
# for the C++ parts of UBSan's runtime.
$(B)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libquire-front.a $(B)/libquire.a $(B)/libxapian-c.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) -c -o $@.o tests/fuzz/fuzz_$*.c
	$(CXX) -fsanitize=fuzzer $(SANFLAGS) -o $@ $@.o $(B)/libquire-front.a $(B)/libquire.a $(B)/libxapian-c.a \
		$(LDFLAGS) $(LDLIBS)

deps:
	@sh .ci/deps test

unit: $(UNIT_BIN) $(B)/libxapian-c.so
	@QUIRE_BUILD=$(B) sh tests/run-unit.sh $(B)

cli: $(QUIRE)
	@sh tests/run-cli.sh $(B)

# The whole suite, with one summary line at the end.
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TEST_TOOLS)
	@sh tests/run-all.sh $(B)

demo:
	@sh .ci/deps demo
	@$(MAKE) --no-print-directory all
	@sh corpus/demo/run-demo.sh $(B)

asan:
	@sh .ci/deps test
	@$(MAKE) --no-print-directory B=build/asan SAN=address,undefined OPT="-O1 -g" all
	@$(MAKE) --no-print-directory B=build/asan SAN=address,undefined OPT="-O1 -g" $(patsubst $(B)/%,build/asan/%,$(UNIT_BIN) $(TEST_TOOLS))
	@rm -rf build/asan/findings && mkdir -p build/asan/findings
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86:log_path=$(CURDIR)/build/asan/findings/asan \
		UBSAN_OPTIONS=print_stacktrace=1:exitcode=86:log_path=$(CURDIR)/build/asan/findings/ubsan \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		sh tests/run-all.sh build/asan; rc=$$?; sh tests/sanitizer-findings.sh build/asan/findings && exit $$rc

ubsan:
	@sh .ci/deps test
	@$(MAKE) --no-print-directory B=build/ubsan SAN=undefined OPT="-O1 -g" all
	@$(MAKE) --no-print-directory B=build/ubsan SAN=undefined OPT="-O1 -g" $(patsubst $(B)/%,build/ubsan/%,$(UNIT_BIN) $(TEST_TOOLS))
	@rm -rf build/ubsan/findings && mkdir -p build/ubsan/findings
	@UBSAN_OPTIONS=print_stacktrace=1:exitcode=86:log_path=$(CURDIR)/build/ubsan/findings/ubsan \
		sh tests/run-all.sh build/ubsan; rc=$$?; sh tests/sanitizer-findings.sh build/ubsan/findings && exit $$rc

coverage:
	@sh .ci/deps test
	@$(MAKE) --no-print-directory B=build/coverage COVFLAGS=--coverage OPT="-O0 -g" all
	@$(MAKE) --no-print-directory B=build/coverage COVFLAGS=--coverage OPT="-O0 -g" $(patsubst $(B)/%,build/coverage/%,$(UNIT_BIN) $(TEST_TOOLS))
	@sh tests/run-all.sh build/coverage
	@gcov -o build/coverage/lib lib/*.c >/dev/null 2>&1; echo "coverage data in build/coverage"

# ---- benchmark: bench/ (never part of `make test`; see bench/RESULTS.md) ----

BENCH_N ?= 200000
BENCH_TOOLS = $(addprefix $(B)/bench/,gen xapian_ref fts5 qtime qcount randget storetune jsonparse)
BENCH_DEPLIBS = $(B)/libquire.a $(B)/libxapian-c.a

$(B)/bench/gen $(B)/bench/qtime $(B)/bench/randget $(B)/bench/storetune: $(B)/bench/%: $(B)/bench/%.o $(BENCH_DEPLIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The timing tools share bench/timing (clock, order of samples).
$(B)/bench/qtime $(B)/bench/randget $(B)/bench/storetune $(B)/bench/qcount $(B)/bench/fts5 $(B)/bench/jsonparse: \
	$(B)/bench/timing.o

$(B)/bench/qcount: $(B)/bench/qcount.o $(B)/libquire-front.a $(BENCH_DEPLIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/bench/fts5: $(B)/bench/fts5.o $(BENCH_DEPLIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs sqlite3 2>/dev/null)

$(B)/bench/xapian_ref: $(B)/bench/xapian_ref.o
	$(CXX) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xapian-core)

$(B)/bench/jsonparse: $(B)/bench/jsonparse.o $(B)/bench/parse_jsonc.o $(B)/bench/simdjson_shim.o $(BENCH_DEPLIBS)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs jansson json-c simdjson 2>/dev/null)

$(B)/bench/jsonparse.o $(B)/bench/parse_jsonc.o $(B)/bench/simdjson_shim.o: CPPFLAGS += -Ibench
$(B)/bench/qcount.o: CPPFLAGS += -Iquery
$(B)/bench/simdjson_shim.o: CXXFLAGS += $(shell pkg-config --cflags simdjson 2>/dev/null)

bench-tools: all $(BENCH_TOOLS)

# One run on one corpus of BENCH_N posts: quire beside the bare Xapian
# reference, SQLite FTS5, zstd/gzip, rg and ugrep.  Prints a table.
bench:
	@sh .ci/deps bench
	@$(MAKE) --no-print-directory bench-tools
	@sh bench/run.sh $(B) $(BENCH_N)

# The same at 50,000, 200,000 and 1,000,000 posts, then how it grows.
bench-large:
	@sh .ci/deps bench
	@$(MAKE) --no-print-directory bench-tools
	@sh bench/run.sh $(B) 50000 200000 1000000

# Store block size, level and dictionary on a slice of the corpus.
bench-store:
	@sh .ci/deps bench
	@$(MAKE) --no-print-directory bench-tools
	@sh bench/run.sh --store $(B) $(BENCH_N)

# quire export of every post of BENCH_N generated posts: time, memory,
# originals MB/s, --verify, ingest of the bag (bench/export.sh).
bench-export: all $(B)/bench/gen
	@sh bench/export.sh $(B) $(BENCH_N)

# quire serve under load: bench/loadgen against the corpus of BENCH_N posts
# with 1, 8 and 32 clients (bench/serve.sh); prints a table.
$(B)/bench/loadgen: bench/loadgen.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) $(WERROR) -D_GNU_SOURCE -pthread -o $@ $<

# Shards and federations: ingest of a share K/N, 4 shards on loopback
# against one local corpus, records through a shard (bench/federation.sh).
bench-shards:
	@sh .ci/deps bench
	@$(MAKE) --no-print-directory all $(B)/bench/gen $(B)/bench/qtime $(B)/bench/randget
	@sh bench/federation.sh $(B) $(BENCH_N)

bench-serve:
	@sh .ci/deps demo
	@$(MAKE) --no-print-directory all $(B)/bench/gen $(B)/bench/loadgen
	@sh bench/serve.sh $(B) $(BENCH_N)

# The long reliability runs (tests/reliability/): 100 kills on 50,000
# posts, every byte of a torn tail, 1,000 flipped bytes...  Each script
# prints its figure; RELIABILITY_SEED picks other kill points and flips.
reliability: deps
	@$(MAKE) --no-print-directory all $(TEST_TOOLS)
	@sh tests/reliability/run.sh $(B)

# libFuzzer on each target for FUZZ_SECONDS (default 60) each; crashes are
# copied to tests/fuzz/regressions/<target>/, which make test replays.
FUZZ_SECONDS ?= 60
fuzz:
	@sh .ci/deps fuzz
	@$(MAKE) --no-print-directory B=build/fuzz CC=clang CXX=clang++ SAN=address,undefined \
		FUZZFLAGS=-fsanitize=fuzzer-no-link OPT="-O1 -g" $(FUZZ_TARGETS:%=build/fuzz/tests/fuzz/fuzz_%)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh build/fuzz

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
