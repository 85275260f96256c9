/* timon-api-watch.c: ?watch=true streams. One JSON event per line,
 * chunked, each written as it happens; filtered by the label and field
 * selectors, with the transitions Kubernetes makes (an object that stops
 * matching is DELETED for this watcher, one that starts matching ADDED).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

/* When the client sets no timeoutSeconds: long, since `kubectl get -w`
 * exits when the server ends the stream (Kubernetes uses 30-60 min). */
#define DEFAULT_TIMEOUT_SECONDS 1800

struct _ApiWatch {
  TimonApiServer *server; /* unowned: the server owns the watch */
  SoupServerMessage *msg;
  gulong finished_id;
  TimonResourceType *type;
  ApiFilter *filter;
  ApiTable *table;       /* NULL: the events hold the objects */
  gboolean sent_columns; /* the column definitions went out with an event */
  TimonStoreWatch *watch;
  GSource *timeout;
};

void
api_watch_free (ApiWatch *w)
{
  if (w->watch != NULL) {
    g_signal_handlers_disconnect_by_data (w->watch, w);
    timon_store_watch_cancel (w->watch);
    g_clear_object (&w->watch);
  }
  if (w->timeout != NULL) {
    g_source_destroy (w->timeout);
    g_clear_pointer (&w->timeout, g_source_unref);
  }
  g_signal_handler_disconnect (w->msg, w->finished_id);
  g_object_unref (w->msg);
  g_clear_pointer (&w->filter, api_filter_free);
  g_clear_pointer (&w->table, api_table_free);
  timon_resource_type_unref (w->type);
  g_free (w);
}

static void
send_line (ApiWatch *w, const char *type, JsonNode *object)
{
  g_autoptr (JsonNode) table = NULL;

  /* `kubectl get -w` asks for Tables: each object event is a Table of
   * one row (errors stay Status). The first carries the column
   * definitions, for a client that watches without listing first. */
  if (w->table != NULL && strcmp (type, "ERROR") != 0) {
    /* api_item_to_node() made metadata an object with a string RV. */
    JsonNode *metadata = json_object_get_member (json_node_get_object (object), "metadata");
    const char *rv = NULL;
    if (metadata != NULL && JSON_NODE_HOLDS_OBJECT (metadata))
      rv = json_object_get_string_member_with_default (json_node_get_object (metadata),
                                                       "resourceVersion", NULL);
    table = api_table_build (w->table, &object, 1, rv, NULL, !w->sent_columns);
    w->sent_columns = TRUE;
    object = table;
  }
  g_autofree char *json = api_node_to_string (object, NULL);
  char *line = g_strdup_printf ("{\"type\":\"%s\",\"object\":%s}\n", type, json);

  soup_message_body_append (soup_server_message_get_response_body (w->msg), SOUP_MEMORY_TAKE, line,
                            strlen (line));
  soup_server_message_unpause (w->msg);
}

/* Ends the stream; the message's "finished" then frees the watch. */
static void
end_stream (ApiWatch *w)
{
  if (w->watch != NULL) {
    g_signal_handlers_disconnect_by_data (w->watch, w);
    timon_store_watch_cancel (w->watch);
    g_clear_object (&w->watch);
  }
  soup_message_body_complete (soup_server_message_get_response_body (w->msg));
  soup_server_message_unpause (w->msg);
}

static void
send_error (ApiWatch *w, const GError *error)
{
  g_autoptr (JsonNode) status = timon_status_new_from_error (error, NULL, NULL, NULL);
  send_line (w, "ERROR", status);
}

static gboolean
matches (ApiWatch *w, JsonNode *node)
{
  return node != NULL && api_filter_matches (w->filter, json_node_get_object (node));
}

static void
on_events (TimonStoreWatch *watch, GPtrArray *events, gpointer user_data)
{
  ApiWatch *w = user_data;
  gboolean filtered = w->filter->labels != NULL || w->filter->fields != NULL;

  for (guint i = 0; i < events->len; i++) {
    TimonStoreEvent *event = events->pdata[i];
    TimonStoreItem *item = timon_store_event_get_item (event);
    TimonStoreItem *prev = timon_store_event_get_prev_item (event);
    gint64 revision = timon_store_event_get_revision (event);
    g_autoptr (GError) error = NULL;

    switch (timon_store_event_get_event_type (event)) {
    case TIMON_STORE_EVENT_CREATE: {
      g_autoptr (JsonNode) node = api_item_to_node (item, NULL, 0, &error);
      if (matches (w, node))
        send_line (w, "ADDED", node);
      break;
    }
    case TIMON_STORE_EVENT_UPDATE: {
      g_autoptr (JsonNode) node = api_item_to_node (item, NULL, 0, &error);
      g_autoptr (JsonNode) old =
        filtered && prev != NULL ? api_item_to_node (prev, NULL, 0, NULL) : NULL;
      gboolean now = matches (w, node);
      gboolean before = filtered ? matches (w, old) : now;
      if (now && before)
        send_line (w, "MODIFIED", node);
      else if (now)
        send_line (w, "ADDED", node);
      else if (before && node != NULL)
        send_line (w, "DELETED", node);
      break;
    }
    case TIMON_STORE_EVENT_DELETE: {
      g_autoptr (JsonNode) node =
        prev != NULL ? api_item_to_node (prev, NULL, revision, &error) : NULL;
      if (matches (w, node))
        send_line (w, "DELETED", node);
      break;
    }
    }
    if (error != NULL)
      send_error (w, error);
  }
}

