/* timon-feature.c: one thing a plugin provides.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-plugin-private.h"

struct _TimonFeature {
  GObject parent_instance;

  TimonPlugin *plugin; /* unowned: the plugin owns its features */
  TimonFeatureKind kind;
  char *name;
  GType type;
  TimonResourceType *resource_type; /* for TIMON_FEATURE_RESOURCE_TYPE */
};

G_DEFINE_FINAL_TYPE (TimonFeature, timon_feature, G_TYPE_OBJECT)

static void
timon_feature_finalize (GObject *object)
{
  TimonFeature *self = TIMON_FEATURE (object);

  g_free (self->name);
  g_clear_pointer (&self->resource_type, timon_resource_type_unref);

  G_OBJECT_CLASS (timon_feature_parent_class)->finalize (object);
}

static void
timon_feature_class_init (TimonFeatureClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = timon_feature_finalize;
}

static void
timon_feature_init (TimonFeature *self)
{
}

TimonFeature *
timon_feature_new (TimonPlugin *plugin,
                   TimonFeatureKind kind,
                   const char *name,
                   GType type,
                   TimonResourceType *resource_type)
{
  TimonFeature *self = g_object_new (TIMON_TYPE_FEATURE, NULL);
  self->plugin = plugin;
  self->kind = kind;
  self->name = g_strdup (name);
  self->type = type;
  self->resource_type = resource_type ? timon_resource_type_ref (resource_type) : NULL;
  return self;
}

/**
 * timon_feature_kind_to_string:
 * @kind: a feature kind
 *
 * Returns: the kind's name as `timonctl plugins` prints it ("store", ...)
 *
 * Since: 0.1
 */
const char *
timon_feature_kind_to_string (TimonFeatureKind kind)
{
  switch (kind) {
  case TIMON_FEATURE_STORE:
    return "store";
  case TIMON_FEATURE_RESOURCE_TYPE:
    return "resource-type";
  }
  return "unknown";
}

/**
 * timon_feature_get_kind:
 * @feature: a feature
 *
 * Returns: what the feature provides
 *
 * Since: 0.1
 */
TimonFeatureKind
timon_feature_get_kind (TimonFeature *feature)
{
  g_return_val_if_fail (TIMON_IS_FEATURE (feature), 0);
  return feature->kind;
}

/**
 * timon_feature_get_name:
 * @feature: a feature
 *
 * Returns: the name users pick the feature by (`--store sqlite`)
 *
 * Since: 0.1
 */
const char *
timon_feature_get_name (TimonFeature *feature)
{
  g_return_val_if_fail (TIMON_IS_FEATURE (feature), NULL);
  return feature->name;
}

/**
 * timon_feature_get_gtype:
 * @feature: a feature
 *
 * Returns: the type that implements the feature (%G_TYPE_NONE for a
 *   resource type, which is described, not implemented)
 *
 * Since: 0.1
 */
GType
timon_feature_get_gtype (TimonFeature *feature)
{
  g_return_val_if_fail (TIMON_IS_FEATURE (feature), G_TYPE_INVALID);
  return feature->type;
}

/**
 * timon_feature_get_plugin:
 * @feature: a feature
 *
 * Returns: (transfer none): the plugin that provides the feature
 *
 * Since: 0.1
 */
TimonPlugin *
timon_feature_get_plugin (TimonFeature *feature)
{
  g_return_val_if_fail (TIMON_IS_FEATURE (feature), NULL);
  return feature->plugin;
}

/**
 * timon_feature_get_resource_type:
 * @feature: a feature
 *
 * Returns: (transfer none) (nullable): the resource type a
 *   %TIMON_FEATURE_RESOURCE_TYPE feature describes, %NULL for other kinds
 *
 * Since: 0.1
 */
TimonResourceType *
timon_feature_get_resource_type (TimonFeature *feature)
{
  g_return_val_if_fail (TIMON_IS_FEATURE (feature), NULL);
  return feature->resource_type;
}
