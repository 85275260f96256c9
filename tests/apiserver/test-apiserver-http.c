/* test-apiserver-http.c: timond's HTTP/1.1 (core/timon-api-http.c),
 * spoken byte by byte on raw sockets: keep-alive and pipelining,
 * HTTP/1.0, HEAD, "Expect: 100-continue", chunked bodies, and the
 * requests HTTP itself refuses, each with the status Go's server gives.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <sys/socket.h>

#include "apiserver-fixture.h"

#define WIDGET_BODY                                                                  \
  "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":" \
  "\"%s\"},\"spec\":{\"color\":\"red\"}}"

/* A raw connection, and what came on it that no answer took yet. */
typedef struct {
  GSocket *socket;
  GString *in;
  gboolean closed; /* timond closed its side */
} Raw;

static void
raw_clear (Raw *raw)
{
  g_clear_object (&raw->socket);
  if (raw->in != NULL)
    g_string_free (g_steal_pointer (&raw->in), TRUE);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Raw, raw_clear)

static void
raw_open (Fixture *f, Raw *raw)
{
  raw->socket = raw_connect (f);
  raw->in = g_string_new (NULL);
  raw->closed = FALSE;
}

static void
raw_send (Raw *raw, const char *data)
{
  gsize length = strlen (data);
  g_autoptr (GError) error = NULL;
  for (gsize sent = 0; sent < length;) {
    gssize n = g_socket_send (raw->socket, data + sent, length - sent, NULL, &error);
    g_assert_no_error (error);
    sent += (gsize) n;
  }
}

/* Reads more; %FALSE at the end of the stream. */
static gboolean
raw_fill (Raw *raw)
{
  char buffer[4096];
  g_autoptr (GError) error = NULL;
  gssize n = g_socket_receive (raw->socket, buffer, sizeof buffer, NULL, &error);
  if (n <= 0) {
    /* A reset after the answer is an end too; a timeout is not. */
    if (error != NULL)
      g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
    raw->closed = TRUE;
    return FALSE;
  }
  g_string_append_len (raw->in, buffer, n);
  return TRUE;
}

/* The value of header @name in @head, or NULL. */
static char *
header_value (const char *head, const char *name)
{
  g_auto (GStrv) lines = g_strsplit (head, "\r\n", -1);
  for (char **l = lines + 1; *l != NULL && **l != '\0'; l++) {
    const char *colon = strchr (*l, ':');
    if (colon != NULL && (gsize) (colon - *l) == strlen (name) &&
        g_ascii_strncasecmp (*l, name, strlen (name)) == 0)
      return g_strstrip (g_strdup (colon + 1));
  }
  return NULL;
}

/* The next answer on @raw, head and body (Content-Length, chunked, or
 * up to the end); NULL when the connection ended first. @out_status is
 * its status. @no_body: the answer to a HEAD. */
static char *
raw_answer (Raw *raw, guint *out_status, gboolean no_body)
{
  char *end;
  while ((end = strstr (raw->in->str, "\r\n\r\n")) == NULL)
    if (!raw_fill (raw))
      return NULL;
  gsize head_length = (gsize) (end - raw->in->str) + 4;
  g_autofree char *head = g_strndup (raw->in->str, head_length);
  g_assert_true (g_str_has_prefix (head, "HTTP/1.1 "));
  *out_status = (guint) g_ascii_strtoull (head + 9, NULL, 10);

  g_autofree char *length = header_value (head, "Content-Length");
  g_autofree char *encoding = header_value (head, "Transfer-Encoding");
  gsize total;
  if (no_body || *out_status == 100) {
    total = head_length;
  } else if (length != NULL) {
    total = head_length + (gsize) g_ascii_strtoull (length, NULL, 10);
    while (raw->in->len < total)
      g_assert_true (raw_fill (raw));
  } else if (encoding != NULL) {
    while (strstr (raw->in->str + head_length, "\r\n0\r\n\r\n") == NULL &&
           !g_str_has_prefix (raw->in->str + head_length, "0\r\n\r\n"))
      g_assert_true (raw_fill (raw));
    total = (gsize) (strstr (raw->in->str + head_length - 2, "\r\n0\r\n\r\n") - raw->in->str) + 7;
  } else {
    while (raw_fill (raw))
      ;
    total = raw->in->len;
  }
  char *answer = g_strndup (raw->in->str, total);
  g_string_erase (raw->in, 0, (gssize) total);
  return answer;
}

/* Sends @request on a new connection @raw and returns the answer,
 * whose status must be @expected. */
static char *
raw_request (Fixture *f, Raw *raw, const char *request, guint expected)
{
  guint status = 0;
  raw_open (f, raw);
  raw_send (raw, request);
  char *answer = raw_answer (raw, &status, FALSE);
  if (answer == NULL || status != expected)
    g_error ("%s: answered %u, not %u", request, status, expected);
  return answer;
}

