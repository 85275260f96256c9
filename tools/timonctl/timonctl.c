/* timonctl: the Timon command line client.
 *
 * `timonctl COMMAND [ARGS]`, one command per file (timonctl-COMMAND.c).
 * Usage errors print one line and exit 2, so that scripts can tell them
 * from a command that ran and failed (exit 1).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <locale.h>
#include <string.h>
#include <timon/timon.h>

#include "timonctl.h"

typedef struct {
  const char *name;
  TimonctlCommandFunc func;
  const char *summary;
} Command;

static const Command commands[] = {
  { "plugins", timonctl_plugins, "List the plugins and what they provide" },
};

static char *
commands_summary (void)
{
  g_autoptr (GString) summary = g_string_new ("Commands:");

  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (summary, "\n  %-10s %s", commands[i].name, commands[i].summary);
  return g_string_free (g_steal_pointer (&summary), FALSE);
}

int
main (int argc, char **argv)
{
  gboolean version = FALSE;
  g_auto (GStrv) plugin_dirs = NULL;
  g_autoptr (GError) error = NULL;
  GOptionEntry entries[] = {
    { "plugin-dir", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
      "Also load the plugins in DIR (may be repeated)", "DIR" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  g_set_prgname ("timonctl");

  g_autofree char *summary = commands_summary ();
  g_autoptr (GOptionContext) context = g_option_context_new ("COMMAND [ARGS...]");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
                                    "Run 'timonctl COMMAND --help' for the options of a command.");
  /* Options after the command are the command's own. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("timonctl: %s\n", error->message);
    return TIMONCTL_EXIT_USAGE;
  }
  if (version) {
    g_print ("timonctl %s (plugin ABI %d.%d)\n", TIMON_VERSION_STRING, TIMON_ABI_MAJOR,
             TIMON_ABI_MINOR);
    return TIMONCTL_EXIT_OK;
  }
  if (argc < 2) {
    g_printerr ("timonctl: no command given (run 'timonctl --help' for the list)\n");
    return TIMONCTL_EXIT_USAGE;
  }

  TimonctlOptions options = { plugin_dirs };
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++) {
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].func (&options, argc - 1, argv + 1);
  }
  g_autofree char *shown = g_utf8_make_valid (argv[1], -1);
  g_printerr ("timonctl: unknown command \"%s\" (run 'timonctl --help' for the list)\n", shown);
  return TIMONCTL_EXIT_USAGE;
}
