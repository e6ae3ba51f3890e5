#!/bin/sh
# End-to-end tests of the commit hooks, offline, in temporary repositories
# (HOME, PRE_COMMIT_HOME and git's configuration all temporary):
#
# 1. the pre-commit framework with this repository's .pre-commit-hooks.yaml
#    (the working tree's copy, committed into a scratch hook repository that
#    the config names by path and commit, as a user names ours by URL):
#    - mojifix-check refuses a commit of a garbled file and names it;
#    - mojifix (the fixing hook) refuses it too and repairs the file to the
#      expected text (samples/expected); after `git add` the commit goes
#      through; clean files are untouched (bytes and mtime);
#    - one commit of 300 files, garbled and clean mixed: every garbled one
#      repaired to its expected text, every clean one untouched;
# 2. the README's `repo: local` configuration;
# 3. the plain hook contrib/pre-commit: refuses garbled staged content and
#    names the file, checks the index rather than the working tree, copes
#    with odd names, symbolic links, binary files and 300 files.
#
#   sh tests/precommit.sh [REPO-ROOT]
#
# Skips with a message where git or pre-commit is not installed
# (apt-get install git pre-commit).
# SPDX-License-Identifier: MIT
set -u
root=$(cd "${1:-.}" && pwd) || exit 2
# the hooks and the README from the source tree this script lives in (REPO-ROOT
# may be a build tree of links to it)
src=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd) || exit 2
[ -x "$root/mojifix" ] || { echo "precommit: build ./mojifix first" >&2; exit 2; }
if ! command -v git >/dev/null 2>&1; then
	echo "precommit: skipped, git is not installed (apt-get install git)"
	echo "precommit: 0 passed, 0 failed"
	exit 0
fi
have_pc=yes
command -v pre-commit >/dev/null 2>&1 || have_pc=no

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mojifix-precommit.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
# nothing from the user's or the machine's configuration, no network
HOME=$tmp/home
PRE_COMMIT_HOME=$tmp/pre-commit-cache
XDG_CACHE_HOME=$tmp/cache
XDG_CONFIG_HOME=$tmp/config
GIT_CONFIG_NOSYSTEM=1
GIT_TERMINAL_PROMPT=0
PRE_COMMIT_COLOR=never
PATH=$root:$PATH
export HOME PRE_COMMIT_HOME XDG_CACHE_HOME XDG_CONFIG_HOME GIT_CONFIG_NOSYSTEM GIT_TERMINAL_PROMPT PRE_COMMIT_COLOR PATH
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir "$HOME"
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# garbled samples mojifix repairs exactly, and clean ones
in=$root/samples/in exp=$root/samples/expected
garbled="utf8-as-latin1-faq utf8-as-latin1-story utf8-as-cp1252-log utf8-as-cp1252-subtitles
	gbk-as-latin1-news-bus gbk-as-latin1-subtitles gbk-as-cp1252-faq gbk-as-cp1252-table"
clean=$(cd "$in" && ls neg-*.txt | sed 's/\.txt$//')

