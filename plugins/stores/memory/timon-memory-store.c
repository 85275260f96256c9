/* timon-memory-store.c: a store that keeps everything in memory, for
 * tests and benchmarks. Nothing survives the process.
 *
 * Every version of every key since the last compaction is kept, in a
 * balanced tree ordered by key (lists are range scans) and in a log
 * ordered by revision (watches catch up from it). One reader-writer lock
 * guards both: reads share it, writes are short and exclusive.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-memory-store.h"

#include <string.h>

/* History kept when nobody compacts: the log is trimmed to this many
 * revisions whenever it reaches twice as many. */
#define AUTO_COMPACT_WINDOW 100000

typedef struct {
  GPtrArray *versions; /* TimonStoreItem in revision order; a NULL value is a delete */
} KeyHistory;

struct _TimonMemoryStore {
  GObject parent_instance;

  char *location;

  GRWLock lock;
  GTree *keys;    /* char* -> KeyHistory* */
  GPtrArray *log; /* TimonStoreEvent, revision log_start + i */
  gint64 log_start;
  gint64 revision;
  gint64 compact_revision;
  GPtrArray *watches; /* TimonStoreWatch */
};

static void timon_memory_store_iface_init (TimonStoreInterface *iface);
static void timon_memory_store_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TimonMemoryStore,
                               timon_memory_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TIMON_TYPE_STORE,
                                                      timon_memory_store_iface_init)
                                 G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                        timon_memory_store_initable_init))

enum {
  PROP_0,
  PROP_LOCATION,
};

static KeyHistory *
key_history_new (void)
{
  KeyHistory *h = g_new (KeyHistory, 1);
  h->versions = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  return h;
}

static void
key_history_free (KeyHistory *h)
{
  g_ptr_array_unref (h->versions);
  g_free (h);
}

static TimonStoreItem *
key_history_latest (KeyHistory *h)
{
  return h->versions->len ? h->versions->pdata[h->versions->len - 1] : NULL;
}

/* The version live at @revision, or NULL if the key did not exist then. */
static TimonStoreItem *
key_history_at (KeyHistory *h, gint64 revision)
{
  for (guint i = h->versions->len; i > 0; i--) {
    TimonStoreItem *item = h->versions->pdata[i - 1];
    if (timon_store_item_get_mod_revision (item) <= revision)
      return timon_store_item_get_value (item) != NULL ? item : NULL;
  }
  return NULL;
}

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (a, b);
}

static void
timon_memory_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    g_value_set_string (value, self->location);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
timon_memory_store_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    self->location = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
timon_memory_store_dispose (GObject *object)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (object);
  g_autoptr (GError) error =
    g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_CLOSED, "the store was closed");

  g_rw_lock_writer_lock (&self->lock);
  for (guint i = 0; i < self->watches->len; i++)
    timon_store_watch_close (self->watches->pdata[i], error);
  g_ptr_array_set_size (self->watches, 0);
  g_rw_lock_writer_unlock (&self->lock);

  G_OBJECT_CLASS (timon_memory_store_parent_class)->dispose (object);
}

static void
timon_memory_store_finalize (GObject *object)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (object);

  g_ptr_array_unref (self->watches);
  g_ptr_array_unref (self->log);
  g_tree_unref (self->keys);
  g_rw_lock_clear (&self->lock);
  g_free (self->location);

  G_OBJECT_CLASS (timon_memory_store_parent_class)->finalize (object);
}

static void
timon_memory_store_class_init (TimonMemoryStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = timon_memory_store_get_property;
  object_class->set_property = timon_memory_store_set_property;
  object_class->dispose = timon_memory_store_dispose;
  object_class->finalize = timon_memory_store_finalize;

  g_object_class_override_property (object_class, PROP_LOCATION, "location");
}

static void
timon_memory_store_init (TimonMemoryStore *self)
{
  g_rw_lock_init (&self->lock);
  self->keys = g_tree_new_full (compare_keys, NULL, g_free, (GDestroyNotify) key_history_free);
  self->log = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_event_unref);
  self->log_start = 1;
  self->watches = g_ptr_array_new_with_free_func (g_object_unref);
}

static gboolean
timon_memory_store_initable_init_impl (GInitable *initable,
                                       GCancellable *cancellable,
                                       GError **error)
{
  return TRUE;
}

static void
timon_memory_store_initable_init (GInitableIface *iface)
{
  iface->init = timon_memory_store_initable_init_impl;
}

static gint64
memory_get_revision (TimonStore *store)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (store);

  g_rw_lock_reader_lock (&self->lock);
  gint64 revision = self->revision;
  g_rw_lock_reader_unlock (&self->lock);
  return revision;
}

