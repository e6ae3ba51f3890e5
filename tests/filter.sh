#!/bin/sh
# The filter: clean input passes byte for byte (CRLF, a UTF-8 BOM, no final
# newline, CR-only, input larger than a read block), garbled input is
# repaired with those kept, and a reader that goes away (mojifix | head)
# ends mojifix promptly, quietly and with status 0, even on endless input.
#
#   sh tests/filter.sh [REPO-ROOT]
# SPDX-License-Identifier: MIT
set -u
root=$(cd "${1:-.}" && pwd) || exit 2
bin=$root/mojifix
[ -x "$bin" ] || { echo "filter: build ./mojifix first" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mojifix-filter.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# same NAME FILE: the filter copies FILE byte for byte, from stdin and by name
same() {
	"$bin" <"$2" >"$tmp/out" 2>"$tmp/err" && cmp -s "$tmp/out" "$2" && ok ||
		bad "$1: clean input changed by the filter (stdin) $(cat "$tmp/err")"
	"$bin" "$2" >"$tmp/out" 2>"$tmp/err" && cmp -s "$tmp/out" "$2" && ok ||
		bad "$1: clean input changed by the filter (file) $(cat "$tmp/err")"
}
# fixes NAME IN WANT: the filter turns IN into WANT
fixes() {
	"$bin" <"$2" >"$tmp/out" 2>"$tmp/err" && cmp -s "$tmp/out" "$3" && ok ||
		bad "$1: not repaired to the expected bytes $(cat "$tmp/err")"
}
crlf() { sed 's/$/\r/' "$1"; }
bom() { printf '\357\273\277'; cat "$1"; }
nonl() { head -c -1 "$1"; }

# clean inputs of several kinds, as they are and with each variation
for f in "$root"/samples/in/neg-*.txt; do
	n=$(basename "$f" .txt)
	same "$n" "$f"
	crlf "$f" >"$tmp/$n.crlf"; same "$n CRLF" "$tmp/$n.crlf"
	bom "$f" >"$tmp/$n.bom"; same "$n BOM" "$tmp/$n.bom"
	nonl "$f" >"$tmp/$n.nonl"; same "$n no final newline" "$tmp/$n.nonl"
	bom "$tmp/$n.crlf" | head -c -2 >"$tmp/$n.all"; same "$n BOM+CRLF, no final newline" "$tmp/$n.all"
	tr '\n' '\r' <"$f" >"$tmp/$n.cr"; same "$n CR line ends" "$tmp/$n.cr"
done
printf '\357\273\277' >"$tmp/bom-only"; same "a BOM alone" "$tmp/bom-only"
printf '\r\n' >"$tmp/crlf-only"; same "CRLF alone" "$tmp/crlf-only"
printf '中' >"$tmp/one-char"; same "one character, no newline" "$tmp/one-char"
printf '\n\n\n' >"$tmp/newlines"; same "empty lines" "$tmp/newlines"
# larger than a read block: characters split across reads come out whole
i=0; : >"$tmp/big"
while [ $i -lt 40 ]; do cat "$root"/samples/in/neg-zh-*.txt >>"$tmp/big"; i=$((i + 1)); done
printf 'x' >>"$tmp/big"
same "$(wc -c <"$tmp/big")-byte clean Chinese" "$tmp/big"

# garbled inputs: CRLF, BOM and a missing final newline survive the repair
for n in utf8-as-latin1-story gbk-as-latin1-news-bus utf8-as-cp1252-log; do
	in=$root/samples/in/$n.txt exp=$root/samples/expected/$n.txt
	fixes "$n" "$in" "$exp"
	crlf "$in" >"$tmp/i"; crlf "$exp" >"$tmp/e"; fixes "$n CRLF" "$tmp/i" "$tmp/e"
	bom "$in" >"$tmp/i"; bom "$exp" >"$tmp/e"; fixes "$n BOM" "$tmp/i" "$tmp/e"
	nonl "$in" >"$tmp/i"; nonl "$exp" >"$tmp/e"; fixes "$n no final newline" "$tmp/i" "$tmp/e"
done

# a reader that goes away: endless input, prompt quiet end, status 0
# pipe LIMIT NAME LINE: yes LINE | mojifix | head -n 3 within LIMIT seconds
slow=1
grep -q __asan_init "$bin" 2>/dev/null && slow=5   # a sanitizer build
pipe() {
	start=$(date +%s)
	timeout $(($1 * slow)) sh -c '{ yes "$1" | "$2" 2>"$3/err"; echo $? >"$3/st"; } | head -n 3 >"$3/out"' \
		sh "$3" "$bin" "$tmp"
	to=$?
	took=$(($(date +%s) - start))
	if [ $to = 124 ]; then
		bad "$2: yes | mojifix | head did not end within $(($1 * slow)) s"
		return
	fi
	[ "$(cat "$tmp/st")" = 0 ] && ok || bad "$2: mojifix exited $(cat "$tmp/st") on a closed pipe"
	[ -s "$tmp/err" ] && bad "$2: mojifix printed on a closed pipe: $(cat "$tmp/err")" || ok
	[ "$(wc -l <"$tmp/out")" = 3 ] && ok || bad "$2: head got $(wc -l <"$tmp/out") lines"
	echo "$2: ended after ${took}s"
}
pipe 10 "yes 中文" "中文"
pipe 10 "yes (English)" "plain English text, nothing to repair"
# a garbled line: output starts once a block of lines is decided; the
# limit allows for the present speed of the repair
pipe 60 "yes (garbled line)" "$(sed -n 3p "$root/samples/in/utf8-as-latin1-story.txt")"
sed -n 3p "$root/samples/expected/utf8-as-latin1-story.txt" >"$tmp/want"
[ "$(head -n 1 "$tmp/out")" = "$(cat "$tmp/want")" ] && ok || bad "yes (garbled line): not repaired: $(head -n 1 "$tmp/out")"

echo "filter: $pass passed, $fail failed"
[ "$fail" = 0 ]
