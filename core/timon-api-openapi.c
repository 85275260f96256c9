/* timon-api-openapi.c: the types' schemas, published as Kubernetes
 * publishes them (`/openapi/v3`, one document per group-version) and
 * used to find the fields a written object has that its type does not
 * declare (`fieldValidation`).
 *
 * Every schema the server knows sits in one pool, by name: the API
 * machinery's (ObjectMeta, Time, Quantity, ... in core/openapi/, a
 * resource of libtimon) and each type's (timon_resource_type_set_schema()).
 * A type that gave none gets one that takes any field. A group-version's
 * document holds its types' paths and the schemas they reach through
 * `$ref`s. Documents are made on the first request and kept: types
 * never change once registered. Each is named by its hash, as in
 * Kubernetes: kubectl caches a document by its URL for good.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

#define SCHEMA_REF_PREFIX "#/components/schemas/"
#define META_SCHEMAS "/io/timon/core/openapi/meta-v1-schemas.json"
#define OBJECT_META "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

typedef struct {
  char *path; /* "api/v1", "apis/apps/v1" */
  GBytes *json;
  char *hash;
} Document;

struct _ApiOpenApi {
  JsonObject *pool;       /* name → schema: every schema known */
  GHashTable *type_names; /* TimonResourceType → the name of its schema */
  GPtrArray *types;       /* TimonResourceType, in registration order */
  GMutex lock;            /* the documents, made on first use */
  GHashTable *documents;  /* path → Document */
  GBytes *root;
  Document *v2_json; /* /openapi/v2, made on first use */
  Document *v2_protobuf;
};

/* A document of @bytes (taken), named by their hash. */
static Document *
document_new (const char *path, GBytes *bytes)
{
  Document *doc = g_new0 (Document, 1);
  doc->path = g_strdup (path);
  doc->json = bytes;
  char *hash = g_compute_checksum_for_bytes (G_CHECKSUM_SHA512, bytes);
  doc->hash = g_ascii_strup (hash, -1);
  g_free (hash);
  return doc;
}

static void
document_free (Document *doc)
{
  g_free (doc->path);
  g_bytes_unref (doc->json);
  g_free (doc->hash);
  g_free (doc);
}

static GBytes *
node_to_bytes (JsonNode *node)
{
  gsize length = 0;
  char *text = api_node_to_string (node, &length);
  return g_bytes_new_take (text, length);
}

/* The name Kubernetes gives a kind's schema: io.k8s.api.GROUP.VERSION.KIND
 * for its own groups, the group reversed for others (a CRD's). */
static char *
schema_name_for (TimonResourceType *type)
{
  const char *group = timon_resource_type_get_group (type);
  const char *version = timon_resource_type_get_version (type);
  const char *kind = timon_resource_type_get_kind (type);

  if (group[0] == '\0')
    return g_strdup_printf ("io.k8s.api.core.%s.%s", version, kind);
  if (strchr (group, '.') == NULL || g_str_has_suffix (group, ".k8s.io")) {
    g_autofree char *first = g_strndup (group, strcspn (group, "."));
    return g_strdup_printf ("io.k8s.api.%s.%s.%s", first, version, kind);
  }
  g_auto (GStrv) parts = g_strsplit (group, ".", -1);
  g_autoptr (GString) name = g_string_new (NULL);
  for (guint n = g_strv_length (parts); n > 0; n--)
    g_string_append_printf (name, "%s.", parts[n - 1]);
  g_string_append_printf (name, "%s.%s", version, kind);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static JsonNode *
gvk_node (TimonResourceType *type)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "group");
  json_builder_add_string_value (b, timon_resource_type_get_group (type));
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, timon_resource_type_get_kind (type));
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, timon_resource_type_get_version (type));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* What a type without a schema is published as: its kind, and any field. */
static JsonObject *
open_schema (TimonResourceType *type)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *text = g_strdup_printf (
    "{\"type\":\"object\",\"description\":\"%s (%s): its plugin describes no fields, so any "
    "field is taken.\",\"properties\":{\"apiVersion\":{\"type\":\"string\",\"description\":"
    "\"The versioned schema of this representation of an object.\"},\"kind\":{\"type\":"
    "\"string\",\"description\":\"The kind of object this is.\"},\"metadata\":{\"description\":"
    "\"Standard object metadata.\",\"allOf\":[{\"$ref\":\"" SCHEMA_REF_PREFIX OBJECT_META
    "\"}]}},\"x-kubernetes-preserve-unknown-fields\":true}",
    timon_resource_type_get_kind (type), timon_resource_type_get_group (type));
  json_parser_load_from_data (parser, text, -1, NULL);
  JsonObject *schema = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  JsonArray *gvks = json_array_new ();
  json_array_add_element (gvks, gvk_node (type));
  json_object_set_array_member (schema, "x-kubernetes-group-version-kind", gvks);
  return schema;
}

