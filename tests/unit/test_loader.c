/* SPDX-License-Identifier: MIT */
/* Unit tests of core/loader.c: every way a plugin is refused, and the registry. */
#include "autoconfig.h"

#include "unit.h"

#include "loader.h"

static char err[1024];

static char *fixture(const char *name)
{
	char *path = malloc(1024);

	assert_non_null(path);
	snprintf(path, 1024, "%s/%s.so", unit_fixture_dir(), name);
	return path;
}

/* Open fixture name, expect a refusal whose message starts with the file
 * and contains want. */
static void expect_refused(const char *name, const char *want)
{
	char *path = fixture(name);

	err[0] = '\0';
	assert_null(hc_module_open(path, err, sizeof(err)));
	assert_true(strncmp(err, path, strlen(path)) == 0);
	if (strstr(err, want) == NULL)
		fail_msg("'%s' lacks '%s'", err, want);
	free(path);
}

static void good_plugin_loads(void **state)
{
	char *path = fixture("fake_good");
	struct hc_module *m = hc_module_open(path, err, sizeof(err));

	(void)state;
	assert_non_null(m);
	assert_string_equal(m->name, "fake_good");
	assert_string_equal(m->desc->name, "fake_good");
	assert_int_equal(m->desc->abi_major, HC_ABI_MAJOR);
	assert_string_equal(m->desc->keys[1].name, "password");
	assert_true(m->desc->keys[1].flags & HC_KEY_SECRET);
	hc_module_close(m);
	free(path);
}

static void missing_file_says_so(void **state)
{
	(void)state;
	expect_refused("does_not_exist", ": no such file");
}

static void unlinked_symbol_says_to_link_the_library(void **state)
{
	(void)state;
	expect_refused(
	        "fake_undef",
	        ": cannot load: it uses hc_test_unlinked_function, which no library it is linked with defines: link the library that provides hc_test_unlinked_function");
	assert_null(strstr(err, "ldd"));
}

static void missing_dependency_names_it_and_suggests_ldd(void **state)
{
	(void)state;
	expect_refused("fake_dep",
	               ": cannot load: libhc-test-gone.so.0: cannot open shared object file");
	assert_non_null(strstr(err, "run 'ldd "));
}

static void no_symbol_is_not_a_plugin(void **state)
{
	(void)state;
	expect_refused("fake_nosym",
	               ": not a healthcheckd plugin (it exports no hc_plugin_describe)");
}

static void null_descriptor_is_mangled(void **state)
{
	(void)state;
	expect_refused("fake_null", ": mangled plugin: hc_plugin_describe() returned NULL");
}

static void bad_magic_is_mangled(void **state)
{
	(void)state;
	expect_refused("fake_magic", ": mangled plugin: magic 0xdeadbeef is not 0x48435031");
}

static void other_major_names_both_versions(void **state)
{
	(void)state;
	expect_refused(
	        "fake_major",
	        ": built for ABI 2.0, this healthcheckd provides 1.0: rebuild it against healthcheckd-plugin 1.x");
}

static void newer_minor_names_both_versions(void **state)
{
	(void)state;
	expect_refused("fake_minor",
	               ": built for ABI 1.5, this healthcheckd provides 1.0: upgrade healthcheckd");
}

static void short_descriptor_is_mangled(void **state)
{
	(void)state;
	expect_refused("fake_size",
	               ": mangled plugin: descriptor is 16 bytes, ABI 1.0 needs at least");
}

static void name_must_match_file(void **state)
{
	(void)state;
	expect_refused(
	        "fake_name",
	        ": plugin calls itself 'other' but the file is fake_name.so: rename the file other.so");
}

static void missing_check_function_is_named(void **state)
{
	(void)state;
	expect_refused("fake_nocheck", ": mangled plugin: the descriptor has no check function");
}

static void short_key_stride_is_mangled(void **state)
{
	(void)state;
	expect_refused("fake_stride", ": mangled plugin: keys are 8 bytes, ABI 1.0 needs at least");
}

/* Built with a newer header whose descriptor is longer, targeting this
 * core's minor: it loads, and the core reads none of the newer members. */
