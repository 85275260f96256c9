/* test-duplicate-twice.c: a plugin that registers the same store twice.
 * The first registration succeeds; the loader must drop it when init
 * fails on the second.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-store.h"

static gboolean
duplicate_twice_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "test-twice", TEST_TYPE_STORE, error) &&
         timon_plugin_add_store (plugin, "test-twice", TEST_TYPE_STORE, error);
}

TIMON_PLUGIN_DEFINE (test_duplicate_twice,
                     "A test plugin that registers one store twice",
                     "1.0",
                     "MIT",
                     duplicate_twice_init)
