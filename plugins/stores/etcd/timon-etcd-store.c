/* timon-etcd-store.c: a store kept in etcd v3, spoken to through its
 * JSON gateway (POST /v3/...), so that no gRPC stack is needed.
 *
 * "location" is etcd's client URL, http://127.0.0.1:2379 when unset.
 *
 * Revisions are etcd's own: header.revision, create_revision and
 * mod_revision pass through unchanged, so a Timon revision can be looked
 * up with etcdctl. One consequence: etcd starts at revision 1, not 0, so
 * an empty etcd reports revision 1 and its first write gets revision 2.
 *
 * Writes are single transactions that compare the key's create or mod
 * revision and, when the compare fails, read the key back in the failure
 * branch, so one round trip tells EXISTS, NOT_FOUND and CONFLICT apart.
 * They go out on an asynchronous session with up to 512 connections, so
 * that 256 writes in flight from one main loop reach etcd together: etcd
 * batches concurrent proposals itself (one raft entry, one fsync).
 *
 * Reads are synchronous and may come from any thread: each takes an idle
 * synchronous session from a small pool (or makes one) and gives it back,
 * so no session is ever used by two threads at once and each keeps its
 * keep-alive connection.
 *
 * Writes and watches run in the caller's thread-default main context,
 * from any thread: libsoup 3.2 lets any thread send on a session, its
 * I/O and callbacks then running in that thread's thread-default context,
 * which must therefore be one the thread iterates.
 *
 * get_revision() answers from memory: the highest header revision seen in
 * any answer (writes, reads, watch responses), at least the revision of
 * the last write this store acknowledged. Writes by other etcd clients
 * show up at this store's next request.
 *
 * get_compact_revision() is also from memory, since the gateway does not
 * tell it: it is found at start-up by a binary search over the revisions
 * readable with a range (a few requests, O(log revision)), then raised by
 * this store's compactions, by watches etcd cancels with a
 * compact_revision, and by searching again whenever a read or a watch
 * fails with "compacted". Compactions by other clients are only learnt
 * that way.
 *
 * etcd refuses requests larger than its --max-request-bytes (1.5 MiB by
 * default), and a value of TIMON_STORE_MAX_VALUE_SIZE plus its key is
 * larger than that: run etcd with --max-request-bytes of at least
 * 1,600,000 (the tests and the bench use 2 MiB) to store values of the
 * full size. Until then such writes fail with
 * TIMON_STORE_ERROR_VALUE_TOO_LARGE.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-etcd-store.h"

#include "timon-etcd-private.h"

#include <string.h>

#define DEFAULT_LOCATION "http://127.0.0.1:2379"

/* Enough connections for 256 writes in flight, with room to spare. */
#define WRITE_MAX_CONNS 512
/* Each watch holds one connection for as long as it runs. */
#define WATCH_MAX_CONNS 4096
/* Idle synchronous sessions kept for reads; more are made on demand when
 * more threads read at once, and dropped when given back. */
#define READ_POOL_MAX 16
/* A request etcd does not answer within this is failed. Not applied to
 * watches, which are quiet for as long as nothing changes. */
#define REQUEST_TIMEOUT_S 60

struct _TimonEtcdStore {
  GObject parent_instance;

  char *location;
  GUri *uri_range;
  GUri *uri_txn;
  GUri *uri_compaction;
  GUri *uri_watch;
  GUri *uri_status;

  SoupSession *write_session;
  SoupSession *watch_session;

  GMutex pool_lock;
  GPtrArray *read_pool; /* idle SoupSession, under pool_lock */

  EtcdShared *shared;
};

static void timon_etcd_store_iface_init (TimonStoreInterface *iface);
static void timon_etcd_store_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TimonEtcdStore,
                               timon_etcd_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TIMON_TYPE_STORE, timon_etcd_store_iface_init)
                                 G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                        timon_etcd_store_initable_init))

enum {
  PROP_0,
  PROP_LOCATION,
};

/* Loopback sessions: no proxy, so that a stray http_proxy never reroutes
 * 127.0.0.1. */
static SoupSession *
session_new (guint max_conns, guint timeout)
{
  return g_object_new (SOUP_TYPE_SESSION, "proxy-resolver", NULL, "max-conns", max_conns,
                       "max-conns-per-host", max_conns, "timeout", timeout, "user-agent",
                       "timon-etcd/0.1", NULL);
}

