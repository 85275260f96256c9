/* timon-store.c: the store interface, and what every backend gets for
 * free above it: argument checks, prefix lists with continue tokens, and
 * blocking forms of the asynchronous writes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-store-private.h"

#include <string.h>
#include <timon/timon.h>

G_DEFINE_QUARK (timon_store_error_quark, timon_store_error)

G_DEFINE_INTERFACE (TimonStore, timon_store, G_TYPE_OBJECT)

/* The default write_finish, for backends whose write_async returns the
 * write's #TimonStoreEvent from a #GTask: the item a write leaves is the
 * event's, or for a delete the one before it. */
static TimonStoreItem *
timon_store_real_write_finish (TimonStore *store,
                               GAsyncResult *result,
                               gint64 *out_revision,
                               GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  g_autoptr (TimonStoreEvent) event = g_task_propagate_pointer (G_TASK (result), error);
  if (event == NULL)
    return NULL;
  *out_revision = timon_store_event_get_revision (event);
  TimonStoreItem *item = timon_store_event_get_event_type (event) == TIMON_STORE_EVENT_DELETE
                           ? timon_store_event_get_prev_item (event)
                           : timon_store_event_get_item (event);
  return timon_store_item_ref (item);
}

static void
timon_store_default_init (TimonStoreInterface *iface)
{
  iface->write_finish = timon_store_real_write_finish;

  /**
   * TimonStore:location:
   *
   * Where the backend keeps its data: a file for sqlite, a URL for etcd.
   * Each backend documents what it reads here.
   *
   * Since: 0.1
   */
  g_object_interface_install_property (iface, g_param_spec_string ("location", NULL, NULL, NULL,
                                                                   G_PARAM_READWRITE |
                                                                     G_PARAM_CONSTRUCT_ONLY |
                                                                     G_PARAM_STATIC_STRINGS));
}

/**
 * timon_store_new:
 * @type: a #GType that implements #TimonStore and #GInitable
 * @location: (nullable): the backend's "location"
 * @error: return location for an error
 *
 * Opens a store. The core finds @type in the registry, by the name a
 * plugin gave its store.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 *
 * Since: 0.1
 */
TimonStore *
timon_store_new (GType type, const char *location, GError **error)
{
  g_return_val_if_fail (g_type_is_a (type, TIMON_TYPE_STORE), NULL);
  g_return_val_if_fail (g_type_is_a (type, G_TYPE_INITABLE), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (type, NULL, error, "location", location, NULL);
}

/**
 * timon_store_get_revision:
 * @store: a store
 *
 * Returns: the revision of the last acknowledged write (0 for an empty
 *   store)
 *
 * Since: 0.1
 */
gint64
timon_store_get_revision (TimonStore *store)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), 0);
  return TIMON_STORE_GET_IFACE (store)->get_revision (store);
}

/**
 * timon_store_get_compact_revision:
 * @store: a store
 *
 * Returns: the revision the store was last compacted at: lists and
 *   watches at an older revision fail with %TIMON_STORE_ERROR_COMPACTED
 *
 * Since: 0.1
 */
gint64
timon_store_get_compact_revision (TimonStore *store)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), 0);
  return TIMON_STORE_GET_IFACE (store)->get_compact_revision (store);
}

/**
 * timon_store_check_key:
 * @key: (nullable): a key
 * @error: return location for an error
 *
 * Checks that @key is one a store accepts: not empty, at most
 * %TIMON_STORE_MAX_KEY_SIZE bytes. (A C string holds no NUL byte.)
 *
 * Returns: %TRUE if it is, %FALSE with %TIMON_STORE_ERROR_INVALID_KEY
 *
 * Since: 0.1
 */
gboolean
timon_store_check_key (const char *key, GError **error)
{
  if (key == NULL || key[0] == '\0') {
    g_set_error_literal (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_INVALID_KEY,
                         "the key is empty");
    return FALSE;
  }
  gsize len = strlen (key);
  if (len > TIMON_STORE_MAX_KEY_SIZE) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_INVALID_KEY,
                 "the key is %" G_GSIZE_FORMAT
                 " bytes long, more than the limit of %" G_GSIZE_FORMAT,
                 len, TIMON_STORE_MAX_KEY_SIZE);
    return FALSE;
  }
  return TRUE;
}

