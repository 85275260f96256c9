/* timon-api-objects.c: create, get, list and update of the objects of a
 * resource type, and the layout of their store keys. DELETE, and the
 * deletion an update completes, follow timon-api-delete.c's rules.
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

/* Parses a stored value (@value, or @item's) and sets its resourceVersion
 * to @revision (or @item's mod revision when @revision is 0). */
JsonNode *
api_item_to_node (TimonStoreItem *item, GBytes *value, gint64 revision, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (value == NULL)
    value = timon_store_item_get_value (item);
  gsize size = 0;
  const char *data = value ? g_bytes_get_data (value, &size) : NULL;

  if (data == NULL || !json_parser_load_from_data (parser, data, (gssize) size, error))
    goto corrupt;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto corrupt;
  g_autoptr (JsonNode) node = json_node_ref (root);
  set_resource_version (json_node_get_object (node),
                        revision > 0 ? revision : timon_store_item_get_mod_revision (item));
  return g_steal_pointer (&node);

corrupt:
  g_clear_error (error);
  g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_INTERNAL,
               "the stored object %s is not a JSON object", timon_store_item_get_key (item));
  return NULL;
}

static void
reply_item (SoupServerMessage *msg, guint status, TimonStoreItem *item, GBytes *value, gint64 rev)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = api_item_to_node (item, value, rev, &error);
  if (node == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  api_reply_json (msg, status, node);
}

static void reply_api_error (SoupServerMessage *msg,
                             TimonResourceType *type,
                             const char *name,
                             TimonApiError code,
                             const char *format,
                             ...) G_GNUC_PRINTF (5, 6);

static void
reply_api_error (SoupServerMessage *msg,
                 TimonResourceType *type,
                 const char *name,
                 TimonApiError code,
                 const char *format,
                 ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_autoptr (GError) error = g_error_new_literal (TIMON_API_ERROR, code, message);
  api_reply_error (msg, error, type, name);
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

/* Shared by every route that takes a body (objects, DeleteOptions, scale,
 * binding), so that all refuse a body with the same status and words. */
JsonNode *
api_read_json_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (api_body_too_large (msg) || (gsize) body->length > TIMON_API_MAX_BODY_SIZE) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE,
                     "the request body is larger than the limit of 3 MiB");
    return NULL;
  }

  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  if (size == 0 || !json_parser_load_from_data (parser, data, (gssize) size, &error)) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
                     "the body of the request is not valid JSON: %s",
                     error ? error->message : "it is empty");
    return NULL;
  }
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
                     "the body of the request is not a JSON object");
    return NULL;
  }
  /* Outlives the parser, which drops its own reference. */
  return json_node_ref (root);
}

/* Reads and checks a write's body: JSON of the type of the URL, in its
 * namespace. Replies and returns NULL when it is not. */
static JsonNode *
read_body (SoupServerMessage *msg, ApiTarget *target)
{
  TimonResourceType *type = target->type;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                     "the body of the request was in an unknown format - accepted media types "
                     "include: application/json");
    return NULL;
  }
  g_autoptr (JsonNode) node = api_read_json_body (msg);
  if (node == NULL)
    return NULL;
  JsonObject *object = json_node_get_object (node);

  /* kind and apiVersion may be left out; given, they name the URL's type. */
  g_autofree char *api_version = api_api_version (type);
  const char *kind = timon_resource_type_get_kind (type);
  JsonNode *member = json_object_get_member (object, "apiVersion");
  if (member != NULL && g_strcmp0 (api_object_string (object, "apiVersion"), api_version) != 0) {
    reply_api_error (
      msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
      "the API version in the data (%s) does not match the expected API version (%s)",
      api_object_string (object, "apiVersion") ?: "?", api_version);
    return NULL;
  }
  member = json_object_get_member (object, "kind");
  if (member != NULL && g_strcmp0 (api_object_string (object, "kind"), kind) != 0) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
                     "the kind in the data (%s) does not match the expected kind (%s)",
                     api_object_string (object, "kind") ?: "?", kind);
    return NULL;
  }
  json_object_set_string_member (object, "apiVersion", api_version);
  json_object_set_string_member (object, "kind", kind);

  member = json_object_get_member (object, "metadata");
  if (member == NULL || JSON_NODE_HOLDS_NULL (member)) {
    json_object_set_object_member (object, "metadata", json_object_new ());
  } else if (!JSON_NODE_HOLDS_OBJECT (member)) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
                     "metadata must be a JSON object");
    return NULL;
  }
  JsonObject *metadata = api_object_child (object, "metadata");

  if (timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED) {
    const char *ns = api_object_string (metadata, "namespace");
    if (ns != NULL && ns[0] != '\0' && strcmp (ns, target->namespace) != 0) {
      reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
                       "the namespace of the provided object does not match the namespace sent "
                       "on the request");
      return NULL;
    }
    json_object_set_string_member (metadata, "namespace", target->namespace);
  } else if (json_object_has_member (metadata, "namespace")) {
    /* As Kubernetes: a cluster-scoped object's namespace is cleared. */
    json_object_remove_member (metadata, "namespace");
  }
  return g_steal_pointer (&node);
}

