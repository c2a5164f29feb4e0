/* SPDX-License-Identifier: MIT */
/* Loader fixture: a plugin calling itself other than its file name. */
#define FAKE_NAME "other"
#include "fake_descriptor.h"