/**
 * timon_store_prefix_end:
 * @prefix: a key prefix
 *
 * The first key past every key that starts with @prefix, as etcd's
 * range_end: the prefix with its last byte incremented (bytes of 0xff
 * dropped first).
 *
 * Returns: (transfer full) (nullable): that key, or %NULL when no key is
 *   past the prefix (an empty prefix, or one of 0xff bytes only)
 *
 * Since: 0.1
 */
char *
timon_store_prefix_end (const char *prefix)
{
  g_return_val_if_fail (prefix != NULL, NULL);

  g_autofree char *end = g_strdup (prefix);
  for (gsize i = strlen (end); i > 0; i--) {
    if ((guchar) end[i - 1] != 0xff) {
      end[i - 1] = (char) ((guchar) end[i - 1] + 1);
      end[i] = '\0';
      return g_steal_pointer (&end);
    }
  }
  return NULL;
}

/* ---- metrics -------------------------------------------------------------- */

/* How long each kind of operation takes, for the API server's /metrics:
 * kept per store, in buckets fine enough for a local store's
 * microseconds and wide enough for a remote one's seconds. */
typedef enum {
  STORE_OP_GET,
  STORE_OP_LIST,
  STORE_OP_CREATE,
  STORE_OP_UPDATE,
  STORE_OP_DELETE,
  N_STORE_OPS,
} StoreOp;

static const char *const op_names[N_STORE_OPS] = { "get", "list", "create", "update", "delete" };
static const double store_bounds[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                       0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10 };
static const char *const store_labels[] = { "0.0001", "0.00025", "0.0005", "0.001",
                                            "0.0025", "0.005",   "0.01",   "0.025",
                                            "0.05",   "0.1",     "0.25",   "0.5",
                                            "1",      "2.5",     "5",      "10" };
#define N_STORE_BUCKETS G_N_ELEMENTS (store_bounds)
G_STATIC_ASSERT (G_N_ELEMENTS (store_bounds) == G_N_ELEMENTS (store_labels));

typedef struct {
  GMutex lock;
  guint64 buckets[N_STORE_OPS][N_STORE_BUCKETS]; /* cumulative */
  guint64 count[N_STORE_OPS];
  double sum[N_STORE_OPS];
} StoreMetrics;

static void
store_metrics_free (StoreMetrics *metrics)
{
  g_mutex_clear (&metrics->lock);
  g_free (metrics);
}

static StoreMetrics *
store_metrics (TimonStore *store)
{
  static GMutex creating;
  StoreMetrics *metrics = g_object_get_data (G_OBJECT (store), "timon-store-metrics");

  if (metrics != NULL)
    return metrics;
  g_mutex_lock (&creating);
  metrics = g_object_get_data (G_OBJECT (store), "timon-store-metrics");
  if (metrics == NULL) {
    metrics = g_new0 (StoreMetrics, 1);
    g_mutex_init (&metrics->lock);
    g_object_set_data_full (G_OBJECT (store), "timon-store-metrics", metrics,
                            (GDestroyNotify) store_metrics_free);
  }
  g_mutex_unlock (&creating);
  return metrics;
}

static void
observe (TimonStore *store, StoreOp op, gint64 start)
{
  StoreMetrics *metrics = store_metrics (store);
  double seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;

  g_mutex_lock (&metrics->lock);
  for (guint i = 0; i < N_STORE_BUCKETS; i++) {
    if (seconds <= store_bounds[i])
      metrics->buckets[op][i]++;
  }
  metrics->count[op]++;
  metrics->sum[op] += seconds;
  g_mutex_unlock (&metrics->lock);
}

typedef struct {
  StoreOp op;
  gint64 start;
  GAsyncReadyCallback callback;
  gpointer user_data;
} Timed;

static void
on_write_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Timed *timed = user_data;

  observe (TIMON_STORE (source), timed->op, timed->start);
  if (timed->callback != NULL)
    timed->callback (source, result, timed->user_data);
  g_free (timed);
}

/* The histogram timon_store_request_duration_seconds, in the Prometheus
 * text format, with @store_name as the "store" label. */
