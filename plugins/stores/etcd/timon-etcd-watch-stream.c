/* timon-etcd-watch-stream.c: one etcd watch, read from the gateway's
 * streaming /v3/watch and pushed into a TimonStoreWatch.
 *
 * The stream lives in the watcher's thread-default main context: the
 * request is sent from there and every line is read there, so events
 * reach the watcher without crossing threads. The gateway writes one JSON
 * object per line: {"result": WatchResponse} or, when the stream fails,
 * {"error": {...}}.
 *
 * A watcher cancels its TimonStoreWatch without telling the backend, so a
 * timer in the same context looks for that and closes the HTTP stream
 * (and each line read looks too). The store, when disposed, closes its
 * streams from whatever thread it is in: it closes the watch, which is
 * safe from any thread, and has the HTTP message stopped in the
 * watcher's context; the HTTP objects are released there when the
 * cancelled read returns.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-etcd-private.h"

#include <string.h>

/* How often to look for a watcher's cancel when no event comes. */
#define CANCEL_POLL_MS 1000
/* Each event line carries a value and the previous one, in base64. */
#define READ_CHUNK_BYTES (64 * 1024)
/* The most read in one main-loop turn. */
#define MAX_DRAIN_BYTES (4 * 1024 * 1024)
/* Two values of TIMON_STORE_MAX_VALUE_SIZE in base64, with room to spare:
 * a longer line is not etcd's. */
#define MAX_LINE_BYTES (16u * 1024 * 1024)

struct _EtcdWatchStream {
  gatomicrefcount refs;

  EtcdShared *shared;
  TimonStoreWatch *watch;
  GCancellable *cancellable; /* cancels the HTTP message and every read */

  /* Touched only in the watcher's context. */
  GMainContext *context;
  SoupSession *session;
  SoupMessage *msg;
  GInputStream *body;
  GByteArray *pending; /* what was read past the last complete line */
  GSource *poll;
  gboolean finished;
};

EtcdWatchStream *
etcd_watch_stream_ref (EtcdWatchStream *stream)
{
  g_atomic_ref_count_inc (&stream->refs);
  return stream;
}

void
etcd_watch_stream_unref (EtcdWatchStream *stream)
{
  if (!g_atomic_ref_count_dec (&stream->refs))
    return;
  /* The last reference goes in the watcher's context (a read callback or
   * the poll source) unless the context stopped running; by then the
   * message is cancelled, so dropping the streams does not block. */
  g_clear_object (&stream->body);
  g_clear_pointer (&stream->pending, g_byte_array_unref);
  g_clear_object (&stream->msg);
  g_clear_object (&stream->session);
  g_clear_object (&stream->cancellable);
  g_clear_object (&stream->watch);
  g_clear_pointer (&stream->context, g_main_context_unref);
  g_clear_pointer (&stream->shared, etcd_shared_unref);
  g_free (stream);
}

/* Ends the stream in the watcher's context: closes the watch with @error
 * unless the watcher cancelled it (or @error is NULL), stops the HTTP
 * message, and forgets the stream. */
static void
stream_finish (EtcdWatchStream *stream, const GError *error)
{
  if (stream->finished)
    return;
  stream->finished = TRUE;

  if (error != NULL && !timon_store_watch_is_cancelled (stream->watch))
    timon_store_watch_close (stream->watch, error);
  g_cancellable_cancel (stream->cancellable);
  if (stream->poll != NULL) {
    g_source_destroy (stream->poll);
    g_clear_pointer (&stream->poll, g_source_unref);
  }

  EtcdShared *shared = stream->shared;
  g_mutex_lock (&shared->lock);
  /* Drops the store's reference, if the store still holds one. */
  g_ptr_array_remove_fast (shared->streams, stream);
  g_mutex_unlock (&shared->lock);
}

