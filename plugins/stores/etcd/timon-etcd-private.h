/* timon-etcd-private.h: what the etcd store's source files share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdatomic.h>
#include <timon/timon.h>

G_BEGIN_DECLS

typedef struct _EtcdWatchStream EtcdWatchStream;

/* The state a store shares with its watch streams. Streams run in their
 * watchers' main contexts and may outlive the store by a main-loop
 * iteration or two (until their cancelled reads come back), so they hold
 * this rather than the store itself. */
typedef struct {
  gatomicrefcount refs;

  GMutex lock;
  GPtrArray *streams; /* EtcdWatchStream, one reference each, under lock */

  /* The highest header revision any answer carried, and the best known
   * compact revision. Both only grow. */
  _Atomic gint64 revision;
  _Atomic gint64 compact_revision;
} EtcdShared;

EtcdShared *etcd_shared_new (void);
EtcdShared *etcd_shared_ref (EtcdShared *shared);
void etcd_shared_unref (EtcdShared *shared);
void etcd_shared_note_revision (EtcdShared *shared, gint64 revision);
void etcd_shared_note_compact_revision (EtcdShared *shared, gint64 revision);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtcdShared, etcd_shared_unref)

/* JSON and base64, in the shape of etcd 3.4's gateway: int64 fields are
 * strings, fields at their default value are left out. */
char *etcd_encode (const void *data, gsize len);
char *etcd_encode_start (const char *start);
gint64 etcd_json_int64 (JsonObject *object, const char *member);
gboolean etcd_json_bool (JsonObject *object, const char *member);
JsonObject *etcd_json_object (JsonObject *object, const char *member);
JsonArray *etcd_json_array (JsonObject *object, const char *member);
char *etcd_json_dup_key (JsonObject *kv, const char *member);
TimonStoreItem *etcd_item_from_kv (JsonObject *kv, gboolean with_value);
JsonNode *etcd_parse_answer (SoupMessage *msg, GBytes *body, GError **error);
void etcd_set_error_from_message (GError **error, const char *message);
gint64 etcd_header_revision (JsonObject *answer);

/* A watch of a key range, read from /v3/watch in the calling thread's
 * thread-default main context. */
EtcdWatchStream *etcd_watch_stream_start (EtcdShared *shared,
                                          SoupSession *session,
                                          GUri *uri,
                                          TimonStoreWatch *watch,
                                          gint64 start_revision);
void etcd_watch_stream_close (EtcdWatchStream *stream, const GError *error);
EtcdWatchStream *etcd_watch_stream_ref (EtcdWatchStream *stream);
void etcd_watch_stream_unref (EtcdWatchStream *stream);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EtcdWatchStream, etcd_watch_stream_unref)

G_END_DECLS