static gint64
memory_get_compact_revision (TimonStore *store)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (store);

  g_rw_lock_reader_lock (&self->lock);
  gint64 revision = self->compact_revision;
  g_rw_lock_reader_unlock (&self->lock);
  return revision;
}

static TimonStoreItem *
memory_get (TimonStore *store, const char *key, GError **error)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (store);
  TimonStoreItem *item = NULL;

  g_rw_lock_reader_lock (&self->lock);
  KeyHistory *h = g_tree_lookup (self->keys, key);
  if (h != NULL && (item = key_history_latest (h)) != NULL && timon_store_item_get_value (item))
    item = timon_store_item_ref (item);
  else
    item = NULL;
  g_rw_lock_reader_unlock (&self->lock);

  if (item == NULL)
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found", key);
  return item;
}

/* Called with the lock held. */
static gboolean
check_revision (TimonMemoryStore *self, gint64 revision, GError **error)
{
  if (revision != TIMON_STORE_REVISION_LATEST && revision < self->compact_revision) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED,
                 "revision %" G_GINT64_FORMAT " has been compacted (oldest kept: %" G_GINT64_FORMAT
                 ")",
                 revision, self->compact_revision);
    return FALSE;
  }
  if (revision > self->revision) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION,
                 "revision %" G_GINT64_FORMAT
                 " is newer than the current revision %" G_GINT64_FORMAT,
                 revision, self->revision);
    return FALSE;
  }
  return TRUE;
}

static GPtrArray *
memory_range (TimonStore *store,
              const char *start,
              const char *end,
              gint64 revision,
              guint limit,
              gint64 *out_revision,
              gboolean *out_more,
              GError **error)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (store);
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  gboolean more = FALSE;

  g_rw_lock_reader_lock (&self->lock);
  if (!check_revision (self, revision, error)) {
    g_rw_lock_reader_unlock (&self->lock);
    g_ptr_array_unref (items);
    return NULL;
  }
  if (revision == TIMON_STORE_REVISION_LATEST)
    revision = self->revision;

  for (GTreeNode *node = g_tree_lower_bound (self->keys, start); node != NULL;
       node = g_tree_node_next (node)) {
    const char *key = g_tree_node_key (node);
    if (end != NULL && strcmp (key, end) >= 0)
      break;
    TimonStoreItem *item = key_history_at (g_tree_node_value (node), revision);
    if (item == NULL)
      continue;
    if (limit > 0 && items->len == limit) {
      more = TRUE;
      break;
    }
    g_ptr_array_add (items, timon_store_item_ref (item));
  }
  g_rw_lock_reader_unlock (&self->lock);

  *out_revision = revision;
  *out_more = more;
  return items;
}

/* Called with the writer lock held. */
static void
compact_locked (TimonMemoryStore *self, gint64 revision)
{
  g_autoptr (GPtrArray) gone = g_ptr_array_new ();

  for (GTreeNode *node = g_tree_node_first (self->keys); node != NULL;
       node = g_tree_node_next (node)) {
    KeyHistory *h = g_tree_node_value (node);
    /* Keep the version live at @revision and every later one. */
    guint keep_from = 0;
    for (guint i = 0; i < h->versions->len; i++) {
      if (timon_store_item_get_mod_revision (h->versions->pdata[i]) <= revision)
        keep_from = i;
    }
    if (keep_from > 0)
      g_ptr_array_remove_range (h->versions, 0, keep_from);
    TimonStoreItem *first = h->versions->pdata[0];
    if (h->versions->len == 1 && timon_store_item_get_value (first) == NULL &&
        timon_store_item_get_mod_revision (first) <= revision)
      g_ptr_array_add (gone, (gpointer) g_tree_node_key (node));
  }
  for (guint i = 0; i < gone->len; i++)
    g_tree_remove (self->keys, gone->pdata[i]);

  gint64 drop = MIN (revision, self->revision + 1) - self->log_start;
  if (drop > 0) {
    g_ptr_array_remove_range (self->log, 0, (guint) drop);
    self->log_start += drop;
  }
  self->compact_revision = revision;
}

/* Called with the writer lock held. */
static void
publish_locked (TimonMemoryStore *self, TimonStoreEvent *event)
{
  g_ptr_array_add (self->log, timon_store_event_ref (event));

  const char *key = timon_store_event_get_key (event);
  for (guint i = 0; i < self->watches->len;) {
    TimonStoreWatch *watch = self->watches->pdata[i];
    if (!timon_store_watch_matches (watch, key) || timon_store_watch_push (watch, event))
      i++;
    else
      g_ptr_array_remove_index (self->watches, i);
  }

  if (self->log->len >= 2 * AUTO_COMPACT_WINDOW)
    compact_locked (self, self->revision - AUTO_COMPACT_WINDOW);
}