newrepo() {
	rm -rf "$1" && git init -q "$1" && (cd "$1" &&
		git config user.name "mojifix test" && git config user.email test@mojifix.invalid &&
		git config commit.gpgsign false)
}
# fill DIR NGARBLED NCLEAN: g-N.txt from the garbled samples, c-N.txt from
# the clean ones, in a subdirectory too, clean ones with an old mtime
fill() {
	i=0; set -- "$1" "$2" "$3"
	mkdir -p "$1/sub"
	while [ $i -lt "$2" ]; do
		for s in $garbled; do
			[ $i -lt "$2" ] || break
			i=$((i + 1)); d=$1; [ $((i % 3)) = 0 ] && d=$1/sub
			cp "$in/$s.txt" "$d/g-$i.txt"; echo "$s" >"$tmp/map.g-$i"
		done
	done
	i=0
	while [ $i -lt "$3" ]; do
		for s in $clean; do
			[ $i -lt "$3" ] || break
			i=$((i + 1)); d=$1; [ $((i % 3)) = 0 ] && d=$1/sub
			cp "$in/$s.txt" "$d/c-$i.txt"; touch -d 2020-01-01 "$d/c-$i.txt"
		done
	done
}
# verify DIR CASE: garbled files repaired to the expected text, clean ones
# byte-identical with their old mtime
verify() {
	nrep=0 nbadg=0 nbadc=0 old=$(date -d 2020-01-01 +%s)
	for f in $(cd "$1" && find . -name 'g-*.txt'); do
		b=$(basename "$f" .txt)
		cmp -s "$1/$f" "$exp/$(cat "$tmp/map.$b").txt" && nrep=$((nrep + 1)) || { nbadg=$((nbadg + 1)); echo "  not repaired as expected: $f"; }
	done
	for f in $(cd "$1" && find . -name 'c-*.txt'); do
		n=$(cd "$in" && for s in $clean; do cmp -s "$s.txt" "$1/$f" && echo y && break; done)
		[ "$n" = y ] && [ "$(stat -c %Y "$1/$f")" = "$old" ] || { nbadc=$((nbadc + 1)); echo "  clean file touched: $f"; }
	done
	[ $nbadg = 0 ] && ok || bad "$2: $nbadg garbled file(s) not repaired to the expected text"
	[ $nbadc = 0 ] && ok || bad "$2: $nbadc clean file(s) changed or touched"
	echo "$2: $nrep garbled files repaired"
}
commit() { (cd "$1" && shift && git commit -q "$@") >"$tmp/out" 2>&1; }