static SoupSession *
read_session_take (TimonEtcdStore *self)
{
  SoupSession *session = NULL;

  g_mutex_lock (&self->pool_lock);
  if (self->read_pool->len > 0)
    session = g_ptr_array_steal_index_fast (self->read_pool, self->read_pool->len - 1);
  g_mutex_unlock (&self->pool_lock);

  /* A session used by one thread at a time needs one connection, and a
   * second while libsoup retires a closed one. */
  return session ? session : session_new (2, REQUEST_TIMEOUT_S);
}

static void
read_session_give (TimonEtcdStore *self, SoupSession *session)
{
  g_mutex_lock (&self->pool_lock);
  if (self->read_pool->len < READ_POOL_MAX) {
    g_ptr_array_add (self->read_pool, session);
    session = NULL;
  }
  g_mutex_unlock (&self->pool_lock);
  g_clear_object (&session);
}

static SoupMessage *
message_new (GUri *uri, GBytes *body)
{
  SoupMessage *msg = soup_message_new_from_uri (SOUP_METHOD_POST, uri);

  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  /* libsoup opens a new connection for every request that is not
   * idempotent, and every gateway call is a POST. Marking them idempotent
   * lets them reuse keep-alive connections; it also lets libsoup resend a
   * request whose reused connection was closed before any answer, which
   * for a write that etcd had applied would come back as EXISTS, CONFLICT
   * or NOT_FOUND, never as a second write, since every write is a
   * compare-and-swap. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  return msg;
}

/* One gateway call, in the calling thread. @body is taken. */
static JsonNode *
call_sync (TimonEtcdStore *self, GUri *uri, GString *body, GError **error)
{
  g_autoptr (GBytes) bytes = g_string_free_to_bytes (body);
  g_autoptr (SoupMessage) msg = message_new (uri, bytes);
  g_autoptr (GError) local_error = NULL;

  SoupSession *session = read_session_take (self);
  g_autoptr (GBytes) answer = soup_session_send_and_read (session, msg, NULL, &local_error);
  read_session_give (self, session);

  if (answer == NULL) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED, "cannot reach etcd at %s: %s",
                 self->location, local_error->message);
    return NULL;
  }
  JsonNode *root = etcd_parse_answer (msg, answer, error);
  if (root != NULL)
    etcd_shared_note_revision (self->shared, etcd_header_revision (json_node_get_object (root)));
  return root;
}

static void
append_encoded (GString *string, const void *data, gsize len)
{
  g_autofree char *encoded = etcd_encode (data, len);
  g_string_append (string, encoded);
}

static void
append_key (GString *string, const char *member, const char *key)
{
  g_string_append_printf (string, "\"%s\":\"", member);
  append_encoded (string, key, strlen (key));
  g_string_append_c (string, '"');
}

/* A range request; @end NULL means no upper bound, which etcd spells
 * range_end "\0". */
static GString *
range_body (const char *start,
            const char *end,
            gboolean has_end,
            gint64 revision,
            gint64 limit,
            gboolean count_only)
{
  GString *body = g_string_new ("{\"key\":\"");
  g_autofree char *key = etcd_encode_start (start);

  g_string_append (body, key);
  g_string_append_c (body, '"');
  if (has_end) {
    g_string_append_c (body, ',');
    if (end != NULL)
      append_key (body, "range_end", end);
    else
      g_string_append (body, "\"range_end\":\"AA==\"");
  }
  if (revision > 0)
    g_string_append_printf (body, ",\"revision\":\"%" G_GINT64_FORMAT "\"", revision);
  if (limit > 0)
    g_string_append_printf (body, ",\"limit\":\"%" G_GINT64_FORMAT "\"", limit);
  if (count_only)
    g_string_append (body, ",\"count_only\":true");
  g_string_append_c (body, '}');
  return body;
}

/* Whether etcd still has @revision: a count-only range of one absent key,
 * which etcd checks against its compact and current revisions first.
 * Revision 0 reads the current revision. Sets the current revision. */
static gboolean
probe_revision (TimonEtcdStore *self, gint64 revision, gint64 *out_current, GError **error)
{
  g_autoptr (JsonNode) root =
    call_sync (self, self->uri_range, range_body ("\001", NULL, FALSE, revision, 0, TRUE), error);

  if (root == NULL)
    return FALSE;
  if (out_current != NULL)
    *out_current = etcd_header_revision (json_node_get_object (root));
  return TRUE;
}

