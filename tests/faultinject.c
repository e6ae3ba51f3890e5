/* tests/faultinject.so: an LD_PRELOAD shim for tests/faults.sh.  It makes
 * the world change under `mojifix -i` at exact points, so the fault tests
 * need no hook in mojifix itself and no sleeps.
 *
 *   MOJIFIX_FAULT=ACTION  MOJIFIX_FAULT_PATH=FILE  [MOJIFIX_FAULT_CALL=N]
 *
 * stat(2) of FILE, at its Nth call (default 1; mojifix -i stats the file
 * again just before replacing it, twice), first does ACTION to FILE:
 *   append    append a line (size and mtime change)
 *   rewrite   overwrite the first byte with the same byte (mtime changes only)
 *   unlink    remove FILE
 *   replace   put another file at FILE by rename (new inode)
 * fsync(2), at its Nth call:
 *   sigterm, sigint   send that signal to the process (the repaired copy
 *                     is complete and still a temporary file)
 * rename(2), at its Nth call:
 *   rename-fail       fail with EXDEV without renaming
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int calls_stat, calls_fsync, calls_rename;

static const char *action(void)
{
	const char *a = getenv("MOJIFIX_FAULT");
	return a ? a : "";
}

static int at_call(int n)
{
	const char *c = getenv("MOJIFIX_FAULT_CALL");
	return n == (c ? atoi(c) : 1);
}

static void disturb(const char *path)
{
	const char *a = action();
	if (strcmp(a, "append") == 0) {
		int fd = open(path, O_WRONLY | O_APPEND);
		if (fd >= 0) {
			(void)!write(fd, "appended meanwhile\n", 19);
			close(fd);
		}
	} else if (strcmp(a, "rewrite") == 0) {
		int fd = open(path, O_RDWR);
		char c;
		if (fd >= 0) {
			if (pread(fd, &c, 1, 0) == 1) {
				struct timespec later[2] = { { 0, UTIME_OMIT }, { 0, 0 } };
				(void)!pwrite(fd, &c, 1, 0);
				/* a coarse clock could leave mtime equal: move it on */
				struct stat st;
				if (fstat(fd, &st) == 0) {
					later[1] = st.st_mtim;
					later[1].tv_sec += 1;
					futimens(fd, later);
				}
			}
			close(fd);
		}
	} else if (strcmp(a, "unlink") == 0) {
		unlink(path);
	} else if (strcmp(a, "replace") == 0) {
		char other[4096];
		snprintf(other, sizeof other, "%s.faultinject", path);
		FILE *f = fopen(other, "w");
		if (f) {
			fputs("another file\n", f);
			fclose(f);
			rename(other, path);
		}
	}
}

int stat(const char *restrict path, struct stat *restrict st)
{
	static int (*real)(const char *restrict, struct stat *restrict);
	if (!real)
		real = (int (*)(const char *restrict, struct stat *restrict))dlsym(RTLD_NEXT, "stat");
	const char *target = getenv("MOJIFIX_FAULT_PATH");
	if (target && strcmp(path, target) == 0 && at_call(++calls_stat))
		disturb(path);
	return real(path, st);
}

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if (at_call(++calls_fsync)) {
		if (strcmp(action(), "sigterm") == 0)
			kill(getpid(), SIGTERM);
		else if (strcmp(action(), "sigint") == 0)
			kill(getpid(), SIGINT);
	}
	return real(fd);
}

int rename(const char *from, const char *to)
{
	static int (*real)(const char *, const char *);
	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	if (strcmp(action(), "rename-fail") == 0 && at_call(++calls_rename)) {
		errno = EXDEV;
		return -1;
	}
	return real(from, to);
}
