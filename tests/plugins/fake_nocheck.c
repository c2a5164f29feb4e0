/* SPDX-License-Identifier: MIT */
/* Loader fixture: a descriptor without a check function. */
#define FAKE_NAME "fake_nocheck"
#define FAKE_NO_CHECK
#include "fake_descriptor.h"
