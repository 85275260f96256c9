/* timon-api-apply.c: server-side apply (application/apply-patch+yaml),
 * what `kubectl apply --server-side` sends: the whole configuration a
 * manager wants, merged into the object, which it creates if needed.
 *
 * Each manager's fields are recorded in metadata.managedFields as
 * Kubernetes records them (FieldsV1: "f:name" for a member, "k:{...}"
 * for a list element by its keys, "v:..." for a set's value, "." for
 * the element itself). That is what lets a manager remove a field by
 * no longer applying it: the fields it applied last time and not this
 * time go, unless another manager applied them too. Lists merge as the
 * schema says (`x-kubernetes-list-type` map by its keys, set, atomic),
 * through the strategic merge (timon-api-smp.c). Conflicts with other
 * managers are not computed yet: an apply takes what it sets, as with
 * `force=true`, and updates other than applies record no manager.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

#define MAX_DEPTH 100

/* A deep copy of @object, as a node. */
static JsonNode *
copy_object (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  return api_json_deep_copy (node);
}

/* The keys of a list of objects, as its schema gives them: the list-map
 * keys, else the patch merge key; NULL for other lists. */
static GStrv
list_keys (JsonObject *list_schema)
{
  if (list_schema == NULL)
    return NULL;
  const char *type =
    json_object_get_string_member_with_default (list_schema, "x-kubernetes-list-type", NULL);
  if (g_strcmp0 (type, "map") == 0 &&
      json_object_has_member (list_schema, "x-kubernetes-list-map-keys")) {
    JsonArray *keys = json_object_get_array_member (list_schema, "x-kubernetes-list-map-keys");
    GStrvBuilder *builder = g_strv_builder_new ();
    for (guint i = 0; i < json_array_get_length (keys); i++)
      g_strv_builder_add (builder, json_array_get_string_element (keys, i));
    GStrv result = g_strv_builder_end (builder);
    g_strv_builder_unref (builder);
    return result;
  }
  const char *key =
    json_object_get_string_member_with_default (list_schema, "x-kubernetes-patch-merge-key", NULL);
  if (key != NULL && g_strcmp0 (type, "atomic") != 0) {
    const char *one[] = { key, NULL };
    return g_strdupv ((char **) one);
  }
  return NULL;
}

static gboolean
is_set (JsonObject *list_schema)
{
  return list_schema != NULL &&
         g_strcmp0 (json_object_get_string_member_with_default (list_schema,
                                                                "x-kubernetes-list-type", NULL),
                    "set") == 0;
}

/* "k:{...}": an element of a list by its keys' values, in their order. */
static char *
element_key (JsonObject *element, char **keys)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  for (char **k = keys; *k != NULL; k++) {
    JsonNode *value = json_object_get_member (element, *k);
    if (value == NULL)
      continue;
    json_builder_set_member_name (b, *k);
    json_builder_add_value (b, json_node_copy (value));
  }
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);
  return g_strconcat ("k:", text, NULL);
}

static char *
value_key (JsonNode *value)
{
  g_autofree char *text = json_to_string (value, FALSE);
  return g_strconcat ("v:", text, NULL);
}

static JsonObject *fieldset_of_object (ApiOpenApi *openapi,
                                       JsonObject *object,
                                       JsonObject *schema,
                                       guint depth);

/* The fields of @value, a member whose (unresolved) schema is @schema. */
static JsonObject *
fieldset_of_value (ApiOpenApi *openapi, JsonNode *value, JsonObject *schema, guint depth)
{
  if (depth > MAX_DEPTH)
    return json_object_new ();
  if (JSON_NODE_HOLDS_OBJECT (value))
    return fieldset_of_object (openapi, json_node_get_object (value),
                               api_openapi_resolve (openapi, schema), depth + 1);
  if (JSON_NODE_HOLDS_ARRAY (value)) {
    JsonArray *array = json_node_get_array (value);
    g_auto (GStrv) keys = list_keys (schema);
    JsonObject *items = NULL;
    if (schema != NULL && json_object_has_member (schema, "items") &&
        JSON_NODE_HOLDS_OBJECT (json_object_get_member (schema, "items")))
      items = api_openapi_resolve (openapi, json_object_get_object_member (schema, "items"));
    JsonObject *set = json_object_new ();
    for (guint i = 0; i < json_array_get_length (array); i++) {
      JsonNode *element = json_array_get_element (array, i);
      if (keys != NULL && JSON_NODE_HOLDS_OBJECT (element)) {
        JsonObject *fields =
          fieldset_of_object (openapi, json_node_get_object (element), items, depth + 1);
        json_object_set_object_member (fields, ".", json_object_new ());
        g_autofree char *key = element_key (json_node_get_object (element), keys);
        json_object_set_object_member (set, key, fields);
      } else if (is_set (schema)) {
        g_autofree char *key = value_key (element);
        json_object_set_object_member (set, key, json_object_new ());
      }
    }
    /* An atomic list is one field. */
    return set;
  }
  return json_object_new ();
}

