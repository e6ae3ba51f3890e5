#!/bin/sh
# Bounded memory as a filter: pipe N MB through mojifix under /usr/bin/time
# and assert its peak RSS stays at or below a bound, and that the output is
# the input byte for byte.
#
#   sh tests/stream_memory.sh [REPO-ROOT]
#
#   STREAM_MEMORY_MB=64        size of the ASCII inputs, in MB (1024 for a long run)
#   STREAM_MEMORY_ZH_MB=1      size of the clean Chinese input, in MB (0: skip)
#   STREAM_MEMORY_ZH_LINE_KB=1024 size of one Chinese line without newline, in
#                              KB (0: skip; lines are cut into 256 KB blocks:
#                              about 21 MB RSS, 2.5 s per MB)
#   STREAM_MEMORY_MAX_KB=32768 the bound on peak RSS
#
# Inputs: English lines, one ASCII line with no newline at all, clean Chinese
# lines.  Chinese text is slow to analyse today, so the large inputs are ASCII
# and the Chinese one is small by default.  Skips with a message without
# /usr/bin/time (apt-get install time) and for sanitizer builds, whose RSS
# says nothing about mojifix.
# SPDX-License-Identifier: MIT
set -u
root=$(cd "${1:-.}" && pwd) || exit 2
bin=$root/mojifix
[ -x "$bin" ] || { echo "stream memory: build ./mojifix first" >&2; exit 2; }
mb=${STREAM_MEMORY_MB:-64}
zh_mb=${STREAM_MEMORY_ZH_MB:-1}
zh_line_kb=${STREAM_MEMORY_ZH_LINE_KB:-1024}
max_kb=${STREAM_MEMORY_MAX_KB:-32768}
if [ ! -x /usr/bin/time ]; then
	echo "stream memory: skipped, /usr/bin/time is not installed (apt-get install time)"
	echo "stream memory: 0 passed, 0 failed"
	exit 0
fi
if grep -q __asan_init "$bin" 2>/dev/null; then
	echo "stream memory: skipped, ./mojifix is a sanitizer build (its RSS is the sanitizer's)"
	echo "stream memory: 0 passed, 0 failed"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mojifix-mem.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

cat "$root"/samples/in/neg-zh-*.txt >"$tmp/zh"
gen_lines() { yes 'The quick brown fox jumps over the lazy dog; 0123456789 (plain text, nothing to repair).' | head -c $((mb * 1048576)); }
gen_line() { yes 'x' | tr -d '\n' | head -c $((mb * 1048576)); }
gen_zh() { while cat "$tmp/zh" 2>/dev/null; do :; done | head -c $((zh_mb * 1048576)); }
gen_zh_line() { while cat "$tmp/zh" 2>/dev/null; do :; done | tr -d '\n' | head -c $((zh_line_kb * 1024)); }

# measure NAME GENERATOR
measure() {
	want=$($2 | cksum)
	start=$(date +%s)
	$2 | /usr/bin/time -f %M -o "$tmp/rss" "$bin" 2>"$tmp/err" | cksum >"$tmp/sum"
	took=$(($(date +%s) - start))
	rss=$(tail -n 1 "$tmp/rss")
	case $rss in *[!0-9]*|'') bad "$1: no RSS measured: $(cat "$tmp/rss" "$tmp/err")"; return ;; esac
	echo "$1: peak RSS $rss KB (bound $max_kb KB), ${took}s"
	[ "$rss" -le "$max_kb" ] && ok || bad "$1: peak RSS $rss KB is above $max_kb KB"
	[ "$(cat "$tmp/sum")" = "$want" ] && ok || bad "$1: output is not the input byte for byte"
	[ -s "$tmp/err" ] && bad "$1: mojifix printed: $(head -c 300 "$tmp/err")" || ok
}

measure "$mb MB of English lines" gen_lines
measure "$mb MB in one ASCII line without newline" gen_line
if [ "$zh_mb" -gt 0 ]; then measure "$zh_mb MB of clean Chinese lines" gen_zh; fi
if [ "$zh_line_kb" -gt 0 ]; then
	measure "$zh_line_kb KB in one Chinese line without newline" gen_zh_line
else
	echo "stream memory: one long Chinese line skipped (STREAM_MEMORY_ZH_LINE_KB=512 to run it)"
fi

echo "stream memory: $pass passed, $fail failed"
[ "$fail" = 0 ]