static void
add_schemas (JsonObject *pool, JsonObject *schemas)
{
  g_autoptr (GList) names = json_object_get_members (schemas);
  for (GList *l = names; l != NULL; l = l->next) {
    JsonNode *schema = json_object_get_member (schemas, l->data);
    /* The first wins: two plugins that both define a shared structure
     * define the same one. */
    if (!json_object_has_member (pool, l->data) && JSON_NODE_HOLDS_OBJECT (schema))
      json_object_set_member (pool, l->data, json_node_copy (schema));
  }
}

/* kubectl finds a kind's schema by its x-kubernetes-group-version-kind:
 * given it, in a copy when the plugin left it out. */
static void
with_gvk (JsonObject *pool, const char *name, TimonResourceType *type)
{
  JsonObject *own = json_object_get_object_member (pool, name);
  if (json_object_has_member (own, "x-kubernetes-group-version-kind"))
    return;
  JsonObject *copy = json_object_new ();
  g_autoptr (GList) members = json_object_get_members (own);
  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (own, l->data)));
  JsonArray *gvks = json_array_new ();
  json_array_add_element (gvks, gvk_node (type));
  json_object_set_array_member (copy, "x-kubernetes-group-version-kind", gvks);
  json_object_set_object_member (pool, name, copy);
}

ApiOpenApi *
api_openapi_new (GPtrArray *types)
{
  ApiOpenApi *self = g_new0 (ApiOpenApi, 1);
  g_autoptr (GError) error = NULL;

  self->pool = json_object_new ();
  self->type_names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->types = g_ptr_array_ref (types);
  self->documents =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) document_free);
  g_mutex_init (&self->lock);

  g_autoptr (GBytes) meta = g_resources_lookup_data (META_SCHEMAS, 0, &error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (meta == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (meta, NULL),
                                   (gssize) g_bytes_get_size (meta), &error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_error ("the API machinery's schemas: %s", error ? error->message : "not an object");
  add_schemas (self->pool, json_node_get_object (json_parser_get_root (parser)));

  for (guint i = 0; i < types->len; i++) {
    TimonResourceType *type = types->pdata[i];
    const char *name = NULL;
    JsonObject *schemas = timon_resource_type_get_schema (type, &name);
    if (schemas != NULL && JSON_NODE_HOLDS_OBJECT (json_object_get_member (schemas, name))) {
      add_schemas (self->pool, schemas);
      g_hash_table_insert (self->type_names, type, g_strdup (name));
      with_gvk (self->pool, name, type);
      continue;
    }
    g_autofree char *own = schema_name_for (type);
    if (!json_object_has_member (self->pool, own))
      json_object_set_object_member (self->pool, own, open_schema (type));
    g_hash_table_insert (self->type_names, type, g_steal_pointer (&own));
  }
  return self;
}

void
api_openapi_free (ApiOpenApi *self)
{
  json_object_unref (self->pool);
  g_hash_table_unref (self->type_names);
  g_ptr_array_unref (self->types);
  g_hash_table_unref (self->documents);
  g_clear_pointer (&self->root, g_bytes_unref);
  g_clear_pointer (&self->v2_json, document_free);
  g_clear_pointer (&self->v2_protobuf, document_free);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* ---- schemas ------------------------------------------------------------- */

/* The reference @schema is: its "$ref", or that of its "allOf" of one
 * schema (Kubernetes' way of describing a reference); NULL for none. */
static const char *
schema_ref (JsonObject *schema)
{
  const char *ref = json_object_get_string_member_with_default (schema, "$ref", NULL);
  JsonNode *all_of = json_object_get_member (schema, "allOf");
  if (ref != NULL || all_of == NULL || !JSON_NODE_HOLDS_ARRAY (all_of) ||
      json_array_get_length (json_node_get_array (all_of)) != 1)
    return ref;
  JsonNode *only = json_array_get_element (json_node_get_array (all_of), 0);
  if (!JSON_NODE_HOLDS_OBJECT (only))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (only), "$ref", NULL);
}

/* The schema @schema stands for: itself, or the one its "$ref" (or its
 * "allOf"'s only "$ref", Kubernetes' way of describing a reference)
 * names; NULL when the name is unknown. */
static JsonObject *
resolve (ApiOpenApi *self, JsonObject *schema)
{
  for (guint depth = 0; schema != NULL && depth < 8; depth++) {
    const char *ref = schema_ref (schema);
    if (ref == NULL)
      return schema;
    if (!g_str_has_prefix (ref, SCHEMA_REF_PREFIX))
      return NULL;
    JsonNode *target = json_object_get_member (self->pool, ref + strlen (SCHEMA_REF_PREFIX));
    schema =
      target != NULL && JSON_NODE_HOLDS_OBJECT (target) ? json_node_get_object (target) : NULL;
  }
  return schema;
}

static JsonObject *
member_schema (JsonObject *schema, const char *member)
{
  JsonNode *node = json_object_get_member (schema, member);
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonObject *
api_openapi_get_schema (ApiOpenApi *self, TimonResourceType *type)
{
  const char *name = g_hash_table_lookup (self->type_names, type);
  return name != NULL ? member_schema (self->pool, name) : NULL;
}

JsonObject *
api_openapi_resolve (ApiOpenApi *self, JsonObject *schema)
{
  return schema != NULL ? resolve (self, schema) : NULL;
}

JsonObject *
api_openapi_member (ApiOpenApi *self, JsonObject *schema, const char *name)
{
  schema = api_openapi_resolve (self, schema);
  JsonObject *properties = schema ? member_schema (schema, "properties") : NULL;
  JsonObject *property = properties ? member_schema (properties, name) : NULL;
  if (property == NULL && schema != NULL)
    property = member_schema (schema, "additionalProperties");
  return property;
}

JsonObject *
api_openapi_property (ApiOpenApi *self, JsonObject *schema, const char *name)
{
  return api_openapi_resolve (self, api_openapi_member (self, schema, name));
}

static void
check_node (ApiOpenApi *self,
            JsonNode *node,
            JsonObject *schema,
            GString *path,
            gboolean prune,
            GPtrArray *unknown)
{
  schema = resolve (self, schema);
  if (schema == NULL || node == NULL ||
      json_object_get_boolean_member_with_default (schema, "x-kubernetes-preserve-unknown-fields",
                                                   FALSE))
    return;

  gsize length = path->len;
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *object = json_node_get_object (node);
    JsonObject *properties = member_schema (schema, "properties");
    JsonNode *additional = json_object_get_member (schema, "additionalProperties");
    /* A free-form object (FieldsV1, a map without a value schema). */
    if (properties == NULL && additional == NULL)
      return;
    g_autoptr (GList) members = json_object_get_members (object);
    for (GList *l = members; l != NULL; l = l->next) {
      const char *name = l->data;
      JsonObject *property = properties ? member_schema (properties, name) : NULL;
      if (length > 0)
        g_string_append_c (path, '.');
      g_string_append (path, name);
      if (property != NULL) {
        check_node (self, json_object_get_member (object, name), property, path, prune, unknown);
      } else if (additional != NULL && JSON_NODE_HOLDS_OBJECT (additional)) {
        check_node (self, json_object_get_member (object, name), json_node_get_object (additional),
                    path, prune, unknown);
      } else if (additional == NULL || !json_node_get_boolean (additional)) {
        g_ptr_array_add (unknown, g_strdup (path->str));
        if (prune)
          json_object_remove_member (object, name);
      }
      g_string_truncate (path, length);
    }
  } else if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonObject *items = member_schema (schema, "items");
    JsonArray *array = json_node_get_array (node);
    if (items == NULL)
      return;
    for (guint i = 0; i < json_array_get_length (array); i++) {
      g_string_append_printf (path, "[%u]", i);
      check_node (self, json_array_get_element (array, i), items, path, prune, unknown);
      g_string_truncate (path, length);
    }
  }
}

