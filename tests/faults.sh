#!/bin/sh
# Fault tests of `mojifix -i` and of bad input on the command line.
#
#   sh tests/faults.sh [REPO-ROOT]      (needs ./mojifix, tests/faultinject.so)
#
# -i under: a file size limit and a full file system, a read-only directory
# (a read-only bind mount; as an unprivileged user, mode 555), an unreadable
# file, a sticky directory where the rename is refused, a failing rename with
# a backup asked for, a file that grows, is rewritten, vanishes or is
# replaced between the read and the rename (made to happen at exact points by
# the LD_PRELOAD shim tests/faultinject.so), and SIGINT/SIGTERM both at an
# exact point and at a random moment over many files.  Each case: the file
# is intact (or, after a signal, either intact or fully repaired), no
# temporary file is left in its directory, the exit status is 2 (a signal:
# death by that signal), and the message names the file and the reason.
# Cases that need root powers (mounts) or an unprivileged user (permission
# bits, which do not stop root) run where they can and otherwise skip with
# the reason.  Then bad input: invalid UTF-8 of each kind, NUL bytes, empty
# input, a directory, a missing file: a documented status, never a crash.
# SPDX-License-Identifier: MIT
set -u
root=$(cd "${1:-.}" && pwd) || exit 2
bin=$root/mojifix
shim=$root/tests/faultinject.so
g_in=$root/samples/in/utf8-as-latin1-story.txt
g_exp=$root/samples/expected/utf8-as-latin1-story.txt
for f in "$bin" "$shim" "$g_in" "$g_exp"; do
	[ -r "$f" ] || { echo "faults: missing $f (make mojifix tests/faultinject.so)" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mojifix-faults.XXXXXX") || exit 2
chmod 755 "$tmp"
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 2' INT TERM
# a preloaded shim under the sanitizer build
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "skip: $*"; }

# the premise: mojifix repairs the sample exactly
"$bin" <"$g_in" | cmp -s - "$g_exp" && ok || bad "premise: $g_in is not repaired to $g_exp"

n=0
# fresh: a new directory holding x.txt, a garbled file with an old mtime
fresh() {
	n=$((n + 1))
	d=$tmp/c$n
	mkdir "$d" && chmod 755 "$d"
	cp "$g_in" "$d/x.txt"
	touch -d 2020-01-01 "$d/x.txt"
}
# check CASE STATUS WANT FILE REASON-REGEX: the status, a message naming the
# file and the reason, no temporary file in $d
check() {
	c_case=$1 c_got=$2 c_want=$3 c_file=$4 c_why=$5
	[ "$c_got" = "$c_want" ] && ok || bad "$c_case: exit $c_got, want $c_want: $(cat "$tmp/err")"
	if [ -n "$c_file" ]; then
		grep -F -e "$c_file" "$tmp/err" | grep -Eq "$c_why" && ok ||
			bad "$c_case: message lacks '$c_file' and /$c_why/: $(cat "$tmp/err")"
	fi
	left=$(ls -A "$d" | grep -E 'mojifix-|faultinject')
	[ -z "$left" ] && ok || bad "$c_case: left in the directory: $left"
}
intact() { cmp -s "$d/x.txt" "$g_in" && ok || bad "$1: the original changed"; }

# ---- full disk ----

# RLIMIT_FSIZE: write(2) fails with EFBIG (SIGXFSZ is ignored, not fatal)
fresh
(ulimit -f 1 && exec "$bin" -i "$d/x.txt") 2>"$tmp/err"
check "file size limit" $? 2 "$d/x.txt" "cannot write the repaired copy: File too large"
intact "file size limit"
# and the filter writing to a file
(ulimit -f 1 && exec "$bin" "$g_in" >"$d/out") 2>"$tmp/err"
check "file size limit, filter" $? 2 "standard output" "cannot write: File too large"
rm -f "$d/out"

# a full tmpfs (ENOSPC), in a private mount namespace
can_mount=no
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m sh -c "mount -t tmpfs -o size=64k tmpfs '$tmp' && umount '$tmp'" 2>/dev/null; then
	can_mount=yes
