/* store-test-utils.c: helpers of the store conformance suite.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "store-test-utils.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

/* Backends */

StoreTestBackend *
store_test_backend_new (TimonRegistry *registry, const char *name)
{
  g_autoptr (StoreTestBackend) backend = g_new0 (StoreTestBackend, 1);
  TimonFeature *feature = timon_registry_lookup (registry, TIMON_FEATURE_STORE, name);
  g_autofree char *library = g_strdup_printf ("store-%s", name);

  backend->name = g_strdup (name);
  backend->type = G_TYPE_INVALID;
  backend->shared = g_str_equal (name, "etcd");

  if (feature == NULL) {
    /* A plugin that was built but did not load is a failure, not a skip. */
    GPtrArray *failures = timon_registry_get_failures (registry);
    for (guint i = 0; i < failures->len; i++) {
      const TimonPluginFailure *failure = failures->pdata[i];
      g_autofree char *base = g_path_get_basename (failure->filename);
      if (strstr (base, library) != NULL) {
        backend->fail_reason =
          g_strdup_printf ("the %s store plugin did not load: %s", name, failure->error->message);
        return g_steal_pointer (&backend);
      }
    }
    backend->skip_reason = g_strdup_printf ("the %s store plugin is not built: no plugin in "
                                            "the registry provides the store \"%s\"",
                                            name, name);
    return g_steal_pointer (&backend);
  }

  if (backend->shared) {
    g_autofree char *etcd = g_find_program_in_path ("etcd");
    if (etcd == NULL) {
      backend->skip_reason = g_strdup ("etcd not installed (apt-get install etcd-server)");
      return g_steal_pointer (&backend);
    }
  }

  backend->type = timon_feature_get_gtype (feature);
  return g_steal_pointer (&backend);
}

void
store_test_backend_free (StoreTestBackend *backend)
{
  g_free (backend->name);
  g_free (backend->skip_reason);
  g_free (backend->fail_reason);
  g_free (backend);
}

/* Files */

void
store_test_rm_rf (const char *path)
{
  struct stat st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode)) {
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      store_test_rm_rf (child);
    }
    g_assert_cmpint (g_rmdir (path), ==, 0);
  } else {
    g_assert_cmpint (g_unlink (path), ==, 0);
  }
}

/* The etcd server: one for the whole binary, since it takes a second to
 * start. Each test works under its own key prefix. */

typedef struct {
  GSubprocess *process;
  char *dir;
  char *log;
  char *url;
} EtcdServer;

static EtcdServer etcd_server;

static void
etcd_child_setup (gpointer user_data)
{
  /* Dies with the test binary, even when it aborts on a failed assertion. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Two distinct free ports: bind port 0 twice, read the ports, close. */
static void
find_free_ports (guint16 *port1, guint16 *port2)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocket *sockets[2] = { NULL, NULL };
  guint16 ports[2] = { 0, 0 };

  for (guint i = 0; i < 2; i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    sockets[i] =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
    g_assert_no_error (error);
    g_socket_bind (sockets[i], any, FALSE, &error);
    g_assert_no_error (error);
    g_autoptr (GSocketAddress) local = g_socket_get_local_address (sockets[i], &error);
    g_assert_no_error (error);
    ports[i] = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  }
  for (guint i = 0; i < 2; i++)
    g_object_unref (sockets[i]);
  *port1 = ports[0];
  *port2 = ports[1];
}

