#!/bin/sh
# Run mojifix over the sample corpus and report, per sample, the status,
# confidence and channels of `mojifix --json`, and whether the output of
# `mojifix` matches samples/expected.
#
#   sh samples/run.sh          (from anywhere; builds ./mojifix if missing)
#
# It is a report: it exits 0 even when some samples differ, and non-zero only
# when mojifix crashes, hangs (MOJIFIX_TIMEOUT seconds, default 60) or exits 2.
# SPDX-License-Identifier: MIT
set -u
root=$(cd "$(dirname "$0")/.." && pwd) || exit 2
cd "$root" || exit 2
deps="libuchardet-dev uchardet check libopencc-dev pkg-config gcc make"

missing_deps() {
	if command -v dpkg-query >/dev/null 2>&1; then
		for p in $deps; do
			dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
				printf '%s ' "$p"
		done
	else
		for c in gcc make pkg-config; do
			command -v "$c" >/dev/null 2>&1 || printf '%s ' "$c"
		done
	fi
}

if [ ! -x ./mojifix ]; then
	miss=$(missing_deps)
	if [ -n "$miss" ]; then
		echo "samples: build dependencies missing: $miss"
		echo "samples: install them with:"
		echo "  apt-get install -y $deps"
		if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
			echo "samples: running as root: installing them"
			{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $deps; } >&2 ||
				{ echo "samples: apt-get failed" >&2; exit 2; }
		else
			exit 2
		fi
	fi
	make >&2 || { echo "samples: make failed" >&2; exit 2; }
fi

if command -v timeout >/dev/null 2>&1; then to="timeout ${MOJIFIX_TIMEOUT:-60}"; else to=""; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mojifix-samples.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

matched=0 differ=0 broken=0
printf '%-34s %-16s %-6s %-28s %s\n' name status conf channels output
for f in samples/in/*.txt; do
	name=$(basename "$f" .txt)
	$to ./mojifix --json "$f" > "$tmp/json" 2> "$tmp/err"
	jrc=$?
	$to ./mojifix "$f" > "$tmp/out" 2>> "$tmp/err"
	rc=$?
	j=$(head -n 1 "$tmp/json")
	status=$(printf '%s\n' "$j" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p')
	conf=$(printf '%s\n' "$j" | sed -n 's/.*"confidence":\([0-9.]*\).*/\1/p')
	chans=$(printf '%s\n' "$j" | sed -n 's/.*"channels":\[\([^]]*\)\].*/\1/p' | tr -d '"')
	if [ "$jrc" -ne 0 ] || [ "$rc" -ne 0 ]; then
		broken=$((broken + 1))
		why="exit $jrc/$rc"
		[ "$jrc" -eq 124 ] || [ "$rc" -eq 124 ] && why="$why (timeout)"
		[ "$jrc" -gt 128 ] || [ "$rc" -gt 128 ] && why="$why (crash)"
		status=${status:-ERROR}
		res="BROKEN: $why"
	fi
	if cmp -s "$tmp/out" "samples/expected/$name.txt"; then
		matched=$((matched + 1)); r=match
	else
		differ=$((differ + 1)); r=DIFF
	fi
	[ "$jrc" -eq 0 ] && [ "$rc" -eq 0 ] && res=$r || res="$r, ${res#BROKEN: }"
	printf '%-34s %-16s %-6s %-28s %s\n' "$name" "${status:--}" "${conf:--}" "${chans:--}" "$res"
done
echo "samples: $matched matched, $differ differ"
if [ "$broken" -gt 0 ]; then
	echo "samples: mojifix crashed, hung or exited 2 on $broken sample(s)"
	exit 1
fi
exit 0
