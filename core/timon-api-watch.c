/* timon-api-watch.c: ?watch=true streams. One JSON event per line,
 * chunked, each written as it happens; filtered by the label and field
 * selectors, with the transitions Kubernetes makes (an object that stops
 * matching is DELETED for this watcher, one that starts matching ADDED).
 *
 * A watch is fed by its type's watch cache (timon-api-cache.c), which
 * serializes each event once for all its watchers; while the caches
 * load, or from a revision older than the cache's ring, by a store
 * watch of its own.
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
  TimonApiServer *server; /* unowned */
  ApiWorker *worker;      /* the one serving it, which owns it */
  ApiMessage *msg;
  guint finished_id;
  TimonResourceType *type;
  ApiFilter *filter;
  ApiTable *table;        /* NULL: the events hold the objects */
  gboolean sent_columns;  /* the column definitions went out with an event */
  char *prefix;           /* the keys watched: one namespace's, or the type's */
  gint64 since;           /* every event up to it was sent, or predates the watch */
  gboolean bookmarks;     /* allowWatchBookmarks */
  ApiCache *cache;        /* what feeds the watch: its type's cache, */
  TimonStoreWatch *watch; /* or a store watch */
  GSource *timeout;
  gboolean ended;
};

static void
detach (ApiWatch *w)
{
  if (w->cache != NULL) {
    api_cache_remove_watch (w->cache, w, w->worker->index);
    w->cache = NULL;
  }
  if (w->watch != NULL) {
    g_signal_handlers_disconnect_by_data (w->watch, w);
    timon_store_watch_cancel (w->watch);
    g_clear_object (&w->watch);
  }
}

void
api_watch_free (ApiWatch *w)
{
  detach (w);
  if (w->timeout != NULL) {
    g_source_destroy (w->timeout);
    g_clear_pointer (&w->timeout, g_source_unref);
  }
  api_message_disconnect_finished (w->msg, w->finished_id);
  api_message_unref (w->msg);
  g_clear_pointer (&w->filter, api_filter_free);
  g_clear_pointer (&w->table, api_table_free);
  g_free (w->prefix);
  timon_resource_type_unref (w->type);
  g_atomic_int_add (&w->server->n_watches, -1);
  g_free (w);
}

static void
append (ApiWatch *w, GBytes *line)
{
  api_message_write_chunk (w->msg, line);
}

static void
send_node (ApiWatch *w, const char *type, JsonNode *object)
{
  g_autofree char *json = api_node_to_string (object, NULL);
  g_autofree char *line = g_strdup_printf ("{\"type\":\"%s\",\"object\":%s}\n", type, json);
  gsize length = strlen (line);
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&line), length);
  append (w, bytes);
}

/* `kubectl get -w` asks for Tables: each object event is a Table of one
 * row (errors stay Status). The first carries the column definitions,
 * for a client that watches without listing first. */
static void
send_table (ApiWatch *w, const char *type, ApiEntry *entry)
{
  g_autoptr (JsonNode) object = api_entry_parse (entry);
  g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, entry->mod_revision);
  g_autoptr (JsonNode) table = api_table_build (w->table, &object, 1, rv, NULL, !w->sent_columns);
  w->sent_columns = TRUE;
  send_node (w, type, table);
}

static const char *const event_names[] = { "ADDED", "MODIFIED", "DELETED" };

/* An object outside any event: the initial state. */
static void
send_entry (ApiWatch *w, ApiEventType type, ApiEntry *entry)
{
  if (w->table != NULL) {
    send_table (w, event_names[type], entry);
    return;
  }
  g_autoptr (GBytes) line = api_entry_to_line (entry, type);
  append (w, line);
}

static void
send_event (ApiWatch *w, ApiEvent *event, ApiEventType type)
{
  if (w->table != NULL)
    send_table (w, event_names[type], api_event_get_object (event, type));
  else
    api_message_write_framed (w->msg, api_event_get_chunk (event, type));
}

/* Ends the stream; the message's end then frees the watch. */
static void
end_stream (ApiWatch *w)
{
  if (w->ended)
    return;
  w->ended = TRUE;
  detach (w);
  api_message_end_stream (w->msg);
}

void
api_watch_end (ApiWatch *w)
{
  end_stream (w);
}

static void
send_error (ApiWatch *w, const GError *error)
{
  g_autoptr (JsonNode) status = timon_status_new_from_error (error, NULL, NULL, NULL);
  send_node (w, "ERROR", status);
}

