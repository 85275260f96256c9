/* timon-api-server.c: the HTTP side of the API: listening, routing a
 * request to discovery, health, version or a resource, the replies, and
 * choosing their form from the Accept header (plain JSON, a Table,
 * aggregated discovery).
 *
 * Every worker thread's connections (timon-api-worker.c,
 * timon-api-http.c) hand their requests to api_handle_request(). Reads
 * are synchronous (the watch cache or the store serves
 * them from memory or a local file); writes pause the message until the
 * store acknowledges them; watches stream.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

/* Past a few cores, one main loop's cache updates limit the workers. */
#define MAX_WORKERS 4

G_DEFINE_FINAL_TYPE (TimonApiServer, timon_api_server, G_TYPE_OBJECT)

void
api_target_clear (ApiTarget *target)
{
  g_clear_pointer (&target->namespace, g_free);
  g_clear_pointer (&target->name, g_free);
  g_clear_pointer (&target->subresource, g_free);
}

char *
api_node_to_string (JsonNode *node, gsize *out_length)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, out_length);
}

void
api_reply_json_as (ApiMessage *msg, guint status, JsonNode *node, const char *content_type)
{
  gsize length = 0;
  char *data = api_node_to_string (node, &length);

  api_message_take_response (msg, status, content_type, data, length);
}

void
api_reply_json (ApiMessage *msg, guint status, JsonNode *node)
{
  /* Plain application/json whatever the Accept header asks, unless a
   * conversion was negotiated: kubectl takes it (for protobuf too). */
  api_reply_json_as (msg, status, node, "application/json");
}

/* The value of parameter @name among @params ("v=v1"), unquoted, or NULL. */
static char *
media_param (char **params, const char *name)
{
  for (char **p = params; *p != NULL; p++) {
    const char *eq = strchr (*p, '=');
    if (eq == NULL)
      continue;
    g_autofree char *key = g_strstrip (g_strndup (*p, eq - *p));
    if (g_ascii_strcasecmp (key, name) != 0)
      continue;
    char *value = g_strstrip (g_strdup (eq + 1));
    size_t len = strlen (value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
      memmove (value, value + 1, len - 2);
      value[len - 2] = '\0';
    }
    return value;
  }
  return NULL;
}

/* One media range of an Accept header, against what the endpoint offers:
 * %TRUE with @out set when it is acceptable. @out_conversion says whether
 * the range asked for a conversion ("as=..."). */
static gboolean
match_media_range (const char *range, ApiMediaKind offered, ApiMedia *out, gboolean *out_conversion)
{
  g_auto (GStrv) parts = g_strsplit (range, ";", -1);
  g_autofree char *type = g_strstrip (g_strdup (parts[0] ? parts[0] : ""));
  char **params = parts[0] ? parts + 1 : parts;
  g_autofree char *q = media_param (params, "q");
  g_autofree char *as = media_param (params, "as");
  g_autofree char *group = media_param (params, "g");
  g_autofree char *version = media_param (params, "v");

  *out_conversion = as != NULL;
  /* q=0 is "not acceptable" (RFC 9110); other weights keep the order. */
  if (q != NULL && g_ascii_strtod (q, NULL) <= 0.0)
    return FALSE;
  if (g_ascii_strcasecmp (type, "*/*") == 0 || g_ascii_strcasecmp (type, "application/*") == 0) {
    *out = (ApiMedia){ API_MEDIA_JSON, NULL };
    return TRUE;
  }
  if (g_ascii_strcasecmp (type, "application/json") != 0)
    return FALSE;
  if (as == NULL) {
    *out = (ApiMedia){ API_MEDIA_JSON, NULL };
    return TRUE;
  }
  if (offered == API_MEDIA_TABLE && strcmp (as, "Table") == 0 &&
      g_strcmp0 (group, "meta.k8s.io") == 0) {
    if (g_strcmp0 (version, "v1") == 0)
      *out = (ApiMedia){ API_MEDIA_TABLE, "v1" };
    else if (g_strcmp0 (version, "v1beta1") == 0)
      *out = (ApiMedia){ API_MEDIA_TABLE, "v1beta1" };
    else
      return FALSE;
    return TRUE;
  }
  if (offered == API_MEDIA_DISCOVERY && strcmp (as, "APIGroupDiscoveryList") == 0 &&
      g_strcmp0 (group, "apidiscovery.k8s.io") == 0) {
    if (g_strcmp0 (version, "v2") == 0)
      *out = (ApiMedia){ API_MEDIA_DISCOVERY, "v2" };
    else if (g_strcmp0 (version, "v2beta1") == 0)
      *out = (ApiMedia){ API_MEDIA_DISCOVERY, "v2beta1" };
    else
      return FALSE;
    return TRUE;
  }
  return FALSE;
}

