/* SPDX-License-Identifier: MIT */
/* Loader fixture: a descriptor with the wrong magic. */
#define FAKE_NAME "fake_magic"
#define FAKE_MAGIC 0xdeadbeefu
#include "fake_descriptor.h"