GPtrArray *
api_openapi_check_fields (ApiOpenApi *self,
                          TimonResourceType *type,
                          JsonObject *object,
                          gboolean prune)
{
  GPtrArray *unknown = g_ptr_array_new_with_free_func (g_free);
  JsonObject *schema = api_openapi_get_schema (self, type);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autoptr (GString) path = g_string_new (NULL);

  check_node (self, node, schema, path, prune, unknown);
  return unknown;
}

/* ---- documents ----------------------------------------------------------- */

static char *
group_version_path (TimonResourceType *type)
{
  const char *group = timon_resource_type_get_group (type);
  const char *version = timon_resource_type_get_version (type);
  return group[0] == '\0' ? g_strdup_printf ("api/%s", version)
                          : g_strdup_printf ("apis/%s/%s", group, version);
}

/* Adds to @names every schema name @node refers to, and theirs. */
static void
collect_refs (ApiOpenApi *self, JsonNode *node, GHashTable *names)
{
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *object = json_node_get_object (node);
    const char *ref = json_object_get_string_member_with_default (object, "$ref", NULL);
    if (ref != NULL && g_str_has_prefix (ref, SCHEMA_REF_PREFIX)) {
      const char *name = ref + strlen (SCHEMA_REF_PREFIX);
      JsonNode *target = json_object_get_member (self->pool, name);
      if (!g_hash_table_contains (names, name)) {
        g_hash_table_add (names, (gpointer) name);
        if (target != NULL)
          collect_refs (self, target, names);
      }
    }
    g_autoptr (GList) members = json_object_get_values (object);
    for (GList *l = members; l != NULL; l = l->next)
      collect_refs (self, l->data, names);
  } else if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);
    for (guint i = 0; i < json_array_get_length (array); i++)
      collect_refs (self, json_array_get_element (array, i), names);
  }
}

static void
add_parameter (JsonBuilder *b, const char *name, const char *in, const char *description)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "in");
  json_builder_add_string_value (b, in);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, description);
  if (strcmp (in, "path") == 0) {
    json_builder_set_member_name (b, "required");
    json_builder_add_boolean_value (b, TRUE);
  }
  json_builder_set_member_name (b, "schema");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "string");
  json_builder_set_member_name (b, "uniqueItems");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
add_ref_content (JsonBuilder *b, const char *schema_name, const char *const *media_types)
{
  g_autofree char *ref = g_strconcat (SCHEMA_REF_PREFIX, schema_name, NULL);
  json_builder_begin_object (b);
  for (const char *const *m = media_types; *m != NULL; m++) {
    json_builder_set_member_name (b, *m);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "schema");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "$ref");
    json_builder_add_string_value (b, ref);
    json_builder_end_object (b);
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
}

