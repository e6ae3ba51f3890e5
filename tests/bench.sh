#!/bin/sh
# tests/bench.sh: mojifix's speed and memory against cat, iconv and uchardet
# on the same data (issue 5).  Run by `make bench`.
# SPDX-License-Identifier: MIT
#
#   sh tests/bench.sh [MOJIFIX]
#
# Environment:
#   BENCH_SCALE   fraction of the issue's sizes (default 1: 256 MB clean text,
#                 64 MB garbled per channel, a 1 GB file and a 1 GB line)
#   BENCH_GSCALE  scale of the garbled inputs only (default BENCH_SCALE)
#   BENCH_BIGSCALE  scale of the 1 GB file only (default BENCH_SCALE)
#   BENCH_LINESCALE scale of the 1 GB line only (default BENCH_BIGSCALE)
#   BENCH_REPS    runs per measurement, the median is shown (default 3)
#   BENCH_DIR     where the corpus goes (default build/bench; make clean
#                 removes build/)
#
# The corpus is deterministic: the repository's test texts (tests/text)
# repeated, and the same garbled by tests/garble with fixed seeds.  The clean
# text is the Chinese texts plus the English prose (neg-en.txt): mixed
# Chinese/English text.
# Timings are wall-clock medians from /usr/bin/time, peak RSS its maximum
# resident set size.
set -eu

MOJIFIX=${1:-./mojifix}
SCALE=${BENCH_SCALE:-1}
GSCALE=${BENCH_GSCALE:-$SCALE}
BIGSCALE=${BENCH_BIGSCALE:-$SCALE}
LINESCALE=${BENCH_LINESCALE:-$BIGSCALE}
REPS=${BENCH_REPS:-3}
DIR=${BENCH_DIR:-build/bench}
GARBLE=tests/garble
TIME=/usr/bin/time