/* Finds the oldest readable revision at or after @floor and records it as
 * the compact revision. Revisions before etcd's compact revision fail a
 * range, later ones do not, so a binary search finds it. Gives up quietly
 * on any other error: the compact revision is then a lower bound. */
static void
learn_compact_revision (TimonEtcdStore *self, gint64 floor)
{
  gint64 high = 0;

  /* The current revision is always readable. */
  if (!probe_revision (self, 0, &high, NULL))
    return;
  gint64 low = CLAMP (floor, 1, high);
  /* Most calls find @floor readable: one request. */
  gboolean probe_low = TRUE;
  while (low < high) {
    g_autoptr (GError) error = NULL;
    gint64 mid = probe_low ? low : low + (high - low) / 2;
    probe_low = FALSE;
    if (probe_revision (self, mid, NULL, &error))
      high = mid;
    else if (g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED))
      low = mid + 1;
    else
      return;
  }
  /* Revision 1 readable means never compacted, as far as anyone can tell. */
  if (low > 1)
    etcd_shared_note_compact_revision (self->shared, low);
}

static void
timon_etcd_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    g_value_set_string (value, self->location);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
timon_etcd_store_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    self->location = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
timon_etcd_store_dispose (GObject *object)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (object);
  g_autoptr (GError) error =
    g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_CLOSED, "the store was closed");
  g_autoptr (GPtrArray) streams = NULL;

  if (self->shared != NULL) {
    g_mutex_lock (&self->shared->lock);
    streams = g_steal_pointer (&self->shared->streams);
    self->shared->streams =
      g_ptr_array_new_with_free_func ((GDestroyNotify) etcd_watch_stream_unref);
    g_mutex_unlock (&self->shared->lock);

    for (guint i = 0; i < streams->len; i++)
      etcd_watch_stream_close (streams->pdata[i], error);
  }

  G_OBJECT_CLASS (timon_etcd_store_parent_class)->dispose (object);
}

static void
timon_etcd_store_finalize (GObject *object)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (object);

  g_clear_pointer (&self->read_pool, g_ptr_array_unref);
  g_mutex_clear (&self->pool_lock);
  g_clear_object (&self->write_session);
  g_clear_object (&self->watch_session);
  g_clear_pointer (&self->uri_range, g_uri_unref);
  g_clear_pointer (&self->uri_txn, g_uri_unref);
  g_clear_pointer (&self->uri_compaction, g_uri_unref);
  g_clear_pointer (&self->uri_watch, g_uri_unref);
  g_clear_pointer (&self->uri_status, g_uri_unref);
  g_clear_pointer (&self->shared, etcd_shared_unref);
  g_free (self->location);

  G_OBJECT_CLASS (timon_etcd_store_parent_class)->finalize (object);
}

static void
timon_etcd_store_class_init (TimonEtcdStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = timon_etcd_store_get_property;
  object_class->set_property = timon_etcd_store_set_property;
  object_class->dispose = timon_etcd_store_dispose;
  object_class->finalize = timon_etcd_store_finalize;

  g_object_class_override_property (object_class, PROP_LOCATION, "location");
}

static void
timon_etcd_store_init (TimonEtcdStore *self)
{
  g_mutex_init (&self->pool_lock);
  self->read_pool = g_ptr_array_new_with_free_func (g_object_unref);
  self->shared = etcd_shared_new ();
}

static GUri *
endpoint (const char *base, const char *path)
{
  g_autofree char *text = g_strconcat (base, path, NULL);
  return g_uri_parse (text, SOUP_HTTP_URI_FLAGS, NULL);
}

