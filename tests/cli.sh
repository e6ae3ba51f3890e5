#!/bin/sh
# CLI contract tests: exit statuses, filter, --check, --json, -i (atomic,
# backup, unchanged files untouched), errors naming the file.
# SPDX-License-Identifier: MIT
root=${1:-.}
bin="$(cd "$root" && pwd)/mojifix"
gen="$(cd "$root" && pwd)/tests/garble"
text="$(cd "$root" && pwd)/tests/text"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
# MOJIFIX_WRAP: a command prefix for every run of mojifix (make valgrind)
if [ -n "${MOJIFIX_WRAP:-}" ]; then
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$MOJIFIX_WRAP" "$bin" >"$tmp/wrap.sh"
	chmod +x "$tmp/wrap.sh"
	bin=$tmp/wrap.sh
fi
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect_status() { want=$1; shift; "$@" >"$tmp/out" 2>"$tmp/err"; got=$?; [ "$got" = "$want" ] && ok || bad "$* exited $got, want $want: $(cat "$tmp/err")"; }

clean="$text/zh-chat.txt"
"$gen" --channel utf8-as-latin1 --seed 3 <"$clean" >"$tmp/garbled.txt"
cp "$clean" "$tmp/clean.txt"

# filter: clean text byte-identical, garbled text repaired
"$bin" <"$clean" | cmp -s - "$clean" && ok || bad "clean text changed by the filter"
"$bin" <"$tmp/garbled.txt" | cmp -s - "$clean" && ok || bad "garbled text not repaired"
"$bin" - <"$tmp/garbled.txt" | cmp -s - "$clean" && ok || bad "'-' is not stdin"
printf 'no final newline' | "$bin" | cmp -s - /dev/stdin <<EOF2 && ok || bad "missing final newline not kept"
no final newline
EOF2
printf '' | "$bin" | cmp -s - /dev/null && ok || bad "empty input"

# --check
expect_status 0 "$bin" --check "$tmp/clean.txt"
expect_status 1 "$bin" --check "$tmp/clean.txt" "$tmp/garbled.txt"
grep -q "garbled.txt: garbled" "$tmp/out" && ok || bad "--check does not name the garbled file"
grep -q "clean.txt" "$tmp/out" && bad "--check lists a clean file" || ok

# --json: one object per input
"$bin" --json "$tmp/clean.txt" "$tmp/garbled.txt" >"$tmp/json"
[ "$(wc -l <"$tmp/json")" = 2 ] && ok || bad "--json line count"
grep -q '"status":"clean"' "$tmp/json" && grep -q '"status":"garbled"' "$tmp/json" &&
	grep -q '"channels":\["utf8-as-latin1"\]' "$tmp/json" && ok || bad "--json content: $(cat "$tmp/json")"

# -i: rewrites only what needs it, keeps a backup with a suffix, mode kept
cp "$tmp/garbled.txt" "$tmp/g2.txt"
chmod 640 "$tmp/g2.txt"
touch -d '2001-01-01' "$tmp/clean.txt"
expect_status 0 "$bin" -i.bak "$tmp/g2.txt" "$tmp/clean.txt"
cmp -s "$tmp/g2.txt" "$clean" && ok || bad "-i did not repair"
cmp -s "$tmp/g2.txt.bak" "$tmp/garbled.txt" && ok || bad "-i.bak backup missing"
[ "$(stat -c %a "$tmp/g2.txt")" = 640 ] && ok || bad "-i lost the mode"
[ "$(stat -c %Y "$tmp/clean.txt")" = "$(date -d 2001-01-01 +%s)" ] && ok || bad "-i rewrote a clean file"
ls -a "$tmp" | grep -q mojifix- && bad "temporary file left" || ok

# -i on a symlink repairs the target, the link stays
cp "$tmp/garbled.txt" "$tmp/target.txt"
ln -s target.txt "$tmp/link.txt"
expect_status 0 "$bin" -i "$tmp/link.txt"
[ -L "$tmp/link.txt" ] && cmp -s "$tmp/target.txt" "$clean" && ok || bad "-i on a symlink"

# errors: missing file, directory, binary; other files still processed
expect_status 2 "$bin" "$tmp/missing.txt"
grep -q "missing.txt" "$tmp/err" && ok || bad "error does not name the file"
expect_status 2 "$bin" --check "$tmp" "$tmp/clean.txt"
printf 'a\0b\n' >"$tmp/bin.dat"
cp "$tmp/bin.dat" "$tmp/bin.orig"
cp "$tmp/garbled.txt" "$tmp/g3.txt"
expect_status 2 "$bin" -i "$tmp/bin.dat" "$tmp/g3.txt"
cmp -s "$tmp/bin.dat" "$tmp/bin.orig" && ok || bad "binary file changed"
cmp -s "$tmp/g3.txt" "$clean" && ok || bad "file after a skipped one not repaired"
expect_status 2 "$bin" --bogus
expect_status 2 "$bin" --min-confidence 2
expect_status 0 "$bin" --version
grep -q "tables:" "$tmp/out" && ok || bad "--version lacks table sources"

# -i failure leaves the original intact (read-only directory)
if [ "$(id -u)" != 0 ]; then
	mkdir "$tmp/ro" && cp "$tmp/garbled.txt" "$tmp/ro/x.txt" && chmod 555 "$tmp/ro"
	expect_status 2 "$bin" -i "$tmp/ro/x.txt"
	cmp -s "$tmp/ro/x.txt" "$tmp/garbled.txt" && ok || bad "read-only dir: original changed"
	chmod 755 "$tmp/ro"
fi

# a closed pipe ends quietly
yes "中文" | head -c 2000000 | "$bin" 2>"$tmp/err" | head -1 >/dev/null
[ -s "$tmp/err" ] && bad "closed pipe printed: $(cat "$tmp/err")" || ok

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
