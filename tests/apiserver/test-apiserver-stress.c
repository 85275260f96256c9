/* test-apiserver-stress.c: timond under load. A thousand watch streams
 * of one resource, each of which must see every change once and in
 * order; and a flood of malformed requests, each of which must get the
 * metav1.Status Kubernetes would send while timond serves on and keeps
 * nothing it should not.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include "apiserver-fixture.h"

/* ---- chunked transfer coding (RFC 9112, section 7.1) ---------------- */

typedef enum {
  CHUNK_SIZE,     /* the line that gives the size of the next chunk */
  CHUNK_DATA,     /* the data of a chunk */
  CHUNK_DATA_END, /* the CRLF after the data */
  CHUNK_TRAILER,  /* trailer fields, up to an empty line */
  CHUNK_DONE,
} ChunkState;

typedef struct {
  ChunkState state;
  char line[256]; /* the line being read, without its LF */
  gsize line_length;
  guint64 left; /* data of the current chunk still to come */
} ChunkDecoder;

static gboolean
chunk_decoder_end_line (ChunkDecoder *d, GError **error)
{
  const char *line = d->line;
  gsize n = d->line_length;

  switch (d->state) {
  case CHUNK_SIZE: {
    guint64 size = 0;
    gsize i = 0;
    for (; i < n && g_ascii_isxdigit (line[i]); i++) {
      if (size > G_MAXUINT64 >> 4) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a chunk size that overflows");
        return FALSE;
      }
      size = size << 4 | (guint64) g_ascii_xdigit_value (line[i]);
    }
    gsize digits = i;
    /* What follows the size may only be a chunk extension, which says
     * nothing a watch needs. */
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
      i++;
    if (digits == 0 || (i < n && line[i] != ';')) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a chunk size: \"%.*s\"",
                   (int) n, line);
      return FALSE;
    }
    d->left = size;
    d->state = size == 0 ? CHUNK_TRAILER : CHUNK_DATA;
    return TRUE;
  }
  case CHUNK_DATA_END:
    if (n != 0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "a chunk longer than its size, or without its CRLF");
      return FALSE;
    }
    d->state = CHUNK_SIZE;
    return TRUE;
  case CHUNK_TRAILER:
    if (n == 0)
      d->state = CHUNK_DONE;
    return TRUE;
  case CHUNK_DATA:
  case CHUNK_DONE:
    break;
  }
  g_assert_not_reached ();
}

/* Decodes @length more bytes of a chunked body into @out, wherever the
 * reads happened to split it. FALSE with @error at the first byte that
 * breaks the coding. */
static gboolean
chunk_decoder_feed (ChunkDecoder *d, const char *data, gsize length, GString *out, GError **error)
{
  for (gsize i = 0; i < length;) {
    if (d->state == CHUNK_DONE) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "data after the last chunk");
      return FALSE;
    }
    if (d->state == CHUNK_DATA) {
      gsize n = (gsize) MIN (d->left, (guint64) (length - i));
      g_string_append_len (out, data + i, (gssize) n);
      i += n;
      d->left -= n;
      if (d->left == 0)
        d->state = CHUNK_DATA_END;
      continue;
    }
    char c = data[i++];
    if (c != '\n') {
      if (d->line_length == sizeof d->line) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "a chunk size or trailer line longer than %zu bytes", sizeof d->line);
        return FALSE;
      }
      d->line[d->line_length++] = c;
      continue;
    }
    if (d->line_length == 0 || d->line[d->line_length - 1] != '\r') {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "a line that does not end in CRLF");
      return FALSE;
    }
    d->line_length--;
    if (!chunk_decoder_end_line (d, error))
      return FALSE;
    d->line_length = 0;
  }
  return TRUE;
}

/* Feeds @encoded in pieces of @step bytes (0: at once); returns what it
 * decoded, or NULL with @error. */