fi
if [ $can_mount = yes ]; then
	fresh
	mkdir "$d/full"
	unshare -m sh -c '
		d=$1 bin=$2 g=$3
		mount -t tmpfs -o size=8k tmpfs "$d/full" || exit 3
		cp "$g" "$d/full/x.txt"
		dd if=/dev/zero of="$d/full/fill" bs=1024 2>/dev/null
		"$bin" -i "$d/full/x.txt" 2>"$d/err"; echo $? >"$d/status"
		cmp -s "$d/full/x.txt" "$g" && echo intact >"$d/intact"
		ls -A "$d/full" >"$d/ls"' sh "$d" "$bin" "$g_in"
	mv "$d/err" "$tmp/err"
	check "full file system" "$(cat "$d/status")" 2 "$d/full/x.txt" "No space left on device"
	[ -f "$d/intact" ] && ok || bad "full file system: the original changed"
	[ "$(cat "$d/ls" | tr '\n' ' ')" = "fill x.txt " ] && ok || bad "full file system: left: $(cat "$d/ls")"
	rm -f "$d/ls" "$d/intact" "$d/status"
else
	skipped "full file system: cannot mount a tmpfs here (needs root and unshare); the size limit case stands in"
fi

# ---- read-only directory ----

# a read-only bind mount: EROFS, whoever we are
if [ $can_mount = yes ]; then
	fresh
	unshare -m sh -c '
		d=$1 bin=$2
		mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" || exit 3
		"$bin" -i "$d/x.txt" 2>"$3/err"; echo $? >"$3/status"' sh "$d" "$bin" "$tmp"
	check "read-only file system" "$(cat "$tmp/status")" 2 "$d/x.txt" \
		"cannot create a temporary file in its directory: Read-only file system"
	intact "read-only file system"
else
	skipped "read-only bind mount: cannot mount here"
fi

# permission bits stop only an unprivileged user: as root, run as nobody
as_user=""
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1 &&
		setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$bin" 2>/dev/null; then
		as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		as_user=none
	fi
fi
if [ "$as_user" != none ]; then
	fresh
	chmod 555 "$d"
	$as_user "$bin" -i "$d/x.txt" 2>"$tmp/err"
	check "read-only directory (mode 555)" $? 2 "$d/x.txt" \
		"cannot create a temporary file in its directory: Permission denied"
	intact "read-only directory (mode 555)"
	chmod 755 "$d"

	# ---- permission denied on the file ----
	fresh
	chmod 000 "$d/x.txt"
	[ -n "$as_user" ] && chown 65534:65534 "$d" || chmod 777 "$d"
	$as_user "$bin" -i "$d/x.txt" 2>"$tmp/err"
	check "unreadable file" $? 2 "$d/x.txt" "cannot open: Permission denied"
	chmod 644 "$d/x.txt"
	intact "unreadable file"
	$as_user "$bin" --check "$d/x.txt" 2>/dev/null >/dev/null
	[ $? = 1 ] && ok || bad "unreadable file: readable again, yet not found garbled"

	# a sticky directory: the file may be read and a temporary file made,
	# but the rename over someone else's file is refused
	if [ -n "$as_user" ]; then
		fresh
		chmod 1777 "$d"
		$as_user "$bin" -i "$d/x.txt" 2>"$tmp/err"
		check "sticky directory, rename refused" $? 2 "$d/x.txt" \
			"cannot replace the file: Operation not permitted"
		intact "sticky directory, rename refused"
	fi
else
	skipped "read-only directory by mode, unreadable file: running as root and cannot drop to an unprivileged user (setpriv)"
fi

# ---- rename fails; the backup asked for is not left either ----
fresh
MOJIFIX_FAULT=rename-fail LD_PRELOAD=$shim "$bin" -i.bak "$d/x.txt" 2>"$tmp/err"
check "rename fails" $? 2 "$d/x.txt" "cannot replace the file: Invalid cross-device link"
intact "rename fails"
[ -e "$d/x.txt.bak" ] && bad "rename fails: backup left" || ok

# ---- the file changes between the read and the rename ----
# $1 action, $2 which of the two late stat calls, $3 reason
changed_case() {
	fresh
	MOJIFIX_FAULT=$1 MOJIFIX_FAULT_CALL=$2 MOJIFIX_FAULT_PATH=$d/x.txt LD_PRELOAD=$shim \
		"$bin" -i "$d/x.txt" 2>"$tmp/err"
	check "$1 (stat $2)" $? 2 "$d/x.txt" "$3"
}
for call in 1 2; do
	changed_case append $call "changed while being repaired, left as it is"
	{ cat "$g_in"; echo "appended meanwhile"; } | cmp -s - "$d/x.txt" && ok ||
		bad "append (stat $call): the other writer's version was not kept"
	changed_case rewrite $call "changed while being repaired, left as it is"
	intact "rewrite (stat $call)"
	changed_case unlink $call "disappeared while being repaired, not recreated"
	[ -e "$d/x.txt" ] && bad "unlink (stat $call): the file was recreated" || ok
	changed_case replace $call "was replaced by another file while being repaired"
	[ "$(cat "$d/x.txt")" = "another file" ] && ok || bad "replace (stat $call): the new file was overwritten"
