/* timon-api-cache.c: the watch cache. Kubernetes' apiserver keeps, for
 * each resource type, the current objects and a ring of recent events,
 * fed by one watch on etcd, so that lists and watches cost the store
 * nothing however many clients ask; Timon does the same.
 *
 * One store watch on the whole registry feeds every type's cache, so
 * that the caches advance together with the store's one revision: a
 * cache is current (a consistent read may use it) exactly when it has
 * seen the store's current revision, whichever type was written last.
 *
 * Objects are kept as they are served, resourceVersion included, beside
 * the attributes selectors look at: a GET or LIST copies bytes, and an
 * event is serialized once for all its watchers, whose lines share one
 * GBytes.
 *
 * The caches load in a thread when the server starts, all types at one
 * revision; until then, and for what the caches cannot answer (a watch
 * from before the ring, a list at an exact past revision, a continued
 * list), requests go to the store as before.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

/* Events kept per type: a watch that resumes from further back is
 * served by the store, which keeps more history. */
#define RING_CAPACITY 4096
#define LOAD_PAGE 1000
/* Kubernetes sends watches that ask for them a bookmark about every
 * minute. */
#define BOOKMARK_SECONDS 60

struct _ApiCache {
  gatomicrefcount ref;
  gint dead;              /* the server let go of it (atomic) */
  TimonApiServer *server; /* unowned */
  TimonResourceType *type;
  char *prefix;   /* the keys of its objects */
  char *root;     /* the type's part of them, which the server finds it by */
  GTree *objects; /* key (the entry's) → ApiEntry */
  ApiEvent **ring;
  guint ring_head; /* the oldest event */
  guint ring_length;
  gint64 ring_start;    /* every event after this revision is in the ring */
  GPtrArray **watchers; /* per worker, its ApiWatch (unowned: the worker owns them) */
  guint n_workers;
};

/* ---- entries ------------------------------------------------------------ */

/**
 * api_entry_new:
 * @value: an object as stored (or as served: its resourceVersion is
 *   replaced)
 * @revision: the resourceVersion to serve it with
 *
 * Returns: an entry, or %NULL with @error when @value is no JSON object
 */
/* Takes @json and @attrs. */
static ApiEntry *
entry_new_take (const char *key, gint64 revision, GBytes *json, char **attrs, gboolean deleting)
{
  ApiEntry *entry = g_new0 (ApiEntry, 1);
  g_atomic_ref_count_init (&entry->ref);
  entry->mod_revision = revision;
  entry->key = g_strdup (key);
  entry->json = json;
  entry->attrs = attrs;
  entry->deleting = deleting;
  return entry;
}

ApiEntry *
api_entry_new (TimonResourceType *type,
               const char *key,
               GBytes *value,
               gint64 revision,
               GError **error)
{
  g_autoptr (JsonNode) node = api_value_to_node (key, value, revision, error);

  if (node == NULL)
    return NULL;
  JsonObject *served = json_node_get_object (node);
  JsonObject *metadata = api_object_child (served, "metadata");
  return entry_new_take (key, revision, api_serialize (served), api_attrs_new (type, served),
                         api_object_string (metadata, "deletionTimestamp") != NULL);
}

ApiEntry *
api_entry_ref (ApiEntry *entry)
{
  g_atomic_ref_count_inc (&entry->ref);
  return entry;
}

void
api_entry_unref (ApiEntry *entry)
{
  if (!g_atomic_ref_count_dec (&entry->ref))
    return;
  g_bytes_unref (entry->json);
  g_free (entry->attrs);
  g_free (entry->key);
  g_free (entry);
}

/* The entry as a JSON tree, for what needs one (tables). */
JsonNode *
api_entry_parse (ApiEntry *entry)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (entry->json, &size);

  /* It was serialized from a JSON object: it parses. */
  if (!json_parser_load_from_data (parser, data, (gssize) size, NULL))
    g_return_val_if_reached (json_node_init_object (json_node_alloc (), json_object_new ()));
  return json_node_ref (json_parser_get_root (parser));
}

/* ---- events ------------------------------------------------------------- */

/**
 * api_event_new_from_store:
 * @entry: (nullable): the object after the change, when the caller made
 *   it already; else it is read from @event
 * @prev: (nullable): the object before the change, when the caller has
 *   it; else it is read from @event
 */
