#!/bin/sh
# Run the EXAMPLES of man/mojifix.1 and check their exit status.
#
#   sh tests/man_examples.sh [REPO-ROOT]
#
# Every line of a .Bd -literal block in the EXAMPLES section that starts with
# "$ " is a command.  A trailing "# status N" gives the exit status the page
# states; without it the page states 0.  The commands of one block run in
# order in one fresh temporary directory holding notes.txt (a garbled
# sample), clean.txt (a clean sample) and old.txt (clean.txt in GBK), with
# ./mojifix first on PATH.  A command "cat FILE" followed by lines that are
# not commands lists a file: the block's directory gets FILE with those
# lines before its commands run.  A block with a command that uses git is a
# git repository (HOME, PRE_COMMIT_HOME and git's identity temporary; files
# listed under .git/hooks executable); it is skipped where git, or for a
# command that uses it, pre-commit is not installed.
# SPDX-License-Identifier: MIT
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
root=$(cd "$root" && pwd) || exit 2
page=$root/man/mojifix.1
garbled=$root/samples/in/utf8-as-latin1-story.txt
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

# extract, one record per line: "B" a block starts; "C<TAB>STATUS<TAB>COMMAND";
# "L<TAB>FILE" the command lists FILE; "T<TAB>LINE" a line of it
awk '
	function unesc(t) { gsub(/\\&/, "", t); gsub(/\\e/, "\\", t); return t }
	/^\.Sh / { ex = ($0 == ".Sh EXAMPLES") }
	ex && /^\.Bd -literal/ { lit = 1; listing = 0; print "B"; next }
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
		cmd = unesc(cmd)
		printf "C\t%d\t%s\n", st, cmd
		listing = 0
		if (cmd ~ /^cat [^ |;&<>]+$/) { listing = 1; printf "L\t%s\n", substr(cmd, 5) }
		next
	}
	lit && listing { printf "T\t%s\n", unesc($0) }
' "$page" > "$work/records"

pass=0 fail=0 skip=0 n=0 nb=0
tab=$(printf '\t')
have() { command -v "$1" >/dev/null 2>&1; }
# setup DIR: the sample files, listed files, a git repository where needed
setup() {
	cp "$garbled" "$1/notes.txt"
	cp "$clean" "$1/clean.txt"
	iconv -f UTF-8 -t GBK "$clean" > "$1/old.txt"
	if [ "$uses_git" = yes ]; then
		mkdir -p "$1/.home"
		(cd "$1" && git init -q && git config user.name "mojifix example" &&
			git config user.email example@mojifix.invalid && git config commit.gpgsign false) || return 1
	fi
	sed -n 's/^L\t//p' "$work/block" | while IFS= read -r f; do
		mkdir -p "$1/$(dirname "$f")"
		awk -v f="$f" '/^L\t/ { on = (substr($0, 3) == f); next } /^[BC]\t/ { on = 0 }
			on && /^T\t/ { print substr($0, 3) }' "$work/block" > "$1/$f"
		case $f in .git/hooks/*) chmod +x "$1/$f" ;; esac
	done
}
# run the block in $work/block
run_block() {
	nb=$((nb + 1))
	grep -q '^C' "$work/block" || return 0
	uses_git=no why=""
	grep '^C' "$work/block" | grep -q -w -e git -e pre-commit && uses_git=yes
	[ $uses_git = yes ] && ! have git && why="git is not installed"
	grep '^C' "$work/block" | cut -f3- | grep -Eq '(^|[;&|(] *)pre-commit( |$)' && ! have pre-commit &&
		why="pre-commit is not installed"
	if [ -n "$why" ]; then
		grep '^C' "$work/block" | cut -f3- | while IFS= read -r c; do echo "skip: $c ($why)"; done
		skip=$((skip + $(grep -c '^C' "$work/block")))
		n=$((n + $(grep -c '^C' "$work/block")))
		return 0
	fi
	d=$work/$nb
	mkdir "$d"
	setup "$d" || { fail=$((fail + 1)); echo "FAIL: cannot set up block $nb"; return 0; }
	while IFS= read -r rec; do
		case $rec in C"$tab"*) ;; *) continue ;; esac
		rec=${rec#C"$tab"}
		want=${rec%%"$tab"*}
		cmd=${rec#*"$tab"}
		n=$((n + 1))
		(cd "$d" && HOME=$d/.home PRE_COMMIT_HOME=$d/.home/pre-commit PRE_COMMIT_COLOR=never \
			GIT_CONFIG_NOSYSTEM=1 $to sh -c "$cmd" < /dev/null > "$work/out.$n" 2>&1)
		got=$?
		if [ "$got" -eq "$want" ]; then
			pass=$((pass + 1))
			echo "ok:   $cmd (status $got)"
		else
			fail=$((fail + 1))
			echo "FAIL: $cmd: status $got, the page says $want"
			sed 's/^/      /' "$work/out.$n" | head -n 5
		fi
	done < "$work/block"
}
: > "$work/block"
while IFS= read -r rec; do
	if [ "$rec" = B ]; then
		run_block
		: > "$work/block"
	else
		printf '%s\n' "$rec" >> "$work/block"
	fi
done < "$work/records"
run_block

if [ "$n" -eq 0 ]; then
	echo "man examples: no commands found in $page" >&2
	exit 2
fi
[ "$skip" -eq 0 ] || echo "man examples: $skip skipped"
echo "man examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
