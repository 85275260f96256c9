/* timon-etcd-plugin.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-etcd-store.h"

static gboolean
etcd_plugin_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "etcd", TIMON_TYPE_ETCD_STORE, error);
}

TIMON_PLUGIN_DEFINE (etcd,
                     "etcd v3 store, through its JSON gateway",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     etcd_plugin_init)