ApiEvent *
api_event_new_from_store (TimonResourceType *type,
                          TimonStoreEvent *event,
                          ApiEntry *entry,
                          ApiEntry *prev,
                          GError **error)
{
  g_autoptr (ApiEvent) ev = g_new0 (ApiEvent, 1);
  TimonStoreItem *item = timon_store_event_get_item (event);
  TimonStoreItem *prev_item = timon_store_event_get_prev_item (event);
  const char *key = timon_store_event_get_key (event);

  g_atomic_ref_count_init (&ev->ref);
  ev->type = timon_resource_type_ref (type);
  ev->kind = timon_store_event_get_event_type (event);
  ev->revision = timon_store_event_get_revision (event);
  if (entry != NULL) {
    ev->entry = api_entry_ref (entry);
  } else if (ev->kind != TIMON_STORE_EVENT_DELETE && item != NULL) {
    ev->entry = api_entry_new (type, key, timon_store_item_get_value (item),
                               timon_store_item_get_mod_revision (item), error);
    if (ev->entry == NULL)
      return NULL;
  }
  if (prev != NULL) {
    ev->prev = api_entry_ref (prev);
  } else if (ev->kind != TIMON_STORE_EVENT_CREATE && prev_item != NULL) {
    ev->prev = api_entry_new (type, key, timon_store_item_get_value (prev_item),
                              timon_store_item_get_mod_revision (prev_item), error);
    if (ev->prev == NULL)
      return NULL;
  }
  if (ev->entry == NULL && ev->prev == NULL) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_INTERNAL,
                 "the store reported a change of %s without the object", key);
    return NULL;
  }
  return g_steal_pointer (&ev);
}

ApiEvent *
api_event_ref (ApiEvent *event)
{
  g_atomic_ref_count_inc (&event->ref);
  return event;
}

void
api_event_unref (ApiEvent *event)
{
  if (!g_atomic_ref_count_dec (&event->ref))
    return;
  g_clear_pointer (&event->entry, api_entry_unref);
  g_clear_pointer (&event->prev, api_entry_unref);
  g_clear_pointer (&event->deleted, api_entry_unref);
  for (guint i = 0; i < G_N_ELEMENTS (event->chunks); i++)
    g_clear_pointer (&event->chunks[i], g_bytes_unref);
  timon_resource_type_unref (event->type);
  g_free (event);
}

/* What an event makes on first use, for watchers of several threads. */
static GMutex event_lock;

static ApiEntry *
event_object (ApiEvent *event)
{
  if (event->entry != NULL)
    return event->entry;
  /* As Kubernetes: a DELETED event carries the last state of the object
   * with the revision of its deletion. */
  if (event->deleted == NULL) {
    event->deleted =
      api_entry_new (event->type, event->prev->key, event->prev->json, event->revision, NULL);
    if (event->deleted == NULL)
      event->deleted = api_entry_ref (event->prev);
  }
  return event->deleted;
}

ApiEntry *
api_event_get_object (ApiEvent *event, ApiEventType type)
{
  g_mutex_lock (&event_lock);
  ApiEntry *object = event_object (event);
  g_mutex_unlock (&event_lock);
  return object;
}

/* A watch event's line: {"type":"ADDED","object":...} and a newline. */
GBytes *
api_entry_to_line (ApiEntry *entry, ApiEventType type)
{
  static const char *const names[] = { "ADDED", "MODIFIED", "DELETED" };
  gsize size;
  const char *json = g_bytes_get_data (entry->json, &size);
  GString *line = g_string_sized_new (size + 40);

  g_string_append_printf (line, "{\"type\":\"%s\",\"object\":", names[type]);
  g_string_append_len (line, json, (gssize) size);
  g_string_append (line, "}\n");
  return g_string_free_to_bytes (line);
}

GBytes *
api_event_get_chunk (ApiEvent *event, ApiEventType type)
{
  g_mutex_lock (&event_lock);
  if (event->chunks[type] == NULL) {
    g_autoptr (GBytes) line = api_entry_to_line (event_object (event), type);
    event->chunks[type] = api_chunk_new (line);
  }
  GBytes *chunk = event->chunks[type];
  g_mutex_unlock (&event_lock);
  return chunk;
}

