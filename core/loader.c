/* SPDX-License-Identifier: MIT */
/* Plugin loading: dlopen, the ABI checks of docs/architecture.md §4, and the set of loaded plugins. */
#include "autoconfig.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "heartbeat.h"
#include "loader.h"
#include "xalloc.h"

typedef const struct hc_plugin *(*describe_fn)(void);

/* "dir/tcp.so" → "tcp" */
static char *module_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base != NULL ? base + 1 : path;
	n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".so") == 0)
		n -= 3;
	return hc_xasprintf("%.*s", (int)n, base);
}

/* The fields every ABI shares: a NULL descriptor, the magic, the major, and
 * a minor the core knows. Everything after them may have another layout in
 * another major version, so it is read only once these agree. */
static int check_versions(const char *path, const struct hc_plugin *d, unsigned core_minor,
                          char *err, size_t errsz)
{
	if (d == NULL) {
		snprintf(err, errsz, "%s: mangled plugin: hc_plugin_describe() returned NULL", path);
		return -1;
	}
	if (d->magic != HC_PLUGIN_MAGIC) {
		snprintf(err, errsz, "%s: mangled plugin: magic 0x%08x is not 0x%08x", path,
		         d->magic, HC_PLUGIN_MAGIC);
		return -1;
	}
	if (d->abi_major != HC_ABI_MAJOR) {
		snprintf(err, errsz,
		         "%s: built for ABI %u.%u, this healthcheckd provides %d.%u: rebuild it against healthcheckd-plugin %d.x",
		         path, d->abi_major, d->abi_minor, HC_ABI_MAJOR, core_minor, HC_ABI_MAJOR);
		return -1;
	}
	if (d->abi_minor > core_minor) {
		snprintf(err, errsz,
		         "%s: built for ABI %u.%u, this healthcheckd provides %d.%u: upgrade healthcheckd or rebuild the plugin against ABI %d.%u",
		         path, d->abi_major, d->abi_minor, HC_ABI_MAJOR, core_minor, HC_ABI_MAJOR,
		         core_minor);
		return -1;
	}
	return 0;
}

/* The descriptor and key table hold every 1.0 member (a plugin of a newer
 * minor may have more, which this core does not read), and the three
 * functions are there. */
static int check_layout(const char *path, const struct hc_plugin *d, char *err, size_t errsz)
{
	const char *missing;

	if (!HC_HAS_MEMBER(d, struct hc_plugin, teardown)) {
		snprintf(err, errsz,
		         "%s: mangled plugin: descriptor is %u bytes, ABI %u.%u needs at least %zu",
		         path, d->struct_size, d->abi_major, d->abi_minor,
		         offsetof(struct hc_plugin, teardown) + sizeof(d->teardown));
		return -1;
	}
	missing = d->name == NULL       ? "name"
	          : d->init == NULL     ? "init function"
	          : d->check == NULL    ? "check function"
	          : d->teardown == NULL ? "teardown function"
	                                : NULL;
	if (missing != NULL) {
		snprintf(err, errsz, "%s: mangled plugin: the descriptor has no %s", path, missing);
		return -1;
	}
	if (d->keys != NULL && !HC_SIZE_HOLDS(d->key_size, struct hc_key, flags)) {
		snprintf(err, errsz,
		         "%s: mangled plugin: keys are %u bytes, ABI %u.%u needs at least %zu",
		         path, d->key_size, d->abi_major, d->abi_minor, sizeof(struct hc_key));
		return -1;
	}
	return 0;
}

int hc_descriptor_check(const char *path, const char *name, const struct hc_plugin *d,
                        unsigned core_minor, char *err, size_t errsz)
{
	if (check_versions(path, d, core_minor, err, errsz) != 0 ||
	    check_layout(path, d, err, errsz) != 0)
		return -1;
	for (size_t i = 0; hc_plugin_key(d, i) != NULL; i++) {
		if (hc_is_core_key(hc_plugin_key(d, i)->name)) {
			snprintf(err, errsz,
			         "%s: plugin declares the key '%s', which belongs to the core: rename it",
			         path, hc_plugin_key(d, i)->name);
			return -1;
		}
	}
	if (strcmp(d->name, name) != 0) {
		snprintf(err, errsz,
		         "%s: plugin calls itself '%.64s' but the file is %s.so: rename the file %.64s.so (a plugin's file is named after it)",
		         path, d->name, name, d->name);
		return -1;
	}
	return 0;
}

/* Why dlopen failed, with what to do about it. A symbol missing at load
 * time means the plugin was not linked with the library that defines it:
 * ldd would show nothing missing, so the message says to link it. A
 * library missing at load time is one the plugin was linked with: ldd
 * shows it "not found". */