static char *
decode_in_steps (const char *encoded, gsize step, gboolean *done, GError **error)
{
  ChunkDecoder d = { 0 };
  g_autoptr (GString) out = g_string_new (NULL);
  gsize length = strlen (encoded);

  if (step == 0)
    step = length;
  for (gsize i = 0; i < length; i += step) {
    if (!chunk_decoder_feed (&d, encoded + i, MIN (step, length - i), out, error))
      return NULL;
  }
  *done = d.state == CHUNK_DONE;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The decoder the watch tests stand on: every split of the input gives
 * the same data, and what is not chunked coding is refused. */
static void
test_chunk_decoder (void)
{
  static const struct {
    const char *encoded;
    const char *decoded; /* NULL: refused */
    gboolean done;
  } cases[] = {
    { "5\r\nhello\r\n0\r\n\r\n", "hello", TRUE },
    { "5\r\nhello\r\n6\r\n world\r\n", "hello world", FALSE },
    { "A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", "0123456789abcdefghij", TRUE },
    { "5;name=value\r\nhello\r\n0 ; last\r\n\r\n", "hello", TRUE },
    { "0000005\r\nhe\nlo\r\n0\r\nTrailer: x\r\nOther: y\r\n\r\n", "he\nlo", TRUE },
    { "1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", "\r\n", TRUE },
    { "5\r\nhel", "hel", FALSE },
    { "", "", FALSE },
    { "zz\r\nhello\r\n", NULL, FALSE },
    { "\r\n", NULL, FALSE },
    { "-5\r\nhello\r\n", NULL, FALSE },
    { "5 x\r\nhello\r\n", NULL, FALSE },
    { "5\nhello\r\n", NULL, FALSE },
    { "5\r\nhello\n", NULL, FALSE },
    { "3\r\nhello\r\n", NULL, FALSE },
    { "10000000000000000\r\n", NULL, FALSE },
    { "0\r\n\r\n5\r\nhello\r\n", NULL, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    for (gsize step = 0; step <= 4; step++) {
      g_autoptr (GError) error = NULL;
      gboolean done = FALSE;
      g_autofree char *decoded = decode_in_steps (cases[i].encoded, step, &done, &error);
      g_autofree char *shown = g_strescape (cases[i].encoded, NULL);
      g_test_message ("%s, %zu at a time", shown, step);
      if (cases[i].decoded == NULL) {
        g_assert_null (decoded);
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
        continue;
      }
      g_assert_no_error (error);
      g_assert_cmpstr (decoded, ==, cases[i].decoded);
      g_assert_cmpint (done, ==, cases[i].done);
    }
  }
  /* A size line without end cannot grow without bound. */
  ChunkDecoder d = { 0 };
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *long_line = g_strnfill (1000, '0');
  g_assert_false (chunk_decoder_feed (&d, long_line, 1000, out, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* ---- many watchers ---------------------------------------------------- */

/* Connections that wait for timond to accept them: fewer than the
 * backlog of its listening socket (10, GLib's default), or the kernel
 * drops the rest and retries them a second or more later. */
#define CONNECTING_AT_ONCE 8

typedef struct {
  const char *label_selector;            /* escaped for a URL; NULL: none */
  gboolean (*matches) (const char *app); /* @app: the object's app label, or NULL */
  const char *shown;
} Selector;

typedef struct {
  const char *type; /* interned */
  char *name;
  gint64 revision;
} Event;

static void
event_free (Event *e)
{
  g_free (e->name);
  g_free (e);
}

static char *
event_to_string (const Event *e)
{
  return g_strdup_printf ("%s %s (resourceVersion %" G_GINT64_FORMAT ")", e->type, e->name,
                          e->revision);
}

typedef enum {
  WATCHER_HEAD,      /* the request is sent; the response head comes */
  WATCHER_STREAMING, /* 200, chunked: events come */
  WATCHER_CLOSED,
} WatcherState;

typedef struct {
  guint selector;
  WatcherState state;
  GSocket *socket;
  GString *in; /* the response head, then decoded data short of a line */
  ChunkDecoder chunks;
  guint got;   /* events received as expected, so far */
  char *error; /* the first thing that went wrong */
} Watcher;

typedef struct {
  Fixture *f;
  const Selector *selectors;
  guint n_selectors;
  GPtrArray **expected; /* per selector: the Events due, in order */
  char **requests;      /* per selector */
  Watcher *watchers;
  guint n_watchers;
  guint started;
  guint in_head; /* started, without a response head yet */
  guint streaming;
  GHashTable *parsed; /* an event line → its Event: many watchers get the same line */
} Stress;

static void
watcher_fail (Stress *s, Watcher *w, char *message)
{
  if (w->error == NULL)
    w->error = message;
  else
    g_free (message);
  if (w->state == WATCHER_CLOSED)
    return;
  if (w->state == WATCHER_HEAD)
    s->in_head--;
  else
    s->streaming--;
  w->state = WATCHER_CLOSED;
  g_socket_close (w->socket, NULL);
}

/* The event on @line, parsed once for all the watchers that get it, or
 * NULL if it is not a watch event. */
static const Event *
stress_parse (Stress *s, const char *line)
{
  Event *e = g_hash_table_lookup (s->parsed, line);
  if (e != NULL)
    return e;

  g_autoptr (JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, line, -1, NULL))
    return NULL;
  JsonNode *root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  JsonObject *event = json_node_get_object (root);
  JsonNode *object = json_object_get_member (event, "object");
  const char *type = str (event, "type");
  if (type == NULL || object == NULL || !JSON_NODE_HOLDS_OBJECT (object))
    return NULL;
  JsonObject *o = json_node_get_object (object);
  /* An ERROR's object is a Status: its message says what went wrong. */
  const char *name = g_strcmp0 (type, "ERROR") == 0 ? str (o, "message") : str (o, "metadata.name");
  const char *rv = str (o, "metadata.resourceVersion");

  e = g_new0 (Event, 1);
  e->type = g_intern_string (type);
  e->name = g_strdup (name ? name : "?");
  e->revision = rv ? g_ascii_strtoll (rv, NULL, 10) : -1;
  g_hash_table_insert (s->parsed, g_strdup (line), e);
  return e;
}

static void
watcher_event (Stress *s, Watcher *w, const char *line)
{
  GPtrArray *expected = s->expected[w->selector];
  const Event *e = stress_parse (s, line);

  if (e == NULL) {
    watcher_fail (s, w, g_strdup_printf ("not a watch event: %.300s", line));
    return;
  }
  if (w->got == expected->len) {
    g_autofree char *got = event_to_string (e);
    watcher_fail (s, w, g_strdup_printf ("%s, after the last event due", got));
    return;
  }
  const Event *due = expected->pdata[w->got];
  if (e->type != due->type || strcmp (e->name, due->name) != 0 || e->revision != due->revision) {
    g_autofree char *got = event_to_string (e);
    g_autofree char *wanted = event_to_string (due);
    watcher_fail (s, w, g_strdup_printf ("event %u is %s, not %s", w->got + 1, got, wanted));
    return;
  }
  w->got++;
}

/* Takes the response head from w->in; FALSE if it is not a watch's. */
static gboolean
watcher_head (Stress *s, Watcher *w, gsize head_length)
{
  g_autoptr (SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  guint status = 0;

  if (!soup_headers_parse_response (w->in->str, (int) head_length, headers, NULL, &status, NULL) ||
      status != 200 || soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CHUNKED ||
      g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "application/json") != 0) {
    watcher_fail (s, w,
                  g_strdup_printf ("not a watch stream: %.*s", (int) MIN (w->in->len, 600),
                                   w->in->str));
    return FALSE;
  }
  s->in_head--;
  s->streaming++;
  w->state = WATCHER_STREAMING;
  return TRUE;
}

static void
watcher_receive (Stress *s, Watcher *w, const char *data, gsize length)
{
  g_autoptr (GError) error = NULL;

  if (w->state == WATCHER_HEAD) {
    g_string_append_len (w->in, data, (gssize) length);
    const char *end = memmem (w->in->str, w->in->len, "\r\n\r\n", 4);
    if (end == NULL) {
      if (w->in->len > 64 * 1024)
        watcher_fail (s, w, g_strdup ("a response head of more than 64 KiB"));
      return;
    }
    gsize head_length = (gsize) (end + 4 - w->in->str);
    if (!watcher_head (s, w, head_length))
      return;
    /* What came after the head is the first of the body. */
    g_autoptr (GString) rest =
      g_string_new_len (w->in->str + head_length, (gssize) (w->in->len - head_length));
    g_string_truncate (w->in, 0);
    if (!chunk_decoder_feed (&w->chunks, rest->str, rest->len, w->in, &error)) {
      watcher_fail (s, w, g_strdup (error->message));
      return;
    }
  } else if (!chunk_decoder_feed (&w->chunks, data, length, w->in, &error)) {
    watcher_fail (s, w, g_strdup (error->message));
    return;
  }

  gsize start = 0;
  for (char *nl; (nl = memchr (w->in->str + start, '\n', w->in->len - start)) != NULL;) {
    *nl = '\0';
    watcher_event (s, w, w->in->str + start);
    if (w->state == WATCHER_CLOSED)
      return;
    start = (gsize) (nl + 1 - w->in->str);
  }
  g_string_erase (w->in, 0, (gssize) start);
  if (w->chunks.state == CHUNK_DONE)
    watcher_fail (s, w, g_strdup ("timond ended the stream"));
}

static void
watcher_read (Stress *s, Watcher *w)
{
  char buffer[64 * 1024];

  while (w->state != WATCHER_CLOSED) {
    g_autoptr (GError) error = NULL;
    gssize n = g_socket_receive (w->socket, buffer, sizeof buffer, NULL, &error);
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
      return;
    if (n < 0) {
      watcher_fail (s, w, g_strdup_printf ("reading: %s", error->message));
      return;
    }
    if (n == 0) {
      watcher_fail (s, w, g_strdup ("timond closed the connection"));
      return;
    }
    watcher_receive (s, w, buffer, (gsize) n);
  }
}

/* Connects the next watcher and sends its request. Blocking is fine:
 * with few connections waiting, timond's backlog takes each at once. */
static void
watcher_start (Stress *s, Watcher *w)
{
  g_autoptr (GError) error = NULL;
  const char *request = s->requests[w->selector];

  w->in = g_string_new (NULL);
  w->socket = raw_connect (s->f);
  for (gsize sent = 0; sent < strlen (request);) {
    gssize n = g_socket_send (w->socket, request + sent, strlen (request) - sent, NULL, &error);
    g_assert_no_error (error);
    sent += (gsize) n;
  }
  g_socket_set_blocking (w->socket, FALSE);
  w->state = WATCHER_HEAD;
  s->started++;
  s->in_head++;
}

/* Moves everything along for up to @timeout_ms: starts the watchers
 * still to start, a few at a time, and reads what came. */
static void
stress_pump (Stress *s, int timeout_ms)
{
  while (s->started < s->n_watchers && s->in_head < CONNECTING_AT_ONCE)
    watcher_start (s, &s->watchers[s->started]);

  g_autofree GPollFD *fds = g_new0 (GPollFD, s->started);
  g_autofree guint *which = g_new0 (guint, s->started);
  guint n = 0;
  for (guint i = 0; i < s->started; i++) {
    if (s->watchers[i].state == WATCHER_CLOSED)
      continue;
    fds[n].fd = g_socket_get_fd (s->watchers[i].socket);
    fds[n].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
    which[n++] = i;
  }
  if (g_poll (fds, n, timeout_ms) <= 0)
    return;
  for (guint i = 0; i < n; i++) {
    if (fds[i].revents != 0)
      watcher_read (s, &s->watchers[which[i]]);
  }
}

static gboolean
stress_established (Stress *s)
{
  return s->started == s->n_watchers && s->in_head == 0;
}

/* Every watcher has every event due, or has failed. */
static gboolean
stress_complete (Stress *s)
{
  for (guint i = 0; i < s->n_watchers; i++) {
    Watcher *w = &s->watchers[i];
    if (w->state != WATCHER_CLOSED && w->got < s->expected[w->selector]->len)
      return FALSE;
  }
  return TRUE;
}

static gboolean
stress_wait (Stress *s, gboolean (*done) (Stress *s), gint64 seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (s)) {
    gint64 left = deadline - g_get_monotonic_time ();
    if (left <= 0)
      return FALSE;
    stress_pump (s, (int) MIN (left / 1000 + 1, 100));
  }
  return TRUE;
}

/* Fails, saying which watchers went wrong and how, and which are
 * missing which events: grouped, since a thousand lines would hide it. */
static void
stress_assert_all_good (Stress *s, const char *when)
{
  g_autoptr (GString) report = g_string_new (NULL);
  g_autoptr (GHashTable) stuck = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint failed = 0, missing = 0;

  for (guint i = 0; i < s->n_watchers; i++) {
    Watcher *w = &s->watchers[i];
    GPtrArray *expected = s->expected[w->selector];
    const char *shown = s->selectors[w->selector].shown;
    if (w->error != NULL) {
      if (failed++ < 10)
        g_string_append_printf (report, "  watcher %u (%s), after %u of %u events: %s\n", i, shown,
                                w->got, expected->len, w->error);
    } else if (w->state != WATCHER_STREAMING) {
      missing++;
      g_autofree char *key = g_strdup_printf ("%s: no response to the watch request", shown);
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (stuck, key));
      g_hash_table_replace (stuck, g_steal_pointer (&key), GUINT_TO_POINTER (count + 1));
    } else if (w->got < expected->len) {
      missing++;
      g_autofree char *next = event_to_string (expected->pdata[w->got]);
      g_autofree char *key =
        g_strdup_printf ("%s: stopped after %u of %u events, missing %s%s", shown, w->got,
                         expected->len, next,
                         w->got + 1 < expected->len ? " and what follows" : "");
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (stuck, key));
      g_hash_table_replace (stuck, g_steal_pointer (&key), GUINT_TO_POINTER (count + 1));
    }
  }
  if (failed == 0 && missing == 0)
    return;

  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, stuck);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (report, "  %u watchers %s\n", GPOINTER_TO_UINT (value),
                            (const char *) key);
  g_error ("%s: of %u watchers, %u went wrong and %u are missing events:\n%s", when, s->n_watchers,
           failed, missing, report->str);
}

