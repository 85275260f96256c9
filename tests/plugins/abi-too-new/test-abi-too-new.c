/* test-abi-too-new.c: a plugin built against a newer SDK than this core
 * (same ABI major, next minor), which may call SDK symbols this core
 * lacks. The descriptor is built by hand, since TIMON_PLUGIN_DEFINE stamps
 * this SDK's version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

/* The loader must refuse the plugin before it calls anything in it. */
static gboolean
abi_too_new_init (TimonPlugin *plugin, GError **error)
{
  g_set_error_literal (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INIT,
                       "the loader called the init function of a plugin with a newer ABI");
  return FALSE;
}

extern __attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descriptor;
__attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descriptor = {
  TIMON_ABI_MAJOR,
  TIMON_ABI_MINOR + 1,
  sizeof (TimonPluginDescriptor),
  "test-abi-too-new",
  "A test plugin built against the next ABI minor version",
  "1.0",
  "MIT",
  abi_too_new_init,
};
