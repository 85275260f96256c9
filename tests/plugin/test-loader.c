/* test-loader.c: the plugin loader's error paths, proven with the
 * deliberately broken plugins of tests/plugins/, and the registry's
 * lookups.
 *
 * Each test loads the memory plugin, then one folder of test plugins,
 * into a registry of its own. Plugins stay resident once loaded, so the
 * tests share their GTypes; each test plugin registers its own type name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "test-utils.h"
#include "timon-registry.h"

/* The path the registry reports for a test plugin. */
static char *
test_plugin_path (const char *subdir, const char *file)
{
  g_autofree char *path = g_build_filename (TEST_PLUGINS_DIR, subdir, file, NULL);
  return g_canonicalize_filename (path, NULL);
}

/* A registry holding the memory plugin and what @subdir (or, for NULL,
 * every folder of test plugins) loads. */
static TimonRegistry *
registry_with (const char *subdir)
{
  TimonRegistry *registry = timon_registry_new ();

  timon_registry_load_dir (registry, MEMORY_PLUGIN_DIR);
  g_assert_cmpuint (timon_registry_get_failures (registry)->len, ==, 0);
  g_assert_cmpuint (timon_registry_get_plugins (registry)->len, ==, 1);
  g_assert_cmpstr (timon_plugin_get_name (timon_registry_get_plugins (registry)->pdata[0]), ==,
                   "memory");

  g_autofree char *dir = g_build_filename (TEST_PLUGINS_DIR, subdir, NULL);
  timon_registry_load_dir (registry, dir);
  return registry;
}

static TimonPluginFailure *
find_failure (TimonRegistry *registry, const char *filename)
{
  GPtrArray *failures = timon_registry_get_failures (registry);
  TimonPluginFailure *found = NULL;

  for (guint i = 0; i < failures->len; i++) {
    TimonPluginFailure *failure = failures->pdata[i];
    if (g_strcmp0 (failure->filename, filename) == 0) {
      if (found != NULL)
        g_test_fail_printf ("%s is in the failures twice", filename);
      found = failure;
    }
  }
  return found;
}

/* The one failure of @file, with the error @code and a message that
 * names the file and says @reason. */
static const GError *
assert_failure (TimonRegistry *registry,
                const char *subdir,
                const char *file,
                TimonPluginError code,
                const char *reason)
{
  g_autofree char *path = test_plugin_path (subdir, file);
  TimonPluginFailure *failure = find_failure (registry, path);

  if (failure == NULL) {
    g_autofree char *m = g_strdup_printf ("%s is not in the failures", path);
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m);
    return NULL;
  }
  g_assert_error (failure->error, TIMON_PLUGIN_ERROR, (int) code);
  assert_contains (failure->error->message, path);
  assert_contains (failure->error->message, reason);
  return failure->error;
}

static guint
n_plugins (TimonRegistry *registry)
{
  return timon_registry_get_plugins (registry)->len;
}

static guint
n_failures (TimonRegistry *registry)
{
  return timon_registry_get_failures (registry)->len;
}

static void
test_load_good (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("good");
  g_autofree char *path = test_plugin_path ("good", "libtest-good.so");

  g_assert_cmpuint (n_failures (registry), ==, 0);
  g_assert_cmpuint (n_plugins (registry), ==, 2);

  TimonFeature *feature = timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test-good");
  g_assert_nonnull (feature);
  g_assert_cmpint (timon_feature_get_kind (feature), ==, TIMON_FEATURE_STORE);
  g_assert_cmpstr (timon_feature_get_name (feature), ==, "test-good");
  g_assert_cmpstr (g_type_name (timon_feature_get_gtype (feature)), ==, "TestGoodStore");

  TimonPlugin *plugin = timon_feature_get_plugin (feature);
  g_assert_true (plugin == timon_registry_get_plugins (registry)->pdata[1]);
  g_assert_cmpstr (timon_plugin_get_name (plugin), ==, "test-good");
  g_assert_cmpstr (timon_plugin_get_description (plugin), ==, "A test plugin that loads");
  g_assert_cmpstr (timon_plugin_get_version (plugin), ==, "1.2.3");
  g_assert_cmpstr (timon_plugin_get_license (plugin), ==, "MIT");
  g_assert_cmpuint (timon_plugin_get_abi_major (plugin), ==, TIMON_ABI_MAJOR);
  g_assert_cmpuint (timon_plugin_get_abi_minor (plugin), ==, TIMON_ABI_MINOR);
  g_assert_cmpstr (timon_plugin_get_filename (plugin), ==, path);
  g_assert_cmpuint (timon_plugin_get_features (plugin)->len, ==, 1);
  g_assert_true (timon_plugin_get_features (plugin)->pdata[0] == feature);

  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStore) store =
    timon_registry_open_store (registry, "test-good", "/nowhere", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (store), ==, "TestGoodStore");
  g_autofree char *location = NULL;
  g_object_get (store, "location", &location, NULL);
  g_assert_cmpstr (location, ==, "/nowhere");
  g_autoptr (TimonStoreItem) item = timon_store_get (store, "/registry/a", &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
  g_assert_null (item);
}