/* Runs the type's defaults, then the checks of metadata and the type's
 * own; replies 422 and returns FALSE if something is wrong. */
static gboolean
default_and_validate (SoupServerMessage *msg,
                      TimonResourceType *type,
                      JsonObject *object,
                      JsonObject *old)
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
on_pending_finished (SoupServerMessage *msg, gpointer user_data)
{
  ((ApiPending *) user_data)->finished = TRUE;
}

/* Shared by the writes of objects, subresources and deletions: each
 * answers after the store does, and must neither unpause nor answer a
 * message whose client is gone. */
void
api_pending_init (ApiPending *pending, SoupServerMessage *msg)
{
  pending->msg = g_object_ref (msg);
  pending->finished = FALSE;
  pending->finished_id =
    g_signal_connect (msg, "finished", G_CALLBACK (on_pending_finished), pending);
  soup_server_message_pause (msg);
}

void
api_pending_clear (ApiPending *pending)
{
  g_signal_handler_disconnect (pending->msg, pending->finished_id);
  if (!pending->finished)
    soup_server_message_unpause (pending->msg);
  g_clear_object (&pending->msg);
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
} Write;

static Write *
write_new (TimonApiServer *server, SoupServerMessage *msg, ApiTarget *target)
{
  Write *w = g_new0 (Write, 1);
  w->server = g_object_ref (server);
  api_pending_init (&w->pending, msg);
  w->type = timon_resource_type_ref (target->type);
  w->namespace = g_strdup (target->namespace);
  w->name = g_strdup (target->name);
  return w;
}

/* Ends a write: the reply, if any, is set on the message already. */
static void
write_free (Write *w)
{
  api_pending_clear (&w->pending);
  g_object_unref (w->server);
  timon_resource_type_unref (w->type);
  g_free (w->namespace);
  g_free (w->name);
  g_free (w->generate_name);
  g_clear_pointer (&w->object, json_object_unref);
  g_clear_pointer (&w->old_value, g_bytes_unref);
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
  reply_item (w->pending.msg, SOUP_STATUS_CREATED, item, NULL, 0);
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
  g_autoptr (GBytes) value = api_serialize (w->object);
  timon_store_create_async (w->server->store, key, value, NULL, on_created, w);
}

/* Kubernetes' NamespaceLifecycle admission: no new objects in a
 * namespace that terminates, else it could never be emptied. */
