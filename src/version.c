/* Which data the compiled tables come from (printed by --version).
 * SPDX-License-Identifier: MIT */
#include "internal.h"

#include "gbk.h"
#include "lm.h"
#include "pinyin.h"

#ifndef MF_GBK_SOURCE
#define MF_GBK_SOURCE "glibc charmaps GBK, GB18030"
#endif
#ifndef MF_PY_SOURCE
#define MF_PY_SOURCE "Unihan kMandarin et al."
#endif
#ifndef MF_LM_SOURCE
#define MF_LM_SOURCE "jieba dict.txt, rime-essay essay.txt"
#endif

const char *mf_tables_version(void)
{
	return "gbk: " MF_GBK_SOURCE "; pinyin: " MF_PY_SOURCE "; lm: " MF_LM_SOURCE;
}
