/* timon-store-item.h: one key and its value as a store holds them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <glib-object.h>
#include <timon/timon-types.h>

G_BEGIN_DECLS

/**
 * TimonStoreItem:
 *
 * An immutable, reference-counted key/value pair with the revisions the
 * store gave it, as etcd's mvccpb.KeyValue. Items may be shared between
 * threads.
 *
 * Since: 0.1
 */
typedef struct _TimonStoreItem TimonStoreItem;

#define TIMON_TYPE_STORE_ITEM (timon_store_item_get_type ())
TIMON_API GType timon_store_item_get_type (void);

TIMON_API TimonStoreItem *timon_store_item_new (const char *key,
                                                GBytes *value,
                                                gint64 create_revision,
                                                gint64 mod_revision);
TIMON_API TimonStoreItem *timon_store_item_new_take (char *key,
                                                     GBytes *value,
                                                     gint64 create_revision,
                                                     gint64 mod_revision);
TIMON_API TimonStoreItem *timon_store_item_ref (TimonStoreItem *item);
TIMON_API void timon_store_item_unref (TimonStoreItem *item);

TIMON_API const char *timon_store_item_get_key (const TimonStoreItem *item);
TIMON_API GBytes *timon_store_item_get_value (const TimonStoreItem *item);
TIMON_API gint64 timon_store_item_get_create_revision (const TimonStoreItem *item);
TIMON_API gint64 timon_store_item_get_mod_revision (const TimonStoreItem *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimonStoreItem, timon_store_item_unref)

G_END_DECLS