static void
reply_namespace_terminating (SoupServerMessage *msg,
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
                   SoupServerMessage *msg,
                   TimonResourceType *type,
                   const char *name,
                   const char *namespace)
{
  if (self->namespace_type == NULL || namespace == NULL)
    return TRUE;
  g_autofree char *key = api_store_key (self->namespace_type, NULL, namespace);
  g_autoptr (GError) error = NULL;
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

static void
handle_create (TimonApiServer *self, SoupServerMessage *msg, ApiTarget *target)
{
  g_autoptr (JsonNode) node = read_body (msg, target);
  if (node == NULL)
    return;
  JsonObject *object = json_node_get_object (node);
  JsonObject *metadata = api_object_child (object, "metadata");

  if (!default_and_validate (msg, target->type, object, NULL))
    return;
  metadata = api_object_child (object, "metadata");
  const char *name = api_object_string (metadata, "name");
  if (!namespace_accepts (self, msg, target->type, name ? name : "", target->namespace))
    return;
  prepare_new (metadata);

  Write *w = write_new (self, msg, target);
  w->object = json_object_ref (object);
  if (name == NULL || name[0] == '\0')
    w->generate_name = g_strdup (api_object_string (metadata, "generateName"));
  else
    w->name = g_strdup (name);
  create_next (w);
}

/* ---- get and list ----------------------------------------------------- */

/* Replies with @objects as one Table, with its column definitions. */
static void
reply_objects (SoupServerMessage *msg,
               ApiTable *table,
               JsonNode *const *objects,
               guint n_objects,
               const char *resource_version,
               const char *continue_token)
{
  g_autoptr (JsonNode) node =
    api_table_build (table, objects, n_objects, resource_version, continue_token, TRUE);
  api_reply_json_as (msg, SOUP_STATUS_OK, node, api_table_get_content_type (table));
}

static void
handle_get (TimonApiServer *self, SoupServerMessage *msg, ApiTarget *target, ApiTable *table)
{
  g_autofree char *key = api_store_key (target->type, target->namespace, target->name);
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = timon_store_get (self->store, key, &error);

  if (item == NULL) {
    g_autoptr (GError) api_error = api_store_error (error, target->type, target->name);
    api_reply_error (msg, api_error, target->type, target->name);
    return;
  }
  if (table == NULL) {
    reply_item (msg, SOUP_STATUS_OK, item, NULL, 0);
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

/* ?resourceVersion= of a list or watch: %TRUE with 0 when absent or "0",
 * %FALSE with @error when it is no revision. */
gboolean
api_parse_revision (GHashTable *query, gint64 *out_revision, GError **error)
{
  const char *text = query ? g_hash_table_lookup (query, "resourceVersion") : NULL;
  guint64 value = 0;

  *out_revision = 0;
  if (text == NULL || text[0] == '\0')
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL)) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                 "invalid resource version \"%s\"", text);
    return FALSE;
  }
  *out_revision = (gint64) value;
  return TRUE;
}

static void
handle_list (TimonApiServer *self,
             SoupServerMessage *msg,
             ApiTarget *target,
             GHashTable *query,
             ApiTable *table)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ApiFilter) filter = api_filter_new (target->type, query, &error);
  gint64 revision = 0;
  guint64 limit = 0;
  const char *limit_text = query ? g_hash_table_lookup (query, "limit") : NULL;
  const char *continue_token = query ? g_hash_table_lookup (query, "continue") : NULL;

  if (filter == NULL || !api_parse_revision (query, &revision, &error)) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  if (limit_text != NULL && limit_text[0] != '\0' &&
      !g_ascii_string_to_unsigned (limit_text, 10, 0, G_MAXUINT, &limit, NULL)) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST, "invalid limit \"%s\"",
                     limit_text);
    return;
  }
  if (continue_token != NULL && continue_token[0] == '\0')
    continue_token = NULL;

  g_autofree char *prefix = api_store_prefix (target->type, target->namespace);
  g_autofree char *next = continue_token ? g_strdup (continue_token) : NULL;
  g_autoptr (GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gint64 read_revision = 0;
  /* A page of a selective list may hold fewer matches than asked for:
   * read on until it is full or the list ends, as Kubernetes does. */
  do {
    g_autofree char *token = g_steal_pointer (&next);
    guint want = limit > 0 ? (guint) (limit - objects->len) : 0;
    g_autoptr (GPtrArray) items =
      timon_store_list (self->store, prefix,
                        token != NULL || revision == 0 ? TIMON_STORE_REVISION_LATEST : revision,
                        want, token, &read_revision, &next, &error);
    if (items == NULL) {
      g_autoptr (GError) api_error = api_store_error (error, target->type, NULL);
      api_reply_error (msg, api_error, NULL, NULL);
      return;
    }
    for (guint i = 0; i < items->len; i++) {
      JsonNode *node = api_item_to_node (items->pdata[i], NULL, 0, &error);
      if (node == NULL) {
        api_reply_error (msg, error, NULL, NULL);
        return;
      }
      if (api_filter_matches (filter, json_node_get_object (node)))
        g_ptr_array_add (objects, node);
      else
        json_node_unref (node);
    }
  } while (next != NULL && limit > 0 && objects->len < limit);

  g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, read_revision);
  if (table != NULL) {
    reply_objects (msg, table, (JsonNode *const *) objects->pdata, objects->len, rv, next);
    return;
  }
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *api_version = api_api_version (target->type);
  g_autofree char *kind = g_strconcat (timon_resource_type_get_kind (target->type), "List", NULL);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "apiVersion");
  json_builder_add_string_value (builder, api_version);
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "resourceVersion");
  json_builder_add_string_value (builder, rv);
  if (next != NULL) {
    json_builder_set_member_name (builder, "continue");
    json_builder_add_string_value (builder, next);
  }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < objects->len; i++)
    json_builder_add_value (builder, json_node_ref (objects->pdata[i]));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  api_reply_json (msg, SOUP_STATUS_OK, root);
}

