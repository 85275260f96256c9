/* test-duplicate-memory.c: a plugin that provides the store "memory",
 * which the memory plugin already provides.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-store.h"

static gboolean
duplicate_memory_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "memory", TEST_TYPE_STORE, error);
}

TIMON_PLUGIN_DEFINE (test_duplicate_memory,
                     "A test plugin that provides a second memory store",
                     "1.0",
                     "MIT",
                     duplicate_memory_init)
