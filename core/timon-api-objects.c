/* timon-api-objects.c: create, get, list, update and patch of the
 * objects of a resource type, and the layout of their store keys. PUT
 * and PATCH share one update path; the patch documents are
 * timon-api-patch.c's. DELETE, and the deletion an update completes,
 * follow timon-api-delete.c's rules.
 *
 * Keys: /registry/GROUP/PLURAL/NAMESPACE/NAME, GROUP "core" for the core
 * group and NAMESPACE "_" for cluster-scoped objects ("_" is no valid
 * namespace name). One namespace's objects are then the prefix
 * /registry/GROUP/PLURAL/NAMESPACE/ and all of a type's objects the
 * prefix /registry/GROUP/PLURAL/. The version is not in the key: every
 * version of a type shares its objects.
 *
 * Values: the object's JSON without metadata.resourceVersion, which is
 * the item's mod revision in the store and is known only once the write
 * is acknowledged; it is set when the object is served.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"
#include "timon-store-private.h"
#include "timon-yaml.h"

/* How many generated names a create tries before giving up. */
#define GENERATE_NAME_ATTEMPTS 5
#define GENERATE_NAME_SUFFIX_LENGTH 5
/* Kubernetes' maxGeneratedNameLength: 63 - 5. */
#define GENERATE_NAME_MAX_BASE 58

char *
api_resource_name (TimonResourceType *type)
{
  const char *group = timon_resource_type_get_group (type);
  if (group[0] == '\0')
    return g_strdup (timon_resource_type_get_plural (type));
  return g_strdup_printf ("%s.%s", timon_resource_type_get_plural (type), group);
}

char *
api_api_version (TimonResourceType *type)
{
  const char *group = timon_resource_type_get_group (type);
  if (group[0] == '\0')
    return g_strdup (timon_resource_type_get_version (type));
  return g_strdup_printf ("%s/%s", group, timon_resource_type_get_version (type));
}

char *
api_store_prefix (TimonResourceType *type, const char *namespace)
{
  const char *group = timon_resource_type_get_group (type);
  const char *plural = timon_resource_type_get_plural (type);

  if (group[0] == '\0')
    group = "core";
  if (timon_resource_type_get_scope (type) == TIMON_RESOURCE_CLUSTER)
    return g_strdup_printf ("/registry/%s/%s/_/", group, plural);
  if (namespace == NULL)
    return g_strdup_printf ("/registry/%s/%s/", group, plural);
  return g_strdup_printf ("/registry/%s/%s/%s/", group, plural, namespace);
}

char *
api_store_key (TimonResourceType *type, const char *namespace, const char *name)
{
  g_autofree char *prefix = api_store_prefix (type, namespace);
  return g_strconcat (prefix, name, NULL);
}

/* The store's errors, with the messages Kubernetes gives (kubectl prints
 * them verbatim). */
GError *
api_store_error (const GError *error, TimonResourceType *type, const char *name)
{
  g_autofree char *resource = type ? api_resource_name (type) : g_strdup ("");

  if (error->domain == TIMON_STORE_ERROR) {
    switch (error->code) {
    case TIMON_STORE_ERROR_NOT_FOUND:
      return g_error_new (TIMON_API_ERROR, TIMON_API_ERROR_NOT_FOUND, "%s \"%s\" not found",
                          resource, name);
    case TIMON_STORE_ERROR_EXISTS:
      return g_error_new (TIMON_API_ERROR, TIMON_API_ERROR_ALREADY_EXISTS,
                          "%s \"%s\" already exists", resource, name);
    case TIMON_STORE_ERROR_CONFLICT:
      return g_error_new (TIMON_API_ERROR, TIMON_API_ERROR_CONFLICT,
                          "Operation cannot be fulfilled on %s \"%s\": the object has been "
                          "modified; please apply your changes to the latest version and try "
                          "again",
                          resource, name);
    case TIMON_STORE_ERROR_COMPACTED:
      return g_error_new (TIMON_API_ERROR, TIMON_API_ERROR_EXPIRED, "too old resource version: %s",
                          error->message);
    default:
      break;
    }
  }
  return g_error_copy (error);
}

static void
set_resource_version (JsonObject *object, gint64 revision)
{
  JsonNode *meta = json_object_get_member (object, "metadata");
  if (meta == NULL || !JSON_NODE_HOLDS_OBJECT (meta)) {
    json_object_set_object_member (object, "metadata", json_object_new ());
    meta = json_object_get_member (object, "metadata");
  }
  g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, revision);
  json_object_set_string_member (json_node_get_object (meta), "resourceVersion", rv);
}

/* Parses the stored value @value of @key and sets its resourceVersion
 * to @revision: the object as served. */
JsonNode *
api_value_to_node (const char *key, GBytes *value, gint64 revision, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = value ? g_bytes_get_data (value, &size) : NULL;

  if (data == NULL || !json_parser_load_from_data (parser, data, (gssize) size, error))
    goto corrupt;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto corrupt;
  g_autoptr (JsonNode) node = json_node_ref (root);
  set_resource_version (json_node_get_object (node), revision);
  return g_steal_pointer (&node);

corrupt:
  g_clear_error (error);
  g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_INTERNAL,
               "the stored object %s is not a JSON object", key);
  return NULL;
}

/* Parses a stored value (@value, or @item's) and sets its resourceVersion
 * to @revision (or @item's mod revision when @revision is 0). */
JsonNode *
api_item_to_node (TimonStoreItem *item, GBytes *value, gint64 revision, GError **error)
{
  return api_value_to_node (timon_store_item_get_key (item),
                            value != NULL ? value : timon_store_item_get_value (item),
                            revision > 0 ? revision : timon_store_item_get_mod_revision (item),
                            error);
}

/* Replies with a cached object's bytes, as they are. */
static void
reply_entry (ApiMessage *msg, guint status, ApiEntry *entry)
{
  api_message_set_response (msg, status, "application/json", entry->json);
}

/* A write's answer: the object as the watch cache already serialized it
 * when its event came first (as in the worker of timond's main loop),
 * saving a parse and a serialization on the path of every write. */
static gboolean
reply_cached (TimonApiServer *self,
              ApiMessage *msg,
              guint status,
              TimonResourceType *type,
              TimonStoreItem *item)
{
  ApiCache *cache = api_cache_lookup (self, type);
  g_autoptr (ApiEntry) entry =
    cache != NULL ? api_cache_get (cache, timon_store_item_get_key (item)) : NULL;

  if (entry == NULL || entry->mod_revision != timon_store_item_get_mod_revision (item))
    return FALSE;
  reply_entry (msg, status, entry);
  return TRUE;
}

static void
reply_item (ApiMessage *msg, guint status, TimonStoreItem *item, GBytes *value, gint64 rev)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = api_item_to_node (item, value, rev, &error);
  if (node == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  api_reply_json (msg, status, node);
}

const char *
api_object_string (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
api_object_child (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

/* ---- the request body -------------------------------------------------- */

/* The body, or NULL after replying 413: timond never holds more. */
static GBytes *
read_bytes (ApiMessage *msg)
{
  GBytes *body = api_message_get_body (msg);

  if (g_bytes_get_size (body) > TIMON_API_MAX_BODY_SIZE) {
    api_reply_message (msg, TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE,
                       "the request body is larger than the limit of 3 MiB");
    return NULL;
  }
  return g_bytes_ref (body);
}

/* Parses JSON text, once its shape is one that json-glib parses safely
 * (see timon-api-decode.c); replies 400 and returns NULL when it is not
 * one JSON value. */
static JsonNode *
parse_json (ApiMessage *msg, const char *data, gsize size)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (size == 0 || !api_json_check_shape (data, size, &error) ||
      !json_parser_load_from_data (parser, data, (gssize) size, &error) ||
      json_parser_get_root (parser) == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the body of the request is not valid JSON: %s",
                       error ? error->message : "it is empty");
    return NULL;
  }
  /* Outlives the parser, which drops its own reference. */
  return json_node_ref (json_parser_get_root (parser));
}

