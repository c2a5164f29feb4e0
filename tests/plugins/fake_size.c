/* SPDX-License-Identifier: MIT */
/* Loader fixture: a descriptor that claims to be 16 bytes. */
#define FAKE_NAME "fake_size"
#define FAKE_SIZE 16
#include "fake_descriptor.h"
