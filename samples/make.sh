#!/bin/sh
# Regenerate samples/in, samples/expected and samples/MANIFEST from tests/text
# with tests/garble.  Expected files are never made by running mojifix: for a
# recoverable channel the expected output is the clean excerpt itself; for
# 口字码/锟拷码 and negatives it is the input unchanged.
# Run from anywhere:  sh samples/make.sh   (needs `make tests/garble`)
# SPDX-License-Identifier: MIT
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -x tests/garble ] || make tests/garble >/dev/null
S=samples
rm -rf $S/in $S/expected
mkdir -p $S/in $S/expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > $S/MANIFEST.new
MAX=2048

# gen NAME SOURCE KIND GARBLE-ARGS...
#   KIND: fix (expected = clean excerpt), keep (expected = input),
#   ref (expected = the generator's perfect repair, where the garbling
#   destroyed something no repair can know, e.g. folded punctuation)
gen() {
	name=$1 src=$2 kind=$3
	shift 3
	n=$(wc -l < "tests/text/$src")
	while [ "$n" -gt 0 ]; do
		head -n "$n" "tests/text/$src" > "$tmp/clean"
		if tests/garble "$@" --ref "$tmp/ref" < "$tmp/clean" > "$tmp/out"; then :; else
			echo "make.sh: $name: garble failed" >&2; exit 1
		fi
		sz=$(wc -c < "$tmp/out")
		if [ "$sz" -le $MAX ] && [ "$(wc -c < "$tmp/clean")" -le $MAX ]; then break; fi
		n=$((n - 1))
	done
	[ "$n" -gt 0 ] || { echo "make.sh: $name: no excerpt fits" >&2; exit 1; }
	if cmp -s "$tmp/out" "$tmp/clean"; then
		echo "make.sh: $name: garble left the text unchanged" >&2; exit 1
	fi
	if [ "$kind" = fix ] && ! cmp -s "$tmp/ref" "$tmp/clean"; then
		echo "make.sh: $name: garble's perfect repair differs from the clean text" >&2; exit 1
	fi
	cp "$tmp/out" "$S/in/$name.txt"
	case $kind in
	fix) cp "$tmp/clean" "$S/expected/$name.txt" ;;
	ref) cp "$tmp/ref" "$S/expected/$name.txt" ;;
	*) cp "$tmp/out" "$S/expected/$name.txt" ;;
	esac
	q=""
	for a in "$@"; do
		case $a in *[!A-Za-z0-9_.,=/-]*) q="$q '$a'" ;; *) q="$q $a" ;; esac
	done
	printf '%s\ttests/text/%s lines 1-%s\thead -n %s tests/text/%s | tests/garble%s\n' \
		"$name" "$src" "$n" "$n" "$src" "$q" >> $S/MANIFEST.new
}

# neg NAME FILE: a negative, copied as it is
neg() {
	cp "$2" "$S/in/$1.txt"
	cp "$2" "$S/expected/$1.txt"
	printf '%s\t%s\tcp %s (negative, unchanged)\n' "$1" "$2" "$2" >> $S/MANIFEST.new
}

# 古文码: UTF-8 decoded as GBK-family
gen utf8-as-gbk-gbk-q-story          zh-story.txt          fix --channel utf8-as-gbk --decoder gbk --repl '?' --seed 1
gen utf8-as-gbk-gb18030-news         zh-news-weather.txt   fix --channel utf8-as-gbk --decoder gb18030 --seed 2
gen utf8-as-gbk-cp936-letter         zh-letter.txt         fix --channel utf8-as-gbk --decoder cp936 --repl '?' --consume 2 --seed 3
gen utf8-as-gbk-pygbk-fffd-recipe    zh-recipe.txt         fix --channel utf8-as-gbk --decoder python-gbk --repl fffd --consume 1 --seed 4
gen utf8-as-gbk-whatwg-trad-essay    zh-trad-essay.txt     fix --channel utf8-as-gbk --decoder whatwg --repl fffd --seed 5
gen utf8-as-gbk-icu-chat             zh-chat.txt           fix --channel utf8-as-gbk --decoder icu --repl fffd --seed 6
gen utf8-as-gbk-pygb18030-faq        zh-faq.txt            fix --channel utf8-as-gbk --decoder python-gb18030 --repl fffd --consume 1 --seed 7
gen utf8-as-gbk-gbk-drop-tech        zh-tech-build.txt     fix --channel utf8-as-gbk --decoder gbk --repl drop --seed 8
gen utf8-as-gbk-gb18030-fffd2-notice zh-trad-notice.txt    fix --channel utf8-as-gbk --decoder gb18030 --repl fffd --consume 2 --seed 9
gen utf8-as-gbk-cp936-q1-readme      zh-readme.txt         fix --channel utf8-as-gbk --decoder cp936 --repl '?' --consume 1 --seed 10

