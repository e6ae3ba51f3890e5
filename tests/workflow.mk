# tests/workflow.mk: everyday-use tests (pre-commit hooks, faults under -i,
# the filter, streaming memory); included by the top Makefile.
# SPDX-License-Identifier: MIT
#
#   make tests/faultinject.so   the LD_PRELOAD shim tests/faults.sh uses
#   make workflow-check         only these tests (the top `check` runs them too)
#
# The shim is built without $(CFLAGS): under `make sanitize` it must not
# carry the sanitizer runtime into the process it is preloaded into.

WORKFLOW_TESTS := tests/faults.sh tests/filter.sh tests/precommit.sh tests/stream_memory.sh

.PHONY: workflow-check workflow-clean

tests/faultinject.so: tests/faultinject.c
	$(CC) -shared -fPIC -O2 -Wall -Wextra -o $@ tests/faultinject.c -ldl

check: tests/faultinject.so

workflow-check: mojifix tests/garble tests/faultinject.so
	@st=0; for t in $(WORKFLOW_TESTS); do echo "== $$t"; sh $$t . || st=1; done; exit $$st

workflow-clean:
	rm -f tests/faultinject.so

clean: workflow-clean