/* Shared by every route that takes a body (objects, patches,
 * DeleteOptions, scale, binding, eviction), so that all refuse a body
 * with the same status and words. */
JsonNode *
api_read_json (ApiMessage *msg)
{
  g_autoptr (GBytes) bytes = read_bytes (msg);
  if (bytes == NULL)
    return NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  return parse_json (msg, data, size);
}

/* A YAML body, as the JSON it stands for. */
static JsonNode *
read_yaml (ApiMessage *msg)
{
  g_autoptr (GBytes) bytes = read_bytes (msg);
  if (bytes == NULL)
    return NULL;
  gsize size = 0, json_size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autoptr (GError) error = NULL;
  g_autofree char *json = timon_yaml_to_json (data, size, &json_size, &error);
  if (json == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the body of the request is not valid YAML: %s", error->message);
    return NULL;
  }
  return parse_json (msg, json, json_size);
}

/* Whether the body of an object is YAML or protobuf rather than JSON,
 * as its Content-Type says; none is JSON, as in Kubernetes (its first
 * media type). Replies 415 and returns FALSE for any other type. */
static gboolean
body_media (ApiMessage *msg, gboolean *out_yaml, gboolean *out_protobuf)
{
  const char *type = api_message_get_content_type (msg);

  *out_yaml = type != NULL && g_ascii_strcasecmp (type, "application/yaml") == 0;
  /* kubectl 1.32's typed commands (`kubectl create configmap`). */
  *out_protobuf =
    type != NULL && g_ascii_strcasecmp (type, "application/vnd.kubernetes.protobuf") == 0;
  if (type == NULL || *out_yaml || *out_protobuf ||
      g_ascii_strcasecmp (type, "application/json") == 0)
    return TRUE;
  api_reply_message (msg, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                     "the body of the request was in an unknown format - accepted media types "
                     "include: application/json, application/yaml, "
                     "application/vnd.kubernetes.protobuf");
  return FALSE;
}

/* A protobuf body, as the JSON it stands for. */
static JsonNode *
read_protobuf (ApiMessage *msg)
{
  g_autoptr (GBytes) bytes = read_bytes (msg);
  if (bytes == NULL)
    return NULL;
  g_autoptr (GError) error = NULL;
  JsonNode *node = api_protobuf_to_json (bytes, &error);
  if (node == NULL)
    api_reply_error (msg, error, NULL, NULL);
  return node;
}

JsonNode *
api_read_json_body (ApiMessage *msg)
{
  gboolean yaml = FALSE, protobuf = FALSE;
  if (!body_media (msg, &yaml, &protobuf))
    return NULL;
  g_autoptr (JsonNode) root = protobuf ? read_protobuf (msg)
                              : yaml   ? read_yaml (msg)
                                       : api_read_json (msg);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the body of the request is not a JSON object");
    return NULL;
  }
  return g_steal_pointer (&root);
}

/* Checks an object written, a body or a patched object: of the type of
 * the URL (kind and apiVersion filled in when left out), with metadata,
 * in the URL's namespace. Replies and returns FALSE when it is not. */
static gboolean
check_object (ApiMessage *msg, ApiTarget *target, JsonObject *object)
{
  TimonResourceType *type = target->type;

  /* kind and apiVersion may be left out; given, they name the URL's type. */
  g_autofree char *api_version = api_api_version (type);
  const char *kind = timon_resource_type_get_kind (type);
  JsonNode *member = json_object_get_member (object, "apiVersion");
  if (member != NULL && g_strcmp0 (api_object_string (object, "apiVersion"), api_version) != 0) {
    api_reply_message (
      msg, TIMON_API_ERROR_BAD_REQUEST,
      "the API version in the data (%s) does not match the expected API version (%s)",
      api_object_string (object, "apiVersion") ?: "?", api_version);
    return FALSE;
  }
  member = json_object_get_member (object, "kind");
  if (member != NULL && g_strcmp0 (api_object_string (object, "kind"), kind) != 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the kind in the data (%s) does not match the expected kind (%s)",
                       api_object_string (object, "kind") ?: "?", kind);
    return FALSE;
  }
  json_object_set_string_member (object, "apiVersion", api_version);
  json_object_set_string_member (object, "kind", kind);

  member = json_object_get_member (object, "metadata");
  if (member == NULL || JSON_NODE_HOLDS_NULL (member)) {
    json_object_set_object_member (object, "metadata", json_object_new ());
  } else if (!JSON_NODE_HOLDS_OBJECT (member)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "metadata must be a JSON object");
    return FALSE;
  }
  JsonObject *metadata = api_object_child (object, "metadata");

  if (timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED) {
    const char *ns = api_object_string (metadata, "namespace");
    if (ns != NULL && ns[0] != '\0' && strcmp (ns, target->namespace) != 0) {
      api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                         "the namespace of the provided object does not match the namespace sent "
                         "on the request");
      return FALSE;
    }
    json_object_set_string_member (metadata, "namespace", target->namespace);
  } else if (json_object_has_member (metadata, "namespace")) {
    /* As Kubernetes: a cluster-scoped object's namespace is cleared. */
    json_object_remove_member (metadata, "namespace");
  }
  return TRUE;
}

/* Reads and checks a write's body: JSON (or YAML) of the type of the
 * URL, in its namespace, whose metadata Kubernetes would decode.
 * Replies and returns NULL when it is not. */
static JsonNode *
read_body (ApiMessage *msg, ApiTarget *target)
{
  const char *media = api_message_get_content_type (msg);
  if (media != NULL && g_ascii_strcasecmp (media, "application/vnd.kubernetes.protobuf") == 0 &&
      !api_protobuf_knows (timon_resource_type_get_kind (target->type))) {
    api_reply_message (msg, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                       "the body of the request was in an unknown format - accepted media types "
                       "include: application/json, application/yaml");
    return NULL;
  }
  g_autoptr (JsonNode) node = api_read_json_body (msg);
  if (node == NULL)
    return NULL;
  /* Decoded first, as Kubernetes does, before anything fills it in. */
  JsonObject *metadata = api_object_child (json_node_get_object (node), "metadata");
  g_autoptr (GError) error = NULL;
  if (metadata != NULL && !api_check_object_meta (metadata, &error)) {
    const char *kind = timon_resource_type_get_kind (target->type);
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "%s in version \"%s\" cannot be handled as a %s: %s", kind,
                       timon_resource_type_get_version (target->type), kind, error->message);
    return NULL;
  }
  if (!check_object (msg, target, json_node_get_object (node)))
    return NULL;
  return g_steal_pointer (&node);
}

/* 422 Invalid of the @options (CreateOptions, PatchOptions, ...) whose
 * @field has a value Kubernetes does not take. */
static void
reply_unsupported_option (ApiMessage *msg,
                          const char *options,
                          const char *field,
                          const char *value,
                          const char *supported)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, field, value, "%s", supported);
  api_reply_status (msg, timon_status_new_invalid ("meta.k8s.io", options, "", errors));
}

typedef enum {
  FIELDS_WARN,
  FIELDS_IGNORE,
  FIELDS_STRICT,
} FieldValidation;

/* What fieldValidation asks of the fields a type does not declare:
 * Kubernetes drops them, with a warning unless told to ignore them, or
 * refuses the request under Strict (kubectl's default for create -f
 * and apply -f). */