static JsonObject *
fieldset_of_object (ApiOpenApi *openapi, JsonObject *object, JsonObject *schema, guint depth)
{
  JsonObject *set = json_object_new ();
  if (schema != NULL &&
      json_object_get_boolean_member_with_default (schema, "x-kubernetes-preserve-unknown-fields",
                                                   FALSE) &&
      !json_object_has_member (schema, "properties"))
    schema = NULL;
  g_autoptr (GList) names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next) {
    g_autofree char *key = g_strconcat ("f:", l->data, NULL);
    json_object_set_object_member (set, key,
                                   fieldset_of_value (openapi,
                                                      json_object_get_member (object, l->data),
                                                      api_openapi_member (openapi, schema, l->data),
                                                      depth));
  }
  return set;
}

/* What an applied configuration says about its own fields: not its
 * identity, which the URL gives, nor what the server owns. */
static JsonObject *
applied_fieldset (ApiOpenApi *openapi, JsonObject *schema, JsonObject *applied)
{
  g_autoptr (JsonNode) copy = copy_object (applied);
  JsonObject *object = json_node_get_object (copy);
  json_object_remove_member (object, "apiVersion");
  json_object_remove_member (object, "kind");
  json_object_remove_member (object, "status");
  JsonObject *metadata = api_object_child (object, "metadata");
  if (metadata != NULL) {
    static const char *const identity[] = { "name",
                                            "namespace",
                                            "uid",
                                            "resourceVersion",
                                            "generation",
                                            "creationTimestamp",
                                            "managedFields",
                                            "deletionTimestamp",
                                            "deletionGracePeriodSeconds",
                                            "selfLink",
                                            NULL };
    for (const char *const *m = identity; *m != NULL; m++)
      json_object_remove_member (metadata, *m);
    if (json_object_get_size (metadata) == 0)
      json_object_remove_member (object, "metadata");
  }
  return fieldset_of_object (openapi, object, api_openapi_resolve (openapi, schema), 0);
}

/* The fields of @old that @new lacks, as a field set. */
static JsonObject *
fieldset_minus (JsonObject *old, JsonObject *new)
{
  JsonObject *removed = json_object_new ();
  g_autoptr (GList) names = json_object_get_members (old);
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data;
    if (strcmp (name, ".") == 0)
      continue;
    JsonNode *theirs = json_object_get_member (new, name);
    JsonNode *ours = json_object_get_member (old, name);
    if (theirs == NULL || !JSON_NODE_HOLDS_OBJECT (theirs)) {
      json_object_set_member (removed, name, json_node_copy (ours));
      continue;
    }
    if (!JSON_NODE_HOLDS_OBJECT (ours))
      continue;
    JsonObject *below = fieldset_minus (json_node_get_object (ours), json_node_get_object (theirs));
    if (json_object_get_size (below) > 0)
      json_object_set_object_member (removed, name, below);
    else
      json_object_unref (below);
  }
  return removed;
}

/* Whether a field set owns the field @path leads to (the whole of it). */
static gboolean
fieldset_has (JsonObject *set, GPtrArray *path)
{
  for (guint i = 0; set != NULL && i < path->len; i++) {
    JsonNode *next = json_object_get_member (set, path->pdata[i]);
    if (next == NULL || !JSON_NODE_HOLDS_OBJECT (next))
      return FALSE;
    set = json_node_get_object (next);
  }
  return set != NULL;
}

static gboolean
owned_by_others (GPtrArray *others, GPtrArray *path)
{
  for (guint i = 0; i < others->len; i++)
    if (fieldset_has (others->pdata[i], path))
      return TRUE;
  return FALSE;
}

