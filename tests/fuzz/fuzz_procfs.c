/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the process plugin's parsers of /proc text
 * (plugins/process/procfs.c): /proc/PID/stat, /proc/PID/limits, a line of
 * /proc/self/mountinfo and /proc/PID/cgroup. Each gets the whole input;
 * the files they read are small, so the buffers they write are small too,
 * to reach the "does not fit" paths.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "../../plugins/process/procfs.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	char small[24], big[4096];
	struct pf_stat st;
	double limit;

	if (pf_stat_parse(text, &st) == 0 && strlen(st.comm) >= sizeof(st.comm))
		abort();
	(void)pf_nofile_parse(text, &limit);
	if (pf_mountinfo_cgroup2(text, small, sizeof(small)) == 0 && strlen(small) >= sizeof(small))
		abort();
	(void)pf_mountinfo_cgroup2(text, big, sizeof(big));
	if (pf_cgroup_v2_path(text, small, sizeof(small)) == 0 && strlen(small) >= sizeof(small))
		abort();
	(void)pf_cgroup_v2_path(text, big, sizeof(big));
	free(text);
	return 0;
}