static gboolean
read_field_validation (ApiMessage *msg,
                       GHashTable *query,
                       const char *options,
                       FieldValidation *out)
{
  const char *value = g_hash_table_lookup (query, "fieldValidation");

  *out = FIELDS_WARN;
  if (value == NULL || value[0] == '\0' || strcmp (value, "Warn") == 0)
    return TRUE;
  if (strcmp (value, "Ignore") == 0) {
    *out = FIELDS_IGNORE;
    return TRUE;
  }
  if (strcmp (value, "Strict") == 0) {
    *out = FIELDS_STRICT;
    return TRUE;
  }
  reply_unsupported_option (msg, options, "fieldValidation", value,
                            "supported values: \"Ignore\", \"Strict\", \"Warn\"");
  return FALSE;
}

/* Applies @mode to the fields of @object that @type does not declare;
 * replies 400 and returns FALSE when Strict refuses them. @warn: say
 * what was dropped in Warning headers (once a request). */
static gboolean
check_fields (TimonApiServer *self,
              ApiMessage *msg,
              TimonResourceType *type,
              JsonObject *object,
              FieldValidation mode,
              gboolean warn)
{
  g_autoptr (GPtrArray) unknown =
    api_openapi_check_fields (self->openapi, type, object, mode != FIELDS_STRICT);
  if (unknown->len == 0)
    return TRUE;
  if (mode == FIELDS_STRICT) {
    const char *kind = timon_resource_type_get_kind (type);
    g_autoptr (GString) message = g_string_new (NULL);
    g_string_append_printf (message,
                            "%s in version \"%s\" cannot be handled as a %s: strict decoding "
                            "error: ",
                            kind, timon_resource_type_get_version (type), kind);
    for (guint i = 0; i < unknown->len; i++)
      g_string_append_printf (message, "%sunknown field \"%s\"", i > 0 ? ", " : "",
                              (char *) unknown->pdata[i]);
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "%s", message->str);
    return FALSE;
  }
  for (guint i = 0; warn && mode == FIELDS_WARN && i < unknown->len; i++) {
    /* RFC 7234's warn-code 299, the text quoted: what kubectl prints. */
    g_autofree char *text =
      g_strdup_printf ("299 - \"unknown field \\\"%s\\\"\"", (char *) unknown->pdata[i]);
    api_message_add_header (msg, "Warning", text);
  }
  return TRUE;
}

/* Runs the type's defaults, then the checks of metadata and the type's
 * own; replies 422 and returns FALSE if something is wrong. */
static gboolean
default_and_validate (ApiMessage *msg, TimonResourceType *type, JsonObject *object, JsonObject *old)
{
  gpointer hook_data = NULL;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &hook_data);
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();

  if (hooks != NULL && hooks->default_object != NULL)
    hooks->default_object (object, hook_data);
  JsonObject *metadata = api_object_child (object, "metadata");
  if (metadata == NULL) {
    /* A hook replaced it: refuse rather than store something odd. */
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "metadata", NULL, NULL);
  } else {
    timon_validate_object_meta (metadata,
                                timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED,
                                errors);
  }
  if (hooks != NULL && old == NULL && hooks->validate_create != NULL)
    hooks->validate_create (object, errors, hook_data);
  if (hooks != NULL && old != NULL && hooks->validate_update != NULL)
    hooks->validate_update (object, old, errors, hook_data);
  if (metadata != NULL)
    api_validate_finalizers (object, old, errors);

  if (timon_field_errors_get_length (errors) == 0)
    return TRUE;
  const char *name = api_object_string (metadata, "name");
  if (name == NULL || name[0] == '\0')
    name = api_object_string (metadata, "generateName");
  api_reply_status (msg,
                    timon_status_new_invalid (timon_resource_type_get_group (type),
                                              timon_resource_type_get_kind (type), name, errors));
  return FALSE;
}

GBytes *
api_serialize (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  gsize length = 0;
  char *data = api_node_to_string (node, &length);
  return g_bytes_new_take (data, length);
}

char *
api_now_rfc3339 (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* ---- a write in flight -------------------------------------------------- */

static void
on_pending_finished (ApiMessage *msg, gpointer user_data)
{
  ((ApiPending *) user_data)->finished = TRUE;
}

/* Shared by the writes of objects, subresources and deletions: each
 * answers after the store does, and must neither unpause nor answer a
 * message whose client is gone. */
void
api_pending_init (ApiPending *pending, ApiMessage *msg)
{
  pending->msg = api_message_ref (msg);
  pending->finished = FALSE;
  pending->finished_id = api_message_connect_finished (msg, on_pending_finished, pending);
  api_message_pause (msg);
}

void
api_pending_clear (ApiPending *pending)
{
  api_message_disconnect_finished (pending->msg, pending->finished_id);
  if (!pending->finished)
    api_message_unpause (pending->msg);
  g_clear_pointer (&pending->msg, api_message_unref);
}

typedef struct {
  TimonApiServer *server;
  ApiPending pending;
  TimonResourceType *type;
  char *namespace;
  char *name;
  char *generate_name; /* a create whose name is generated */
  JsonObject *object;  /* what is written */
  GBytes *old_value;   /* a delete: what was there */
  guint attempts;
  /* An update: its subresource ("status" or NULL), and the object a PUT
   * sent or the patch of a PATCH, kept as received for each attempt. */
  char *subresource;
  JsonNode *body;
  JsonNode *patch;
  ApiPatchType patch_type;
  gboolean dry_run; /* ?dryRun=All: everything but the write */
  FieldValidation fields;
  char *manager;  /* a server-side apply's fieldManager */
  GBytes *hinted; /* what is written, described to the watch cache */
} Write;

static Write *
write_new (TimonApiServer *server, ApiMessage *msg, ApiTarget *target)
{
  Write *w = g_new0 (Write, 1);
  w->server = g_object_ref (server);
  api_pending_init (&w->pending, msg);
  w->type = timon_resource_type_ref (target->type);
  w->namespace = g_strdup (target->namespace);
  w->name = g_strdup (target->name);
  w->subresource = g_strdup (target->subresource);
  return w;
}

/* Ends a write: the reply, if any, is set on the message already. */
/* Hands the watch cache what @w knows of @value, the bytes of @object it
 * writes now. */
static void
write_hint (Write *w, GBytes *value, JsonObject *object)
{
  if (w->hinted != NULL)
    api_cache_unhint (w->server, w->hinted);
  g_clear_pointer (&w->hinted, g_bytes_unref);
  api_cache_hint (w->server, w->type, value, object);
  w->hinted = g_bytes_ref (value);
}

static void
write_free (Write *w)
{
  if (w->hinted != NULL) {
    api_cache_unhint (w->server, w->hinted);
    g_bytes_unref (w->hinted);
  }
  api_pending_clear (&w->pending);
  g_object_unref (w->server);
  timon_resource_type_unref (w->type);
  g_free (w->namespace);
  g_free (w->name);
  g_free (w->generate_name);
  g_clear_pointer (&w->object, json_object_unref);
  g_clear_pointer (&w->old_value, g_bytes_unref);
  g_free (w->subresource);
  g_clear_pointer (&w->body, json_node_unref);
  g_clear_pointer (&w->patch, json_node_unref);
  g_free (w->manager);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Write, write_free)

static void
write_reply_error (Write *w, const GError *error)
{
  g_autoptr (GError) api_error = api_store_error (error, w->type, w->name);
  api_reply_error (w->pending.msg, api_error, w->type, w->name);
}

/* ---- create ------------------------------------------------------------- */

static void create_next (Write *w);

static void
on_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Write) w = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item =
    timon_store_create_finish (TIMON_STORE (source), result, &error);

  if (item == NULL && w->generate_name != NULL &&
      g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS) &&
      w->attempts < GENERATE_NAME_ATTEMPTS) {
    create_next (g_steal_pointer (&w));
    return;
  }
  if (item == NULL) {
    write_reply_error (w, error);
    return;
  }
  if (!reply_cached (w->server, w->pending.msg, 201, w->type, item))
    reply_item (w->pending.msg, 201, item, NULL, 0);
}

