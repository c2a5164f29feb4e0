/* SPDX-License-Identifier: MIT */
/*
 * holddeath: attach to a process as its tracer and never wait for it, so
 * that once it dies its parent cannot reap it (it stays a zombie held by
 * the tracer) until holddeath is killed. Stands in for a process whose
 * death takes long (uninterruptible sleep) in tests of bounded reaping.
 *
 *   holddeath PID     prints "held" once attached, then waits for a signal,
 *                     60 s at most (a test that fails leaves it behind)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 2 || (pid = (pid_t)atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: holddeath PID\n");
		return 2;
	}
	/* SEIZE, not ATTACH: the tracee is not stopped, it runs on. */
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0) {
		perror("holddeath: PTRACE_SEIZE");
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	alarm(60);
	for (;;)
		pause();
}