static const char *const json_media[] = { "application/json", NULL };
static const char *const patch_media[] = { "application/json-patch+json",
                                           "application/merge-patch+json",
                                           "application/strategic-merge-patch+json",
                                           "application/apply-patch+yaml", NULL };

/* One operation of a path: what kubectl reads of it is the GVK and, on
 * writes, the fieldValidation parameter. */
static void
add_operation (JsonBuilder *b,
               TimonResourceType *type,
               const char *method,
               const char *action,
               const char *schema_name,
               const char *subresource)
{
  const char *kind = timon_resource_type_get_kind (type);
  gboolean write =
    strcmp (method, "post") == 0 || strcmp (method, "put") == 0 || strcmp (method, "patch") == 0;

  json_builder_set_member_name (b, method);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "description");
  g_autofree char *description =
    g_strdup_printf ("%s %s%s%s", action, kind, subresource ? " " : "", subresource ?: "");
  json_builder_add_string_value (b, description);
  json_builder_set_member_name (b, "x-kubernetes-action");
  json_builder_add_string_value (b, action);
  json_builder_set_member_name (b, "x-kubernetes-group-version-kind");
  json_builder_add_value (b, gvk_node (type));
  json_builder_set_member_name (b, "parameters");
  json_builder_begin_array (b);
  if (write || strcmp (method, "delete") == 0)
    add_parameter (b, "dryRun", "query",
                   "When present (All), the request is checked and answered but not stored.");
  if (write) {
    add_parameter (b, "fieldManager", "query", "The name of the actor making the change.");
    add_parameter (b, "fieldValidation", "query",
                   "What to do with fields the type does not declare: Ignore (drop them), Warn "
                   "(drop them with a warning, the default) or Strict (refuse the request).");
  }
  if (strcmp (method, "patch") == 0)
    add_parameter (b, "force", "query", "Server-side apply: take the fields other managers own.");
  json_builder_end_array (b);
  if (write) {
    json_builder_set_member_name (b, "requestBody");
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "content");
    add_ref_content (b,
                     strcmp (method, "patch") == 0 ? "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
                                                   : schema_name,
                     strcmp (method, "patch") == 0 ? patch_media : json_media);
    json_builder_set_member_name (b, "required");
    json_builder_add_boolean_value (b, TRUE);
    json_builder_end_object (b);
  }
  json_builder_set_member_name (b, "responses");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, strcmp (method, "post") == 0 ? "201" : "200");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "OK");
  json_builder_set_member_name (b, "content");
  add_ref_content (b, schema_name, json_media);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
begin_path (JsonBuilder *b, const char *path, gboolean namespaced, gboolean named)
{
  json_builder_set_member_name (b, path);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "parameters");
  json_builder_begin_array (b);
  if (named)
    add_parameter (b, "name", "path", "The name of the object.");
  if (namespaced)
    add_parameter (b, "namespace", "path", "The namespace of the object.");
  json_builder_end_array (b);
}

static void
add_type_paths (JsonBuilder *b, ApiOpenApi *self, TimonResourceType *type)
{
  gboolean namespaced = timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED;
  const char *plural = timon_resource_type_get_plural (type);
  const char *schema_name = g_hash_table_lookup (self->type_names, type);
  g_autofree char *gv = group_version_path (type);
  g_autofree char *collection = namespaced
                                  ? g_strdup_printf ("/%s/namespaces/{namespace}/%s", gv, plural)
                                  : g_strdup_printf ("/%s/%s", gv, plural);
  g_autofree char *item = g_strdup_printf ("%s/{name}", collection);

  begin_path (b, collection, namespaced, FALSE);
  add_operation (b, type, "get", "list", schema_name, NULL);
  add_operation (b, type, "post", "post", schema_name, NULL);
  add_operation (b, type, "delete", "deletecollection",
                 "io.k8s.apimachinery.pkg.apis.meta.v1.Status", NULL);
  json_builder_end_object (b);

  begin_path (b, item, namespaced, TRUE);
  add_operation (b, type, "get", "get", schema_name, NULL);
  add_operation (b, type, "put", "put", schema_name, NULL);
  add_operation (b, type, "patch", "patch", schema_name, NULL);
  add_operation (b, type, "delete", "delete", schema_name, NULL);
  json_builder_end_object (b);

  for (const char *const *sub = timon_resource_type_get_subresources (type); *sub != NULL; sub++) {
    const char *sub_schema = strcmp (*sub, "status") == 0  ? schema_name
                             : strcmp (*sub, "scale") == 0 ? "io.k8s.api.autoscaling.v1.Scale"
                                                           : NULL;
    if (sub_schema == NULL)
      continue;
    g_autofree char *path = g_strdup_printf ("%s/%s", item, *sub);
    begin_path (b, path, namespaced, TRUE);
    add_operation (b, type, "get", "get", sub_schema, *sub);
    add_operation (b, type, "put", "put", sub_schema, *sub);
    add_operation (b, type, "patch", "patch", sub_schema, *sub);
    json_builder_end_object (b);
  }
  if (namespaced) {
    g_autofree char *all = g_strdup_printf ("/%s/%s", gv, plural);
    begin_path (b, all, FALSE, FALSE);
    add_operation (b, type, "get", "list", schema_name, NULL);
    json_builder_end_object (b);
  }
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The keys of @table (strings), sorted: the same document each time. */
static GPtrArray *
sorted_keys (GHashTable *table)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_names);
  return keys;
}

