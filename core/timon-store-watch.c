/* timon-store-watch.c: a queue between a store backend, which pushes
 * events from whatever thread commits them, and the watcher, which gets
 * them in batches in its own main context.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <timon/timon.h>

typedef struct {
  GSource source;
  TimonStoreWatch *watch; /* unowned: the watch destroys the source */
} WatchSource;

struct _TimonStoreWatch {
  GObject parent_instance;

  char *start;
  char *end;

  GMutex lock;
  GPtrArray *queue;    /* TimonStoreEvent, under lock */
  GError *close_error; /* under lock */
  gboolean closed;     /* under lock */
  int cancelled;       /* atomic */

  GMainContext *context;
  GSource *source;
  gboolean close_emitted;
  gint64 revision;
};

enum {
  SIGNAL_EVENTS,
  SIGNAL_CLOSED,
  N_SIGNALS,
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TimonStoreWatch, timon_store_watch, G_TYPE_OBJECT)

static gboolean
watch_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_autoptr (TimonStoreWatch) self = g_object_ref (((WatchSource *) source)->watch);
  g_autoptr (GPtrArray) events = NULL;
  gboolean emit_closed = FALSE;
  g_autoptr (GError) error = NULL;

  g_mutex_lock (&self->lock);
  g_source_set_ready_time (source, -1);
  if (self->queue->len > 0) {
    events = g_steal_pointer (&self->queue);
    self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_event_unref);
  }
  if (self->closed && !self->close_emitted) {
    emit_closed = TRUE;
    self->close_emitted = TRUE;
    error = self->close_error ? g_error_copy (self->close_error) : NULL;
  }
  g_mutex_unlock (&self->lock);

  if (g_atomic_int_get (&self->cancelled))
    return G_SOURCE_CONTINUE;

  if (events != NULL) {
    self->revision = timon_store_event_get_revision (events->pdata[events->len - 1]);
    g_signal_emit (self, signals[SIGNAL_EVENTS], 0, events);
  }
  if (emit_closed && !g_atomic_int_get (&self->cancelled))
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0, error);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs watch_source_funcs = {
  .dispatch = watch_source_dispatch,
};

static void
timon_store_watch_dispose (GObject *object)
{
  TimonStoreWatch *self = TIMON_STORE_WATCH (object);

  if (self->source != NULL) {
    g_source_destroy (self->source);
    g_clear_pointer (&self->source, g_source_unref);
  }

  G_OBJECT_CLASS (timon_store_watch_parent_class)->dispose (object);
}

static void
timon_store_watch_finalize (GObject *object)
{
  TimonStoreWatch *self = TIMON_STORE_WATCH (object);

  g_ptr_array_unref (self->queue);
  g_clear_error (&self->close_error);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_free (self->start);
  g_free (self->end);

  G_OBJECT_CLASS (timon_store_watch_parent_class)->finalize (object);
}

static void
timon_store_watch_class_init (TimonStoreWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = timon_store_watch_dispose;
  object_class->finalize = timon_store_watch_finalize;

  /**
   * TimonStoreWatch::events:
   * @watch: the watch
   * @events: (element-type TimonStoreEvent): the events, in revision order
   *
   * Emitted in the watcher's main context with the events that arrived
   * since the last emission.
   *
   * Since: 0.1
   */
  signals[SIGNAL_EVENTS] = g_signal_new ("events", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);

  /**
   * TimonStoreWatch::closed:
   * @watch: the watch
   * @error: (nullable): why the backend ended the watch:
   *   %TIMON_STORE_ERROR_CLOSED when the store closed,
   *   %TIMON_STORE_ERROR_COMPACTED when the backend lost the history the
   *   watch needed
   *
   * Emitted once, after the last events, when the backend ends the watch.
   * It is not emitted after timon_store_watch_cancel().
   *
   * Since: 0.1
   */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
timon_store_watch_init (TimonStoreWatch *self)
{
  g_mutex_init (&self->lock);
  self->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_event_unref);
}

/**
 * timon_store_watch_new:
 * @start: the first key watched
 * @end: (nullable): the first key past the watched range; %NULL for no
 *   upper bound
 *
 * Creates a watch whose events will be delivered in the calling thread's
 * thread-default main context. Backends call this from their
 * #TimonStoreInterface.watch implementation, which runs in the watcher's
 * thread, and keep a reference to push events into it.
 *
 * Returns: (transfer full): a new watch
 *
 * Since: 0.1
 */
TimonStoreWatch *
timon_store_watch_new (const char *start, const char *end)
{
  g_return_val_if_fail (start != NULL, NULL);

  TimonStoreWatch *self = g_object_new (TIMON_TYPE_STORE_WATCH, NULL);
  self->start = g_strdup (start);
  self->end = g_strdup (end);
  self->context = g_main_context_ref_thread_default ();
  self->source = g_source_new (&watch_source_funcs, sizeof (WatchSource));
  ((WatchSource *) self->source)->watch = self;
  g_source_set_static_name (self->source, "TimonStoreWatch");
  g_source_set_ready_time (self->source, -1);
  g_source_attach (self->source, self->context);
  return self;
}

/**
 * timon_store_watch_get_start:
 * @watch: a watch
 *
 * Returns: the first key watched
 *
 * Since: 0.1
 */
const char *
timon_store_watch_get_start (TimonStoreWatch *watch)
{
  g_return_val_if_fail (TIMON_IS_STORE_WATCH (watch), NULL);
  return watch->start;
}