static gboolean
timon_etcd_store_initable_init_impl (GInitable *initable, GCancellable *cancellable, GError **error)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (initable);
  g_autoptr (GError) local_error = NULL;

  if (self->location == NULL || self->location[0] == '\0') {
    g_free (self->location);
    self->location = g_strdup (DEFAULT_LOCATION);
  }

  g_autoptr (GUri) uri = g_uri_parse (self->location, SOUP_HTTP_URI_FLAGS, &local_error);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "the etcd location \"%s\" is not an http:// or https:// URL%s%s", self->location,
                 local_error ? ": " : "", local_error ? local_error->message : "");
    return FALSE;
  }
  g_autofree char *base = g_strdup (self->location);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';

  self->uri_range = endpoint (base, "/v3/kv/range");
  self->uri_txn = endpoint (base, "/v3/kv/txn");
  self->uri_compaction = endpoint (base, "/v3/kv/compaction");
  self->uri_watch = endpoint (base, "/v3/watch");
  self->uri_status = endpoint (base, "/v3/maintenance/status");
  if (self->uri_range == NULL || self->uri_txn == NULL || self->uri_compaction == NULL ||
      self->uri_watch == NULL || self->uri_status == NULL) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "the etcd location \"%s\" is not a usable URL", self->location);
    return FALSE;
  }

  self->write_session = session_new (WRITE_MAX_CONNS, REQUEST_TIMEOUT_S);
  self->watch_session = session_new (WATCH_MAX_CONNS, 0);

  g_autoptr (JsonNode) status = call_sync (self, self->uri_status, g_string_new ("{}"), error);
  if (status == NULL) {
    g_prefix_error (error, "the etcd store is not usable: ");
    return FALSE;
  }
  learn_compact_revision (self, 1);
  return TRUE;
}

static void
timon_etcd_store_initable_init (GInitableIface *iface)
{
  iface->init = timon_etcd_store_initable_init_impl;
}

static gint64
etcd_get_revision (TimonStore *store)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (store);
  return atomic_load (&self->shared->revision);
}

static gint64
etcd_get_compact_revision (TimonStore *store)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (store);
  return atomic_load (&self->shared->compact_revision);
}

static TimonStoreItem *
etcd_get (TimonStore *store, const char *key, GError **error)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (store);
  g_autoptr (JsonNode) root =
    call_sync (self, self->uri_range, range_body (key, NULL, FALSE, 0, 0, FALSE), error);

  if (root == NULL)
    return NULL;
  JsonArray *kvs = etcd_json_array (json_node_get_object (root), "kvs");
  if (kvs == NULL || json_array_get_length (kvs) == 0) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found", key);
    return NULL;
  }
  return etcd_item_from_kv (json_array_get_object_element (kvs, 0), TRUE);
}

static GPtrArray *
etcd_range (TimonStore *store,
            const char *start,
            const char *end,
            gint64 revision,
            guint limit,
            gint64 *out_revision,
            gboolean *out_more,
            GError **error)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (store);
  g_autoptr (GError) local_error = NULL;
  /* etcd starts at revision 1 with no keys: what Timon calls revision 0,
   * the store before its first write. */
  if (revision == 0)
    revision = 1;
  g_autoptr (JsonNode) root =
    call_sync (self, self->uri_range, range_body (start, end, TRUE, revision, limit, FALSE),
               &local_error);

  if (root == NULL) {
    if (g_error_matches (local_error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED))
      learn_compact_revision (self, revision + 1);
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }

  JsonObject *answer = json_node_get_object (root);
  JsonArray *kvs = etcd_json_array (answer, "kvs");
  guint n = kvs ? json_array_get_length (kvs) : 0;
  GPtrArray *items = g_ptr_array_new_full (n, (GDestroyNotify) timon_store_item_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, etcd_item_from_kv (json_array_get_object_element (kvs, i), TRUE));

  *out_revision =
    revision != TIMON_STORE_REVISION_LATEST ? revision : etcd_header_revision (answer);
  *out_more = etcd_json_bool (answer, "more");
  return items;
}

typedef struct {
  TimonStoreWriteType type;
  char *key;
  GBytes *value;
  gint64 expected_revision;
  SoupMessage *msg;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_free (data->key);
  g_clear_pointer (&data->value, g_bytes_unref);
  g_clear_object (&data->msg);
  g_free (data);
}

typedef struct {
  TimonStoreItem *item;
  gint64 revision;
} WriteResult;

static void
write_result_free (WriteResult *result)
{
  g_clear_pointer (&result->item, timon_store_item_unref);
  g_free (result);
}

/* One transaction per write. The compare is the write's condition; the
 * failure branch reads the key (without its value) to tell why it
 * failed, and the success branch of an update reads it back after the
 * put for its create revision, which etcd's put answer does not carry. */