static void
test_load_no_descriptor (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("no-descriptor");

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 1);
  assert_failure (registry, "no-descriptor", "libtest-no-descriptor.so",
                  TIMON_PLUGIN_ERROR_NO_DESCRIPTOR, "exports no timon_plugin_descriptor");
}

static void
test_load_abi_too_new (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("abi-too-new");
  g_autofree char *built = g_strdup_printf ("ABI %d.%d;", TIMON_ABI_MAJOR, TIMON_ABI_MINOR + 1);
  g_autofree char *provides =
    g_strdup_printf ("provides ABI %d.%d", TIMON_ABI_MAJOR, TIMON_ABI_MINOR);

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 1);
  /* An ABI error, not the INIT error the plugin's init would give. */
  const GError *error = assert_failure (registry, "abi-too-new", "libtest-abi-too-new.so",
                                        TIMON_PLUGIN_ERROR_ABI, built);
  assert_contains (error->message, provides);
}

static void
test_load_abi_wrong_major (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("abi-wrong-major");
  g_autofree char *built = g_strdup_printf ("ABI %d.0;", TIMON_ABI_MAJOR + 1);

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 1);
  assert_failure (registry, "abi-wrong-major", "libtest-abi-wrong-major.so", TIMON_PLUGIN_ERROR_ABI,
                  built);
}

static void
test_load_init_fails (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("init-fails");

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 1);
  assert_failure (registry, "init-fails", "libtest-init-fails.so", TIMON_PLUGIN_ERROR_INIT,
                  "test-init-fails gives up on purpose");
  /* What init registered before it failed is dropped. */
  g_assert_null (timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test-init-fails"));
}

static void
test_load_duplicate_feature (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("duplicate-feature");
  TimonFeature *memory = timon_registry_lookup (registry, TIMON_FEATURE_STORE, "memory");

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 2);

  const GError *error =
    assert_failure (registry, "duplicate-feature", "libtest-duplicate-memory.so",
                    TIMON_PLUGIN_ERROR_DUPLICATE, "the store \"memory\" is already provided");
  /* The message names the plugin that got there first, and its file. */
  assert_contains (error->message, timon_plugin_get_filename (timon_feature_get_plugin (memory)));
  g_assert_cmpstr (g_type_name (timon_feature_get_gtype (memory)), ==, "TimonMemoryStore");

  assert_failure (registry, "duplicate-feature", "libtest-duplicate-twice.so",
                  TIMON_PLUGIN_ERROR_DUPLICATE, "registers the store \"test-twice\" twice");
  g_assert_null (timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test-twice"));
}

static void
test_load_not_a_store (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("not-a-store");
  g_autofree char *path = test_plugin_path ("not-a-store", "libtest-not-a-store.so");

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 1);
  g_assert_null (timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test-not-a-store"));

  TimonPluginFailure *failure = find_failure (registry, path);
  g_assert_nonnull (failure);
  assert_contains (failure->error->message, path);
  assert_contains (failure->error->message, "type TestNotAStore is not an instantiable TimonStore");
  /* A malformed feature keeps the code the SDK gave it. */
  g_assert_error (failure->error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID);
}