/* Writes the object, with a newly generated name if it asked for one. */
static void
create_next (Write *w)
{
  JsonObject *metadata = api_object_child (w->object, "metadata");

  w->attempts++;
  if (w->generate_name != NULL) {
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    g_autoptr (GString) name =
      g_string_new_len (w->generate_name, MIN (strlen (w->generate_name), GENERATE_NAME_MAX_BASE));
    for (int i = 0; i < GENERATE_NAME_SUFFIX_LENGTH; i++)
      g_string_append_c (name, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
    json_object_set_string_member (metadata, "name", name->str);
    g_free (w->name);
    w->name = g_strdup (name->str);
  }
  g_autofree char *key = api_store_key (w->type, w->namespace, w->name);
  if (w->dry_run) {
    /* What the create would store, or why it would fail; nothing is
     * written. */
    g_autoptr (Write) owned = w;
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonStoreItem) existing = timon_store_get (w->server->store, key, &error);
    if (existing != NULL) {
      g_autoptr (GError) exists =
        g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS, "");
      write_reply_error (w, exists);
    } else if (!g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND)) {
      write_reply_error (w, error);
    } else {
      g_autoptr (JsonNode) would = json_node_init_object (json_node_alloc (), w->object);
      api_reply_json (w->pending.msg, 201, would);
    }
    return;
  }
  g_autoptr (GBytes) value = api_serialize (w->object);
  write_hint (w, value, w->object);
  timon_store_create_async (w->server->store, key, value, NULL, on_created, w);
}

/* Kubernetes' NamespaceLifecycle admission: no new objects in a
 * namespace that terminates, else it could never be emptied. */
static void
reply_namespace_terminating (ApiMessage *msg,
                             TimonResourceType *type,
                             const char *name,
                             const char *namespace)
{
  g_autofree char *resource = api_resource_name (type);
  g_autoptr (GError) error =
    g_error_new (TIMON_API_ERROR, TIMON_API_ERROR_FORBIDDEN,
                 "%s \"%s\" is forbidden: unable to create new content in namespace %s because "
                 "it is being terminated",
                 resource, name, namespace);
  JsonNode *status = timon_status_new_from_error (error, timon_resource_type_get_group (type),
                                                  timon_resource_type_get_plural (type), name);
  /* The cause clients (the namespace controller, kubectl) test for. */
  JsonObject *details = api_object_child (json_node_get_object (status), "details");
  if (details != NULL) {
    g_autofree char *message = g_strdup_printf ("namespace %s is being terminated", namespace);
    JsonObject *cause = json_object_new ();
    JsonArray *causes = json_array_new ();
    json_object_set_string_member (cause, "reason", "NamespaceTerminating");
    json_object_set_string_member (cause, "message", message);
    json_object_set_string_member (cause, "field", "metadata.namespace");
    json_array_add_object_element (causes, cause);
    json_object_set_array_member (details, "causes", causes);
  }
  api_reply_status (msg, status);
}

/* Whether @namespace exists and takes new objects; replies when not. */
static gboolean
namespace_accepts (TimonApiServer *self,
                   ApiMessage *msg,
                   TimonResourceType *type,
                   const char *name,
                   const char *namespace)
{
  if (self->namespace_type == NULL || namespace == NULL)
    return TRUE;
  g_autofree char *key = api_store_key (self->namespace_type, NULL, namespace);
  g_autoptr (GError) error = NULL;

  /* Every create asks: the cache answers without a read or a parse,
   * when it is current. */
  ApiCache *cache =
    api_caches_have (self, -1) ? api_cache_lookup (self, self->namespace_type) : NULL;
  if (cache != NULL) {
    g_autoptr (ApiEntry) entry = api_cache_get (cache, key);
    if (entry != NULL &&
        (entry->deleting ||
         g_strcmp0 (api_attrs_get_field (entry->attrs, self->namespace_type, "status.phase"),
                    "Terminating") == 0)) {
      reply_namespace_terminating (msg, type, name, namespace);
      return FALSE;
    }
    if (entry != NULL)
      return TRUE;
  }
  g_autoptr (TimonStoreItem) item = timon_store_get (self->store, key, &error);
  if (item == NULL) {
    g_autoptr (GError) api_error = api_store_error (error, self->namespace_type, namespace);
    api_reply_error (msg, api_error, self->namespace_type, namespace);
    return FALSE;
  }
  g_autoptr (JsonNode) node = api_item_to_node (item, NULL, 0, &error);
  if (node == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return FALSE;
  }
  JsonObject *object = json_node_get_object (node);
  const char *phase = api_object_string (api_object_child (object, "status"), "phase");
  if (!api_object_is_terminating (object) && g_strcmp0 (phase, "Terminating") != 0)
    return TRUE;
  reply_namespace_terminating (msg, type, name, namespace);
  return FALSE;
}

/* Fills in what the server owns on a new object. */
static void
prepare_new (JsonObject *metadata)
{
  g_autofree char *uid = g_uuid_string_random ();
  g_autofree char *now = api_now_rfc3339 ();

  json_object_remove_member (metadata, "resourceVersion");
  json_object_remove_member (metadata, "deletionTimestamp");
  json_object_remove_member (metadata, "deletionGracePeriodSeconds");
  json_object_set_string_member (metadata, "uid", uid);
  json_object_set_string_member (metadata, "creationTimestamp", now);
  json_object_set_int_member (metadata, "generation", 1);
}

/* ?dryRun= of a write: "All" or nothing, as Kubernetes'
 * ValidateUpdateOptions and ValidatePatchOptions say; replies 422 on
 * another value. */
static gboolean
read_dry_run (ApiMessage *msg, GHashTable *query, const char *options, gboolean *out)
{
  const char *value = query ? g_hash_table_lookup (query, "dryRun") : NULL;

  *out = value != NULL && value[0] != '\0';
  if (!*out || strcmp (value, "All") == 0)
    return TRUE;
  reply_unsupported_option (msg, options, "dryRun", value, "supported values: \"All\"");
  return FALSE;
}

/* Creates @node, a checked body (read_body()); answers 201. */
static void
create_object (TimonApiServer *self,
               ApiMessage *msg,
               ApiTarget *target,
               JsonNode *node,
               FieldValidation fields,
               gboolean dry_run)
{
  JsonObject *object = json_node_get_object (node);
  JsonObject *metadata = api_object_child (object, "metadata");

  if (!check_fields (self, msg, target->type, object, fields, TRUE) ||
      !default_and_validate (msg, target->type, object, NULL))
    return;
  metadata = api_object_child (object, "metadata");
  const char *name = api_object_string (metadata, "name");
  if (!namespace_accepts (self, msg, target->type, name ? name : "", target->namespace))
    return;
  prepare_new (metadata);

  Write *w = write_new (self, msg, target);
  w->object = json_object_ref (object);
  w->dry_run = dry_run;
  g_clear_pointer (&w->name, g_free);
  if (name == NULL || name[0] == '\0')
    w->generate_name = g_strdup (api_object_string (metadata, "generateName"));
  else
    w->name = g_strdup (name);
  create_next (w);
}

static void
handle_create (TimonApiServer *self, ApiMessage *msg, ApiTarget *target)
{
  FieldValidation fields;
  gboolean dry_run = FALSE;
  GHashTable *query = api_message_get_query (msg);
  if (!read_dry_run (msg, query, "CreateOptions", &dry_run) ||
      !read_field_validation (msg, query, "CreateOptions", &fields))
    return;
  g_autoptr (JsonNode) node = read_body (msg, target);
  if (node != NULL)
    create_object (self, msg, target, node, fields, dry_run);
}