static void stream_fail (EtcdWatchStream *stream, TimonStoreError code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static void
stream_fail (EtcdWatchStream *stream, TimonStoreError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autoptr (GError) error = g_error_new_valist (TIMON_STORE_ERROR, code, format, args);
  va_end (args);
  stream_finish (stream, error);
}

static gboolean
poll_cancel (gpointer user_data)
{
  EtcdWatchStream *stream = user_data;

  if (timon_store_watch_is_cancelled (stream->watch) || timon_store_watch_is_closed (stream->watch))
    stream_finish (stream, NULL);
  return G_SOURCE_CONTINUE;
}

static TimonStoreEvent *
event_from_json (JsonObject *json)
{
  JsonObject *kv = etcd_json_object (json, "kv");
  JsonObject *prev_kv = etcd_json_object (json, "prev_kv");
  g_autoptr (TimonStoreItem) prev = prev_kv ? etcd_item_from_kv (prev_kv, TRUE) : NULL;
  g_autoptr (TimonStoreItem) item = NULL;
  TimonStoreEventType type;

  if (kv == NULL)
    return NULL;
  /* PUT is the default event type, so the gateway leaves it out. */
  if (g_strcmp0 (json_object_get_string_member_with_default (json, "type", "PUT"), "DELETE") == 0) {
    /* etcd's delete event carries only the key and the revision of the
     * delete; the create revision is the deleted item's. */
    item = timon_store_item_new_take (etcd_json_dup_key (kv, "key"), NULL,
                                      prev ? timon_store_item_get_create_revision (prev) : 0,
                                      etcd_json_int64 (kv, "mod_revision"));
    type = TIMON_STORE_EVENT_DELETE;
  } else {
    item = etcd_item_from_kv (kv, TRUE);
    type = timon_store_item_get_create_revision (item) == timon_store_item_get_mod_revision (item)
             ? TIMON_STORE_EVENT_CREATE
             : TIMON_STORE_EVENT_UPDATE;
  }
  return timon_store_event_new (type, item, prev);
}

/* Handles one line, adding its events to @events. Returns FALSE with
 * @error set (or NULL, when the watcher went away) when the stream ends
 * there. */
static gboolean
stream_handle_line (EtcdWatchStream *stream,
                    const char *line,
                    gsize len,
                    GPtrArray *events,
                    GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) parse_error = NULL;

  if (len == 0)
    return TRUE;
  if (!json_parser_load_from_data (parser, line, (gssize) len, &parse_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "etcd sent a watch line that is not JSON: %s",
                 parse_error ? parse_error->message : "not an object");
    return FALSE;
  }
  JsonObject *root = json_node_get_object (json_parser_get_root (parser));

  JsonNode *error_node = json_object_get_member (root, "error");
  if (error_node != NULL) {
    const char *message = NULL;
    if (JSON_NODE_HOLDS_OBJECT (error_node))
      message = json_object_get_string_member_with_default (json_node_get_object (error_node),
                                                            "message", NULL);
    else if (JSON_NODE_HOLDS_VALUE (error_node))
      message = json_node_get_string (error_node);
    etcd_set_error_from_message (error, message ? message : "the watch failed");
    return FALSE;
  }

  JsonObject *result = etcd_json_object (root, "result");
  if (result == NULL)
    return TRUE;
  /* A canceled response carries no header revision, and the revision of
   * other responses is etcd's current one: worth keeping. */
  etcd_shared_note_revision (stream->shared, etcd_header_revision (result));

  if (etcd_json_bool (result, "canceled")) {
    gint64 compact_revision = etcd_json_int64 (result, "compact_revision");
    if (compact_revision > 0) {
      etcd_shared_note_compact_revision (stream->shared, compact_revision);
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED,
                   "etcd compacted its history up to revision %" G_GINT64_FORMAT
                   ", past where the watch started",
                   compact_revision);
    } else {
      const char *reason =
        json_object_get_string_member_with_default (result, "cancel_reason", "no reason given");
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                   "etcd cancelled the watch: %s", reason);
    }
    return FALSE;
  }

  JsonArray *json_events = etcd_json_array (result, "events");
  guint n = json_events ? json_array_get_length (json_events) : 0;
  for (guint i = 0; i < n; i++) {
    TimonStoreEvent *event = event_from_json (json_array_get_object_element (json_events, i));
    if (event != NULL)
      g_ptr_array_add (events, event);
  }
  return TRUE;
}