/* A BOOKMARK: the object is only its kind and resourceVersion, and for
 * the end of the initial events the annotation that says so. */
static void
send_bookmark (ApiWatch *w, gint64 revision, gboolean initial_end)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *api_version = api_api_version (w->type);
  g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, revision);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, timon_resource_type_get_kind (w->type));
  json_builder_set_member_name (builder, "apiVersion");
  json_builder_add_string_value (builder, api_version);
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "resourceVersion");
  json_builder_add_string_value (builder, rv);
  if (initial_end) {
    json_builder_set_member_name (builder, "annotations");
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "k8s.io/initial-events-end");
    json_builder_add_string_value (builder, "true");
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  g_autoptr (JsonNode) object = json_builder_get_root (builder);
  send_node (w, "BOOKMARK", object);
}

void
api_watch_bookmark (ApiWatch *w, gint64 revision)
{
  if (!w->bookmarks || w->ended || revision < w->since)
    return;
  w->since = revision;
  send_bookmark (w, revision, FALSE);
}

static gboolean
matches (ApiWatch *w, ApiEntry *entry)
{
  return entry != NULL && api_filter_matches_attrs (w->filter, entry->attrs);
}

void
api_watch_deliver (ApiWatch *w, ApiEvent *event)
{
  ApiEntry *object = event->entry != NULL ? event->entry : event->prev;

  if (w->ended || event->revision <= w->since || !g_str_has_prefix (object->key, w->prefix))
    return;
  w->since = event->revision;

  switch (event->kind) {
  case TIMON_STORE_EVENT_CREATE:
    if (matches (w, event->entry))
      send_event (w, event, API_EVENT_ADDED);
    break;
  case TIMON_STORE_EVENT_UPDATE: {
    gboolean now = matches (w, event->entry);
    gboolean before = api_filter_is_empty (w->filter) ? now : matches (w, event->prev);
    if (now && before)
      send_event (w, event, API_EVENT_MODIFIED);
    else if (now)
      send_event (w, event, API_EVENT_ADDED);
    else if (before)
      send_event (w, event, API_EVENT_DELETED);
    break;
  }
  case TIMON_STORE_EVENT_DELETE:
    if (matches (w, event->prev))
      send_event (w, event, API_EVENT_DELETED);
    break;
  }
}

/* A watch the store feeds: its events become the cache's kind. */
static void
on_events (TimonStoreWatch *watch, GPtrArray *events, gpointer user_data)
{
  ApiWatch *w = user_data;

  for (guint i = 0; i < events->len && !w->ended; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (ApiEvent) event =
      api_event_new_from_store (w->type, events->pdata[i], NULL, NULL, &error);
    if (event != NULL)
      api_watch_deliver (w, event);
    else
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
  /* As Kubernetes: a last bookmark, so the client resumes from it. */
  if (w->cache != NULL)
    api_watch_bookmark (w, api_caches_get_revision (w->server));
  end_stream (w);
  return G_SOURCE_REMOVE;
}

static void
on_finished (ApiMessage *msg, gpointer user_data)
{
  ApiWatch *w = user_data;
  g_hash_table_remove (w->worker->watches, w);
}

/* The current objects as ADDED events, from the cache when it may
 * answer, else from the store; returns the revision they are at, or -1
 * with @error. */
static gint64
send_initial (ApiWatch *w, ApiCache *cache, gint64 min_revision, GError **error)
{
  if (cache != NULL && api_caches_have (w->server, min_revision)) {
    gboolean more;
    g_autoptr (GPtrArray) entries = api_cache_list (cache, w->prefix, w->filter, 0, &more);
    for (guint i = 0; i < entries->len; i++)
      send_entry (w, API_EVENT_ADDED, entries->pdata[i]);
    return api_caches_get_revision (w->server);
  }

  g_autofree char *next = NULL;
  gint64 revision = 0;
  do {
    g_autofree char *token = g_steal_pointer (&next);
    g_autoptr (GPtrArray) items =
      timon_store_list (w->server->store, w->prefix, TIMON_STORE_REVISION_LATEST, 500, token,
                        &revision, &next, error);
    if (items == NULL)
      return -1;
    for (guint i = 0; i < items->len; i++) {
      TimonStoreItem *item = items->pdata[i];
      g_autoptr (ApiEntry) entry =
        api_entry_new (w->type, timon_store_item_get_key (item), timon_store_item_get_value (item),
                       timon_store_item_get_mod_revision (item), error);
      if (entry == NULL)
        return -1;
      if (matches (w, entry))
        send_entry (w, API_EVENT_ADDED, entry);
    }
  } while (next != NULL);
  return revision;
}

/* Starts feeding @w from @since on; %FALSE with @error when the store
 * no longer has that revision. */
static gboolean
follow (ApiWatch *w, ApiCache *cache, gint64 since, GError **error)
{
  g_autoptr (GError) local = NULL;

  w->since = since;
  if (cache != NULL && api_cache_add_watch (cache, w, w->worker->index, since)) {
    w->cache = cache;
    return TRUE;
  }
  w->watch = timon_store_watch (w->server->store, w->prefix, since, &local);
  if (w->watch == NULL) {
    if (g_error_matches (local, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED))
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_EXPIRED,
                   "too old resource version: %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT ")", since,
                   timon_store_get_compact_revision (w->server->store));
    else
      *error = api_store_error (local, w->type, NULL);
    return FALSE;
  }
  g_signal_connect (w->watch, "events", G_CALLBACK (on_events), w);
  g_signal_connect (w->watch, "closed", G_CALLBACK (on_closed), w);
  return TRUE;
}

