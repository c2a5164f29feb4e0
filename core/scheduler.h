/* SPDX-License-Identifier: MIT */
/* Running checks: each call bounded by its deadline, a hung call never holding up the rest. */
#ifndef HC_SCHEDULER_H
#define HC_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>

#include "instance.h"

/*
 * Run every instance once, all in parallel, each bounded by its own timeout.
 * Returns once each call has returned or passed its deadline; a call past
 * its deadline is reported as failed "timed out after N ms" and left running
 * on its own thread, and stuck[i] is set: such an instance must never be
 * torn down (its plugin code is still running). stuck may be NULL.
 */
void hc_run_once(struct hc_instance *const *insts, size_t n,
                 struct hc_outcome *outs, bool *stuck);

#endif