if [ ! -x "$TIME" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		apt-get install -y time >/dev/null
	else
		echo "bench: /usr/bin/time is missing: apt-get install -y time" >&2
		exit 2
	fi
fi
for c in iconv uchardet; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "bench: $c is missing (iconv: libc-bin; uchardet: apt-get install -y uchardet)" >&2
		exit 2
	fi
done
[ -x "$MOJIFIX" ] || { echo "bench: $MOJIFIX not built (make)" >&2; exit 2; }
[ -x "$GARBLE" ] || { echo "bench: $GARBLE not built (make tests/garble)" >&2; exit 2; }

mb() { awk -v s="$1" -v f="$2" 'BEGIN { printf "%d", s * f * 1048576 }'; }
size() { wc -c < "$1" | tr -d ' '; }

# grow FILE by doubling its contents until it holds at least BYTES
grow() {
	f=$1; want=$2
	while [ "$(size "$f")" -lt "$want" ]; do
		cat "$f" "$f" > "$f.tmp" && mv "$f.tmp" "$f"
	done
}

mkdir -p "$DIR"
CLEAN_BYTES=$(mb 256 "$SCALE")
GARB_BYTES=$(mb 64 "$GSCALE")
BIG_BYTES=$(mb 1024 "$BIGSCALE")
LINE_BYTES=$(mb 1024 "$LINESCALE")
stamp="$SCALE $GSCALE $BIGSCALE $LINESCALE $(cat tests/text/*.txt | cksum) $(cksum < $GARBLE)"
if [ "$(cat "$DIR/stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "bench: building the corpus in $DIR (scale $SCALE, garbled $GSCALE)" >&2
	rm -rf "$DIR"/*
	cat tests/text/zh-*.txt tests/text/neg-en.txt > "$DIR/base.txt"
	cp "$DIR/base.txt" "$DIR/clean.txt"
	grow "$DIR/clean.txt" "$CLEAN_BYTES"
	# a 1 GB file, and the same as one line
	cp "$DIR/base.txt" "$DIR/big.txt"
	grow "$DIR/big.txt" "$BIG_BYTES"
	tr '\n' ' ' < "$DIR/base.txt" > "$DIR/bigline.txt"
	grow "$DIR/bigline.txt" "$LINE_BYTES"
	# garbled: each channel over the Chinese texts (the channel applies to
	# every line), one seed per copy of the base
	cat tests/text/zh-*.txt > "$DIR/zh.txt"
	for ch in utf8-as-gbk utf8-as-latin1 utf8-as-cp1252 gbk-as-latin1 gbk-as-cp1252 pinyin; do
		: > "$DIR/g-$ch.txt"
		for seed in 1 2 3 4; do
			$GARBLE --channel $ch --seed $seed < "$DIR/zh.txt" >> "$DIR/g-$ch.txt"
			[ "$(size "$DIR/g-$ch.txt")" -lt "$GARB_BYTES" ] || break
		done
		grow "$DIR/g-$ch.txt" "$GARB_BYTES"
	done
	# 2,000 small files (one test text each, in turn)
	mkdir -p "$DIR/small"
	i=0
	set -- tests/text/*.txt
	n=$#
	while [ $i -lt 2000 ]; do
		k=$((i % n + 1))
		eval "src=\${$k}"
		cp "$src" "$DIR/small/f$i.txt"
		i=$((i + 1))
	done
	echo "$stamp" > "$DIR/stamp"
fi

# measure CMD: REPS runs; prints the median wall time and the peak RSS (KB)
measure() {
	: > "$DIR/times"
	r=0
	while [ $r -lt "$REPS" ]; do
		$TIME -f '%e %M' -o "$DIR/time.out" sh -c "$*" > /dev/null 2>&1 || true
		tail -n 1 "$DIR/time.out" >> "$DIR/times"
		r=$((r + 1))
	done
	sort -n "$DIR/times" | awk -v n="$REPS" '{ t[NR] = $1; if ($2 > m) m = $2 }
		END { med = t[int((n + 1) / 2)]; if (med < 0.01) med = 0.01; print med, m }'
}

# row LABEL SIZE-FILE CMD: one table row; REF is the reference's MB/s for
# the ratio; sets LAST_MBS
row() {
	label=$1; f=$2; shift 2
	bytes=$(size "$f")
	set -- $(measure "$@")
	LAST_MBS=$(awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%.3f", b / 1048576 / t }')
	awk -v l="$label" -v b="$bytes" -v t="$1" -v m="$LAST_MBS" -v rss="$2" -v ref="${REF:-}" 'BEGIN {
		rat = ref != "" ? sprintf("%.2f", m / ref) : "-"
		printf "| %-40s | %8.2f | %7.2f | %8.2f | %6s | %7.1f |\n", l, b / 1048576, t, m, rat, rss / 1024 }'
}

echo "mojifix benchmark: scale $SCALE (garbled $GSCALE, 1 GB file $BIGSCALE, 1 GB line $LINESCALE), $REPS runs each, medians; $(nproc) CPUs, $(uname -m)"
echo "ratio: throughput over the reference named in the section (iconv -f UTF-8 -t UTF-8; cat for small files)"
echo
printf '| %-40s | %8s | %7s | %8s | %6s | %7s |\n' "command" "MB" "s" "MB/s" "ratio" "RSS MB"
echo "|------------------------------------------|----------|---------|----------|--------|---------|"

C="$DIR/clean.txt"
REF= row "clean: cat" "$C" "cat $C"
REF= row "clean: iconv -f UTF-8 -t UTF-8" "$C" "iconv -f UTF-8 -t UTF-8 $C"
ICONV=$LAST_MBS
REF= row "clean: uchardet" "$C" "uchardet $C"
REF=$ICONV row "clean: mojifix --check" "$C" "$MOJIFIX --check $C"
REF=$ICONV row "clean: mojifix (filter, stdin to stdout)" "$C" "$MOJIFIX < $C"
for ch in utf8-as-gbk utf8-as-latin1 utf8-as-cp1252 gbk-as-latin1 gbk-as-cp1252 pinyin; do
	G="$DIR/g-$ch.txt"
	REF=$ICONV row "garbled $ch: mojifix (repair)" "$G" "$MOJIFIX $G"
done
B="$DIR/big.txt"; L="$DIR/bigline.txt"
REF= row "1 GB file: cat" "$B" "cat $B"
REF= row "1 GB file: iconv" "$B" "iconv -f UTF-8 -t UTF-8 $B"
ICONVB=$LAST_MBS
REF=$ICONVB row "1 GB file: mojifix --check" "$B" "$MOJIFIX --check $B"
REF=$ICONVB row "1 GB file: mojifix (filter)" "$B" "$MOJIFIX < $B"
REF=$ICONVB row "1 GB line: mojifix --check" "$L" "$MOJIFIX --check $L"
REF=$ICONVB row "1 GB line: mojifix (filter)" "$L" "$MOJIFIX < $L"
S="$DIR/small"
cat "$S"/*.txt > "$DIR/small.all"
REF= row "2,000 small files: cat" "$DIR/small.all" "cat $S/*.txt"
CAT=$LAST_MBS
REF=$CAT row "2,000 small files: uchardet" "$DIR/small.all" "uchardet $S/*.txt"
REF=$CAT row "2,000 small files: mojifix --check" "$DIR/small.all" "$MOJIFIX --check $S/*.txt"
