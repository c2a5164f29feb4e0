/* SPDX-License-Identifier: MIT */
/* Loader fixture: a key table whose stride is shorter than struct hc_key. */
#include <healthcheckd/plugin.h>

static const struct hc_key fake_keys[] = { { "path", "a key", 0 }, { NULL, NULL, 0 } };
#define FAKE_NAME "fake_stride"
#define FAKE_KEYS fake_keys
#define FAKE_KEY_SIZE 8
#include "fake_descriptor.h"
