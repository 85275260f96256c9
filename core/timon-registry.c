/* timon-registry.c: loads plugins and keeps what they provide, in the
 * manner of GStreamer's registry: scan folders, check each descriptor,
 * call init, keep going whatever one plugin does wrong.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <gmodule.h>
#include <stddef.h>
#include <string.h>

#include "timon-plugin-private.h"
#include "timon-registry.h"

struct _TimonRegistry {
  GObject parent_instance;

  GPtrArray *plugins;   /* TimonPlugin, in load order */
  GPtrArray *failures;  /* TimonPluginFailure */
  GHashTable *features; /* "kind/name" -> TimonFeature */
};

G_DEFINE_FINAL_TYPE (TimonRegistry, timon_registry, G_TYPE_OBJECT)

/* Folders are scanned this deep, so that the build tree's plugins/
 * (plugins/stores/sqlite/…) is found as one folder. */
#define MAX_SCAN_DEPTH 4

static void
failure_free (TimonPluginFailure *failure)
{
  g_free (failure->filename);
  g_error_free (failure->error);
  g_free (failure);
}

static void
timon_registry_finalize (GObject *object)
{
  TimonRegistry *self = TIMON_REGISTRY (object);

  g_hash_table_unref (self->features);
  g_ptr_array_unref (self->plugins);
  g_ptr_array_unref (self->failures);

  G_OBJECT_CLASS (timon_registry_parent_class)->finalize (object);
}

static void
timon_registry_class_init (TimonRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = timon_registry_finalize;
}

static void
timon_registry_init (TimonRegistry *self)
{
  self->plugins = g_ptr_array_new_with_free_func (g_object_unref);
  self->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) failure_free);
  self->features = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * timon_registry_new:
 *
 * Returns: (transfer full): an empty registry
 */
TimonRegistry *
timon_registry_new (void)
{
  return g_object_new (TIMON_TYPE_REGISTRY, NULL);
}

static char *
feature_key (TimonFeatureKind kind, const char *name)
{
  return g_strdup_printf ("%s/%s", timon_feature_kind_to_string (kind), name);
}

gboolean
timon_registry_check_feature (TimonRegistry *registry,
                              TimonFeatureKind kind,
                              const char *name,
                              GError **error)
{
  g_autofree char *key = feature_key (kind, name);
  TimonFeature *existing = g_hash_table_lookup (registry->features, key);

  if (existing != NULL) {
    TimonPlugin *owner = timon_feature_get_plugin (existing);
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_DUPLICATE,
                 "the %s \"%s\" is already provided by plugin %s (%s)",
                 timon_feature_kind_to_string (kind), name, timon_plugin_get_name (owner),
                 timon_plugin_get_filename (owner));
    return FALSE;
  }
  return TRUE;
}

/* A name starts with a letter, so that no command line mistakes it for
 * an option. */
static gboolean
valid_name (const char *name)
{
  return g_ascii_islower (name[0]) &&
         strspn (name, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen (name);
}

static gboolean
check_descriptor (const TimonPluginDescriptor *desc, const char *filename, GError **error)
{
  if (desc->abi_major != TIMON_ABI_MAJOR || desc->abi_minor > TIMON_ABI_MINOR) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_ABI,
                 "%s was built for plugin ABI %u.%u; this Timon provides ABI %u.%u "
                 "(rebuild the plugin against this SDK)",
                 filename, desc->abi_major, desc->abi_minor, TIMON_ABI_MAJOR, TIMON_ABI_MINOR);
    return FALSE;
  }
  if (desc->size < offsetof (TimonPluginDescriptor, init) + sizeof (desc->init) ||
      desc->name == NULL || desc->description == NULL || desc->version == NULL ||
      desc->license == NULL || desc->init == NULL) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID,
                 "%s has an incomplete plugin descriptor (declare it with TIMON_PLUGIN_DEFINE)",
                 filename);
    return FALSE;
  }
  return TRUE;
}