/* Removes from @object the fields of @removed that no other manager
 * owns; @path is where @object is. */
static void
remove_fields (JsonObject *object, JsonObject *removed, GPtrArray *others, GPtrArray *path)
{
  g_autoptr (GList) names = json_object_get_members (removed);
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data;
    JsonObject *below = json_object_get_object_member (removed, name);
    if (!g_str_has_prefix (name, "f:"))
      continue;
    const char *member = name + 2;
    JsonNode *value = json_object_get_member (object, member);
    if (value == NULL)
      continue;
    g_ptr_array_add (path, (gpointer) name);
    if (json_object_get_size (below) == 0) {
      /* The field itself was the manager's. */
      if (!owned_by_others (others, path))
        json_object_remove_member (object, member);
    } else if (JSON_NODE_HOLDS_OBJECT (value)) {
      remove_fields (json_node_get_object (value), below, others, path);
    } else if (JSON_NODE_HOLDS_ARRAY (value)) {
      /* Elements by key ("k:") or value ("v:"), whole or in part. */
      JsonArray *array = json_node_get_array (value);
      JsonArray *kept = json_array_new ();
      for (guint i = 0; i < json_array_get_length (array); i++) {
        JsonNode *element = json_array_get_element (array, i);
        gboolean drop = FALSE;
        g_autoptr (GList) keys = json_object_get_members (below);
        for (GList *k = keys; k != NULL && !drop; k = k->next) {
          const char *key = k->data;
          JsonObject *element_set = json_object_get_object_member (below, key);
          gboolean match = FALSE;
          if (g_str_has_prefix (key, "v:")) {
            g_autofree char *mine = value_key (element);
            match = strcmp (mine, key) == 0;
          } else if (g_str_has_prefix (key, "k:") && JSON_NODE_HOLDS_OBJECT (element)) {
            g_autoptr (JsonNode) wanted = json_from_string (key + 2, NULL);
            match = wanted != NULL && JSON_NODE_HOLDS_OBJECT (wanted);
            JsonObject *ids = match ? json_node_get_object (wanted) : NULL;
            g_autoptr (GList) id_names = ids ? json_object_get_members (ids) : NULL;
            for (GList *m = id_names; m != NULL && match; m = m->next) {
              JsonNode *own = json_object_get_member (json_node_get_object (element), m->data);
              match = own != NULL && api_json_equal (own, json_object_get_member (ids, m->data));
            }
          }
          if (!match)
            continue;
          g_ptr_array_add (path, (gpointer) key);
          if (json_object_has_member (element_set, ".") || json_object_get_size (element_set) == 0)
            drop = !owned_by_others (others, path);
          else if (JSON_NODE_HOLDS_OBJECT (element))
            remove_fields (json_node_get_object (element), element_set, others, path);
          g_ptr_array_remove_index (path, path->len - 1);
        }
        if (!drop)
          json_array_add_element (kept, json_node_copy (element));
      }
      json_node_take_array (value, kept);
    }
    g_ptr_array_remove_index (path, path->len - 1);
  }
}

static JsonObject *
managed_entry (const char *manager, const char *api_version, JsonObject *fields)
{
  JsonObject *entry = json_object_new ();
  g_autofree char *now = api_now_rfc3339 ();
  json_object_set_string_member (entry, "manager", manager);
  json_object_set_string_member (entry, "operation", "Apply");
  json_object_set_string_member (entry, "apiVersion", api_version);
  json_object_set_string_member (entry, "time", now);
  json_object_set_string_member (entry, "fieldsType", "FieldsV1");
  json_object_set_object_member (entry, "fieldsV1", fields);
  return entry;
}

/* Sets @manager's entry in @metadata's managedFields to @fields, the
 * others kept; returns @manager's previous field set (or NULL) and, in
 * @others, the other entries' sets (borrowed from @metadata). */