done

# ---- signals ----

# at an exact point: the repaired copy of the 3rd file is complete but not
# yet renamed; files 1-2 are repaired, 3-5 left as they were
for sig in sigterm sigint; do
	fresh
	for i in 1 2 3 4 5; do cp "$g_in" "$d/f$i.txt"; done
	MOJIFIX_FAULT=$sig MOJIFIX_FAULT_CALL=3 LD_PRELOAD=$shim env --default-signal=INT,TERM \
		"$bin" -i "$d/f1.txt" "$d/f2.txt" "$d/f3.txt" "$d/f4.txt" "$d/f5.txt" 2>"$tmp/err"
	st=$?
	want=143; [ $sig = sigint ] && want=130
	check "$sig during the 3rd of 5 files" $st $want "" ""
	cmp -s "$d/f1.txt" "$g_exp" && cmp -s "$d/f2.txt" "$g_exp" && ok || bad "$sig: files before it not repaired"
	cmp -s "$d/f3.txt" "$g_in" && cmp -s "$d/f4.txt" "$g_in" && cmp -s "$d/f5.txt" "$g_in" && ok ||
		bad "$sig: files from the interrupted one on changed"
done

# a signal ignored at the start (nohup, trap '' INT) stays ignored
fresh
cp "$g_in" "$d/y.txt"
MOJIFIX_FAULT=sigint LD_PRELOAD=$shim sh -c 'trap "" INT; exec "$@"' sh "$bin" -i "$d/x.txt" "$d/y.txt" 2>"$tmp/err"
check "SIGINT ignored from the start" $? 0 "" ""
cmp -s "$d/x.txt" "$g_exp" && cmp -s "$d/y.txt" "$g_exp" && ok || bad "SIGINT ignored from the start: not repaired"

# at a random moment over many files: each file intact or fully repaired
nfiles=${FAULTS_NFILES:-400}
for sig in TERM INT; do
	fresh
	rm "$d/x.txt"
	i=0
	while [ $i -lt $nfiles ]; do i=$((i + 1)); cp "$g_in" "$d/f$i.txt"; done
	# (the shell would have the job ignore SIGINT; env restores the default)
	env --default-signal=INT,TERM "$bin" -i -q "$d"/f*.txt 2>"$tmp/err" &
	pid=$!
	# wait until some file (which one varies from run to run) is repaired,
	# at most 20 s, then signal
	k=$(( $$ % (nfiles / 4 + 1) + 1 ))
	t=0
	while [ $t -lt 2000 ] && kill -0 $pid 2>/dev/null; do
		cmp -s "$d/f$k.txt" "$g_exp" && break
		sleep 0.01; t=$((t + 1))
	done
	kill -$sig $pid 2>/dev/null
	wait $pid 2>/dev/null
	st=$?
	want=143; [ $sig = INT ] && want=130
	nrep=0 nint=0 nbad=0
	for f in "$d"/f*.txt; do
		if cmp -s "$f" "$g_exp"; then nrep=$((nrep + 1))
		elif cmp -s "$f" "$g_in"; then nint=$((nint + 1))
		else nbad=$((nbad + 1)); fi
	done
	if [ $st = 0 ]; then
		skipped "SIG$sig over $nfiles files: mojifix finished first (raise FAULTS_NFILES); invariants still checked"
		check "SIG$sig over $nfiles files" $st 0 "" ""
	else
		check "SIG$sig over $nfiles files" $st $want "" ""
	fi
	[ $nbad = 0 ] && ok || bad "SIG$sig: $nbad file(s) neither intact nor repaired"
	echo "SIG$sig over $nfiles files: $nrep repaired, $nint intact, $nbad partial, exit $st"
done

# ---- bad input on the command line ----

