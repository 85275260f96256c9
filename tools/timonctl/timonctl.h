/* timonctl.h: what the commands of timonctl share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses, as kubectl and most Unix tools use them. */
#define TIMONCTL_EXIT_OK 0
#define TIMONCTL_EXIT_FAILURE 1
#define TIMONCTL_EXIT_USAGE 2

/* The options given before the command, which every command honours. */
typedef struct {
  char **plugin_dirs; /* --plugin-dir, in order; NULL if none */
} TimonctlOptions;

/* A command gets the arguments from its own name on: argv[0] is
 * "plugins". It returns the process's exit status. */
typedef int (*TimonctlCommandFunc) (const TimonctlOptions *options, int argc, char **argv);

int timonctl_plugins (const TimonctlOptions *options, int argc, char **argv);

G_END_DECLS
