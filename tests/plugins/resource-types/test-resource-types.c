/* test-resource-types.c: resource-type plugins for the loader tests, one
 * source built three ways (CASE_GOOD, CASE_BAD_KIND, CASE_TWICE).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

#if !defined(CASE_BAD_KIND)
static void
widget_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = json_object_get_object_member (object, "spec");
  if (spec != NULL && !json_object_has_member (spec, "size"))
    json_object_set_int_member (spec, "size", 1);
}

static TimonResourceType *
widgets (void)
{
  static const TimonResourceHooks hooks = { .default_object = widget_default };
  static const char *const short_names[] = { "wd", NULL };
  TimonResourceType *type =
    timon_resource_type_new ("test.timon.io", "v1", "Widget", "widgets", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_subresource (type, "status");
  timon_resource_type_add_column (type, "SIZE", "integer", NULL, "How big", 0, ".spec.size");
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
#endif

static gboolean
resource_types_init (TimonPlugin *plugin, GError **error)
{
#if defined(CASE_GOOD)
  g_autoptr (TimonResourceType) w = widgets ();
  g_autoptr (TimonResourceType) g =
    timon_resource_type_new ("", "v1", "Gadget", "gadgets", TIMON_RESOURCE_CLUSTER);
  return timon_plugin_add_resource_type (plugin, w, error) &&
         timon_plugin_add_resource_type (plugin, g, error);
#elif defined(CASE_BAD_KIND)
  g_autoptr (TimonResourceType) t = timon_resource_type_new ("test.timon.io", "v1", "bad_kind",
                                                             "badkinds", TIMON_RESOURCE_NAMESPACED);
  return timon_plugin_add_resource_type (plugin, t, error);
#else
  g_autoptr (TimonResourceType) a = widgets ();
  g_autoptr (TimonResourceType) b = widgets ();
  return timon_plugin_add_resource_type (plugin, a, error) &&
         timon_plugin_add_resource_type (plugin, b, error);
#endif
}

#if defined(CASE_GOOD)
TIMON_PLUGIN_DEFINE (test_resource_good, "Two resource types", "1.0", "MIT", resource_types_init)
#elif defined(CASE_BAD_KIND)
TIMON_PLUGIN_DEFINE (test_resource_bad_kind,
                     "A kind that is not CamelCase",
                     "1.0",
                     "MIT",
                     resource_types_init)
#else
TIMON_PLUGIN_DEFINE (test_resource_twice, "One type twice", "1.0", "MIT", resource_types_init)
#endif
