/* hello-store.c: a Timon plugin that provides the store "hello".
 *
 * An example to copy from. A store is a GObject that implements
 * TimonStore and GInitable; a plugin is one TIMON_PLUGIN_DEFINE whose
 * init function registers it.
 *
 * This store keeps the latest value of each key in memory and no
 * history: it creates, reads, updates, deletes and lists at the latest
 * revision. An older revision is "compacted" (the API answers 410 Gone
 * and clients list again, as they would with etcd), and watches are not
 * supported. Nothing survives the process.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <timon/timon.h>

#define HELLO_TYPE_STORE (hello_store_get_type ())
G_DECLARE_FINAL_TYPE (HelloStore, hello_store, HELLO, STORE, GObject)

struct _HelloStore {
  GObject parent_instance;

  char *location; /* the "location" property: this store has no use for it */

  /* Every TimonStore function may be called from any thread. */
  GMutex lock;
  GTree *items; /* key -> TimonStoreItem, in byte order for range() */
  gint64 revision;
};

static void hello_store_iface_init (TimonStoreInterface *iface);
static void hello_store_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HelloStore,
                               hello_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TIMON_TYPE_STORE, hello_store_iface_init)
                                 G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                        hello_store_initable_iface_init))

enum {
  PROP_0,
  PROP_LOCATION,
};

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (a, b);
}

static void
hello_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HelloStore *self = HELLO_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    g_value_set_string (value, self->location);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hello_store_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  HelloStore *self = HELLO_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    g_free (self->location);
    self->location = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
hello_store_finalize (GObject *object)
{
  HelloStore *self = HELLO_STORE (object);

  g_tree_unref (self->items);
  g_mutex_clear (&self->lock);
  g_free (self->location);

  G_OBJECT_CLASS (hello_store_parent_class)->finalize (object);
}

static void
hello_store_class_init (HelloStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hello_store_get_property;
  object_class->set_property = hello_store_set_property;
  object_class->finalize = hello_store_finalize;

  /* TimonStore declares "location"; every store implements it. */
  g_object_class_override_property (object_class, PROP_LOCATION, "location");
}

static void
hello_store_init (HelloStore *self)
{
  g_mutex_init (&self->lock);
  self->items =
    g_tree_new_full (compare_keys, NULL, g_free, (GDestroyNotify) timon_store_item_unref);
}

/* Where a real backend opens its file or connects: errors go here, so
 * that timon_store_new() fails cleanly instead of a later call. */
static gboolean
hello_store_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
hello_store_initable_iface_init (GInitableIface *iface)
{
  iface->init = hello_store_initable_init;
}

static gint64
hello_get_revision (TimonStore *store)
{
  HelloStore *self = HELLO_STORE (store);

  g_mutex_lock (&self->lock);
  gint64 revision = self->revision;
  g_mutex_unlock (&self->lock);
  return revision;
}

/* Without history, the only revision still readable is the latest. */
static gint64
hello_get_compact_revision (TimonStore *store)
{
  return hello_get_revision (store);
}

static TimonStoreItem *
hello_get (TimonStore *store, const char *key, GError **error)
{
  HelloStore *self = HELLO_STORE (store);

  g_mutex_lock (&self->lock);
  TimonStoreItem *item = g_tree_lookup (self->items, key);
  if (item != NULL)
    timon_store_item_ref (item);
  g_mutex_unlock (&self->lock);

  if (item == NULL)
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found", key);
  return item;
}

static GPtrArray *
hello_range (TimonStore *store,
             const char *start,
             const char *end,
             gint64 revision,
             guint limit,
             gint64 *out_revision,
             gboolean *out_more,
             GError **error)
{
  HelloStore *self = HELLO_STORE (store);
  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  gboolean more = FALSE;

  g_mutex_lock (&self->lock);
  if (revision > self->revision) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION,
                 "revision %" G_GINT64_FORMAT
                 " is newer than the current revision %" G_GINT64_FORMAT,
                 revision, self->revision);
    g_mutex_unlock (&self->lock);
    return NULL;
  }
  if (revision != TIMON_STORE_REVISION_LATEST && revision < self->revision) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED,
                 "the hello store keeps no history: revision %" G_GINT64_FORMAT
                 " is gone (current: %" G_GINT64_FORMAT ")",
                 revision, self->revision);
    g_mutex_unlock (&self->lock);
    return NULL;
  }

  for (GTreeNode *node = g_tree_lower_bound (self->items, start); node != NULL;
       node = g_tree_node_next (node)) {
    if (end != NULL && strcmp (g_tree_node_key (node), end) >= 0)
      break;
    if (limit > 0 && items->len == limit) {
      more = TRUE;
      break;
    }
    g_ptr_array_add (items, timon_store_item_ref (g_tree_node_value (node)));
  }
  *out_revision = self->revision;
  g_mutex_unlock (&self->lock);

  *out_more = more;
  return g_steal_pointer (&items);
}