/* The objects the writes go through: each one's app label. */
static const char *const apps[] = { "web", "db", NULL, "cache" };

/* One write, and the event it makes due for each selector: ADDED or
 * DELETED when the object starts or stops matching, as Kubernetes
 * sends them. @old_app and @new_app: the labels before and after;
 * @existed, @exists: whether the object is there before and after. */
static void
stress_write (Stress *s,
              const char *method,
              const char *name,
              gboolean existed,
              const char *old_app,
              gboolean exists,
              const char *new_app,
              int size)
{
  g_auto (Response) r = { 0 };
  g_autofree char *path = g_strdup_printf (WIDGETS "/%s", name);
  g_autofree char *labels = new_app ? g_strdup_printf ("\"app\":\"%s\"", new_app) : g_strdup ("");
  g_autofree char *body =
    g_strdup_printf ("{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{"
                     "\"name\":\"%s\",\"labels\":{%s}},\"spec\":{\"size\":%d}}",
                     name, labels, size);

  if (strcmp (method, "POST") == 0)
    request (s->f, &r, method, WIDGETS, body);
  else
    request (s->f, &r, method, path, strcmp (method, "PUT") == 0 ? body : NULL);
  assert_ok (&r, strcmp (method, "POST") == 0 ? 201 : 200);
  gint64 revision = rv_of (obj (&r));

  for (guint i = 0; i < s->n_selectors; i++) {
    gboolean before = existed && s->selectors[i].matches (old_app);
    gboolean now = exists && s->selectors[i].matches (new_app);
    const char *type = before && now ? "MODIFIED" : now ? "ADDED" : before ? "DELETED" : NULL;
    if (type == NULL)
      continue;
    Event *e = g_new0 (Event, 1);
    e->type = g_intern_static_string (type);
    e->name = g_strdup (name);
    e->revision = revision;
    g_ptr_array_add (s->expected[i], e);
  }
}

/* Whether this process and timond may each hold @n more descriptors. */
static gboolean
have_descriptors (guint n)
{
  struct rlimit limit;
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < n + 256) {
    g_autofree char *message =
      g_strdup_printf ("%u watch streams need %u open files, and the limit is %lu", n, n + 256,
                       (unsigned long) limit.rlim_cur);
    g_test_skip (message);
    return FALSE;
  }
  return TRUE;
}

/* @per_selector watchers for each of @selectors, all watching WIDGETS
 * from the revision of a list done before, all established before the
 * first write; then @steps rounds of creates, updates and deletes,
 * after which each must have had every event due to it, in order, once,
 * and nothing else. */