/* ---- what writers know already ----------------------------------------- */

/* A write's API handler has the object parsed: it leaves the cache its
 * selector attributes and where its metadata starts in the bytes it
 * writes, keyed by those bytes (the store hands the same GBytes back in
 * the event). The cache then makes the entry by splicing the
 * resourceVersion in, where it would parse and serialize again, on the
 * main thread every write goes through. */
typedef struct {
  char **attrs;
  gsize metadata; /* the offset of the '{' of the top-level "metadata" */
  gboolean empty; /* that object is {} */
  gboolean deleting;
} ApiHint;

static void
hint_free (ApiHint *hint)
{
  g_free (hint->attrs);
  g_free (hint);
}

/* Where the top-level member "metadata" of @json opens its object. */
static gboolean
find_metadata (const char *json, gsize size, gsize *out_offset, gboolean *out_empty)
{
  int depth = 0;

  for (gsize i = 0; i < size; i++) {
    char c = json[i];
    if (c == '"') {
      gsize start = ++i;
      while (i < size && json[i] != '"')
        i += json[i] == '\\' ? 2 : 1;
      if (i >= size)
        return FALSE;
      gsize j = i + 1;
      while (j < size && g_ascii_isspace (json[j]))
        j++;
      if (depth != 1 || j >= size || json[j] != ':' || i - start != 8 ||
          memcmp (json + start, "metadata", 8) != 0)
        continue;
      for (j++; j < size && g_ascii_isspace (json[j]); j++)
        ;
      if (j >= size || json[j] != '{')
        return FALSE;
      gsize k = j + 1;
      while (k < size && g_ascii_isspace (json[k]))
        k++;
      *out_offset = j;
      *out_empty = k < size && json[k] == '}';
      return TRUE;
    }
    if (c == '{' || c == '[')
      depth++;
    else if (c == '}' || c == ']')
      depth--;
  }
  return FALSE;
}

/* @value is what api_serialize() made of @object, stored without a
 * resourceVersion. */
void
api_cache_hint (TimonApiServer *self, TimonResourceType *type, GBytes *value, JsonObject *object)
{
  JsonObject *metadata = api_object_child (object, "metadata");
  gsize size;
  const char *data = g_bytes_get_data (value, &size);
  gsize offset;
  gboolean empty;

  if (!g_atomic_int_get (&self->caches_ready) || metadata == NULL ||
      json_object_has_member (metadata, "resourceVersion") ||
      !find_metadata (data, size, &offset, &empty))
    return;
  ApiHint *hint = g_new0 (ApiHint, 1);
  hint->attrs = api_attrs_new (type, object);
  hint->metadata = offset;
  hint->empty = empty;
  hint->deleting = api_object_string (metadata, "deletionTimestamp") != NULL;
  g_mutex_lock (&self->hints_lock);
  g_hash_table_replace (self->hints, g_bytes_ref (value), hint);
  g_mutex_unlock (&self->hints_lock);
}

/* The write is done: its hint, if the cache did not take it, goes. */
void
api_cache_unhint (TimonApiServer *self, GBytes *value)
{
  /* The caches are gone once the workers are: only the main thread's
   * writes may end after, in that same thread. */
  if (self->hints == NULL)
    return;
  g_mutex_lock (&self->hints_lock);
  g_hash_table_remove (self->hints, value);
  g_mutex_unlock (&self->hints_lock);
}

/* The entry of a write whose hint is there, or NULL. */
static ApiEntry *
entry_from_hint (TimonApiServer *self, TimonStoreItem *item)
{
  GBytes *value = timon_store_item_get_value (item);
  gpointer key = NULL, found = NULL;

  if (value == NULL)
    return NULL;
  g_mutex_lock (&self->hints_lock);
  gboolean hinted = g_hash_table_steal_extended (self->hints, value, &key, &found);
  g_mutex_unlock (&self->hints_lock);
  if (!hinted)
    return NULL;
  g_bytes_unref (key);
  ApiHint *hint = found;

  gsize size;
  const char *data = g_bytes_get_data (value, &size);
  gint64 revision = timon_store_item_get_mod_revision (item);
  GString *json = g_string_sized_new (size + 48);
  g_string_append_len (json, data, (gssize) hint->metadata + 1);
  g_string_append_printf (json, "\"resourceVersion\":\"%" G_GINT64_FORMAT "\"%s", revision,
                          hint->empty ? "" : ",");
  g_string_append_len (json, data + hint->metadata + 1, (gssize) (size - hint->metadata - 1));

  ApiEntry *entry =
    entry_new_take (timon_store_item_get_key (item), revision, g_string_free_to_bytes (json),
                    g_steal_pointer (&hint->attrs), hint->deleting);
  hint_free (hint);
  return entry;
}

