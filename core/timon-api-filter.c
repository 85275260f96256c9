/* timon-api-filter.c: the label and field selectors of a list or watch.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

void
api_filter_free (ApiFilter *filter)
{
  g_clear_pointer (&filter->labels, timon_label_selector_unref);
  g_clear_pointer (&filter->fields, timon_field_selector_unref);
  g_free (filter);
}

/* Parses ?labelSelector= and ?fieldSelector=; a selector that does not
 * parse is the client's mistake, a 400 BadRequest. */
ApiFilter *
api_filter_new (TimonResourceType *type, GHashTable *query, GError **error)
{
  g_autoptr (ApiFilter) filter = g_new0 (ApiFilter, 1);
  g_autoptr (GError) local = NULL;
  const char *labels = query ? g_hash_table_lookup (query, "labelSelector") : NULL;
  const char *fields = query ? g_hash_table_lookup (query, "fieldSelector") : NULL;

  filter->type = type;
  if (labels != NULL && labels[0] != '\0') {
    filter->labels = timon_label_selector_parse (labels, &local);
    if (filter->labels == NULL) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                   "unable to parse requirement: %s", local->message);
      return NULL;
    }
  }
  if (fields != NULL && fields[0] != '\0') {
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
    g_strv_builder_add_many (builder, "metadata.name", "metadata.namespace", NULL);
    g_strv_builder_addv (builder, (const char **) timon_resource_type_get_selectable_fields (type));
    g_auto (GStrv) allowed = g_strv_builder_end (builder);
    filter->fields = timon_field_selector_parse (fields, (const char *const *) allowed, &local);
    if (filter->fields == NULL) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST, "%s", local->message);
      return NULL;
    }
  }
  return g_steal_pointer (&filter);
}

typedef struct {
  ApiFilter *filter;
  JsonObject *object;
  JsonObject *metadata;
  GPtrArray *values; /* what the get_field hook returned, freed after the match */
} FieldLookup;

static const char *
get_field (const char *field, gpointer user_data)
{
  FieldLookup *lookup = user_data;

  if (strcmp (field, "metadata.name") == 0 || strcmp (field, "metadata.namespace") == 0) {
    const char *member = field + strlen ("metadata.");
    if (lookup->metadata == NULL)
      return NULL;
    JsonNode *node = json_object_get_member (lookup->metadata, member);
    if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
      return NULL;
    return json_node_get_string (node);
  }

  gpointer hook_data = NULL;
  const TimonResourceHooks *hooks =
    timon_resource_type_get_hooks (lookup->filter->type, &hook_data);
  if (hooks == NULL || hooks->get_field == NULL)
    return NULL;
  char *value = hooks->get_field (lookup->object, field, hook_data);
  if (value != NULL)
    g_ptr_array_add (lookup->values, value);
  return value;
}

gboolean
api_filter_matches (ApiFilter *filter, JsonObject *object)
{
  JsonNode *meta_node = json_object_get_member (object, "metadata");
  JsonObject *metadata = meta_node != NULL && JSON_NODE_HOLDS_OBJECT (meta_node)
                           ? json_node_get_object (meta_node)
                           : NULL;

  if (filter->labels != NULL) {
    g_autoptr (GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);
    JsonNode *labels_node = metadata ? json_object_get_member (metadata, "labels") : NULL;
    if (labels_node != NULL && JSON_NODE_HOLDS_OBJECT (labels_node)) {
      JsonObjectIter iter;
      const char *key;
      JsonNode *value;
      json_object_iter_init (&iter, json_node_get_object (labels_node));
      while (json_object_iter_next (&iter, &key, &value)) {
        if (json_node_get_value_type (value) == G_TYPE_STRING)
          g_hash_table_insert (labels, (gpointer) key, (gpointer) json_node_get_string (value));
      }
    }
    if (!timon_label_selector_matches (filter->labels, labels))
      return FALSE;
  }
  if (filter->fields != NULL) {
    g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
    FieldLookup lookup = { filter, object, metadata, values };
    if (!timon_field_selector_matches (filter->fields, get_field, &lookup))
      return FALSE;
  }
  return TRUE;
}
