#!/bin/sh
# tables/inputs.sh: the Debian files the table generators read.
# SPDX-License-Identifier: MIT
#
#   sh tables/inputs.sh check        all inputs (and libopencc-dev, which
#                                    tables/gen/lm.c links) present?  If not,
#                                    prints "apt-get install -y PKG" per
#                                    missing package and exits 1
#   sh tables/inputs.sh missing      the missing packages, space-separated
#   sh tables/inputs.sh verify       the installed inputs have the sha256
#                                    recorded in tables/SOURCES?  If not,
#                                    names the first that differs, exits 1
#   sh tables/inputs.sh path NAME    the file of input NAME (of a set: its
#                                    files, one a line)
#   sh tables/inputs.sh desc NAME    "PACKAGE VERSION, sha256 HEX" for banners
#   sh tables/inputs.sh list         NAME PACKAGE PATH, one input a line
#   sh tables/inputs.sh sources      the text of tables/SOURCES
#
# A set (PATH @GLOB) is every regular file (no symlink, no fortune .dat
# index) that PACKAGE installs matching the shell pattern GLOB, sorted by
# path in the C locale.  Its sha256 is that of the output of sha256sum over
# those files in that order:
#   sh tables/inputs.sh path NAME | tr '\n' '\0' | xargs -0 sha256sum | sha256sum
#
# Versions: when the installed file has the sha256 recorded in tables/SOURCES,
# the recorded package version is reported (the bytes are the same, so the
# tables are too); otherwise the version dpkg-query reports.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
SOURCES_FILE="$here/SOURCES"

CM=/usr/share/i18n/charmaps
GLIBC_LIC='LGPL-2.1-or-later (GNU C Library localedata; see /usr/share/doc/locales/copyright)'

# NAME|PACKAGE|PATH|FEEDS|LICENCE
inputs() {
	cat <<EOF
gbk|locales|$CM/GBK.gz|tables/gbk.h tables/pinyin.h|$GLIBC_LIC
gb18030|locales|$CM/GB18030.gz|tables/gbk.h|$GLIBC_LIC
cp1252|locales|$CM/CP1252.gz|tables/sbcs.h|$GLIBC_LIC
big5|locales|$CM/BIG5.gz|tables/pinyin.h|$GLIBC_LIC; the file's header adds "Distribution and use is free, even for comercial purpose."
unihan|unicode-data|/usr/share/unicode/Unihan_Readings.txt.bz2|tables/pinyin.h|Unicode-DFS-2016 (Unicode, Inc. License Agreement - Data Files and Software)
gopinyin|golang-github-mozillazg-go-pinyin-dev|/usr/share/gocode/src/github.com/mozillazg/go-pinyin/pinyin_dict.go|tables/pinyin.h|MIT
jieba|python3-jieba|/usr/lib/python3/dist-packages/jieba/dict.txt|tables/lm.h|MIT
essay|rime-essay|/usr/share/rime-data/essay.txt|tables/lm.h|LGPL-3.0-only
s2t|libopencc-data|/usr/share/opencc/s2t.json|tables/lm.h|Apache-2.0
st_phrases|libopencc-data|/usr/share/opencc/STPhrases.ocd2|tables/lm.h (via s2t.json)|Apache-2.0
st_chars|libopencc-data|/usr/share/opencc/STCharacters.ocd2|tables/lm.h (via s2t.json)|Apache-2.0
t2s|libopencc-data|/usr/share/opencc/t2s.json|tables/lm.h|Apache-2.0
ts_phrases|libopencc-data|/usr/share/opencc/TSPhrases.ocd2|tables/lm.h (via t2s.json)|Apache-2.0
ts_chars|libopencc-data|/usr/share/opencc/TSCharacters.ocd2|tables/lm.h (via t2s.json)|Apache-2.0
t2tw|libopencc-data|/usr/share/opencc/t2tw.json|tables/lm.h|Apache-2.0
tw_variants|libopencc-data|/usr/share/opencc/TWVariants.ocd2|tables/lm.h (via t2tw.json)|Apache-2.0
t2hk|libopencc-data|/usr/share/opencc/t2hk.json|tables/lm.h|Apache-2.0
hk_variants|libopencc-data|/usr/share/opencc/HKVariants.ocd2|tables/lm.h (via t2hk.json)|Apache-2.0
manpages_zh|manpages-zh|@/usr/share/man/zh_CN/*.gz|tables/lm.h|GFDL-1.2+
fortunes_zh|fortunes-zh|@/usr/share/games/fortunes/*|tables/lm.h|GPL-3.0+
EOF
}

die() {
	echo "inputs.sh: $*" >&2
	exit 2
}

field() { # NAME COLUMN
	inputs | awk -F'|' -v n="$1" -v c="$2" '$1 == n { print $c; found = 1 } END { exit !found }' ||
		die "unknown input: $1"
}

installed() { # PACKAGE
	command -v dpkg-query >/dev/null 2>&1 || return 1
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' installed$'
}

sha256() {
	sha256sum "$1" | cut -d' ' -f1
}

is_set() { # NAME
	case $(field "$1" 3) in @*) return 0 ;; esac
	return 1
}

set_files() { # NAME
	glob=$(field "$1" 3)
	glob=${glob#@}
	dpkg-query -L "$(field "$1" 2)" 2>/dev/null | while IFS= read -r f; do
		# shellcheck disable=SC2254
		case $f in
		*.dat) ;;
		$glob) [ -f "$f" ] && [ ! -L "$f" ] && printf '%s\n' "$f" ;;
		esac
	done | LC_ALL=C sort
}

# sha256 of an input: of its file, or of a set's sha256sum listing
input_sha() { # NAME
	if is_set "$1"; then
		set_files "$1" | tr '\n' '\0' | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
	else
		sha256 "$(field "$1" 3)"
	fi
}

present() { # NAME: input readable (a set: at least one file)
	if is_set "$1"; then
		[ -n "$(set_files "$1")" ]
	else
		[ -r "$(field "$1" 3)" ]
	fi
}

# recorded sha256 / version of NAME in tables/SOURCES (empty if none)
recorded() { # NAME KEY
	[ -f "$SOURCES_FILE" ] || return 0
	awk -v n="$1" -v k="$2" '
		/^\[/ { cur = substr($0, 2, length($0) - 2); next }
		cur == n && $1 == k ":" { sub(/^[^:]*: */, ""); print; exit }
	' "$SOURCES_FILE"
}

