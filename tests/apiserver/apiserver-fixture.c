/* apiserver-fixture.c: a real timond for the API server tests, and the
 * helpers that drive it over HTTP and with kubectl.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "apiserver-fixture.h"

/* ---- timond ----------------------------------------------------------- */

/* In the child, before exec: a failed assertion aborts the test without
 * its teardown, and what it started must not outlive it. */
static void
die_with_test (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

void
daemon_start (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  const char *argv[] = { TIMOND, "--listen",     "127.0.0.1:0",   "--data-dir",
                         f->dir, "--plugin-dir", TEST_PLUGIN_DIR, NULL };

  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  /* Under the sanitizers: a known leak of libsoup 3.2 (see lsan.supp),
   * which the slow unwinder lets the suppression see through GLib. Other
   * builds ignore these. */
  g_autofree char *supp =
    g_build_filename (g_getenv ("MESON_SOURCE_ROOT"), "tests", "apiserver", "lsan.supp", NULL);
  g_autofree char *lsan = g_strdup_printf ("suppressions=%s:print_suppressions=0", supp);
  const char *asan = g_getenv ("ASAN_OPTIONS");
  g_autofree char *asan_options =
    g_strconcat (asan ? asan : "", asan ? ":" : "", "fast_unwind_on_malloc=0", NULL);
  g_subprocess_launcher_setenv (launcher, "LSAN_OPTIONS", lsan, TRUE);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan_options, TRUE);
  f->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  f->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->process));
  for (;;) {
    g_autofree char *line = g_data_input_stream_read_line_utf8 (f->lines, NULL, NULL, &error);
    g_assert_no_error (error);
    if (line == NULL)
      g_error ("timond ended before it was ready; it printed:\n%s", f->output->str);
    g_string_append_printf (f->output, "%s\n", line);
    const char *ready = strstr (line, "timond ready at http://");
    if (ready != NULL) {
      g_free (f->address);
      f->address = g_strdup (ready + strlen ("timond ready at http://"));
      return;
    }
  }
}

/* Stops timond with SIGTERM: it must exit 0 without a critical. */
void
daemon_stop (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  char *line;

  if (f->process == NULL)
    return;
  g_subprocess_send_signal (f->process, SIGTERM);
  while ((line = g_data_input_stream_read_line_utf8 (f->lines, NULL, NULL, &error)) != NULL) {
    g_string_append_printf (f->output, "%s\n", line);
    g_free (line);
  }
  g_assert_no_error (error);
  g_subprocess_wait (f->process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (f->process) || g_subprocess_get_exit_status (f->process) != 0)
    g_error ("timond did not exit cleanly; it printed:\n%s", f->output->str);
  g_assert_null (strstr (f->output->str, "CRITICAL"));
  g_assert_null (strstr (f->output->str, "WARNING **"));
  g_clear_object (&f->lines);
  g_clear_object (&f->process);
}

void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("timon-api-XXXXXX", &error);
  g_assert_no_error (error);
  f->output = g_string_new (NULL);
  /* No proxy for 127.0.0.1, and room for watches beside other requests. */
  f->session = g_object_new (SOUP_TYPE_SESSION, "proxy-resolver", NULL, "max-conns-per-host", 16,
                             "timeout", 30, NULL);
  daemon_start (f);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
    g_rmdir (path);
  } else {
    g_remove (path);
  }
}

void
fixture_teardown (Fixture *f, gconstpointer data)
{
  daemon_stop (f);
  g_clear_object (&f->session);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->address);
  g_string_free (f->output, TRUE);
}

/* ---- HTTP ------------------------------------------------------------- */

void
response_clear (Response *r)
{
  g_clear_pointer (&r->body, g_free);
  g_clear_pointer (&r->content_type, g_free);
  g_clear_pointer (&r->cache_control, g_free);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
}

SoupMessage *
new_message (Fixture *f, const char *method, const char *path)
{
  g_autofree char *url = g_strdup_printf ("http://%s%s", f->address, path);
  SoupMessage *msg = soup_message_new (method, url);
  g_assert_nonnull (msg);
  return msg;
}

void
request_full (Fixture *f,
              Response *r,
              const char *method,
              const char *path,
              const char *content_type,
              const char *body,
              gsize length,
              const char *accept)
{
  g_autoptr (SoupMessage) msg = new_message (f, method, path);
  g_autoptr (GError) error = NULL;

  if (body != NULL) {
    g_autoptr (GBytes) bytes = g_bytes_new (body, length);
    soup_message_set_request_body_from_bytes (msg, content_type, bytes);
  }
  if (accept != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", accept);
  g_autoptr (GBytes) reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);

  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  r->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  r->cache_control = g_strdup (soup_message_headers_get_one (headers, "Cache-Control"));
  r->headers = soup_message_headers_ref (headers);
  g_autoptr (JsonParser) parser = json_parser_new ();
  if (json_parser_load_from_data (parser, r->body, -1, NULL) && json_parser_get_root (parser))
    r->json = json_node_ref (json_parser_get_root (parser));
}