static GString *
write_body (TimonStoreWriteType type, const char *key, GBytes *value, gint64 expected_revision)
{
  GString *body = g_string_sized_new (value ? g_bytes_get_size (value) * 4 / 3 + 512 : 512);
  g_autofree char *k = etcd_encode (key, strlen (key));

  g_string_append_printf (body, "{\"compare\":[{\"key\":\"%s\",", k);
  if (type == TIMON_STORE_WRITE_CREATE)
    g_string_append (body, "\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"");
  else if (expected_revision == 0)
    g_string_append (body,
                     "\"target\":\"CREATE\",\"result\":\"GREATER\",\"create_revision\":\"0\"");
  else
    g_string_append_printf (
      body, "\"target\":\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\"%" G_GINT64_FORMAT "\"",
      expected_revision);
  g_string_append (body, "}],\"success\":[");
  if (type == TIMON_STORE_WRITE_DELETE) {
    g_string_append_printf (body, "{\"request_delete_range\":{\"key\":\"%s\",\"prev_kv\":true}}",
                            k);
  } else {
    gsize len = 0;
    const void *data = g_bytes_get_data (value, &len);
    g_string_append_printf (body, "{\"request_put\":{\"key\":\"%s\",\"value\":\"", k);
    append_encoded (body, data, len);
    g_string_append (body, "\"}}");
    /* A created key's revisions are both the transaction's. */
    if (type == TIMON_STORE_WRITE_UPDATE)
      g_string_append_printf (body, ",{\"request_range\":{\"key\":\"%s\",\"keys_only\":true}}", k);
  }
  g_string_append_printf (
    body, "],\"failure\":[{\"request_range\":{\"key\":\"%s\",\"keys_only\":true}}]}", k);
  return body;
}

static JsonObject *
response_member (JsonArray *responses, guint index, const char *member)
{
  if (responses == NULL || json_array_get_length (responses) <= index)
    return NULL;
  return etcd_json_object (json_array_get_object_element (responses, index), member);
}

static JsonObject *
first_kv (JsonObject *response, const char *member)
{
  JsonArray *kvs = etcd_json_array (response, member);
  return kvs && json_array_get_length (kvs) > 0 ? json_array_get_object_element (kvs, 0) : NULL;
}

static WriteResult *
write_result_from_answer (WriteData *data, JsonObject *answer, GError **error)
{
  JsonArray *responses = etcd_json_array (answer, "responses");
  gint64 revision = etcd_header_revision (answer);

  if (!etcd_json_bool (answer, "succeeded")) {
    JsonObject *current = first_kv (response_member (responses, 0, "response_range"), "kvs");
    if (data->type == TIMON_STORE_WRITE_CREATE)
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS, "%s already exists",
                   data->key);
    else if (current == NULL)
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found",
                   data->key);
    else
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT,
                   "%s was modified at revision %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT,
                   data->key, etcd_json_int64 (current, "mod_revision"), data->expected_revision);
    return NULL;
  }

  g_autoptr (TimonStoreItem) item = NULL;
  if (data->type == TIMON_STORE_WRITE_DELETE) {
    JsonObject *prev =
      first_kv (response_member (responses, 0, "response_delete_range"), "prev_kvs");
    if (prev != NULL)
      item = etcd_item_from_kv (prev, TRUE);
  } else if (data->type == TIMON_STORE_WRITE_CREATE) {
    item = timon_store_item_new (data->key, data->value, revision, revision);
  } else {
    JsonObject *kv = first_kv (response_member (responses, 1, "response_range"), "kvs");
    if (kv != NULL)
      item = timon_store_item_new (data->key, data->value, etcd_json_int64 (kv, "create_revision"),
                                   etcd_json_int64 (kv, "mod_revision"));
  }
  if (item == NULL || revision <= 0) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "etcd's answer to the write of %s lacks the item or its revision", data->key);
    return NULL;
  }

  WriteResult *result = g_new0 (WriteResult, 1);
  result->item = g_steal_pointer (&item);
  result->revision = revision;
  return result;
}

static void
write_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TimonEtcdStore *self = g_task_get_source_object (task);
  WriteData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) answer =
    soup_session_send_and_read_finish (SOUP_SESSION (source), res, &error);

  if (answer == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      g_task_return_error (task, g_steal_pointer (&error));
    else
      g_task_return_new_error (task, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                               "cannot reach etcd at %s: %s", self->location, error->message);
    return;
  }

  g_autoptr (JsonNode) root = etcd_parse_answer (data->msg, answer, &error);
  if (root == NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  JsonObject *object = json_node_get_object (root);
  etcd_shared_note_revision (self->shared, etcd_header_revision (object));

  WriteResult *result = write_result_from_answer (data, object, &error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) write_result_free);
}