/* ---- one type's cache ----------------------------------------------------- */

/* Threads: the main thread changes the objects and the ring, under the
 * server's cache_lock taken for writing, once per batch of store
 * events; workers read them under it taken for reading. Each worker
 * keeps its own list of the cache's watches, touched only in its
 * thread: the main thread hands events to the workers
 * (api_worker_invoke()), which hand them to their watches. */

static char *
type_root (const char *key)
{
  const char *end = key;
  for (guint slashes = 0; slashes < 4; slashes++) {
    end = strchr (end, '/');
    if (end == NULL)
      return NULL;
    end++;
  }
  return g_strndup (key, (gsize) (end - key));
}

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (a, b);
}

static ApiCache *
cache_new (TimonApiServer *server, TimonResourceType *type)
{
  ApiCache *cache = g_new0 (ApiCache, 1);
  g_atomic_ref_count_init (&cache->ref);
  cache->server = server;
  cache->type = timon_resource_type_ref (type);
  cache->prefix = api_store_prefix (type, NULL);
  cache->root = type_root (cache->prefix);
  /* Keys belong to the entries: g_tree_replace() swaps both. */
  cache->objects = g_tree_new_full (compare_keys, NULL, NULL, (GDestroyNotify) api_entry_unref);
  cache->ring = g_new0 (ApiEvent *, RING_CAPACITY);
  cache->n_workers = server->workers->len;
  cache->watchers = g_new0 (GPtrArray *, cache->n_workers);
  for (guint i = 0; i < cache->n_workers; i++)
    cache->watchers[i] = g_ptr_array_new ();
  return cache;
}

static void
cache_clear_ring (ApiCache *cache)
{
  for (guint i = 0; i < cache->ring_length; i++)
    api_event_unref (cache->ring[(cache->ring_head + i) % RING_CAPACITY]);
  cache->ring_head = 0;
  cache->ring_length = 0;
}

static ApiCache *
cache_ref (ApiCache *cache)
{
  g_atomic_ref_count_inc (&cache->ref);
  return cache;
}

static void
cache_unref (ApiCache *cache)
{
  if (!g_atomic_ref_count_dec (&cache->ref))
    return;
  for (guint i = 0; i < cache->n_workers; i++)
    g_ptr_array_unref (cache->watchers[i]);
  g_free (cache->watchers);
  cache_clear_ring (cache);
  g_free (cache->ring);
  g_tree_destroy (cache->objects);
  g_free (cache->prefix);
  g_free (cache->root);
  timon_resource_type_unref (cache->type);
  g_free (cache);
}

/* The server lets go of it (the workers are gone by then); events on
 * their way to a worker may still hold it. */
static void
cache_release (ApiCache *cache)
{
  g_atomic_int_set (&cache->dead, TRUE);
  cache_unref (cache);
}

static void
cache_push (ApiCache *cache, ApiEvent *event)
{
  if (cache->ring_length == RING_CAPACITY) {
    ApiEvent *oldest = cache->ring[cache->ring_head];
    cache->ring_start = oldest->revision;
    api_event_unref (oldest);
    cache->ring_head = (cache->ring_head + 1) % RING_CAPACITY;
    cache->ring_length--;
  }
  cache->ring[(cache->ring_head + cache->ring_length) % RING_CAPACITY] = api_event_ref (event);
  cache->ring_length++;
}

