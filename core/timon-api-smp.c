/* timon-api-smp.c: Kubernetes' strategic merge patch
 * (application/strategic-merge-patch+json), what `kubectl apply`,
 * `edit` and `patch` send for the types they know.
 *
 * It is a JSON merge patch in which a list whose schema says
 * `x-kubernetes-patch-strategy: merge` merges instead of being
 * replaced: a list of objects by its `x-kubernetes-patch-merge-key`
 * (containers by name, ports by containerPort), a list of values as a
 * union. And it carries directives: `$patch` (replace, delete or merge
 * a map or a list element; replace a whole list), `$retainKeys` (keep
 * only these keys of a map), `$setElementOrder/LIST` (the order of a
 * merged list) and `$deleteFromPrimitiveList/LIST`. The schemas come
 * from the resource types (timon-api-openapi.c); a type without one has
 * no strategy, and is refused as Kubernetes refuses this patch for
 * custom resources.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

#define SET_ORDER "$setElementOrder/"
#define DELETE_FROM "$deleteFromPrimitiveList/"

/* Kubernetes nests no deeper, and a patch that does is refused rather
 * than followed down the stack. */
#define MAX_DEPTH 100

typedef struct {
  ApiOpenApi *openapi;
  GError **error;
} Smp;

/* Nodes that own the new object or array they hold (json_node_init_*
 * would take a reference of their own). */
static JsonNode *
take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (node, array);
  return node;
}

static gboolean
is_directive (const char *key)
{
  return key[0] == '$';
}

static const char *
directive_of (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "$patch");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean fail (Smp *s, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Smp *s, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  if (*s->error == NULL)
    g_set_error_literal (s->error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST, message);
  return FALSE;
}

/* @node as it goes where nothing was: its directives dropped. */
static JsonNode *
strip (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *object = json_node_get_object (node);
    JsonObject *copy = json_object_new ();
    g_autoptr (GList) names = json_object_get_members (object);
    for (GList *l = names; l != NULL; l = l->next)
      if (!is_directive (l->data))
        json_object_set_member (copy, l->data, strip (json_object_get_member (object, l->data)));
    return take_object (copy);
  }
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);
    JsonArray *copy = json_array_new ();
    for (guint i = 0; i < json_array_get_length (array); i++) {
      JsonNode *element = json_array_get_element (array, i);
      /* A deletion of what is not there deletes nothing. */
      if (JSON_NODE_HOLDS_OBJECT (element) &&
          g_strcmp0 (directive_of (json_node_get_object (element)), "delete") == 0)
        continue;
      json_array_add_element (copy, strip (element));
    }
    return take_array (copy);
  }
  return json_node_copy (node);
}

static const char *
schema_string (JsonObject *schema, const char *member)
{
  return schema ? json_object_get_string_member_with_default (schema, member, NULL) : NULL;
}

static JsonNode *merge_object (Smp *s,
                               JsonObject *target,
                               JsonObject *patch,
                               JsonObject *schema,
                               guint depth,
                               gboolean *out_delete);

/* The index in @array of the object whose @key equals @value, or -1. */
static int
find_keyed (JsonArray *array, const char *key, JsonNode *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *element = json_array_get_element (array, i);
    if (!JSON_NODE_HOLDS_OBJECT (element))
      continue;
    JsonNode *own = json_object_get_member (json_node_get_object (element), key);
    if (own != NULL && api_json_equal (own, value))
      return (int) i;
  }
  return -1;
}

static int
find_value (JsonArray *array, JsonNode *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (api_json_equal (json_array_get_element (array, i), value))
      return (int) i;
  return -1;
}