static TimonPlugin *
find_plugin (TimonRegistry *self, const char *name)
{
  for (guint i = 0; i < self->plugins->len; i++) {
    if (g_str_equal (timon_plugin_get_name (self->plugins->pdata[i]), name))
      return self->plugins->pdata[i];
  }
  return NULL;
}

/* A plugin's identity is its real path, so that one reached through a
 * symbolic link or a second folder is still one plugin. */
static char *
canonical_path (const char *filename)
{
  char *real = realpath (filename, NULL);
  if (real == NULL)
    return g_canonicalize_filename (filename, NULL);
  char *out = g_strdup (real);
  free (real);
  return out;
}

static gboolean
load_file (TimonRegistry *self, const char *canonical, GError **error)
{
  GModule *module = NULL;
  gpointer symbol = NULL;

  for (guint i = 0; i < self->plugins->len; i++) {
    if (g_str_equal (timon_plugin_get_filename (self->plugins->pdata[i]), canonical))
      return TRUE; /* found again through a second folder */
  }

  module = g_module_open (canonical, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_OPEN, "cannot open %s: %s",
                 canonical, g_module_error ());
    return FALSE;
  }
  if (!g_module_symbol (module, TIMON_PLUGIN_DESCRIPTOR_SYMBOL, &symbol) || symbol == NULL) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_NO_DESCRIPTOR,
                 "%s is not a Timon plugin: it exports no %s (declare it with "
                 "TIMON_PLUGIN_DEFINE)",
                 canonical, TIMON_PLUGIN_DESCRIPTOR_SYMBOL);
    g_module_close (module);
    return FALSE;
  }

  const TimonPluginDescriptor *desc = symbol;
  if (!check_descriptor (desc, canonical, error)) {
    g_module_close (module);
    return FALSE;
  }

  g_autofree char *name = g_strdelimit (g_strdup (desc->name), "_", '-');
  if (!valid_name (name)) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID,
                 "%s: \"%s\" is not a valid plugin name: use lower case letters, digits and '-', "
                 "starting with a letter",
                 canonical, desc->name);
    g_module_close (module);
    return FALSE;
  }
  TimonPlugin *other = find_plugin (self, name);
  if (other != NULL) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_DUPLICATE,
                 "%s: a plugin named %s is already loaded from %s", canonical, name,
                 timon_plugin_get_filename (other));
    g_module_close (module);
    return FALSE;
  }

  /* init may register GTypes, which cannot be unregistered: from here on
   * the module stays, whatever init says. */
  g_module_make_resident (module);

  g_autoptr (TimonPlugin) plugin = timon_plugin_new (self, canonical, module, desc, name);
  g_autoptr (GError) init_error = NULL;
  timon_plugin_set_loading (plugin, TRUE);
  gboolean ok = desc->init (plugin, &init_error);
  timon_plugin_set_loading (plugin, FALSE);
  g_autoptr (GPtrArray) pending = timon_plugin_steal_pending (plugin);

  if (!ok) {
    /* What the SDK refused (a duplicate or malformed feature) keeps its
     * code; whatever else the plugin reports is an init failure. */
    int code = TIMON_PLUGIN_ERROR_INIT;
    if (g_error_matches (init_error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_DUPLICATE) ||
        g_error_matches (init_error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID))
      code = init_error->code;
    g_set_error (error, TIMON_PLUGIN_ERROR, code, "%s: plugin %s failed to initialize: %s",
                 canonical, name,
                 init_error != NULL ? init_error->message : "its init function gave no reason");
    return FALSE;
  }

  for (guint i = 0; i < pending->len; i++) {
    TimonFeature *feature = pending->pdata[i];
    g_hash_table_insert (self->features,
                         feature_key (timon_feature_get_kind (feature),
                                      timon_feature_get_name (feature)),
                         g_object_ref (feature));
  }
  g_ptr_array_add (self->plugins, g_steal_pointer (&plugin));
  return TRUE;
}

/**
 * timon_registry_load_file:
 * @registry: a registry
 * @filename: a shared object
 * @error: return location for an error
 *
 * Loads one plugin. A failure is also kept in the registry's list of
 * failures, for `timonctl plugins` to show.
 *
 * Returns: %TRUE if the plugin loaded (or was loaded already)
 */