static void
stress_watchers (Fixture *f,
                 const Selector *selectors,
                 guint n_selectors,
                 guint per_selector,
                 guint steps)
{
  Stress s = { .f = f, .selectors = selectors, .n_selectors = n_selectors };
  gint64 begun = g_get_monotonic_time ();

  s.n_watchers = n_selectors * per_selector;
  if (!have_descriptors (s.n_watchers))
    return;

  create_widget (f, "default", "before", "\"app\":\"web\"", "red");
  g_auto (Response) list = { 0 };
  request (f, &list, "GET", WIDGETS, NULL);
  assert_ok (&list, 200);
  gint64 list_rv = rv_of (obj (&list));

  s.expected = g_new0 (GPtrArray *, n_selectors);
  s.requests = g_new0 (char *, n_selectors + 1);
  for (guint i = 0; i < n_selectors; i++) {
    s.expected[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
    s.requests[i] = g_strdup_printf (
      "GET " WIDGETS "?watch=true&resourceVersion=%" G_GINT64_FORMAT "%s%s HTTP/1.1\r\n"
      "Host: %s\r\nAccept: application/json\r\nUser-Agent: test-apiserver-stress\r\n\r\n",
      list_rv, selectors[i].label_selector ? "&labelSelector=" : "",
      selectors[i].label_selector ? selectors[i].label_selector : "", f->address);
  }
  s.watchers = g_new0 (Watcher, s.n_watchers);
  for (guint i = 0; i < s.n_watchers; i++)
    s.watchers[i].selector = i % n_selectors;
  s.parsed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) event_free);

  /* All of them streaming, and timond counting them all, before any
   * write: an event cannot slip by a watch that is not there yet. */
  if (!stress_wait (&s, stress_established, 60)) {
    g_error ("after 60 s, %u of %u watch streams are established (%u started)", s.streaming,
             s.n_watchers, s.started);
  }
  stress_assert_all_good (&s, "establishing the watches");
  {
    g_autoptr (GHashTable) m = scrape (f);
    g_assert_cmpfloat (series_value (m, OPEN_WATCHES), ==, s.n_watchers);
  }
  gint64 established = g_get_monotonic_time ();

  /* Creates, updates that change the label or keep it, and deletes,
   * interleaved; each object's app label goes round apps[]. */
  g_autofree int *app_of = g_new0 (int, steps);
  guint n_events = 0, n_deleted = 0;
  for (guint i = 0; i < steps; i++) {
    g_autofree char *name = g_strdup_printf ("w%03u", i);
    app_of[i] = (int) (i % G_N_ELEMENTS (apps));
    stress_write (&s, "POST", name, FALSE, NULL, TRUE, apps[app_of[i]], 1);
    n_events++;
    if (i >= 1) {
      g_autofree char *previous = g_strdup_printf ("w%03u", i - 1);
      int old_app = app_of[i - 1];
      if (i % 3 != 0)
        app_of[i - 1] = (app_of[i - 1] + 1) % (int) G_N_ELEMENTS (apps);
      stress_write (&s, "PUT", previous, TRUE, apps[old_app], TRUE, apps[app_of[i - 1]], 2);
      n_events++;
    }
    if (i >= 2 && i % 2 == 0) {
      g_autofree char *gone = g_strdup_printf ("w%03u", i - 2);
      stress_write (&s, "DELETE", gone, TRUE, apps[app_of[i - 2]], FALSE, NULL, 0);
      n_events++;
      n_deleted++;
    }
    stress_pump (&s, 0);
  }
  gint64 written = g_get_monotonic_time ();

  if (!stress_wait (&s, stress_complete, 60))
    stress_assert_all_good (&s, "after 60 s");
  /* Nothing more may come: a duplicate would come now if at all. */
  gint64 quiet = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < quiet)
    stress_pump (&s, 20);
  stress_assert_all_good (&s, "the events");
  for (guint i = 0; i < s.n_watchers; i++)
    g_assert_cmpuint (s.watchers[i].state, ==, WATCHER_STREAMING);
  g_test_message ("%u watchers, %u writes: established in %.2f s, written in %.2f s, "
                  "all delivered %.2f s after the last write",
                  s.n_watchers, n_events, (established - begun) / 1e6,
                  (written - established) / 1e6,
                  (quiet - 200 * G_TIME_SPAN_MILLISECOND - written) / 1e6);

  /* What the writes left, and the one made before. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS, NULL);
    assert_ok (&r, 200);
    g_assert_cmpuint (n_items (&r), ==, 1 + steps - n_deleted);
  }

  /* The clients go. timond sees it only when it writes to a watch (it
   * does not read the connection meanwhile, as Go's server does), so an
   * object of each app label, for every selector to get an event. */
  for (guint i = 0; i < s.n_watchers; i++) {
    Watcher *w = &s.watchers[i];
    g_socket_close (w->socket, NULL);
    g_clear_object (&w->socket);
    g_string_free (w->in, TRUE);
    g_free (w->error);
  }
  for (guint i = 0;; i++) {
    for (gsize j = 0; j < G_N_ELEMENTS (apps); j++) {
      g_autofree char *name = g_strdup_printf ("ping%u-%zu", i, j);
      g_autofree char *labels = apps[j] ? g_strdup_printf ("\"app\":\"%s\"", apps[j]) : NULL;
      create_widget (f, "default", name, labels ? labels : "", "red");
    }
    g_autoptr (GHashTable) m = scrape (f);
    if (series_value (m, OPEN_WATCHES) == 0)
      break;
    g_assert_cmpuint (i, <, 100);
    g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  }

  g_hash_table_unref (s.parsed);
  g_free (s.watchers);
  for (guint i = 0; i < n_selectors; i++)
    g_ptr_array_unref (s.expected[i]);
  g_free (s.expected);
  g_strfreev (s.requests);
}

static gboolean
matches_any (const char *app)
{
  return TRUE;
}

static gboolean
matches_web (const char *app)
{
  return g_strcmp0 (app, "web") == 0;
}

static gboolean
matches_not_web (const char *app)
{
  return g_strcmp0 (app, "web") != 0;
}

static gboolean
matches_db_or_cache (const char *app)
{
  return g_strcmp0 (app, "db") == 0 || g_strcmp0 (app, "cache") == 0;
}

static gboolean
matches_no_app (const char *app)
{
  return app == NULL;
}

static void
test_watchers_1000 (Fixture *f, gconstpointer data)
{
  static const Selector all[] = { { NULL, matches_any, "no selector" } };

  /* 40 creates, 39 updates, 19 deletes. */
  stress_watchers (f, all, G_N_ELEMENTS (all), 1000, 40);
}

/* Watchers that see some objects: an object that starts matching is
 * ADDED for them, one that stops is DELETED, the rest they never see. */
static void
test_watchers_selectors (Fixture *f, gconstpointer data)
{
  static const Selector selectors[] = {
    { NULL, matches_any, "no selector" },
    { "app%3Dweb", matches_web, "app=web" },
    { "app%21%3Dweb", matches_not_web, "app!=web" },
    { "app%20in%20(db%2Ccache)", matches_db_or_cache, "app in (db,cache)" },
    { "%21app", matches_no_app, "!app" },
  };

  stress_watchers (f, selectors, G_N_ELEMENTS (selectors), 40, 30);
}

/* ---- malformed requests ----------------------------------------------- */

#define JSON "application/json"

typedef struct {
  const char *method;
  const char *path;
  const char *content_type;
  const char *body;
  guint code;          /* Kubernetes' answer */
  const char *reason;  /* its Status reason; NULL for a success */
  const char *message; /* in the Status message, if given */
  const char *cause;   /* the field of one of details.causes, if given */
  const char *gap;     /* NULL, or what timond answers today instead */
} Malformed;

/* Kubernetes' decoders (Go's encoding/json, go-yaml) stop at this depth. */
#define DECODER_MAX_DEPTH 10000

