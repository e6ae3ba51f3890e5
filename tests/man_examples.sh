#!/bin/sh
# Run the EXAMPLES of man/mojifix.1 and check their exit status.
#
#   sh tests/man_examples.sh [REPO-ROOT]
#
# Every line of a .Bd -literal block in the EXAMPLES section that starts with
# "$ " is a command.  A trailing "# status N" gives the exit status the page
# states; without it the page states 0.  Each command runs in a fresh
# temporary directory holding notes.txt (a garbled sample), clean.txt (a clean
# sample) and old.txt (clean.txt in GBK), with ./mojifix first on PATH.
# Commands that need git (the pre-commit hook) are skipped, with the reason.
# SPDX-License-Identifier: MIT
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
root=$(cd "$root" && pwd) || exit 2
page=$root/man/mojifix.1
garbled=$root/samples/in/utf8-as-gbk-gb18030-news.txt
clean=$root/samples/in/neg-zh-fullwidth.txt
for f in "$page" "$garbled" "$clean"; do
	[ -r "$f" ] || { echo "man examples: missing $f" >&2; exit 2; }
done
if [ ! -x "$root/mojifix" ]; then
	(cd "$root" && make >/dev/null) || { echo "man examples: cannot build mojifix" >&2; exit 2; }
fi
PATH=$root:$PATH
export PATH
if command -v timeout >/dev/null 2>&1; then to="timeout 120"; else to=""; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/mojifix-man.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT INT TERM

# extract: one command per line, "STATUS<TAB>COMMAND"
awk '
	/^\.Sh / { ex = ($0 == ".Sh EXAMPLES") }
	ex && /^\.Bd -literal/ { lit = 1; next }
	ex && /^\.Ed/ { lit = 0; next }
	lit && /^\$ / {
		cmd = substr($0, 3)
		st = 0
		if (match(cmd, /[ \t]*#[ \t]*status[ \t]+[0-9]+[ \t]*$/)) {
			c = substr(cmd, RSTART)
			sub(/^[^0-9]*/, "", c); sub(/[ \t]*$/, "", c)
			st = c + 0
			cmd = substr(cmd, 1, RSTART - 1)
		}
		gsub(/\\&/, "", cmd)
		gsub(/\\e/, "\\", cmd)
		printf "%d\t%s\n", st, cmd
	}
' "$page" > "$work/cmds"

pass=0 fail=0 skip=0 n=0
tab=$(printf '\t')
while IFS="$tab" read -r want cmd; do
	n=$((n + 1))
	case $cmd in
	*git*)
		skip=$((skip + 1))
		echo "skip: $cmd (needs a git repository and a pre-commit hook)"
		continue ;;
	esac
	d=$work/$n
	mkdir "$d"
	cp "$garbled" "$d/notes.txt"
	cp "$clean" "$d/clean.txt"
	iconv -f UTF-8 -t GBK "$clean" > "$d/old.txt"
	(cd "$d" && $to sh -c "$cmd" < /dev/null > "$work/out.$n" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ]; then
		pass=$((pass + 1))
		echo "ok:   $cmd (status $got)"
	else
		fail=$((fail + 1))
		echo "FAIL: $cmd: status $got, the page says $want"
		sed 's/^/      /' "$work/out.$n" | head -n 5
	fi
done < "$work/cmds"

if [ "$n" -eq 0 ]; then
	echo "man examples: no commands found in $page" >&2
	exit 2
fi
[ "$skip" -eq 0 ] || echo "man examples: $skip skipped"
echo "man examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