# 符号码: UTF-8 decoded as Latin-1 / CP1252
gen utf8-as-latin1-faq               zh-faq.txt            fix --channel utf8-as-latin1 --seed 1
gen utf8-as-latin1-poems-tang        zh-poems-tang.txt     fix --channel utf8-as-latin1 --seed 2
gen utf8-as-latin1-trad-forum        zh-trad-forum.txt     fix --channel utf8-as-latin1 --seed 3
gen utf8-as-latin1-story              zh-story.txt          fix --channel utf8-as-latin1 --seed 4
gen utf8-as-latin1-trad-essay         zh-trad-essay.txt     fix --channel utf8-as-latin1 --seed 5
gen utf8-as-cp1252-mixed-en          zh-mixed-en.txt       fix --channel utf8-as-cp1252 --holes c1 --seed 1
gen utf8-as-cp1252-log               zh-log.txt            fix --channel utf8-as-cp1252 --holes c1 --seed 2
gen utf8-as-cp1252-trad-notice       zh-trad-notice.txt    fix --channel utf8-as-cp1252 --holes c1 --seed 3
gen utf8-as-cp1252-subtitles          zh-subtitles.txt      fix --channel utf8-as-cp1252 --holes c1 --seed 4
gen utf8-as-cp1252-poems-song         zh-poems-song-trad.txt fix --channel utf8-as-cp1252 --holes c1 --seed 5

# 拼音码: GBK decoded as Latin-1 / CP1252
gen gbk-as-latin1-news-bus           zh-news-bus.txt       fix --channel gbk-as-latin1 --enc gbk --seed 1
gen gbk-as-latin1-subtitles          zh-subtitles.txt      fix --channel gbk-as-latin1 --enc gbk --seed 2
gen gbk-as-latin1-classical-ailian   zh-classical-ailian.txt fix --channel gbk-as-latin1 --enc gbk --seed 3
gen gbk-as-latin1-gb18030-letter       zh-letter.txt         fix --channel gbk-as-latin1 --enc gb18030 --seed 4
gen gbk-as-latin1-trad-essay          zh-trad-essay.txt     fix --channel gbk-as-latin1 --enc gbk --seed 5
gen gbk-as-cp1252-table              zh-table.txt          fix --channel gbk-as-cp1252 --enc gbk --holes c1 --seed 1
gen gbk-as-cp1252-tech-build         zh-tech-build.txt     fix --channel gbk-as-cp1252 --enc gbk --holes c1 --seed 2
gen gbk-as-cp1252-trad-tech          zh-trad-tech.txt      fix --channel gbk-as-cp1252 --enc gbk --holes c1 --seed 3
gen gbk-as-cp1252-faq                 zh-faq.txt            fix --channel gbk-as-cp1252 --enc gbk --holes c1 --seed 4
gen gbk-as-cp1252-poems-tang          zh-poems-tang.txt     fix --channel gbk-as-cp1252 --enc gbk --holes c1 --seed 5
gen gbk-as-cp1252-drop-trad-forum     zh-trad-forum.txt     fix --channel gbk-as-cp1252 --enc gbk --holes drop --seed 6
gen gbk-as-cp1252-fffd-trad-notice    zh-trad-notice.txt    fix --channel gbk-as-cp1252 --enc gbk --holes fffd --seed 7

# two layers
gen layers-gbk-gbk-story             zh-story.txt          fix --layers utf8-as-gbk,utf8-as-gbk --decoder gb18030 --seed 1
gen layers-gbk-gbk-letter            zh-letter.txt         fix --layers utf8-as-gbk,utf8-as-gbk --decoder gb18030 --seed 2
gen layers-gbk-gbk-faq               zh-faq.txt            fix --layers utf8-as-gbk,utf8-as-gbk --decoder gb18030 --seed 3
gen layers-gbk-cp1252-news           zh-news-weather.txt   fix --layers utf8-as-gbk,utf8-as-cp1252 --decoder gb18030 --holes c1 --seed 1
gen layers-gbk-cp1252-recipe         zh-recipe.txt         fix --layers utf8-as-gbk,utf8-as-cp1252 --decoder gb18030 --holes c1 --seed 2
gen layers-gbk-cp1252-trad-forum     zh-trad-forum.txt     fix --layers utf8-as-gbk,utf8-as-cp1252 --decoder gb18030 --holes c1 --seed 3
# lossless chains with a 符号码 layer inside
gen layers-latin1-latin1-story       zh-story.txt          fix --layers utf8-as-latin1,utf8-as-latin1 --seed 1
gen layers-latin1-gbk-faq            zh-faq.txt            fix --layers utf8-as-latin1,utf8-as-gbk --decoder gb18030 --repl fffd --consume 2 --seed 1
gen layers-gbk1252-latin1-trad-notice zh-trad-notice.txt   fix --layers gbk-as-cp1252,utf8-as-latin1 --holes c1 --seed 1

