/* SPDX-License-Identifier: MIT */
/* The built-in heartbeat check: the application pushes its own status over HTTP. */
#ifndef HC_HEARTBEAT_H
#define HC_HEARTBEAT_H

#include <stdbool.h>
#include <stdint.h>

#include "instance.h"
#include "loader.h"

/* The module `plugin = heartbeat` names; registered in every registry. */
struct hc_module *hc_heartbeat_module(void);

bool hc_heartbeat_is(const struct hc_instance *in);
/* How long a push counts (ms). */
uint32_t hc_heartbeat_ttl_ms(const struct hc_instance *in);
/* The check's own token (from its token_file), or NULL: use the server's. */
const char *hc_heartbeat_token(const struct hc_instance *in);

#endif