static Document *
build_document (ApiOpenApi *self, const char *gv_path)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "openapi");
  json_builder_add_string_value (b, "3.0.0");
  json_builder_set_member_name (b, "info");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, "Kubernetes");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, "v1.32.0");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "paths");
  json_builder_begin_object (b);
  g_hash_table_add (names, (gpointer) "io.k8s.apimachinery.pkg.apis.meta.v1.Status");
  g_hash_table_add (names, (gpointer) "io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
  for (guint i = 0; i < self->types->len; i++) {
    TimonResourceType *type = self->types->pdata[i];
    g_autofree char *gv = group_version_path (type);
    if (strcmp (gv, gv_path) != 0)
      continue;
    add_type_paths (b, self, type);
    const char *name = g_hash_table_lookup (self->type_names, type);
    g_hash_table_add (names, (gpointer) name);
    if (timon_resource_type_has_subresource (type, "scale"))
      g_hash_table_add (names, (gpointer) "io.k8s.api.autoscaling.v1.Scale");
  }
  json_builder_end_object (b);

  /* The schemas the types reach, each once. */
  g_autoptr (GPtrArray) roots = sorted_keys (names);
  for (guint i = 0; i < roots->len; i++) {
    JsonNode *schema = json_object_get_member (self->pool, roots->pdata[i]);
    if (schema != NULL)
      collect_refs (self, schema, names);
  }
  g_autoptr (GPtrArray) all = sorted_keys (names);
  json_builder_set_member_name (b, "components");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schemas");
  json_builder_begin_object (b);
  for (guint i = 0; i < all->len; i++) {
    const char *name = all->pdata[i];
    JsonNode *schema = json_object_get_member (self->pool, name);
    json_builder_set_member_name (b, name);
    if (schema != NULL) {
      json_builder_add_value (b, json_node_copy (schema));
    } else {
      /* Named but defined by no plugin loaded: any value. */
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "object");
      json_builder_set_member_name (b, "x-kubernetes-preserve-unknown-fields");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
    }
  }
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);

  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return document_new (gv_path, node_to_bytes (root));
}

/* Makes the documents and the root, once. */
static void
ensure_documents (ApiOpenApi *self)
{
  if (self->root != NULL)
    return;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "paths");
  json_builder_begin_object (b);
  for (guint i = 0; i < self->types->len; i++) {
    g_autofree char *gv = group_version_path (self->types->pdata[i]);
    if (g_hash_table_contains (self->documents, gv))
      continue;
    Document *doc = build_document (self, gv);
    g_hash_table_insert (self->documents, doc->path, doc);
    json_builder_set_member_name (b, doc->path);
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "serverRelativeURL");
    g_autofree char *url = g_strdup_printf ("/openapi/v3/%s?hash=%s", doc->path, doc->hash);
    json_builder_add_string_value (b, url);
    json_builder_end_object (b);
  }
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  self->root = node_to_bytes (root);
}

/* ---- /openapi/v2 ---------------------------------------------------------- */

/* kubectl 1.27 and 1.28 validate manifests and explain fields with the
 * Swagger 2.0 document, which they read only in protobuf (gnostic's
 * openapi.v2.Document). It is made from the same schemas: references
 * point to "#/definitions/", a reference with a description is the
 * reference, and a subtree that takes any field is published without
 * its properties, so that a client-side validator takes anything there
 * too (as Kubernetes publishes such CRDs in v2). */

#define V2_REF_PREFIX "#/definitions/"
#define V2_PROTOBUF "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