/* Under the write lock: the event the change makes, or NULL. */
static ApiEvent *
cache_apply (ApiCache *cache, TimonStoreEvent *store_event)
{
  const char *key = timon_store_event_get_key (store_event);
  ApiEntry *current = g_tree_lookup (cache->objects, key);
  TimonStoreItem *item = timon_store_event_get_item (store_event);
  g_autoptr (ApiEntry) hinted = NULL;
  g_autoptr (GError) error = NULL;

  if (item != NULL && timon_store_event_get_event_type (store_event) != TIMON_STORE_EVENT_DELETE)
    hinted = entry_from_hint (cache->server, item);
  ApiEvent *event = api_event_new_from_store (cache->type, store_event, hinted, current, &error);

  if (event == NULL) {
    /* A value that is no object: the store serves it as an error; the
     * cache forgets the key rather than serve a stale object. */
    g_warning ("watch cache: %s", error->message);
    g_tree_remove (cache->objects, key);
    return NULL;
  }
  if (event->entry != NULL)
    g_tree_replace (cache->objects, event->entry->key, api_entry_ref (event->entry));
  else
    g_tree_remove (cache->objects, key);
  cache_push (cache, event);
  return event;
}

ApiEntry *
api_cache_get (ApiCache *cache, const char *key)
{
  g_rw_lock_reader_lock (&cache->server->cache_lock);
  ApiEntry *entry = g_tree_lookup (cache->objects, key);
  if (entry != NULL)
    api_entry_ref (entry);
  g_rw_lock_reader_unlock (&cache->server->cache_lock);
  return entry;
}

guint
api_cache_count (ApiCache *cache)
{
  g_rw_lock_reader_lock (&cache->server->cache_lock);
  guint count = (guint) g_tree_nnodes (cache->objects);
  g_rw_lock_reader_unlock (&cache->server->cache_lock);
  return count;
}

GPtrArray *
api_cache_list (ApiCache *cache,
                const char *prefix,
                ApiFilter *filter,
                guint limit,
                gboolean *out_more)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) api_entry_unref);
  gboolean everything = filter == NULL || api_filter_is_empty (filter);

  *out_more = FALSE;
  g_rw_lock_reader_lock (&cache->server->cache_lock);
  for (GTreeNode *node = g_tree_lower_bound (cache->objects, prefix); node != NULL;
       node = g_tree_node_next (node)) {
    ApiEntry *entry = g_tree_node_value (node);
    if (!g_str_has_prefix (entry->key, prefix))
      break;
    if (limit > 0 && entries->len == limit) {
      /* As Kubernetes: more keys, matching or not, give a continue
       * token (its next page may come out empty). */
      *out_more = TRUE;
      break;
    }
    if (everything || api_filter_matches_attrs (filter, entry->attrs))
      g_ptr_array_add (entries, api_entry_ref (entry));
  }
  g_rw_lock_reader_unlock (&cache->server->cache_lock);
  return entries;
}

/* In the watch's worker. The events the ring holds go first, then what
 * the main thread hands over; an event handed over that the ring
 * already gave is skipped by its revision. */
gboolean
api_cache_add_watch (ApiCache *cache, ApiWatch *watch, guint worker, gint64 since)
{
  g_rw_lock_reader_lock (&cache->server->cache_lock);
  gboolean reaches = since >= cache->ring_start;
  if (reaches) {
    for (guint i = 0; i < cache->ring_length; i++) {
      ApiEvent *event = cache->ring[(cache->ring_head + i) % RING_CAPACITY];
      if (event->revision > since)
        api_watch_deliver (watch, event);
    }
    g_ptr_array_add (cache->watchers[worker], watch);
  }
  g_rw_lock_reader_unlock (&cache->server->cache_lock);
  return reaches;
}

void
api_cache_remove_watch (ApiCache *cache, ApiWatch *watch, guint worker)
{
  g_ptr_array_remove_fast (cache->watchers[worker], watch);
}

/* ---- handing events to the workers ------------------------------------------ */

typedef struct {
  ApiCache *cache;
  guint worker;
  GPtrArray *events; /* ApiEvent */
  gint64 revision;   /* a bookmark's */
} Handover;

static void
handover_free (Handover *handover)
{
  g_clear_pointer (&handover->cache, cache_unref);
  g_clear_pointer (&handover->events, g_ptr_array_unref);
  g_free (handover);
}

static gboolean
deliver_events (gpointer data)
{
  Handover *handover = data;
  ApiCache *cache = handover->cache;

  if (g_atomic_int_get (&cache->dead))
    return G_SOURCE_REMOVE;
  GPtrArray *watchers = cache->watchers[handover->worker];
  for (guint i = 0; i < handover->events->len; i++) {
    for (guint j = 0; j < watchers->len; j++)
      api_watch_deliver (watchers->pdata[j], handover->events->pdata[i]);
  }
  return G_SOURCE_REMOVE;
}

