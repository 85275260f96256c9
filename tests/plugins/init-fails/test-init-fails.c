/* test-init-fails.c: a plugin whose init registers a store, then fails:
 * the loader must report the plugin's own reason and drop the store.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-store.h"

static gboolean
init_fails_init (TimonPlugin *plugin, GError **error)
{
  if (!timon_plugin_add_store (plugin, "test-init-fails", TEST_TYPE_STORE, error))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "test-init-fails gives up on purpose");
  return FALSE;
}

TIMON_PLUGIN_DEFINE (test_init_fails,
                     "A test plugin whose init fails",
                     "1.0",
                     "MIT",
                     init_fails_init)