gboolean
timon_registry_load_file (TimonRegistry *registry, const char *filename, GError **error)
{
  g_return_val_if_fail (TIMON_IS_REGISTRY (registry), FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);

  g_autoptr (GError) local_error = NULL;
  g_autofree char *canonical = canonical_path (filename);
  for (guint i = 0; i < registry->failures->len; i++) {
    TimonPluginFailure *failure = registry->failures->pdata[i];
    /* Found again through a second folder: it failed once, and is
     * listed once. */
    if (g_str_equal (failure->filename, canonical)) {
      g_propagate_error (error, g_error_copy (failure->error));
      return FALSE;
    }
  }

  if (load_file (registry, canonical, &local_error))
    return TRUE;

  TimonPluginFailure *failure = g_new0 (TimonPluginFailure, 1);
  failure->filename = g_steal_pointer (&canonical);
  failure->error = g_error_copy (local_error);
  g_ptr_array_add (registry->failures, failure);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
scan_dir (TimonRegistry *self, const char *dir, int depth)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return; /* a folder that is not there provides nothing */
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++) {
    const char *entry = names->pdata[i];
    g_autofree char *path = g_build_filename (dir, entry, NULL);

    if (g_str_has_suffix (entry, ".so") && g_file_test (path, G_FILE_TEST_IS_REGULAR))
      timon_registry_load_file (self, path, NULL);
    else if (depth + 1 < MAX_SCAN_DEPTH && !g_str_has_suffix (entry, ".p") &&
             g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
      scan_dir (self, path, depth + 1);
  }
}

/**
 * timon_registry_load_dir:
 * @registry: a registry
 * @dir: a folder
 *
 * Loads every `*.so` in @dir and its subfolders, in name order. A folder
 * that does not exist is skipped; plugins that fail are kept in the list
 * of failures and the others load.
 */
void
timon_registry_load_dir (TimonRegistry *registry, const char *dir)
{
  g_return_if_fail (TIMON_IS_REGISTRY (registry));
  g_return_if_fail (dir != NULL);

  scan_dir (registry, dir, 0);
}

/* Whether this libtimon is the one in the build tree: then the plugins
 * to load are the build tree's, not whatever an older install left in
 * libdir. */
static gboolean
running_uninstalled (void)
{
  Dl_info info;

  if (dladdr ((void *) timon_registry_new, &info) == 0 || info.dli_fname == NULL)
    return FALSE;
  g_autofree char *lib = g_canonicalize_filename (info.dli_fname, NULL);
  g_autofree char *dir = g_path_get_dirname (lib);
  return g_str_equal (dir, TIMON_BUILD_CORE_DIR);
}

/**
 * timon_registry_dup_default_dirs:
 * @extra_dirs: (nullable) (array zero-terminated=1): folders given on the
 *   command line (`--plugin-dir`)
 *
 * The folders plugins load from, in order: the build tree's plugins/
 * and resources/ when running uninstalled, else the installed plugin
 * folder; then each
 * folder of `$TIMON_PLUGIN_PATH`; then @extra_dirs.
 *
 * Returns: (transfer full): the folders
 */
GStrv
timon_registry_dup_default_dirs (const char *const *extra_dirs)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *env = g_getenv ("TIMON_PLUGIN_PATH");

  if (running_uninstalled ()) {
    /* Resource-type plugins are built under resources/, the others under
     * plugins/, as the layout has it; installed, they share one folder. */
    g_strv_builder_add (builder, TIMON_BUILD_PLUGIN_DIR);
    g_strv_builder_add (builder, TIMON_BUILD_RESOURCE_DIR);
  } else {
    g_strv_builder_add (builder, TIMON_PLUGIN_DIR);
  }
  if (env != NULL && env[0] != '\0') {
    g_auto (GStrv) parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
    for (char **p = parts; *p != NULL; p++) {
      if (**p != '\0')
        g_strv_builder_add (builder, *p);
    }
  }
  if (extra_dirs != NULL)
    g_strv_builder_addv (builder, (const char **) extra_dirs);
  return g_strv_builder_end (builder);
}