/* The watches of every cache a worker serves, in its thread. */
typedef void (*WatchFunc) (ApiWatch *watch, gint64 revision);

typedef struct {
  TimonApiServer *server;
  guint worker;
  WatchFunc func;
  gint64 revision;
} ForEachWatch;

static gboolean
for_each_watch (gpointer data)
{
  ForEachWatch *each = data;
  GHashTableIter iter;
  gpointer value;

  if (each->server->caches == NULL)
    return G_SOURCE_REMOVE;
  g_hash_table_iter_init (&iter, each->server->caches);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    GPtrArray *watchers = ((ApiCache *) value)->watchers[each->worker];
    /* Backwards: ending a watch takes it out of the list. */
    for (guint i = watchers->len; i > 0; i--)
      each->func (watchers->pdata[i - 1], each->revision);
  }
  return G_SOURCE_REMOVE;
}

static void
invoke_each_watch (TimonApiServer *self, WatchFunc func, gint64 revision)
{
  for (guint i = 0; i < self->workers->len; i++) {
    ForEachWatch *each = g_new (ForEachWatch, 1);
    *each = (ForEachWatch){ self, i, func, revision };
    api_worker_invoke (self->workers->pdata[i], for_each_watch, each, g_free);
  }
}

static void
end_watch (ApiWatch *watch, gint64 revision)
{
  api_watch_end (watch);
}

/* ---- all of them ----------------------------------------------------------- */

/* The cache a store key belongs to: the key's first four slashes end
 * its type's root ("/registry/core/pods/"; cluster-scoped types add
 * "_/" after it). */
static ApiCache *
cache_for_key (TimonApiServer *self, const char *key)
{
  g_autofree char *root = type_root (key);
  return root != NULL ? g_hash_table_lookup (self->caches, root) : NULL;
}

ApiCache *
api_cache_lookup (TimonApiServer *self, TimonResourceType *type)
{
  /* On the path of every request: no key to build. */
  if (!g_atomic_int_get (&self->caches_ready))
    return NULL;
  return g_hash_table_lookup (self->caches_by_type, type);
}

gboolean
api_caches_have (TimonApiServer *self, gint64 revision)
{
  if (revision < 0)
    revision = timon_store_get_revision (self->store);
  g_rw_lock_reader_lock (&self->cache_lock);
  gboolean have = self->caches_ready && self->cache_revision >= revision;
  g_rw_lock_reader_unlock (&self->cache_lock);
  return have;
}

gint64
api_caches_get_revision (TimonApiServer *self)
{
  g_rw_lock_reader_lock (&self->cache_lock);
  gint64 revision = self->cache_revision;
  g_rw_lock_reader_unlock (&self->cache_lock);
  return revision;
}

static void
on_store_events (TimonStoreWatch *watch, GPtrArray *events, gpointer user_data)
{
  TimonApiServer *self = user_data;
  /* ApiCache → GPtrArray of its events, in order */
  g_autoptr (GHashTable) batches =
    g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);

  g_rw_lock_writer_lock (&self->cache_lock);
  for (guint i = 0; i < events->len; i++) {
    TimonStoreEvent *store_event = events->pdata[i];
    ApiCache *cache = cache_for_key (self, timon_store_event_get_key (store_event));
    ApiEvent *event = cache != NULL ? cache_apply (cache, store_event) : NULL;
    if (event != NULL) {
      GPtrArray *batch = g_hash_table_lookup (batches, cache);
      if (batch == NULL) {
        batch = g_ptr_array_new_with_free_func ((GDestroyNotify) api_event_unref);
        g_hash_table_insert (batches, cache, batch);
      }
      g_ptr_array_add (batch, event);
    }
    self->cache_revision = MAX (self->cache_revision, timon_store_event_get_revision (store_event));
  }
  g_rw_lock_writer_unlock (&self->cache_lock);

  GHashTableIter iter;
  gpointer cache, batch;
  g_hash_table_iter_init (&iter, batches);
  while (g_hash_table_iter_next (&iter, &cache, &batch)) {
    for (guint i = 0; i < self->workers->len; i++) {
      Handover *handover = g_new0 (Handover, 1);
      handover->cache = cache_ref (cache);
      handover->worker = i;
      handover->events = g_ptr_array_ref (batch);
      api_worker_invoke (self->workers->pdata[i], deliver_events, handover,
                         (GDestroyNotify) handover_free);
    }
  }
}

