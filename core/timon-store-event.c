/* timon-store-event.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <timon/timon.h>

struct _TimonStoreEvent {
  gatomicrefcount ref_count;
  TimonStoreEventType type;
  TimonStoreItem *item;
  TimonStoreItem *prev_item;
};

G_DEFINE_BOXED_TYPE (TimonStoreEvent,
                     timon_store_event,
                     timon_store_event_ref,
                     timon_store_event_unref)

/**
 * timon_store_event_new:
 * @type: what happened
 * @item: the item after the change (for a delete: the key, the revision
 *   of the delete, no value)
 * @prev_item: (nullable): the item before the change
 *
 * Returns: (transfer full): a new event holding references to both items
 *
 * Since: 0.1
 */
TimonStoreEvent *
timon_store_event_new (TimonStoreEventType type, TimonStoreItem *item, TimonStoreItem *prev_item)
{
  g_return_val_if_fail (item != NULL, NULL);
  g_return_val_if_fail (type == TIMON_STORE_EVENT_CREATE || prev_item != NULL, NULL);

  TimonStoreEvent *event = g_new (TimonStoreEvent, 1);
  g_atomic_ref_count_init (&event->ref_count);
  event->type = type;
  event->item = timon_store_item_ref (item);
  event->prev_item = prev_item ? timon_store_item_ref (prev_item) : NULL;
  return event;
}

/**
 * timon_store_event_ref:
 * @event: an event
 *
 * Returns: (transfer full): @event
 *
 * Since: 0.1
 */
TimonStoreEvent *
timon_store_event_ref (TimonStoreEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  g_atomic_ref_count_inc (&event->ref_count);
  return event;
}

/**
 * timon_store_event_unref:
 * @event: (transfer full): an event
 *
 * Since: 0.1
 */
void
timon_store_event_unref (TimonStoreEvent *event)
{
  g_return_if_fail (event != NULL);

  if (!g_atomic_ref_count_dec (&event->ref_count))
    return;
  timon_store_item_unref (event->item);
  g_clear_pointer (&event->prev_item, timon_store_item_unref);
  g_free (event);
}

/**
 * timon_store_event_get_event_type:
 * @event: an event
 *
 * Returns: what happened
 *
 * Since: 0.1
 */
TimonStoreEventType
timon_store_event_get_event_type (const TimonStoreEvent *event)
{
  g_return_val_if_fail (event != NULL, TIMON_STORE_EVENT_CREATE);
  return event->type;
}

/**
 * timon_store_event_get_item:
 * @event: an event
 *
 * Returns: (transfer none): the item after the change
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_event_get_item (const TimonStoreEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);
  return event->item;
}

/**
 * timon_store_event_get_prev_item:
 * @event: an event
 *
 * Returns: (transfer none) (nullable): the item before the change; %NULL
 *   for a create
 *
 * Since: 0.1
 */
TimonStoreItem *
timon_store_event_get_prev_item (const TimonStoreEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);
  return event->prev_item;
}

/**
 * timon_store_event_get_revision:
 * @event: an event
 *
 * Returns: the revision of the change
 *
 * Since: 0.1
 */
gint64
timon_store_event_get_revision (const TimonStoreEvent *event)
{
  g_return_val_if_fail (event != NULL, 0);
  return timon_store_item_get_mod_revision (event->item);
}

/**
 * timon_store_event_get_key:
 * @event: an event
 *
 * Returns: the key that changed
 *
 * Since: 0.1
 */
const char *
timon_store_event_get_key (const TimonStoreEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);
  return timon_store_item_get_key (event->item);
}
