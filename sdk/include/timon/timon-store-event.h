/* timon-store-event.h: one change a store watch reports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <glib-object.h>
#include <timon/timon-types.h>
#include <timon/timon-store-item.h>

G_BEGIN_DECLS

/**
 * TimonStoreEventType:
 * @TIMON_STORE_EVENT_CREATE: the key did not exist before this revision
 * @TIMON_STORE_EVENT_UPDATE: the key existed and got a new value
 * @TIMON_STORE_EVENT_DELETE: the key was deleted
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_STORE_EVENT_CREATE,
  TIMON_STORE_EVENT_UPDATE,
  TIMON_STORE_EVENT_DELETE,
} TimonStoreEventType;

/**
 * TimonStoreEvent:
 *
 * An immutable, reference-counted change: its type, the item after the
 * change and the item before it. For a delete, the item carries the key,
 * the revision of the delete as its mod revision and no value.
 *
 * Since: 0.1
 */
typedef struct _TimonStoreEvent TimonStoreEvent;

#define TIMON_TYPE_STORE_EVENT (timon_store_event_get_type ())
TIMON_API GType timon_store_event_get_type (void);

TIMON_API TimonStoreEvent *timon_store_event_new (TimonStoreEventType type,
                                                  TimonStoreItem *item,
                                                  TimonStoreItem *prev_item);
TIMON_API TimonStoreEvent *timon_store_event_ref (TimonStoreEvent *event);
TIMON_API void timon_store_event_unref (TimonStoreEvent *event);

TIMON_API TimonStoreEventType timon_store_event_get_event_type (const TimonStoreEvent *event);
TIMON_API TimonStoreItem *timon_store_event_get_item (const TimonStoreEvent *event);
TIMON_API TimonStoreItem *timon_store_event_get_prev_item (const TimonStoreEvent *event);
TIMON_API gint64 timon_store_event_get_revision (const TimonStoreEvent *event);
TIMON_API const char *timon_store_event_get_key (const TimonStoreEvent *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimonStoreEvent, timon_store_event_unref)

G_END_DECLS
