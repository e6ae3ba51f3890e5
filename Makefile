# mojifix: one Makefile.  `make` builds ./mojifix; see README.md.
# SPDX-License-Identifier: MIT

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
CC         ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
# WERROR=1 (CI) turns warnings into errors.
WERROR     ?= 0
WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN       += -Werror
endif
CPPFLAGS_ALL := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Isrc -Itables $(CPPFLAGS)

# uchardet is required (legacy-encoding detection).
UCHARDET_CFLAGS := $(shell $(PKG_CONFIG) --cflags uchardet 2>/dev/null)
UCHARDET_LIBS   := $(shell $(PKG_CONFIG) --libs uchardet 2>/dev/null || echo -luchardet)
# OpenCC is optional (--simplified); without it --simplified fails with a message.
OPENCC_CFLAGS   := $(shell $(PKG_CONFIG) --cflags opencc 2>/dev/null)
OPENCC_LIBS     := $(shell $(PKG_CONFIG) --libs opencc 2>/dev/null)
ifneq ($(OPENCC_LIBS),)
OPENCC_CFLAGS   += -DMF_HAVE_OPENCC=1
endif
# iconv(3): in libc on glibc; GNU libiconv elsewhere needs -liconv (ICONV_LIBS=-liconv).
ICONV_LIBS ?= $(shell printf '#include <iconv.h>\nint main(void){iconv_t c=iconv_open("UTF-8","GBK");return c==(iconv_t)-1;}\n' | \
	$(CC) -x c - -o /dev/null >/dev/null 2>&1 || echo -liconv)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck -lm -lsubunit)

ALL_CFLAGS = $(CPPFLAGS_ALL) $(WARN) $(CFLAGS) $(UCHARDET_CFLAGS) $(OPENCC_CFLAGS)
LIBS       = $(UCHARDET_LIBS) $(OPENCC_LIBS) $(ICONV_LIBS) -lm

