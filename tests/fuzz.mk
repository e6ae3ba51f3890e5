# tests/fuzz.mk: libFuzzer targets (clang), included by the top Makefile.
# SPDX-License-Identifier: MIT
#
#   make fuzz [FUZZ_TIME=s]   build and run every target FUZZ_TIME seconds each
#                             (one process, niced), corpus kept in build/fuzz
#   make fuzz-regress         run every target once over tests/fuzz/corpus and
#                             tests/fuzz/regressions (no fuzzing; the open/
#                             findings there, not yet fixed, are left out)
#   make fuzz-build           only build build/fuzz/fuzz_*
#
# The library objects are built apart, in build/fuzz/, with ASan + UBSan and
# coverage; the normal build is not touched.  Crashes land in build/fuzz/ as
# crash-*, leak-*, timeout-*; minimise one with
#   build/fuzz/fuzz_repair -minimize_crash=1 -runs=2000 FILE
# and keep the result in tests/fuzz/regressions/.

FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_MAX_LEN ?= 2048
FUZZ_TIMEOUT ?= 120
FUZZ_NICE    ?= nice -n 10
FUZZ_ARGS    ?=
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(CPPFLAGS_ALL) $(WARN) -O2 -g $(FUZZ_SAN) $(UCHARDET_CFLAGS) $(OPENCC_CFLAGS)
FUZZ_TARGETS := $(FUZZ_DIR)/fuzz_repair $(FUZZ_DIR)/fuzz_cli
FUZZ_OBJ     := $(patsubst src/%.c,$(FUZZ_DIR)/%.o,$(LIB_SRC))
FUZZ_RUN      = -max_len=$(FUZZ_MAX_LEN) -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/

.PHONY: fuzz fuzz-build fuzz-regress fuzz-clean

$(FUZZ_DIR)/%.o: src/%.c src/*.h $(TABLES)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz_repair: tests/fuzz/fuzz_repair.c tests/fuzz/fuzz_common.h src/mojifix.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ tests/fuzz/fuzz_repair.c $(FUZZ_OBJ) $(LIBS)

$(FUZZ_DIR)/fuzz_cli: tests/fuzz/fuzz_cli.c tests/fuzz/fuzz_common.h src/main.c src/mojifix.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer -o $@ tests/fuzz/fuzz_cli.c \
		$(FUZZ_OBJ) $(LIBS)

fuzz-build: $(FUZZ_TARGETS)

fuzz: $(FUZZ_TARGETS)
	@ok=0 bad=0; for t in $(FUZZ_TARGETS); do n=$${t##*/}; mkdir -p $(FUZZ_DIR)/corpus-$$n; \
		echo "== $$n: $(FUZZ_TIME) s"; \
		if $(FUZZ_NICE) ./$$t $(FUZZ_RUN) -max_total_time=$(FUZZ_TIME) $(FUZZ_ARGS) \
			$(FUZZ_DIR)/corpus-$$n tests/fuzz/corpus 2>$(FUZZ_DIR)/$$n.log; then ok=$$((ok + 1)); \
		else bad=$$((bad + 1)); tail -n 60 $(FUZZ_DIR)/$$n.log; fi; \
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|idempotence' \
			$(FUZZ_DIR)/$$n.log; \
	done; echo "fuzz: $$ok passed, $$bad failed"; [ $$bad = 0 ]

fuzz-regress: $(FUZZ_TARGETS)
	@st=0; for t in $(FUZZ_TARGETS); do n=$${t##*/}; echo "== $$n: seeds and regressions"; \
		files=$$(find tests/fuzz/corpus tests/fuzz/regressions -path '*/open' -prune -o -type f ! -name '*.md' \
			-print | sort); \
		$(FUZZ_NICE) ./$$t $(FUZZ_RUN) $$files >$(FUZZ_DIR)/$$n-regress.log 2>&1 || \
			{ st=1; tail -n 60 $(FUZZ_DIR)/$$n-regress.log; }; \
		echo "$$n: $$(echo $$files | wc -w) inputs"; \
	done; \
	echo "open findings, not run: $$(ls tests/fuzz/regressions/open 2>/dev/null | wc -l) (tests/fuzz/README.md)"; \
	exit $$st

fuzz-clean:
	rm -rf $(FUZZ_DIR)
