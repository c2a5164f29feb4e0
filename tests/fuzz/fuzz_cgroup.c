/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the process plugin's cgroup v2 limit reader
 * (plugins/process/cgroup.c: cg_limits, cg_read) on a fake hierarchy made
 * from the input. The input's lines are the limit files of /a and /a/b:
 * memory.max, pids.max and pids.current of each, in that order.
 *
 * cg_mount and cg_of read /proc/self/mountinfo and /proc/PID/cgroup by
 * fixed paths: their parsers, and the process plugin's other /proc
 * parsers, take text in procfs.c, which fuzz_procfs reaches.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "../../plugins/process/cgroup.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = { "a/memory.max",   "a/pids.max",   "a/pids.current",
		                             "a/b/memory.max", "a/b/pids.max", "a/b/pids.current" };
	struct cg_limits l;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl != NULL ? (size_t)(nl - data) : size;

		fuzz_write(files[i], data, len);
		data += len + (nl != NULL);
		size -= len + (nl != NULL);
	}
	cg_limits(fuzz_dir(), "/a/b", &l);
	return 0;
}