/* Takes @table (nullable): the events are then Tables. */
void
api_handle_watch (TimonApiServer *self,
                  ApiMessage *msg,
                  ApiTarget *target,
                  GHashTable *query,
                  ApiTable *table)
{
  g_autoptr (ApiTable) owned_table = table;
  g_autoptr (GError) error = NULL;
  g_autoptr (ApiFilter) filter = api_filter_new (target->type, query, &error);
  ApiListOptions options;
  guint64 timeout = DEFAULT_TIMEOUT_SECONDS;
  const char *timeout_text = g_hash_table_lookup (query, "timeoutSeconds");

  if (filter == NULL || !api_list_options_parse (&options, query, TRUE, msg)) {
    if (error != NULL)
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
  w->worker = api_worker_current ();
  w->msg = api_message_ref (msg);
  w->type = timon_resource_type_ref (target->type);
  w->filter = g_steal_pointer (&filter);
  w->table = g_steal_pointer (&owned_table);
  w->prefix = api_store_prefix (target->type, target->namespace);
  w->bookmarks = options.allow_bookmarks;
  /* Also when the client closes its side, which the connection sees at
   * once: a selective watch of a gone client would otherwise live until
   * an event for it fails to be written, which may be never. */
  w->finished_id = api_message_connect_finished (msg, on_finished, w);
  g_hash_table_add (w->worker->watches, w);
  g_atomic_int_inc (&self->n_watches);

  api_message_begin_stream (msg, "application/json");

  if (g_atomic_int_get (&self->stopping)) {
    /* Shutting down: the client watches again elsewhere. */
    end_stream (w);
    return;
  }
  /* Kubernetes' table: without a resourceVersion (or "0"), the watch
   * starts with the current objects, unless sendInitialEvents=false;
   * sendInitialEvents=true sends them whatever the resourceVersion, and
   * a bookmark marks their end. */
  ApiCache *cache = api_cache_lookup (self, target->type);
  gboolean initial = options.send_initial == API_TRISTATE_TRUE ||
                     (options.send_initial == API_TRISTATE_UNSET && options.revision <= 0);
  gint64 since = options.revision > 0 ? options.revision : 0;
  if (initial) {
    /* -1, 0 or N: "most recent", "any", "not older than N", as
     * api_caches_have() takes them. */
    since = send_initial (w, cache, options.revision, &error);
    if (since >= 0 && options.send_initial == API_TRISTATE_TRUE)
      send_bookmark (w, since, TRUE);
  } else if (options.revision <= 0) {
    since = cache != NULL ? api_caches_get_revision (self) : timon_store_get_revision (self->store);
  }
  if (since < 0 || !follow (w, cache, since, &error)) {
    /* As Kubernetes: a 200 stream whose one event is the error. */
    send_error (w, error);
    end_stream (w);
    return;
  }
  if (timeout > 0) {
    w->timeout = g_timeout_source_new_seconds ((guint) timeout);
    g_source_set_callback (w->timeout, on_timeout, w, NULL);
    g_source_attach (w->timeout, g_main_context_get_thread_default ());
  }
}
