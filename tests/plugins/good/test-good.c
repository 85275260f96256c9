/* test-good.c: a plugin that does everything right, the control against
 * which the broken ones are told apart.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-store.h"

static gboolean
good_init (TimonPlugin *plugin, GError **error)
{
  return timon_plugin_add_store (plugin, "test-good", TEST_TYPE_STORE, error);
}

TIMON_PLUGIN_DEFINE (test_good, "A test plugin that loads", "1.2.3", "MIT", good_init)