static void load_error(const char *path, const char *file, char *err, size_t errsz)
{
	const char *why = dlerror(), *sym;

	if (access(file, F_OK) != 0 && errno == ENOENT) {
		snprintf(err, errsz, "%s: no such file", path);
		return;
	}
	why = why != NULL ? why : "unknown dlopen error";
	sym = strstr(why, "undefined symbol: ");
	if (sym != NULL) {
		sym += strlen("undefined symbol: ");
		snprintf(err, errsz,
		         "%s: cannot load: it uses %.*s, which no library it is linked with defines: link the library that provides %.*s when building the plugin (with -Wl,-z,defs the link itself reports this)",
		         path, (int)strcspn(sym, " ,"), sym, (int)strcspn(sym, " ,"), sym);
		return;
	}
	snprintf(err, errsz, "%s: cannot load: %s (run 'ldd %s' to see what is missing)", path, why,
	         path);
}

struct hc_module *hc_module_open(const char *path, char *err, size_t errsz)
{
	const struct hc_plugin *desc;
	struct hc_module *m;
	describe_fn describe;
	char *name;
	void *dl;

	/* RTLD_LOCAL: two plugins linking different versions of a library
	 * (or defining the same helper) never see each other's symbols.
	 * RTLD_NODELETE: a library is never unmapped, not even at exit, when a
	 * worker's thread-exit handlers (OpenSSL's, Kerberos') may still run
	 * its code and libraries' one-time state must stay reachable; the
	 * core never reloads a library anyway.
	 * A bare file name is a file here, not a library to search for. */
	char *file = strchr(path, '/') ? hc_xstrdup(path) : hc_xasprintf("./%s", path);

	dl = dlopen(file, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (dl == NULL) {
		load_error(path, file, err, errsz);
		free(file);
		return NULL;
	}
	free(file);
	*(void **)&describe = dlsym(dl, "hc_plugin_describe");
	if (describe == NULL) {
		snprintf(err, errsz,
		         "%s: not a healthcheckd plugin (it exports no hc_plugin_describe)", path);
		dlclose(dl);
		return NULL;
	}
	name = module_name(path);
	desc = describe();
	if (hc_descriptor_check(path, name, desc, HC_ABI_MINOR, err, errsz) == 0) {
		m = hc_xcalloc(1, sizeof(*m));
		m->path = hc_xstrdup(path);
		m->name = name;
		m->dl = dl;
		m->desc = desc;
		return m;
	}
	/* The message is written; nothing of the library is referenced now. */
	free(name);
	dlclose(dl);
	return NULL;
}

const struct hc_key *hc_plugin_key(const struct hc_plugin *d, size_t i)
{
	const struct hc_key *k;

	if (d->keys == NULL)
		return NULL;
	k = (const struct hc_key *)((const char *)d->keys + i * d->key_size);
	return k->name != NULL ? k : NULL;
}

void hc_module_close(struct hc_module *m)
{
	if (m == NULL)
		return;
	if (m->dl != NULL)
		dlclose(m->dl);
	free(m->path);
	free(m->name);
	free(m);
}

void hc_registry_init(struct hc_registry *r, const char *dir)
{
	memset(r, 0, sizeof(*r));
	r->dir = hc_xstrdup(dir);
	hc_registry_add(r, hc_heartbeat_module());
}

void hc_registry_add(struct hc_registry *r, struct hc_module *m)
{
	r->mods = hc_xreallocarray(r->mods, r->n + 1, sizeof(*r->mods));
	r->mods[r->n++] = m;
}

/* Plugin names come from config files: keep them to names that cannot
 * leave the plugin directory. */
static int plugin_name_valid(const char *name)
{
	if (*name == '\0' || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return 0;
	return 1;
}

struct hc_module *hc_registry_get(struct hc_registry *r, const char *name, char *err, size_t errsz)
{
	struct hc_module *m;
	char *path;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->mods[i]->name, name) == 0)
			return r->mods[i];
	if (!plugin_name_valid(name)) {
		snprintf(err, errsz, "bad plugin name '%.64s': use letters, digits, _ and -", name);
		return NULL;
	}
	path = hc_xasprintf("%s/%s.so", r->dir, name);
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		snprintf(err, errsz, "unknown plugin '%s' (there is no %s)", name, path);
		free(path);
		return NULL;
	}
	m = hc_module_open(path, err, errsz);
	free(path);
	if (m != NULL)
		hc_registry_add(r, m);
	return m;
}

void hc_registry_free(struct hc_registry *r)
{
	for (size_t i = 0; i < r->n; i++)
		hc_module_close(r->mods[i]);
	free(r->mods);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}
