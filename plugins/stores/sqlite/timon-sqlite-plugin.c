/* timon-sqlite-plugin.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-sqlite-store.h"

static gboolean
sqlite_plugin_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "sqlite", TIMON_TYPE_SQLITE_STORE, error);
}

TIMON_PLUGIN_DEFINE (sqlite,
                     "Embedded SQLite store (the default)",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     sqlite_plugin_init)
