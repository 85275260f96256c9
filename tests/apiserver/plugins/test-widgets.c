/* test-widgets.c: the resource types the API server tests drive, so that
 * they do not depend on the real resource plugins: Widget (namespaced,
 * with a status subresource, a selectable field, validation and
 * printed columns), Gadget (cluster-scoped) and Gizmo (scale and
 * binding subresources).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

static JsonObject *
get_spec (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "spec");
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
widget_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = get_spec (object);
  if (spec != NULL && !json_object_has_member (spec, "color"))
    json_object_set_string_member (spec, "color", "blue");
}

/* A size, if given, must be a positive integer: lets the tests see a
 * 422 cause that comes from a hook. */
static void
widget_validate (JsonObject *object, TimonFieldErrors *errors)
{
  JsonObject *spec = get_spec (object);
  if (spec == NULL || !json_object_has_member (spec, "size"))
    return;
  JsonNode *size = json_object_get_member (spec, "size");
  if (JSON_NODE_HOLDS_VALUE (size) && json_node_get_value_type (size) == G_TYPE_INT64 &&
      json_node_get_int (size) > 0)
    return;
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.size", NULL,
                          "must be a positive integer");
}

static void
widget_validate_create (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  widget_validate (object, errors);
}

static void
widget_validate_update (JsonObject *object,
                        JsonObject *old,
                        TimonFieldErrors *errors,
                        gpointer user_data)
{
  widget_validate (object, errors);
}

static char *
widget_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  if (g_strcmp0 (field, "spec.color") != 0)
    return NULL;
  JsonObject *spec = get_spec (object);
  if (spec == NULL || !json_object_has_member (spec, "color"))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (spec, "color", ""));
}

/* A column without a JSON path: the hook computes it. */
static char *
widget_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_strcmp0 (column, "COLOR") != 0)
    return NULL;
  g_autofree char *color = widget_get_field (object, "spec.color", user_data);
  return color != NULL ? g_ascii_strup (color, -1) : NULL;
}

#define REF(name) "{\"allOf\":[{\"$ref\":\"#/components/schemas/" name "\"}]"

