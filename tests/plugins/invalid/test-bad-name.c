/* test-bad-name.c: a plugin named with capitals, which users could not
 * type consistently; names are lower case letters, digits and '-'.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <timon/timon.h>

static gboolean
bad_name_init (TimonPlugin *plugin, GError **error)
{
  return TRUE;
}

TIMON_PLUGIN_DEFINE (TestBadName, "A test plugin with an invalid name", "1.0", "MIT", bad_name_init)
