/* test-timonctl.c: runs the built timonctl and checks what it prints.
 *
 * The oracle is the registry itself: the test loads the same plugins
 * from the same folders in its own process and expects timonctl to show
 * exactly those, so that it keeps passing as plugins are added.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "test-utils.h"
#include "timon-registry.h"

/* Runs timonctl with @args (NULL-terminated). */
static void
run_timonctlv (TestRun *run, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (argv, (char *) TIMONCTL);
  for (const char *const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (char *) *arg);
  g_ptr_array_add (argv, NULL);

  test_run (run, NULL, (const char *const *) argv->pdata);
}

/* Runs timonctl with the arguments up to NULL. */
G_GNUC_NULL_TERMINATED static void
run_timonctl (TestRun *run, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, run);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  run_timonctlv (run, (const char *const *) args->pdata);
}

/* The plugins timonctl should find: the same folders, loaded here. */
static TimonRegistry *
expected_registry (const char *extra_dir)
{
  TimonRegistry *registry = timon_registry_new ();
  const char *const extra[] = { extra_dir, NULL };

  timon_registry_load_default (registry, extra);
  return registry;
}

static TimonPlugin *
find_plugin (TimonRegistry *registry, const char *name)
{
  GPtrArray *plugins = timon_registry_get_plugins (registry);

  for (guint i = 0; i < plugins->len; i++) {
    if (g_str_equal (timon_plugin_get_name (plugins->pdata[i]), name))
      return plugins->pdata[i];
  }
  return NULL;
}

/* A table row, split where the header's columns start: so a misaligned
 * row gives wrong cells, not just a wrong look. */
static GStrv
split_row (const char *header, const char *row)
{
  static const char *const columns[] = { "NAME", "VERSION", "LICENSE", "ABI", "FEATURES", "FILE" };
  size_t starts[G_N_ELEMENTS (columns) + 1];
  g_autoptr (GStrvBuilder) cells = g_strv_builder_new ();

  g_assert_true (g_str_has_prefix (header, columns[0]));
  starts[0] = 0;
  for (size_t i = 1; i < G_N_ELEMENTS (columns); i++) {
    const char *at = strstr (header, columns[i]);
    g_assert_nonnull (at);
    starts[i] = (size_t) (at - header);
  }
  starts[G_N_ELEMENTS (columns)] = strlen (row);

  for (size_t i = 0; i < G_N_ELEMENTS (columns); i++) {
    size_t from = MIN (starts[i], strlen (row));
    size_t to = MIN (starts[i + 1], strlen (row));
    /* A cell must begin at its column: the one before ends in spaces. */
    if (i > 0 && from > 0)
      g_assert_cmpint (row[from - 1], ==, ' ');
    g_autofree char *cell = g_strndup (row + from, to - from);
    g_strstrip (cell);
    g_strv_builder_add (cells, cell);
  }
  return g_strv_builder_end (cells);
}

/* The row of plugin @name in a `timonctl plugins` table, split. */
static GStrv
find_row (const char *out, const char *name)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strconcat (name, " ", NULL);

  g_assert_nonnull (lines[0]);
  g_assert_true (g_str_has_prefix (lines[0], "NAME "));
  for (char **line = lines + 1; *line != NULL && **line != '\0'; line++) {
    if (g_str_has_prefix (*line, prefix))
      return split_row (lines[0], *line);
  }
  return NULL;
}

static char *
expected_features (TimonPlugin *plugin)
{
  GPtrArray *features = timon_plugin_get_features (plugin);
  g_autoptr (GString) cell = g_string_new (NULL);

  for (guint i = 0; i < features->len; i++)
    g_string_append_printf (cell, "%s%s:%s", i > 0 ? "," : "",
                            timon_feature_kind_to_string (
                              timon_feature_get_kind (features->pdata[i])),
                            timon_feature_get_name (features->pdata[i]));
  return g_string_free (g_steal_pointer (&cell), FALSE);
}