static void load_start (TimonApiServer *self);
static void clear_objects (TimonApiServer *self);

/* The store ended the watch (it fell behind a compaction): the caches
 * start over, and their watches end, as Kubernetes' do when its cacher
 * restarts; clients watch again. */
static void
on_store_closed (TimonStoreWatch *watch, GError *error, gpointer user_data)
{
  TimonApiServer *self = user_data;

  g_warning ("watch cache: the store ended its watch (%s); loading again",
             error != NULL ? error->message : "no reason given");
  g_signal_handlers_disconnect_by_data (self->cache_watch, self);
  g_clear_object (&self->cache_watch);
  g_rw_lock_writer_lock (&self->cache_lock);
  g_atomic_int_set (&self->caches_ready, FALSE);
  g_rw_lock_writer_unlock (&self->cache_lock);
  invoke_each_watch (self, end_watch, 0);
  clear_objects (self);
  load_start (self);
}

static gboolean
on_bookmark_timer (gpointer user_data)
{
  TimonApiServer *self = user_data;

  invoke_each_watch (self, api_watch_bookmark, api_caches_get_revision (self));
  return G_SOURCE_CONTINUE;
}

/* The load: every type's objects at one revision, read in a thread.
 * It owns what it reads, and finds the server, if still there, by a
 * weak reference when it is done. */
typedef struct {
  GWeakRef server;
  TimonStore *store;
  GPtrArray *types;   /* TimonResourceType */
  GPtrArray *entries; /* per type, a GPtrArray of ApiEntry */
  gint64 revision;
  gint64 started;
} Load;

static void
load_free (Load *load)
{
  g_weak_ref_clear (&load->server);
  g_object_unref (load->store);
  g_ptr_array_unref (load->types);
  g_ptr_array_unref (load->entries);
  g_free (load);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Load *load = task_data;
  GError *error = NULL;

  load->revision = timon_store_get_revision (load->store);
  for (guint i = 0; i < load->types->len; i++) {
    TimonResourceType *type = load->types->pdata[i];
    g_autofree char *prefix = api_store_prefix (type, NULL);
    GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) api_entry_unref);
    g_autofree char *next = NULL;
    g_ptr_array_add (load->entries, entries);
    if (load->revision == 0)
      continue; /* an empty store */
    do {
      g_autofree char *token = g_steal_pointer (&next);
      g_autoptr (GPtrArray) items = NULL;
      if (g_task_return_error_if_cancelled (task))
        return;
      items = timon_store_list (load->store, prefix, load->revision, LOAD_PAGE, token, NULL, &next,
                                &error);
      if (items == NULL) {
        g_task_return_error (task, error);
        return;
      }
      for (guint j = 0; j < items->len; j++) {
        TimonStoreItem *item = items->pdata[j];
        g_autoptr (GError) local = NULL;
        ApiEntry *entry =
          api_entry_new (type, timon_store_item_get_key (item), timon_store_item_get_value (item),
                         timon_store_item_get_mod_revision (item), &local);
        if (entry != NULL)
          g_ptr_array_add (entries, entry);
        else
          g_warning ("watch cache: %s", local->message);
      }
    } while (next != NULL);
  }
  g_task_return_boolean (task, TRUE);
}

