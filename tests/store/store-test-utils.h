/* store-test-utils.h: what the store conformance suite needs besides the
 * cases themselves: finding backends, running one etcd, collecting watch
 * events, waiting on a main context with a timeout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "timon-registry.h"

G_BEGIN_DECLS

/* How long a test waits for something before it fails rather than hangs. */
#define STORE_TEST_TIMEOUT_MS 15000

/**
 * StoreTestBackend:
 * @name: the store's name in the registry
 * @type: the store's #GType, or %G_TYPE_INVALID when it cannot run
 * @skip_reason: why the backend's cases are skipped, or %NULL
 * @fail_reason: why the backend is broken (its plugin failed to load), or
 *   %NULL
 * @shared: whether every test shares one server (etcd): tests then cannot
 *   count on a fresh, empty store and work under their own key prefix
 */
typedef struct {
  char *name;
  GType type;
  char *skip_reason;
  char *fail_reason;
  gboolean shared;
} StoreTestBackend;

StoreTestBackend *store_test_backend_new (TimonRegistry *registry, const char *name);
void store_test_backend_free (StoreTestBackend *backend);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreTestBackend, store_test_backend_free)

const char *store_test_etcd_url (void);
void store_test_etcd_stop (void);

void store_test_rm_rf (const char *path);

gboolean store_test_iterate_until (GMainContext *context,
                                   gboolean (*done) (gpointer user_data),
                                   gpointer user_data,
                                   guint timeout_ms);
void store_test_iterate_for (GMainContext *context, guint ms);

/**
 * StoreTestWatch:
 * @watch: the watch
 * @events: (element-type TimonStoreEvent): every event delivered so far,
 *   in delivery order
 * @closed: whether #TimonStoreWatch::closed was emitted
 * @closed_error: the error it carried
 *
 * A watch and the events it delivered, checked as they arrive: in the
 * creating thread, never empty, in increasing revision order.
 */
typedef struct {
  TimonStoreWatch *watch;
  GPtrArray *events;
  gboolean closed;
  GError *closed_error;
  GMainContext *context;
  GThread *thread;
  gulong events_id;
  gulong closed_id;
} StoreTestWatch;

StoreTestWatch *store_test_watch_new (TimonStore *store, const char *prefix, gint64 since);
void store_test_watch_wait (StoreTestWatch *sw, guint n_events);
void store_test_watch_free (StoreTestWatch *sw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreTestWatch, store_test_watch_free)

GBytes *store_test_bytes (const char *str);
GBytes *store_test_pattern_bytes (gsize size, guint seed);

void store_test_assert_item (const TimonStoreItem *item,
                             const char *key,
                             GBytes *value,
                             gint64 create_revision,
                             gint64 mod_revision);

G_END_DECLS
