/* test-incomplete.c: a descriptor filled in by hand, without an init
 * function.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

extern __attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descriptor;
__attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descriptor = {
  TIMON_ABI_MAJOR,
  TIMON_ABI_MINOR,
  sizeof (TimonPluginDescriptor),
  "test-incomplete",
  "No init",
  "1.0",
  "MIT",
  NULL,
};
