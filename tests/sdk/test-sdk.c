/* test-sdk.c: the SDK as a plugin author outside the tree gets it.
 *
 * Each test installs this build into a temporary DESTDIR (`meson
 * install --destdir`), points pkg-config at the timon-sdk.pc installed
 * there, and builds sdk/examples/hello-store against it, as a third
 * party would: with cc and pkg-config, or with meson. The build tree's
 * timonctl then loads the result. (The example links against the
 * DESTDIR's libtimon-1.so.0; it loads into timonctl because a library of
 * that soname is already loaded.)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "test-utils.h"
#include "timon-registry.h"

#define EXAMPLE_DIR SOURCE_ROOT "/sdk/examples/hello-store"

typedef struct {
  gboolean ready; /* FALSE: the test was skipped */
  char *tmp;
  char *destdir;
  char *plugindir;     /* the installed plugin folder, inside destdir */
  char *pkgconfig_dir; /* where pkg-config finds a timon-sdk.pc for destdir */
  char *cc;
  char *pkg_config;
  char *nm;
} Fixture;

/* Runs @argv with pkg-config pointed at the DESTDIR's timon-sdk.pc. */
static void
run_command (Fixture *fixture, TestRun *run, const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);

  if (fixture->pkgconfig_dir != NULL) {
    const char *old = g_getenv ("PKG_CONFIG_PATH");
    g_autofree char *path =
      old != NULL && old[0] != '\0'
        ? g_strconcat (fixture->pkgconfig_dir, G_SEARCHPATH_SEPARATOR_S, old, NULL)
        : g_strdup (fixture->pkgconfig_dir);
    g_subprocess_launcher_setenv (launcher, "PKG_CONFIG_PATH", path, TRUE);
    g_subprocess_launcher_unsetenv (launcher, "PKG_CONFIG_SYSROOT_DIR");
  }
  test_run (run, launcher, argv);
}

/* Runs @argv and expects it to succeed. */
static char *
check_output (Fixture *fixture, const char *const *argv)
{
  g_auto (TestRun) run = { 0 };

  run_command (fixture, &run, argv);
  g_assert_cmpint (run.status, ==, 0);
  return g_steal_pointer (&run.out);
}

static char *
destdir_path (Fixture *fixture, const char *dir)
{
  if (g_path_is_absolute (dir))
    return g_build_filename (fixture->destdir, dir, NULL);
  return g_build_filename (fixture->destdir, PREFIX, dir, NULL);
}

/* The .pc meson writes says prefix=/usr/local: right once installed,
 * wrong in a DESTDIR. PKG_CONFIG_SYSROOT_DIR and --define-variable would
 * move GLib's paths too, and pkgconf's --define-prefix guesses the
 * prefix from the .pc's folder, wrongly for a multiarch libdir
 * (lib/x86_64-linux-gnu). So the test writes a copy with the prefix
 * moved, unless the .pc is relocatable already (-Dpkgconfig.relocatable). */
