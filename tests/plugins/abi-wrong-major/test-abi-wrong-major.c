/* test-abi-wrong-major.c: a plugin built against the next ABI major
 * version, whose structures this core does not know. The descriptor is
 * built by hand, since TIMON_PLUGIN_DEFINE stamps this SDK's version.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

/* The loader must refuse the plugin before it calls anything in it. */
static gboolean
abi_wrong_major_init (TimonPlugin *plugin, GError **error)
{
  g_set_error_literal (error, TIMON_PLUGIN_ERROR, TIMON_PLUGIN_ERROR_INIT,
                       "the loader called the init function of a plugin with another ABI major");
  return FALSE;
}

extern __attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descriptor;
__attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descriptor = {
  TIMON_ABI_MAJOR + 1,
  0,
  sizeof (TimonPluginDescriptor),
  "test-abi-wrong-major",
  "A test plugin built against the next ABI major version",
  "1.0",
  "MIT",
  abi_wrong_major_init,
};