# partial: only some lines (or spans) garbled
gen partial-gbk-lines-log            zh-log.txt            fix --channel utf8-as-gbk --decoder cp936 --repl '?' --consume 2 --partial 0.3 --pmode lines --seed 1
gen partial-gbk-span-news-bus        zh-news-bus.txt       fix --channel utf8-as-gbk --decoder gb18030 --partial 0.5 --pmode span --seed 2
gen partial-latin1-lines-tech-build  zh-tech-build.txt     fix --channel gbk-as-latin1 --enc gbk --partial 0.3 --pmode lines --seed 3
gen partial-gbk-lines-chat           zh-chat.txt           fix --channel utf8-as-gbk --decoder whatwg --repl fffd --partial 0.3 --pmode lines --seed 4
gen partial-cp1252-lines-faq         zh-faq.txt            fix --channel utf8-as-cp1252 --holes c1 --partial 0.4 --pmode lines --seed 5

# seed family: (pinyin) inserted into GBK bytes (traditional texts)
gen pinyin-eat-trad-notice           zh-trad-notice.txt    fix --channel pinyin --policy eat --fold 0 --seed 1
gen pinyin-eat-trad-essay            zh-trad-essay.txt     fix --channel pinyin --policy eat --fold 0 --seed 2
gen pinyin-eat-taohuayuan            zh-classical-taohuayuan.txt fix --channel pinyin --policy eat --fold 0 --seed 3
gen pinyin-drop-trad-forum           zh-trad-forum.txt     fix --channel pinyin --policy drop --fold 0 --seed 4
gen pinyin-drop-poems-song           zh-poems-song-trad.txt fix --channel pinyin --policy drop --fold 0 --seed 5
gen pinyin-drop-lunyu                zh-classical-lunyu.txt fix --channel pinyin --policy drop --fold 0 --seed 6
gen pinyin-eat-fold-trad-tech        zh-trad-tech.txt      ref --channel pinyin --policy eat --fold 1 --seed 7
gen pinyin-eat-fold-trad-forum       zh-trad-forum.txt     ref --channel pinyin --policy eat --fold 1 --seed 8
gen pinyin-drop-fold-trad-notice     zh-trad-notice.txt    ref --channel pinyin --policy drop --fold 1 --seed 9
gen pinyin-drop-fold-trad-essay      zh-trad-essay.txt     ref --channel pinyin --policy drop --fold 1 --seed 10

# unrecoverable: reported, never rewritten
gen gbk-as-utf8-story                zh-story.txt          keep --channel gbk-as-utf8 --enc gbk --seed 1
gen gbk-as-utf8-news-weather         zh-news-weather.txt   keep --channel gbk-as-utf8 --enc gbk --seed 2
gen gbk-as-utf8-trad-notice          zh-trad-notice.txt    keep --channel gbk-as-utf8 --enc gbk --seed 3
gen gbk-as-utf8-chat                 zh-chat.txt           keep --channel gbk-as-utf8 --enc gbk --urepl fffd --uconsume 1 --seed 4
gen gbk-as-utf8-recipe               zh-recipe.txt         keep --channel gbk-as-utf8 --enc gbk --seed 5
gen kunkao-letter                    zh-letter.txt         keep --channel kunkao --enc gbk --decoder gbk --repl '?' --seed 1
gen kunkao-faq                       zh-faq.txt            keep --channel kunkao --enc gbk --decoder gbk --repl '?' --seed 2
gen kunkao-recipe                    zh-recipe.txt         keep --channel kunkao --enc gbk --decoder cp936 --repl '?' --consume 2 --seed 3
gen kunkao-story                     zh-story.txt          keep --channel kunkao --enc gbk --decoder gbk --repl '?' --seed 4
gen kunkao-trad-essay                zh-trad-essay.txt     keep --channel kunkao --enc gbk --decoder cp936 --repl '?' --consume 2 --seed 5

# negatives: must come back byte for byte
for f in tests/text/neg-*.txt; do
	b=$(basename "$f" .txt)
	neg "$b" "$f"
done
for b in zh-fullwidth zh-classical-lunyu zh-trad-tech zh-poems-tang; do
	neg "neg-$b" "tests/text/$b.txt"
done
for f in $S/neg-src/*; do
	b=$(basename "$f")
	neg "neg-${b%.*}" "$f"
done

{ printf "# name\tsource text\tcommand (run in the repo root; tests/garble from make tests/garble)\n"; cat $S/MANIFEST.new; } > $S/MANIFEST
rm -f $S/MANIFEST.new
echo "samples: $(ls $S/in | wc -l) inputs"
