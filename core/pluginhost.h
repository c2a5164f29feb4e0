/* SPDX-License-Identifier: MIT */
/* isolate = process, the helper's side: `healthcheckd --plugin-host` runs one plugin instance. */
#ifndef HC_PLUGINHOST_H
#define HC_PLUGINHOST_H

/* The helper's main, when main() sees --plugin-host: serves the protocol
 * of hostproto.h on HC_HOST_FD until TEARDOWN or the daemon's end closes.
 * Refuses to run (2) when started by hand. Never returns otherwise. */
int hc_pluginhost_main(void);

#endif
