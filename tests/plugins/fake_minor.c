/* SPDX-License-Identifier: MIT */
/* Loader fixture: built for a newer minor ABI than the core. */
#define FAKE_NAME "fake_minor"
#define FAKE_MINOR (HC_ABI_MINOR + 5)
#include "fake_descriptor.h"