/* ---- update ------------------------------------------------------------- */

/* An update that took the last finalizer of a terminating object away
 * deleted it instead. */
static void
on_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Write) w = user_data;
  g_autoptr (GError) error = NULL;
  gint64 revision = 0;
  g_autoptr (TimonStoreItem) item =
    timon_store_delete_finish (TIMON_STORE (source), result, &revision, &error);

  if (item == NULL) {
    write_reply_error (w, error);
    return;
  }
  /* The object as it was, at the revision of its deletion, as the
   * DELETED event of a watch shows it. */
  GBytes *value = timon_store_item_get_value (item);
  reply_item (w->pending.msg, SOUP_STATUS_OK, item, value != NULL ? value : w->old_value, revision);
}

static void
on_updated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Write) w = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item =
    timon_store_update_finish (TIMON_STORE (source), result, &error);

  if (item == NULL) {
    write_reply_error (w, error);
    return;
  }
  reply_item (w->pending.msg, SOUP_STATUS_OK, item, NULL, 0);
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

static void
handle_update (TimonApiServer *self, SoupServerMessage *msg, ApiTarget *target)
{
  g_autoptr (JsonNode) node = read_body (msg, target);
  if (node == NULL)
    return;
  JsonObject *object = json_node_get_object (node);
  JsonObject *metadata = api_object_child (object, "metadata");
  TimonResourceType *type = target->type;

  const char *name = api_object_string (metadata, "name");
  if (name != NULL && name[0] != '\0' && strcmp (name, target->name) != 0) {
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
                     "the name of the object (%s) does not match the name on the URL (%s)", name,
                     target->name);
    return;
  }
  json_object_set_string_member (metadata, "name", target->name);

  gint64 expected = 0;
  const char *rv = api_object_string (metadata, "resourceVersion");
  guint64 value = 0;
  if (rv != NULL && rv[0] != '\0') {
    if (!g_ascii_string_to_unsigned (rv, 10, 1, G_MAXINT64, &value, NULL)) {
      reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_BAD_REQUEST,
                       "invalid resource version \"%s\"", rv);
      return;
    }
    expected = (gint64) value;
  }

  g_autofree char *key = api_store_key (type, target->namespace, target->name);
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) current = timon_store_get (self->store, key, &error);
  if (current == NULL) {
    g_autoptr (GError) api_error = api_store_error (error, type, target->name);
    api_reply_error (msg, api_error, type, target->name);
    return;
  }
  gint64 current_revision = timon_store_item_get_mod_revision (current);
  if (expected != 0 && expected != current_revision) {
    g_autoptr (GError) conflict =
      g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT, "");
    g_autoptr (GError) api_error = api_store_error (conflict, type, target->name);
    api_reply_error (msg, api_error, type, target->name);
    return;
  }
  g_autoptr (JsonNode) old_node = api_item_to_node (current, NULL, 0, &error);
  if (old_node == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  JsonObject *old = json_node_get_object (old_node);
  JsonObject *old_metadata = api_object_child (old, "metadata");

  g_autoptr (JsonNode) status_node = NULL;
  if (target->subresource != NULL) {
    /* A status update changes the status and nothing else: it writes a
     * fresh copy of the stored object with the new status. */
    status_node = api_item_to_node (current, NULL, 0, &error);
    if (status_node == NULL) {
      api_reply_error (msg, error, NULL, NULL);
      return;
    }
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
  }
  json_object_remove_member (metadata, "resourceVersion");

  if (!default_and_validate (msg, type, object, old))
    return;
  metadata = api_object_child (object, "metadata");
  if (target->subresource == NULL && spec_changed (object, old)) {
    gint64 generation = json_object_get_int_member_with_default (metadata, "generation", 1);
    json_object_set_int_member (metadata, "generation", generation + 1);
  }

  Write *w = write_new (self, msg, target);
  g_autoptr (GBytes) bytes = api_serialize (object);
  /* The last finalizer of an object that terminates is gone: the update
   * completes the deletion instead of writing it, as in Kubernetes (the
   * answer and the DELETED event show the object as it was stored). */
  if (api_object_is_terminating (object) && !api_object_is_held (self, type, object)) {
    w->old_value = g_steal_pointer (&bytes);
    timon_store_delete_async (self->store, key, current_revision, NULL, on_deleted, w);
    return;
  }
  timon_store_update_async (self->store, key, bytes, current_revision, NULL, on_updated, w);
}

