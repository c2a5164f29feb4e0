/* SPDX-License-Identifier: MIT */
/* Plugin loading: dlopen, the ABI checks of docs/architecture.md §4, and the set of loaded plugins. */
#ifndef HC_LOADER_H
#define HC_LOADER_H

#include <stddef.h>

#include <healthcheckd/plugin.h>

/* A loaded plugin library (dl NULL: built into the core). desc points into the library: valid until
 * hc_module_close, which must not run while any thread may be inside it. */
struct hc_module {
	char *path;
	char *name; /* the file's basename without ".so" */
	void *dl;
	const struct hc_plugin *desc;
};

/* dlopen(path) and check, in order: the library loads, exports
 * hc_plugin_describe, the descriptor is not NULL, the magic, the ABI major,
 * the ABI minor, the descriptor size, the functions, the name against the
 * file name. NULL with a message naming path in err on any failure. */
struct hc_module *hc_module_open(const char *path, char *err, size_t errsz);
/* The checks after dlsym, for a core of ABI 1.core_minor (hc_module_open
 * passes HC_ABI_MINOR; tests pass others): 0, or -1 with a message naming
 * path in err. name is the plugin name the file's basename gives. */
int hc_descriptor_check(const char *path, const char *name, const struct hc_plugin *d,
                        unsigned core_minor, char *err, size_t errsz);
void hc_module_close(struct hc_module *m);

/* Key i of a plugin's table (stepping by its key_size), or NULL past the
 * end. */
const struct hc_key *hc_plugin_key(const struct hc_plugin *d, size_t i);

/* Plugins loaded so far, by name. Libraries stay loaded for the life of the
 * registry: a reload re-creates instances, never libraries. */
struct hc_registry {
	char *dir;
	struct hc_module **mods;
	size_t n;
};

/* An empty registry for plugins in dir, holding the built-in ones. */
void hc_registry_init(struct hc_registry *r, const char *dir);
/* The plugin called name: loaded from DIR/name.so on first use. NULL with a
 * message in err if there is no such file or it is refused. */
struct hc_module *hc_registry_get(struct hc_registry *r, const char *name, char *err, size_t errsz);
/* Register a module opened from an explicit path (--plugin). Takes it. */
void hc_registry_add(struct hc_registry *r, struct hc_module *m);
/* Close every library. Only when no instance exists and no worker runs. */
void hc_registry_free(struct hc_registry *r);

#endif