void
timon_store_append_metrics (TimonStore *store, const char *store_name, GString *out)
{
  StoreMetrics *metrics = store_metrics (store);

  g_string_append (out, "# HELP timon_store_request_duration_seconds Store request latency in "
                        "seconds for each operation.\n"
                        "# TYPE timon_store_request_duration_seconds histogram\n");
  g_mutex_lock (&metrics->lock);
  for (guint op = 0; op < N_STORE_OPS; op++) {
    for (guint i = 0; i < N_STORE_BUCKETS; i++)
      g_string_append_printf (out,
                              "timon_store_request_duration_seconds_bucket{operation=\"%s\","
                              "store=\"%s\",le=\"%s\"} %" G_GUINT64_FORMAT "\n",
                              op_names[op], store_name, store_labels[i], metrics->buckets[op][i]);
    char sum[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_dtostr (sum, sizeof sum, metrics->sum[op]);
    g_string_append_printf (out,
                            "timon_store_request_duration_seconds_bucket{operation=\"%s\","
                            "store=\"%s\",le=\"+Inf\"} %" G_GUINT64_FORMAT "\n"
                            "timon_store_request_duration_seconds_sum{operation=\"%s\","
                            "store=\"%s\"} %s\n"
                            "timon_store_request_duration_seconds_count{operation=\"%s\","
                            "store=\"%s\"} %" G_GUINT64_FORMAT "\n",
                            op_names[op], store_name, metrics->count[op], op_names[op], store_name,
                            sum, op_names[op], store_name, metrics->count[op]);
  }
  g_mutex_unlock (&metrics->lock);
}

/**
 * timon_store_get:
 * @store: a store
 * @key: a key
 * @error: return location for an error
 *
 * Reads the current item under @key. Safe from any thread.
 *
 * Returns: (transfer full) (nullable): the item, or %NULL with
 *   %TIMON_STORE_ERROR_NOT_FOUND or another error
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_get (TimonStore *store, const char *key, GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!timon_store_check_key (key, error))
    return NULL;
  gint64 start = g_get_monotonic_time ();
  TimonStoreItem *item = TIMON_STORE_GET_IFACE (store)->get (store, key, error);
  observe (store, STORE_OP_GET, start);
  return item;
}

/* A continue token names the revision of the first page and the last key
 * handed out, so that every page reads the same snapshot, as Kubernetes'
 * tokens do. It is opaque to clients: base64 of "1\n<revision>\n<key>". */
static char *
continue_token_encode (gint64 revision, const char *last_key)
{
  g_autofree char *raw = g_strdup_printf ("1\n%" G_GINT64_FORMAT "\n%s", revision, last_key);
  return g_base64_encode ((const guchar *) raw, strlen (raw));
}

static gboolean
continue_token_decode (const char *token,
                       const char *prefix,
                       gint64 *out_revision,
                       char **out_last_key,
                       GError **error)
{
  gsize len = 0;
  g_autofree char *raw = NULL;
  char *end = NULL;

  if (token[0] != '\0')
    raw = (char *) g_base64_decode (token, &len);
  if (raw == NULL || len < 4 || memchr (raw, '\0', len) != NULL)
    goto invalid;
  raw = g_realloc (raw, len + 1);
  raw[len] = '\0';
  if (raw[0] != '1' || raw[1] != '\n')
    goto invalid;
  gint64 revision = g_ascii_strtoll (raw + 2, &end, 10);
  if (end == raw + 2 || *end != '\n' || revision <= 0)
    goto invalid;
  const char *key = end + 1;
  if (!g_str_has_prefix (key, prefix) || key[0] == '\0')
    goto invalid;

  *out_revision = revision;
  *out_last_key = g_strdup (key);
  return TRUE;

invalid:
  g_set_error_literal (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_INVALID_CONTINUE,
                       "the continue token is not valid for this list");
  return FALSE;
}

/* A token that continues after @last_key at @revision, as
 * timon_store_list() hands out. */
char *
timon_store_continue_token_new (gint64 revision, const char *last_key)
{
  return continue_token_encode (revision, last_key);
}

/* The last key a token names, or %NULL when it is no token. */
char *
timon_store_continue_token_get_key (const char *token)
{
  gint64 revision;
  char *last_key = NULL;

  if (!continue_token_decode (token, "", &revision, &last_key, NULL))
    return NULL;
  return last_key;
}

/**
 * timon_store_list:
 * @store: a store
 * @prefix: the prefix of the keys to list ("" for all)
 * @revision: the revision to read at, or %TIMON_STORE_REVISION_LATEST
 * @limit: the most items to return, 0 for all
 * @continue_token: (nullable): the token a previous page handed out
 * @out_revision: (out) (optional): the revision the list was read at
 * @out_continue: (out) (optional) (transfer full): a token for the next
 *   page, or %NULL on the last page
 * @error: return location for an error
 *
 * Lists the items under @prefix in key order. Every page of one list
 * reads the revision of the first page, however the store changes in
 * between; once compaction passes that revision the next page fails with
 * %TIMON_STORE_ERROR_COMPACTED. Safe from any thread.
 *
 * Returns: (transfer full) (element-type TimonStoreItem) (nullable): the
 *   items, or %NULL with @error set
 *
 * Since: 0.1
 */
GPtrArray *
timon_store_list (TimonStore *store,
                  const char *prefix,
                  gint64 revision,
                  guint limit,
                  const char *continue_token,
                  gint64 *out_revision,
                  char **out_continue,
                  GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);
  g_return_val_if_fail (revision >= TIMON_STORE_REVISION_LATEST, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *start = NULL;
  g_autofree char *end = timon_store_prefix_end (prefix);
  gint64 read_revision = 0;
  gboolean more = FALSE;

  if (continue_token != NULL) {
    g_autofree char *last_key = NULL;
    if (!continue_token_decode (continue_token, prefix, &revision, &last_key, error))
      return NULL;
    /* Keys hold no NUL byte, so the least key past last_key is last_key
     * followed by \001. */
    start = g_strconcat (last_key, "\001", NULL);
  } else {
    start = g_strdup (prefix);
  }

  gint64 started = g_get_monotonic_time ();
  GPtrArray *items = TIMON_STORE_GET_IFACE (store)->range (store, start, end, revision, limit,
                                                           &read_revision, &more, error);
  observe (store, STORE_OP_LIST, started);
  if (items == NULL)
    return NULL;

  if (out_revision != NULL)
    *out_revision = read_revision;
  if (out_continue != NULL) {
    *out_continue = NULL;
    if (more && items->len > 0) {
      TimonStoreItem *last = items->pdata[items->len - 1];
      *out_continue = continue_token_encode (read_revision, timon_store_item_get_key (last));
    }
  }
  return items;
}

static gboolean
check_write (const char *key, GBytes *value, GError **error)
{
  if (!timon_store_check_key (key, error))
    return FALSE;
  if (value != NULL && g_bytes_get_size (value) > TIMON_STORE_MAX_VALUE_SIZE) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_VALUE_TOO_LARGE,
                 "the value is %" G_GSIZE_FORMAT " bytes, more than the limit of %" G_GSIZE_FORMAT
                 " bytes",
                 g_bytes_get_size (value), TIMON_STORE_MAX_VALUE_SIZE);
    return FALSE;
  }
  return TRUE;
}