static void
clear_objects (TimonApiServer *self)
{
  GHashTableIter iter;
  gpointer value;

  g_rw_lock_writer_lock (&self->cache_lock);
  g_hash_table_iter_init (&iter, self->caches);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    ApiCache *cache = value;
    cache_clear_ring (cache);
    g_tree_remove_all (cache->objects);
  }
  g_rw_lock_writer_unlock (&self->cache_lock);
}

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Load *load = g_task_get_task_data (G_TASK (result));
  g_autoptr (TimonApiServer) self = g_weak_ref_get (&load->server);
  g_autoptr (GError) error = NULL;
  guint count = 0;

  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    if (self == NULL || self->caches == NULL ||
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    /* Lists and watches go on from the store meanwhile. */
    g_warning ("watch cache: cannot load the objects: %s; trying again", error->message);
    g_clear_object (&self->cache_load);
    load_start (self);
    return;
  }
  if (self == NULL || self->caches == NULL)
    return;
  g_clear_object (&self->cache_load);

  /* From the load's revision on, the store's history tells the rest. */
  self->cache_watch = timon_store_watch (self->store, "/registry/", load->revision, &error);
  if (self->cache_watch == NULL) {
    g_warning ("watch cache: cannot watch the store: %s; trying again", error->message);
    load_start (self);
    return;
  }
  g_signal_connect (self->cache_watch, "events", G_CALLBACK (on_store_events), self);
  g_signal_connect (self->cache_watch, "closed", G_CALLBACK (on_store_closed), self);

  g_rw_lock_writer_lock (&self->cache_lock);
  for (guint i = 0; i < load->types->len; i++) {
    ApiCache *cache = g_hash_table_lookup (self->caches_by_type, load->types->pdata[i]);
    GPtrArray *entries = load->entries->pdata[i];
    for (guint j = 0; j < entries->len; j++) {
      ApiEntry *entry = entries->pdata[j];
      g_tree_replace (cache->objects, entry->key, api_entry_ref (entry));
    }
    cache->ring_start = load->revision;
    count += entries->len;
  }
  self->cache_revision = load->revision;
  g_atomic_int_set (&self->caches_ready, TRUE);
  g_rw_lock_writer_unlock (&self->cache_lock);
  g_message ("watch cache: %u objects of %u types at revision %" G_GINT64_FORMAT
             ", loaded in %.0f ms",
             count, load->types->len, load->revision,
             (double) (g_get_monotonic_time () - load->started) / 1000.0);
}

static void
load_start (TimonApiServer *self)
{
  Load *load = g_new0 (Load, 1);
  g_weak_ref_init (&load->server, self);
  load->store = g_object_ref (self->store);
  load->types = g_ptr_array_copy (self->types, (GCopyFunc) timon_resource_type_ref, NULL);
  g_ptr_array_set_free_func (load->types, (GDestroyNotify) timon_resource_type_unref);
  load->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  load->started = g_get_monotonic_time ();

  self->cache_load = g_cancellable_new ();
  g_autoptr (GTask) task = g_task_new (NULL, self->cache_load, on_loaded, NULL);
  g_task_set_source_tag (task, load_start);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_thread);
}

void
api_caches_start (TimonApiServer *self)
{
  g_mutex_init (&self->hints_lock);
  self->hints =
    g_hash_table_new_full (NULL, NULL, (GDestroyNotify) g_bytes_unref, (GDestroyNotify) hint_free);
  self->caches =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) cache_release);
  self->caches_by_type = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->types->len; i++) {
    ApiCache *cache = cache_new (self, self->types->pdata[i]);
    g_hash_table_insert (self->caches, cache->root, cache);
    g_hash_table_insert (self->caches_by_type, cache->type, cache);
  }
  self->bookmark_timer = g_timeout_source_new_seconds (BOOKMARK_SECONDS);
  g_source_set_callback (self->bookmark_timer, on_bookmark_timer, self, NULL);
  g_source_attach (self->bookmark_timer, g_main_context_get_thread_default ());
  load_start (self);
}

/* Once the workers are stopped. */
void
api_caches_stop (TimonApiServer *self)
{
  if (self->cache_load != NULL) {
    g_cancellable_cancel (self->cache_load);
    g_clear_object (&self->cache_load);
  }
  if (self->bookmark_timer != NULL) {
    g_source_destroy (self->bookmark_timer);
    g_clear_pointer (&self->bookmark_timer, g_source_unref);
  }
  if (self->cache_watch != NULL) {
    g_signal_handlers_disconnect_by_data (self->cache_watch, self);
    timon_store_watch_cancel (self->cache_watch);
    g_clear_object (&self->cache_watch);
  }
  g_atomic_int_set (&self->caches_ready, FALSE);
  g_clear_pointer (&self->caches_by_type, g_hash_table_unref);
  g_clear_pointer (&self->caches, g_hash_table_unref);
  if (self->hints != NULL) {
    g_clear_pointer (&self->hints, g_hash_table_unref);
    g_mutex_clear (&self->hints_lock);
  }
}