d=$tmp/input
mkdir "$d"
# status: the filter and -i exit 0 on any bytes (nothing rewritten that is
# not garbled), --check 0 or 1; never a crash
i=0
for bytes in '\300\200' '\340\200\200' '\360\200\200\200' '\355\240\200' '\355\277\277' \
	'\344\270' '\344\270a' '\200' '\277\277' '\365\200\200\200' '\370\210\200\200\200' \
	'\374\204\200\200\200\200' '\376\377' '\377'; do
	i=$((i + 1))
	f=$d/bad$i.txt
	printf "中文开头\\n$bytes\\n结尾中文\\n中文$bytes" >"$f"
	"$bin" <"$f" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st = 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "invalid UTF-8 '$bytes': filter exit $st: $(cat "$tmp/err")"
	"$bin" --check "$f" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st = 0 ] || [ $st = 1 ] && ok || bad "invalid UTF-8 '$bytes': --check exit $st: $(cat "$tmp/err")"
	"$bin" --json "$f" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st = 0 ] && [ "$(wc -l <"$tmp/out")" = 1 ] && grep -q '"status":"[a-z-]*"' "$tmp/out" && ok ||
		bad "invalid UTF-8 '$bytes': --json exit $st: $(cat "$tmp/out" "$tmp/err")"
	cp "$f" "$f.orig"
	"$bin" -i "$f" >"$tmp/out" 2>"$tmp/err"
	st=$?
	[ $st = 0 ] && ok || bad "invalid UTF-8 '$bytes': -i exit $st: $(cat "$tmp/err")"
done
left=$(ls -A "$d" | grep mojifix-)
[ -z "$left" ] && ok || bad "invalid UTF-8: left: $left"

# NUL bytes: passed through by the filter, not counted by --check, not
# rewritten by -i (exit 2, named)
printf 'a\000b\n中文\000\n' >"$d/nul.txt"
cp "$d/nul.txt" "$d/nul.orig"
"$bin" <"$d/nul.txt" | cmp -s - "$d/nul.orig" && ok || bad "NUL bytes: filter changed them"
"$bin" --check "$d/nul.txt" >/dev/null 2>&1 && ok || bad "NUL bytes: --check exit $?"
"$bin" -i "$d/nul.txt" 2>"$tmp/err"
check "NUL bytes, -i" $? 2 "$d/nul.txt" "binary file \(NUL bytes\), skipped"
cmp -s "$d/nul.txt" "$d/nul.orig" && ok || bad "NUL bytes: -i changed the file"

# empty input
: >"$d/empty.txt"
"$bin" </dev/null >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "empty stdin"
"$bin" "$d/empty.txt" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/out" ] && ok || bad "empty file"
"$bin" --check "$d/empty.txt" >/dev/null 2>&1 && ok || bad "empty file: --check exit $?"
touch -d 2020-01-01 "$d/empty.txt"
"$bin" -i "$d/empty.txt" 2>"$tmp/err" && [ ! -s "$d/empty.txt" ] &&
	[ "$(stat -c %Y "$d/empty.txt")" = "$(date -d 2020-01-01 +%s)" ] && ok || bad "empty file: -i touched it"

# a directory and a missing file: exit 2, named, the other files still done
cp "$g_in" "$d/g.txt"
"$bin" "$d" "$d/missing.txt" "$d/g.txt" >"$tmp/out" 2>"$tmp/err"
check "directory and missing file, filter" $? 2 "$d:" "is a directory"
check "directory and missing file, filter" 2 2 "$d/missing.txt" "cannot open: No such file or directory"
cmp -s "$tmp/out" "$g_exp" && ok || bad "filter: the file after the bad ones not repaired"
"$bin" --check "$d" "$d/missing.txt" "$d/g.txt" >"$tmp/out" 2>"$tmp/err"
check "directory and missing file, --check" $? 2 "$d/missing.txt" "No such file"
grep -q "g.txt: garbled" "$tmp/out" && ok || bad "--check: the file after the bad ones not listed"
"$bin" -i "$d" "$d/missing.txt" "$d/g.txt" 2>"$tmp/err"
check "directory and missing file, -i" $? 2 "$d:" "is a directory, skipped"
check "directory and missing file, -i" 2 2 "$d/missing.txt" "cannot stat: No such file or directory"
cmp -s "$d/g.txt" "$g_exp" && ok || bad "-i: the file after the bad ones not repaired"
"$bin" --json "$d/missing.txt" >"$tmp/out" 2>/dev/null
[ $? = 2 ] && grep -q '"status":"error"' "$tmp/out" && ok || bad "--json: a missing file is not an error object"
"$bin" -i - </dev/null 2>"$tmp/err"
check "-i on stdin" $? 2 "-" "cannot repair standard input in place"
"$bin" -i 2>"$tmp/err"
check "-i without files" $? 2 "-i" "needs file names"

[ "$skip" = 0 ] || echo "faults: $skip skipped"
echo "faults: $pass passed, $fail failed"
[ "$fail" = 0 ]