static void
assert_row_matches (const char *out, TimonPlugin *plugin)
{
  g_auto (GStrv) row = find_row (out, timon_plugin_get_name (plugin));
  g_autofree char *abi = g_strdup_printf ("%u.%u", timon_plugin_get_abi_major (plugin),
                                          timon_plugin_get_abi_minor (plugin));
  g_autofree char *features = expected_features (plugin);
  g_autofree char *file = g_path_get_basename (timon_plugin_get_filename (plugin));

  if (row == NULL) {
    g_autofree char *m =
      g_strdup_printf ("no row for plugin %s in:\n%s", timon_plugin_get_name (plugin), out);
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m);
    return;
  }
  g_assert_cmpuint (g_strv_length (row), ==, 6);
  g_assert_cmpstr (row[0], ==, timon_plugin_get_name (plugin));
  g_assert_cmpstr (row[1], ==, timon_plugin_get_version (plugin));
  g_assert_cmpstr (row[2], ==, timon_plugin_get_license (plugin));
  g_assert_cmpstr (row[3], ==, abi);
  g_assert_cmpstr (row[4], ==, features[0] != '\0' ? features : "-");
  g_assert_cmpstr (row[5], ==, file);
}

static void
test_plugins_table (void)
{
  g_auto (TestRun) run = { 0 };
  g_autoptr (TimonRegistry) registry = expected_registry (NULL);
  TimonPlugin *memory = find_plugin (registry, "memory");

  run_timonctl (&run, "plugins", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  g_assert_nonnull (memory);
  g_auto (GStrv) row = find_row (run.out, "memory");
  g_assert_nonnull (row);
  g_assert_cmpstr (row[0], ==, "memory");
  g_assert_cmpstr (row[3], ==, "1.0");
  g_assert_cmpstr (row[4], ==, "store:memory");
  g_assert_cmpstr (row[5], ==, "libtimon-store-memory.so");

  GPtrArray *plugins = timon_registry_get_plugins (registry);
  guint n_features = 0;
  for (guint i = 0; i < plugins->len; i++) {
    assert_row_matches (run.out, plugins->pdata[i]);
    n_features += timon_plugin_get_features (plugins->pdata[i])->len;
  }
  g_autofree char *summary =
    g_strdup_printf ("\n%u plugin%s, %u feature%s", plugins->len, plugins->len == 1 ? "" : "s",
                     n_features, n_features == 1 ? "" : "s");
  assert_contains (run.out, summary);
}

/* The sqlite plugin is being written alongside; once its file is in the
 * build tree, timonctl must list it. */
static void
test_plugins_table_sqlite (void)
{
  g_autofree char *dir = g_build_filename (BUILD_PLUGIN_DIR, "stores", "sqlite", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  gboolean built = FALSE;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    built = built || g_str_has_suffix (name, ".so");
  if (!built) {
    g_autofree char *why = g_strdup_printf ("the sqlite plugin is not built (no *.so in %s)", dir);
    g_test_skip (why);
    return;
  }

  g_auto (TestRun) run = { 0 };
  run_timonctl (&run, "plugins", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_auto (GStrv) row = find_row (run.out, "sqlite");
  if (row == NULL) {
    g_autofree char *m = g_strdup_printf ("no row for plugin sqlite in:\n%s", run.out);
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m);
    return;
  }
  g_assert_cmpstr (row[4], ==, "store:sqlite");
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  JsonNode *root = json_parser_steal_root (parser);
  g_assert_nonnull (root);
  g_assert_cmpint (json_node_get_node_type (root), ==, JSON_NODE_OBJECT);
  return root;
}

static void
assert_plugin_json (JsonObject *object, TimonPlugin *plugin)
{
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==,
                   timon_plugin_get_name (plugin));
  g_assert_cmpstr (json_object_get_string_member (object, "description"), ==,
                   timon_plugin_get_description (plugin));
  g_assert_cmpstr (json_object_get_string_member (object, "version"), ==,
                   timon_plugin_get_version (plugin));
  g_assert_cmpstr (json_object_get_string_member (object, "license"), ==,
                   timon_plugin_get_license (plugin));
  g_assert_cmpstr (json_object_get_string_member (object, "filename"), ==,
                   timon_plugin_get_filename (plugin));

  JsonObject *abi = json_object_get_object_member (object, "abi");
  g_assert_nonnull (abi);
  g_assert_cmpint (json_object_get_int_member (abi, "major"), ==,
                   timon_plugin_get_abi_major (plugin));
  g_assert_cmpint (json_object_get_int_member (abi, "minor"), ==,
                   timon_plugin_get_abi_minor (plugin));

  JsonArray *features = json_object_get_array_member (object, "features");
  GPtrArray *expected = timon_plugin_get_features (plugin);
  g_assert_nonnull (features);
  g_assert_cmpuint (json_array_get_length (features), ==, expected->len);
  for (guint i = 0; i < expected->len; i++) {
    JsonObject *feature = json_array_get_object_element (features, i);
    g_assert_cmpstr (json_object_get_string_member (feature, "kind"), ==,
                     timon_feature_kind_to_string (timon_feature_get_kind (expected->pdata[i])));
    g_assert_cmpstr (json_object_get_string_member (feature, "name"), ==,
                     timon_feature_get_name (expected->pdata[i]));
    /* Resource types are described, not implemented: they have no GType. */
    if (timon_feature_get_gtype (expected->pdata[i]) != G_TYPE_NONE)
      g_assert_cmpstr (json_object_get_string_member (feature, "gtype"), ==,
                       g_type_name (timon_feature_get_gtype (expected->pdata[i])));
    else
      g_assert_false (json_object_has_member (feature, "gtype"));
  }
}

static JsonObject *
find_plugin_json (JsonArray *plugins, const char *name)
{
  for (guint i = 0; i < json_array_get_length (plugins); i++) {
    JsonObject *plugin = json_array_get_object_element (plugins, i);
    if (g_strcmp0 (json_object_get_string_member (plugin, "name"), name) == 0)
      return plugin;
  }
  return NULL;
}

static void
test_plugins_json (void)
{
  g_auto (TestRun) run = { 0 };
  g_autoptr (TimonRegistry) registry = expected_registry (NULL);

  run_timonctl (&run, "plugins", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  g_autoptr (JsonNode) root = parse_json (run.out);
  JsonObject *report = json_node_get_object (root);

  JsonObject *core = json_object_get_object_member (report, "core");
  g_assert_nonnull (core);
  g_assert_cmpstr (json_object_get_string_member (core, "version"), ==, TIMON_VERSION_STRING);
  JsonObject *core_abi = json_object_get_object_member (core, "abi");
  g_assert_nonnull (core_abi);
  g_assert_cmpint (json_object_get_int_member (core_abi, "major"), ==, TIMON_ABI_MAJOR);
  g_assert_cmpint (json_object_get_int_member (core_abi, "minor"), ==, TIMON_ABI_MINOR);

  JsonArray *plugins = json_object_get_array_member (report, "plugins");
  GPtrArray *expected = timon_registry_get_plugins (registry);
  g_assert_nonnull (plugins);
  g_assert_cmpuint (json_array_get_length (plugins), ==, expected->len);
  for (guint i = 0; i < expected->len; i++) {
    const char *name = timon_plugin_get_name (expected->pdata[i]);
    JsonObject *plugin = find_plugin_json (plugins, name);
    if (plugin == NULL)
      g_test_fail_printf ("plugin %s is not in the JSON", name);
    else
      assert_plugin_json (plugin, expected->pdata[i]);
  }
  /* Sorted by name, so that two runs diff cleanly. */
  for (guint i = 1; i < json_array_get_length (plugins); i++) {
    const char *a =
      json_object_get_string_member (json_array_get_object_element (plugins, i - 1), "name");
    const char *b =
      json_object_get_string_member (json_array_get_object_element (plugins, i), "name");
    g_assert_cmpint (strcmp (a, b), <, 0);
  }

  JsonObject *memory = find_plugin_json (plugins, "memory");
  g_assert_nonnull (memory);
  JsonArray *features = json_object_get_array_member (memory, "features");
  g_assert_cmpuint (json_array_get_length (features), ==, 1);
  JsonObject *feature = json_array_get_object_element (features, 0);
  g_assert_cmpstr (json_object_get_string_member (feature, "kind"), ==, "store");
  g_assert_cmpstr (json_object_get_string_member (feature, "name"), ==, "memory");
  g_assert_cmpstr (json_object_get_string_member (feature, "gtype"), ==, "TimonMemoryStore");

  JsonArray *failures = json_object_get_array_member (report, "failures");
  g_assert_nonnull (failures);
  g_assert_cmpuint (json_array_get_length (failures), ==,
                    timon_registry_get_failures (registry)->len);
}

static const struct {
  const char *file;
  const char *code;
} broken_plugins[] = {
  { "abi-too-new/libtest-abi-too-new.so", "abi" },
  { "abi-wrong-major/libtest-abi-wrong-major.so", "abi" },
  { "duplicate-feature/libtest-duplicate-memory.so", "duplicate" },
  { "duplicate-feature/libtest-duplicate-twice.so", "duplicate" },
  { "duplicate-plugin/libtest-duplicate-plugin-b.so", "duplicate" },
  { "garbage/libgarbage.so", "open" },
  { "init-fails/libtest-init-fails.so", "init" },
  { "invalid/libtest-bad-name.so", "invalid" },
  { "invalid/libtest-incomplete.so", "invalid" },
  { "no-descriptor/libtest-no-descriptor.so", "no-descriptor" },
  /* Its code is checked by the loader test (/plugin/load/not-a-store). */
  { "not-a-store/libtest-not-a-store.so", NULL },
};

static void
test_plugins_failures (void)
{
  g_auto (TestRun) run = { 0 };
  g_autoptr (TimonRegistry) registry = expected_registry (TEST_PLUGINS_DIR);
  guint n_failures = timon_registry_get_failures (registry)->len;

  run_timonctl (&run, "plugins", "--plugin-dir", TEST_PLUGINS_DIR, NULL);
  /* Failures are reported, not fatal. */
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  g_auto (GStrv) memory = find_row (run.out, "memory");
  g_assert_nonnull (memory);
  g_assert_cmpstr (memory[4], ==, "store:memory");
  g_auto (GStrv) good = find_row (run.out, "test-good");
  g_assert_nonnull (good);
  g_assert_cmpstr (good[4], ==, "store:test-good");
  g_assert_cmpstr (good[5], ==, "libtest-good.so");

  const char *section = strstr (run.out, "\nFailed to load:\n");
  g_assert_nonnull (section);
  g_assert_cmpuint (n_failures, >=, G_N_ELEMENTS (broken_plugins));
  for (size_t i = 0; i < G_N_ELEMENTS (broken_plugins); i++) {
    g_autofree char *path = g_build_filename (TEST_PLUGINS_DIR, broken_plugins[i].file, NULL);
    g_autofree char *canonical = g_canonicalize_filename (path, NULL);
    g_autofree char *line = g_strdup_printf ("\n  %s\n    ", canonical);
    /* Each file on its own line, its reason indented under it. */
    assert_contains (section, line);
  }
  assert_contains (run.out, "libgarbage.so: invalid ELF header");
  assert_contains (run.out, "test-init-fails gives up on purpose");
  g_autofree char *summary = g_strdup_printf (", %u failed to load\n", n_failures);
  assert_contains (run.out, summary);
}

static void
test_plugins_failures_json (void)
{
  g_auto (TestRun) run = { 0 };
  g_autoptr (TimonRegistry) registry = expected_registry (TEST_PLUGINS_DIR);
  GPtrArray *expected = timon_registry_get_failures (registry);

  run_timonctl (&run, "plugins", "--json", "--plugin-dir", TEST_PLUGINS_DIR, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_autoptr (JsonNode) root = parse_json (run.out);
  JsonArray *failures = json_object_get_array_member (json_node_get_object (root), "failures");
  g_assert_nonnull (failures);
  g_assert_cmpuint (json_array_get_length (failures), ==, expected->len);

  for (size_t i = 0; i < G_N_ELEMENTS (broken_plugins); i++) {
    g_autofree char *path = g_build_filename (TEST_PLUGINS_DIR, broken_plugins[i].file, NULL);
    g_autofree char *canonical = g_canonicalize_filename (path, NULL);
    JsonObject *found = NULL;
    for (guint j = 0; j < json_array_get_length (failures); j++) {
      JsonObject *failure = json_array_get_object_element (failures, j);
      if (g_strcmp0 (json_object_get_string_member (failure, "filename"), canonical) == 0)
        found = failure;
    }
    if (found == NULL) {
      g_test_fail_printf ("%s is not in the failures", canonical);
      continue;
    }
    assert_contains (json_object_get_string_member (found, "reason"), canonical);
    if (broken_plugins[i].code != NULL)
      g_assert_cmpstr (json_object_get_string_member (found, "code"), ==, broken_plugins[i].code);
  }
}

static void
test_plugins_name (void)
{
  g_autoptr (TimonRegistry) registry = expected_registry (NULL);
  TimonPlugin *memory = find_plugin (registry, "memory");
  g_auto (TestRun) run = { 0 };
  g_auto (TestRun) json = { 0 };

  g_assert_nonnull (memory);
  run_timonctl (&run, "plugins", "memory", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  g_autofree char *description =
    g_strdup_printf ("\nDescription  %s\n", timon_plugin_get_description (memory));
  g_autofree char *file =
    g_strdup_printf ("\nFile         %s\n", timon_plugin_get_filename (memory));
  assert_contains (run.out, "Name         memory\n");
  assert_contains (run.out, description);
  assert_contains (run.out, file);
  assert_contains (run.out, "\n  store  memory  TimonMemoryStore\n");

  run_timonctl (&json, "plugins", "--json", "memory", NULL);
  g_assert_cmpint (json.status, ==, 0);
  g_autoptr (JsonNode) root = parse_json (json.out);
  assert_plugin_json (json_node_get_object (root), memory);
}

static void
test_plugins_name_missing (void)
{
  g_auto (TestRun) run = { 0 };

  run_timonctl (&run, "plugins", "no-such-plugin", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  assert_contains (run.err, "\"no-such-plugin\"");
  /* One line. */
  g_assert_cmpint (strchr (run.err, '\n') - run.err, ==, (long) strlen (run.err) - 1);
}

static void
test_usage (void)
{
  static const char *const cases[][4] = {
    { "plugins", "--bogus", NULL },
    { "plugins", "one", "two", NULL },
    { "frobnicate", NULL },
    { "--bogus", NULL },
    { NULL },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (TestRun) run = { 0 };
    g_autofree char *shown = g_strjoinv (" ", (char **) cases[i]);

    run_timonctlv (&run, cases[i]);
    g_test_message ("timonctl %s: %s", shown, run.err);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_true (g_str_has_prefix (run.err, "timonctl"));
    /* One line. */
    g_assert_cmpint (strchr (run.err, '\n') - run.err, ==, (long) strlen (run.err) - 1);
  }
}

static void
test_version_and_help (void)
{
  g_auto (TestRun) version = { 0 };
  g_auto (TestRun) help = { 0 };
  g_auto (TestRun) plugins_help = { 0 };
  g_autofree char *expected =
    g_strdup_printf ("timonctl %s (plugin ABI %d.%d)\n", TIMON_VERSION_STRING, TIMON_ABI_MAJOR,
                     TIMON_ABI_MINOR);

  run_timonctl (&version, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_cmpstr (version.out, ==, expected);

  run_timonctl (&help, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  assert_contains (help.out, "\n  plugins ");

  run_timonctl (&plugins_help, "plugins", "--help", NULL);
  g_assert_cmpint (plugins_help.status, ==, 0);
  assert_contains (plugins_help.out, "--plugin-dir=DIR");
  assert_contains (plugins_help.out, "--json");
}

/* docs/plugins.json is the committed inventory of what ships: a plugin
 * or feature added, removed or renamed shows in review as its diff. */
static void
test_plugins_inventory (void)
{
  g_autofree char *path =
    g_build_filename (g_getenv ("MESON_SOURCE_ROOT"), "docs", "plugins.json", NULL);
  g_autofree char *committed = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (TestRun) run = { 0 };

  g_file_get_contents (path, &committed, NULL, &error);
  g_assert_no_error (error);
  run_timonctl (&run, "plugins", "--inventory", NULL);
  g_assert_cmpint (run.status, ==, 0);
  if (g_strcmp0 (run.out, committed) != 0)
    g_test_message ("the plugins changed: run `./build/tools/timonctl/timonctl plugins "
                    "--inventory > docs/plugins.json` and commit the result");
  g_assert_cmpstr (run.out, ==, committed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/timonctl/plugins/table", test_plugins_table);
  g_test_add_func ("/timonctl/plugins/table/sqlite", test_plugins_table_sqlite);
  g_test_add_func ("/timonctl/plugins/json", test_plugins_json);
  g_test_add_func ("/timonctl/plugins/inventory", test_plugins_inventory);
  g_test_add_func ("/timonctl/plugins/failures", test_plugins_failures);
  g_test_add_func ("/timonctl/plugins/failures/json", test_plugins_failures_json);
  g_test_add_func ("/timonctl/plugins/name", test_plugins_name);
  g_test_add_func ("/timonctl/plugins/name/missing", test_plugins_name_missing);
  g_test_add_func ("/timonctl/usage", test_usage);
  g_test_add_func ("/timonctl/version-and-help", test_version_and_help);

  return g_test_run ();
}