/* A widget @name whose body is nested @depth levels deep in all. */
static char *
nested_body (const char *name, guint depth)
{
  GString *body = g_string_new (NULL);

  g_string_append_printf (body, "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"nested\":", name);
  for (guint i = 2; i < depth; i++)
    g_string_append (body, "{\"a\":");
  g_string_append_c (body, '1');
  for (guint i = 2; i < depth; i++)
    g_string_append_c (body, '}');
  g_string_append (body, "}}");
  return g_string_free (body, FALSE);
}

/* Whether timond holds a widget @name in default. */
static gboolean
widget_exists (Fixture *f, const char *name)
{
  g_auto (Response) r = { 0 };
  g_autofree char *path = g_strdup_printf (WIDGETS "/%s", name);
  request (f, &r, "GET", path, NULL);
  if (r.status == 404)
    return FALSE;
  assert_ok (&r, 200);
  return TRUE;
}

static void
delete_widget (Fixture *f, const char *name)
{
  g_auto (Response) r = { 0 };
  g_autofree char *path = g_strdup_printf (WIDGETS "/%s", name);
  request (f, &r, "DELETE", path, NULL);
  assert_ok (&r, 200);
}

/* Checks @r against Kubernetes' answer to @c, or, where timond answers
 * otherwise today, only that it answered; says so when @tell. */
static void
check_malformed (Fixture *f, const Malformed *c, Response *r, gboolean tell)
{
  /* What a request made goes again, so that the list at the end holds
   * only what was made on purpose. */
  if (r->status == 201 && r->json != NULL && JSON_NODE_HOLDS_OBJECT (r->json) &&
      g_str_has_prefix (c->path, WIDGETS))
    delete_widget (f, str (obj (r), "metadata.name"));
  if (c->gap != NULL) {
    if (tell)
      g_test_message ("known gap: %s %s: Kubernetes answers %u %s; timond answered %u: %s",
                      c->method, c->path, c->code, c->reason ? c->reason : "", r->status, c->gap);
    if (r->status == c->code)
      g_test_message ("  it now answers as Kubernetes: drop its gap note");
    return;
  }
  if (c->reason == NULL) {
    assert_ok (r, c->code);
    return;
  }
  assert_status (r, c->code, c->reason);
  g_assert_cmpstr (str (obj (r), "apiVersion"), ==, "v1");
  g_assert_cmpstr (r->content_type, ==, "application/json");
  if (c->message != NULL)
    assert_contains (str (obj (r), "message"), c->message);
  if (c->cause != NULL) {
    JsonNode *causes = path_get (obj (r), "details.causes");
    g_assert_nonnull (causes);
    g_assert_true (JSON_NODE_HOLDS_ARRAY (causes));
    gboolean found = FALSE;
    JsonArray *array = json_node_get_array (causes);
    for (guint i = 0; i < json_array_get_length (array); i++) {
      JsonObject *cause = json_array_get_object_element (array, i);
      g_assert_nonnull (str (cause, "reason"));
      g_assert_nonnull (str (cause, "message"));
      found |= g_strcmp0 (str (cause, "field"), c->cause) == 0;
    }
    if (!found)
      g_error ("no cause for %s in: %s", c->cause, r->body);
  }
}

/* Requests that break off: each may be answered or not, but timond must
 * go on, and must not act on a request it did not get whole. @round
 * makes the names of this round's objects. */
static void
send_broken_requests (Fixture *f, guint round)
{
  /* Not HTTP at all: a 400, as Go's server sends, and the connection
   * closed. */
  {
    static const char garbage[] = "\x01\x02\x03\xfe\xff garbage\r\n\r\n";
    g_autofree char *answer = raw_exchange (f, garbage, sizeof garbage - 1, FALSE, FALSE);
    g_assert_true (g_str_has_prefix (answer, "HTTP/1."));
    assert_contains (answer, " 400 ");
  }
  /* A TLS ClientHello, from a client that thinks it speaks HTTPS. */
  {
    static const char hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 random bytes";
    g_free (raw_exchange (f, hello, sizeof hello - 1, TRUE, FALSE));
  }
  static const char *const cut[] = {
    "GET /apis/test.timon.io/v1/namesp",
    "GET " WIDGETS " HTTP/1.1\r\nHost: x\r\nAcc",
    "POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Le",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cut); i++)
    g_free (raw_exchange (f, cut[i], strlen (cut[i]), TRUE, FALSE));

  /* Bodies cut short, each of an object that must not appear: the
   * length announced and not sent, and a chunk cut in its middle. */
  g_autofree char *name = g_strdup_printf ("half-%u", round);
  g_autofree char *object = g_strdup_printf ("{\"metadata\":{\"name\":\"%s\"}}", name);
  {
    g_autofree char *cut_body =
      g_strdup_printf ("POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: %zu\r\n\r\n%s",
                       strlen (object) + 10, object);
    g_free (raw_exchange (f, cut_body, strlen (cut_body), TRUE, FALSE));
    g_autofree char *cut_chunk =
      g_strdup_printf ("POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s",
                       strlen (object) + 10, object);
    g_free (raw_exchange (f, cut_chunk, strlen (cut_chunk), TRUE, FALSE));
    g_assert_false (widget_exists (f, name));
  }
  /* Whole chunks but not the last, empty one that ends the body, then
   * the client closes its side: the request never ended. Kubernetes
   * (Go's server) fails its read with 400; so does timond, acting on
   * nothing. */
  {
    g_autofree char *no_last =
      g_strdup_printf ("POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n",
                       strlen (object), object);
    g_autofree char *answer = raw_exchange (f, no_last, strlen (no_last), TRUE, TRUE);
    assert_contains (answer, " 400 ");
    g_assert_false (widget_exists (f, name));
  }
  /* The same body whole, on a connection the client keeps open: made. */
  {
    g_autofree char *whole =
      g_strdup_printf ("POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
                       strlen (object), object);
    g_autofree char *answer = raw_exchange (f, whole, strlen (whole), FALSE, TRUE);
    assert_contains (answer, " 201 ");
    delete_widget (f, name);
  }
  /* A header block without its empty line, then the end: not a
   * request, and not served (as Go's server does not). */
  {
    static const char cut_head[] = "GET /version HTTP/1.1\r\nHost: x\r\n";
    g_autofree char *answer = raw_exchange (f, cut_head, sizeof cut_head - 1, TRUE, TRUE);
    g_assert_cmpstr (answer, ==, "");
  }
}

/* Announces a body of 99,999,999 bytes without waiting for "100
 * Continue", and sends it: timond answers 413 before the body is there
 * and closes the connection, having read a bounded part of it. */
static void
send_huge_announced (Fixture *f)
{
  g_autoptr (GSocket) socket = raw_connect (f);
  static const char head[] = "POST " WIDGETS " HTTP/1.1\r\nHost: x\r\n"
                             "Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n";
  g_autofree char *junk = g_malloc (64 * 1024);
  char buffer[4096];
  memset (junk, 'x', 64 * 1024);

  g_assert_cmpint (g_socket_send (socket, head, sizeof head - 1, NULL, NULL), ==, sizeof head - 1);
  g_assert_cmpint (g_socket_send (socket, junk, 64 * 1024, NULL, NULL), ==, 64 * 1024);
  g_autoptr (GString) answer = g_string_new (NULL);
  while (strstr (answer->str, "\r\n\r\n") == NULL) {
    gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, NULL);
    g_assert_cmpint (n, >, 0);
    g_string_append_len (answer, buffer, n);
  }
  g_assert_true (g_str_has_prefix (answer->str, "HTTP/1.1 413 "));
  assert_contains (answer->str, "Connection: close");

  /* Sending on: timond stops reading after a few MiB and closes, long
   * before 64 MiB have gone. */
  gsize sent = 64 * 1024 + sizeof head - 1;
  g_autoptr (GError) error = NULL;
  while (sent < 64 * 1024 * 1024) {
    gssize n = g_socket_send (socket, junk, 64 * 1024, NULL, &error);
    if (n < 0)
      break;
    sent += (gsize) n;
  }
  g_assert_cmpuint (sent, <, 64 * 1024 * 1024);
  /* Closed, not stalled: a stall would end in a timeout. */
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_assert_nonnull (error);
}