static void newer_header_targeting_this_minor_loads(void **state)
{
	char *path = fixture("fake_newer");
	struct hc_module *m = hc_module_open(path, err, sizeof(err));

	(void)state;
	if (m == NULL)
		fail_msg("refused: %s", err);
	assert_true(m->desc->struct_size > sizeof(struct hc_plugin));
	assert_int_equal(m->desc->abi_minor, HC_ABI_MINOR);
	hc_module_close(m);
	free(path);
}

/* A descriptor as a plugin built against ABI 1.minor would carry it, with
 * the 1.0 layout (no member has been added since). */
static struct hc_plugin descriptor_of_minor(uint32_t minor)
{
	struct hc_plugin d;

	memset(&d, 0, sizeof(d));
	d.magic = HC_PLUGIN_MAGIC;
	d.abi_major = HC_ABI_MAJOR;
	d.abi_minor = minor;
	d.struct_size = sizeof(d);
	d.name = "older";
	d.key_size = sizeof(struct hc_key);
	d.init = (int (*)(const struct hc_init_ctx *, void **))1;
	d.check = (int (*)(void *, const struct hc_check_ctx *, struct hc_result *))1;
	d.teardown = (void (*)(void *))1;
	return d;
}

/* A later core (here 1.7) loads a plugin of every older minor, and still
 * refuses one newer than itself, naming both versions. */
static void older_minor_loads_on_a_newer_core(void **state)
{
	struct hc_plugin d;

	(void)state;
	for (uint32_t minor = 0; minor <= 7; minor++) {
		d = descriptor_of_minor(minor);
		assert_int_equal(hc_descriptor_check("older.so", "older", &d, 7, err, sizeof(err)),
		                 0);
	}
	d = descriptor_of_minor(8);
	assert_int_equal(hc_descriptor_check("older.so", "older", &d, 7, err, sizeof(err)), -1);
	assert_string_equal(
	        err,
	        "older.so: built for ABI 1.8, this healthcheckd provides 1.7: upgrade healthcheckd or rebuild the plugin against ABI 1.7");
}

static void registry_loads_once_and_names_unknown(void **state)
{
	struct hc_registry reg;
	struct hc_module *a, *b;

	(void)state;
	hc_registry_init(&reg, unit_fixture_dir());
	a = hc_registry_get(&reg, "fake_good", err, sizeof(err));
	b = hc_registry_get(&reg, "fake_good", err, sizeof(err));
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_int_equal(reg.n, 2); /* and the built-in heartbeat */
	assert_null(hc_registry_get(&reg, "nope", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown plugin 'nope' (there is no "));
	assert_null(hc_registry_get(&reg, "../plugins/fake_good", err, sizeof(err)));
	assert_string_equal(err,
	                    "bad plugin name '../plugins/fake_good': use letters, digits, _ and -");
	assert_null(hc_registry_get(&reg, "fake_major", err, sizeof(err)));
	assert_non_null(strstr(err, "built for ABI 2.0"));
	hc_registry_free(&reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_plugin_loads),
		cmocka_unit_test(missing_file_says_so),
		cmocka_unit_test(unlinked_symbol_says_to_link_the_library),
		cmocka_unit_test(missing_dependency_names_it_and_suggests_ldd),
		cmocka_unit_test(no_symbol_is_not_a_plugin),
		cmocka_unit_test(null_descriptor_is_mangled),
		cmocka_unit_test(bad_magic_is_mangled),
		cmocka_unit_test(other_major_names_both_versions),
		cmocka_unit_test(newer_minor_names_both_versions),
		cmocka_unit_test(short_descriptor_is_mangled),
		cmocka_unit_test(name_must_match_file),
		cmocka_unit_test(missing_check_function_is_named),
		cmocka_unit_test(short_key_stride_is_mangled),
		cmocka_unit_test(newer_header_targeting_this_minor_loads),
		cmocka_unit_test(older_minor_loads_on_a_newer_core),
		cmocka_unit_test(registry_loads_once_and_names_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
