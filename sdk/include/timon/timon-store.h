/* timon-store.h: the interface of a store backend.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <gio/gio.h>
#include <timon/timon-types.h>
#include <timon/timon-store-item.h>
#include <timon/timon-store-watch.h>

G_BEGIN_DECLS

/**
 * TIMON_STORE_MAX_VALUE_SIZE:
 *
 * The largest value a store accepts: 1.5 MiB, the object size
 * Kubernetes allows. (An etcd serving as a Timon store must accept
 * requests of at least 2 MiB, `--max-request-bytes 2097152`: its default
 * limit of 1.5 MiB leaves no room for the key and the request around a
 * value of the largest size.)
 *
 * Since: 0.1
 */
#define TIMON_STORE_MAX_VALUE_SIZE ((gsize) 3 * 512 * 1024)

/**
 * TIMON_STORE_MAX_KEY_SIZE:
 *
 * The longest key a store accepts, in bytes.
 *
 * Since: 0.1
 */
#define TIMON_STORE_MAX_KEY_SIZE ((gsize) 4096)

/**
 * TIMON_STORE_REVISION_LATEST:
 *
 * Names the store's current revision where a call takes a revision.
 * It is not 0: revision 0 is the empty store before its first write, so
 * that a watch since 0 reports every event from the first.
 *
 * Since: 0.1
 */
#define TIMON_STORE_REVISION_LATEST ((gint64) -1)

/**
 * TIMON_STORE_ERROR:
 *
 * The error domain of store operations.
 *
 * Since: 0.1
 */
#define TIMON_STORE_ERROR (timon_store_error_quark ())
TIMON_API GQuark timon_store_error_quark (void);

/**
 * TimonStoreError:
 * @TIMON_STORE_ERROR_NOT_FOUND: the key does not exist
 * @TIMON_STORE_ERROR_EXISTS: a create found the key already there
 * @TIMON_STORE_ERROR_CONFLICT: the key's mod revision is not the one the
 *   caller expected
 * @TIMON_STORE_ERROR_COMPACTED: the revision asked for is older than the
 *   store's history (the API answers 410 Gone)
 * @TIMON_STORE_ERROR_FUTURE_REVISION: the revision asked for is newer
 *   than the store's current revision
 * @TIMON_STORE_ERROR_VALUE_TOO_LARGE: the value is larger than
 *   %TIMON_STORE_MAX_VALUE_SIZE
 * @TIMON_STORE_ERROR_INVALID_KEY: the key is empty, too long, or holds a
 *   NUL byte
 * @TIMON_STORE_ERROR_INVALID_CONTINUE: a continue token that this store
 *   did not hand out, or not for this prefix
 * @TIMON_STORE_ERROR_CLOSED: the store is shutting down
 * @TIMON_STORE_ERROR_FAILED: the backend failed (I/O, corruption, a lost
 *   connection); the message says how
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_STORE_ERROR_NOT_FOUND,
  TIMON_STORE_ERROR_EXISTS,
  TIMON_STORE_ERROR_CONFLICT,
  TIMON_STORE_ERROR_COMPACTED,
  TIMON_STORE_ERROR_FUTURE_REVISION,
  TIMON_STORE_ERROR_VALUE_TOO_LARGE,
  TIMON_STORE_ERROR_INVALID_KEY,
  TIMON_STORE_ERROR_INVALID_CONTINUE,
  TIMON_STORE_ERROR_CLOSED,
  TIMON_STORE_ERROR_FAILED,
} TimonStoreError;

/**
 * TimonStoreWriteType:
 * @TIMON_STORE_WRITE_CREATE: create the key; fail with
 *   %TIMON_STORE_ERROR_EXISTS if it exists
 * @TIMON_STORE_WRITE_UPDATE: replace the value; fail with
 *   %TIMON_STORE_ERROR_NOT_FOUND if the key does not exist, or
 *   %TIMON_STORE_ERROR_CONFLICT if its mod revision is not the expected one
 * @TIMON_STORE_WRITE_DELETE: delete the key; fail as an update does (an
 *   expected revision of 0 deletes unconditionally)
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_STORE_WRITE_CREATE,
  TIMON_STORE_WRITE_UPDATE,
  TIMON_STORE_WRITE_DELETE,
} TimonStoreWriteType;

#define TIMON_TYPE_STORE (timon_store_get_type ())
TIMON_API
G_DECLARE_INTERFACE (TimonStore, timon_store, TIMON, STORE, GObject)

/**
 * TimonStoreInterface:
 * @get_revision: the revision of the last acknowledged write
 * @get_compact_revision: the oldest revision still readable (0 before the
 *   first compaction)
 * @get: the current item under a key, or %NULL with
 *   %TIMON_STORE_ERROR_NOT_FOUND
 * @range: the items whose keys are in [@start, @end) in byte order as
 *   they were at @revision (or %TIMON_STORE_REVISION_LATEST), at most @limit of
 *   them (0: all); sets the revision read and whether more items follow
 * @write_async: starts one create, update or delete; @value is %NULL for
 *   a delete. The core has already checked the key and value. A backend
 *   gives every acknowledged write the next revision, and acknowledges it
 *   only once it is durable
 * @write_finish: the item the write left (the deleted item, for a
 *   delete), and the revision the write got. The default serves a
 *   write_async() that returns the write's #TimonStoreEvent from a #GTask
 *   (g_task_return_pointer() with timon_store_event_unref())
 * @watch: a watch of [@start, @end) that reports every event with a
 *   revision greater than @since_revision, in revision order
 * @compact: forgets the history before @revision
 *
 * The interface a store backend implements. A store is a #GInitable with
 * one construct-only property, "location" (a string the backend reads as
 * it likes: a file, a URL; it may ignore it).
 *
 * Threading: every function may be called from any thread. Reads
 * (get_revision(), get(), range()) are synchronous: backends serve them
 * from memory or a local file without waiting on other requests. Writes
 * are asynchronous and complete in the thread-default main context of the
 * caller; a backend is expected to batch concurrent writes (one
 * transaction, one fsync). Watches deliver their events in the
 * thread-default main context of the thread that created them.
 *
 * Since: 0.1
 */