if [ $have_pc = yes ]; then
	# ---- the framework, with our .pre-commit-hooks.yaml ----
	hooks=$tmp/hook-repo
	newrepo "$hooks"
	cp "$src/.pre-commit-hooks.yaml" "$hooks/"
	(cd "$hooks" && git add .pre-commit-hooks.yaml && git commit -q -m hooks) || bad "hook repository"
	rev=$(cd "$hooks" && git rev-parse HEAD)
	proj=$tmp/proj
	newrepo "$proj"
	config() {
		{ echo "repos:"; echo "  - repo: $hooks"; echo "    rev: $rev"; echo "    hooks:"
		  for h in "$@"; do echo "      - id: $h"; done; } >"$proj/.pre-commit-config.yaml"
		(cd "$proj" && git add .pre-commit-config.yaml)
	}
	config mojifix-check
	(cd "$proj" && pre-commit install >/dev/null) && ok || bad "pre-commit install"
	commit "$proj" -m config && ok || bad "committing the config: $(cat "$tmp/out")"

	# the check hook: refused, named, nothing changed
	cp "$in/utf8-as-latin1-story.txt" "$proj/notes.txt"
	cp "$in/neg-zh-fullwidth.txt" "$proj/clean.txt"; touch -d 2020-01-01 "$proj/clean.txt"
	(cd "$proj" && git add notes.txt clean.txt)
	commit "$proj" -m notes && bad "check hook: a garbled file was committed" || ok
	grep -q "notes.txt: garbled" "$tmp/out" && ok || bad "check hook: the file is not named: $(cat "$tmp/out")"
	grep -q "clean.txt" "$tmp/out" && bad "check hook: a clean file is listed" || ok
	cmp -s "$proj/notes.txt" "$in/utf8-as-latin1-story.txt" && ok || bad "check hook: changed the file"

	# the fixing hook: refused, repaired, then committed
	config mojifix
	commit "$proj" -m notes && bad "fixing hook: a garbled file was committed" || ok
	grep -q "files were modified by this hook" "$tmp/out" && grep -q "notes.txt" "$tmp/out" && ok ||
		bad "fixing hook: no report of the repair: $(cat "$tmp/out")"
	cmp -s "$proj/notes.txt" "$exp/utf8-as-latin1-story.txt" && ok || bad "fixing hook: not repaired to the expected text"
	cmp -s "$proj/clean.txt" "$in/neg-zh-fullwidth.txt" && [ "$(stat -c %Y "$proj/clean.txt")" = "$(date -d 2020-01-01 +%s)" ] &&
		ok || bad "fixing hook: the clean file was touched"
	(cd "$proj" && git add notes.txt)
	commit "$proj" -m notes && ok || bad "fixing hook: the repaired file was not committed: $(cat "$tmp/out")"
	(cd "$proj" && git show HEAD:notes.txt) | cmp -s - "$exp/utf8-as-latin1-story.txt" && ok || bad "the commit does not hold the repair"

	# 300 files in one commit: 100 garbled, 200 clean
	fill "$proj/many" 100 200
	(cd "$proj" && git add many)
	start=$(date +%s)
	commit "$proj" -m many && bad "300 files: a garbled file was committed" || ok
	echo "300 files: the fixing hook took $(($(date +%s) - start))s"
	verify "$proj/many" "300 files"
	(cd "$proj" && git add many)
	commit "$proj" -m many && ok || bad "300 files: the repaired files were not committed: $(cat "$tmp/out")"
	[ -z "$(cd "$proj" && git status --porcelain)" ] && ok || bad "300 files: left uncommitted: $(cd "$proj" && git status --porcelain | head -3)"

	# both hooks, a binary file among them: types [text] keeps it out
	config mojifix-check mojifix
	commit "$proj" -m "both hooks" && ok || bad "config with both hooks: $(cat "$tmp/out")"
	printf 'a\000b\n' >"$proj/data.bin"
	cp "$in/gbk-as-cp1252-table.txt" "$proj/table.txt"
	(cd "$proj" && git add data.bin table.txt)
	commit "$proj" -m two && bad "both hooks: a garbled file was committed" || ok
	grep -q "table.txt: garbled" "$tmp/out" && ok || bad "both hooks: the check hook does not name the file: $(cat "$tmp/out")"
	grep -q "data.bin" "$tmp/out" && bad "both hooks: the binary file was given to mojifix" || ok
	cmp -s "$proj/table.txt" "$exp/gbk-as-cp1252-table.txt" && ok || bad "both hooks: not repaired"
	(cd "$proj" && git add table.txt)
	commit "$proj" -m two && ok || bad "both hooks: not committed after the repair: $(cat "$tmp/out")"

	# ---- the README's repo: local configuration ----
	local=$tmp/local
	newrepo "$local"
	# the README's fenced yaml block that has "repo: local"
	awk '/^```yaml/ { b = ""; inb = 1; next } /^```/ && inb { inb = 0; if (b ~ /repo: local/) printf "%s", b; next }
		inb { b = b $0 "\n" }' "$src/README.md" >"$local/.pre-commit-config.yaml"
	grep -q "repo: local" "$local/.pre-commit-config.yaml" && ok || bad "README: no repo: local configuration found"
	(cd "$local" && git add .pre-commit-config.yaml && pre-commit install >/dev/null)
	commit "$local" -m config && ok || bad "local config: $(cat "$tmp/out")"
	cp "$in/utf8-as-cp1252-log.txt" "$local/log.txt"
	(cd "$local" && git add log.txt)
	commit "$local" -m log && bad "local config: a garbled file was committed" || ok
	grep -q "log.txt" "$tmp/out" && ok || bad "local config: the file is not named: $(cat "$tmp/out")"
	cmp -s "$local/log.txt" "$exp/utf8-as-cp1252-log.txt" && ok || bad "local config: not repaired"
	(cd "$local" && git add log.txt)
	commit "$local" -m log && ok || bad "local config: not committed after the repair: $(cat "$tmp/out")"
	[ -z "$(ls "$PRE_COMMIT_HOME" 2>/dev/null | grep -v -e '^repo' -e '\.lock$' -e '^db\.db$' -e '^README$')" ] && ok ||
		bad "pre-commit installed something: $(ls "$PRE_COMMIT_HOME")"
else
	echo "precommit: the pre-commit framework is not installed (apt-get install pre-commit): its tests skipped"
fi