LIB_SRC  := $(wildcard src/*.c)
LIB_SRC  := $(filter-out src/main.c,$(LIB_SRC))
LIB_OBJ  := $(LIB_SRC:.c=.o)
TABLES   := $(wildcard tables/*.h)

.PHONY: all check bench install uninstall clean tables tables-check sanitize valgrind

all: mojifix

src/%.o: src/%.c src/*.h $(TABLES)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

libmojifix.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

mojifix: src/main.o libmojifix.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ src/main.o libmojifix.a $(LIBS)

-include tests/workflow.mk
-include tables/tables.mk
-include tests/tests.mk
-include tests/bench.mk
-include tests/fuzz.mk

# ---- tests ----
CHECK_SUITES = tests/test_repair $(TABLES_TESTS) $(TESTS_BIN)

tests/test_repair: tests/test_repair.c tests/garble.o tests/garble.h src/mojifix.h src/internal.h libmojifix.a
	$(CC) $(CPPFLAGS_ALL) $(WARN) $(CFLAGS) $(CHECK_CFLAGS) $(LDFLAGS) -o $@ tests/test_repair.c \
		tests/garble.o libmojifix.a $(CHECK_LIBS) $(LIBS)

# Every Check suite, the CLI tests, the man page's examples and the table
# generators' proof.  Suites that need ../shared/seeds skip without it.
# what tests/eval must show in check (one seed per document and variant):
# exact rates of the lossless channels, no false positive, and of the files
# reported at confidence 0.9 or more, nine in ten repaired exactly
EVAL_BOUNDS = --min-calibration 0.9 --min-rate utf8-as-latin1=1 \
	--min-rate gbk-as-latin1=1 --min-rate gbk-as-cp1252=0.85 \
	--min-rate gbk-island\ enc=gbk\ frac=0.3=0.95 --min-rate legacy=0.95
check: mojifix $(CHECK_SUITES) tests/garble tests/eval
	@st=0; for t in $(CHECK_SUITES); do echo "== $$t"; ./$$t || st=1; done; \
	if [ -z "$(SKIP_EVAL)" ]; then echo "== tests/eval (one seed: exact rates, false positives, calibration at 0.9)"; \
	log=$$(mktemp) && { ./tests/eval --seeds 1 --assert $(EVAL_BOUNDS) > $$log 2>&1 || st=1; \
		sed -n '/^clean documents/p;/^PASS/p;/^FAIL/p;/^eval:/p' $$log; rm -f $$log; }; fi; \
	echo "== tests/cli.sh"; sh tests/cli.sh . || st=1; \
	echo "== tests/samples.sh (golden: the sample corpus)"; sh tests/samples.sh . || st=1; \
	echo "== tests/faults.sh"; sh tests/faults.sh . || st=1; \
	echo "== tests/filter.sh"; sh tests/filter.sh . || st=1; \
	echo "== tests/precommit.sh"; sh tests/precommit.sh . || st=1; \
	echo "== tests/stream_memory.sh"; sh tests/stream_memory.sh . || st=1; \
	if [ -f tests/man_examples.sh ]; then echo "== tests/man_examples.sh"; sh tests/man_examples.sh . || st=1; fi; \
	if command -v mandoc >/dev/null 2>&1; then echo "== mandoc -T lint"; \
		out=$$(mandoc -T lint -W warning man/mojifix.1 2>&1); if [ -n "$$out" ]; then echo "$$out"; st=1; else echo "man page: lint clean"; fi; \
	else echo "mandoc not installed: man page lint skipped (apt-get install -y mandoc)"; fi; \
	if [ -z "$(SKIP_TABLES_CHECK)" ]; then echo "== tables-check"; $(MAKE) --no-print-directory tables-check || st=1; fi; \
	if [ -f tests/bad_input.sh ]; then echo "== tests/bad_input.sh"; sh tests/bad_input.sh . || st=1; fi; \
	if [ -z "$(SKIP_SANITIZE)" ]; then echo "== sanitize (ASan + UBSan, in $(SAN_DIR))"; \
		$(MAKE) --no-print-directory sanitize || st=1; fi; \
	exit $$st

# The same suites built with AddressSanitizer and UndefinedBehaviorSanitizer
# (the table proof, a run of one-shot generators, and the evaluation are left
# to plain check).
# They build in $(SAN_DIR), a tree of links to the sources, so the normal
# build is left alone; `make check` ends with them (SKIP_SANITIZE=1: not).
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_DIR   = build/san
sanitize:
	@files=$$(git ls-files -co --exclude-standard Makefile src tables tests man samples 2>/dev/null); \
	[ -n "$$files" ] || files=$$(find Makefile src tables tests man samples -type f \
		! -name '*.o' ! -name '*.a' ! -perm -u+x); \
	for f in $$files; do [ -e $$f ] || continue; mkdir -p $(SAN_DIR)/$$(dirname $$f); \
		ln -sfn $(CURDIR)/$$f $(SAN_DIR)/$$f; done; \
	if [ -d ../shared ]; then ln -sfn $(abspath ../shared) $(dir $(SAN_DIR))shared; fi
	CK_TIMEOUT_MULTIPLIER=$${CK_TIMEOUT_MULTIPLIER:-10} \
	$(MAKE) -C $(SAN_DIR) --no-print-directory check CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		SKIP_TABLES_CHECK=1 SKIP_SANITIZE=1 SKIP_EVAL=1

# tests/cli.sh and tests/bad_input.sh (smaller long lines) with every run of
# mojifix under valgrind memcheck: any error or leak it reports fails.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
valgrind: mojifix tests/garble
	@rm -rf build/valgrind && mkdir -p build/valgrind; \
	export MOJIFIX_WRAP="$(VALGRIND) --log-file=$(CURDIR)/build/valgrind/%p.log"; \
	sh tests/cli.sh .; st=$$?; \
	MOJIFIX_BIG_MB=2 MOJIFIX_BIG_ZH_KB=8 sh tests/bad_input.sh . || st=1; \
	runs=$$(ls build/valgrind | wc -l); bad=$$(find build/valgrind -name '*.log' -size +0 | wc -l); \
	for f in $$(find build/valgrind -name '*.log' -size +0); do cat $$f; done; \
	echo "valgrind: $$runs runs of mojifix, $$bad with errors"; \
	[ $$st = 0 ] && [ $$bad = 0 ] && [ $$runs -gt 0 ]

install: mojifix
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 mojifix $(DESTDIR)$(BINDIR)/mojifix
	install -m 644 man/mojifix.1 $(DESTDIR)$(MANDIR)/man1/mojifix.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mojifix $(DESTDIR)$(MANDIR)/man1/mojifix.1

clean: tables-clean tests-clean
	rm -f mojifix libmojifix.a src/*.o tests/test_repair
	rm -rf build $(SAN_DIR)