static JsonNode *
v2_schema (JsonObject *schema, guint depth)
{
  JsonObject *out = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, out);
  if (depth > 64)
    return node;
  const char *ref = schema_ref (schema);
  gboolean open =
    json_object_get_boolean_member_with_default (schema, "x-kubernetes-preserve-unknown-fields",
                                                 FALSE);

  g_autoptr (GList) names = json_object_get_members (schema);
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data;
    JsonNode *value = json_object_get_member (schema, name);
    if (strcmp (name, "description") == 0 || strcmp (name, "format") == 0 ||
        g_str_has_prefix (name, "x-")) {
      json_object_set_member (out, name, json_node_copy (value));
    } else if (ref != NULL || open) {
      continue;
    } else if (strcmp (name, "type") == 0 || strcmp (name, "required") == 0) {
      json_object_set_member (out, name, json_node_copy (value));
    } else if (strcmp (name, "properties") == 0 && JSON_NODE_HOLDS_OBJECT (value)) {
      JsonObject *properties = json_object_new ();
      JsonObject *v3 = json_node_get_object (value);
      g_autoptr (GList) members = json_object_get_members (v3);
      for (GList *m = members; m != NULL; m = m->next) {
        JsonNode *p = json_object_get_member (v3, m->data);
        if (JSON_NODE_HOLDS_OBJECT (p))
          json_object_set_member (properties, m->data,
                                  v2_schema (json_node_get_object (p), depth + 1));
      }
      json_object_set_object_member (out, "properties", properties);
    } else if ((strcmp (name, "items") == 0 || strcmp (name, "additionalProperties") == 0) &&
               JSON_NODE_HOLDS_OBJECT (value)) {
      json_object_set_member (out, name, v2_schema (json_node_get_object (value), depth + 1));
    } else if (strcmp (name, "additionalProperties") == 0) {
      json_object_set_member (out, name, json_node_copy (value));
    }
  }
  if (ref != NULL && g_str_has_prefix (ref, SCHEMA_REF_PREFIX)) {
    g_autofree char *v2_ref = g_strconcat (V2_REF_PREFIX, ref + strlen (SCHEMA_REF_PREFIX), NULL);
    json_object_set_string_member (out, "$ref", v2_ref);
  }
  return node;
}

/* The Swagger 2.0 document, as JSON: the definitions, and each type's
 * PATCH path with its GVK and fieldValidation, which kubectl 1.27 and
 * 1.28 look for before they validate on the server. */
static JsonNode *
v2_document (ApiOpenApi *self)
{
  JsonObject *doc = json_object_new ();
  JsonObject *info = json_object_new ();
  JsonObject *paths = json_object_new ();
  JsonObject *definitions = json_object_new ();

  json_object_set_string_member (doc, "swagger", "2.0");
  json_object_set_string_member (info, "title", "Kubernetes");
  json_object_set_string_member (info, "version", "v1.32.0");
  json_object_set_object_member (doc, "info", info);

  for (guint i = 0; i < self->types->len; i++) {
    TimonResourceType *type = self->types->pdata[i];
    gboolean namespaced = timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED;
    g_autofree char *gv = group_version_path (type);
    g_autofree char *path =
      namespaced ? g_strdup_printf ("/%s/namespaces/{namespace}/%s/{name}", gv,
                                    timon_resource_type_get_plural (type))
                 : g_strdup_printf ("/%s/%s/{name}", gv, timon_resource_type_get_plural (type));
    g_autofree char *text = g_strdup_printf (
      "{\"patch\":{\"description\":\"partially update the specified %s\",\"x-kubernetes-action\":"
      "\"patch\",\"parameters\":[{\"name\":\"fieldValidation\",\"in\":\"query\",\"type\":"
      "\"string\","
      "\"uniqueItems\":true,\"description\":\"What to do with fields the type does not declare: "
      "Ignore, Warn or Strict.\"}],\"responses\":{\"200\":{\"description\":\"OK\"}}}}",
      timon_resource_type_get_kind (type));
    JsonNode *item = json_from_string (text, NULL);
    JsonObject *patch = json_object_get_object_member (json_node_get_object (item), "patch");
    json_object_set_member (patch, "x-kubernetes-group-version-kind", gvk_node (type));
    json_object_set_member (paths, path, item);
  }
  json_object_set_object_member (doc, "paths", paths);

  g_autoptr (GList) names = json_object_get_members (self->pool);
  names = g_list_sort (names, (GCompareFunc) strcmp);
  for (GList *l = names; l != NULL; l = l->next) {
    JsonNode *schema = json_object_get_member (self->pool, l->data);
    if (JSON_NODE_HOLDS_OBJECT (schema))
      json_object_set_member (definitions, l->data, v2_schema (json_node_get_object (schema), 0));
  }
  json_object_set_object_member (doc, "definitions", definitions);
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, doc);
  return node;
}

/* Protocol buffers, as much as the document needs: varints and
 * length-delimited fields. */
static void
pb_varint (GByteArray *out, guint64 value)
{
  do {
    guint8 byte = value & 0x7f;
    value >>= 7;
    if (value != 0)
      byte |= 0x80;
    g_byte_array_append (out, &byte, 1);
  } while (value != 0);
}

static void
pb_bytes (GByteArray *out, guint field, const void *data, gsize length)
{
  pb_varint (out, (guint64) field << 3 | 2);
  pb_varint (out, length);
  g_byte_array_append (out, data, (guint) length);
}

static void
pb_string (GByteArray *out, guint field, const char *value)
{
  if (value != NULL && value[0] != '\0')
    pb_bytes (out, field, value, strlen (value));
}

static void
pb_message (GByteArray *out, guint field, GByteArray *message)
{
  pb_bytes (out, field, message->data, message->len);
}

static void
pb_bool (GByteArray *out, guint field, gboolean value)
{
  if (!value)
    return;
  pb_varint (out, (guint64) field << 3);
  pb_varint (out, 1);
}

