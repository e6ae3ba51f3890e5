#!/bin/sh
# Bad input: invalid UTF-8 of every kind, NUL bytes, empty input, a directory,
# a missing file, special files, closed and full standard streams, and one
# very long line.  mojifix must never crash (no exit status of 128 or more),
# must pass bytes it does not repair through unchanged, and must exit as
# mojifix(1) EXIT STATUS says, with a message naming the file on errors.
#
#   sh tests/bad_input.sh [DIR-OF-MOJIFIX]
#
# MOJIFIX_BIG_MB sets the size of the long ASCII line (default 32; the
# issue's 1 GB is MOJIFIX_BIG_MB=1024), MOJIFIX_BIG_ZH_KB that of a long line
# of Chinese (default 128; lines are analysed in blocks of 256 KB at about
# 0.4 MB/s, so 1024 takes a few seconds).
# MOJIFIX_WRAP prefixes every run of mojifix (e.g. with valgrind).
# SPDX-License-Identifier: MIT
root=${1:-.}
bin="$(cd "$root" && pwd)/mojifix"
[ -x "$bin" ] || { echo "bad_input: $bin not built" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mojifix-bad.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
if [ -n "${MOJIFIX_WRAP:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$MOJIFIX_WRAP" "$bin" >"$tmp/wrap.sh"
	chmod +x "$tmp/wrap.sh"
	bin=$tmp/wrap.sh
fi
big_mb=${MOJIFIX_BIG_MB:-32}
big_zh_kb=${MOJIFIX_BIG_ZH_KB:-128}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run WANT CMD...: stdout in $tmp/out, stderr in $tmp/err; the exit status
# must be WANT (a list like "0|1" is allowed) and never a signal
run() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ge 128 ]; then
		bad "$* died with status $got: $(head -c 300 "$tmp/err")"
		return
	fi
	case "|$want|" in
	*"|$got|"*) ok ;;
	*) bad "$* exited $got, want $want: $(head -c 300 "$tmp/err")" ;;
	esac
}
# stderr must name $1 and say $2
said() { grep -q -- "$1" "$tmp/err" && grep -q -- "$2" "$tmp/err" && ok ||
	bad "message lacks '$1' and '$2': $(head -c 300 "$tmp/err")"; }
quiet() { [ -s "$tmp/err" ] && bad "$1 printed: $(head -c 300 "$tmp/err")" || ok; }
# the filter's output is the input, byte for byte
same() { cmp -s "$tmp/out" "$1" && ok || bad "$2: output differs from the input"; }
json_status() {
	grep -q "\"status\":\"$1\"" "$tmp/out" && [ "$(wc -l <"$tmp/out")" = 1 ] && ok ||
		bad "$2: --json wants status $1: $(cat "$tmp/out")"
}

zh='中文测试，这是一行正常的文字，没有乱码。'