static void
prepare_pkgconfig (Fixture *fixture)
{
  g_autofree char *libdir = destdir_path (fixture, LIBDIR);
  g_autofree char *installed = g_build_filename (libdir, "pkgconfig", "timon-sdk.pc", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (installed, &contents, NULL, &error);
  g_assert_no_error (error);

  if (g_str_has_prefix (contents, "prefix=${pcfiledir}")) {
    fixture->pkgconfig_dir = g_path_get_dirname (installed);
    return;
  }

  g_autofree char *prefix_line = g_strconcat ("prefix=", PREFIX, "\n", NULL);
  assert_contains (contents, prefix_line);
  g_autofree char *moved = g_strconcat ("prefix=", fixture->destdir, PREFIX, "\n", NULL);
  g_autoptr (GString) copy = g_string_new (contents);
  g_string_replace (copy, prefix_line, moved, 1);

  fixture->pkgconfig_dir = g_build_filename (fixture->tmp, "pkgconfig", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->pkgconfig_dir, 0700), ==, 0);
  g_autofree char *pc = g_build_filename (fixture->pkgconfig_dir, "timon-sdk.pc", NULL);
  g_file_set_contents (pc, copy->str, (gssize) copy->len, &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->cc = g_find_program_in_path ("cc");
  fixture->pkg_config = g_find_program_in_path ("pkg-config");
  fixture->nm = g_find_program_in_path ("nm");
  if (fixture->cc == NULL || fixture->pkg_config == NULL || fixture->nm == NULL) {
    g_test_skip ("building a plugin out of tree needs cc, pkg-config and nm in PATH");
    return;
  }

  fixture->tmp = g_dir_make_tmp ("timon-sdk-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->destdir = g_build_filename (fixture->tmp, "destdir", NULL);

  /* --no-rebuild: the test runs once the build is done, and must not
   * start a second ninja in the build tree under the first. */
  const char *const install[] = {
    MESON,          "install", "-C", BUILD_ROOT, "--destdir", fixture->destdir,
    "--no-rebuild", "--quiet", NULL,
  };
  g_free (check_output (fixture, install));

  g_autofree char *libdir = destdir_path (fixture, LIBDIR);
  fixture->plugindir = g_build_filename (libdir, "timon-1", "plugins", NULL);
  prepare_pkgconfig (fixture);
  fixture->ready = TRUE;
}

static void
remove_tree (GFile *file)
{
  g_autoptr (GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                               G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL) {
    g_autoptr (GFileInfo) owned = info;
    g_autoptr (GFile) child = g_file_get_child (file, g_file_info_get_name (owned));
    remove_tree (child);
  }
  g_file_delete (file, NULL, NULL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->tmp != NULL) {
    g_autoptr (GFile) tmp = g_file_new_for_path (fixture->tmp);
    remove_tree (tmp);
  }
  g_free (fixture->tmp);
  g_free (fixture->destdir);
  g_free (fixture->plugindir);
  g_free (fixture->pkgconfig_dir);
  g_free (fixture->cc);
  g_free (fixture->pkg_config);
  g_free (fixture->nm);
}

/* pkg-config's output, split as a shell would. */
static GStrv
pkg_config_args (Fixture *fixture, const char *what)
{
  const char *const argv[] = { fixture->pkg_config, what, "timon-sdk", NULL };
  g_autofree char *out = check_output (fixture, argv);
  g_autoptr (GError) error = NULL;
  char **args = NULL;

  g_shell_parse_argv (g_strstrip (out), NULL, &args, &error);
  g_assert_no_error (error);
  return args;
}

static char *
pkg_config_variable (Fixture *fixture, const char *name)
{
  g_autofree char *option = g_strconcat ("--variable=", name, NULL);
  const char *const argv[] = { fixture->pkg_config, option, "timon-sdk", NULL };
  g_autofree char *out = check_output (fixture, argv);

  return g_strdup (g_strstrip (out));
}

/* Builds the example with cc, as its README says, into @dir. */
static char *
build_with_cc (Fixture *fixture, const char *dir)
{
  g_auto (GStrv) flags = pkg_config_args (fixture, "--cflags");
  g_auto (GStrv) libs = pkg_config_args (fixture, "--libs");
  g_autofree char *script = pkg_config_variable (fixture, "plugin_version_script");
  g_autofree char *version_script = g_strconcat ("-Wl,--version-script=", script, NULL);
  g_autofree char *output = g_build_filename (dir, "libhello-store.so", NULL);
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();

  /* The SDK's paths are the DESTDIR's, not some other installed Timon's. */
  g_assert_nonnull (flags[0]);
  assert_contains (flags[0], fixture->destdir);
  assert_contains (script, fixture->destdir);
  g_assert_true (g_file_test (script, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_strv_builder_add_many (argv, fixture->cc, "-shared", "-fPIC", "-std=gnu11", "-Wall", "-Wextra",
                           "-Wno-unused-parameter", "-Werror", "-o", output,
                           EXAMPLE_DIR "/hello-store.c", NULL);
  g_strv_builder_addv (argv, (const char **) flags);
  g_strv_builder_addv (argv, (const char **) libs);
  g_strv_builder_add (argv, version_script);
  g_auto (GStrv) command = g_strv_builder_end (argv);
  g_free (check_output (fixture, (const char *const *) command));
  return g_steal_pointer (&output);
}

/* A plugin exports its descriptor and nothing else. */
static void
assert_exports_only_descriptor (Fixture *fixture, const char *plugin)
{
  const char *const argv[] = { fixture->nm, "-D", "--defined-only", plugin, NULL };
  g_autofree char *out = check_output (fixture, argv);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (char **line = lines; *line != NULL; line++) {
    g_auto (GStrv) fields = g_strsplit_set (g_strstrip (*line), " \t", -1);
    guint n = g_strv_length (fields);
    if (n > 0 && fields[n - 1][0] != '\0')
      g_strv_builder_add (builder, fields[n - 1]);
  }
  g_auto (GStrv) symbols = g_strv_builder_end (builder);
  g_autofree char *shown = g_strjoinv (", ", symbols);
  g_test_message ("%s exports: %s", plugin, shown);
  g_assert_cmpuint (g_strv_length (symbols), ==, 1);
  g_assert_cmpstr (symbols[0], ==, "timon_plugin_descriptor");
}

/* The plugins that ship with Timon follow the same rule as third-party
 * ones: the version script leaves the descriptor and nothing else. */
static void
test_builtin_exports (void)
{
  Fixture fixture = { .nm = g_find_program_in_path ("nm") };
  if (fixture.nm == NULL) {
    g_test_skip ("checking what a plugin exports needs nm (binutils) in PATH");
    return;
  }

  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  timon_registry_load_default (registry, NULL);
  GPtrArray *plugins = timon_registry_get_plugins (registry);
  g_assert_cmpuint (plugins->len, >=, 3);
  for (guint i = 0; i < plugins->len; i++)
    assert_exports_only_descriptor (&fixture, timon_plugin_get_filename (plugins->pdata[i]));
  g_free (fixture.nm);
}

/* timonctl, given @dir, lists the plugin in @filename as "hello", with
 * the store "hello". */
static void
assert_timonctl_lists_hello (Fixture *fixture, const char *dir, const char *filename)
{
  const char *const argv[] = { TIMONCTL, "--plugin-dir", dir, "plugins", "--json", NULL };
  const char *const argv_after[] = { TIMONCTL, "plugins", "--plugin-dir", dir, "--json", NULL };
  g_auto (TestRun) run = { 0 };
  g_auto (TestRun) run_after = { 0 };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  run_command (fixture, &run, argv);
  g_assert_cmpint (run.status, ==, 0);
  /* --plugin-dir is both timonctl's option and the command's. */
  run_command (fixture, &run_after, argv_after);
  g_assert_cmpint (run_after.status, ==, 0);
  g_assert_cmpstr (run_after.out, ==, run.out);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  JsonObject *report = json_node_get_object (json_parser_get_root (parser));

  JsonArray *failures = json_object_get_array_member (report, "failures");
  for (guint i = 0; i < json_array_get_length (failures); i++) {
    JsonObject *failure = json_array_get_object_element (failures, i);
    if (g_strcmp0 (json_object_get_string_member (failure, "filename"), filename) == 0)
      g_test_fail_printf ("the example failed to load: %s",
                          json_object_get_string_member (failure, "reason"));
  }

  JsonArray *plugins = json_object_get_array_member (report, "plugins");
  JsonObject *hello = NULL;
  for (guint i = 0; i < json_array_get_length (plugins); i++) {
    JsonObject *plugin = json_array_get_object_element (plugins, i);
    if (g_strcmp0 (json_object_get_string_member (plugin, "name"), "hello") == 0)
      hello = plugin;
  }
  g_assert_nonnull (hello);
  g_assert_cmpstr (json_object_get_string_member (hello, "filename"), ==, filename);
  g_assert_cmpstr (json_object_get_string_member (hello, "license"), ==, "MIT");
  JsonObject *abi = json_object_get_object_member (hello, "abi");
  g_assert_cmpint (json_object_get_int_member (abi, "major"), ==, TIMON_ABI_MAJOR);
  g_assert_cmpint (json_object_get_int_member (abi, "minor"), ==, TIMON_ABI_MINOR);
  JsonArray *features = json_object_get_array_member (hello, "features");
  g_assert_cmpuint (json_array_get_length (features), ==, 1);
  JsonObject *store = json_array_get_object_element (features, 0);
  g_assert_cmpstr (json_object_get_string_member (store, "kind"), ==, "store");
  g_assert_cmpstr (json_object_get_string_member (store, "name"), ==, "hello");
  g_assert_cmpstr (json_object_get_string_member (store, "gtype"), ==, "HelloStore");
}

static void
test_out_of_tree_cc (Fixture *fixture, gconstpointer data)
{
  if (!fixture->ready)
    return;

  g_autofree char *dir = g_build_filename (fixture->tmp, "cc-plugins", NULL);
  g_autofree char *plugin = build_with_cc (fixture, dir);
  assert_exports_only_descriptor (fixture, plugin);
  assert_timonctl_lists_hello (fixture, dir, plugin);

  /* The variables the README tells authors to use. */
  g_autofree char *plugindir = pkg_config_variable (fixture, "plugindir");
  g_autofree char *abi_major = pkg_config_variable (fixture, "abi_major");
  g_autofree char *abi_minor = pkg_config_variable (fixture, "abi_minor");
  g_autofree char *expected_major = g_strdup_printf ("%d", TIMON_ABI_MAJOR);
  g_autofree char *expected_minor = g_strdup_printf ("%d", TIMON_ABI_MINOR);
  g_assert_cmpstr (plugindir, ==, fixture->plugindir);
  g_assert_true (g_file_test (plugindir, G_FILE_TEST_IS_DIR));
  g_assert_cmpstr (abi_major, ==, expected_major);
  g_assert_cmpstr (abi_minor, ==, expected_minor);
}

static void
test_out_of_tree_meson (Fixture *fixture, gconstpointer data)
{
  if (!fixture->ready)
    return;

  g_autofree char *build = g_build_filename (fixture->tmp, "hello-build", NULL);
  g_autofree char *built = g_build_filename (build, "libhello-store.so", NULL);
  g_autofree char *installed = g_build_filename (fixture->plugindir, "libhello-store.so", NULL);
  const char *const setup[] = { MESON, "setup", build, EXAMPLE_DIR, "-Dwerror=true", NULL };
  const char *const compile[] = { MESON, "compile", "-C", build, NULL };
  const char *const install[] = { MESON, "install", "-C", build, "--no-rebuild", "--quiet", NULL };

  g_free (check_output (fixture, setup));
  g_free (check_output (fixture, compile));
  assert_exports_only_descriptor (fixture, built);
  /* Into the SDK's plugindir (the DESTDIR's, by the moved prefix). */
  g_free (check_output (fixture, install));
  g_assert_true (g_file_test (installed, G_FILE_TEST_IS_REGULAR));
  assert_timonctl_lists_hello (fixture, fixture->plugindir, installed);
}

static TimonStoreItem *
create (TimonStore *store, const char *key, const char *value, GError **error)
{
  g_autoptr (GBytes) bytes = g_bytes_new (value, strlen (value));
  return timon_store_create (store, key, bytes, error);
}

/* The example is one to copy: it must behave, not just load. */
static void
test_example_store (Fixture *fixture, gconstpointer data)
{
  if (!fixture->ready)
    return;

  g_autofree char *dir = g_build_filename (fixture->tmp, "cc-plugins", NULL);
  g_autofree char *plugin = build_with_cc (fixture, dir);
  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (timon_registry_load_file (registry, plugin, &error));
  g_assert_no_error (error);
  g_autoptr (TimonStore) store = timon_registry_open_store (registry, "hello", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_revision (store), ==, 0);

  g_autoptr (TimonStoreItem) a = create (store, "/registry/a", "1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (a), ==, 1);
  g_autoptr (TimonStoreItem) b = create (store, "/registry/b", "2", &error);
  g_assert_no_error (error);
  g_autoptr (TimonStoreItem) again = create (store, "/registry/a", "3", &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS);
  g_assert_null (again);
  g_clear_error (&error);

  g_autoptr (TimonStoreItem) got = timon_store_get (store, "/registry/a", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (timon_store_item_get_value (got), NULL), 1, "1", 1);

  g_autoptr (GBytes) v4 = g_bytes_new_static ("4", 1);
  g_autoptr (TimonStoreItem) stale = timon_store_update (store, "/registry/a", v4, 2, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT);
  g_assert_null (stale);
  g_clear_error (&error);
  g_autoptr (TimonStoreItem) updated = timon_store_update (store, "/registry/a", v4, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (updated), ==, 3);
  g_assert_cmpint (timon_store_item_get_create_revision (updated), ==, 1);

  gint64 revision = 0;
  g_autoptr (GPtrArray) items = timon_store_list (store, "/registry/", TIMON_STORE_REVISION_LATEST,
                                                  0, NULL, &revision, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpint (revision, ==, 3);
  g_assert_cmpstr (timon_store_item_get_key (items->pdata[0]), ==, "/registry/a");
  g_assert_cmpstr (timon_store_item_get_key (items->pdata[1]), ==, "/registry/b");

  /* No history: an older revision is gone, as after a compaction. */
  g_autoptr (GPtrArray) old =
    timon_store_list (store, "/registry/", 1, 0, NULL, NULL, NULL, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED);
  g_assert_null (old);
  g_clear_error (&error);

  gint64 delete_revision = 0;
  g_autoptr (TimonStoreItem) deleted =
    timon_store_delete (store, "/registry/a", 0, &delete_revision, &error);
  g_assert_no_error (error);
  g_assert_cmpint (delete_revision, ==, 4);
  g_assert_cmpstr (timon_store_item_get_key (deleted), ==, "/registry/a");
  g_autoptr (TimonStoreItem) gone = timon_store_get (store, "/registry/a", &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
  g_assert_null (gone);
  g_clear_error (&error);

  g_autoptr (TimonStoreWatch) watch =
    timon_store_watch (store, "/registry/", TIMON_STORE_REVISION_LATEST, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED);
  g_assert_null (watch);
}

static void
test_direct_include_refused (Fixture *fixture, gconstpointer data)
{
  static const char *const headers[] = {
    "timon-types.h",      "timon-version.h",     "timon-plugin.h",      "timon-store.h",
    "timon-store-item.h", "timon-store-event.h", "timon-store-watch.h",
  };

  if (!fixture->ready)
    return;

  g_auto (GStrv) flags = pkg_config_args (fixture, "--cflags");
  for (size_t i = 0; i <= G_N_ELEMENTS (headers); i++) {
    /* The last round includes timon.h: the control that proves the
     * others fail for the guard, not for a wrong include path. */
    const char *header = i < G_N_ELEMENTS (headers) ? headers[i] : "timon.h";
    g_autofree char *source = g_build_filename (fixture->tmp, "direct.c", NULL);
    g_autofree char *text = g_strdup_printf ("#include <timon/%s>\n", header);
    g_autoptr (GError) error = NULL;
    g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
    g_auto (TestRun) run = { 0 };

    g_file_set_contents (source, text, -1, &error);
    g_assert_no_error (error);
    g_strv_builder_add_many (argv, fixture->cc, "-fsyntax-only", source, NULL);
    g_strv_builder_addv (argv, (const char **) flags);
    g_auto (GStrv) command = g_strv_builder_end (argv);
    run_command (fixture, &run, (const char *const *) command);

    if (i < G_N_ELEMENTS (headers)) {
      g_test_message ("<timon/%s>: exit status %d", header, run.status);
      g_assert_cmpint (run.status, !=, 0);
      assert_contains (run.err, "Only <timon/timon.h> can be included directly.");
    } else {
      g_assert_cmpint (run.status, ==, 0);
      g_assert_cmpstr (run.err, ==, "");
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/sdk/example/out-of-tree", Fixture, NULL, fixture_setup, test_out_of_tree_cc,
              fixture_teardown);
  g_test_add ("/sdk/example/out-of-tree-meson", Fixture, NULL, fixture_setup,
              test_out_of_tree_meson, fixture_teardown);
  g_test_add ("/sdk/example/store", Fixture, NULL, fixture_setup, test_example_store,
              fixture_teardown);
  g_test_add_func ("/sdk/builtin/exports-only-descriptor", test_builtin_exports);
  g_test_add ("/sdk/headers/direct-include-refused", Fixture, NULL, fixture_setup,
              test_direct_include_refused, fixture_teardown);

  return g_test_run ();
}