static void
write_async (TimonStore *store,
             TimonStoreWriteType type,
             const char *key,
             GBytes *value,
             gint64 expected_revision,
             GCancellable *cancellable,
             GAsyncReadyCallback callback,
             gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!check_write (key, value, &error)) {
    g_task_report_error (store, callback, user_data, write_async, g_steal_pointer (&error));
    return;
  }
  Timed *timed = g_new (Timed, 1);
  timed->op = type == TIMON_STORE_WRITE_CREATE   ? STORE_OP_CREATE
              : type == TIMON_STORE_WRITE_UPDATE ? STORE_OP_UPDATE
                                                 : STORE_OP_DELETE;
  timed->start = g_get_monotonic_time ();
  timed->callback = callback;
  timed->user_data = user_data;
  TIMON_STORE_GET_IFACE (store)->write_async (store, type, key, value, expected_revision,
                                              cancellable, on_write_done, timed);
}

static TimonStoreItem *
write_finish (TimonStore *store, GAsyncResult *result, gint64 *out_revision, GError **error)
{
  if (g_async_result_is_tagged (result, write_async)) {
    if (out_revision != NULL)
      *out_revision = 0;
    return g_task_propagate_pointer (G_TASK (result), error);
  }

  gint64 revision = 0;
  TimonStoreItem *item =
    TIMON_STORE_GET_IFACE (store)->write_finish (store, result, &revision, error);
  if (out_revision != NULL)
    *out_revision = revision;
  return item;
}

