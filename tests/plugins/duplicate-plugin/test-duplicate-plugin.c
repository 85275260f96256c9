/* test-duplicate-plugin.c: built twice, into two files that declare the
 * same plugin name, as when two versions of a plugin are installed in two
 * folders.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

static gboolean
duplicate_plugin_init (TimonPlugin *plugin, GError **error)
{
  return TRUE;
}

TIMON_PLUGIN_DEFINE (test_duplicate_plugin,
                     "A test plugin built into two files",
                     "1.0",
                     "MIT",
                     duplicate_plugin_init)