void
request (Fixture *f, Response *r, const char *method, const char *path, const char *json)
{
  request_full (f, r, method, path, "application/json", json, json ? strlen (json) : 0, NULL);
}

JsonObject *
obj (Response *r)
{
  if (r->json == NULL || !JSON_NODE_HOLDS_OBJECT (r->json))
    g_error ("not a JSON object (%u): %s", r->status, r->body);
  return json_node_get_object (r->json);
}

/* A member by dotted path ("metadata.name"), or NULL. */
JsonNode *
path_get (JsonObject *object, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (char **p = parts; *p != NULL; p++) {
    if (object == NULL || !json_object_has_member (object, *p))
      return NULL;
    node = json_object_get_member (object, *p);
    object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  }
  return node;
}

const char *
str (JsonObject *object, const char *path)
{
  JsonNode *node = path_get (object, path);
  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node)
           : NULL;
}

gint64
num (JsonObject *object, const char *path)
{
  JsonNode *node = path_get (object, path);
  return node != NULL && json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node)
                                                                         : -1;
}

gint64
rv_of (JsonObject *object)
{
  const char *rv = str (object, "metadata.resourceVersion");
  g_assert_nonnull (rv);
  return g_ascii_strtoll (rv, NULL, 10);
}

/* Checks that @r is a metav1.Status failure with @code and @reason. */
void
assert_status (Response *r, guint code, const char *reason)
{
  if (r->status != code)
    g_error ("expected %u %s, got %u: %s", code, reason, r->status, r->body);
  JsonObject *o = obj (r);
  g_assert_cmpstr (str (o, "kind"), ==, "Status");
  g_assert_cmpstr (str (o, "status"), ==, "Failure");
  g_assert_cmpstr (str (o, "reason"), ==, reason);
  g_assert_cmpint (num (o, "code"), ==, code);
  g_assert_nonnull (str (o, "message"));
}

void
assert_ok (Response *r, guint code)
{
  if (r->status != code)
    g_error ("expected %u, got %u: %s", code, r->status, r->body);
}

void
create_widget (Fixture *f, const char *ns, const char *name, const char *labels, const char *color)
{
  g_auto (Response) r = { 0 };
  g_autofree char *path = g_strdup_printf ("/apis/test.timon.io/v1/namespaces/%s/widgets", ns);
  g_autofree char *body =
    g_strdup_printf ("{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{"
                     "\"name\":\"%s\",\"labels\":{%s}},\"spec\":{\"color\":\"%s\"}}",
                     name, labels, color);
  request (f, &r, "POST", path, body);
  assert_ok (&r, 201);
}

/* Whether the real Namespace type (resources/core) is loaded. */
gboolean
have_namespaces (Fixture *f)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", "/api/v1/namespaces", NULL);
  return r.status == 200;
}

guint
n_items (Response *r)
{
  return json_array_get_length (json_object_get_array_member (obj (r), "items"));
}

void
ensure_namespace (Fixture *f, const char *name)
{
  if (!have_namespaces (f))
    return;
  g_auto (Response) r = { 0 };
  g_autofree char *body = g_strdup_printf (
    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}", name);
  request (f, &r, "POST", "/api/v1/namespaces", body);
  assert_ok (&r, 201);
}

/* GET /metrics, parsed: each series ("name{labels}") → its value. Every
 * line is a comment or "SERIES VALUE", as the text format has it. */
GHashTable *
scrape (Fixture *f)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", "/metrics", NULL);
  assert_ok (&r, 200);
  g_assert_cmpstr (r.content_type, ==, "text/plain; version=0.0.4; charset=utf-8");

  GHashTable *series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (r.body, "\n", -1);
  for (char **l = lines; *l != NULL; l++) {
    if ((*l)[0] == '\0' || (*l)[0] == '#')
      continue;
    const char *space = strrchr (*l, ' ');
    g_assert_nonnull (space);
    char *end = NULL;
    double value = g_ascii_strtod (space + 1, &end);
    g_assert_cmpint (*end, ==, '\0');
    double *boxed = g_new (double, 1);
    *boxed = value;
    g_autofree char *name = g_strndup (*l, space - *l);
    g_assert_false (g_hash_table_contains (series, name));
    g_hash_table_insert (series, g_steal_pointer (&name), boxed);
  }
  return series;
}

/* The value of @name, or -1 when the scrape does not have it. */
double
series_value (GHashTable *series, const char *name)
{
  double *value = g_hash_table_lookup (series, name);
  return value ? *value : -1;
}

/* A bare TCP connection to timond, blocking, for what an HTTP client
 * would not send; reads and writes give up after 30 s rather than hang
 * the test. */
GSocket *
raw_connect (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  const char *colon = strrchr (f->address, ':');
  g_autofree char *host = g_strndup (f->address, colon - f->address);
  g_autoptr (GSocketAddress) address =
    g_inet_socket_address_new_from_string (host, (guint) g_ascii_strtoull (colon + 1, NULL, 10));
  g_assert_nonnull (address);

  GSocket *socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, 30);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return socket;
}