/* Whether timond closes the connection now, with nothing more sent. */
static void
assert_closed (Raw *raw)
{
  g_assert_false (raw_fill (raw));
  g_assert_cmpuint (raw->in->len, ==, 0);
}

static gboolean
widget_exists (Fixture *f, const char *name)
{
  g_auto (Response) r = { 0 };
  g_autofree char *path = g_strdup_printf (WIDGETS "/%s", name);
  request (f, &r, "GET", path, NULL);
  return r.status == 200;
}

/* Several requests on one connection, one after the other and then
 * sent at once: each answered, in order; "Connection: close" ends it. */
static void
test_keep_alive (Fixture *f, gconstpointer data)
{
  g_auto (Raw) raw = { 0 };
  guint status;
  raw_open (f, &raw);

  for (guint i = 0; i < 3; i++) {
    raw_send (&raw, "GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
    g_autofree char *answer = raw_answer (&raw, &status, FALSE);
    g_assert_cmpuint (status, ==, 200);
    g_assert_nonnull (strstr (answer, "\"gitVersion\""));
    g_autofree char *date = header_value (answer, "Date");
    g_assert_true (g_str_has_suffix (date, " GMT"));
    g_autofree char *cache = header_value (answer, "Cache-Control");
    g_assert_cmpstr (cache, ==, "no-cache, private");
  }

  /* Pipelined: a create, a read of it, a 404, a health check. */
  g_autofree char *body = g_strdup_printf (WIDGET_BODY, "piped");
  g_autofree char *requests =
    g_strdup_printf ("POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s"
                     "GET " WIDGETS "/piped HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET " WIDGETS "/nothing HTTP/1.1\r\nHost: x\r\n\r\n"
                     "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                     strlen (body), body);
  raw_send (&raw, requests);
  static const guint expected[] = { 201, 200, 404, 200 };
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
    g_autofree char *answer = raw_answer (&raw, &status, FALSE);
    g_assert_nonnull (answer);
    g_assert_cmpuint (status, ==, expected[i]);
    if (i < 2)
      g_assert_nonnull (strstr (answer, "\"name\":\"piped\""));
    if (i == 2)
      g_assert_nonnull (strstr (answer, "\"reason\":\"NotFound\""));
    if (i == 3)
      g_assert_true (g_str_has_suffix (answer, "\r\n\r\nok"));
  }

  raw_send (&raw, "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  g_autofree char *last = raw_answer (&raw, &status, FALSE);
  g_assert_cmpuint (status, ==, 200);
  g_autofree char *connection = header_value (last, "Connection");
  g_assert_cmpstr (connection, ==, "close");
  assert_closed (&raw);
}

/* HTTP/1.0: one request a connection, unless the client asks to keep it. */
static void
test_http10 (Fixture *f, gconstpointer data)
{
  guint status;
  {
    g_auto (Raw) raw = { 0 };
    g_autofree char *answer = raw_request (f, &raw, "GET /healthz HTTP/1.0\r\n\r\n", 200);
    assert_closed (&raw);
  }
  {
    g_auto (Raw) raw = { 0 };
    raw_open (f, &raw);
    for (guint i = 0; i < 2; i++) {
      raw_send (&raw, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      g_autofree char *answer = raw_answer (&raw, &status, FALSE);
      g_assert_cmpuint (status, ==, 200);
      g_autofree char *connection = header_value (answer, "Connection");
      g_assert_cmpstr (connection, ==, "keep-alive");
    }
  }
  /* A watch has no chunks in HTTP/1.0: its lines, then the end of the
   * connection. */
  {
    create_widget (f, "default", "w10", "", "blue");
    g_auto (Raw) raw = { 0 };
    g_autofree char *answer =
      raw_request (f, &raw, "GET " WIDGETS "?watch=true&timeoutSeconds=1 HTTP/1.0\r\n\r\n", 200);
    g_autofree char *encoding = header_value (answer, "Transfer-Encoding");
    g_assert_null (encoding);
    const char *body = strstr (answer, "\r\n\r\n") + 4;
    g_assert_true (g_str_has_prefix (body, "{\"type\":\"ADDED\""));
    g_assert_nonnull (strstr (body, "\"name\":\"w10\""));
    g_assert_true (g_str_has_suffix (body, "}\n"));
  }
}

/* HEAD: the head a GET has, Content-Length included, and no body. */
static void
test_head (Fixture *f, gconstpointer data)
{
  g_auto (Raw) raw = { 0 };
  guint status;
  raw_open (f, &raw);

  raw_send (&raw, "GET /version HTTP/1.1\r\nHost: x\r\n\r\n");
  g_autofree char *get = raw_answer (&raw, &status, FALSE);
  g_autofree char *get_length = header_value (get, "Content-Length");
  raw_send (&raw, "HEAD /version HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  g_autofree char *head = raw_answer (&raw, &status, TRUE);
  g_assert_cmpuint (status, ==, 200);
  g_autofree char *head_length = header_value (head, "Content-Length");
  g_assert_cmpstr (head_length, ==, get_length);
  g_assert_true (g_str_has_suffix (head, "\r\n\r\n"));
  /* What follows is the next answer, not a body. */
  g_autofree char *next = raw_answer (&raw, &status, FALSE);
  g_assert_true (g_str_has_prefix (next, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (next, "ok"));
}

/* A client that waits for "100 Continue" before its body gets it, then
 * the answer; one that is refused gets the refusal instead. */
static void
test_expect_continue (Fixture *f, gconstpointer data)
{
  guint status;
  g_autofree char *body = g_strdup_printf (WIDGET_BODY, "patient");
  {
    g_auto (Raw) raw = { 0 };
    raw_open (f, &raw);
    g_autofree char *head =
      g_strdup_printf ("POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
                       strlen (body));
    raw_send (&raw, head);
    g_autofree char *interim = raw_answer (&raw, &status, FALSE);
    g_assert_cmpstr (interim, ==, "HTTP/1.1 100 Continue\r\n\r\n");
    raw_send (&raw, body);
    g_autofree char *answer = raw_answer (&raw, &status, FALSE);
    g_assert_cmpuint (status, ==, 201);
    g_assert_true (widget_exists (f, "patient"));
  }
  {
    g_auto (Raw) raw = { 0 };
    g_autofree char *answer =
      raw_request (f, &raw,
                   "PUT " WIDGETS "/patient HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                   "Content-Type: application/json\r\nContent-Length: 4000000\r\n\r\n",
                   413);
    g_assert_nonnull (strstr (answer, "\"reason\":\"RequestEntityTooLarge\""));
    assert_closed (&raw);
  }
  {
    g_auto (Raw) raw = { 0 };
    g_autofree char *answer =
      raw_request (f, &raw, "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n\r\n",
                   417);
  }
}

/* A chunked body with chunk extensions and a trailer is read whole. */
static void
test_chunked_body (Fixture *f, gconstpointer data)
{
  g_auto (Raw) raw = { 0 };
  g_autofree char *body = g_strdup_printf (WIDGET_BODY, "chunky");
  gsize half = strlen (body) / 2;
  g_autofree char *request =
    g_strdup_printf ("POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n"
                     "%zx;name=value\r\n%.*s\r\n%zX\r\n%s\r\n0\r\nX-Trailer: yes\r\n\r\n",
                     half, (int) half, body, strlen (body) - half, body + half);

  g_autofree char *answer = raw_request (f, &raw, request, 201);
  g_assert_true (widget_exists (f, "chunky"));
}

/* What HTTP itself refuses: each answered in plain text with Go's
 * status, the connection closed, nothing written, timond serving on. */
static void
test_protocol_errors (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *request;
    guint status;
  } cases[] = {
    { "GET\r\n\r\n", 400 },
    { "GET /healthz\r\n\r\n", 400 },
    { "GET /healthz HTTP/1.1 extra\r\n\r\n", 400 },
    { "GET healthz HTTP/1.1\r\n\r\n", 400 },
    { "G(T /healthz HTTP/1.1\r\n\r\n", 400 },
    { "GET /healthz HTTP/2.0\r\n\r\n", 505 },
    { "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n", 400 },
    { "GET /healthz HTTP/1.1\r\nBad Name: x\r\n\r\n", 400 },
    { "GET /healthz HTTP/1.1\r\nHost: x\r\n folded: line\r\n\r\n", 400 },
    { "POST " WIDGETS " HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501 },
    { "POST " WIDGETS " HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400 },
    { "POST " WIDGETS " HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400 },
    { "POST " WIDGETS " HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400 },
    { "POST " WIDGETS " HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400 },
    { "POST " WIDGETS " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400 },
    { "POST " WIDGETS " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}xx\r\n", 400 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (Raw) raw = { 0 };
    g_autofree char *answer = raw_request (f, &raw, cases[i].request, cases[i].status);
    g_autofree char *connection = header_value (answer, "Connection");
    g_assert_cmpstr (connection, ==, "close");
    assert_closed (&raw);
  }

  /* A head over 1 MiB: 431, without waiting for its end. */
  {
    g_auto (Raw) raw = { 0 };
    guint status;
    raw_open (f, &raw);
    raw_send (&raw, "GET /healthz HTTP/1.1\r\n");
    g_autofree char *line = g_strnfill (8000, 'a');
    g_autofree char *header = g_strdup_printf ("X-Long: %s\r\n", line);
    for (guint i = 0; i < 140 && !raw.closed; i++) {
      g_autoptr (GError) error = NULL;
      if (g_socket_send (raw.socket, header, strlen (header), NULL, &error) < 0)
        break;
    }
    g_autofree char *answer = raw_answer (&raw, &status, FALSE);
    g_assert_nonnull (answer);
    g_assert_cmpuint (status, ==, 431);
  }

  /* The absolute form a proxy is sent is served by its path. */
  {
    g_auto (Raw) raw = { 0 };
    g_autofree char *answer =
      raw_request (f, &raw, "\r\nGET http://x/healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200);
  }

  g_auto (Response) r = { 0 };
  request (f, &r, "GET", WIDGETS, NULL);
  assert_ok (&r, 200);
  g_assert_cmpuint (n_items (&r), ==, 0);
}

/* Query parameters decode as Go's url.ParseQuery decodes them: '+' and
 * %XX, the first of several values. */
static void
test_query (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "q1", "\"color\":\"red\"", "red");
  create_widget (f, "default", "q2", "\"color\":\"blue\"", "blue");
  g_auto (Raw) raw = { 0 };
  g_autofree char *answer =
    raw_request (f, &raw,
                 "GET " WIDGETS "?labelSelector=color+in+%28red%29&labelSelector=color%3Dblue "
                 "HTTP/1.1\r\nHost: x\r\n\r\n",
                 200);
  g_assert_nonnull (strstr (answer, "\"name\":\"q1\""));
  g_assert_null (strstr (answer, "\"name\":\"q2\""));

  /* Booleans as Kubernetes reads them: a bare parameter is true, "F"
   * is false. */
  g_auto (Raw) watch = { 0 };
  g_autofree char *stream =
    raw_request (f, &watch, "GET " WIDGETS "?watch&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n\r\n",
                 200);
  g_autofree char *encoding = header_value (stream, "Transfer-Encoding");
  g_assert_cmpstr (encoding, ==, "chunked");
  g_assert_nonnull (strstr (stream, "\"type\":\"ADDED\""));
  g_auto (Raw) list = { 0 };
  g_autofree char *listed =
    raw_request (f, &list, "GET " WIDGETS "?watch=F HTTP/1.1\r\nHost: x\r\n\r\n", 200);
  g_assert_nonnull (strstr (listed, "\"kind\":\"WidgetList\""));
}

/* A watcher that stops reading is cut off once 32 MiB wait for it,
 * rather than held in memory without end; timond serves on. */
static void
test_slow_watcher (Fixture *f, gconstpointer data)
{
  g_autofree char *blob = g_strnfill (1024 * 1024, 'x');
  g_autofree char *body = NULL;
  g_autoptr (GSocket) socket = raw_connect (f);
  static const char watch[] = "GET " WIDGETS "?watch=true HTTP/1.1\r\nHost: x\r\n\r\n";
  char buffer[65536];
  gsize received = 0;

  /* A small receive buffer: the kernel holds little for it. */
  g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 64 * 1024, NULL);
  g_assert_cmpint (g_socket_send (socket, watch, sizeof watch - 1, NULL, NULL), ==,
                   sizeof watch - 1);
  g_assert_cmpint (g_socket_receive (socket, buffer, 12, NULL, NULL), ==, 12);
  g_assert_true (g_str_has_prefix (buffer, "HTTP/1.1 200"));

  for (guint i = 0; i < 48; i++) {
    g_auto (Response) r = { 0 };
    body = g_strdup_printf ("{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\","
                            "\"metadata\":{\"name\":\"big-%u\"},\"spec\":{\"color\":\"%s\"}}",
                            i, blob);
    request (f, &r, "POST", WIDGETS, body);
    assert_ok (&r, 201);
    g_clear_pointer (&body, g_free);
  }
  /* Its stream was cut short: the end comes before 48 MiB did. */
  for (;;) {
    g_autoptr (GError) error = NULL;
    gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
    /* Closed by timond, not given up on by the test. */
    g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
    if (n <= 0)
      break;
    received += (gsize) n;
  }
  g_assert_cmpuint (received, <, 48 * 1024 * 1024);
  g_assert_cmpuint (received, >, 0);
  g_autoptr (GHashTable) series = scrape (f);
  g_assert_cmpfloat (series_value (series, OPEN_WATCHES), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/apiserver/http/keep-alive", test_keep_alive);
  ADD ("/apiserver/http/http10", test_http10);
  ADD ("/apiserver/http/head", test_head);
  ADD ("/apiserver/http/expect-continue", test_expect_continue);
  ADD ("/apiserver/http/chunked-body", test_chunked_body);
  ADD ("/apiserver/http/protocol-errors", test_protocol_errors);
  ADD ("/apiserver/http/query", test_query);
  ADD ("/apiserver/http/slow-watcher", test_slow_watcher);
#undef ADD

  return g_test_run ();
}