/**
 * timon_registry_load_default:
 * @registry: a registry
 * @extra_dirs: (nullable) (array zero-terminated=1): folders given on the
 *   command line
 *
 * Loads the plugins of every folder timon_registry_dup_default_dirs()
 * names.
 */
void
timon_registry_load_default (TimonRegistry *registry, const char *const *extra_dirs)
{
  g_return_if_fail (TIMON_IS_REGISTRY (registry));

  g_auto (GStrv) dirs = timon_registry_dup_default_dirs (extra_dirs);
  for (char **d = dirs; *d != NULL; d++)
    timon_registry_load_dir (registry, *d);
}

/**
 * timon_registry_get_plugins:
 * @registry: a registry
 *
 * Returns: (transfer none) (element-type TimonPlugin): the loaded plugins
 */
GPtrArray *
timon_registry_get_plugins (TimonRegistry *registry)
{
  g_return_val_if_fail (TIMON_IS_REGISTRY (registry), NULL);
  return registry->plugins;
}

/**
 * timon_registry_get_failures:
 * @registry: a registry
 *
 * Returns: (transfer none) (element-type TimonPluginFailure): the plugins
 *   that did not load, and why
 */
GPtrArray *
timon_registry_get_failures (TimonRegistry *registry)
{
  g_return_val_if_fail (TIMON_IS_REGISTRY (registry), NULL);
  return registry->failures;
}

/**
 * timon_registry_lookup:
 * @registry: a registry
 * @kind: the kind of feature
 * @name: its name
 *
 * Returns: (transfer none) (nullable): the feature, or %NULL
 */
TimonFeature *
timon_registry_lookup (TimonRegistry *registry, TimonFeatureKind kind, const char *name)
{
  g_return_val_if_fail (TIMON_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  g_autofree char *key = feature_key (kind, name);
  return g_hash_table_lookup (registry->features, key);
}

/**
 * timon_registry_list_features:
 * @registry: a registry
 * @kind: the kind of feature
 *
 * Returns: (transfer container) (element-type TimonFeature): the features
 *   of that kind, in plugin load order
 */
GPtrArray *
timon_registry_list_features (TimonRegistry *registry, TimonFeatureKind kind)
{
  g_return_val_if_fail (TIMON_IS_REGISTRY (registry), NULL);

  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < registry->plugins->len; i++) {
    GPtrArray *features = timon_plugin_get_features (registry->plugins->pdata[i]);
    for (guint j = 0; j < features->len; j++) {
      if (timon_feature_get_kind (features->pdata[j]) == kind)
        g_ptr_array_add (out, g_object_ref (features->pdata[j]));
    }
  }
  return out;
}

/**
 * timon_registry_open_store:
 * @registry: a registry
 * @name: the store's name ("sqlite", "memory", ...)
 * @location: (nullable): the store's "location"
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the opened store, or %NULL with
 *   @error set (%G_IO_ERROR_NOT_FOUND when no plugin provides @name)
 */
TimonStore *
timon_registry_open_store (TimonRegistry *registry,
                           const char *name,
                           const char *location,
                           GError **error)
{
  g_return_val_if_fail (TIMON_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  TimonFeature *feature = timon_registry_lookup (registry, TIMON_FEATURE_STORE, name);
  if (feature == NULL) {
    g_autoptr (GPtrArray) stores = timon_registry_list_features (registry, TIMON_FEATURE_STORE);
    g_autoptr (GString) known = g_string_new (NULL);
    for (guint i = 0; i < stores->len; i++)
      g_string_append_printf (known, "%s%s", i ? ", " : "",
                              timon_feature_get_name (stores->pdata[i]));
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "no plugin provides the store \"%s\" (stores loaded: %s)", name,
                 known->len ? known->str : "none");
    return NULL;
  }
  return timon_store_new (timon_feature_get_gtype (feature), location, error);
}