/* ---- get and list ----------------------------------------------------- */

/* Replies with @objects as one Table, with its column definitions. */
static void
reply_objects (ApiMessage *msg,
               ApiTable *table,
               JsonNode *const *objects,
               guint n_objects,
               const char *resource_version,
               const char *continue_token)
{
  g_autoptr (JsonNode) node =
    api_table_build (table, objects, n_objects, resource_version, continue_token, TRUE);
  api_reply_json_as (msg, 200, node, api_table_get_content_type (table));
}

/* Whether the watch cache may answer a read with @options: Kubernetes'
 * semantics for get and list. No resourceVersion: the most recent
 * state, so the cache must hold every write the store acknowledged; "0":
 * any state; N: not older than N, unless the list is paged or asks for
 * Exact, which need that very revision (the store has it). */
static ApiCache *
cache_for_read (TimonApiServer *self, TimonResourceType *type, const ApiListOptions *options)
{
  ApiCache *cache = api_cache_lookup (self, type);

  if (cache == NULL || options->continue_token != NULL || options->match == API_MATCH_EXACT)
    return NULL;
  if (options->revision > 0 && options->limit > 0 && options->match == API_MATCH_UNSET)
    return NULL;
  /* -1, 0 or N are what api_caches_have() takes. */
  return api_caches_have (self, options->revision) ? cache : NULL;
}

/* A read not older than a revision the store has not reached: Kubernetes
 * waits a little for it, then answers this. */
static gboolean
revision_too_large (TimonApiServer *self, ApiMessage *msg, const ApiListOptions *options)
{
  gint64 current = timon_store_get_revision (self->store);

  if (options->revision <= current || options->continue_token != NULL)
    return FALSE;
  api_reply_message (msg, TIMON_API_ERROR_TIMEOUT,
                     "Too large resource version: %" G_GINT64_FORMAT ", current: %" G_GINT64_FORMAT,
                     options->revision, current);
  return TRUE;
}

static void
handle_get (TimonApiServer *self,
            ApiMessage *msg,
            ApiTarget *target,
            GHashTable *query,
            ApiTable *table)
{
  g_autofree char *key = api_store_key (target->type, target->namespace, target->name);
  g_autoptr (GError) error = NULL;
  ApiListOptions options;

  /* Kubernetes decodes a get's GetOptions, whose one field is its
   * resourceVersion: what only a list reads is no error here. */
  g_autoptr (GHashTable) get_options = g_hash_table_new (g_str_hash, g_str_equal);
  const char *asked = query != NULL ? g_hash_table_lookup (query, "resourceVersion") : NULL;
  if (asked != NULL)
    g_hash_table_insert (get_options, (char *) "resourceVersion", (char *) asked);
  if (!api_list_options_parse (&options, get_options, FALSE, msg))
    return;
  ApiCache *cache = cache_for_read (self, target->type, &options);
  if (cache == NULL && revision_too_large (self, msg, &options))
    return;
  if (cache != NULL) {
    g_autoptr (ApiEntry) entry = api_cache_get (cache, key);
    if (entry == NULL) {
      g_autoptr (GError) missing =
        g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "not found");
      error = api_store_error (missing, target->type, target->name);
      api_reply_error (msg, error, target->type, target->name);
    } else if (table == NULL) {
      reply_entry (msg, 200, entry);
    } else {
      g_autoptr (JsonNode) node = api_entry_parse (entry);
      g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, entry->mod_revision);
      reply_objects (msg, table, &node, 1, rv, NULL);
    }
    return;
  }

  g_autoptr (TimonStoreItem) item = timon_store_get (self->store, key, &error);
  if (item == NULL) {
    g_autoptr (GError) api_error = api_store_error (error, target->type, target->name);
    api_reply_error (msg, api_error, target->type, target->name);
    return;
  }
  if (table == NULL) {
    reply_item (msg, 200, item, NULL, 0);
    return;
  }
  /* `kubectl get pod nginx`: a Table with one row. */
  g_autoptr (JsonNode) node = api_item_to_node (item, NULL, 0, &error);
  if (node == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  g_autofree char *rv =
    g_strdup_printf ("%" G_GINT64_FORMAT, timon_store_item_get_mod_revision (item));
  reply_objects (msg, table, &node, 1, rv, NULL);
}

/* A list in JSON: the objects' bytes as they are, between a head and a
 * tail, with no parsing. */
static void
reply_list (ApiMessage *msg,
            TimonResourceType *type,
            GBytes *const *objects,
            guint n_objects,
            const char *resource_version,
            const char *continue_token)
{
  g_autofree char *api_version = api_api_version (type);
  gsize size = 256 + (continue_token ? strlen (continue_token) : 0);
  for (guint i = 0; i < n_objects; i++)
    size += g_bytes_get_size (objects[i]) + 1;

  GString *body = g_string_sized_new (size);
  g_string_append_printf (body,
                          "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{"
                          "\"resourceVersion\":\"%s\"",
                          timon_resource_type_get_kind (type), api_version, resource_version);
  /* Tokens are base64: nothing to escape. */
  if (continue_token != NULL)
    g_string_append_printf (body, ",\"continue\":\"%s\"", continue_token);
  g_string_append (body, "},\"items\":[");
  for (guint i = 0; i < n_objects; i++) {
    gsize length;
    const char *data = g_bytes_get_data (objects[i], &length);
    if (i > 0)
      g_string_append_c (body, ',');
    g_string_append_len (body, data, (gssize) length);
  }
  g_string_append (body, "]}");
  gsize length = body->len;
  api_message_take_response (msg, 200, "application/json", g_string_free (body, FALSE), length);
}

static void
reply_entries (ApiMessage *msg,
               TimonResourceType *type,
               ApiTable *table,
               GPtrArray *entries,
               const char *resource_version,
               const char *continue_token)
{
  if (table != NULL) {
    g_autoptr (GPtrArray) nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
    for (guint i = 0; i < entries->len; i++)
      g_ptr_array_add (nodes, api_entry_parse (entries->pdata[i]));
    reply_objects (msg, table, (JsonNode *const *) nodes->pdata, nodes->len, resource_version,
                   continue_token);
    return;
  }
  g_autofree GBytes **objects = g_new (GBytes *, entries->len + 1);
  for (guint i = 0; i < entries->len; i++)
    objects[i] = ((ApiEntry *) entries->pdata[i])->json;
  reply_list (msg, type, objects, entries->len, resource_version, continue_token);
}

/* A list the cache answers: a page of it, whose continuation the store
 * serves at the cache's revision, as Kubernetes continues from etcd. */
static void
list_from_cache (TimonApiServer *self,
                 ApiMessage *msg,
                 ApiTarget *target,
                 ApiCache *cache,
                 ApiFilter *filter,
                 const ApiListOptions *options,
                 ApiTable *table)
{
  g_autofree char *prefix = api_store_prefix (target->type, target->namespace);
  gboolean more = FALSE;
  g_autoptr (GPtrArray) entries = api_cache_list (cache, prefix, filter, options->limit, &more);
  gint64 revision = api_caches_get_revision (self);
  g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, revision);
  g_autofree char *next = NULL;

  if (more && entries->len > 0)
    next = timon_store_continue_token_new (revision,
                                           ((ApiEntry *) entries->pdata[entries->len - 1])->key);
  reply_entries (msg, target->type, table, entries, rv, next);
}

/* The continue token of a list whose snapshot was compacted: Kubernetes
 * answers 410 with a token that goes on from the same key at the
 * current revision, for a client that accepts an inconsistent list. */