/* Merges list @patch into @target (NULL: none) as @schema says. */
static JsonNode *
merge_list (Smp *s, JsonArray *target, JsonArray *patch, JsonObject *schema, guint depth)
{
  const char *strategy = schema_string (schema, "x-kubernetes-patch-strategy");
  const char *key = schema_string (schema, "x-kubernetes-patch-merge-key");
  JsonObject *items = NULL;
  gboolean merge = strategy != NULL && strstr (strategy, "merge") != NULL;

  if (schema != NULL && json_object_has_member (schema, "items") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (schema, "items")))
    items = api_openapi_resolve (s->openapi, json_object_get_object_member (schema, "items"));

  /* {"$patch": "replace"} among the elements: the list is the others. */
  for (guint i = 0; i < json_array_get_length (patch); i++) {
    JsonNode *element = json_array_get_element (patch, i);
    if (JSON_NODE_HOLDS_OBJECT (element) &&
        g_strcmp0 (directive_of (json_node_get_object (element)), "replace") == 0) {
      JsonArray *rest = json_array_new ();
      for (guint j = 0; j < json_array_get_length (patch); j++)
        if (j != i)
          json_array_add_element (rest, strip (json_array_get_element (patch, j)));
      return take_array (rest);
    }
  }
  if (!merge || target == NULL) {
    g_autoptr (JsonNode) node = json_node_init_array (json_node_alloc (), patch);
    return strip (node);
  }

  JsonArray *result = json_array_new ();
  for (guint i = 0; i < json_array_get_length (target); i++)
    json_array_add_element (result, json_node_copy (json_array_get_element (target, i)));
  for (guint i = 0; i < json_array_get_length (patch); i++) {
    JsonNode *element = json_array_get_element (patch, i);
    if (key == NULL) {
      /* A merged list of values is a set. */
      if (JSON_NODE_HOLDS_OBJECT (element) || find_value (result, element) < 0)
        json_array_add_element (result, strip (element));
      continue;
    }
    if (!JSON_NODE_HOLDS_OBJECT (element)) {
      json_array_unref (result);
      fail (s, "a list merged by \"%s\" holds something that is not an object", key);
      return NULL;
    }
    JsonObject *object = json_node_get_object (element);
    JsonNode *value = json_object_get_member (object, key);
    if (value == NULL) {
      json_array_unref (result);
      fail (s, "map: %s does not contain declared merge key: %s", "an element of a merged list",
            key);
      return NULL;
    }
    int at = find_keyed (result, key, value);
    if (g_strcmp0 (directive_of (object), "delete") == 0) {
      while (at >= 0) {
        json_array_remove_element (result, (guint) at);
        at = find_keyed (result, key, value);
      }
      continue;
    }
    if (at < 0) {
      json_array_add_element (result, strip (element));
      continue;
    }
    JsonNode *current = json_array_get_element (result, (guint) at);
    gboolean remove = FALSE;
    JsonNode *merged =
      merge_object (s, JSON_NODE_HOLDS_OBJECT (current) ? json_node_get_object (current) : NULL,
                    object, items, depth + 1, &remove);
    if (merged == NULL && !remove) {
      json_array_unref (result);
      return NULL;
    }
    /* JsonArray has no setter: rebuilt with the merged element. */
    JsonArray *rebuilt = json_array_new ();
    for (guint j = 0; j < json_array_get_length (result); j++) {
      if (j == (guint) at) {
        if (merged != NULL)
          json_array_add_element (rebuilt, merged);
      } else {
        json_array_add_element (rebuilt, json_node_copy (json_array_get_element (result, j)));
      }
    }
    json_array_unref (result);
    result = rebuilt;
  }
  return take_array (result);
}

/* Puts the elements of @list (a merged list) in the order @order gives
 * them (objects with the merge key, or values); the others follow, in
 * the order they had. */
static void
set_order (JsonNode *list, JsonArray *order, const char *key)
{
  JsonArray *array = json_node_get_array (list);
  JsonArray *sorted = json_array_new ();
  guint n = json_array_get_length (array);
  g_autofree gboolean *taken = g_new0 (gboolean, n);

  for (guint i = 0; i < json_array_get_length (order); i++) {
    JsonNode *wanted = json_array_get_element (order, i);
    if (key != NULL && JSON_NODE_HOLDS_OBJECT (wanted))
      wanted = json_object_get_member (json_node_get_object (wanted), key);
    for (guint j = 0; wanted != NULL && j < n; j++) {
      JsonNode *element = json_array_get_element (array, j);
      JsonNode *id = element;
      if (key != NULL && JSON_NODE_HOLDS_OBJECT (element))
        id = json_object_get_member (json_node_get_object (element), key);
      if (!taken[j] && id != NULL && api_json_equal (id, wanted)) {
        taken[j] = TRUE;
        json_array_add_element (sorted, json_node_copy (element));
        break;
      }
    }
  }
  for (guint j = 0; j < n; j++)
    if (!taken[j])
      json_array_add_element (sorted, json_node_copy (json_array_get_element (array, j)));
  json_node_take_array (list, sorted);
}

/* Merges map @patch into @target (NULL: none). Returns the new map, or
 * NULL with *@out_delete set when the patch deletes it ({"$patch":
 * "delete"}), or NULL on an error. */
