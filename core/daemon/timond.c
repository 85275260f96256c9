/* timond: the Timon control plane.
 *
 * For now it loads the plugins, opens the store and waits; the API
 * server, scheduler and controllers join it as their issues land.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>

#include "timon-registry.h"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static char *
default_data_dir (void)
{
  if (geteuid () == 0)
    return g_strdup ("/var/lib/timon");
  return g_build_filename (g_get_user_data_dir (), "timon", NULL);
}

int
main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *store_name = NULL;
  g_auto (GStrv) plugin_dirs = NULL;
  gboolean version = FALSE;
  g_autoptr (GError) error = NULL;
  GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where the store keeps its data (default: $XDG_DATA_HOME/timon, /var/lib/timon as root)",
      "DIR" },
    { "store", 's', 0, G_OPTION_ARG_STRING, &store_name,
      "The store backend: sqlite (default), memory, or one a plugin provides", "NAME" },
    { "plugin-dir", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
      "Also load the plugins in DIR (may be repeated)", "DIR" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL },
  };

  /* GLib 2.74's slice allocator keeps what is freed and scales poorly
   * across threads, and reads G_SLICE once, when GLib starts: timond
   * sets it and starts itself again, before GLib allocates anything. */
  if (getenv ("G_SLICE") == NULL) {
    setenv ("G_SLICE", "always-malloc", 1);
    execv ("/proc/self/exe", argv);
    /* No /proc: go on with the slice allocator. */
  }

  setlocale (LC_ALL, "");
  g_autoptr (GOptionContext) context = g_option_context_new ("- the Timon control plane");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("timond: %s\n", error->message);
    return 2;
  }
  if (version) {
    g_print ("timond %s\n", TIMON_VERSION);
    return 0;
  }
  if (data_dir == NULL)
    data_dir = default_data_dir ();
  if (store_name == NULL)
    store_name = g_strdup ("sqlite");

  /* Before anything is announced: a SIGTERM that follows the first
   * message must stop timond cleanly, not kill it. */
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);

  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  timon_registry_load_default (registry, (const char *const *) plugin_dirs);

  GPtrArray *failures = timon_registry_get_failures (registry);
  for (guint i = 0; i < failures->len; i++) {
    TimonPluginFailure *failure = failures->pdata[i];
    g_message ("plugin %s not loaded: %s", failure->filename, failure->error->message);
  }
  g_message ("%u plugins loaded", timon_registry_get_plugins (registry)->len);

  if (g_mkdir_with_parents (data_dir, 0700) != 0) {
    g_printerr ("timond: cannot create the data folder %s: %s\n", data_dir, g_strerror (errno));
    return 1;
  }
  g_autofree char *location = g_build_filename (data_dir, "timon.db", NULL);
  g_autoptr (TimonStore) store = timon_registry_open_store (registry, store_name, location, &error);
  if (store == NULL) {
    g_printerr ("timond: cannot open the %s store: %s\n", store_name, error->message);
    return 1;
  }
  g_message ("store %s open at %s, revision %" G_GINT64_FORMAT, store_name, location,
             timon_store_get_revision (store));

  g_main_loop_run (loop);

  g_message ("shutting down");
  return 0;
}
