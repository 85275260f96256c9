/* test-not-a-store.c: a plugin that registers, as a store, a type that
 * does not implement TimonStore.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

#define TEST_TYPE_NOT_A_STORE (test_not_a_store_get_type ())
G_DECLARE_FINAL_TYPE (TestNotAStore, test_not_a_store, TEST, NOT_A_STORE, GObject)

struct _TestNotAStore {
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (TestNotAStore, test_not_a_store, G_TYPE_OBJECT)

static void
test_not_a_store_class_init (TestNotAStoreClass *klass)
{
}

static void
test_not_a_store_init (TestNotAStore *self)
{
}

static gboolean
not_a_store_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "test-not-a-store", TEST_TYPE_NOT_A_STORE, error);
}

TIMON_PLUGIN_DEFINE (test_not_a_store,
                     "A test plugin whose store is not a TimonStore",
                     "1.0",
                     "MIT",
                     not_a_store_init)