/* Picks the first media range of the Accept header that the endpoint
 * can serve: plain JSON always, @offered (API_MEDIA_TABLE or
 * API_MEDIA_DISCOVERY) besides. Ranges are taken in the order given, as
 * kubectl lists them by preference. When none fits, plain JSON, as timond
 * always answered (kubectl takes JSON when it asks for protobuf or YAML);
 * but a client that asked only for conversions timond does not make gets
 * API_MEDIA_NOT_ACCEPTABLE, for the 406 Kubernetes answers. */
ApiMedia
api_negotiate (ApiMessage *msg, ApiMediaKind offered)
{
  const char *accept = api_message_get_header (msg, "Accept");
  ApiMedia media = { API_MEDIA_JSON, NULL };
  gboolean only_conversions = TRUE;
  gboolean any = FALSE;

  if (accept == NULL)
    return media;
  g_auto (GStrv) ranges = g_strsplit (accept, ",", -1);
  for (char **r = ranges; *r != NULL; r++) {
    gboolean conversion = FALSE;
    if (g_strstrip (*r)[0] == '\0')
      continue;
    any = TRUE;
    if (match_media_range (*r, offered, &media, &conversion))
      return media;
    only_conversions = only_conversions && conversion;
  }
  if (any && only_conversions)
    media.kind = API_MEDIA_NOT_ACCEPTABLE;
  return media;
}

/* Replies with a Status (taken); its "code" is the HTTP status. */
void
api_reply_status (ApiMessage *msg, JsonNode *status)
{
  g_autoptr (JsonNode) owned = status;
  guint code =
    (guint) json_object_get_int_member_with_default (json_node_get_object (status), "code", 500);
  api_reply_json (msg, code, status);
}

void
api_reply_success (ApiMessage *msg, guint code)
{
  g_autoptr (JsonNode) status = timon_status_new_success ((int) code);
  api_reply_json (msg, code, status);
}

void
api_reply_error (ApiMessage *msg, const GError *error, TimonResourceType *type, const char *name)
{
  const char *group = type ? timon_resource_type_get_group (type) : NULL;
  const char *plural = type ? timon_resource_type_get_plural (type) : NULL;
  api_reply_status (msg, timon_status_new_from_error (error, group, plural, name));
}

void
api_reply_message (ApiMessage *msg, TimonApiError code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_autoptr (GError) error = g_error_new_literal (TIMON_API_ERROR, code, message);
  api_reply_error (msg, error, NULL, NULL);
}

void
api_reply_method_not_allowed (ApiMessage *msg)
{
  api_reply_message (msg, TIMON_API_ERROR_METHOD_NOT_ALLOWED,
                     "the server does not allow this method on the requested resource");
}

static gboolean
is_read (const char *method)
{
  return strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
}

static void
reply_text (ApiMessage *msg, const char *text)
{
  g_autoptr (GBytes) body = g_bytes_new (text, strlen (text));
  api_message_set_response (msg, 200, "text/plain; charset=utf-8", body);
}

static void
reply_version (ApiMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
#define ADD(key, value)                          \
  json_builder_set_member_name (builder, (key)); \
  json_builder_add_string_value (builder, (value))
  ADD ("major", "1");
  /* 32: the kubectl dispatcher on these machines then runs its built-in
   * v1.32, whose behaviour kubectl-compat.md documents. */
  ADD ("minor", "32");
  ADD ("gitVersion", "v1.32.0-timon." TIMON_VERSION);
  ADD ("gitCommit", "0000000000000000000000000000000000000000");
  ADD ("gitTreeState", "clean");
  ADD ("buildDate", "1970-01-01T00:00:00Z");
  ADD ("goVersion", "none");
  ADD ("compiler", "gcc");
  ADD ("platform", "linux/amd64");
#undef ADD
  json_builder_end_object (builder);
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  api_reply_json (msg, 200, root);
  /* Otherwise the dispatcher caches the answer and never asks again. */
  api_message_set_header (msg, "Cache-Control", "no-cache, private");
}

/* Splits @path into its percent-decoded segments; NULL when a segment
 * does not decode or holds a '/' (it would reach into other keys). */