static void
on_closed (TimonStoreWatch *watch, GError *error, gpointer user_data)
{
  ApiWatch *w = user_data;

  if (error != NULL) {
    g_autoptr (GError) api_error = api_store_error (error, w->type, NULL);
    send_error (w, api_error);
  }
  end_stream (w);
}

static gboolean
on_timeout (gpointer user_data)
{
  ApiWatch *w = user_data;

  g_clear_pointer (&w->timeout, g_source_unref);
  end_stream (w);
  return G_SOURCE_REMOVE;
}

static void
on_finished (SoupServerMessage *msg, gpointer user_data)
{
  ApiWatch *w = user_data;
  g_hash_table_remove (w->server->watches, w);
}

/* The current objects as ADDED events, for a watch without a
 * resourceVersion; returns the revision they were read at, or -1 with
 * @error. */
static gint64
send_initial (ApiWatch *w, ApiTarget *target, GError **error)
{
  g_autofree char *prefix = api_store_prefix (target->type, target->namespace);
  g_autofree char *next = NULL;
  gint64 revision = 0;

  do {
    g_autofree char *token = g_steal_pointer (&next);
    g_autoptr (GPtrArray) items =
      timon_store_list (w->server->store, prefix, TIMON_STORE_REVISION_LATEST, 500, token,
                        &revision, &next, error);
    if (items == NULL)
      return -1;
    for (guint i = 0; i < items->len; i++) {
      g_autoptr (JsonNode) node = api_item_to_node (items->pdata[i], NULL, 0, error);
      if (node == NULL)
        return -1;
      if (matches (w, node))
        send_line (w, "ADDED", node);
    }
  } while (next != NULL);
  return revision;
}

/* Takes @table (nullable): the events are then Tables. */
void
api_handle_watch (TimonApiServer *self,
                  SoupServerMessage *msg,
                  ApiTarget *target,
                  GHashTable *query,
                  ApiTable *table)
{
  g_autoptr (ApiTable) owned_table = table;
  g_autoptr (GError) error = NULL;
  g_autoptr (ApiFilter) filter = api_filter_new (target->type, query, &error);
  gint64 since = 0;
  guint64 timeout = DEFAULT_TIMEOUT_SECONDS;
  const char *timeout_text = g_hash_table_lookup (query, "timeoutSeconds");

  if (filter == NULL || !api_parse_revision (query, &since, &error)) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  if (timeout_text != NULL && timeout_text[0] != '\0' &&
      !g_ascii_string_to_unsigned (timeout_text, 10, 0, G_MAXUINT / 2, &timeout, NULL)) {
    g_set_error (&error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                 "invalid timeoutSeconds \"%s\"", timeout_text);
    api_reply_error (msg, error, NULL, NULL);
    return;
  }

  ApiWatch *w = g_new0 (ApiWatch, 1);
  w->server = self;
  w->msg = g_object_ref (msg);
  w->type = timon_resource_type_ref (target->type);
  w->filter = g_steal_pointer (&filter);
  w->table = g_steal_pointer (&owned_table);
  w->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_finished), w);
  g_hash_table_add (self->watches, w);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_set_content_type (headers, "application/json", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);

  if (since == 0)
    since = send_initial (w, target, &error);
  g_autofree char *prefix = api_store_prefix (target->type, target->namespace);
  if (since >= 0)
    w->watch = timon_store_watch (self->store, prefix, since, &error);
  if (w->watch == NULL) {
    /* As Kubernetes: a 200 stream whose one event is the error. */
    if (g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED)) {
      g_autoptr (GError) expired =
        g_error_new (TIMON_API_ERROR, TIMON_API_ERROR_EXPIRED,
                     "too old resource version: %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT ")", since,
                     timon_store_get_compact_revision (self->store));
      send_error (w, expired);
    } else {
      g_autoptr (GError) api_error = api_store_error (error, target->type, NULL);
      send_error (w, api_error);
    }
    end_stream (w);
    return;
  }
  g_signal_connect (w->watch, "events", G_CALLBACK (on_events), w);
  g_signal_connect (w->watch, "closed", G_CALLBACK (on_closed), w);
  if (timeout > 0) {
    w->timeout = g_timeout_source_new_seconds ((guint) timeout);
    g_source_set_callback (w->timeout, on_timeout, w, NULL);
    g_source_attach (w->timeout, g_main_context_get_thread_default ());
  }
}