static void
test_load_invalid (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("invalid");

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 2);
  assert_failure (registry, "invalid", "libtest-bad-name.so", TIMON_PLUGIN_ERROR_INVALID,
                  "\"TestBadName\" is not a valid plugin name");
  assert_failure (registry, "invalid", "libtest-incomplete.so", TIMON_PLUGIN_ERROR_INVALID,
                  "incomplete plugin descriptor");
}

static void
test_load_garbage (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("garbage");
  g_autofree char *path = test_plugin_path ("garbage", "libgarbage.so");

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 1);
  /* The reason is the dynamic loader's; "cannot open" is the core's. */
  assert_failure (registry, "garbage", "libgarbage.so", TIMON_PLUGIN_ERROR_OPEN, "cannot open");

  /* Loading the file itself reports the same error. */
  g_autoptr (GError) error = NULL;
  g_assert_false (timon_registry_load_file (registry, path, &error));
  g_assert_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_OPEN);
  assert_contains (error->message, path);
}

/* A folder given twice (--plugin-dir naming a default folder) loads each
 * plugin once; a broken one should be reported once too. */
static void
test_load_same_folder_twice (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("garbage");
  g_autofree char *dir = g_build_filename (TEST_PLUGINS_DIR, "garbage", NULL);
  g_autofree char *path = test_plugin_path ("garbage", "libgarbage.so");

  timon_registry_load_dir (registry, dir);
  g_assert_cmpuint (n_plugins (registry), ==, 1);
  GPtrArray *failures = timon_registry_get_failures (registry);
  for (guint i = 0; i < failures->len; i++) {
    TimonPluginFailure *failure = failures->pdata[i];
    g_assert_cmpstr (failure->filename, ==, path);
    g_assert_error (failure->error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_OPEN);
  }
  g_assert_cmpuint (failures->len, ==, 1);
}

static void
test_load_duplicate_plugin (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("duplicate-plugin");
  g_autofree char *first = test_plugin_path ("duplicate-plugin", "libtest-duplicate-plugin-a.so");

  /* Scanned in name order: -a loads, -b is refused. */
  g_assert_cmpuint (n_plugins (registry), ==, 2);
  TimonPlugin *plugin = timon_registry_get_plugins (registry)->pdata[1];
  g_assert_cmpstr (timon_plugin_get_name (plugin), ==, "test-duplicate-plugin");
  g_assert_cmpstr (timon_plugin_get_filename (plugin), ==, first);

  g_assert_cmpuint (n_failures (registry), ==, 1);
  const GError *error =
    assert_failure (registry, "duplicate-plugin", "libtest-duplicate-plugin-b.so",
                    TIMON_PLUGIN_ERROR_DUPLICATE, "a plugin named test-duplicate-plugin");
  assert_contains (error->message, first);
}