static GStrv
split_path (const char *path)
{
  g_auto (GStrv) raw = g_strsplit (path, "/", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (char **p = raw; *p != NULL; p++) {
    if ((*p)[0] == '\0')
      continue;
    g_autofree char *segment = g_uri_unescape_string (*p, "/");
    if (segment == NULL)
      return NULL;
    g_strv_builder_add (builder, segment);
  }
  return g_strv_builder_end (builder);
}

static TimonResourceType *
lookup_type (TimonApiServer *self, const char *group, const char *version, const char *plural)
{
  g_autofree char *key = g_strdup_printf ("%s/%s/%s", group, version, plural);
  return g_hash_table_lookup (self->by_path, key);
}

/* Parses the part of a resource URL after the group-version:
 * [namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]]. */
static gboolean
parse_target (TimonApiServer *self,
              const char *group,
              const char *version,
              char **rest,
              ApiTarget *target)
{
  guint n = g_strv_length (rest);

  if (n >= 3 && strcmp (rest[0], "namespaces") == 0) {
    TimonResourceType *type = lookup_type (self, group, version, rest[2]);
    if (type != NULL && timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED) {
      if (n > 5)
        return FALSE;
      target->type = type;
      target->namespace = g_strdup (rest[1]);
      target->name = g_strdup (rest[3]);
      target->subresource = n == 5 ? g_strdup (rest[4]) : NULL;
      return TRUE;
    }
  }
  if (n == 0 || n > 3)
    return FALSE;
  target->type = lookup_type (self, group, version, rest[0]);
  if (target->type == NULL)
    return FALSE;
  /* A namespaced type without a namespace is only listed or watched
   * across all namespaces. */
  if (n > 1 && timon_resource_type_get_scope (target->type) == TIMON_RESOURCE_NAMESPACED)
    return FALSE;
  target->name = n > 1 ? g_strdup (rest[1]) : NULL;
  target->subresource = n > 2 ? g_strdup (rest[2]) : NULL;
  return TRUE;
}

/* Splits @path into group, version and the rest, for /api/V/... and
 * /apis/G/V/...; @rest is NULL for other paths. */
static void
split_group_version (char **segments, const char **group, const char **version, char ***rest)
{
  guint n = g_strv_length (segments);

  *group = NULL;
  *version = NULL;
  *rest = NULL;
  if (n >= 2 && strcmp (segments[0], "api") == 0) {
    *group = "";
    *version = segments[1];
    *rest = segments + 2;
  } else if (n >= 3 && strcmp (segments[0], "apis") == 0) {
    *group = segments[1];
    *version = segments[2];
    *rest = segments + 3;
  }
}

gboolean
api_parse_resource_path (TimonApiServer *self, const char *path, ApiTarget *target)
{
  g_auto (GStrv) segments = split_path (path);
  const char *group, *version;
  char **rest;

  if (segments == NULL)
    return FALSE;
  split_group_version (segments, &group, &version, &rest);
  if (rest == NULL || rest[0] == NULL || !parse_target (self, group, version, rest, target)) {
    api_target_clear (target);
    target->type = NULL;
    return FALSE;
  }
  return TRUE;
}

void
api_handle_request (TimonApiServer *self, ApiMessage *msg)
{
  const char *method = api_message_get_method (msg);
  const char *path = api_message_get_path (msg);
  GHashTable *query = api_message_get_query (msg);

  /* Kubernetes' health checks answer any method. */
  if (strcmp (path, "/healthz") == 0 || strcmp (path, "/livez") == 0 ||
      strcmp (path, "/readyz") == 0) {
    reply_text (msg, "ok");
    return;
  }
  if (api_handle_openapi (self->openapi, msg, path) || api_handle_review (self, msg, path))
    return;
  /* Its /version is a GET route (go-restful answers 405 to the others). */
  if (strcmp (path, "/version") == 0) {
    if (is_read (method))
      reply_version (msg);
    else
      api_reply_method_not_allowed (msg);
    return;
  }
  if (strcmp (path, "/metrics") == 0) {
    if (is_read (method))
      api_metrics_reply (self, msg);
    else
      api_reply_method_not_allowed (msg);
    return;
  }

  g_auto (GStrv) segments = split_path (path);
  if (segments == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_NOT_FOUND,
                       "the server could not find the requested resource");
    return;
  }
  const char *group, *version;
  char **rest;
  split_group_version (segments, &group, &version, &rest);

  if (rest == NULL || rest[0] == NULL) {
    if (!is_read (method)) {
      if (api_handle_discovery (self, NULL, path)) {
        api_reply_method_not_allowed (msg);
        return;
      }
    } else if (api_handle_discovery (self, msg, path)) {
      return;
    }
    api_reply_message (msg, TIMON_API_ERROR_NOT_FOUND,
                       "the server could not find the requested resource");
    return;
  }

  /* The subresources the core serves, for the types that declare them. */
  static const char *const served[] = { "status", "scale", "binding", "eviction", NULL };
  g_auto (ApiTarget) target = { 0 };
  if (!parse_target (self, group, version, rest, &target) ||
      (target.subresource != NULL &&
       !(g_strv_contains (served, target.subresource) &&
         timon_resource_type_has_subresource (target.type, target.subresource)))) {
    api_reply_message (msg, TIMON_API_ERROR_NOT_FOUND,
                       "the server could not find the requested resource");
    return;
  }
  if (g_strcmp0 (target.subresource, "scale") == 0)
    api_handle_scale (self, msg, &target);
  else if (g_strcmp0 (target.subresource, "binding") == 0)
    api_handle_binding (self, msg, &target);
  else if (g_strcmp0 (target.subresource, "eviction") == 0)
    api_handle_eviction (self, msg, &target, query);
  else
    api_handle_object (self, msg, &target, query);
}