static void
reply_expired_continue (TimonApiServer *self, ApiMessage *msg, const char *token)
{
  g_autoptr (GError) error = g_error_new_literal (
    TIMON_API_ERROR, TIMON_API_ERROR_EXPIRED,
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list.");
  JsonNode *status = timon_status_new_from_error (error, NULL, NULL, NULL);
  g_autofree char *last_key = timon_store_continue_token_get_key (token);

  if (last_key != NULL) {
    JsonObject *object = json_node_get_object (status);
    JsonObject *metadata = api_object_child (object, "metadata");
    if (metadata == NULL) {
      metadata = json_object_new ();
      json_object_set_object_member (object, "metadata", metadata);
    }
    g_autofree char *fresh =
      timon_store_continue_token_new (timon_store_get_revision (self->store), last_key);
    json_object_set_string_member (metadata, "continue", fresh);
  }
  api_reply_status (msg, status);
}

static void
handle_list (TimonApiServer *self,
             ApiMessage *msg,
             ApiTarget *target,
             GHashTable *query,
             ApiTable *table)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ApiFilter) filter = api_filter_new (target->type, query, &error);
  ApiListOptions options;

  if (filter == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  if (!api_list_options_parse (&options, query, FALSE, msg))
    return;
  if (options.continue_token != NULL && options.revision > 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "specifying resource version is not allowed when using continue");
    return;
  }
  ApiCache *cache = cache_for_read (self, target->type, &options);
  if (cache == NULL && revision_too_large (self, msg, &options))
    return;
  if (cache != NULL) {
    list_from_cache (self, msg, target, cache, filter, &options, table);
    return;
  }

  /* The store: the latest revision, or the one asked for. */
  gint64 revision =
    options.revision > 0 && (options.match == API_MATCH_EXACT ||
                             (options.limit > 0 && options.match == API_MATCH_UNSET))
      ? options.revision
      : TIMON_STORE_REVISION_LATEST;
  g_autofree char *prefix = api_store_prefix (target->type, target->namespace);
  g_autofree char *next = g_strdup (options.continue_token);
  g_autoptr (GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) api_entry_unref);
  gint64 read_revision = 0;
  /* A page of a selective list may hold fewer matches than asked for:
   * read on until it is full or the list ends, as Kubernetes does. */
  do {
    g_autofree char *token = g_steal_pointer (&next);
    guint want = options.limit > 0 ? options.limit - entries->len : 0;
    g_autoptr (GPtrArray) items =
      timon_store_list (self->store, prefix, token != NULL ? TIMON_STORE_REVISION_LATEST : revision,
                        want, token, &read_revision, &next, &error);
    if (items == NULL) {
      if (token != NULL &&
          g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED)) {
        reply_expired_continue (self, msg, token);
        return;
      }
      g_autoptr (GError) api_error = api_store_error (error, target->type, NULL);
      api_reply_error (msg, api_error, NULL, NULL);
      return;
    }
    for (guint i = 0; i < items->len; i++) {
      TimonStoreItem *item = items->pdata[i];
      ApiEntry *entry = api_entry_new (target->type, timon_store_item_get_key (item),
                                       timon_store_item_get_value (item),
                                       timon_store_item_get_mod_revision (item), &error);
      if (entry == NULL) {
        api_reply_error (msg, error, NULL, NULL);
        return;
      }
      if (api_filter_matches_attrs (filter, entry->attrs))
        g_ptr_array_add (entries, entry);
      else
        api_entry_unref (entry);
    }
  } while (next != NULL && options.limit > 0 && entries->len < options.limit);

  g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, read_revision);
  reply_entries (msg, target->type, table, entries, rv, next);
}

/* ---- update ------------------------------------------------------------- */

/* PUT and PATCH share one path (update_run): each attempt reads the
 * object, makes the new one (the body of a PUT, or the patch applied to
 * what it read), checks it as Kubernetes' update does and writes it if
 * the object is still at the revision read. When another write got in
 * between, the attempt starts again on what that write left, as
 * Kubernetes' GuaranteedUpdate does: an update that names a
 * resourceVersion then fails with 409, one that does not (a patch, as a
 * rule) applies to the latest object. */

/* How many attempts an update makes before it answers the conflict
 * (Kubernetes' patch handler once stopped at 5,
 * maxRetryWhenPatchConflicts). */
#define UPDATE_ATTEMPTS 5

static void update_run (Write *w);

/* Starts the next attempt (which then owns @w) if @error is a write that
 * lost to another one and attempts are left. */
static gboolean
update_retry (Write *w, const GError *error)
{
  if (!g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT) ||
      w->attempts >= UPDATE_ATTEMPTS || w->pending.finished)
    return FALSE;
  update_run (w);
  return TRUE;
}

/* An update that took the last finalizer of a terminating object away
 * deleted it instead. */
static void
on_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  gint64 revision = 0;
  g_autoptr (TimonStoreItem) item =
    timon_store_delete_finish (TIMON_STORE (source), result, &revision, &error);

  if (item == NULL && update_retry (user_data, error))
    return;
  g_autoptr (Write) w = user_data;
  if (item == NULL) {
    write_reply_error (w, error);
    return;
  }
  /* The object as it was, at the revision of its deletion, as the
   * DELETED event of a watch shows it. */
  GBytes *value = timon_store_item_get_value (item);
  reply_item (w->pending.msg, 200, item, value != NULL ? value : w->old_value, revision);
}

static void
on_updated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item =
    timon_store_update_finish (TIMON_STORE (source), result, &error);

  if (item == NULL && update_retry (user_data, error))
    return;
  g_autoptr (Write) w = user_data;
  if (item == NULL) {
    write_reply_error (w, error);
    return;
  }
  if (!reply_cached (w->server, w->pending.msg, 200, w->type, item))
    reply_item (w->pending.msg, 200, item, NULL, 0);
}

/* Whether anything but metadata and status differs: what makes the
 * generation grow ("the spec", for types whose content is not in a
 * spec member, such as a ConfigMap's data). */
static gboolean
spec_changed (JsonObject *object, JsonObject *old)
{
  g_autoptr (GList) members = json_object_get_members (object);
  g_autoptr (GList) old_members = json_object_get_members (old);
  static const char *const ignored[] = { "metadata", "status", "kind", "apiVersion", NULL };

  for (GList *l = members; l != NULL; l = l->next) {
    if (g_strv_contains (ignored, l->data))
      continue;
    JsonNode *old_node = json_object_get_member (old, l->data);
    if (old_node == NULL || !json_node_equal (json_object_get_member (object, l->data), old_node))
      return TRUE;
  }
  for (GList *l = old_members; l != NULL; l = l->next) {
    if (!g_strv_contains (ignored, l->data) && !json_object_has_member (object, l->data))
      return TRUE;
  }
  return FALSE;
}

static void
copy_member (JsonObject *to, JsonObject *from, const char *member)
{
  JsonNode *node = json_object_get_member (from, member);
  if (node != NULL)
    json_object_set_member (to, member, json_node_copy (node));
  else
    json_object_remove_member (to, member);
}

/* The object an attempt writes: the body of a PUT, or the patch of a
 * PATCH applied to @old_node and checked as a body is. Replies and
 * returns NULL when there is none. */