/* ---- dispatch ----------------------------------------------------------- */

static gboolean
query_is_true (GHashTable *query, const char *name)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;
  return value != NULL && (strcmp (value, "true") == 0 || strcmp (value, "1") == 0);
}

void
api_handle_object (TimonApiServer *self,
                   SoupServerMessage *msg,
                   ApiTarget *target,
                   GHashTable *query)
{
  const char *method = soup_server_message_get_method (msg);
  gboolean is_get = strcmp (method, SOUP_METHOD_GET) == 0;
  gboolean namespaced = timon_resource_type_get_scope (target->type) == TIMON_RESOURCE_NAMESPACED;

  if (strcmp (method, "PATCH") == 0 && target->name != NULL) {
    /* What Kubernetes answers a patch type it does not support; patches
     * come with the next slice. */
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                     "the body of the request was in an unknown format - accepted media types "
                     "include: application/json (patches are not supported yet)");
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
    if (is_get && query_is_true (query, "watch")) {
      api_handle_watch (self, msg, target, query, g_steal_pointer (&table));
    } else if (is_get) {
      handle_list (self, msg, target, query, table);
    } else if (strcmp (method, SOUP_METHOD_POST) == 0 &&
               (!namespaced || target->namespace != NULL)) {
      handle_create (self, msg, target);
    } else if (strcmp (method, SOUP_METHOD_DELETE) == 0 &&
               (!namespaced || target->namespace != NULL)) {
      /* deletecollection: no collection across namespaces, as in
       * Kubernetes. */
      api_handle_delete (self, msg, target, query);
    } else {
      reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_METHOD_NOT_ALLOWED,
                       "the server does not allow this method on the requested resource");
    }
    return;
  }

  if (is_get)
    handle_get (self, msg, target, table);
  else if (strcmp (method, SOUP_METHOD_PUT) == 0)
    handle_update (self, msg, target);
  else if (strcmp (method, SOUP_METHOD_DELETE) == 0 && target->subresource == NULL)
    api_handle_delete (self, msg, target, query);
  else
    reply_api_error (msg, NULL, NULL, TIMON_API_ERROR_METHOD_NOT_ALLOWED,
                     "the server does not allow this method on the requested resource");
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