void
api_reply_body_refused (ApiMessage *msg, guint code, const char *message)
{
  api_reply_message (msg,
                     code == 413 ? TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE
                                 : TIMON_API_ERROR_BAD_REQUEST,
                     "%s", message);
}

static void
timon_api_server_dispose (GObject *object)
{
  TimonApiServer *self = TIMON_API_SERVER (object);

  /* Workers first, with their watches: those hold messages, and the
   * caches' or the store's watches. */
  if (self->workers != NULL) {
    for (guint i = self->workers->len; i > 0; i--)
      api_worker_stop (self->workers->pdata[i - 1]);
  }
  api_caches_stop (self);
  g_clear_pointer (&self->workers, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (timon_api_server_parent_class)->dispose (object);
}

static void
timon_api_server_finalize (GObject *object)
{
  TimonApiServer *self = TIMON_API_SERVER (object);

  g_clear_pointer (&self->by_path, g_hash_table_unref);
  g_clear_pointer (&self->types, g_ptr_array_unref);
  g_free (self->address);
  g_clear_pointer (&self->metrics, api_metrics_free);
  g_clear_pointer (&self->openapi, api_openapi_free);
  g_rw_lock_clear (&self->cache_lock);

  G_OBJECT_CLASS (timon_api_server_parent_class)->finalize (object);
}

static void
timon_api_server_class_init (TimonApiServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = timon_api_server_dispose;
  object_class->finalize = timon_api_server_finalize;
}

static void
timon_api_server_init (TimonApiServer *self)
{
  self->types = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_resource_type_unref);
  self->by_path = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->metrics = api_metrics_new ();
  g_rw_lock_init (&self->cache_lock);
}

/**
 * timon_api_server_new:
 * @registry: the plugins, whose resource types the API serves
 * @store: where the objects are kept
 *
 * Returns: (transfer full): a server, not listening yet
 */
TimonApiServer *
timon_api_server_new (TimonRegistry *registry, TimonStore *store)
{
  g_return_val_if_fail (TIMON_IS_REGISTRY (registry), NULL);
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);

  TimonApiServer *self = g_object_new (TIMON_TYPE_API_SERVER, NULL);
  self->registry = g_object_ref (registry);
  self->store = g_object_ref (store);

  g_autoptr (GPtrArray) features =
    timon_registry_list_features (registry, TIMON_FEATURE_RESOURCE_TYPE);
  for (guint i = 0; i < features->len; i++) {
    TimonResourceType *type = timon_feature_get_resource_type (features->pdata[i]);
    if (type == NULL)
      continue;
    g_ptr_array_add (self->types, timon_resource_type_ref (type));
    g_hash_table_insert (self->by_path,
                         g_strdup_printf ("%s/%s/%s", timon_resource_type_get_group (type),
                                          timon_resource_type_get_version (type),
                                          timon_resource_type_get_plural (type)),
                         type);
  }
  self->namespace_type = lookup_type (self, "", "v1", "namespaces");
  self->openapi = api_openapi_new (self->types);

  /* A worker per core: the caches and the metrics are shared. */
  guint n_workers = CLAMP (g_get_num_processors (), 1, MAX_WORKERS);
  const char *forced = g_getenv ("TIMON_API_WORKERS");
  if (forced != NULL)
    n_workers = CLAMP ((guint) g_ascii_strtoull (forced, NULL, 10), 1, MAX_WORKERS);
  self->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) api_worker_free);
  for (guint i = 0; i < n_workers; i++)
    g_ptr_array_add (self->workers, api_worker_new (self, i));
  api_caches_start (self);
  return self;
}