static TimonStoreEvent *
write_locked (TimonMemoryStore *self,
              TimonStoreWriteType type,
              const char *key,
              GBytes *value,
              gint64 expected_revision,
              GError **error)
{
  KeyHistory *h = g_tree_lookup (self->keys, key);
  TimonStoreItem *current = h ? key_history_latest (h) : NULL;
  gint64 revision = self->revision + 1;
  g_autoptr (TimonStoreItem) item = NULL;
  TimonStoreEventType event_type;

  if (current != NULL && timon_store_item_get_value (current) == NULL)
    current = NULL;

  switch (type) {
  case TIMON_STORE_WRITE_CREATE:
    if (current != NULL) {
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS, "%s already exists", key);
      return NULL;
    }
    item = timon_store_item_new (key, value, revision, revision);
    event_type = TIMON_STORE_EVENT_CREATE;
    break;
  case TIMON_STORE_WRITE_UPDATE:
  case TIMON_STORE_WRITE_DELETE:
    if (current == NULL) {
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found", key);
      return NULL;
    }
    if (expected_revision != 0 &&
        timon_store_item_get_mod_revision (current) != expected_revision) {
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT,
                   "%s was modified at revision %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT, key,
                   timon_store_item_get_mod_revision (current), expected_revision);
      return NULL;
    }
    if (type == TIMON_STORE_WRITE_UPDATE) {
      item =
        timon_store_item_new (key, value, timon_store_item_get_create_revision (current), revision);
      event_type = TIMON_STORE_EVENT_UPDATE;
    } else {
      item =
        timon_store_item_new (key, NULL, timon_store_item_get_create_revision (current), revision);
      event_type = TIMON_STORE_EVENT_DELETE;
    }
    break;
  default:
    g_assert_not_reached ();
  }

  if (h == NULL) {
    h = key_history_new ();
    g_tree_insert (self->keys, g_strdup (key), h);
  }
  g_ptr_array_add (h->versions, timon_store_item_ref (item));
  self->revision = revision;

  TimonStoreEvent *event = timon_store_event_new (event_type, item, current);
  publish_locked (self, event);
  return event;
}

static void
memory_write_async (TimonStore *store,
                    TimonStoreWriteType type,
                    const char *key,
                    GBytes *value,
                    gint64 expected_revision,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (store);
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, memory_write_async);

  g_rw_lock_writer_lock (&self->lock);
  TimonStoreEvent *event = write_locked (self, type, key, value, expected_revision, &error);
  g_rw_lock_writer_unlock (&self->lock);

  if (event == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, event, (GDestroyNotify) timon_store_event_unref);
}

static TimonStoreWatch *
memory_watch (TimonStore *store,
              const char *start,
              const char *end,
              gint64 since_revision,
              GError **error)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (store);
  g_autoptr (TimonStoreWatch) watch = NULL;
  g_autoptr (GPtrArray) backlog = g_ptr_array_new ();

  g_rw_lock_writer_lock (&self->lock);
  if (since_revision == TIMON_STORE_REVISION_LATEST)
    since_revision = self->revision;
  if (!check_revision (self, since_revision, error)) {
    g_rw_lock_writer_unlock (&self->lock);
    return NULL;
  }

  watch = timon_store_watch_new (start, end);
  for (gint64 rev = since_revision + 1; rev <= self->revision; rev++) {
    TimonStoreEvent *event = self->log->pdata[rev - self->log_start];
    if (timon_store_watch_matches (watch, timon_store_event_get_key (event)))
      g_ptr_array_add (backlog, event);
  }
  if (backlog->len > 0)
    timon_store_watch_push_many (watch, backlog);
  g_ptr_array_add (self->watches, g_object_ref (watch));
  g_rw_lock_writer_unlock (&self->lock);

  return g_steal_pointer (&watch);
}

static gboolean
memory_compact (TimonStore *store, gint64 revision, GError **error)
{
  TimonMemoryStore *self = TIMON_MEMORY_STORE (store);

  g_rw_lock_writer_lock (&self->lock);
  if (revision > self->compact_revision && revision <= self->revision)
    compact_locked (self, revision);
  g_rw_lock_writer_unlock (&self->lock);
  return TRUE;
}

static void
timon_memory_store_iface_init (TimonStoreInterface *iface)
{
  iface->get_revision = memory_get_revision;
  iface->get_compact_revision = memory_get_compact_revision;
  iface->get = memory_get;
  iface->range = memory_range;
  iface->write_async = memory_write_async;
  iface->watch = memory_watch;
  iface->compact = memory_compact;
}