static gboolean
etcd_is_healthy (guint16 port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  static const char request[] = "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  char reply[4096];
  gsize total = 0;

  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  /* No proxy lookup: that reads GSettings, whose schemas the isolated
   * test folders do not have. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, 2);
  g_autoptr (GSocketConnection) connection =
    g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, NULL);
  if (connection == NULL)
    return FALSE;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  if (!g_output_stream_write_all (out, request, sizeof request - 1, NULL, NULL, NULL))
    return FALSE;
  while (total < sizeof reply - 1) {
    gssize n = g_input_stream_read (in, reply + total, sizeof reply - 1 - total, NULL, NULL);
    if (n <= 0)
      break;
    total += (gsize) n;
  }
  reply[total] = '\0';
  return strstr (reply, "\"health\":\"true\"") != NULL;
}

static char *
etcd_log_tail (void)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (etcd_server.log == NULL || !g_file_get_contents (etcd_server.log, &contents, &len, NULL))
    return g_strdup ("(no log)");
  return g_strdup (len > 2000 ? contents + len - 2000 : contents);
}

static char *
make_server_dir (void)
{
  g_autoptr (GError) error = NULL;

  /* etcd fsyncs every write: on tmpfs that costs nothing. */
  if (g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR)) {
    g_autofree char *dir = g_build_filename ("/dev/shm", "timon-test-etcd-XXXXXX", NULL);
    if (g_mkdtemp (dir) != NULL)
      return g_steal_pointer (&dir);
  }
  char *dir = g_dir_make_tmp ("timon-test-etcd-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static gboolean
etcd_try_start (GError **error)
{
  guint16 client_port = 0;
  guint16 peer_port = 0;

  find_free_ports (&client_port, &peer_port);
  etcd_server.dir = make_server_dir ();
  etcd_server.log = g_build_filename (etcd_server.dir, "etcd.log", NULL);
  g_autofree char *data_dir = g_build_filename (etcd_server.dir, "data", NULL);
  g_autofree char *client_url = g_strdup_printf ("http://127.0.0.1:%u", client_port);
  g_autofree char *peer_url = g_strdup_printf ("http://127.0.0.1:%u", peer_port);
  g_autofree char *cluster = g_strdup_printf ("timon-test=%s", peer_url);

  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, etcd_server.log);
  g_subprocess_launcher_set_child_setup (launcher, etcd_child_setup, NULL, NULL);
  const char *const options[][2] = {
    { "--name", "timon-test" },
    { "--data-dir", data_dir },
    { "--listen-client-urls", client_url },
    { "--advertise-client-urls", client_url },
    { "--listen-peer-urls", peer_url },
    { "--initial-advertise-peer-urls", peer_url },
    { "--initial-cluster", cluster },
    { "--initial-cluster-state", "new" },
    /* etcd's default of exactly 1.5 MiB refuses a put of a value of
     * TIMON_STORE_MAX_VALUE_SIZE once the key and the request around it
     * are added ("etcdserver: request is too large"). */
    { "--max-request-bytes", "2097152" },
  };
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "etcd");
  for (guint i = 0; i < G_N_ELEMENTS (options); i++) {
    g_ptr_array_add (argv, (gpointer) options[i][0]);
    g_ptr_array_add (argv, (gpointer) options[i][1]);
  }
  g_ptr_array_add (argv, NULL);
  etcd_server.process =
    g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (etcd_server.process == NULL)
    return FALSE;

  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline) {
    if (g_subprocess_get_identifier (etcd_server.process) == NULL) {
      g_autofree char *tail = etcd_log_tail ();
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "etcd exited at start:\n%s", tail);
      return FALSE;
    }
    if (etcd_is_healthy (client_port)) {
      etcd_server.url = g_steal_pointer (&client_url);
      return TRUE;
    }
    g_usleep (50 * 1000);
  }
  g_autofree char *tail = etcd_log_tail ();
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "etcd did not become healthy:\n%s", tail);
  return FALSE;
}

/**
 * store_test_etcd_url:
 *
 * Starts etcd on first use, on 127.0.0.1 with free ports and a temporary
 * data folder, and waits until it answers /health.
 *
 * Returns: the client URL
 */
const char *
store_test_etcd_url (void)
{
  g_autoptr (GError) error = NULL;

  if (etcd_server.url != NULL)
    return etcd_server.url;

  /* A port found free may be taken before etcd binds it: try again. */
  for (guint attempt = 0; attempt < 3; attempt++) {
    g_clear_error (&error);
    if (etcd_try_start (&error))
      return etcd_server.url;
    g_test_message ("starting etcd failed: %s", error->message);
    store_test_etcd_stop ();
  }
  g_assert_no_error (error);
  return NULL;
}

void
store_test_etcd_stop (void)
{
  if (etcd_server.process != NULL) {
    g_subprocess_send_signal (etcd_server.process, SIGTERM);
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (g_subprocess_get_identifier (etcd_server.process) != NULL &&
           g_get_monotonic_time () < deadline)
      g_usleep (10 * 1000);
    if (g_subprocess_get_identifier (etcd_server.process) != NULL)
      g_subprocess_force_exit (etcd_server.process);
    g_subprocess_wait (etcd_server.process, NULL, NULL);
    g_clear_object (&etcd_server.process);
  }
  if (etcd_server.dir != NULL)
    store_test_rm_rf (etcd_server.dir);
  g_clear_pointer (&etcd_server.dir, g_free);
  g_clear_pointer (&etcd_server.log, g_free);
  g_clear_pointer (&etcd_server.url, g_free);
}

/* Main contexts */

static gboolean
tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * store_test_iterate_until:
 * @context: the context to iterate
 * @done: the condition
 * @user_data: for @done
 * @timeout_ms: how long to wait at most
 *
 * Iterates @context until @done returns %TRUE or @timeout_ms passes.
 *
 * Returns: the last value of @done
 */