/**
 * timon_store_watch_get_end:
 * @watch: a watch
 *
 * Returns: (nullable): the first key past the watched range, or %NULL
 *
 * Since: 0.1
 */
const char *
timon_store_watch_get_end (TimonStoreWatch *watch)
{
  g_return_val_if_fail (TIMON_IS_STORE_WATCH (watch), NULL);
  return watch->end;
}

/**
 * timon_store_watch_get_revision:
 * @watch: a watch
 *
 * The revision of the last event delivered: a watcher that has to start
 * again resumes from it.
 *
 * Returns: a revision, or 0 before the first event
 *
 * Since: 0.1
 */
gint64
timon_store_watch_get_revision (TimonStoreWatch *watch)
{
  g_return_val_if_fail (TIMON_IS_STORE_WATCH (watch), 0);
  return watch->revision;
}

/**
 * timon_store_watch_matches:
 * @watch: a watch
 * @key: a key
 *
 * Returns: whether @key is in the watched range
 *
 * Since: 0.1
 */
gboolean
timon_store_watch_matches (TimonStoreWatch *watch, const char *key)
{
  g_return_val_if_fail (TIMON_IS_STORE_WATCH (watch), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return strcmp (key, watch->start) >= 0 && (watch->end == NULL || strcmp (key, watch->end) < 0);
}

/**
 * timon_store_watch_push_many:
 * @watch: a watch
 * @events: (element-type TimonStoreEvent): events in revision order, all
 *   in the watched range
 *
 * Queues events for the watcher; safe from any thread. One wake-up of the
 * watcher's main context serves all that is queued.
 *
 * Returns: %FALSE if the watcher cancelled the watch or the backend closed
 *   it: the backend should then drop its reference
 *
 * Since: 0.1
 */
gboolean
timon_store_watch_push_many (TimonStoreWatch *watch, GPtrArray *events)
{
  g_return_val_if_fail (TIMON_IS_STORE_WATCH (watch), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);

  if (g_atomic_int_get (&watch->cancelled))
    return FALSE;

  g_mutex_lock (&watch->lock);
  if (watch->closed) {
    g_mutex_unlock (&watch->lock);
    return FALSE;
  }
  gboolean was_empty = watch->queue->len == 0;
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (watch->queue, timon_store_event_ref (events->pdata[i]));
  if (was_empty && events->len > 0)
    g_source_set_ready_time (watch->source, 0);
  g_mutex_unlock (&watch->lock);
  return TRUE;
}

/**
 * timon_store_watch_push:
 * @watch: a watch
 * @event: an event in the watched range
 *
 * Queues one event; see timon_store_watch_push_many().
 *
 * Returns: %FALSE if the watch is cancelled or closed
 *
 * Since: 0.1
 */
gboolean
timon_store_watch_push (TimonStoreWatch *watch, TimonStoreEvent *event)
{
  g_return_val_if_fail (event != NULL, FALSE);

  GPtrArray one = { .pdata = (gpointer *) &event, .len = 1 };
  return timon_store_watch_push_many (watch, &one);
}

/**
 * timon_store_watch_close:
 * @watch: a watch
 * @error: (nullable): why (%TIMON_STORE_ERROR_CLOSED when the store
 *   closes)
 *
 * Ends the watch from the backend's side; safe from any thread. The
 * watcher gets the events already queued, then #TimonStoreWatch::closed.
 *
 * Since: 0.1
 */
void
timon_store_watch_close (TimonStoreWatch *watch, const GError *error)
{
  g_return_if_fail (TIMON_IS_STORE_WATCH (watch));

  g_mutex_lock (&watch->lock);
  if (!watch->closed) {
    watch->closed = TRUE;
    watch->close_error = error ? g_error_copy (error) : NULL;
    g_source_set_ready_time (watch->source, 0);
  }
  g_mutex_unlock (&watch->lock);
}

/**
 * timon_store_watch_is_closed:
 * @watch: a watch
 *
 * Returns: whether the backend ended the watch
 *
 * Since: 0.1
 */
gboolean
timon_store_watch_is_closed (TimonStoreWatch *watch)
{
  g_return_val_if_fail (TIMON_IS_STORE_WATCH (watch), TRUE);

  g_mutex_lock (&watch->lock);
  gboolean closed = watch->closed;
  g_mutex_unlock (&watch->lock);
  return closed;
}

/**
 * timon_store_watch_cancel:
 * @watch: a watch
 *
 * Stops the watch: no signal is emitted after this returns, and the
 * backend drops its reference on its next push. Call it from the
 * watcher's thread before dropping the last reference, since the backend
 * holds one of its own until then.
 *
 * Since: 0.1
 */
void
timon_store_watch_cancel (TimonStoreWatch *watch)
{
  g_return_if_fail (TIMON_IS_STORE_WATCH (watch));

  g_atomic_int_set (&watch->cancelled, TRUE);
  g_mutex_lock (&watch->lock);
  g_ptr_array_set_size (watch->queue, 0);
  g_mutex_unlock (&watch->lock);
}

/**
 * timon_store_watch_is_cancelled:
 * @watch: a watch
 *
 * For backends that prune their watch lists without pushing.
 *
 * Returns: whether the watcher cancelled the watch
 *
 * Since: 0.1
 */
gboolean
timon_store_watch_is_cancelled (TimonStoreWatch *watch)
{
  g_return_val_if_fail (TIMON_IS_STORE_WATCH (watch), TRUE);
  return g_atomic_int_get (&watch->cancelled);
}