version() { # NAME -> version of the package the file came from
	name=$1
	pkg=$(field "$name" 2)
	rec_sha=$(recorded "$name" sha256)
	if [ -n "$rec_sha" ] && present "$name" && [ "$(input_sha "$name")" = "$rec_sha" ]; then
		recorded "$name" package | sed "s/^$pkg //"
		return
	fi
	dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || echo unknown
}

# Build dependencies that are not input files
TOOLS='libopencc-dev'

missing() {
	out=
	for pkg in $TOOLS; do
		installed "$pkg" || out="$out $pkg"
	done
	for name in $(inputs | cut -d'|' -f1); do
		pkg=$(field "$name" 2)
		if ! installed "$pkg" || ! present "$name"; then
			case " $out " in *" $pkg "*) ;; *) out="$out $pkg" ;; esac
		fi
	done
	echo "${out# }"
}

cmd=${1:-}
case "$cmd" in
check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	for pkg in $m; do
		echo "apt-get install -y $pkg"
	done
	exit 1
	;;
missing)
	missing
	;;
verify)
	for name in $(inputs | cut -d'|' -f1); do
		path=$(field "$name" 3)
		rec=$(recorded "$name" sha256)
		if [ -z "$rec" ]; then
			echo "$name: not in tables/SOURCES"
			exit 1
		fi
		if [ "$(input_sha "$name")" != "$rec" ]; then
			pkg=$(field "$name" 2)
			echo "$path differs from tables/SOURCES ($pkg $(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null) installed, tables built from $(recorded "$name" package))"
			exit 1
		fi
	done
	;;
path)
	[ $# -eq 2 ] || die "usage: inputs.sh path NAME"
	if is_set "$2"; then set_files "$2"; else field "$2" 3; fi
	;;
desc)
	[ $# -eq 2 ] || die "usage: inputs.sh desc NAME"
	present "$2" || die "$2: missing"
	if is_set "$2"; then
		n=$(set_files "$2" | wc -l)
		echo "$(field "$2" 2) $(version "$2"), $((n)) files, sha256 $(input_sha "$2") (of their sha256sum)"
	else
		echo "$(field "$2" 2) $(version "$2"), sha256 $(input_sha "$2")"
	fi
	;;
list)
	inputs | awk -F'|' '{ print $1, $2, $3 }'
	;;
sources)
	cat <<'EOF'
# tables/SOURCES: the inputs of the generated tables in tables/*.h.
# Written by `sh tables/inputs.sh sources` (run by `make tables`); checked by
# `make tables-check`.  One block per input file: the Debian package (and the
# version whose file has this sha256), the file, its sha256 as shipped, its
# licence and the headers it feeds.  The generators are tables/gen/*.c (MIT);
# tables/gen/lm.c converts with the OpenCC library (libopencc1.1).
# A block with "files:" is a set: every regular file the package installs
# matching the pattern (symlinks and fortune .dat indexes left out), sorted
# by path in the C locale; its sha256 is that of sha256sum's output over
# them in that order (`sh tables/inputs.sh path NAME | tr '\n' '\0' |
# xargs -0 sha256sum | sha256sum`).
EOF
	for name in $(inputs | cut -d'|' -f1); do
		path=$(field "$name" 3)
		present "$name" || die "$name ($path): missing"
		printf '\n[%s]\n' "$name"
		printf 'package: %s %s\n' "$(field "$name" 2)" "$(version "$name")"
		if is_set "$name"; then
			printf 'files: %s (%s regular files)\n' "${path#@}" "$(set_files "$name" | wc -l | tr -d ' ')"
		else
			printf 'file: %s\n' "$path"
		fi
		printf 'sha256: %s\n' "$(input_sha "$name")"
		printf 'licence: %s\n' "$(field "$name" 5)"
		printf 'feeds: %s\n' "$(field "$name" 4)"
	done
	;;
*)
	die "usage: inputs.sh check|missing|verify|path NAME|desc NAME|list|sources"
	;;
esac