# ---- the plain hook, contrib/pre-commit ----
plain=$tmp/plain
newrepo "$plain"
cp "$src/contrib/pre-commit" "$plain/.git/hooks/pre-commit"
chmod +x "$plain/.git/hooks/pre-commit"
echo readme >"$plain/README"
(cd "$plain" && git add README)
commit "$plain" -m init && ok || bad "plain hook: a clean first commit refused: $(cat "$tmp/out")"
cp "$in/utf8-as-latin1-faq.txt" "$plain/faq.txt"
mkdir "$plain/dir with space"
cp "$in/gbk-as-latin1-subtitles.txt" "$plain/dir with space/-sub title.txt"
cp "$in/neg-zh-poems-tang.txt" "$plain/poems.txt"
(cd "$plain" && git add .)
commit "$plain" -m garbled && bad "plain hook: garbled files committed" || ok
grep -q "^faq.txt: garbled" "$tmp/out" && grep -q "^dir with space/-sub title.txt: garbled" "$tmp/out" && ok ||
	bad "plain hook: the files are not named: $(cat "$tmp/out")"
grep -q "poems.txt" "$tmp/out" && bad "plain hook: a clean file listed" || ok
grep -q "commit refused" "$tmp/out" && ok || bad "plain hook: no reason given"
# the index counts, not the working tree: repaired but not staged is refused
"$root/mojifix" -q -i "$plain/faq.txt" "$plain/dir with space/-sub title.txt"
commit "$plain" -m garbled && bad "plain hook: checked the working tree, not the index" || ok
(cd "$plain" && git add .)
commit "$plain" -m repaired && ok || bad "plain hook: repaired files refused: $(cat "$tmp/out")"
# staged repaired, working tree garbled again: the commit is right
cp "$in/utf8-as-latin1-faq.txt" "$plain/faq.txt"
echo more >>"$plain/README"; (cd "$plain" && git add README)
commit "$plain" -m readme && ok || bad "plain hook: refused for an unstaged garbled file: $(cat "$tmp/out")"
git -C "$plain" checkout -q faq.txt
# symbolic links (even dangling), binary files, deletions, -a and paths
ln -s nowhere "$plain/dangling"
printf 'a\000b\n' >"$plain/data.bin"
(cd "$plain" && git add dangling data.bin && git rm -q poems.txt)
commit "$plain" -m misc && ok || bad "plain hook: links, binary, deletion refused: $(cat "$tmp/out")"
cp "$in/gbk-as-cp1252-faq.txt" "$plain/faq.txt"
commit "$plain" -a -m all && bad "plain hook: git commit -a let a garbled file in" || ok
grep -q "^faq.txt: garbled" "$tmp/out" && ok || bad "plain hook: commit -a: not named: $(cat "$tmp/out")"
git -C "$plain" checkout -q faq.txt
# 300 files, one hook run
fill "$plain/many" 100 200
(cd "$plain" && git add many)
start=$(date +%s)
commit "$plain" -m many && bad "plain hook: 300 files: garbled ones committed" || ok
echo "plain hook, 300 files: $(($(date +%s) - start))s"
[ "$(grep -c ': garbled' "$tmp/out")" = 100 ] && ok || bad "plain hook: 300 files: $(grep -c ': garbled' "$tmp/out") listed, want 100"
find "$plain/many" -name 'g-*.txt' -exec "$root/mojifix" -q -i {} +
verify "$plain/many" "plain hook, 300 files"
(cd "$plain" && git add many)
commit "$plain" -m many && ok || bad "plain hook: 300 repaired files refused: $(cat "$tmp/out")"
# no mojifix: refused with the reason
echo x >>"$plain/README"; (cd "$plain" && git add README)
(cd "$plain" && MOJIFIX=/nonexistent/mojifix git commit -q -m x) >"$tmp/out" 2>&1 && bad "plain hook: no mojifix, yet committed" || ok
grep -q "not found" "$tmp/out" && ok || bad "plain hook: no mojifix: no reason given: $(cat "$tmp/out")"
ls "${TMPDIR:-/tmp}" | grep -q "^mojifix-hook\." && echo "note: mojifix-hook.* directories exist in ${TMPDIR:-/tmp} (other runs?)"

echo "precommit: $pass passed, $fail failed"
[ "$fail" = 0 ]