static void stream_read_next (EtcdWatchStream *stream);

/* Reads, without blocking, what else the connection has. libsoup hands
 * out a chunked body one chunk per read, and the gateway sends one chunk
 * per line: without this, each line would cost a main-loop turn. Returns
 * FALSE with @error set when the stream ended. */
static gboolean
stream_drain (EtcdWatchStream *stream, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!G_IS_POLLABLE_INPUT_STREAM (stream->body) ||
      !g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (stream->body)))
    return TRUE;

  /* Bounded, so that a fast stream still lets the main loop turn. */
  for (gsize total = 0; total < MAX_DRAIN_BYTES;) {
    guint old_len = stream->pending->len;
    g_byte_array_set_size (stream->pending, old_len + READ_CHUNK_BYTES);
    gssize n =
      g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream->body),
                                                stream->pending->data + old_len, READ_CHUNK_BYTES,
                                                stream->cancellable, &local_error);
    g_byte_array_set_size (stream->pending, old_len + (guint) MAX (n, 0));
    if (n > 0) {
      total += (gsize) n;
      continue;
    }
    if (n == 0) {
      g_set_error_literal (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                           "etcd ended the watch stream");
      return FALSE;
    }
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      return TRUE;
    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return FALSE;
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "the etcd watch stream broke: %s", local_error->message);
    return FALSE;
  }
  return TRUE;
}

/* Handles every complete line a read brought, then pushes their events
 * together: under load etcd sends bursts of lines, and handling them one
 * main-loop turn each (as a line reader would) makes the watcher lag
 * behind by the length of the burst. */
static void
stream_chunk_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (EtcdWatchStream) stream = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) chunk =
    g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (stream->finished)
    return;
  if (chunk == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      stream_finish (stream, NULL);
    else
      stream_fail (stream, TIMON_STORE_ERROR_FAILED, "the etcd watch stream broke: %s",
                   error->message);
    return;
  }
  if (g_bytes_get_size (chunk) == 0) {
    stream_fail (stream, TIMON_STORE_ERROR_FAILED, "etcd ended the watch stream");
    return;
  }
  if (timon_store_watch_is_cancelled (stream->watch)) {
    stream_finish (stream, NULL);
    return;
  }

  gsize chunk_len = 0;
  const guint8 *data = g_bytes_get_data (chunk, &chunk_len);
  g_byte_array_append (stream->pending, data, (guint) chunk_len);
  g_autoptr (GError) drain_error = NULL;
  gboolean ended = !stream_drain (stream, &drain_error);

  g_autoptr (GPtrArray) events =
    g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_event_unref);
  gboolean go_on = TRUE;
  gsize done = 0;
  while (go_on && done < stream->pending->len) {
    const char *line = (const char *) stream->pending->data + done;
    const char *newline = memchr (line, '\n', stream->pending->len - done);
    if (newline == NULL)
      break;
    go_on = stream_handle_line (stream, line, (gsize) (newline - line), events, &error);
    done += (gsize) (newline - line) + 1;
  }
  g_byte_array_remove_range (stream->pending, 0, (guint) done);

  if (events->len > 0 && !timon_store_watch_push_many (stream->watch, events)) {
    stream_finish (stream, NULL);
    return;
  }
  if (!go_on || ended) {
    stream_finish (stream, error ? error : drain_error);
    return;
  }
  if (stream->pending->len > MAX_LINE_BYTES) {
    stream_fail (stream, TIMON_STORE_ERROR_FAILED, "etcd sent a watch line longer than %u bytes",
                 MAX_LINE_BYTES);
    return;
  }
  stream_read_next (stream);
}

static void
stream_read_next (EtcdWatchStream *stream)
{
  g_input_stream_read_bytes_async (stream->body, READ_CHUNK_BYTES, G_PRIORITY_DEFAULT,
                                   stream->cancellable, stream_chunk_read,
                                   etcd_watch_stream_ref (stream));
}