struct _TimonStoreInterface {
  GTypeInterface g_iface;

  gint64 (*get_revision) (TimonStore *store);
  gint64 (*get_compact_revision) (TimonStore *store);

  TimonStoreItem *(*get) (TimonStore *store, const char *key, GError **error);

  GPtrArray *(*range) (TimonStore *store,
                       const char *start,
                       const char *end,
                       gint64 revision,
                       guint limit,
                       gint64 *out_revision,
                       gboolean *out_more,
                       GError **error);

  void (*write_async) (TimonStore *store,
                       TimonStoreWriteType type,
                       const char *key,
                       GBytes *value,
                       gint64 expected_revision,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  TimonStoreItem *(*write_finish) (TimonStore *store,
                                   GAsyncResult *result,
                                   gint64 *out_revision,
                                   GError **error);

  TimonStoreWatch *(*watch) (TimonStore *store,
                             const char *start,
                             const char *end,
                             gint64 since_revision,
                             GError **error);

  gboolean (*compact) (TimonStore *store, gint64 revision, GError **error);

  /*< private >*/
  gpointer padding[12];
};

TIMON_API TimonStore *timon_store_new (GType type, const char *location, GError **error);

TIMON_API gint64 timon_store_get_revision (TimonStore *store);
TIMON_API gint64 timon_store_get_compact_revision (TimonStore *store);

TIMON_API TimonStoreItem *timon_store_get (TimonStore *store, const char *key, GError **error);

TIMON_API GPtrArray *timon_store_list (TimonStore *store,
                                       const char *prefix,
                                       gint64 revision,
                                       guint limit,
                                       const char *continue_token,
                                       gint64 *out_revision,
                                       char **out_continue,
                                       GError **error);

TIMON_API void timon_store_create_async (TimonStore *store,
                                         const char *key,
                                         GBytes *value,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
TIMON_API TimonStoreItem *timon_store_create_finish (TimonStore *store,
                                                     GAsyncResult *result,
                                                     GError **error);

TIMON_API void timon_store_update_async (TimonStore *store,
                                         const char *key,
                                         GBytes *value,
                                         gint64 expected_revision,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
TIMON_API TimonStoreItem *timon_store_update_finish (TimonStore *store,
                                                     GAsyncResult *result,
                                                     GError **error);

TIMON_API void timon_store_delete_async (TimonStore *store,
                                         const char *key,
                                         gint64 expected_revision,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
TIMON_API TimonStoreItem *timon_store_delete_finish (TimonStore *store,
                                                     GAsyncResult *result,
                                                     gint64 *out_revision,
                                                     GError **error);

TIMON_API TimonStoreItem *timon_store_create (TimonStore *store,
                                              const char *key,
                                              GBytes *value,
                                              GError **error);
TIMON_API TimonStoreItem *timon_store_update (TimonStore *store,
                                              const char *key,
                                              GBytes *value,
                                              gint64 expected_revision,
                                              GError **error);
TIMON_API TimonStoreItem *timon_store_delete (TimonStore *store,
                                              const char *key,
                                              gint64 expected_revision,
                                              gint64 *out_revision,
                                              GError **error);

TIMON_API TimonStoreWatch *timon_store_watch (TimonStore *store,
                                              const char *prefix,
                                              gint64 since_revision,
                                              GError **error);

TIMON_API gboolean timon_store_compact (TimonStore *store, gint64 revision, GError **error);

TIMON_API char *timon_store_prefix_end (const char *prefix);
TIMON_API gboolean timon_store_check_key (const char *key, GError **error);

G_END_DECLS