/**
 * timon_store_create_async:
 * @store: a store
 * @key: the key
 * @value: the value, at most %TIMON_STORE_MAX_VALUE_SIZE bytes
 * @cancellable: (nullable): a #GCancellable; a write the backend has taken
 *   may still happen
 * @callback: called in the thread-default main context once the write is
 *   durable or failed
 * @user_data: data for @callback
 *
 * Creates @key, which must not exist.
 *
 * Since: 0.1
 */
void
timon_store_create_async (TimonStore *store,
                          const char *key,
                          GBytes *value,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (TIMON_IS_STORE (store));
  g_return_if_fail (value != NULL);

  write_async (store, TIMON_STORE_WRITE_CREATE, key, value, 0, cancellable, callback, user_data);
}

/**
 * timon_store_create_finish:
 * @store: a store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the created item, with its
 *   revisions, or %NULL with %TIMON_STORE_ERROR_EXISTS or another error
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_create_finish (TimonStore *store, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  return write_finish (store, result, NULL, error);
}

/**
 * timon_store_update_async:
 * @store: a store
 * @key: the key
 * @value: the new value, at most %TIMON_STORE_MAX_VALUE_SIZE bytes
 * @expected_revision: the mod revision the key must have
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the write is durable or failed
 * @user_data: data for @callback
 *
 * Replaces the value of @key if its mod revision is still
 * @expected_revision (compare-and-swap).
 *
 * Since: 0.1
 */
void
timon_store_update_async (TimonStore *store,
                          const char *key,
                          GBytes *value,
                          gint64 expected_revision,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (TIMON_IS_STORE (store));
  g_return_if_fail (value != NULL);
  g_return_if_fail (expected_revision > 0);

  write_async (store, TIMON_STORE_WRITE_UPDATE, key, value, expected_revision, cancellable,
               callback, user_data);
}

/**
 * timon_store_update_finish:
 * @store: a store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the updated item, or %NULL with
 *   %TIMON_STORE_ERROR_CONFLICT, %TIMON_STORE_ERROR_NOT_FOUND or another
 *   error
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_update_finish (TimonStore *store, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  return write_finish (store, result, NULL, error);
}

/**
 * timon_store_delete_async:
 * @store: a store
 * @key: the key
 * @expected_revision: the mod revision the key must have, or 0 to delete
 *   whatever it holds
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the delete is durable or failed
 * @user_data: data for @callback
 *
 * Deletes @key.
 *
 * Since: 0.1
 */
void
timon_store_delete_async (TimonStore *store,
                          const char *key,
                          gint64 expected_revision,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (TIMON_IS_STORE (store));
  g_return_if_fail (expected_revision >= 0);

  write_async (store, TIMON_STORE_WRITE_DELETE, key, NULL, expected_revision, cancellable, callback,
               user_data);
}

/**
 * timon_store_delete_finish:
 * @store: a store
 * @result: the result
 * @out_revision: (out) (optional): the revision of the delete
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the item as it was before the
 *   delete, or %NULL with an error
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_delete_finish (TimonStore *store,
                           GAsyncResult *result,
                           gint64 *out_revision,
                           GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  return write_finish (store, result, out_revision, error);
}

typedef struct {
  GAsyncResult *result;
} SyncData;

static void
sync_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((SyncData *) user_data)->result = g_object_ref (result);
}

/* The blocking forms run the asynchronous ones on a private main context,
 * so they are safe from any thread, the store's own included, as long as
 * it is not a backend's writer. */
