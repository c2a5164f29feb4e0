/* SPDX-License-Identifier: MIT */
/* What glibc before 2.36 lacks, for the core and the plugins (header only: plugins call no core).
 * Under names of our own, so that a build told a function is missing (configure's cache
 * variables, to test this) does not clash with glibc's declaration. */
#ifndef HC_COMPAT_H
#define HC_COMPAT_H

#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>

#ifdef HAVE_SYS_PIDFD_H
#include <sys/pidfd.h>
#else
/* glibc < 2.36: the system calls themselves (Linux 5.1 and 5.3); a kernel
 * without them fails with ENOSYS, which callers handle as no pidfd. */
#include <sys/syscall.h>
#include <unistd.h>

#define pidfd_open hc_pidfd_open
static inline int hc_pidfd_open(pid_t pid, unsigned int flags)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, flags);
#else
	(void)pid;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

#define pidfd_send_signal hc_pidfd_send_signal
static inline int hc_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
#else
	(void)pidfd;
	(void)sig;
	(void)info;
	(void)flags;
	errno = ENOSYS;
	return -1;
#endif
}
#endif

#ifndef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
/* glibc < 2.34: nothing closes a descriptor opened without O_CLOEXEC (the
 * daemon opens all of its own with it; a library might not). */
#define posix_spawn_file_actions_addclosefrom_np hc_addclosefrom_none
static inline int hc_addclosefrom_none(posix_spawn_file_actions_t *fa, int from)
{
	(void)fa;
	(void)from;
	return 0;
}
#endif

#ifndef HAVE_SIGABBREV_NP
/* glibc < 2.32: no name; callers print the number instead. */
#define sigabbrev_np hc_sigabbrev_none
static inline const char *hc_sigabbrev_none(int sig)
{
	(void)sig;
	return NULL;
}
#endif

#endif
