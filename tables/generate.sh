#!/bin/sh
# tables/generate.sh BINDIR OUTDIR: run the table generators built in BINDIR
# on the inputs tables/inputs.sh names, writing OUTDIR/{gbk,sbcs,pinyin,lm}.h.
# SPDX-License-Identifier: MIT
set -eu

[ $# -eq 2 ] || { echo "usage: generate.sh BINDIR OUTDIR" >&2; exit 2; }
bin=$1
out=$2
inputs="sh $(dirname "$0")/inputs.sh"

d() { $inputs desc "$1"; }
p() { $inputs path "$1"; }

"$bin/gbk" -o "$out/gbk.h" \
	"$(d gbk)" "$(p gbk)" "$(d gb18030)" "$(p gb18030)"
"$bin/sbcs" -o "$out/sbcs.h" \
	"$(d cp1252)" "$(p cp1252)"
"$bin/pinyin" -o "$out/pinyin.h" \
	"$(d unihan)" "$(p unihan)" "$(d gopinyin)" "$(p gopinyin)" \
	"$(d gbk)" "$(p gbk)" "$(d big5)" "$(p big5)"
# the running-text inputs are sets of files: lm reads lists of their paths
lists=$(mktemp -d)
trap 'rm -rf "$lists"' EXIT
p manpages_zh > "$lists/manpages_zh"
p fortunes_zh > "$lists/fortunes_zh"
"$bin/lm" ${LM_FLAGS:-} -o "$out/lm.h" \
	"$(d jieba)" "$(p jieba)" "$(d essay)" "$(p essay)" \
	"$(d s2t)" "$(p s2t)" "$(d t2s)" "$(p t2s)" \
	"$(d t2tw)" "$(p t2tw)" "$(d t2hk)" "$(p t2hk)" \
	"$(d manpages_zh)" "$lists/manpages_zh" "$(d fortunes_zh)" "$lists/fortunes_zh"