/* 3 MiB and one byte, of an object that would be valid: 413 as soon as
 * the length says so, and as soon as a chunked body passes it. */
static void
send_too_large (Fixture *f)
{
  gsize size = 3 * 1024 * 1024 + 1;
  g_autofree char *big = g_malloc (size);
  const char *head = "{\"metadata\":{\"name\":\"big\"},\"spec\":{\"pad\":\"";
  memset (big, 'x', size);
  memcpy (big, head, strlen (head));
  memcpy (big + size - 3, "\"}}", 3);

  g_auto (Response) r = { 0 };
  request_full (f, &r, "POST", WIDGETS, JSON, big, size, NULL);
  assert_status (&r, 413, "RequestEntityTooLarge");

  g_autoptr (SoupMessage) msg = new_message (f, "POST", WIDGETS);
  g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data (big, size, NULL);
  soup_message_set_request_body (msg, JSON, stream, -1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
  g_assert_cmpint (soup_message_headers_get_encoding (soup_message_get_request_headers (msg)), ==,
                   SOUP_ENCODING_CHUNKED);
}

#define ROUNDS 4

static void
test_malformed_flood (Fixture *f, gconstpointer data)
{
  gboolean core = have_namespaces (f);
  g_autofree char *long_name = g_strnfill (254, 'a');
  g_autofree char *long_name_body = g_strdup_printf ("{\"metadata\":{\"name\":\"%s\"}}", long_name);
  /* Go's encoding/json stops at 10,000 levels: the body nested 60,000
   * deep once overflowed timond's stack. */
  g_autofree char *too_deep = nested_body ("too-deep", 60000);
  const Malformed cases[] = {
    /* Bodies that are not JSON, or not an object. */
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-1\"", 400, "BadRequest", "JSON" },
    { "POST", WIDGETS, JSON,
      "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"bad-2\"},"
      "\"spec\":{",
      400, "BadRequest" },
    { "POST", WIDGETS, JSON, "", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "[{\"metadata\":{\"name\":\"bad-3\"}}]", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "\"bad-4\"", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "42", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "null", 400, "BadRequest" },
    /* Not a second JSON value after the object: json-glib would keep one
     * root and leak the other (the leak check at the end would see it). */
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-5\"}} trailing", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-34\"}} {}", 400, "BadRequest",
      "invalid character '{' after top-level value" },
    { "POST", WIDGETS, JSON,
      "{\"metadata\":{\"name\":\"bad-35\"}}\n{\"metadata\":{\"name\":\"bad-36\"}}", 400,
      "BadRequest", "invalid character '{' after top-level value" },
    { "POST", WIDGETS, JSON, too_deep, 400, "BadRequest",
      "invalid character '{' exceeded max depth" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-6\"},}", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "\xff\xfe{\"metadata\":{\"name\":\"bad-7\"}}", 400, "BadRequest" },
    /* JSON of the wrong types: Kubernetes fails to decode it, 400. */
    { "POST", WIDGETS, JSON, "{\"metadata\":\"bad-8\"}", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "{\"metadata\":[\"bad-9\"]}", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "{\"kind\":7,\"metadata\":{\"name\":\"bad-10\"}}", 400, "BadRequest" },
    { "POST", WIDGETS, JSON, "{\"apiVersion\":[],\"metadata\":{\"name\":\"bad-11\"}}", 400,
      "BadRequest" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":5}}", 400, "BadRequest",
      "Widget in version \"v1\" cannot be handled as a Widget: json: cannot unmarshal number into "
      "Go struct field ObjectMeta.metadata.name of type string" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-12\",\"labels\":\"app\"}}", 400,
      "BadRequest",
      "cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type "
      "map[string]string" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-13\",\"labels\":{\"app\":5}}}", 400,
      "BadRequest",
      "cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-14\",\"annotations\":[1]}}", 400,
      "BadRequest",
      "cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type "
      "map[string]string" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-15\",\"finalizers\":\"x\"}}", 400,
      "BadRequest",
      "cannot unmarshal string into Go struct field ObjectMeta.metadata.finalizers of type "
      "[]string" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"generateName\":5}}", 400, "BadRequest",
      "cannot unmarshal number into Go struct field ObjectMeta.metadata.generateName of type "
      "string" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-16\",\"resourceVersion\":5}}", 400,
      "BadRequest",
      "cannot unmarshal number into Go struct field ObjectMeta.metadata.resourceVersion of type "
      "string" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-17\",\"uid\":5}}", 400, "BadRequest",
      "cannot unmarshal number into Go struct field ObjectMeta.metadata.uid of type types.UID" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-18\",\"namespace\":5}}", 400,
      "BadRequest",
      "cannot unmarshal number into Go struct field ObjectMeta.metadata.namespace of type string" },
    /* kind and apiVersion other than the URL's. */
    { "POST", WIDGETS, JSON,
      "{\"apiVersion\":\"test.timon.io/"
      "v1\",\"kind\":\"Gadget\",\"metadata\":{\"name\":\"bad-19\"}}",
      400, "BadRequest", "kind" },
    { "POST", WIDGETS, JSON,
      "{\"apiVersion\":\"test.timon.io/"
      "v2\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"bad-20\"}}",
      400, "BadRequest", "does not match the expected API version" },
    { "POST", WIDGETS, JSON,
      "{\"apiVersion\":\"v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"bad-21\"}}", 400,
      "BadRequest", "does not match the expected API version" },
    { "POST", core ? "/api/v1/namespaces/default/configmaps" : GADGETS, JSON,
      "{\"apiVersion\":\"test.timon.io/"
      "v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"bad-22\"}}",
      400, "BadRequest", "does not match the expected API version" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-23\",\"namespace\":\"other\"}}", 400,
      "BadRequest", "does not match the namespace" },
    /* An update must name the object of its URL. */
    { "PUT", WIDGETS "/keep", JSON,
      "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"bad-24\"},"
      "\"spec\":{\"color\":\"green\"}}",
      400, "BadRequest", "does not match the name on the URL" },
    { "PUT", WIDGETS "/keep", JSON,
      "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"labels\":{"
      "\"app\":\"keep\"}},\"spec\":{\"color\":\"green\"}}",
      400, "BadRequest", "the name of the object () does not match the name on the URL (keep)" },
    { "PUT", WIDGETS "/keep", JSON, "{\"kind\":\"Gadget\",\"metadata\":{\"name\":\"keep\"}}", 400,
      "BadRequest" },
    { "PUT", WIDGETS "/keep", JSON, "{\"metadata\":{\"name\":\"keep\"", 400, "BadRequest" },
    /* Bodies in what is not JSON. */
    { "POST", WIDGETS, "text/plain", "{\"metadata\":{\"name\":\"bad-25\"}}", 415,
      "UnsupportedMediaType", "application/json" },
    { "POST", WIDGETS, "application/xml", "<widget name=\"bad-26\"/>", 415,
      "UnsupportedMediaType" },
    { "POST", WIDGETS, "application/x-www-form-urlencoded", "metadata.name=bad-27", 415,
      "UnsupportedMediaType" },
    { "POST", WIDGETS, "application/merge-patch+json", "{\"metadata\":{\"name\":\"bad-28\"}}", 415,
      "UnsupportedMediaType" },
    /* Protobuf that is not Kubernetes' envelope; a Widget takes none. */
    { "POST", core ? "/api/v1/namespaces/default/configmaps" : WIDGETS,
      "application/vnd.kubernetes.protobuf",
      "k8s\x01\x0a\x0dv1\x12\x09"
      "ConfigMap",
      core ? 400 : 415, core ? "BadRequest" : "UnsupportedMediaType",
      core ? "the protobuf body could not be decoded" : "unknown format" },
    { "PATCH", WIDGETS "/keep", JSON, "{\"spec\":{\"color\":\"red\"}}", 415,
      "UnsupportedMediaType" },
    /* YAML, as Kubernetes takes it; and JSON without a Content-Type. */
    { "POST", WIDGETS, "application/yaml",
      "apiVersion: test.timon.io/v1\nkind: Widget\nmetadata:\n  name: yaml-body\n", 201 },
    { "POST", WIDGETS, "application/yaml", "metadata: {name: bad-37\n", 400, "BadRequest",
      "not valid YAML" },
    { "POST", WIDGETS, NULL, "{\"metadata\":{\"name\":\"no-content-type\"}}", 201 },
    /* Selectors that do not parse, and fields a type cannot select on. */
    { "GET", WIDGETS "?labelSelector=app%20in%20(", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?labelSelector=%3D%3D", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?labelSelector=app%3Dweb%20db", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?labelSelector=app%3D-web-", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?labelSelector=x%2Fy%2Fz%3D1", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?labelSelector=app%20in%20()", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?labelSelector=size%3Ebig", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?watch=true&labelSelector=app%20in%20(", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?fieldSelector=metadata.name", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?fieldSelector=%3Dkeep", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?fieldSelector=spec.nope%3Dx", NULL, NULL, 400, "BadRequest",
      "field label not supported" },
    { "GET", WIDGETS "?fieldSelector=status.phase%3DRunning", NULL, NULL, 400, "BadRequest",
      "field label not supported" },
    { "GET", WIDGETS "?fieldSelector=metadata.uid%3Dx", NULL, NULL, 400, "BadRequest",
      "field label not supported" },
    { "GET", WIDGETS "?watch=true&fieldSelector=spec.nope%3Dx", NULL, NULL, 400, "BadRequest",
      "field label not supported" },
    /* resourceVersion, limit, timeoutSeconds, continue that are no such. */
    { "GET", WIDGETS "?resourceVersion=x", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?resourceVersion=-1", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?resourceVersion=1.5", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?watch=true&resourceVersion=x", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?limit=abc", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?limit=1.5", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?limit=99999999999999999999", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?limit=", NULL, NULL, 400, "BadRequest",
      "strconv.ParseInt: parsing \"\": invalid syntax" },
    { "GET", WIDGETS "?limit=-1", NULL, NULL, 200 },
    { "GET", WIDGETS "?limit=%2B2", NULL, NULL, 200 },
    { "GET", WIDGETS "?watch=true&timeoutSeconds=abc", NULL, NULL, 400, "BadRequest",
      "strconv.ParseInt: parsing \"abc\": invalid syntax" },
    { "GET", WIDGETS "?watch=true&timeoutSeconds=1.5", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?timeoutSeconds=abc", NULL, NULL, 400, "BadRequest",
      "strconv.ParseInt: parsing \"abc\": invalid syntax" },
    { "GET", WIDGETS "?timeoutSeconds=99999999999999999999", NULL, NULL, 400, "BadRequest",
      "value out of range" },
    /* Booleans as Kubernetes reads them: "false" and "0" (any case) are
     * false, anything else true, never an error. */
    { "GET", WIDGETS "?watch=false", NULL, NULL, 200 },
    { "GET", WIDGETS "?watch=FALSE", NULL, NULL, 200 },
    { "GET", WIDGETS "?watch=0", NULL, NULL, 200 },
    { "GET", WIDGETS "?allowWatchBookmarks=maybe", NULL, NULL, 200 },
    { "GET", WIDGETS "?sendInitialEvents=maybe", NULL, NULL, 422, "Invalid",
      "sendInitialEvents is forbidden for list", "sendInitialEvents" },
    { "GET", WIDGETS "?continue=garbage", NULL, NULL, 400, "BadRequest" },
    /* Paths that name nothing. */
    { "GET", "/nope", NULL, NULL, 404, "NotFound", "could not find the requested resource" },
    { "GET", "/apis/nosuch.io/v1/things", NULL, NULL, 404, "NotFound" },
    { "GET", "/apis/test.timon.io/v9/widgets", NULL, NULL, 404, "NotFound" },
    { "GET", "/apis/test.timon.io/v1/nopes", NULL, NULL, 404, "NotFound" },
    { "GET", "/api/v1/nopes", NULL, NULL, 404, "NotFound" },
    { "GET", WIDGETS "/keep/nosub", NULL, NULL, 404, "NotFound" },
    { "GET", WIDGETS "/keep/status/more", NULL, NULL, 404, "NotFound" },
    { "GET", "/apis/test.timon.io/v1/namespaces/default/gadgets", NULL, NULL, 404, "NotFound" },
    { "GET", WIDGETS "/nosuch", NULL, NULL, 404, "NotFound",
      "widgets.test.timon.io \"nosuch\" not found" },
    { "POST", "/apis/test.timon.io/v1/nopes", JSON, "{\"metadata\":{\"name\":\"bad-29\"}}", 404,
      "NotFound" },
    /* Methods a path does not take. */
    { "PUT", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-30\"}}", 405, "MethodNotAllowed" },
    { "PATCH", WIDGETS, "application/merge-patch+json", "{}", 405, "MethodNotAllowed" },
    { "POST", WIDGETS "/keep", JSON, "{\"metadata\":{\"name\":\"keep\"}}", 405,
      "MethodNotAllowed" },
    { "POST", GADGETS "/g1", JSON, "{\"metadata\":{\"name\":\"g1\"}}", 405, "MethodNotAllowed" },
    { "DELETE", "/apis/test.timon.io/v1/widgets", NULL, NULL, 405, "MethodNotAllowed" },
    { "DELETE", WIDGETS "/keep/status", NULL, NULL, 405, "MethodNotAllowed" },
    { "POST", "/api", JSON, "{}", 405, "MethodNotAllowed" },
    { "BREW", WIDGETS, NULL, NULL, 405, "MethodNotAllowed" },
    { "DELETE", "/version", NULL, NULL, 405, "MethodNotAllowed" },
    { "POST", "/version", JSON, "{}", 405, "MethodNotAllowed" },
    { "PUT", "/metrics", JSON, "{}", 405, "MethodNotAllowed" },
    { "POST", "/apis", JSON, "{}", 405, "MethodNotAllowed" },
    /* Kubernetes' health checks answer any method. */
    { "DELETE", "/healthz", NULL, NULL, 200 },
    /* Names and labels Kubernetes' validation refuses: 422 with causes. */
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"Bad_Name\"}}", 422, "Invalid",
      "Widget.test.timon.io \"Bad_Name\" is invalid", "metadata.name" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"-bad\"}}", 422, "Invalid", NULL,
      "metadata.name" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"a..b\"}}", 422, "Invalid", NULL,
      "metadata.name" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"a/b\"}}", 422, "Invalid", NULL,
      "metadata.name" },
    { "POST", WIDGETS, JSON, long_name_body, 422, "Invalid", "no more than 253 characters",
      "metadata.name" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"\"}}", 422, "Invalid", "Required value",
      "metadata.name" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"generateName\":\"BAD_\"}}", 422, "Invalid", NULL,
      "metadata.generateName" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-31\",\"labels\":{\"bad key\":\"v\"}}}",
      422, "Invalid", NULL, "metadata.labels" },
    { "POST", WIDGETS, JSON,
      "{\"metadata\":{\"name\":\"bad-32\",\"labels\":{\"app\":\"not a value\"}}}", 422, "Invalid",
      NULL, "metadata.labels" },
    { "POST", WIDGETS, JSON, "{\"metadata\":{\"name\":\"bad-33\"},\"spec\":{\"size\":-1}}", 422,
      "Invalid", NULL, "spec.size" },
    { "PUT", WIDGETS "/Bad_Name", JSON, "{\"metadata\":{\"name\":\"Bad_Name\"}}", 404, "NotFound" },
    /* Parameters Kubernetes does not know: ignored, the request served. */
    { "GET", WIDGETS "?unknownParameter=1&flag&timeout=32s", NULL, NULL, 200 },
    { "GET", WIDGETS "/keep?pretty=true&bogus", NULL, NULL, 200 },
    /* A get decodes GetOptions: what only a list reads is ignored. */
    { "GET", WIDGETS "/keep?limit=abc&timeoutSeconds=x&resourceVersionMatch=Nope", NULL, NULL,
      200 },
    { "GET", WIDGETS "?labelSelector=app%3Dkeep&nonsense=yes", NULL, NULL, 200 },
  };
  guint sent = 0;

  /* The deepest body Kubernetes decodes is taken, stored, served and
   * deleted: nothing on the way runs out of stack. Once, as it is slow
   * to allocate under AddressSanitizer. */
  {
    g_autofree char *deepest = nested_body ("deepest", DECODER_MAX_DEPTH);
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS, deepest);
    assert_ok (&r, 201);
    delete_widget (f, "deepest");
    sent += 2;
  }
  create_widget (f, "default", "keep", "\"app\":\"keep\"", "green");
  for (guint round = 0; round < ROUNDS; round++) {
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
      const Malformed *c = &cases[i];
      g_auto (Response) r = { 0 };
      if (round == 0)
        g_test_message ("%s %s %s", c->method, c->path, c->content_type ? c->content_type : "");
      request_full (f, &r, c->method, c->path, c->content_type, c->body,
                    c->body ? strlen (c->body) : 0, NULL);
      check_malformed (f, c, &r, round == 0);
      sent++;
    }
    send_broken_requests (f, round);
    send_too_large (f);
    send_huge_announced (f);
    sent += 13;

    /* Among all that, a legitimate write, with parameters Kubernetes
     * ignores: it is made, once. */
    g_auto (Response) r = { 0 };
    g_autofree char *body = g_strdup_printf ("{\"metadata\":{\"name\":\"legit-%u\",\"labels\":{"
                                             "\"round\":\"%u\"}},\"spec\":{\"size\":%u}}",
                                             round, round, round + 1);
    request (f, &r, "POST", WIDGETS "?fieldManager=flood&bogus=1&unknownParameter=x", body);
    assert_ok (&r, 201);
    sent++;
  }

  /* Connections that stop halfway and stay open do not hold up others. */
  GSocket *stalled[20];
  for (gsize i = 0; i < G_N_ELEMENTS (stalled); i++) {
    static const char partial[] = "POST " WIDGETS " HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n";
    stalled[i] = raw_connect (f);
    g_assert_cmpint (g_socket_send (stalled[i], partial, sizeof partial - 1, NULL, NULL), ==,
                     sizeof partial - 1);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/readyz", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (r.body, ==, "ok");
  }
  for (gsize i = 0; i < G_N_ELEMENTS (stalled); i++) {
    g_socket_close (stalled[i], NULL);
    g_object_unref (stalled[i]);
  }

  /* A watch with parameters it does not know streams as any other; and
   * "watch=maybe" is a watch, as Kubernetes reads booleans. */
  {
    g_autoptr (Watch) w =
      watch_start (f, WIDGETS "?watch=maybe&timeoutSeconds=1&bogus=1&labelSelector=round%3D0");
    expect_event (w, "ADDED", "legit-0");
    g_autofree char *type = NULL;
    g_assert_null (watch_next (w, &type));
  }

  /* timond is up, and holds what was made on purpose, as it was made. */
  g_auto (Response) ready = { 0 };
  request (f, &ready, "GET", "/readyz", NULL);
  assert_ok (&ready, 200);
  g_auto (Response) list = { 0 };
  request (f, &list, "GET", WIDGETS, NULL);
  assert_ok (&list, 200);
  JsonArray *items = json_object_get_array_member (obj (&list), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, ROUNDS + 1);
  JsonObject *keep = json_array_get_object_element (items, 0);
  g_assert_cmpstr (str (keep, "metadata.name"), ==, "keep");
  g_assert_cmpstr (str (keep, "metadata.labels.app"), ==, "keep");
  g_assert_cmpstr (str (keep, "spec.color"), ==, "green");
  for (guint i = 0; i < ROUNDS; i++) {
    JsonObject *o = json_array_get_object_element (items, i + 1);
    g_autofree char *name = g_strdup_printf ("legit-%u", i);
    g_autofree char *round = g_strdup_printf ("%u", i);
    g_assert_cmpstr (str (o, "metadata.name"), ==, name);
    g_assert_cmpstr (str (o, "metadata.labels.round"), ==, round);
    g_assert_cmpint (num (o, "spec.size"), ==, i + 1);
    g_assert_cmpint (num (o, "metadata.generation"), ==, 1);
  }
  g_test_message ("%u requests", sent);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Room for a thousand connections here and in timond, which inherits
   * the limit: the soft limit is often 1024, the hard one higher. */
  struct rlimit limit;
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit (RLIMIT_NOFILE, &limit);
  }

  g_test_add_func ("/apiserver/stress/chunk-decoder", test_chunk_decoder);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/apiserver/stress/watchers-1000", test_watchers_1000);
  ADD ("/apiserver/stress/watchers-selectors", test_watchers_selectors);
  ADD ("/apiserver/stress/malformed-flood", test_malformed_flood);
#undef ADD

  return g_test_run ();
}
