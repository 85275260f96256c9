/* timon-memory-plugin.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-memory-store.h"

static gboolean
memory_plugin_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "memory", TIMON_TYPE_MEMORY_STORE, error);
}

TIMON_PLUGIN_DEFINE (memory,
                     "In-memory store, for tests and benchmarks",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     memory_plugin_init)