static JsonNode *
update_new_object (Write *w, JsonNode *old_node)
{
  ApiMessage *msg = w->pending.msg;

  if (w->patch == NULL)
    return api_json_deep_copy (w->body);

  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  if (w->patch_type == API_PATCH_STRATEGIC)
    node = api_strategic_merge_patch (w->server->openapi,
                                      api_openapi_get_schema (w->server->openapi, w->type),
                                      old_node, w->patch, &error);
  else if (w->patch_type == API_PATCH_APPLY)
    node = api_apply_merge (w->server->openapi, w->type, old_node, json_node_get_object (w->patch),
                            w->manager, &error);
  else
    node = api_patch_apply (w->patch_type, old_node, w->patch, &error);
  if (node == NULL) {
    api_reply_status (msg, api_patch_error_status (error));
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    /* A JSON patch that replaced the whole object with something else. */
    g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "patch", NULL,
                            "the patched object is not a JSON object");
    api_reply_status (msg, timon_status_new_invalid (timon_resource_type_get_group (w->type),
                                                     timon_resource_type_get_kind (w->type),
                                                     w->name, errors));
    return NULL;
  }
  /* Kubernetes decodes the patched object: what it cannot decode is a
   * 422 on "patch" (patch.go), not a 400 as for a body. */
  JsonObject *metadata = api_object_child (json_node_get_object (node), "metadata");
  if (metadata != NULL && !api_check_object_meta (metadata, &error)) {
    g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "patch", NULL, "%s", error->message);
    api_reply_status (msg, timon_status_new_invalid (timon_resource_type_get_group (w->type),
                                                     timon_resource_type_get_kind (w->type),
                                                     w->name, errors));
    return NULL;
  }
  ApiTarget target = { w->type, w->namespace, w->name, w->subresource };
  if (!check_object (msg, &target, json_node_get_object (node)))
    return NULL;
  return g_steal_pointer (&node);
}

static void
update_run (Write *w)
{
  g_autoptr (Write) owned = w;
  ApiMessage *msg = w->pending.msg;
  TimonApiServer *self = w->server;
  TimonResourceType *type = w->type;

  w->attempts++;
  g_autofree char *key = api_store_key (type, w->namespace, w->name);
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) current = timon_store_get (self->store, key, &error);
  if (current == NULL) {
    write_reply_error (w, error);
    return;
  }
  gint64 current_revision = timon_store_item_get_mod_revision (current);
  g_autoptr (JsonNode) old_node = api_item_to_node (current, NULL, 0, &error);
  if (old_node == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  g_autoptr (JsonNode) node = update_new_object (w, old_node);
  if (node == NULL)
    return;
  JsonObject *object = json_node_get_object (node);
  JsonObject *metadata = api_object_child (object, "metadata");

  /* A body without a name names no object: Kubernetes' checkName(). */
  const char *name = api_object_string (metadata, "name");
  if (g_strcmp0 (name ? name : "", w->name) != 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the name of the object (%s) does not match the name on the URL (%s)",
                       name ? name : "", w->name);
    return;
  }
  if (!check_fields (self, msg, type, object, w->fields, w->attempts == 1))
    return;

  /* Optimistic concurrency: a resourceVersion given must be the
   * object's; without one, the update applies to the object read. */
  const char *rv = api_object_string (metadata, "resourceVersion");
  guint64 expected = 0;
  if (rv != NULL && rv[0] != '\0' &&
      !g_ascii_string_to_unsigned (rv, 10, 1, G_MAXINT64, &expected, NULL)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "invalid resource version \"%s\"", rv);
    return;
  }
  if (expected != 0 && (gint64) expected != current_revision) {
    g_autoptr (GError) conflict =
      g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT, "");
    write_reply_error (w, conflict);
    return;
  }
  JsonObject *old = json_node_get_object (old_node);
  JsonObject *old_metadata = api_object_child (old, "metadata");

  g_autoptr (JsonNode) status_node = NULL;
  if (w->subresource != NULL) {
    /* A status update changes the status and nothing else: it writes a
     * fresh copy of the stored object with the new status. */
    status_node = api_json_deep_copy (old_node);
    JsonObject *updated = json_node_get_object (status_node);
    JsonNode *new_status = json_object_get_member (object, "status");
    if (new_status != NULL)
      json_object_set_member (updated, "status", json_node_copy (new_status));
    else
      json_object_remove_member (updated, "status");
    object = updated;
    metadata = api_object_child (updated, "metadata");
  } else if (timon_resource_type_has_subresource (type, "status")) {
    copy_member (object, old, "status");
  }
  /* What the server owns stays as it was. */
  if (old_metadata != NULL && metadata != old_metadata) {
    copy_member (metadata, old_metadata, "uid");
    copy_member (metadata, old_metadata, "creationTimestamp");
    copy_member (metadata, old_metadata, "generation");
    /* Only a DELETE sets them, and nothing takes them back (Kubernetes'
     * BeforeUpdate keeps them the same way). */
    copy_member (metadata, old_metadata, "deletionTimestamp");
    copy_member (metadata, old_metadata, "deletionGracePeriodSeconds");
    /* As Kubernetes: an update that sends no managedFields keeps them. */
    if (!json_object_has_member (metadata, "managedFields"))
      copy_member (metadata, old_metadata, "managedFields");
  }
  json_object_remove_member (metadata, "resourceVersion");

  if (!default_and_validate (msg, type, object, old))
    return;
  metadata = api_object_child (object, "metadata");
  if (w->subresource == NULL && spec_changed (object, old)) {
    gint64 generation = json_object_get_int_member_with_default (metadata, "generation", 1);
    json_object_set_int_member (metadata, "generation", generation + 1);
  }

  if (w->dry_run) {
    /* What the write would store, at the revision it would replace. */
    g_autoptr (JsonNode) would = json_node_init_object (json_node_alloc (), object);
    g_autofree char *at = g_strdup_printf ("%" G_GINT64_FORMAT, current_revision);
    json_object_set_string_member (metadata, "resourceVersion", at);
    api_reply_json (msg, 200, would);
    return;
  }
  g_autoptr (GBytes) bytes = api_serialize (object);
  /* The last finalizer of an object that terminates is gone: the update
   * completes the deletion instead of writing it, as in Kubernetes (the
   * answer and the DELETED event show the object as it was stored);
   * unless a grace period runs, which only a DELETE ends
   * (shouldDeleteDuringUpdate). */
  if (api_object_is_terminating (object) && !api_object_is_held (self, type, object) &&
      !api_object_in_grace_period (old)) {
    w->old_value = g_steal_pointer (&bytes);
    timon_store_delete_async (self->store, key, current_revision, NULL, on_deleted,
                              g_steal_pointer (&owned));
    return;
  }
  /* Nothing changes: nothing is written, and the object keeps its
   * resourceVersion, as Kubernetes' GuaranteedUpdate does. */
  g_autofree char *old_rv = g_strdup (api_object_string (old_metadata, "resourceVersion"));
  json_object_remove_member (old_metadata, "resourceVersion");
  g_autoptr (JsonNode) compared = json_node_init_object (json_node_alloc (), object);
  gboolean unchanged = api_json_equal (compared, old_node);
  if (old_rv != NULL)
    json_object_set_string_member (old_metadata, "resourceVersion", old_rv);
  if (unchanged) {
    api_reply_json (msg, 200, old_node);
    return;
  }
  write_hint (w, bytes, object);
  timon_store_update_async (self->store, key, bytes, current_revision, NULL, on_updated,
                            g_steal_pointer (&owned));
}

/* PUT: the object sent replaces the stored one. */
static void
handle_update (TimonApiServer *self, ApiMessage *msg, ApiTarget *target, GHashTable *query)
{
  gboolean dry_run = FALSE;
  FieldValidation fields;
  if (!read_dry_run (msg, query, "UpdateOptions", &dry_run) ||
      !read_field_validation (msg, query, "UpdateOptions", &fields))
    return;
  g_autoptr (JsonNode) node = read_body (msg, target);
  if (node == NULL)
    return;
  Write *w = write_new (self, msg, target);
  w->body = g_steal_pointer (&node);
  w->dry_run = dry_run;
  w->fields = fields;
  update_run (w);
}

/* A server-side apply (timon-api-apply.c): a create when the object
 * is not there (201), else a merge into it (200). */