static JsonObject *
record_manager (JsonObject *metadata,
                const char *manager,
                const char *api_version,
                JsonObject *fields,
                GPtrArray *others)
{
  JsonArray *entries =
    json_object_has_member (metadata, "managedFields") &&
        JSON_NODE_HOLDS_ARRAY (json_object_get_member (metadata, "managedFields"))
      ? json_object_get_array_member (metadata, "managedFields")
      : NULL;
  JsonArray *kept = json_array_new ();
  JsonObject *previous = NULL;

  for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++) {
    JsonNode *node = json_array_get_element (entries, i);
    if (!JSON_NODE_HOLDS_OBJECT (node))
      continue;
    JsonObject *entry = json_node_get_object (node);
    JsonNode *set = json_object_get_member (entry, "fieldsV1");
    gboolean mine =
      g_strcmp0 (json_object_get_string_member_with_default (entry, "manager", NULL), manager) ==
        0 &&
      g_strcmp0 (json_object_get_string_member_with_default (entry, "operation", NULL), "Apply") ==
        0;
    if (mine) {
      if (set != NULL && JSON_NODE_HOLDS_OBJECT (set))
        previous = json_object_ref (json_node_get_object (set));
      continue;
    }
    json_array_add_element (kept, json_node_copy (node));
    if (set != NULL && JSON_NODE_HOLDS_OBJECT (set))
      g_ptr_array_add (others, json_node_get_object (set));
  }
  json_array_add_object_element (kept, managed_entry (manager, api_version, fields));
  json_object_set_array_member (metadata, "managedFields", kept);
  return previous;
}

gboolean
api_apply_check (JsonObject *applied, GError **error)
{
  JsonObject *metadata = api_object_child (applied, "metadata");
  const char *api_version = api_object_string (applied, "apiVersion");
  const char *kind = api_object_string (applied, "kind");

  if (api_version == NULL || api_version[0] == '\0' || kind == NULL || kind[0] == '\0') {
    g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                         "an applied configuration must give apiVersion and kind");
    return FALSE;
  }
  if (metadata != NULL && json_object_has_member (metadata, "managedFields")) {
    g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                         "metadata.managedFields must be nil");
    return FALSE;
  }
  return TRUE;
}

JsonNode *
api_apply_new (ApiOpenApi *openapi,
               TimonResourceType *type,
               JsonObject *applied,
               const char *manager)
{
  JsonObject *schema = api_openapi_get_schema (openapi, type);
  g_autoptr (JsonNode) node = copy_object (applied);
  JsonObject *object = json_node_get_object (node);
  JsonObject *fields = applied_fieldset (openapi, schema, applied);
  JsonObject *metadata = api_object_child (object, "metadata");
  if (metadata == NULL) {
    metadata = json_object_new ();
    json_object_set_object_member (object, "metadata", metadata);
  }
  g_autoptr (GPtrArray) others = g_ptr_array_new ();
  g_autoptr (JsonObject) previous =
    record_manager (metadata, manager, api_object_string (object, "apiVersion"), fields, others);
  json_object_remove_member (object, "status");
  return g_steal_pointer (&node);
}

JsonNode *
api_apply_merge (ApiOpenApi *openapi,
                 TimonResourceType *type,
                 JsonNode *live,
                 JsonObject *applied,
                 const char *manager,
                 GError **error)
{
  JsonObject *schema = api_openapi_get_schema (openapi, type);
  g_autoptr (JsonNode) object = api_json_deep_copy (live);
  JsonObject *metadata = api_object_child (json_node_get_object (object), "metadata");
  if (metadata == NULL) {
    metadata = json_object_new ();
    json_object_set_object_member (json_node_get_object (object), "metadata", metadata);
  }
  /* Owned by the managed entry from here. */
  JsonObject *fields = applied_fieldset (openapi, schema, applied);
  g_autoptr (GPtrArray) others = g_ptr_array_new ();
  g_autoptr (JsonObject) previous =
    record_manager (metadata, manager, api_object_string (applied, "apiVersion"), fields, others);

  /* What this manager applied last time and not now goes first. */
  if (previous != NULL) {
    g_autoptr (JsonObject) removed = fieldset_minus (previous, fields);
    g_autoptr (GPtrArray) path = g_ptr_array_new ();
    remove_fields (json_node_get_object (object), removed, others, path);
  }
  /* Then the configuration merges in, lists as the schema says. */
  g_autoptr (JsonNode) patch = copy_object (applied);
  JsonObject *patch_object = json_node_get_object (patch);
  json_object_remove_member (patch_object, "status");
  return api_strategic_merge_patch (openapi, schema, object, patch, error);
}
