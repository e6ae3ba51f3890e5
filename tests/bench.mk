# tests/bench.mk: `make bench` (included by the top Makefile).
# SPDX-License-Identifier: MIT
#
#   make bench                      the issue's sizes (256 MB clean, 64 MB
#                                   garbled per channel, 1 GB file and line)
#   make bench BENCH_SCALE=0.05     the same at 5%
#   BENCH_GSCALE, BENCH_BIGSCALE, BENCH_LINESCALE, BENCH_REPS, BENCH_DIR:
#   see tests/bench.sh

BENCH_SCALE ?= 1
BENCH_REPS  ?= 3

bench: mojifix tests/garble
	BENCH_SCALE=$(BENCH_SCALE) BENCH_REPS=$(BENCH_REPS) sh tests/bench.sh ./mojifix

.PHONY: bench-clean
bench-clean:
	rm -rf build/bench