static void
test_load_others_still_load (void)
{
  static const struct {
    const char *subdir;
    const char *file;
    TimonPluginError code;
    gboolean check_code;
  } broken[] = {
    { "abi-too-new", "libtest-abi-too-new.so", TIMON_PLUGIN_ERROR_ABI, TRUE },
    { "abi-wrong-major", "libtest-abi-wrong-major.so", TIMON_PLUGIN_ERROR_ABI, TRUE },
    { "duplicate-feature", "libtest-duplicate-memory.so", TIMON_PLUGIN_ERROR_DUPLICATE, TRUE },
    { "duplicate-feature", "libtest-duplicate-twice.so", TIMON_PLUGIN_ERROR_DUPLICATE, TRUE },
    { "duplicate-plugin", "libtest-duplicate-plugin-b.so", TIMON_PLUGIN_ERROR_DUPLICATE, TRUE },
    { "garbage", "libgarbage.so", TIMON_PLUGIN_ERROR_OPEN, TRUE },
    { "init-fails", "libtest-init-fails.so", TIMON_PLUGIN_ERROR_INIT, TRUE },
    { "invalid", "libtest-bad-name.so", TIMON_PLUGIN_ERROR_INVALID, TRUE },
    { "invalid", "libtest-incomplete.so", TIMON_PLUGIN_ERROR_INVALID, TRUE },
    { "no-descriptor", "libtest-no-descriptor.so", TIMON_PLUGIN_ERROR_NO_DESCRIPTOR, TRUE },
    /* Its code is checked by /plugin/load/not-a-store. */
    { "not-a-store", "libtest-not-a-store.so", TIMON_PLUGIN_ERROR_INVALID, FALSE },
    { "resource-types", "libtest-resource-bad-kind.so", TIMON_PLUGIN_ERROR_INVALID, TRUE },
    { "resource-types", "libtest-resource-twice.so", TIMON_PLUGIN_ERROR_DUPLICATE, TRUE },
  };
  /* The parent folder: the loader scans every subfolder. */
  g_autoptr (TimonRegistry) registry = registry_with (NULL);
  GPtrArray *plugins = timon_registry_get_plugins (registry);

  g_assert_cmpuint (n_plugins (registry), ==, 4);
  g_assert_cmpstr (timon_plugin_get_name (plugins->pdata[0]), ==, "memory");
  g_assert_cmpstr (timon_plugin_get_name (plugins->pdata[1]), ==, "test-duplicate-plugin");
  g_assert_cmpstr (timon_plugin_get_name (plugins->pdata[2]), ==, "test-good");
  g_assert_cmpstr (timon_plugin_get_name (plugins->pdata[3]), ==, "test-resource-good");
  g_assert_nonnull (timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test-good"));

  g_assert_cmpuint (n_failures (registry), ==, G_N_ELEMENTS (broken));
  for (size_t i = 0; i < G_N_ELEMENTS (broken); i++) {
    g_autofree char *path = test_plugin_path (broken[i].subdir, broken[i].file);
    TimonPluginFailure *failure = find_failure (registry, path);
    if (failure == NULL) {
      g_test_fail_printf ("%s is not in the failures", path);
      continue;
    }
    /* Each with its own reason: the message names its own file. */
    assert_contains (failure->error->message, path);
    g_assert_cmpuint (failure->error->domain, ==, TIMON_PLUGIN_ERROR);
    if (broken[i].check_code)
      g_assert_cmpint (failure->error->code, ==, broken[i].code);
  }
}

static void
test_load_twice (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("good");
  g_autofree char *dir = g_build_filename (TEST_PLUGINS_DIR, "good", NULL);
  g_autofree char *path = test_plugin_path ("good", "libtest-good.so");
  g_autoptr (GError) error = NULL;

  /* Found again through a second folder: already there, not a failure. */
  timon_registry_load_dir (registry, dir);
  g_assert_true (timon_registry_load_file (registry, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_plugins (registry), ==, 2);
  g_assert_cmpuint (n_failures (registry), ==, 0);
}

static void
test_load_missing_dir (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("no-such-folder");

  g_assert_cmpuint (n_plugins (registry), ==, 1);
  g_assert_cmpuint (n_failures (registry), ==, 0);
}

static void
test_registry_lookup (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("good");

  TimonFeature *memory = timon_registry_lookup (registry, TIMON_FEATURE_STORE, "memory");
  TimonFeature *good = timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test-good");
  g_assert_nonnull (memory);
  g_assert_nonnull (good);
  g_assert_cmpstr (timon_plugin_get_name (timon_feature_get_plugin (memory)), ==, "memory");
  g_assert_cmpstr (g_type_name (timon_feature_get_gtype (memory)), ==, "TimonMemoryStore");
  g_assert_cmpstr (timon_plugin_get_name (timon_feature_get_plugin (good)), ==, "test-good");
  g_assert_null (timon_registry_lookup (registry, TIMON_FEATURE_STORE, "sqlite-but-not-loaded"));
  g_assert_null (timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test"));
  g_assert_cmpstr (timon_feature_kind_to_string (TIMON_FEATURE_STORE), ==, "store");

  /* In plugin load order. */
  g_autoptr (GPtrArray) stores = timon_registry_list_features (registry, TIMON_FEATURE_STORE);
  g_assert_cmpuint (stores->len, ==, 2);
  g_assert_true (stores->pdata[0] == memory);
  g_assert_true (stores->pdata[1] == good);
}

static void
test_registry_open_store_missing (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("good");
  g_autoptr (GError) error = NULL;

  g_autoptr (TimonStore) store = timon_registry_open_store (registry, "nope", NULL, &error);
  g_assert_null (store);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_contains (error->message, "\"nope\"");
  assert_contains (error->message, "stores loaded: memory, test-good");
}

static void
test_registry_open_store_none (void)
{
  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  g_autoptr (GError) error = NULL;

  g_autoptr (TimonStore) store = timon_registry_open_store (registry, "memory", NULL, &error);
  g_assert_null (store);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_contains (error->message, "stores loaded: none");
}

static void
test_registry_default_dirs (void)
{
  const char *const extra[] = { "/extra/one", "/extra/two", NULL };
  g_autofree char *expected_first = g_canonicalize_filename (BUILD_PLUGIN_DIR, NULL);

  /* The test runs from the build tree: its plugins come first, not the
   * installed ones. */
  g_assert_true (g_setenv ("TIMON_PLUGIN_PATH", "", TRUE));
  g_autofree char *resources = g_build_filename (expected_first, "..", "resources", NULL);
  g_autofree char *expected_second = g_canonicalize_filename (resources, NULL);
  g_auto (GStrv) dirs = timon_registry_dup_default_dirs (extra);
  g_assert_cmpuint (g_strv_length (dirs), ==, 4);
  g_assert_cmpstr (dirs[0], ==, expected_first);
  g_assert_cmpstr (dirs[1], ==, expected_second);
  g_assert_cmpstr (dirs[2], ==, "/extra/one");
  g_assert_cmpstr (dirs[3], ==, "/extra/two");

  g_assert_true (g_setenv ("TIMON_PLUGIN_PATH", "/env/one::/env/two", TRUE));
  g_auto (GStrv) with_env = timon_registry_dup_default_dirs (NULL);
  g_unsetenv ("TIMON_PLUGIN_PATH");
  g_assert_cmpuint (g_strv_length (with_env), ==, 4);
  g_assert_cmpstr (with_env[0], ==, expected_first);
  g_assert_cmpstr (with_env[2], ==, "/env/one");
  g_assert_cmpstr (with_env[3], ==, "/env/two");
}

static void
test_register_outside_init (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("good");
  TimonFeature *good = timon_registry_lookup (registry, TIMON_FEATURE_STORE, "test-good");
  g_autoptr (GError) error = NULL;

  g_assert_false (timon_plugin_add_store (timon_feature_get_plugin (good), "late",
                                          timon_feature_get_gtype (good), &error));
  g_assert_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID);
  assert_contains (error->message, "outside its init function");
  g_assert_null (timon_registry_lookup (registry, TIMON_FEATURE_STORE, "late"));
}

/* A plugin registers resource types by kubectl's qualified name, and
 * they are frozen once registered. */
static void
test_resource_type_good (void)
{
  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  g_autofree char *path = test_plugin_path ("resource-types", "libtest-resource-good.so");
  g_autoptr (GError) error = NULL;

  g_assert_true (timon_registry_load_file (registry, path, &error));
  g_assert_no_error (error);

  TimonFeature *widgets =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, "widgets.v1.test.timon.io");
  g_assert_nonnull (widgets);
  g_assert_cmpint (timon_feature_get_gtype (widgets), ==, G_TYPE_NONE);
  TimonResourceType *type = timon_feature_get_resource_type (widgets);
  g_assert_cmpstr (timon_resource_type_get_kind (type), ==, "Widget");
  g_assert_cmpstr (timon_resource_type_get_singular (type), ==, "widget");
  g_assert_cmpint (timon_resource_type_get_scope (type), ==, TIMON_RESOURCE_NAMESPACED);
  g_assert_cmpstr (timon_resource_type_get_short_names (type)[0], ==, "wd");
  g_assert_true (timon_resource_type_has_subresource (type, "status"));
  g_assert_false (timon_resource_type_has_subresource (type, "scale"));
  g_assert_cmpuint (timon_resource_type_get_n_columns (type), ==, 1);
  const char *json_path = NULL;
  timon_resource_type_get_column (type, 0, NULL, NULL, NULL, NULL, NULL, &json_path);
  g_assert_cmpstr (json_path, ==, ".spec.size");

  /* The hooks came along. */
  gpointer data = NULL;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);
  g_assert_nonnull (hooks->default_object);
  g_autoptr (JsonNode) node = json_from_string ("{\"spec\":{}}", &error);
  g_assert_no_error (error);
  hooks->default_object (json_node_get_object (node), data);
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (json_node_get_object (node), "spec"), "size"),
                   ==, 1);

  TimonFeature *gadgets =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, "gadgets.v1");
  g_assert_nonnull (gadgets);
  g_assert_cmpint (timon_resource_type_get_scope (timon_feature_get_resource_type (gadgets)), ==,
                   TIMON_RESOURCE_CLUSTER);
}

