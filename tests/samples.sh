#!/bin/sh
# Golden test over the sample corpus: for every samples/in/NAME.txt, the
# status mojifix reports and whether its output is samples/expected/NAME.txt
# byte for byte, against tests/samples.golden.  Negatives (expected = input)
# must match: mojifix never rewrites them.  A sample that starts to match, or
# stops, fails the test until the golden file says so:
#   sh tests/samples.sh . --update     rewrite tests/samples.golden
# SPDX-License-Identifier: MIT
root=${1:-.}
cd "$root" || exit 2
golden=tests/samples.golden
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/now"
st=0
for f in samples/in/*.txt; do
	name=$(basename "$f" .txt)
	exp=samples/expected/$name.txt
	./mojifix "$f" > "$tmp/out" 2>/dev/null
	rc=$?
	status=$(./mojifix --json "$f" 2>/dev/null | sed -n 's/.*"status":"\([a-z-]*\)".*/\1/p')
	if cmp -s "$tmp/out" "$exp"; then m=match; else m=differ; fi
	[ $rc = 0 ] || { echo "FAIL: $name: exit $rc"; st=1; }
	if cmp -s "$f" "$exp" && [ $m != match ]; then
		echo "FAIL: $name: a negative was changed"
		st=1
	fi
	printf '%s %s %s\n' "$name" "$status" "$m" >> "$tmp/now"
done
if [ "${2:-}" = --update ]; then
	cp "$tmp/now" "$golden"
	echo "samples: $golden rewritten ($(grep -c ' match$' "$golden") match, $(grep -c ' differ$' "$golden") differ)"
	exit $st
fi
if ! diff "$golden" "$tmp/now" > "$tmp/diff"; then
	echo "FAIL: samples differ from $golden (< golden, > now); if the change is right: sh tests/samples.sh . --update"
	cat "$tmp/diff"
	st=1
fi
echo "samples: $(grep -c ' match$' "$tmp/now") match their expected output, $(grep -c ' differ$' "$tmp/now") differ (as in $golden)"
exit $st
