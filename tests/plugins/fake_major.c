/* SPDX-License-Identifier: MIT */
/* Loader fixture: built for ABI 2.x. */
#define FAKE_NAME "fake_major"
#define FAKE_MAJOR 2
#include "fake_descriptor.h"