char *
raw_exchange (Fixture *f, const char *data, gsize length, gboolean finish, gboolean head_only)
{
  g_autoptr (GSocket) socket = raw_connect (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) received = g_string_new (NULL);
  char buffer[4096];

  for (gsize sent = 0; sent < length;) {
    gssize n = g_socket_send (socket, data + sent, length - sent, NULL, &error);
    /* timond may answer and close before it has read everything. */
    if (n < 0)
      break;
    sent += (gsize) n;
  }
  g_clear_error (&error);
  if (finish)
    g_socket_shutdown (socket, FALSE, TRUE, NULL);
  for (;;) {
    gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
    if (n <= 0)
      break;
    g_string_append_len (received, buffer, n);
    if (head_only && memmem (received->str, received->len, "\r\n\r\n", 4) != NULL)
      break;
  }
  /* A reset after the answer is not a failure; a timeout is. */
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    g_assert_no_error (error);
  return g_string_free (g_steal_pointer (&received), FALSE);
}

/* ---- watch ------------------------------------------------------------ */

void
watch_free (Watch *w)
{
  g_input_stream_close (w->stream, NULL, NULL);
  g_clear_object (&w->lines);
  g_clear_object (&w->stream);
  g_clear_object (&w->msg);
  g_free (w);
}

Watch *
watch_start_accept (Fixture *f, const char *path, const char *accept)
{
  g_autoptr (GError) error = NULL;
  Watch *w = g_new0 (Watch, 1);

  w->msg = new_message (f, "GET", path);
  if (accept != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (w->msg), "Accept", accept);
  w->stream = soup_session_send (f->session, w->msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (w->msg), ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (w->msg),
                                                 "Content-Type"),
                   ==, "application/json");
  g_assert_cmpint (soup_message_headers_get_encoding (soup_message_get_response_headers (w->msg)),
                   ==, SOUP_ENCODING_CHUNKED);
  w->lines = g_data_input_stream_new (w->stream);
  return w;
}

Watch *
watch_start (Fixture *f, const char *path)
{
  return watch_start_accept (f, path, NULL);
}

/* The next event; its type in @out_type. NULL at the end of the stream. */
JsonNode *
watch_next (Watch *w, char **out_type)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_utf8 (w->lines, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL)
    return NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  JsonObject *event = json_node_get_object (json_parser_get_root (parser));
  *out_type = g_strdup (json_object_get_string_member (event, "type"));
  return json_node_ref (json_object_get_member (event, "object"));
}

/* Checks that the next event is @type of the object @name. */
gint64
expect_event (Watch *w, const char *type, const char *name)
{
  g_autofree char *got = NULL;
  g_autoptr (JsonNode) node = watch_next (w, &got);
  if (node == NULL)
    g_error ("the watch ended; expected %s %s", type, name);
  g_assert_cmpstr (got, ==, type);
  JsonObject *o = json_node_get_object (node);
  g_assert_cmpstr (str (o, "metadata.name"), ==, name);
  return rv_of (o);
}

GSubprocessLauncher *
kubectl_launcher (Fixture *f, GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  g_autofree char *kubeconfig = g_build_filename (f->dir, "kubeconfig", NULL);
  g_autofree char *home = g_build_filename (f->dir, "home", NULL);
  g_mkdir_with_parents (home, 0700);
  g_subprocess_launcher_setenv (launcher, "KUBECONFIG", kubeconfig, TRUE);
  /* kubectl's caches go there, not into the user's home. */
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "http_proxy");
  g_subprocess_launcher_unsetenv (launcher, "HTTP_PROXY");
  return launcher;
}

void
kubectl (Fixture *f, TestRun *run, const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = kubectl_launcher (f, G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_strv_builder_add_many (builder, "timeout", "60", "/usr/bin/kubectl", NULL);
  g_strv_builder_addv (builder, (const char **) args);
  g_auto (GStrv) argv = g_strv_builder_end (builder);
  test_run (run, launcher, (const char *const *) argv);
}

/* Skips the test, saying why, where the real kubectl is missing. */
gboolean
kubectl_installed (void)
{
  if (g_file_test ("/usr/bin/kubectl", G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_test_skip ("/usr/bin/kubectl is not installed");
  return FALSE;
}

/* The element of @array whose @member (a dotted path) is @name. */
JsonObject *
find_by_name (JsonArray *array, const char *member, const char *name)
{
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonObject *o = json_array_get_object_element (array, i);
    if (g_strcmp0 (str (o, member), name) == 0)
      return o;
  }
  return NULL;
}

void
kubectl_expect (Fixture *f, const char *const *args, const char *expected)
{
  g_auto (TestRun) run = { 0 };
  kubectl (f, &run, args);
  if (run.status != 0)
    g_error ("kubectl %s failed (%d): %s%s", args[0], run.status, run.out, run.err);
  assert_contains (run.out, expected);
}

/* Whether the real Pod type (resources/core) is loaded; skips the test,
 * saying why, when it is not. */
gboolean
have_pods (Fixture *f)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", "/api/v1/namespaces/default/pods", NULL);
  if (r.status == 200)
    return TRUE;
  g_test_skip ("the resources/core plugin is not loaded: no pods");
  return FALSE;
}