/**
 * timon_api_server_listen:
 * @server: a server
 * @address: "HOST:PORT" ("127.0.0.1:6443", "[::1]:6443"); port 0 picks
 *   a free port, see timon_api_server_get_address()
 * @error: return location for an error
 *
 * Returns: %TRUE once listening, or %FALSE with @error set
 */
gboolean
timon_api_server_listen (TimonApiServer *server, const char *address, GError **error)
{
  g_return_val_if_fail (TIMON_IS_API_SERVER (server), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  const char *colon = strrchr (address, ':');
  guint64 port = 0;
  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "\"%s\" is not HOST:PORT (such as 127.0.0.1:6443)", address);
    return FALSE;
  }
  g_autofree char *host = g_strndup (address, colon - address);
  if (host[0] == '[' && host[strlen (host) - 1] == ']') {
    char *inner = g_strndup (host + 1, strlen (host) - 2);
    g_free (host);
    host = inner;
  }
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (host);
  if (inet == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "\"%s\" is not an IP address",
                 host);
    return FALSE;
  }
  g_autoptr (GSocketAddress) socket_address = g_inet_socket_address_new (inet, (guint16) port);
  g_autoptr (GSocket) listener = api_listener_new (G_INET_SOCKET_ADDRESS (socket_address), error);
  if (listener == NULL)
    return FALSE;
  for (guint i = 0; i < server->workers->len; i++)
    api_worker_listen (server->workers->pdata[i], listener);

  /* The port the kernel picked, when asked for 0. */
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (listener, NULL);
  guint16 actual =
    local ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : (guint16) port;
  g_free (server->address);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    server->address = g_strdup_printf ("[%s]:%u", host, actual);
  else
    server->address = g_strdup_printf ("%s:%u", host, actual);
  return TRUE;
}

/**
 * timon_api_server_get_address:
 * @server: a server
 *
 * Returns: (nullable): "HOST:PORT" the server listens on, with the real
 *   port, or %NULL before timon_api_server_listen()
 */
const char *
timon_api_server_get_address (TimonApiServer *server)
{
  g_return_val_if_fail (TIMON_IS_API_SERVER (server), NULL);
  return server->address;
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/**
 * timon_api_server_shutdown:
 * @server: a server
 * @timeout_ms: how long to wait for the requests in flight
 *
 * Stops @server gracefully, as timond does on SIGTERM: every watch
 * stream ends as it ends at its timeout (the client sees a complete
 * response and watches again elsewhere), the writes in flight are
 * answered once the store has them, then the server stops listening and
 * closes its connections. Runs the thread-default main context until
 * then, for @timeout_ms at most.
 */
void
timon_api_server_shutdown (TimonApiServer *server, guint timeout_ms)
{
  g_return_if_fail (TIMON_IS_API_SERVER (server));

  GMainContext *context = g_main_context_get_thread_default ();
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  /* Ending a watch does not free it: its message's "finished" does,
   * once the last chunk is out. A watch asked for from now on ends as
   * soon as it starts. */
  g_atomic_int_set (&server->stopping, 1);
  for (guint i = 0; i < server->workers->len; i++)
    api_worker_end_watches (server->workers->pdata[i]);

  while (
    (g_atomic_int_get (&server->n_watches) > 0 || api_metrics_get_inflight (server->metrics) > 0) &&
    g_get_monotonic_time () < deadline) {
    GSource *tick = g_timeout_source_new (10);
    g_source_set_callback (tick, wake_up, NULL, NULL);
    g_source_attach (tick, context);
    g_main_context_iteration (context, TRUE);
    g_source_destroy (tick);
    g_source_unref (tick);
  }
  for (guint i = server->workers->len; i > 0; i--)
    api_worker_stop (server->workers->pdata[i - 1]);
  api_caches_stop (server);
}