/* Called with the lock held. The write's event is its result: the
 * interface's default write_finish reads the item it left and its
 * revision from it. */
static TimonStoreEvent *
write_locked (HelloStore *self,
              TimonStoreWriteType type,
              const char *key,
              GBytes *value,
              gint64 expected_revision,
              GError **error)
{
  TimonStoreItem *current = g_tree_lookup (self->items, key);
  gint64 revision = self->revision + 1;
  g_autoptr (TimonStoreItem) item = NULL;
  TimonStoreEventType event_type;

  if (type == TIMON_STORE_WRITE_CREATE && current != NULL) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS, "%s already exists", key);
    return NULL;
  }
  if (type != TIMON_STORE_WRITE_CREATE && current == NULL) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found", key);
    return NULL;
  }
  if (type != TIMON_STORE_WRITE_CREATE && expected_revision != 0 &&
      timon_store_item_get_mod_revision (current) != expected_revision) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT,
                 "%s was modified at revision %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT, key,
                 timon_store_item_get_mod_revision (current), expected_revision);
    return NULL;
  }

  switch (type) {
  case TIMON_STORE_WRITE_CREATE:
    item = timon_store_item_new (key, value, revision, revision);
    event_type = TIMON_STORE_EVENT_CREATE;
    break;
  case TIMON_STORE_WRITE_UPDATE:
    item =
      timon_store_item_new (key, value, timon_store_item_get_create_revision (current), revision);
    event_type = TIMON_STORE_EVENT_UPDATE;
    break;
  case TIMON_STORE_WRITE_DELETE:
  default:
    /* A delete leaves a tombstone: the key, no value, its revision. */
    item =
      timon_store_item_new (key, NULL, timon_store_item_get_create_revision (current), revision);
    event_type = TIMON_STORE_EVENT_DELETE;
    break;
  }

  /* The event holds the item before the write; the tree drops it next. */
  TimonStoreEvent *event = timon_store_event_new (event_type, item, current);
  if (event_type == TIMON_STORE_EVENT_DELETE)
    g_tree_remove (self->items, key);
  else
    g_tree_replace (self->items, g_strdup (key), timon_store_item_ref (item));
  self->revision = revision;
  return event;
}

/* The write is done at once, under the lock; the result is delivered,
 * as the interface asks, in the caller's thread-default main context. */
static void
hello_write_async (TimonStore *store,
                   TimonStoreWriteType type,
                   const char *key,
                   GBytes *value,
                   gint64 expected_revision,
                   GCancellable *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer user_data)
{
  HelloStore *self = HELLO_STORE (store);
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, hello_write_async);

  g_mutex_lock (&self->lock);
  TimonStoreEvent *event = write_locked (self, type, key, value, expected_revision, &error);
  g_mutex_unlock (&self->lock);

  if (event == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, event, (GDestroyNotify) timon_store_event_unref);
}

static TimonStoreWatch *
hello_watch (TimonStore *store,
             const char *start,
             const char *end,
             gint64 since_revision,
             GError **error)
{
  g_set_error_literal (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                       "the hello store does not support watches");
  return NULL;
}

/* There is no history to forget. */
static gboolean
hello_compact (TimonStore *store, gint64 revision, GError **error)
{
  return TRUE;
}

static void
hello_store_iface_init (TimonStoreInterface *iface)
{
  iface->get_revision = hello_get_revision;
  iface->get_compact_revision = hello_get_compact_revision;
  iface->get = hello_get;
  iface->range = hello_range;
  iface->write_async = hello_write_async;
  iface->watch = hello_watch;
  iface->compact = hello_compact;
}

/* The plugin: init registers the store and does nothing else. The store
 * does its work when the core opens it (`timond --store hello`). */
static gboolean
hello_plugin_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "hello", HELLO_TYPE_STORE, error);
}

TIMON_PLUGIN_DEFINE (hello,
                     "An example store that keeps the latest values in memory",
                     "1.0.0",
                     "MIT",
                     hello_plugin_init)
