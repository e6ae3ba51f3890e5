# tables/tables.mk: the generated tables (included by the top Makefile).
# SPDX-License-Identifier: MIT
#
#   make tables          regenerate tables/*.h and tables/SOURCES in place
#   make tables-check    regenerate into a temporary directory and cmp against
#                        the committed files (skipped, exit 0, when the input
#                        packages are absent or differ from tables/SOURCES)
#   make tables-clean    remove the generator binaries (never the headers)
#   make tests/test_tables   the table tests (Check); listed in TABLES_TESTS

TABLES_HEADERS := tables/gbk.h tables/sbcs.h tables/pinyin.h tables/lm.h
TABLES_BIN     := tables/gen/bin
TABLES_GENS    := $(TABLES_BIN)/gbk $(TABLES_BIN)/sbcs $(TABLES_BIN)/pinyin $(TABLES_BIN)/lm
TABLES_TESTS   := tests/test_tables
TABLES_GEN_CFLAGS = $(CPPFLAGS_ALL) $(WARN) $(CFLAGS)

.PHONY: tables tables-check tables-clean tables-gens

tables-gens: $(TABLES_GENS)

$(TABLES_BIN)/gbk $(TABLES_BIN)/sbcs $(TABLES_BIN)/pinyin: $(TABLES_BIN)/%: tables/gen/%.c tables/gen/genutil.c tables/gen/genutil.h
	@mkdir -p $(TABLES_BIN)
	$(CC) $(TABLES_GEN_CFLAGS) -o $@ $< tables/gen/genutil.c

$(TABLES_BIN)/lm: tables/gen/lm.c tables/gen/genutil.c tables/gen/genutil.h
	@mkdir -p $(TABLES_BIN)
	$(CC) $(TABLES_GEN_CFLAGS) $(OPENCC_CFLAGS) -o $@ tables/gen/lm.c tables/gen/genutil.c $(OPENCC_LIBS) -lm

tables:
	@sh tables/inputs.sh check || { echo "tables: install the packages above, then run make tables again" >&2; exit 1; }
	@$(MAKE) --no-print-directory tables-gens
	sh tables/inputs.sh sources > tables/SOURCES.tmp
	mv tables/SOURCES.tmp tables/SOURCES
	sh tables/generate.sh $(TABLES_BIN) tables

tables-check:
	@m=$$(sh tables/inputs.sh missing); \
	if [ -n "$$m" ]; then echo "tables: skipped: install $$m (apt-get install -y $$m)"; exit 0; fi; \
	if ! v=$$(sh tables/inputs.sh verify); then echo "tables: skipped: $$v"; exit 0; fi; \
	$(MAKE) --no-print-directory tables-gens >/dev/null || exit 1; \
	tmp=$$(mktemp -d) || exit 1; trap 'rm -rf "$$tmp"' EXIT; \
	sh tables/inputs.sh sources > "$$tmp/SOURCES" || exit 1; \
	sh tables/generate.sh $(TABLES_BIN) "$$tmp" || exit 1; \
	st=0; \
	for f in SOURCES gbk.h sbcs.h pinyin.h lm.h; do \
		if cmp -s "$$tmp/$$f" "tables/$$f"; then echo "tables: $$f matches its generator"; \
		else echo "tables: $$f DIFFERS from its generator (run make tables, then git diff tables/)"; st=1; fi; \
	done; \
	exit $$st

tables-clean:
	rm -rf $(TABLES_BIN) tables/*.tmp $(TABLES_TESTS)

tests/test_tables: tests/test_tables.c $(TABLES_HEADERS)
	$(CC) $(CPPFLAGS_ALL) $(WARN) $(CFLAGS) $(CHECK_CFLAGS) -o $@ tests/test_tables.c $(CHECK_LIBS) $(ICONV_LIBS)