# ---- invalid UTF-8 of every kind, inside clean Chinese text and alone ----
for kind in \
	overlong-2:c0af overlong-3:e080af overlong-4:f08080af overlong-nul:c080 \
	surrogate-high:eda080 surrogate-low:edbfbf surrogate-pair:eda0bdedb880 \
	above-10ffff:f4908080 five-byte:f888808080 six-byte:fc8480808080 \
	bytes-fe-ff:feff byte-f5:f5808080 lone-continuation:80 continuations:bfbfbf \
	truncated-2:c3 truncated-3:e4b8 truncated-4:f09f98 truncated-mid:e4b8e4b8ad \
	bare-lead-bytes:c2e0f0; do
	name=${kind%%:*}
	hex=${kind#*:}
	bytes=$(printf '%s' "$hex" | sed 's/../\\x&/g')
	f=$tmp/$name.txt
	{ printf '%s\n%s' "$zh" "$zh"; printf "$bytes"; printf '%s\n' "$zh"; } >"$f"
	run 0 "$bin" "$f"
	same "$f" "$name in text"
	quiet "$name in text (filter)"
	run 0 "$bin" --check "$f"
	run 0 "$bin" --json "$f"
	grep -q '"status":"garbled"' "$tmp/out" && bad "$name in clean text called garbled" || ok
	g=$tmp/$name.alone
	printf "$bytes" >"$g"
	run 0 "$bin" <"$g"
	same "$g" "$name alone"
	# at the end of input with no newline: a cut sequence stays as it is
	{ printf '%s' "$zh"; printf "$bytes"; } >"$g"
	run 0 "$bin" "$g"
	same "$g" "$name at the end"
	cp "$f" "$tmp/copy"
	run 0 "$bin" -i "$f"
	cmp -s "$f" "$tmp/copy" && ok || bad "-i changed clean text holding $name"
done

# ---- NUL bytes: binary, passed through, never rewritten ----
printf '%s\n\000\000%s\n' "$zh" "$zh" >"$tmp/nul.txt"
cp "$tmp/nul.txt" "$tmp/nul.orig"
run 0 "$bin" "$tmp/nul.txt"
same "$tmp/nul.txt" "NUL bytes"
run 0 "$bin" --json "$tmp/nul.txt"
json_status binary "NUL bytes"
run 0 "$bin" --check "$tmp/nul.txt"
run 2 "$bin" -i "$tmp/nul.txt"
said nul.txt binary
cmp -s "$tmp/nul.txt" "$tmp/nul.orig" && ok || bad "-i changed a file with NUL bytes"
# a NUL after the first 64 KiB: the rest passes through as binary
{ i=0; while [ $i -lt 3000 ]; do printf '%s\n' "$zh"; i=$((i + 1)); done; printf 'x\000y\n%s\n' "$zh"; } >"$tmp/latenul.txt"
run 0 "$bin" "$tmp/latenul.txt"
same "$tmp/latenul.txt" "a late NUL byte"

# ---- empty input ----
: >"$tmp/empty.txt"
run 0 "$bin" "$tmp/empty.txt"
[ -s "$tmp/out" ] && bad "empty input gave output" || ok
run 0 "$bin" <"$tmp/empty.txt"
[ -s "$tmp/out" ] && bad "empty stdin gave output" || ok
run 0 "$bin" --json "$tmp/empty.txt"
json_status clean "empty input"
run 0 "$bin" --check "$tmp/empty.txt"
run 0 "$bin" -i "$tmp/empty.txt"
[ -f "$tmp/empty.txt" ] && [ ! -s "$tmp/empty.txt" ] && ok || bad "-i on an empty file"

# ---- a directory as FILE ----
mkdir "$tmp/adir"
for opt in "" --check --json -i --explain; do
	run 2 "$bin" $opt "$tmp/adir"
	said adir directory
done
run 2 "$bin" --json "$tmp/adir"
json_status error "a directory"
# the other files are still processed
printf '%s\n' "$zh" >"$tmp/ok.txt"
run 2 "$bin" "$tmp/adir" "$tmp/ok.txt"
same "$tmp/ok.txt" "the file after a directory"

# ---- a missing file ----
for opt in "" --check --json -i; do
	run 2 "$bin" $opt "$tmp/missing.txt"
	said missing.txt "No such file"
done
run 2 "$bin" --json "$tmp/missing.txt"
json_status error "a missing file"
run 2 "$bin" "$tmp/missing.txt" "$tmp/ok.txt"
same "$tmp/ok.txt" "the file after a missing one"
# an empty name
run 2 "$bin" ""
said "" "No such file"

# ---- special files and streams ----
run 0 "$bin" /dev/null
run 2 "$bin" -i /dev/null
said /dev/null "not a regular file"
run 2 "$bin" -i -
said - "standard input"
if [ "$(id -u)" != 0 ]; then
	printf '%s\n' "$zh" >"$tmp/noread.txt"
	chmod 000 "$tmp/noread.txt"
	run 2 "$bin" "$tmp/noread.txt"
	said noread.txt "Permission denied"
fi
# a closed standard input, a closed and a full standard output (a wrapper
# such as valgrind would take the closed descriptor for its own files)
if [ -z "${MOJIFIX_WRAP:-}" ]; then
	"$bin" <&- >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st = 2 ] && ok || bad "closed stdin: exit $st, want 2"
	said - "cannot read"
	"$bin" "$tmp/ok.txt" >&- 2>"$tmp/err"
	st=$?
	[ $st = 2 ] && ok || bad "closed stdout: exit $st, want 2"
	said "standard output" "cannot write"
fi
if [ -w /dev/full ]; then
	"$bin" "$tmp/ok.txt" >/dev/full 2>"$tmp/err"
	st=$?
	[ $st = 2 ] && ok || bad "full stdout: exit $st, want 2"
	said "standard output" "No space left"
	"$bin" --json "$tmp/ok.txt" >/dev/full 2>"$tmp/err"
	st=$?
	[ $st = 2 ] && ok || bad "full stdout with --json: exit $st, want 2"
fi
# a FIFO read to its end
if mkfifo "$tmp/fifo" 2>/dev/null; then
	printf '%s\n' "$zh" >"$tmp/fifo" &
	run 0 "$bin" "$tmp/fifo"
	same "$tmp/ok.txt" "a FIFO"
	wait
fi

# ---- one very long line: bounded memory, passed through ----
rss() { # max RSS in KiB of a command, or nothing without GNU time
	if [ -x /usr/bin/time ] && [ -z "${MOJIFIX_WRAP:-}" ]; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@"
	else
		"$@"
	fi
}
head -c $((big_mb * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$tmp/big.txt"
rss "$bin" "$tmp/big.txt" >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st = 0 ] && ok || bad "a $big_mb MB line: exit $st: $(head -c 300 "$tmp/err")"
same "$tmp/big.txt" "a $big_mb MB line"
if [ -s "$tmp/rss" ]; then
	kb=$(tail -n 1 "$tmp/rss")
	echo "a $big_mb MB line of ASCII: max RSS $((kb / 1024)) MB"
	[ "$kb" -lt 65536 ] && ok || bad "a $big_mb MB line took $((kb / 1024)) MB of memory"
fi
rm -f "$tmp/big.txt" "$tmp/out"
# the same through a pipe, and with --check
head -c $((big_mb * 1024 * 1024)) /dev/zero | tr '\0' 'a' | "$bin" --check >"$tmp/out" 2>"$tmp/err"
st=$?
[ $st = 0 ] && ok || bad "a $big_mb MB line on stdin with --check: exit $st"
n=$((big_zh_kb * 1024 / 3))
python3 -c "import sys; sys.stdout.buffer.write(('中文' * ($n // 2)).encode())" >"$tmp/bigzh.txt" 2>/dev/null ||
	{ i=0; : >"$tmp/bigzh.txt"; while [ $i -lt $((n / 20)) ]; do printf '中文中文中文中文中文'; i=$((i + 1)); done >"$tmp/bigzh.txt"; }
run 0 "$bin" "$tmp/bigzh.txt"
same "$tmp/bigzh.txt" "a $big_zh_kb KB line of Chinese"
rm -f "$tmp/bigzh.txt" "$tmp/out"

echo "bad_input: $pass passed, $fail failed"
[ "$fail" = 0 ]