static void
etcd_write_async (TimonStore *store,
                  TimonStoreWriteType type,
                  const char *key,
                  GBytes *value,
                  gint64 expected_revision,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (store);
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  WriteData *data = g_new0 (WriteData, 1);

  g_task_set_source_tag (task, etcd_write_async);
  data->type = type;
  data->key = g_strdup (key);
  data->value = value ? g_bytes_ref (value) : NULL;
  data->expected_revision = expected_revision;
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);

  g_autoptr (GBytes) body =
    g_string_free_to_bytes (write_body (type, key, value, expected_revision));
  data->msg = message_new (self->uri_txn, body);
  /* The answer comes back in the caller's thread-default main context. */
  soup_session_send_and_read_async (self->write_session, data->msg, G_PRIORITY_DEFAULT, cancellable,
                                    write_done, g_steal_pointer (&task));
}

static TimonStoreItem *
etcd_write_finish (TimonStore *store, GAsyncResult *result, gint64 *out_revision, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  WriteResult *write = g_task_propagate_pointer (G_TASK (result), error);
  if (write == NULL)
    return NULL;
  *out_revision = write->revision;
  TimonStoreItem *item = g_steal_pointer (&write->item);
  write_result_free (write);
  return item;
}

/* The revision check happens here, synchronously, so that a watch from a
 * compacted or future revision fails at once, as the interface asks: a
 * range at @since_revision fails exactly when the watch would. A
 * compaction between this check and etcd's start of the watch still
 * closes the watch with COMPACTED. A watch from the latest revision asks
 * etcd for it first, so that every write acknowledged before this returns
 * is before the watch and every later one in it. */
static TimonStoreWatch *
etcd_watch (TimonStore *store,
            const char *start,
            const char *end,
            gint64 since_revision,
            GError **error)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (store);
  g_autoptr (GError) local_error = NULL;
  gint64 current = 0;

  /* Revision 0 is etcd's revision 1 (see etcd_range); probing it fails
   * if etcd compacted past the start. */
  gint64 probe = since_revision == 0 ? 1 : since_revision;
  if (!probe_revision (self, probe, &current, &local_error)) {
    if (g_error_matches (local_error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED))
      learn_compact_revision (self, since_revision + 1);
    g_propagate_error (error, g_steal_pointer (&local_error));
    return NULL;
  }
  if (since_revision == TIMON_STORE_REVISION_LATEST)
    since_revision = current;

  g_autoptr (TimonStoreWatch) watch = timon_store_watch_new (start, end);
  g_autoptr (EtcdWatchStream) stream =
    etcd_watch_stream_start (self->shared, self->watch_session, self->uri_watch, watch,
                             since_revision + 1);
  return g_steal_pointer (&watch);
}

static gboolean
etcd_compact (TimonStore *store, gint64 revision, GError **error)
{
  TimonEtcdStore *self = TIMON_ETCD_STORE (store);
  g_autoptr (GError) local_error = NULL;
  /* physical: answer once the old revisions are gone, so that reads that
   * follow see the compaction. */
  GString *body = g_string_new (NULL);
  g_string_printf (body, "{\"revision\":\"%" G_GINT64_FORMAT "\",\"physical\":true}", revision);

  g_autoptr (JsonNode) root = call_sync (self, self->uri_compaction, body, &local_error);
  if (root != NULL) {
    etcd_shared_note_compact_revision (self->shared, revision);
    return TRUE;
  }
  /* Someone compacted at or past @revision already: nothing to do but
   * learn how far. */
  if (g_error_matches (local_error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED)) {
    learn_compact_revision (self, revision);
    return TRUE;
  }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
timon_etcd_store_iface_init (TimonStoreInterface *iface)
{
  iface->get_revision = etcd_get_revision;
  iface->get_compact_revision = etcd_get_compact_revision;
  iface->get = etcd_get;
  iface->range = etcd_range;
  iface->write_async = etcd_write_async;
  iface->write_finish = etcd_write_finish;
  iface->watch = etcd_watch;
  iface->compact = etcd_compact;
}
