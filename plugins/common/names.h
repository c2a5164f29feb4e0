/* SPDX-License-Identifier: MIT */
/*
 * names: whether a value is a name of a restricted alphabet and length,
 * as cloud storage services define their account, bucket and container
 * names. Part of libplugutil. Internal: not part of the SDK.
 */
#ifndef HC_NAMES_H
#define HC_NAMES_H

#include <stddef.h>

/* Whether v is made of the bytes of allowed only, min to max bytes long. */
int pu_name_ok(const char *v, const char *allowed, size_t min, size_t max);

#endif /* HC_NAMES_H */