/* Registered types are shared between threads: no more edits. */
static void
test_resource_type_frozen (void)
{
  if (g_test_subprocess ()) {
    g_autoptr (TimonRegistry) registry = timon_registry_new ();
    g_autofree char *path = test_plugin_path ("resource-types", "libtest-resource-good.so");
    g_assert_true (timon_registry_load_file (registry, path, NULL));
    TimonResourceType *type = timon_feature_get_resource_type (
      timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, "gadgets.v1"));
    timon_resource_type_set_singular (type, "changed");
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*!(type)->frozen*");
}

static void
test_resource_type_bad_kind (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("resource-types");

  assert_failure (registry, "resource-types", "libtest-resource-bad-kind.so",
                  TIMON_PLUGIN_ERROR_INVALID, "kind \"bad_kind\" is not valid");
}

static void
test_resource_type_twice (void)
{
  g_autoptr (TimonRegistry) registry = registry_with ("resource-types");

  assert_failure (registry, "resource-types", "libtest-resource-twice.so",
                  TIMON_PLUGIN_ERROR_DUPLICATE, "widgets.v1.test.timon.io");
  /* The good plugin, loaded first, keeps its types. */
  g_assert_nonnull (
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, "widgets.v1.test.timon.io"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/plugin/load/good", test_load_good);
  g_test_add_func ("/plugin/load/no-descriptor", test_load_no_descriptor);
  g_test_add_func ("/plugin/load/abi-too-new", test_load_abi_too_new);
  g_test_add_func ("/plugin/load/abi-wrong-major", test_load_abi_wrong_major);
  g_test_add_func ("/plugin/load/init-fails", test_load_init_fails);
  g_test_add_func ("/plugin/load/duplicate-feature", test_load_duplicate_feature);
  g_test_add_func ("/plugin/load/not-a-store", test_load_not_a_store);
  g_test_add_func ("/plugin/load/invalid", test_load_invalid);
  g_test_add_func ("/plugin/load/garbage", test_load_garbage);
  g_test_add_func ("/plugin/load/duplicate-plugin", test_load_duplicate_plugin);
  g_test_add_func ("/plugin/load/others-still-load", test_load_others_still_load);
  g_test_add_func ("/plugin/load/twice", test_load_twice);
  g_test_add_func ("/plugin/load/same-folder-twice", test_load_same_folder_twice);
  g_test_add_func ("/plugin/load/missing-dir", test_load_missing_dir);
  g_test_add_func ("/plugin/registry/lookup", test_registry_lookup);
  g_test_add_func ("/plugin/registry/open-store-missing", test_registry_open_store_missing);
  g_test_add_func ("/plugin/registry/open-store-none", test_registry_open_store_none);
  g_test_add_func ("/plugin/registry/default-dirs", test_registry_default_dirs);
  g_test_add_func ("/plugin/resource-type/good", test_resource_type_good);
  g_test_add_func ("/plugin/resource-type/frozen", test_resource_type_frozen);
  g_test_add_func ("/plugin/resource-type/bad-kind", test_resource_type_bad_kind);
  g_test_add_func ("/plugin/resource-type/twice", test_resource_type_twice);
  g_test_add_func ("/plugin/register/outside-init", test_register_outside_init);

  return g_test_run ();
}