/* Vendor extensions: NamedAny {name, Any {yaml}}; JSON is YAML. */
static void
pb_extensions (GByteArray *out, guint field, JsonObject *object)
{
  g_autoptr (GList) names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next) {
    if (!g_str_has_prefix (l->data, "x-"))
      continue;
    g_autofree char *yaml = json_to_string (json_object_get_member (object, l->data), FALSE);
    g_autoptr (GByteArray) any = g_byte_array_new ();
    pb_string (any, 2, yaml);
    g_autoptr (GByteArray) named = g_byte_array_new ();
    pb_string (named, 1, l->data);
    pb_message (named, 2, any);
    pb_message (out, field, named);
  }
}

static void pb_schema (GByteArray *out, JsonObject *schema);

/* A NamedSchema {name, Schema} as field @field of @out. */
static void
pb_named_schema (GByteArray *out, guint field, const char *name, JsonObject *schema)
{
  g_autoptr (GByteArray) inner = g_byte_array_new ();
  pb_schema (inner, schema);
  g_autoptr (GByteArray) named = g_byte_array_new ();
  pb_string (named, 1, name);
  pb_message (named, 2, inner);
  pb_message (out, field, named);
}

/* openapi.v2.Schema. */
static void
pb_schema (GByteArray *out, JsonObject *schema)
{
  pb_string (out, 1, json_object_get_string_member_with_default (schema, "$ref", NULL));
  pb_string (out, 2, json_object_get_string_member_with_default (schema, "format", NULL));
  pb_string (out, 4, json_object_get_string_member_with_default (schema, "description", NULL));
  JsonNode *required = json_object_get_member (schema, "required");
  if (required != NULL && JSON_NODE_HOLDS_ARRAY (required)) {
    JsonArray *array = json_node_get_array (required);
    for (guint i = 0; i < json_array_get_length (array); i++)
      pb_string (out, 19, json_array_get_string_element (array, i));
  }
  JsonNode *additional = json_object_get_member (schema, "additionalProperties");
  if (additional != NULL) {
    g_autoptr (GByteArray) item = g_byte_array_new ();
    if (JSON_NODE_HOLDS_OBJECT (additional)) {
      g_autoptr (GByteArray) inner = g_byte_array_new ();
      pb_schema (inner, json_node_get_object (additional));
      pb_message (item, 1, inner);
    } else if (JSON_NODE_HOLDS_VALUE (additional)) {
      pb_bool (item, 2, json_node_get_boolean (additional));
    }
    pb_message (out, 21, item);
  }
  const char *type = json_object_get_string_member_with_default (schema, "type", NULL);
  if (type != NULL) {
    g_autoptr (GByteArray) item = g_byte_array_new ();
    pb_string (item, 1, type);
    pb_message (out, 22, item);
  }
  JsonNode *items = json_object_get_member (schema, "items");
  if (items != NULL && JSON_NODE_HOLDS_OBJECT (items)) {
    g_autoptr (GByteArray) inner = g_byte_array_new ();
    pb_schema (inner, json_node_get_object (items));
    g_autoptr (GByteArray) item = g_byte_array_new ();
    pb_message (item, 1, inner);
    pb_message (out, 23, item);
  }
  JsonNode *properties = json_object_get_member (schema, "properties");
  if (properties != NULL && JSON_NODE_HOLDS_OBJECT (properties)) {
    JsonObject *object = json_node_get_object (properties);
    g_autoptr (GByteArray) list = g_byte_array_new ();
    g_autoptr (GList) names = json_object_get_members (object);
    for (GList *l = names; l != NULL; l = l->next)
      pb_named_schema (list, 1, l->data, json_object_get_object_member (object, l->data));
    pb_message (out, 25, list);
  }
  pb_extensions (out, 31, schema);
}

/* A query parameter of an operation: ParametersItem { Parameter {
 * NonBodyParameter { QueryParameterSubSchema } } }. */
static void
pb_query_parameter (GByteArray *out, JsonObject *parameter)
{
  g_autoptr (GByteArray) query = g_byte_array_new ();
  pb_string (query, 2, "query");
  pb_string (query, 3, json_object_get_string_member_with_default (parameter, "description", NULL));
  pb_string (query, 4, json_object_get_string_member_with_default (parameter, "name", NULL));
  pb_string (query, 6, json_object_get_string_member_with_default (parameter, "type", NULL));
  pb_bool (query, 20, TRUE);
  g_autoptr (GByteArray) non_body = g_byte_array_new ();
  pb_message (non_body, 3, query);
  g_autoptr (GByteArray) param = g_byte_array_new ();
  pb_message (param, 2, non_body);
  g_autoptr (GByteArray) item = g_byte_array_new ();
  pb_message (item, 1, param);
  pb_message (out, 8, item);
}

