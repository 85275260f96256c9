/* timon-store-item.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <timon/timon.h>

struct _TimonStoreItem {
  gatomicrefcount ref_count;
  gint64 create_revision;
  gint64 mod_revision;
  GBytes *value;
  char *key;
};

G_DEFINE_BOXED_TYPE (TimonStoreItem, timon_store_item, timon_store_item_ref, timon_store_item_unref)

/**
 * timon_store_item_new_take:
 * @key: (transfer full): the key
 * @value: (transfer full) (nullable): the value; %NULL for a deleted key
 * @create_revision: the revision that created the key
 * @mod_revision: the revision of this value
 *
 * Like timon_store_item_new(), but takes ownership of @key and @value, so
 * that a backend that built them for the item copies nothing.
 *
 * Returns: (transfer full): a new item
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_item_new_take (char *key, GBytes *value, gint64 create_revision, gint64 mod_revision)
{
  g_return_val_if_fail (key != NULL, NULL);

  TimonStoreItem *item = g_new (TimonStoreItem, 1);
  g_atomic_ref_count_init (&item->ref_count);
  item->key = key;
  item->value = value;
  item->create_revision = create_revision;
  item->mod_revision = mod_revision;
  return item;
}

/**
 * timon_store_item_new:
 * @key: the key
 * @value: (nullable): the value; %NULL for a deleted key
 * @create_revision: the revision that created the key
 * @mod_revision: the revision of this value
 *
 * Returns: (transfer full): a new item
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_item_new (const char *key, GBytes *value, gint64 create_revision, gint64 mod_revision)
{
  g_return_val_if_fail (key != NULL, NULL);

  return timon_store_item_new_take (g_strdup (key), value ? g_bytes_ref (value) : NULL,
                                    create_revision, mod_revision);
}

/**
 * timon_store_item_ref:
 * @item: an item
 *
 * Returns: (transfer full): @item
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_item_ref (TimonStoreItem *item)
{
  g_return_val_if_fail (item != NULL, NULL);

  g_atomic_ref_count_inc (&item->ref_count);
  return item;
}

/**
 * timon_store_item_unref:
 * @item: (transfer full): an item
 *
 * Since: 0.1
 */
void
timon_store_item_unref (TimonStoreItem *item)
{
  g_return_if_fail (item != NULL);

  if (!g_atomic_ref_count_dec (&item->ref_count))
    return;
  g_clear_pointer (&item->value, g_bytes_unref);
  g_free (item->key);
  g_free (item);
}

/**
 * timon_store_item_get_key:
 * @item: an item
 *
 * Returns: the key
 *
 * Since: 0.1
 */
const char *
timon_store_item_get_key (const TimonStoreItem *item)
{
  g_return_val_if_fail (item != NULL, NULL);
  return item->key;
}

/**
 * timon_store_item_get_value:
 * @item: an item
 *
 * Returns: (transfer none) (nullable): the value; %NULL for a deleted key
 *
 * Since: 0.1
 */
GBytes *
timon_store_item_get_value (const TimonStoreItem *item)
{
  g_return_val_if_fail (item != NULL, NULL);
  return item->value;
}

/**
 * timon_store_item_get_create_revision:
 * @item: an item
 *
 * Returns: the revision that created the key
 *
 * Since: 0.1
 */
gint64
timon_store_item_get_create_revision (const TimonStoreItem *item)
{
  g_return_val_if_fail (item != NULL, 0);
  return item->create_revision;
}

/**
 * timon_store_item_get_mod_revision:
 * @item: an item
 *
 * Returns: the revision that wrote this value (or deleted the key)
 *
 * Since: 0.1
 */
gint64
timon_store_item_get_mod_revision (const TimonStoreItem *item)
{
  g_return_val_if_fail (item != NULL, 0);
  return item->mod_revision;
}
