/* test-no-descriptor.c: a plugin whose author misspelt the descriptor's
 * name (declaring it by hand instead of with TIMON_PLUGIN_DEFINE): it
 * exports a descriptor, but not as timon_plugin_descriptor.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

static gboolean
no_descriptor_init (TimonPlugin *plugin, GError **error)
{
  return TRUE;
}

extern __attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descripter;
__attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descripter = {
  TIMON_ABI_MAJOR,
  TIMON_ABI_MINOR,
  sizeof (TimonPluginDescriptor),
  "test-no-descriptor",
  "Misspelt",
  "1.0",
  "MIT",
  no_descriptor_init,
};
