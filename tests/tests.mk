# tests/tests.mk: the garbling generator, its Check tests and the evaluation
# harness (included by the top Makefile).
# SPDX-License-Identifier: MIT
#
#   make tests/garble        the generator CLI (tests/garble --list)
#   make tests/test_garble   Check tests of the generator; listed in TESTS_BIN
#   make tests/eval          the evaluation harness (builds libmojifix.a)
#   make tests-eval          build and run it (EVAL_ARGS=... to pass options)
#   make tests-clean         remove what these rules build

TESTS_BIN    := tests/test_garble
TESTS_TOOLS  := tests/garble
TESTS_CFLAGS  = $(CPPFLAGS_ALL) $(WARN) $(CFLAGS)
EVAL_ARGS    ?=

.PHONY: tests-tools tests-eval tests-clean

tests-tools: $(TESTS_TOOLS)

tests/garble.o: tests/garble.c tests/garble.h $(TABLES)
	$(CC) $(TESTS_CFLAGS) -c -o $@ tests/garble.c

tests/garble: tests/garble_main.c tests/garble.o tests/garble.h
	$(CC) $(TESTS_CFLAGS) $(LDFLAGS) -o $@ tests/garble_main.c tests/garble.o $(ICONV_LIBS) -lm

tests/test_garble: tests/test_garble.c tests/garble.o tests/garble.h
	$(CC) $(TESTS_CFLAGS) $(CHECK_CFLAGS) $(LDFLAGS) -o $@ tests/test_garble.c tests/garble.o \
		$(CHECK_LIBS) $(ICONV_LIBS) -lm

tests/eval: tests/eval.c tests/garble.o tests/garble.h src/mojifix.h libmojifix.a
	$(CC) $(TESTS_CFLAGS) $(LDFLAGS) -o $@ tests/eval.c tests/garble.o libmojifix.a $(LIBS)

tests-eval: tests/eval
	./tests/eval $(EVAL_ARGS)

tests-clean:
	rm -f tests/garble tests/garble.o tests/test_garble tests/eval
