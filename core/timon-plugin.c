/* timon-plugin.c: a loaded plugin, as its descriptor declared it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "timon-plugin-private.h"
#include "timon-resource-type-private.h"

struct _TimonPlugin {
  GObject parent_instance;

  TimonRegistry *registry; /* unowned: the registry owns its plugins */
  GModule *module;
  char *filename;
  char *name;
  const TimonPluginDescriptor *descriptor;
  GPtrArray *features; /* TimonFeature, once init succeeded */
  GPtrArray *pending;  /* TimonFeature, added during init */
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (TimonPlugin, timon_plugin, G_TYPE_OBJECT)
G_DEFINE_QUARK (timon_plugin_error_quark, timon_plugin_error)

static void
timon_plugin_finalize (GObject *object)
{
  TimonPlugin *self = TIMON_PLUGIN (object);

  /* The module stays resident: types it registered outlive it. */
  g_ptr_array_unref (self->features);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_free (self->filename);
  g_free (self->name);

  G_OBJECT_CLASS (timon_plugin_parent_class)->finalize (object);
}

static void
timon_plugin_class_init (TimonPluginClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = timon_plugin_finalize;
}

static void
timon_plugin_init (TimonPlugin *self)
{
  self->features = g_ptr_array_new_with_free_func (g_object_unref);
}

TimonPlugin *
timon_plugin_new (TimonRegistry *registry,
                  const char *filename,
                  GModule *module,
                  const TimonPluginDescriptor *descriptor,
                  const char *name)
{
  TimonPlugin *self = g_object_new (TIMON_TYPE_PLUGIN, NULL);
  self->registry = registry;
  self->filename = g_strdup (filename);
  self->module = module;
  self->descriptor = descriptor;
  self->name = g_strdup (name);
  return self;
}

void
timon_plugin_set_loading (TimonPlugin *plugin, gboolean loading)
{
  plugin->loading = loading;
  if (loading)
    plugin->pending = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Hands the features registered during init to the registry; the plugin
 * keeps its own references for timon_plugin_get_features(). */
GPtrArray *
timon_plugin_steal_pending (TimonPlugin *plugin)
{
  GPtrArray *pending = g_steal_pointer (&plugin->pending);
  for (guint i = 0; i < pending->len; i++)
    g_ptr_array_add (plugin->features, g_object_ref (pending->pdata[i]));
  return pending;
}

static gboolean
add_feature (TimonPlugin *plugin,
             TimonFeatureKind kind,
             const char *name,
             GType type,
             TimonResourceType *resource_type,
             GError **error)
{
  /* Resource types are named as kubectl qualifies them: "pods.v1". */
  const char *allowed = kind == TIMON_FEATURE_RESOURCE_TYPE
                          ? "abcdefghijklmnopqrstuvwxyz0123456789-."
                          : "abcdefghijklmnopqrstuvwxyz0123456789-";

  if (!plugin->loading) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID,
                 "plugin %s registered the %s feature \"%s\" outside its init function",
                 plugin->name, timon_feature_kind_to_string (kind), name);
    return FALSE;
  }
  if (!g_ascii_islower (name[0]) || strspn (name, allowed) != strlen (name)) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID,
                 "\"%s\" is not a valid %s name: use lower case letters, digits and '-', starting "
                 "with a letter",
                 name, timon_feature_kind_to_string (kind));
    return FALSE;
  }
  for (guint i = 0; i < plugin->pending->len; i++) {
    TimonFeature *f = plugin->pending->pdata[i];
    if (timon_feature_get_kind (f) == kind && g_str_equal (timon_feature_get_name (f), name)) {
      g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_DUPLICATE,
                   "plugin %s registers the %s \"%s\" twice", plugin->name,
                   timon_feature_kind_to_string (kind), name);
      return FALSE;
    }
  }
  if (!timon_registry_check_feature (plugin->registry, kind, name, error))
    return FALSE;

  g_ptr_array_add (plugin->pending, timon_feature_new (plugin, kind, name, type, resource_type));
  return TRUE;
}

static gboolean
check_name (const char *what,
            const char *value,
            gboolean (*validate) (const char *, char **),
            const TimonResourceType *type,
            GError **error)
{
  g_autofree char *message = NULL;

  if (validate (value, &message))
    return TRUE;
  g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID,
               "resource type %s: %s \"%s\" is not valid: %s", timon_resource_type_get_kind (type),
               what, value, message);
  return FALSE;
}