/* The document in protobuf: openapi.v2.Document. */
static GBytes *
v2_protobuf (JsonObject *doc)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  JsonObject *info = json_object_get_object_member (doc, "info");

  pb_string (out, 1, "2.0");
  g_autoptr (GByteArray) info_pb = g_byte_array_new ();
  pb_string (info_pb, 1, json_object_get_string_member (info, "title"));
  pb_string (info_pb, 2, json_object_get_string_member (info, "version"));
  pb_message (out, 2, info_pb);

  JsonObject *paths = json_object_get_object_member (doc, "paths");
  g_autoptr (GByteArray) paths_pb = g_byte_array_new ();
  g_autoptr (GList) path_names = json_object_get_members (paths);
  for (GList *l = path_names; l != NULL; l = l->next) {
    JsonObject *patch =
      json_object_get_object_member (json_object_get_object_member (paths, l->data), "patch");
    g_autoptr (GByteArray) operation = g_byte_array_new ();
    pb_string (operation, 3, json_object_get_string_member (patch, "description"));
    JsonArray *parameters = json_object_get_array_member (patch, "parameters");
    for (guint i = 0; i < json_array_get_length (parameters); i++)
      pb_query_parameter (operation, json_array_get_object_element (parameters, i));
    pb_extensions (operation, 13, patch);
    g_autoptr (GByteArray) path_item = g_byte_array_new ();
    pb_message (path_item, 8, operation);
    g_autoptr (GByteArray) named = g_byte_array_new ();
    pb_string (named, 1, l->data);
    pb_message (named, 2, path_item);
    pb_message (paths_pb, 2, named);
  }
  pb_message (out, 8, paths_pb);

  JsonObject *definitions = json_object_get_object_member (doc, "definitions");
  g_autoptr (GByteArray) definitions_pb = g_byte_array_new ();
  g_autoptr (GList) names = json_object_get_members (definitions);
  for (GList *l = names; l != NULL; l = l->next)
    pb_named_schema (definitions_pb, 1, l->data,
                     json_object_get_object_member (definitions, l->data));
  pb_message (out, 9, definitions_pb);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Answers /openapi/v2: protobuf when the client asks for it (kubectl
 * does), else JSON. */
static void
handle_v2 (ApiOpenApi *self, ApiMessage *msg)
{
  const char *accept = api_message_get_header (msg, "Accept");
  gboolean protobuf = accept != NULL && strstr (accept, "protobuf") != NULL;

  g_mutex_lock (&self->lock);
  if (self->v2_json == NULL) {
    g_autoptr (JsonNode) doc = v2_document (self);
    self->v2_json = document_new ("v2", node_to_bytes (doc));
    self->v2_protobuf = document_new ("v2", v2_protobuf (json_node_get_object (doc)));
  }
  g_mutex_unlock (&self->lock);

  Document *doc = protobuf ? self->v2_protobuf : self->v2_json;
  g_autofree char *etag = g_strdup_printf ("\"%s\"", doc->hash);
  api_message_set_header (msg, "ETag", etag);
  api_message_set_header (msg, "Vary", "Accept");
  if (g_strcmp0 (api_message_get_header (msg, "If-None-Match"), etag) == 0) {
    api_message_set_status (msg, 304);
    return;
  }
  api_message_set_response (msg, 200, protobuf ? V2_PROTOBUF : "application/json", doc->json);
}

/* Answers /openapi/v3 and its documents, as Kubernetes: a document
 * asked for by its current hash may be cached for good; by an old one,
 * the client is sent to the current one. */
gboolean
api_handle_openapi (ApiOpenApi *self, ApiMessage *msg, const char *path)
{
  gboolean v2 = strcmp (path, "/openapi/v2") == 0;
  if (!v2 && strcmp (path, "/openapi/v3") != 0 && strcmp (path, "/openapi/v3/") != 0 &&
      !g_str_has_prefix (path, "/openapi/v3/"))
    return FALSE;

  const char *method = api_message_get_method (msg);
  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0) {
    api_reply_method_not_allowed (msg);
    return TRUE;
  }
  if (v2) {
    handle_v2 (self, msg);
    return TRUE;
  }

  g_mutex_lock (&self->lock);
  ensure_documents (self);
  g_mutex_unlock (&self->lock);

  const char *gv = path + strlen ("/openapi/v3");
  while (*gv == '/')
    gv++;
  if (*gv == '\0') {
    api_message_set_response (msg, 200, "application/json", self->root);
    return TRUE;
  }
  /* Made once and never changed: readable without the lock. */
  Document *doc = g_hash_table_lookup (self->documents, gv);
  if (doc == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_NOT_FOUND,
                       "the server could not find the requested resource");
    return TRUE;
  }
  const char *hash = g_hash_table_lookup (api_message_get_query (msg), "hash");
  if (hash != NULL && strcmp (hash, doc->hash) != 0) {
    g_autofree char *location = g_strdup_printf ("/openapi/v3/%s?hash=%s", doc->path, doc->hash);
    api_message_set_header (msg, "Location", location);
    api_message_set_status (msg, 301);
    return TRUE;
  }
  g_autofree char *etag = g_strdup_printf ("\"%s\"", doc->hash);
  api_message_set_header (msg, "ETag", etag);
  api_message_set_header (msg, "Cache-Control",
                          hash != NULL ? "public, immutable" : "no-cache, private");
  if (g_strcmp0 (api_message_get_header (msg, "If-None-Match"), etag) == 0) {
    api_message_set_status (msg, 304);
    return TRUE;
  }
  api_message_set_response (msg, 200, "application/json", doc->json);
  return TRUE;
}