static void
handle_apply (TimonApiServer *self,
              ApiMessage *msg,
              ApiTarget *target,
              GHashTable *query,
              gboolean dry_run,
              FieldValidation fields)
{
  const char *manager = g_hash_table_lookup (query, "fieldManager");
  g_autoptr (GError) error = NULL;

  if (target->subresource != NULL) {
    api_reply_message (msg, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                       "server-side apply of the %s subresource is not supported",
                       target->subresource);
    return;
  }
  if (manager == NULL || manager[0] == '\0') {
    g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "fieldManager", NULL,
                            "is required for apply patch");
    api_reply_status (msg, timon_status_new_invalid ("meta.k8s.io", "PatchOptions", "", errors));
    return;
  }
  /* YAML, or JSON, which is YAML too. */
  g_autoptr (JsonNode) applied = read_yaml (msg);
  if (applied == NULL)
    return;
  if (!JSON_NODE_HOLDS_OBJECT (applied)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the body of the request is not a JSON object");
    return;
  }
  JsonObject *object = json_node_get_object (applied);
  if (!api_apply_check (object, &error)) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  JsonObject *metadata = api_object_child (object, "metadata");
  if (metadata != NULL && !api_check_object_meta (metadata, &error)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "%s", error->message);
    return;
  }
  if (!check_object (msg, target, object))
    return;
  metadata = api_object_child (object, "metadata");
  const char *name = api_object_string (metadata, "name");
  if (name == NULL || name[0] == '\0') {
    json_object_set_string_member (metadata, "name", target->name);
  } else if (strcmp (name, target->name) != 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the name of the object (%s) does not match the name on the URL (%s)", name,
                       target->name);
    return;
  }

  g_autofree char *key = api_store_key (target->type, target->namespace, target->name);
  g_autoptr (TimonStoreItem) current = timon_store_get (self->store, key, &error);
  if (current == NULL && !g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND)) {
    g_autoptr (GError) api_error = api_store_error (error, target->type, target->name);
    api_reply_error (msg, api_error, target->type, target->name);
    return;
  }
  if (current == NULL) {
    g_autoptr (JsonNode) created = api_apply_new (self->openapi, target->type, object, manager);
    create_object (self, msg, target, created, fields, dry_run);
    return;
  }
  Write *w = write_new (self, msg, target);
  w->patch = g_steal_pointer (&applied);
  w->patch_type = API_PATCH_APPLY;
  w->manager = g_strdup (manager);
  w->dry_run = dry_run;
  w->fields = fields;
  update_run (w);
}

/* PATCH: a JSON merge patch or a JSON patch of the stored object
 * (timon-api-patch.c), then the update a PUT of the result would be. */
static void
handle_patch (TimonApiServer *self, ApiMessage *msg, ApiTarget *target, GHashTable *query)
{
  g_autoptr (GError) error = NULL;
  ApiPatchType patch_type = API_PATCH_MERGE;
  gboolean dry_run = FALSE;

  /* The media type first, as Kubernetes: it names what the body is. */
  if (!api_patch_type_from_content_type (api_message_get_content_type (msg), &patch_type, &error)) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  FieldValidation fields;
  if (!read_dry_run (msg, query, "PatchOptions", &dry_run) ||
      !read_field_validation (msg, query, "PatchOptions", &fields))
    return;
  /* As Kubernetes for custom resources: without a schema, no strategy. */
  if (patch_type == API_PATCH_STRATEGIC &&
      timon_resource_type_get_schema (target->type, NULL) == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                       "the body of the request was in an unknown format - accepted media types "
                       "include: application/json-patch+json, application/merge-patch+json (%s "
                       "describes no schema, so it has no strategic merge patch)",
                       timon_resource_type_get_kind (target->type));
    return;
  }
  if (patch_type == API_PATCH_APPLY) {
    handle_apply (self, msg, target, query, dry_run, fields);
    return;
  }
  g_autoptr (JsonNode) patch = api_read_json (msg);
  if (patch == NULL)
    return;
  Write *w = write_new (self, msg, target);
  w->patch = g_steal_pointer (&patch);
  w->patch_type = patch_type;
  w->dry_run = dry_run;
  w->fields = fields;
  update_run (w);
}

/* ---- dispatch ----------------------------------------------------------- */

void
api_handle_object (TimonApiServer *self, ApiMessage *msg, ApiTarget *target, GHashTable *query)
{
  const char *method = api_message_get_method (msg);
  gboolean is_get = strcmp (method, "GET") == 0;
  gboolean namespaced = timon_resource_type_get_scope (target->type) == TIMON_RESOURCE_NAMESPACED;

  if (strcmp (method, "PATCH") == 0 && target->name != NULL) {
    handle_patch (self, msg, target, query);
    return;
  }

  /* What kubectl get asks for: a Table of the objects. */
  g_autoptr (ApiTable) table = NULL;
  if (is_get) {
    g_autoptr (GError) error = NULL;
    table = api_table_new (msg, target->type, query, &error);
    if (error != NULL) {
      api_reply_error (msg, error, NULL, NULL);
      return;
    }
  }

  if (target->name == NULL) {
    if (is_get && api_query_bool (query, "watch")) {
      api_handle_watch (self, msg, target, query, g_steal_pointer (&table));
    } else if (is_get) {
      handle_list (self, msg, target, query, table);
    } else if (strcmp (method, "POST") == 0 && (!namespaced || target->namespace != NULL)) {
      handle_create (self, msg, target);
    } else if (strcmp (method, "DELETE") == 0 && (!namespaced || target->namespace != NULL)) {
      /* deletecollection: no collection across namespaces, as in
       * Kubernetes. */
      api_handle_delete (self, msg, target, query);
    } else {
      api_reply_method_not_allowed (msg);
    }
    return;
  }

  if (is_get)
    handle_get (self, msg, target, query, table);
  else if (strcmp (method, "PUT") == 0)
    handle_update (self, msg, target, query);
  else if (strcmp (method, "DELETE") == 0 && target->subresource == NULL)
    api_handle_delete (self, msg, target, query);
  else
    api_reply_method_not_allowed (msg);
}

/**
 * timon_api_server_ensure_namespaces:
 * @server: a server
 * @names: (array zero-terminated=1): namespaces that must exist
 * @error: return location for an error
 *
 * Creates those of @names that do not exist yet, when a namespaces.v1
 * type is registered (else does nothing). Blocks until they are written:
 * timond calls it before it listens.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
timon_api_server_ensure_namespaces (TimonApiServer *server,
                                    const char *const *names,
                                    GError **error)
{
  g_return_val_if_fail (TIMON_IS_API_SERVER (server), FALSE);

  TimonResourceType *type = server->namespace_type;
  if (type == NULL)
    return TRUE;
  gpointer hook_data = NULL;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &hook_data);

  for (const char *const *n = names; *n != NULL; n++) {
    g_autofree char *key = api_store_key (type, NULL, *n);
    g_autoptr (GError) local = NULL;
    g_autoptr (TimonStoreItem) item = timon_store_get (server->store, key, &local);
    if (item != NULL)
      continue;
    if (!g_error_matches (local, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND)) {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
    g_clear_error (&local);
    g_autoptr (JsonObject) object = json_object_new ();
    JsonObject *metadata = json_object_new ();
    json_object_set_string_member (object, "apiVersion", "v1");
    json_object_set_string_member (object, "kind", timon_resource_type_get_kind (type));
    json_object_set_string_member (metadata, "name", *n);
    json_object_set_object_member (object, "metadata", metadata);
    if (hooks != NULL && hooks->default_object != NULL)
      hooks->default_object (object, hook_data);
    metadata = api_object_child (object, "metadata");
    prepare_new (metadata);
    g_autoptr (GBytes) value = api_serialize (object);
    g_autoptr (TimonStoreItem) created = timon_store_create (server->store, key, value, &local);
    if (created == NULL && !g_error_matches (local, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS)) {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  }
  return TRUE;
}