static void
stream_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (EtcdWatchStream) stream = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) body = soup_session_send_finish (SOUP_SESSION (source), result, &error);

  if (stream->finished)
    return;
  if (body == NULL) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      stream_finish (stream, NULL);
    else
      stream_fail (stream, TIMON_STORE_ERROR_FAILED, "cannot open the etcd watch stream: %s",
                   error->message);
    return;
  }
  if (soup_message_get_status (stream->msg) != SOUP_STATUS_OK) {
    stream_fail (stream, TIMON_STORE_ERROR_FAILED, "etcd refused the watch: HTTP %u %s",
                 soup_message_get_status (stream->msg),
                 soup_message_get_reason_phrase (stream->msg));
    return;
  }

  stream->body = g_steal_pointer (&body);
  stream_read_next (stream);
}

/**
 * etcd_watch_stream_start:
 * @shared: the store's shared state; the stream registers itself there
 * @session: the session to send the watch request on
 * @uri: the gateway's /v3/watch
 * @watch: the watch to push events into
 * @start_revision: the first revision to report
 *
 * Starts reading a watch of @watch's range in the thread-default main
 * context of the caller.
 *
 * Returns: (transfer full): the stream
 */
EtcdWatchStream *
etcd_watch_stream_start (EtcdShared *shared,
                         SoupSession *session,
                         GUri *uri,
                         TimonStoreWatch *watch,
                         gint64 start_revision)
{
  EtcdWatchStream *stream = g_new0 (EtcdWatchStream, 1);
  const char *start = timon_store_watch_get_start (watch);
  const char *end = timon_store_watch_get_end (watch);
  g_autofree char *key = etcd_encode_start (start);
  /* A range_end of "\0" means every key from key on. */
  g_autofree char *range_end = end ? etcd_encode (end, strlen (end)) : g_strdup ("AA==");
  g_autofree char *body =
    g_strdup_printf ("{\"create_request\":{\"key\":\"%s\",\"range_end\":\"%s\",\"start_revision\":"
                     "\"%" G_GINT64_FORMAT "\",\"prev_kv\":true}}",
                     key, range_end, start_revision);
  gsize body_len = strlen (body);
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&body), body_len);

  g_atomic_ref_count_init (&stream->refs);
  stream->shared = etcd_shared_ref (shared);
  stream->watch = g_object_ref (watch);
  stream->cancellable = g_cancellable_new ();
  stream->pending = g_byte_array_new ();
  stream->context = g_main_context_ref_thread_default ();
  stream->session = g_object_ref (session);
  stream->msg = soup_message_new_from_uri (SOUP_METHOD_POST, uri);
  soup_message_set_request_body_from_bytes (stream->msg, "application/json", bytes);

  g_mutex_lock (&shared->lock);
  g_ptr_array_add (shared->streams, etcd_watch_stream_ref (stream));
  g_mutex_unlock (&shared->lock);

  stream->poll = g_timeout_source_new (CANCEL_POLL_MS);
  g_source_set_static_name (stream->poll, "TimonEtcdWatchCancel");
  g_source_set_callback (stream->poll, poll_cancel, etcd_watch_stream_ref (stream),
                         (GDestroyNotify) etcd_watch_stream_unref);
  g_source_attach (stream->poll, stream->context);

  soup_session_send_async (session, stream->msg, G_PRIORITY_DEFAULT, stream->cancellable,
                           stream_sent, etcd_watch_stream_ref (stream));
  return stream;
}

/**
 * etcd_watch_stream_close:
 * @stream: a stream
 * @error: why
 *
 * Closes the watch with @error and stops the stream; safe from any
 * thread. The stream's callbacks finish the clean-up in the watcher's
 * context.
 */
static gboolean
close_in_context (gpointer user_data)
{
  stream_finish (user_data, NULL);
  return G_SOURCE_REMOVE;
}

void
etcd_watch_stream_close (EtcdWatchStream *stream, const GError *error)
{
  timon_store_watch_close (stream->watch, error);
  /* The HTTP message belongs to the watcher's context: stop it there (at
   * once when that is this thread's). */
  g_main_context_invoke_full (stream->context, G_PRIORITY_DEFAULT, close_in_context,
                              etcd_watch_stream_ref (stream),
                              (GDestroyNotify) etcd_watch_stream_unref);
}
