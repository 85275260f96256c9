/* timond: the Timon control plane.
 *
 * It loads the plugins, opens the store and serves the Kubernetes API
 * over plain HTTP; the scheduler and controllers join it as their issues
 * land.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "timon-api-server.h"
#include "timon-registry.h"

/* The namespaces Kubernetes has from its first start. */
static const char *const initial_namespaces[] = {
  "default", "kube-system", "kube-public", "kube-node-lease", NULL,
};

static gboolean
on_signal (gpointer user_data)
{
  /* Kept: a second signal during the (bounded) shutdown must not kill
   * timond before its watches and writes are done. */
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static char *
default_data_dir (void)
{
  if (geteuid () == 0)
    return g_strdup ("/var/lib/timon");
  return g_build_filename (g_get_user_data_dir (), "timon", NULL);
}

/* Whether @address ("HOST:PORT") is on the loopback interface. */
static gboolean
is_loopback (const char *address)
{
  const char *colon = strrchr (address, ':');
  g_autofree char *host =
    g_strndup (address, colon ? (size_t) (colon - address) : strlen (address));
  if (host[0] == '[') {
    char *inner = g_strndup (host + 1, strlen (host) > 2 ? strlen (host) - 2 : 0);
    g_free (host);
    host = inner;
  }
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (host);
  return inet != NULL && g_inet_address_get_is_loopback (inet);
}

/* The kubeconfig kubectl uses as it is: no TLS, no credentials. */
static gboolean
write_kubeconfig (const char *data_dir, const char *address, GError **error)
{
  g_autofree char *path = g_build_filename (data_dir, "kubeconfig", NULL);
  g_autofree char *contents = g_strdup_printf ("apiVersion: v1\n"
                                               "kind: Config\n"
                                               "clusters:\n"
                                               "- name: timon\n"
                                               "  cluster:\n"
                                               "    server: http://%s\n"
                                               "contexts:\n"
                                               "- name: timon\n"
                                               "  context:\n"
                                               "    cluster: timon\n"
                                               "    user: timon\n"
                                               "    namespace: default\n"
                                               "current-context: timon\n"
                                               "users:\n"
                                               "- name: timon\n"
                                               "  user: {}\n",
                                               address);
  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

int
main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *store_name = NULL;
  g_autofree char *listen = NULL;
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
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Serve the API on HOST:PORT, plain HTTP (default: 127.0.0.1:6443; port 0 picks one)",
      "HOST:PORT" },
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
#ifdef __linux__
  /* Started again through /proc/self/exe, the process would be called
   * "exe" in ps, top and pkill. */
  prctl (PR_SET_NAME, "timond");
#endif

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
  if (listen == NULL)
    listen = g_strdup ("127.0.0.1:6443");

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

  /* Declared after the store, so it goes first: its watches and
   * pending writes hold on to the store. */
  g_autoptr (TimonApiServer) server = timon_api_server_new (registry, store);
  if (!timon_api_server_ensure_namespaces (server, initial_namespaces, &error)) {
    g_printerr ("timond: cannot create the initial namespaces: %s\n", error->message);
    return 1;
  }
  if (!is_loopback (listen))
    g_message ("WARNING: the API on %s is plain HTTP without authentication, and reachable "
               "from other hosts: anyone who can connect controls the cluster",
               listen);
  if (!timon_api_server_listen (server, listen, &error)) {
    g_printerr ("timond: cannot listen on %s: %s\n", listen, error->message);
    return 1;
  }
  const char *address = timon_api_server_get_address (server);
  if (!write_kubeconfig (data_dir, address, &error)) {
    g_printerr ("timond: cannot write the kubeconfig: %s\n", error->message);
    return 1;
  }
  g_message ("timond ready at http://%s", address);

  g_main_loop_run (loop);

  /* As kube-apiserver: watches end, writes in flight are answered. */
  g_message ("shutting down");
  timon_api_server_shutdown (server, 5000);
  return 0;
}