gboolean
store_test_iterate_until (GMainContext *context,
                          gboolean (*done) (gpointer user_data),
                          gpointer user_data,
                          guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr (GSource) waker = g_timeout_source_new (5);
  gboolean ok;

  g_source_set_callback (waker, tick, NULL, NULL);
  g_source_attach (waker, context);
  while (!(ok = done (user_data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (waker);
  return ok;
}

static gboolean
never (gpointer user_data)
{
  return FALSE;
}

void
store_test_iterate_for (GMainContext *context, guint ms)
{
  store_test_iterate_until (context, never, NULL, ms);
}

/* Watches */

static void
on_events (TimonStoreWatch *watch, GPtrArray *events, gpointer user_data)
{
  StoreTestWatch *sw = user_data;

  g_assert_true (g_thread_self () == sw->thread);
  g_assert_true (g_main_context_is_owner (sw->context));
  g_assert_false (sw->closed);
  g_assert_nonnull (events);
  g_assert_cmpuint (events->len, >, 0);

  for (guint i = 0; i < events->len; i++) {
    TimonStoreEvent *event = events->pdata[i];
    gint64 revision = timon_store_event_get_revision (event);
    g_assert_cmpint (revision, >, 0);
    if (sw->events->len > 0) {
      TimonStoreEvent *last = sw->events->pdata[sw->events->len - 1];
      g_assert_cmpint (revision, >, timon_store_event_get_revision (last));
    }
    g_ptr_array_add (sw->events, timon_store_event_ref (event));
  }
  g_assert_cmpint (timon_store_watch_get_revision (watch), ==,
                   timon_store_event_get_revision (events->pdata[events->len - 1]));
}

static void
on_closed (TimonStoreWatch *watch, GError *error, gpointer user_data)
{
  StoreTestWatch *sw = user_data;

  g_assert_true (g_thread_self () == sw->thread);
  g_assert_false (sw->closed);
  sw->closed = TRUE;
  sw->closed_error = error != NULL ? g_error_copy (error) : NULL;
}

/**
 * store_test_watch_new:
 * @store: a store
 * @prefix: the prefix to watch
 * @since: the revision to watch from
 *
 * Watches @prefix, in the thread-default main context, asserting that the
 * watch could be made.
 *
 * Returns: (transfer full): the watch and its collected events
 */
StoreTestWatch *
store_test_watch_new (TimonStore *store, const char *prefix, gint64 since)
{
  g_autoptr (GError) error = NULL;
  StoreTestWatch *sw = g_new0 (StoreTestWatch, 1);

  sw->events = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_event_unref);
  sw->context = g_main_context_ref_thread_default ();
  sw->thread = g_thread_self ();
  sw->watch = timon_store_watch (store, prefix, since, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sw->watch);
  sw->events_id = g_signal_connect (sw->watch, "events", G_CALLBACK (on_events), sw);
  sw->closed_id = g_signal_connect (sw->watch, "closed", G_CALLBACK (on_closed), sw);
  return sw;
}

typedef struct {
  StoreTestWatch *sw;
  guint n_events;
} WaitData;

static gboolean
has_events (gpointer user_data)
{
  WaitData *data = user_data;
  return data->sw->events->len >= data->n_events || data->sw->closed;
}

/**
 * store_test_watch_wait:
 * @sw: a watch
 * @n_events: the number of events to wait for, in all
 *
 * Iterates the watch's main context until it delivered at least
 * @n_events events in all; fails after %STORE_TEST_TIMEOUT_MS or if the
 * watch closes.
 */
void
store_test_watch_wait (StoreTestWatch *sw, guint n_events)
{
  WaitData data = { sw, n_events };

  store_test_iterate_until (sw->context, has_events, &data, STORE_TEST_TIMEOUT_MS);
  g_assert_no_error (sw->closed_error);
  g_assert_false (sw->closed);
  g_assert_cmpuint (sw->events->len, >=, n_events);
}

void
store_test_watch_free (StoreTestWatch *sw)
{
  if (sw->watch != NULL) {
    timon_store_watch_cancel (sw->watch);
    g_signal_handler_disconnect (sw->watch, sw->events_id);
    g_signal_handler_disconnect (sw->watch, sw->closed_id);
    g_object_unref (sw->watch);
  }
  g_ptr_array_unref (sw->events);
  g_clear_error (&sw->closed_error);
  g_main_context_unref (sw->context);
  g_free (sw);
}

/* Values and items */

GBytes *
store_test_bytes (const char *str)
{
  return g_bytes_new (str, strlen (str));
}

/* @size bytes of every value, NUL and 0xff included, depending on @seed. */
GBytes *
store_test_pattern_bytes (gsize size, guint seed)
{
  guint8 *data = g_malloc (MAX (size, 1));

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 131 + (i >> 9) + seed * 7) & 0xff);
  return g_bytes_new_take (data, size);
}

/**
 * store_test_assert_item:
 * @item: an item
 * @key: the key it must have
 * @value: (nullable): the value it must have (%NULL: none, as a delete
 *   event's item)
 * @create_revision: its create revision, or -1 not to check it
 * @mod_revision: its mod revision
 */
void
store_test_assert_item (const TimonStoreItem *item,
                        const char *key,
                        GBytes *value,
                        gint64 create_revision,
                        gint64 mod_revision)
{
  g_assert_nonnull (item);
  g_assert_cmpstr (timon_store_item_get_key (item), ==, key);
  GBytes *got = timon_store_item_get_value (item);
  if (value == NULL) {
    g_assert_null (got);
  } else {
    g_assert_nonnull (got);
    gsize got_size = 0;
    gsize want_size = 0;
    gconstpointer got_data = g_bytes_get_data (got, &got_size);
    gconstpointer want_data = g_bytes_get_data (value, &want_size);
    g_assert_cmpmem (got_data, got_size, want_data, want_size);
  }
  if (create_revision >= 0)
    g_assert_cmpint (timon_store_item_get_create_revision (item), ==, create_revision);
  g_assert_cmpint (timon_store_item_get_mod_revision (item), ==, mod_revision);
}
