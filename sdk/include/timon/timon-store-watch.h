/* timon-store-watch.h: a stream of store events, delivered in the
 * watcher's main context.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <gio/gio.h>
#include <timon/timon-types.h>
#include <timon/timon-store-event.h>

G_BEGIN_DECLS

#define TIMON_TYPE_STORE_WATCH (timon_store_watch_get_type ())
TIMON_API
G_DECLARE_FINAL_TYPE (TimonStoreWatch, timon_store_watch, TIMON, STORE_WATCH, GObject)

/* For the watcher. */
TIMON_API const char *timon_store_watch_get_start (TimonStoreWatch *watch);
TIMON_API const char *timon_store_watch_get_end (TimonStoreWatch *watch);
TIMON_API gint64 timon_store_watch_get_revision (TimonStoreWatch *watch);
TIMON_API void timon_store_watch_cancel (TimonStoreWatch *watch);
TIMON_API gboolean timon_store_watch_is_closed (TimonStoreWatch *watch);

/* For the store backend. */
TIMON_API TimonStoreWatch *timon_store_watch_new (const char *start, const char *end);
TIMON_API gboolean timon_store_watch_matches (TimonStoreWatch *watch, const char *key);
TIMON_API gboolean timon_store_watch_push (TimonStoreWatch *watch, TimonStoreEvent *event);
TIMON_API gboolean timon_store_watch_push_many (TimonStoreWatch *watch, GPtrArray *events);
TIMON_API void timon_store_watch_close (TimonStoreWatch *watch, const GError *error);
TIMON_API gboolean timon_store_watch_is_cancelled (TimonStoreWatch *watch);

G_END_DECLS