static TimonStoreItem *
write_sync (TimonStore *store,
            TimonStoreWriteType type,
            const char *key,
            GBytes *value,
            gint64 expected_revision,
            gint64 *out_revision,
            GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  SyncData data = { NULL };

  g_main_context_push_thread_default (context);
  write_async (store, type, key, value, expected_revision, NULL, sync_done, &data);
  while (data.result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_autoptr (GAsyncResult) result = data.result;
  return write_finish (store, result, out_revision, error);
}

/**
 * timon_store_create:
 * @store: a store
 * @key: the key
 * @value: the value
 * @error: return location for an error
 *
 * The blocking form of timon_store_create_async(), for tools and tests.
 *
 * Returns: (transfer full) (nullable): the created item
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_create (TimonStore *store, const char *key, GBytes *value, GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return write_sync (store, TIMON_STORE_WRITE_CREATE, key, value, 0, NULL, error);
}

/**
 * timon_store_update:
 * @store: a store
 * @key: the key
 * @value: the new value
 * @expected_revision: the mod revision the key must have
 * @error: return location for an error
 *
 * The blocking form of timon_store_update_async().
 *
 * Returns: (transfer full) (nullable): the updated item
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_update (TimonStore *store,
                    const char *key,
                    GBytes *value,
                    gint64 expected_revision,
                    GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (expected_revision > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return write_sync (store, TIMON_STORE_WRITE_UPDATE, key, value, expected_revision, NULL, error);
}

/**
 * timon_store_delete:
 * @store: a store
 * @key: the key
 * @expected_revision: the mod revision the key must have, or 0
 * @out_revision: (out) (optional): the revision of the delete
 * @error: return location for an error
 *
 * The blocking form of timon_store_delete_async().
 *
 * Returns: (transfer full) (nullable): the item as it was before the
 *   delete
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_delete (TimonStore *store,
                    const char *key,
                    gint64 expected_revision,
                    gint64 *out_revision,
                    GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  g_return_val_if_fail (expected_revision >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return write_sync (store, TIMON_STORE_WRITE_DELETE, key, NULL, expected_revision, out_revision,
                     error);
}

/**
 * timon_store_watch:
 * @store: a store
 * @prefix: the prefix of the keys to watch ("" for all)
 * @since_revision: report events after this revision (0: every event
 *   since the store was created, if none was compacted away);
 *   %TIMON_STORE_REVISION_LATEST for events after the current one
 * @error: return location for an error
 *
 * Watches the keys under @prefix. Every event with a revision greater than
 * @since_revision is reported once, in revision order, in the calling
 * thread's thread-default main context, with the item before the change.
 *
 * Returns: (transfer full) (nullable): the watch, or %NULL with
 *   %TIMON_STORE_ERROR_COMPACTED when @since_revision is older than the
 *   store's history, or %TIMON_STORE_ERROR_FUTURE_REVISION
 *
 * Since: 0.1
 */
TimonStoreWatch *
timon_store_watch (TimonStore *store, const char *prefix, gint64 since_revision, GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);
  g_return_val_if_fail (since_revision >= TIMON_STORE_REVISION_LATEST, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autofree char *end = timon_store_prefix_end (prefix);
  return TIMON_STORE_GET_IFACE (store)->watch (store, prefix, end, since_revision, error);
}

/**
 * timon_store_compact:
 * @store: a store
 * @revision: the oldest revision to keep readable
 * @error: return location for an error
 *
 * Forgets the history before @revision: every key keeps the value it had
 * at @revision, older values and deleted keys go. Lists and watches at a
 * revision before @revision then fail with %TIMON_STORE_ERROR_COMPACTED.
 * Compacting at or before the current compact revision does nothing.
 *
 * Returns: %TRUE, or %FALSE with @error set
 *
 * Since: 0.1
 */
gboolean
timon_store_compact (TimonStore *store, gint64 revision, GError **error)
{
  g_return_val_if_fail (TIMON_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (revision > timon_store_get_revision (store)) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION,
                 "cannot compact at revision %" G_GINT64_FORMAT
                 ", past the current revision %" G_GINT64_FORMAT,
                 revision, timon_store_get_revision (store));
    return FALSE;
  }
  if (revision <= timon_store_get_compact_revision (store))
    return TRUE;
  return TIMON_STORE_GET_IFACE (store)->compact (store, revision, error);
}