static gboolean
valid_kind (const char *kind, char **message)
{
  if (g_ascii_isupper (kind[0]) &&
      strspn (kind, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
        strlen (kind))
    return TRUE;
  *message = g_strdup ("a kind is CamelCase letters and digits, starting with a capital");
  return FALSE;
}

static gboolean
valid_group (const char *group, char **message)
{
  return group[0] == '\0' || timon_validate_dns1123_subdomain (group, message);
}

/**
 * timon_plugin_add_resource_type:
 * @plugin: the plugin being loaded
 * @type: the resource type, described with the timon_resource_type_set_*
 *   functions; it cannot change afterwards
 * @error: return location for an error
 *
 * Registers a kind of object for the API to serve. Call it from the
 * plugin's init function.
 *
 * Returns: %TRUE, or %FALSE with @error set (a name that is not valid, or
 *   the same group, version and plural registered already)
 *
 * Since: 0.1
 */
gboolean
timon_plugin_add_resource_type (TimonPlugin *plugin, TimonResourceType *type, GError **error)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), FALSE);
  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_name ("kind", timon_resource_type_get_kind (type), valid_kind, type, error) ||
      !check_name ("group", timon_resource_type_get_group (type), valid_group, type, error) ||
      !check_name ("version", timon_resource_type_get_version (type), timon_validate_dns1123_label,
                   type, error) ||
      !check_name ("plural", timon_resource_type_get_plural (type), timon_validate_dns1123_label,
                   type, error) ||
      !check_name ("singular", timon_resource_type_get_singular (type),
                   timon_validate_dns1123_label, type, error))
    return FALSE;
  for (const char *const *s = timon_resource_type_get_short_names (type); *s != NULL; s++) {
    if (!check_name ("short name", *s, timon_validate_dns1123_label, type, error))
      return FALSE;
  }

  g_autofree char *name = timon_resource_type_dup_feature_name (type);
  if (!add_feature (plugin, TIMON_FEATURE_RESOURCE_TYPE, name, G_TYPE_NONE, type, error))
    return FALSE;
  timon_resource_type_freeze (type);
  return TRUE;
}

/**
 * timon_plugin_add_store:
 * @plugin: the plugin being loaded
 * @name: the store's name, as users pick it (`timond --store NAME`)
 * @type: a #GType implementing #TimonStore and #GInitable
 * @error: return location for an error
 *
 * Registers a store backend. Call it from the plugin's init function.
 *
 * Returns: %TRUE, or %FALSE with @error set (a store of that name exists,
 *   or @type is not a store)
 *
 * Since: 0.1
 */
gboolean
timon_plugin_add_store (TimonPlugin *plugin, const char *name, GType type, GError **error)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_type_is_a (type, TIMON_TYPE_STORE) || !g_type_is_a (type, G_TYPE_INITABLE) ||
      G_TYPE_IS_ABSTRACT (type)) {
    g_set_error (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INVALID,
                 "store \"%s\": type %s is not an instantiable TimonStore and GInitable", name,
                 g_type_name (type));
    return FALSE;
  }
  return add_feature (plugin, TIMON_FEATURE_STORE, name, type, NULL, error);
}

/**
 * timon_plugin_get_name:
 * @plugin: a plugin
 *
 * Returns: the plugin's name
 *
 * Since: 0.1
 */
const char *
timon_plugin_get_name (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), NULL);
  return plugin->name;
}

/**
 * timon_plugin_get_description:
 * @plugin: a plugin
 *
 * Returns: the plugin's one-line description
 *
 * Since: 0.1
 */
const char *
timon_plugin_get_description (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), NULL);
  return plugin->descriptor->description;
}

/**
 * timon_plugin_get_version:
 * @plugin: a plugin
 *
 * Returns: the plugin's version
 *
 * Since: 0.1
 */
const char *
timon_plugin_get_version (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), NULL);
  return plugin->descriptor->version;
}

/**
 * timon_plugin_get_license:
 * @plugin: a plugin
 *
 * Returns: the plugin's licence, an SPDX expression
 *
 * Since: 0.1
 */
const char *
timon_plugin_get_license (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), NULL);
  return plugin->descriptor->license;
}

/**
 * timon_plugin_get_filename:
 * @plugin: a plugin
 *
 * Returns: the shared object the plugin was loaded from
 *
 * Since: 0.1
 */
const char *
timon_plugin_get_filename (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), NULL);
  return plugin->filename;
}

/**
 * timon_plugin_get_abi_major:
 * @plugin: a plugin
 *
 * Returns: the ABI major version the plugin was built against
 *
 * Since: 0.1
 */
guint32
timon_plugin_get_abi_major (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), 0);
  return plugin->descriptor->abi_major;
}

/**
 * timon_plugin_get_abi_minor:
 * @plugin: a plugin
 *
 * Returns: the ABI minor version the plugin was built against
 *
 * Since: 0.1
 */
guint32
timon_plugin_get_abi_minor (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), 0);
  return plugin->descriptor->abi_minor;
}

/**
 * timon_plugin_get_features:
 * @plugin: a plugin
 *
 * Returns: (transfer none) (element-type TimonFeature): what the plugin
 *   provides
 *
 * Since: 0.1
 */
GPtrArray *
timon_plugin_get_features (TimonPlugin *plugin)
{
  g_return_val_if_fail (TIMON_IS_PLUGIN (plugin), NULL);
  return plugin->features;
}