static const char sprocket_schemas[] =
  "{\"io.timon.test.v1.Sprocket\":{\"type\":\"object\",\"description\":\"A sprocket: a kind of "
  "the tests' with a schema.\",\"properties\":{"
  "\"apiVersion\":{\"type\":\"string\",\"description\":\"The version of the schema.\"},"
  "\"kind\":{\"type\":\"string\",\"description\":\"The kind of the object.\"},"
  "\"metadata\":" REF (
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta") ",\"description\":\"Standard object "
                                                       "metadata.\"},"
                                                       "\"spec\":" REF (
                                                         "io.timon.test.v1."
                                                         "SprocketSpec") ",\"descrip"
                                                                         "tion\":"
                                                                         "\"What "
                                                                         "the "
                                                                         "sprocket "
                                                                         "should "
                                                                         "be.\"},"
                                                                         "\"status\""
                                                                         ":{"
                                                                         "\"type\":"
                                                                         "\"object\""
                                                                         ",\"descrip"
                                                                         "tion\":"
                                                                         "\"What "
                                                                         "the "
                                                                         "sprocket "
                                                                         "is.\","
                                                                         "\"x-"
                                                                         "kubernetes"
                                                                         "-preserve-"
                                                                         "unknown-"
                                                                         "fields\":"
                                                                         "true}}},"
                                                                         "\"io."
                                                                         "timon."
                                                                         "test.v1."
                                                                         "SprocketSp"
                                                                         "ec\":{"
                                                                         "\"type\":"
                                                                         "\"object\""
                                                                         ",\"descrip"
                                                                         "tion\":"
                                                                         "\"The "
                                                                         "spec of a "
                                                                         "sprocket."
                                                                         "\","
                                                                         "\"properti"
                                                                         "es\":{"
                                                                         "\"size\":{"
                                                                         "\"type\":"
                                                                         "\"integer"
                                                                         "\","
                                                                         "\"format\""
                                                                         ":\"int32\""
                                                                         ",\"descrip"
                                                                         "tion\":"
                                                                         "\"How big "
                                                                         "it is.\"},"
                                                                         "\"teeth\":"
                                                                         "{\"type\":"
                                                                         "\"array\","
                                                                         "\"descript"
                                                                         "ion\":"
                                                                         "\"Its "
                                                                         "teeth, "
                                                                         "merged by "
                                                                         "name.\","
                                                                         "\"items\""
                                                                         ":" REF (
                                                                           "io."
                                                                           "timon."
                                                                           "test.v1."
                                                                           "Tooth") "},\"x-"
                                                                                    "kubernetes-"
                                                                                    "patch-merge-"
                                                                                    "key\":"
                                                                                    "\"name\","
                                                                                    "\"x-"
                                                                                    "kubernetes-"
                                                                                    "patch-"
                                                                                    "strategy\":"
                                                                                    "\"merge\",\"x-"
                                                                                    "kubernetes-"
                                                                                    "list-type\":"
                                                                                    "\"map\","
                                                                                    "\"x-"
                                                                                    "kubernetes-"
                                                                                    "list-map-"
                                                                                    "keys\":["
                                                                                    "\"name\"]},"
                                                                                    "\"tags\":{"
                                                                                    "\"type\":"
                                                                                    "\"object\","
                                                                                    "\"description"
                                                                                    "\":\"Free "
                                                                                    "tags.\","
                                                                                    "\"additionalPr"
                                                                                    "operties\":{"
                                                                                    "\"type\":"
                                                                                    "\"string\"}},"
                                                                                    "\"extra\":{"
                                                                                    "\"type\":"
                                                                                    "\"object\","
                                                                                    "\"description"
                                                                                    "\":\"Anything "
                                                                                    "at all.\","
                                                                                    "\"x-"
                                                                                    "kubernetes-"
                                                                                    "preserve-"
                                                                                    "unknown-"
                                                                                    "fields\":true}"
                                                                                    "}},"
                                                                                    "\"io.timon."
                                                                                    "test.v1."
                                                                                    "Tooth\":{"
                                                                                    "\"type\":"
                                                                                    "\"object\","
                                                                                    "\"description"
                                                                                    "\":\"One "
                                                                                    "tooth of a "
                                                                                    "sprocket.\","
                                                                                    "\"required\":["
                                                                                    "\"name\"],"
                                                                                    "\"properties\""
                                                                                    ":{"
                                                                                    "\"name\":{"
                                                                                    "\"type\":"
                                                                                    "\"string\","
                                                                                    "\"description"
                                                                                    "\":\"The name "
                                                                                    "of the "
                                                                                    "tooth.\"},"
                                                                                    "\"length\":{"
                                                                                    "\"type\":"
                                                                                    "\"integer\","
                                                                                    "\"description"
                                                                                    "\":\"How long "
                                                                                    "the tooth "
                                                                                    "is.\"}}}}";
#undef REF

static gboolean
widgets_init (TimonPlugin *plugin, GError **error)
{
  static const TimonResourceHooks hooks = {
    .default_object = widget_default,
    .validate_create = widget_validate_create,
    .validate_update = widget_validate_update,
    .get_field = widget_get_field,
    .print_column = widget_print_column,
  };
  static const char *const widget_short[] = { "wd", NULL };
  static const char *const widget_categories[] = { "all", NULL };
  static const char *const widget_fields[] = { "spec.color", NULL };

  g_autoptr (TimonResourceType) widget =
    timon_resource_type_new ("test.timon.io", "v1", "Widget", "widgets", TIMON_RESOURCE_NAMESPACED);
  timon_resource_type_set_short_names (widget, widget_short);
  timon_resource_type_set_categories (widget, widget_categories);
  timon_resource_type_add_subresource (widget, "status");
  timon_resource_type_set_selectable_fields (widget, widget_fields);
  timon_resource_type_set_hooks (widget, &hooks, NULL, NULL);
  /* Printed columns: a typed JSON path, one from the hook and one that
   * joins the values of a list, both for -o wide only. */
  timon_resource_type_add_column (widget, "SIZE", "integer", NULL, "The size of the widget", 0,
                                  ".spec.size");
  timon_resource_type_add_column (widget, "COLOR", "string", NULL, "The color, in capitals", 1,
                                  NULL);
  timon_resource_type_add_column (widget, "PORTS", "string", NULL, "The ports", 1,
                                  ".spec.ports[*].port");
  if (!timon_plugin_add_resource_type (plugin, widget, error))
    return FALSE;

  g_autoptr (TimonResourceType) gadget =
    timon_resource_type_new ("test.timon.io", "v1", "Gadget", "gadgets", TIMON_RESOURCE_CLUSTER);
  if (!timon_plugin_add_resource_type (plugin, gadget, error))
    return FALSE;

  /* A Gizmo has spec.replicas and spec.selector, like a Deployment, and
   * spec.nodeName, like a Pod: it stands for both in the scale and
   * binding tests. */
  g_autoptr (TimonResourceType) gizmo =
    timon_resource_type_new ("test.timon.io", "v1", "Gizmo", "gizmos", TIMON_RESOURCE_NAMESPACED);
  timon_resource_type_add_subresource (gizmo, "status");
  timon_resource_type_add_subresource (gizmo, "scale");
  timon_resource_type_add_subresource (gizmo, "binding");
  if (!timon_plugin_add_resource_type (plugin, gizmo, error))
    return FALSE;

  /* A Sprocket has a schema, as a third-party plugin gives one: the
   * fields it declares, a list merged by key, a free map and a subtree
   * that takes anything. */
  g_autoptr (JsonNode) schemas = json_from_string (sprocket_schemas, error);
  if (schemas == NULL)
    return FALSE;
  g_autoptr (TimonResourceType) sprocket =
    timon_resource_type_new ("test.timon.io", "v1", "Sprocket", "sprockets",
                             TIMON_RESOURCE_NAMESPACED);
  timon_resource_type_add_subresource (sprocket, "status");
  timon_resource_type_set_schema (sprocket, json_node_get_object (schemas),
                                  "io.timon.test.v1.Sprocket");
  return timon_plugin_add_resource_type (plugin, sprocket, error);
}

TIMON_PLUGIN_DEFINE (test_widgets,
                     "Widgets and gadgets for the API server tests",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     widgets_init)