static JsonNode *
merge_object (Smp *s,
              JsonObject *target,
              JsonObject *patch,
              JsonObject *schema,
              guint depth,
              gboolean *out_delete)
{
  const char *directive = directive_of (patch);

  *out_delete = FALSE;
  if (depth > MAX_DEPTH) {
    fail (s, "the patch nests deeper than %u levels", MAX_DEPTH);
    return NULL;
  }
  if (directive != NULL && strcmp (directive, "delete") == 0) {
    *out_delete = TRUE;
    return NULL;
  }
  if (directive != NULL && strcmp (directive, "replace") == 0) {
    g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), patch);
    return strip (node);
  }
  if (directive != NULL && strcmp (directive, "merge") != 0) {
    fail (s, "unknown patch directive: %s", directive);
    return NULL;
  }

  JsonObject *result = json_object_new ();
  g_autoptr (JsonNode) result_node = take_object (result);
  if (target != NULL) {
    g_autoptr (GList) names = json_object_get_members (target);
    for (GList *l = names; l != NULL; l = l->next)
      json_object_set_member (result, l->data,
                              json_node_copy (json_object_get_member (target, l->data)));
  }

  g_autoptr (GList) names = json_object_get_members (patch);
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data;
    JsonNode *value = json_object_get_member (patch, name);
    if (is_directive (name))
      continue;
    JsonObject *property = api_openapi_property (s->openapi, schema, name);
    JsonNode *current = json_object_get_member (result, name);
    if (JSON_NODE_HOLDS_NULL (value)) {
      json_object_remove_member (result, name);
    } else if (JSON_NODE_HOLDS_OBJECT (value)) {
      gboolean remove = FALSE;
      JsonNode *merged =
        merge_object (s,
                      current && JSON_NODE_HOLDS_OBJECT (current) ? json_node_get_object (current)
                                                                  : NULL,
                      json_node_get_object (value), property, depth + 1, &remove);
      if (merged != NULL)
        json_object_set_member (result, name, merged);
      else if (remove)
        json_object_remove_member (result, name);
      else
        return NULL;
    } else if (JSON_NODE_HOLDS_ARRAY (value)) {
      JsonObject *list_schema = api_openapi_member (s->openapi, schema, name);
      JsonNode *merged =
        merge_list (s,
                    current && JSON_NODE_HOLDS_ARRAY (current) ? json_node_get_array (current)
                                                               : NULL,
                    json_node_get_array (value), list_schema, depth + 1);
      if (merged == NULL)
        return NULL;
      json_object_set_member (result, name, merged);
    } else {
      json_object_set_member (result, name, json_node_copy (value));
    }
  }

  /* The directives on lists, once the lists are merged. */
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data;
    JsonNode *value = json_object_get_member (patch, name);
    if (g_str_has_prefix (name, DELETE_FROM) && JSON_NODE_HOLDS_ARRAY (value)) {
      JsonNode *list = json_object_get_member (result, name + strlen (DELETE_FROM));
      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        continue;
      JsonArray *kept = json_array_new ();
      JsonArray *array = json_node_get_array (list);
      for (guint i = 0; i < json_array_get_length (array); i++)
        if (find_value (json_node_get_array (value), json_array_get_element (array, i)) < 0)
          json_array_add_element (kept, json_node_copy (json_array_get_element (array, i)));
      json_node_take_array (list, kept);
    } else if (g_str_has_prefix (name, SET_ORDER) && JSON_NODE_HOLDS_ARRAY (value)) {
      const char *list_name = name + strlen (SET_ORDER);
      JsonNode *list = json_object_get_member (result, list_name);
      JsonObject *list_schema = api_openapi_member (s->openapi, schema, list_name);
      if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
        set_order (list, json_node_get_array (value),
                   schema_string (list_schema, "x-kubernetes-patch-merge-key"));
    }
  }
  JsonNode *retain = json_object_get_member (patch, "$retainKeys");
  if (retain != NULL && JSON_NODE_HOLDS_ARRAY (retain)) {
    g_autoptr (GList) kept = json_object_get_members (result);
    for (GList *l = kept; l != NULL; l = l->next) {
      g_autoptr (JsonNode) name = json_node_init_string (json_node_alloc (), l->data);
      if (find_value (json_node_get_array (retain), name) < 0)
        json_object_remove_member (result, l->data);
    }
  }
  return g_steal_pointer (&result_node);
}

JsonNode *
api_strategic_merge_patch (ApiOpenApi *openapi,
                           JsonObject *schema,
                           JsonNode *target,
                           JsonNode *patch,
                           GError **error)
{
  Smp s = { openapi, error };
  gboolean remove = FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (patch)) {
    g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                         "a strategic merge patch of an object must be a JSON object");
    return NULL;
  }
  JsonNode *result = merge_object (&s, json_node_get_object (target), json_node_get_object (patch),
                                   schema, 0, &remove);
  if (result == NULL && remove)
    g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                         "a strategic merge patch may not delete the object it patches");
  return result;
}
