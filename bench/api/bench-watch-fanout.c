/* bench-watch-fanout.c: the parts of the API benchmark that wrk cannot
 * measure, against timond over plain HTTP on 127.0.0.1. bench/api/run.sh
 * drives it; it can also be run by hand.
 *
 *   --mode fanout     (the default) opens --watchers watches on the pods of
 *                     a namespace, waits until every one is established,
 *                     then a writer on its own connection creates pods one
 *                     at a time (--events paced at --rate per second, then
 *                     --burst back to back) and records when each 201
 *                     arrives. An event's latency is the time the last
 *                     watcher read its line, less that ack (0 if it came
 *                     first). Reports p50/p99/max and whether every watcher
 *                     saw every event exactly once.
 *   --mode create     creates --count pods over --connections keep-alive
 *                     connections, each with one request outstanding, and
 *                     reports creates/s, p50/p99 and the statuses.
 *   --mode startup    runs the command after "--" with --listen
 *                     127.0.0.1:PORT on a free port, polls /readyz every
 *                     millisecond and reports the time from exec to the
 *                     first 200 (then stops it with SIGTERM), --repeat times.
 *   --mode free-port  prints a free TCP port on 127.0.0.1.
 *
 * timond sends a watch's response headers with its first event, so a
 * watch from the current resourceVersion shows nothing until something
 * changes. The fan-out therefore creates one "primer" pod first and
 * watches from the revision just before it: a watcher is established when
 * it has read the primer's ADDED line.
 *
 * A measurement, not a test: it never judges a time, and fails only when
 * it cannot measure. Lines that start with "@ " are KEY=VALUE results for
 * run.sh; the others are for people.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_MS 1000000.0
#define NS_PER_S G_GINT64_CONSTANT (1000000000)
/* Watchers connected but not yet established: timond's listen backlog
 * is 10, and a connection beyond it waits a second for a SYN retry. */
#define CONNECT_WINDOW 8
#define READ_SIZE 65536

static char *opt_mode = NULL;
static char *opt_host = NULL;
static int opt_port = 0;
static char *opt_namespace = NULL;
static char *opt_pod = NULL;
static int opt_watchers = 1000;
static int opt_events = 200;
static double opt_rate = 20.0;
static int opt_burst = 100;
static int opt_count = 1000;
static int opt_connections = 256;
static int opt_repeat = 1;
static int opt_timond_pid = 0;
static double opt_timeout = 60.0;
static char *opt_log = NULL;
static gboolean opt_rss = FALSE;

static void fail (const char *format, ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
fail (const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("bench-watch-fanout: %s\n", message);
  exit (1);
}

static gint64
now_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void
sleep_ns (gint64 ns)
{
  if (ns <= 0)
    return;
  struct timespec ts = { ns / NS_PER_S, ns % NS_PER_S };
  while (nanosleep (&ts, &ts) != 0 && errno == EINTR)
    ;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Nearest rank, on sorted @values. */
static double
percentile (const double *values, size_t n, double p)
{
  if (n == 0)
    return NAN;
  size_t rank = (size_t) ceil (p / 100.0 * (double) n);
  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return values[rank - 1];
}

/* VmRSS (or another field) of @pid in kB, -1 when unknown. */
static gint64
proc_status_kb (int pid, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *at = strstr (text, key);
  if (at == NULL)
    return -1;
  return g_ascii_strtoll (at + strlen (key), NULL, 10);
}

/* ---- sockets ---- */

static int
connect_loopback (int port)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_in addr = { 0 };
  addr.sin_family = AF_INET;
  addr.sin_port = htons ((uint16_t) port);
  if (inet_pton (AF_INET, opt_host, &addr.sin_addr) != 1) {
    close (fd);
    errno = EINVAL;
    return -1;
  }
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
    int saved = errno;
    close (fd);
    errno = saved;
    return -1;
  }
  int one = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void
set_nonblocking (int fd)
{
  int flags = fcntl (fd, F_GETFL);
  fcntl (fd, F_SETFL, flags | O_NONBLOCK);
}

static gboolean
send_all (int fd, const char *data, size_t len)
{
  while (len > 0) {
    ssize_t n = send (fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    data += n;
    len -= (size_t) n;
  }
  return TRUE;
}

static int
free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &len) != 0)
    fail ("cannot find a free port: %s", g_strerror (errno));
  close (fd);
  return ntohs (addr.sin_port);
}

/* ---- an HTTP/1.1 response parser: Content-Length or chunked ---- */

typedef enum {
  PARSE_HEAD,
  PARSE_LENGTH,
  PARSE_CHUNK_SIZE,
  PARSE_CHUNK_DATA,
  PARSE_CHUNK_END,
  PARSE_TRAILER,
  PARSE_DONE,
} ParseState;

typedef void (*BodyFunc) (const char *data, size_t len, gpointer user_data);

typedef struct {
  ParseState state;
  GString *buf; /* the head, then a chunk-size or trailer line */
  int status;
  gint64 remaining;
  BodyFunc body;
  gpointer user_data;
} HttpParser;

static void
parser_init (HttpParser *p, BodyFunc body, gpointer user_data)
{
  p->state = PARSE_HEAD;
  p->buf = g_string_sized_new (256);
  p->status = 0;
  p->remaining = 0;
  p->body = body;
  p->user_data = user_data;
}

static void
parser_reset (HttpParser *p)
{
  p->state = PARSE_HEAD;
  g_string_truncate (p->buf, 0);
  p->status = 0;
  p->remaining = 0;
}

static void
parser_clear (HttpParser *p)
{
  if (p->buf != NULL)
    g_string_free (p->buf, TRUE);
  p->buf = NULL;
}

static gboolean
parse_head (HttpParser *p)
{
  if (sscanf (p->buf->str, "HTTP/1.%*d %d", &p->status) != 1)
    return FALSE;
  g_autofree char *lower = g_ascii_strdown (p->buf->str, (gssize) p->buf->len);
  const char *length = strstr (lower, "\r\ncontent-length:");
  g_string_truncate (p->buf, 0);
  if (strstr (lower, "\r\ntransfer-encoding: chunked") != NULL) {
    p->state = PARSE_CHUNK_SIZE;
  } else if (length != NULL) {
    p->remaining = g_ascii_strtoll (length + strlen ("\r\ncontent-length:"), NULL, 10);
    p->state = p->remaining > 0 ? PARSE_LENGTH : PARSE_DONE;
  } else if (p->status == 204 || p->status == 304 || p->status / 100 == 1) {
    p->state = PARSE_DONE;
  } else {
    return FALSE; /* a body up to the close: not something timond sends */
  }
  return TRUE;
}

/* Reads @data until the response ends; returns the bytes used, or -1
 * when the response is malformed. */
static gssize
parser_feed (HttpParser *p, const char *data, size_t len)
{
  size_t i = 0;

  while (i < len && p->state != PARSE_DONE) {
    switch (p->state) {
    case PARSE_HEAD:
      g_string_append_c (p->buf, data[i++]);
      if (p->buf->len > 64 * 1024)
        return -1;
      if (p->buf->len >= 4 && memcmp (p->buf->str + p->buf->len - 4, "\r\n\r\n", 4) == 0 &&
          !parse_head (p))
        return -1;
      break;
    case PARSE_LENGTH:
    case PARSE_CHUNK_DATA: {
      size_t n = MIN ((size_t) p->remaining, len - i);
      if (p->body != NULL)
        p->body (data + i, n, p->user_data);
      i += n;
      p->remaining -= (gint64) n;
      if (p->remaining == 0)
        p->state = p->state == PARSE_LENGTH ? PARSE_DONE : PARSE_CHUNK_END;
      break;
    }
    case PARSE_CHUNK_SIZE:
    case PARSE_CHUNK_END:
    case PARSE_TRAILER: {
      char c = data[i++];
      if (c != '\n') {
        g_string_append_c (p->buf, c);
        if (p->buf->len > 1024)
          return -1;
        break;
      }
      if (p->buf->len > 0 && p->buf->str[p->buf->len - 1] == '\r')
        g_string_truncate (p->buf, p->buf->len - 1);
      if (p->state == PARSE_CHUNK_END) {
        if (p->buf->len != 0)
          return -1;
        p->state = PARSE_CHUNK_SIZE;
      } else if (p->state == PARSE_CHUNK_SIZE) {
        char *end = NULL;
        p->remaining = (gint64) g_ascii_strtoull (p->buf->str, &end, 16);
        if (end == p->buf->str)
          return -1;
        p->state = p->remaining > 0 ? PARSE_CHUNK_DATA : PARSE_TRAILER;
      } else if (p->buf->len == 0) {
        p->state = PARSE_DONE;
      }
      g_string_truncate (p->buf, 0);
      break;
    }
    case PARSE_DONE:
      break;
    }
  }
  return (gssize) i;
}

/* ---- a blocking client: one request at a time ---- */

typedef struct {
  int fd;
  HttpParser parser;
  GString *body;
} Client;

static void
client_body (const char *data, size_t len, gpointer user_data)
{
  g_string_append_len (user_data, data, (gssize) len);
}

static void
client_init (Client *c)
{
  c->fd = connect_loopback (opt_port);
  if (c->fd < 0)
    fail ("cannot connect to %s:%d: %s", opt_host, opt_port, g_strerror (errno));
  c->body = g_string_new (NULL);
  parser_init (&c->parser, client_body, c->body);
}

/* The response's status, or -1 when the connection failed; the body is
 * then in c->body. */
static int
client_request (Client *c, const char *request, size_t len)
{
  char buf[READ_SIZE];

  parser_reset (&c->parser);
  g_string_truncate (c->body, 0);
  if (!send_all (c->fd, request, len))
    return -1;
  while (c->parser.state != PARSE_DONE) {
    ssize_t n = recv (c->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0 || parser_feed (&c->parser, buf, (size_t) n) < 0)
      return -1;
  }
  return c->parser.status;
}

/* ---- the pod ---- */

static char *
load_pod_template (void)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;

  if (opt_pod == NULL)
    return g_strdup ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"generateName\":"
                     "\"bench-\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"containers\":[{"
                     "\"name\":\"app\",\"image\":\"nginx:1.25\"}]}}");
  if (!g_file_get_contents (opt_pod, &text, NULL, &error))
    fail ("%s", error->message);
  g_strstrip (text);
  if (strstr (text, "\"generateName\"") == NULL)
    fail ("%s: the pod needs a metadata.generateName", opt_pod);
  return g_steal_pointer (&text);
}

/* The template with its generateName replaced by "name":"@name". */
static char *
pod_named (const char *pod, const char *name)
{
  const char *key = strstr (pod, "\"generateName\"");
  const char *value = strchr (key + strlen ("\"generateName\""), '"');
  const char *end = value != NULL ? strchr (value + 1, '"') : NULL;
  if (end == NULL)
    fail ("the pod's generateName is not a string");
  return g_strdup_printf ("%.*s\"name\":\"%s\"%s", (int) (key - pod), pod, name, end + 1);
}

static char *
post_request (const char *body)
{
  return g_strdup_printf ("POST /api/v1/namespaces/%s/pods HTTP/1.1\r\n"
                          "Host: %s:%d\r\n"
                          "Content-Type: application/json\r\n"
                          "Accept: application/json\r\n"
                          "Content-Length: %zu\r\n"
                          "\r\n%s",
                          opt_namespace, opt_host, opt_port, strlen (body), body);
}

/* ---- --mode fanout ---- */

typedef struct _Fanout Fanout;

typedef struct {
  Fanout *fanout;
  int index;
  int fd;
  HttpParser parser;
  GString *line;
  gboolean established;
  gboolean closed;
  gint64 read_ns; /* when the bytes being parsed were read */
} Watcher;

struct _Fanout {
  int n_watchers;
  int n_events; /* paced, then burst */
  int n_paced;
  char *prefix; /* of the writer's pod names: fo<pid>- */
  char *tag;    /* what finds them in a line: "name":"fo<pid>- */
  size_t tag_len;
  Watcher *watchers;
  guint8 *counts;  /* [watcher * n_events + event]: lines read */
  gint64 *last_ns; /* per event: the last watcher's first read */
  gint64 *first_ns;
  gint64 *ack_ns;
  int *ack_status;
  Client writer;
  char *pod;
  int established;
  int pending; /* connected, not yet established */
  int closed;
  guint64 unique;
  guint64 duplicates;
  guint64 error_lines;
  guint64 other_lines;
  char *first_error;
  gint writer_done; /* atomic */
};

static void
watcher_line (Watcher *w, const char *line, size_t len)
{
  Fanout *f = w->fanout;
  const char *hit = g_strstr_len (line, (gssize) len, f->tag);

  if (hit == NULL) {
    if (g_strstr_len (line, (gssize) MIN (len, 32), "\"ERROR\"") != NULL) {
      f->error_lines++;
      if (f->first_error == NULL)
        f->first_error = g_strndup (line, MIN (len, 400));
    } else {
      f->other_lines++;
    }
    return;
  }
  const char *id = hit + f->tag_len;
  if (g_str_has_prefix (id, "primer")) {
    if (!w->established) {
      w->established = TRUE;
      f->established++;
      f->pending--;
    }
    return;
  }
  char *end = NULL;
  guint64 seq = g_ascii_strtoull (id, &end, 10);
  if (end == id || seq >= (guint64) f->n_events) {
    f->other_lines++;
    return;
  }
  guint8 *count = &f->counts[(size_t) w->index * (size_t) f->n_events + seq];
  if (*count < 255)
    (*count)++;
  if (*count > 1) {
    f->duplicates++;
    return;
  }
  f->unique++;
  if (w->read_ns > f->last_ns[seq])
    f->last_ns[seq] = w->read_ns;
  if (f->first_ns[seq] == 0 || w->read_ns < f->first_ns[seq])
    f->first_ns[seq] = w->read_ns;
}

static void
watcher_body (const char *data, size_t len, gpointer user_data)
{
  Watcher *w = user_data;

  while (len > 0) {
    const char *nl = memchr (data, '\n', len);
    if (nl == NULL) {
      g_string_append_len (w->line, data, (gssize) len);
      return;
    }
    size_t n = (size_t) (nl - data);
    if (w->line->len == 0) {
      watcher_line (w, data, n);
    } else {
      g_string_append_len (w->line, data, (gssize) n);
      watcher_line (w, w->line->str, w->line->len);
      g_string_truncate (w->line, 0);
    }
    data += n + 1;
    len -= n + 1;
  }
}

static void
watcher_close (Watcher *w)
{
  if (w->closed)
    return;
  w->closed = TRUE;
  w->fanout->closed++;
  if (!w->established)
    w->fanout->pending--;
  close (w->fd);
  w->fd = -1;
}

static void
watcher_read (Watcher *w)
{
  static char buf[READ_SIZE];

  while (!w->closed) {
    ssize_t n = recv (w->fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    if (n <= 0) {
      watcher_close (w);
      return;
    }
    w->read_ns = now_ns ();
    if (parser_feed (&w->parser, buf, (size_t) n) != n || w->parser.state == PARSE_DONE ||
        (w->parser.state != PARSE_HEAD && w->parser.status != 200)) {
      /* An error answer, or the stream ended. */
      watcher_close (w);
      return;
    }
  }
}

static void
watcher_open (Fanout *f, int index, int epfd, const char *request)
{
  Watcher *w = &f->watchers[index];

  w->fanout = f;
  w->index = index;
  w->line = g_string_sized_new (2048);
  parser_init (&w->parser, watcher_body, w);
  w->fd = connect_loopback (opt_port);
  if (w->fd < 0)
    fail ("watcher %d cannot connect: %s", index, g_strerror (errno));
  if (!send_all (w->fd, request, strlen (request)))
    fail ("watcher %d cannot send its request: %s", index, g_strerror (errno));
  set_nonblocking (w->fd);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
  if (epoll_ctl (epfd, EPOLL_CTL_ADD, w->fd, &ev) != 0)
    fail ("epoll_ctl: %s", g_strerror (errno));
  f->pending++;
}

static void
poll_watchers (int epfd, int timeout_ms)
{
  struct epoll_event events[256];
  int n = epoll_wait (epfd, events, G_N_ELEMENTS (events), timeout_ms);

  if (n < 0 && errno != EINTR)
    fail ("epoll_wait: %s", g_strerror (errno));
  for (int i = 0; i < n; i++)
    watcher_read (events[i].data.ptr);
}

/* Creates the pod @name; returns the status. */
static int
writer_create (Fanout *f, const char *name)
{
  g_autofree char *body = pod_named (f->pod, name);
  g_autofree char *request = post_request (body);
  return client_request (&f->writer, request, strlen (request));
}

static gpointer
writer_thread (gpointer user_data)
{
  Fanout *f = user_data;
  gint64 start = now_ns ();
  gint64 interval = (gint64) ((double) NS_PER_S / opt_rate);

  for (int i = 0; i < f->n_events; i++) {
    if (i < f->n_paced)
      sleep_ns (start + i * interval - now_ns ());
    g_autofree char *name = g_strdup_printf ("%s%06d", f->prefix, i);
    f->ack_status[i] = writer_create (f, name);
    f->ack_ns[i] = now_ns ();
    if (f->ack_status[i] < 0) {
      g_printerr ("bench-watch-fanout: the writer's connection failed at event %d\n", i);
      break;
    }
  }
  g_atomic_int_set (&f->writer_done, 1);
  return NULL;
}

typedef struct {
  double p50, p99, max, first_p50;
  double raw_p50, raw_p99; /* not clamped: < 0 when all watchers had it before the ack */
  size_t n;
  size_t before_ack; /* events every watcher had before their ack */
} LatencyStats;

static LatencyStats
event_latencies (Fanout *f, int from, int to)
{
  LatencyStats s = { NAN, NAN, NAN, NAN, NAN, NAN, 0, 0 };
  g_autofree double *last = g_new (double, (size_t) (to - from) + 1);
  g_autofree double *first = g_new (double, (size_t) (to - from) + 1);
  g_autofree double *raw = g_new (double, (size_t) (to - from) + 1);

  for (int i = from; i < to; i++) {
    if (f->ack_status[i] != 201 || f->last_ns[i] == 0)
      continue;
    raw[s.n] = (double) (f->last_ns[i] - f->ack_ns[i]) / NS_PER_MS;
    last[s.n] = MAX (0, f->last_ns[i] - f->ack_ns[i]) / NS_PER_MS;
    first[s.n] = MAX (0, f->first_ns[i] - f->ack_ns[i]) / NS_PER_MS;
    s.before_ack += f->last_ns[i] < f->ack_ns[i];
    s.n++;
  }
  if (s.n == 0)
    return s;
  qsort (last, s.n, sizeof (double), compare_doubles);
  qsort (first, s.n, sizeof (double), compare_doubles);
  qsort (raw, s.n, sizeof (double), compare_doubles);
  s.raw_p50 = percentile (raw, s.n, 50);
  s.raw_p99 = percentile (raw, s.n, 99);
  s.p50 = percentile (last, s.n, 50);
  s.p99 = percentile (last, s.n, 99);
  s.max = last[s.n - 1];
  s.first_p50 = percentile (first, s.n, 50);
  return s;
}

static void
print_rss (const char *when)
{
  if (opt_timond_pid <= 0)
    return;
  gint64 rss = proc_status_kb (opt_timond_pid, "VmRSS");
  g_print ("timond VmRSS %s: %.1f MB\n", when, (double) rss / 1024.0);
  g_print ("@ rss_kb_%s=%" G_GINT64_FORMAT "\n", when, rss);
}

static int
run_fanout (void)
{
  Fanout f = { 0 };

  if (opt_watchers < 1 || opt_events < 0 || opt_burst < 0 || opt_events + opt_burst < 1 ||
      opt_rate <= 0)
    fail ("need --watchers >= 1, --events + --burst >= 1 and --rate > 0");
  f.n_watchers = opt_watchers;
  f.n_paced = opt_events;
  f.n_events = opt_events + opt_burst;
  f.prefix = g_strdup_printf ("fo%d-", (int) getpid ());
  f.tag = g_strdup_printf ("\"name\":\"%s", f.prefix);
  f.tag_len = strlen (f.tag);
  f.pod = load_pod_template ();
  f.watchers = g_new0 (Watcher, (size_t) f.n_watchers);
  f.counts = g_new0 (guint8, (size_t) f.n_watchers * (size_t) f.n_events);
  f.last_ns = g_new0 (gint64, (size_t) f.n_events);
  f.first_ns = g_new0 (gint64, (size_t) f.n_events);
  f.ack_ns = g_new0 (gint64, (size_t) f.n_events);
  f.ack_status = g_new0 (int, (size_t) f.n_events);

  /* The primer, and the revision just before it. */
  client_init (&f.writer);
  g_autofree char *primer = g_strdup_printf ("%sprimer", f.prefix);
  int status = writer_create (&f, primer);
  if (status != 201)
    fail ("creating the primer pod answered %d: %.300s", status, f.writer.body->str);
  const char *rv_at = strstr (f.writer.body->str, "\"resourceVersion\":\"");
  gint64 rv =
    rv_at != NULL ? g_ascii_strtoll (rv_at + strlen ("\"resourceVersion\":\""), NULL, 10) : 0;
  if (rv <= 1)
    fail ("no resourceVersion in the primer pod: %.300s", f.writer.body->str);

  g_autofree char *request =
    g_strdup_printf ("GET /api/v1/namespaces/%s/pods?watch=true&resourceVersion=%" G_GINT64_FORMAT
                     " HTTP/1.1\r\nHost: %s:%d\r\nAccept: application/json\r\n\r\n",
                     opt_namespace, rv - 1, opt_host, opt_port);
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    fail ("epoll_create1: %s", g_strerror (errno));

  g_print ("watch fan-out: %d watchers on /api/v1/namespaces/%s/pods, %d events at %.0f/s, "
           "then a burst of %d\n",
           f.n_watchers, opt_namespace, f.n_paced, opt_rate, opt_burst);
  gint64 start = now_ns ();
  gint64 deadline = start + (gint64) (opt_timeout * NS_PER_S);
  int next = 0;
  while (f.established + f.closed < f.n_watchers) {
    while (next < f.n_watchers && f.pending < CONNECT_WINDOW)
      watcher_open (&f, next++, epfd, request);
    poll_watchers (epfd, 100);
    if (now_ns () > deadline)
      break;
  }
  double connect_s = (double) (now_ns () - start) / (double) NS_PER_S;
  g_print ("established %d of %d watchers in %.2f s (%d closed by the server)\n", f.established,
           f.n_watchers, connect_s, f.closed);
  g_print ("@ established=%d\n@ connect_s=%.3f\n", f.established, connect_s);
  if (f.established == 0)
    fail ("no watch could be established");
  print_rss ("watching");

  GThread *writer = g_thread_new ("writer", writer_thread, &f);
  gint64 done_at = 0;
  guint64 expected = 0;
  for (;;) {
    poll_watchers (epfd, 10);
    if (!g_atomic_int_get (&f.writer_done))
      continue;
    if (done_at == 0) {
      done_at = now_ns ();
      guint64 alive = 0, created = 0;
      for (int w = 0; w < f.n_watchers; w++)
        alive += f.watchers[w].established && !f.watchers[w].closed;
      for (int i = 0; i < f.n_events; i++)
        created += f.ack_status[i] == 201;
      expected = alive * created;
    }
    /* Every watcher still open has every event, or 10 s went by. */
    if (f.unique >= expected || now_ns () - done_at > 10 * NS_PER_S)
      break;
  }
  g_thread_join (writer);
  print_rss ("after");

  int acked = 0, failed = 0;
  for (int i = 0; i < f.n_events; i++) {
    if (f.ack_status[i] == 201)
      acked++;
    else
      failed++;
  }
  guint64 missing = 0;
  int incomplete_watchers = 0;
  for (int w = 0; w < f.n_watchers; w++) {
    if (!f.watchers[w].established)
      continue;
    guint64 missed = 0;
    for (int i = 0; i < f.n_events; i++)
      if (f.ack_status[i] == 201 && f.counts[(size_t) w * (size_t) f.n_events + i] == 0)
        missed++;
    missing += missed;
    incomplete_watchers += missed > 0;
  }

  LatencyStats paced = event_latencies (&f, 0, f.n_paced);
  LatencyStats burst = event_latencies (&f, f.n_paced, f.n_events);
  LatencyStats all = event_latencies (&f, 0, f.n_events);
  g_print ("writer: %d creates answered 201, %d failed\n", acked, failed);
  g_print ("deliveries: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
           " expected; missing %" G_GUINT64_FORMAT
           " (%d watchers incomplete), duplicates %" G_GUINT64_FORMAT
           ", ERROR events %" G_GUINT64_FORMAT ", other lines %" G_GUINT64_FORMAT
           ", watches closed %d\n",
           f.unique, (guint64) f.established * (guint64) acked, missing, incomplete_watchers,
           f.duplicates, f.error_lines, f.other_lines, f.closed);
  if (f.first_error != NULL)
    g_print ("first ERROR event: %s\n", f.first_error);
  g_print ("latency, last watcher - ack (ms):  paced p50 %.2f p99 %.2f max %.2f (%zu events); "
           "burst p50 %.2f p99 %.2f max %.2f (%zu events)\n",
           paced.p50, paced.p99, paced.max, paced.n, burst.p50, burst.p99, burst.max, burst.n);
  g_print ("latency, all events (ms): p50 %.2f p99 %.2f max %.2f; first watcher p50 %.2f\n",
           all.p50, all.p99, all.max, all.first_p50);
  g_print ("before clamping at 0: p50 %.2f p99 %.2f ms; %zu of %zu events reached every watcher "
           "before their 201\n",
           all.raw_p50, all.raw_p99, all.before_ack, all.n);
  g_print ("@ acked=%d\n@ create_failed=%d\n@ delivered=%" G_GUINT64_FORMAT
           "\n@ missing=%" G_GUINT64_FORMAT "\n@ duplicates=%" G_GUINT64_FORMAT
           "\n@ error_events=%" G_GUINT64_FORMAT "\n@ closed=%d\n",
           acked, failed, f.unique, missing, f.duplicates, f.error_lines, f.closed);
  g_print ("@ p50_ms=%.3f\n@ p99_ms=%.3f\n@ max_ms=%.3f\n@ first_p50_ms=%.3f\n", all.p50, all.p99,
           all.max, all.first_p50);
  g_print ("@ raw_p50_ms=%.3f\n@ raw_p99_ms=%.3f\n@ before_ack=%zu\n", all.raw_p50, all.raw_p99,
           all.before_ack);
  g_print ("@ paced_p50_ms=%.3f\n@ paced_p99_ms=%.3f\n@ paced_max_ms=%.3f\n", paced.p50, paced.p99,
           paced.max);
  g_print ("@ burst_p50_ms=%.3f\n@ burst_p99_ms=%.3f\n@ burst_max_ms=%.3f\n", burst.p50, burst.p99,
           burst.max);

  for (int w = 0; w < f.n_watchers; w++) {
    if (f.watchers[w].fd >= 0 && !f.watchers[w].closed)
      close (f.watchers[w].fd);
    parser_clear (&f.watchers[w].parser);
    if (f.watchers[w].line != NULL)
      g_string_free (f.watchers[w].line, TRUE);
  }
  close (epfd);
  close (f.writer.fd);
  parser_clear (&f.writer.parser);
  g_string_free (f.writer.body, TRUE);
  g_free (f.watchers);
  g_free (f.counts);
  g_free (f.last_ns);
  g_free (f.first_ns);
  g_free (f.ack_ns);
  g_free (f.ack_status);
  g_free (f.tag);
  g_free (f.prefix);
  g_free (f.pod);
  g_free (f.first_error);
  return 0;
}

/* ---- --mode create ---- */

typedef struct {
  int fd;
  HttpParser parser;
  gboolean busy;
  gint64 sent_ns;
} Conn;

static void
conn_open (Conn *c, int epfd)
{
  c->fd = connect_loopback (opt_port);
  if (c->fd < 0)
    fail ("cannot connect to %s:%d: %s", opt_host, opt_port, g_strerror (errno));
  set_nonblocking (c->fd);
  struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
  if (epoll_ctl (epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
    fail ("epoll_ctl: %s", g_strerror (errno));
  c->busy = FALSE;
}

static gboolean
conn_send (Conn *c, const char *request, size_t len)
{
  parser_reset (&c->parser);
  c->sent_ns = now_ns ();
  c->busy = TRUE;
  /* A 1 KB request into an idle socket's buffer: all of it goes at once,
   * or the connection is broken. */
  ssize_t n = send (c->fd, request, len, MSG_NOSIGNAL);
  return n == (ssize_t) len;
}

static int
run_create (void)
{
  if (opt_count < 1 || opt_connections < 1)
    fail ("need --count >= 1 and --connections >= 1");
  g_autofree char *pod = load_pod_template ();
  g_autofree char *request = post_request (pod);
  size_t request_len = strlen (request);
  int n_conns = MIN (opt_connections, opt_count);
  g_autofree Conn *conns = g_new0 (Conn, (size_t) n_conns);
  g_autofree double *latencies = g_new (double, (size_t) opt_count);
  guint64 statuses[600] = { 0 };
  guint64 created = 0, failures = 0, broken = 0, in_flight = 0, answered = 0;
  guint64 max_failures = MAX (100, (guint64) opt_count / 10);
  int epfd = epoll_create1 (EPOLL_CLOEXEC);
  char buf[READ_SIZE];

  if (epfd < 0)
    fail ("epoll_create1: %s", g_strerror (errno));
  for (int i = 0; i < n_conns; i++) {
    parser_init (&conns[i].parser, NULL, NULL);
    conn_open (&conns[i], epfd);
  }

  gint64 start = now_ns ();
  /* Exactly --count pods: a failed create is tried again, up to a point. */
  while (created < (guint64) opt_count && failures <= max_failures) {
    for (int i = 0; i < n_conns && created + in_flight < (guint64) opt_count; i++) {
      if (conns[i].busy)
        continue;
      if (!conn_send (&conns[i], request, request_len)) {
        broken++;
        failures++;
        epoll_ctl (epfd, EPOLL_CTL_DEL, conns[i].fd, NULL);
        close (conns[i].fd);
        conn_open (&conns[i], epfd);
        continue;
      }
      in_flight++;
    }
    struct epoll_event events[256];
    int n = epoll_wait (epfd, events, G_N_ELEMENTS (events), 1000);
    if (n < 0 && errno != EINTR)
      fail ("epoll_wait: %s", g_strerror (errno));
    for (int e = 0; e < n; e++) {
      Conn *c = events[e].data.ptr;
      ssize_t r = recv (c->fd, buf, sizeof buf, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (r <= 0 || parser_feed (&c->parser, buf, (size_t) r) < 0) {
        /* Closed under a request: it may or may not have been created. */
        if (c->busy) {
          in_flight--;
          failures++;
        }
        broken++;
        epoll_ctl (epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close (c->fd);
        conn_open (c, epfd);
        continue;
      }
      if (c->parser.state != PARSE_DONE)
        continue;
      gint64 t = now_ns ();
      int status = c->parser.status;
      c->busy = FALSE;
      in_flight--;
      answered++;
      statuses[status >= 0 && status < 600 ? status : 0]++;
      if (status == 201) {
        latencies[created++] = (double) (t - c->sent_ns) / NS_PER_MS;
      } else {
        failures++;
      }
    }
  }
  /* Stopped on failures: let what is in flight land. */
  gint64 drain = now_ns () + 5 * NS_PER_S;
  while (in_flight > 0 && now_ns () < drain) {
    struct epoll_event events[256];
    int n = epoll_wait (epfd, events, G_N_ELEMENTS (events), 100);
    for (int e = 0; e < n; e++) {
      Conn *c = events[e].data.ptr;
      ssize_t r = recv (c->fd, buf, sizeof buf, 0);
      if (r > 0 && parser_feed (&c->parser, buf, (size_t) r) >= 0 &&
          c->parser.state == PARSE_DONE) {
        in_flight--;
        statuses[c->parser.status >= 0 && c->parser.status < 600 ? c->parser.status : 0]++;
        /* At most --count: nothing is sent past it. */
        if (c->parser.status == 201)
          latencies[created++] = (double) (now_ns () - c->sent_ns) / NS_PER_MS;
      }
    }
  }
  double elapsed = (double) (now_ns () - start) / (double) NS_PER_S;

  qsort (latencies, created, sizeof (double), compare_doubles);
  double rate = (double) created / elapsed;
  g_autoptr (GString) others = g_string_new (NULL);
  guint64 n_other = 0;
  for (int s = 0; s < 600; s++) {
    if (s == 201 || statuses[s] == 0)
      continue;
    n_other += statuses[s];
    g_string_append_printf (others, " %d:%" G_GUINT64_FORMAT, s, statuses[s]);
  }
  g_print ("create: %" G_GUINT64_FORMAT " pods over %d connections in %.2f s: %.0f creates/s, "
           "p50 %.2f ms, p99 %.2f ms, max %.2f ms; 201: %" G_GUINT64_FORMAT
           ", other: %" G_GUINT64_FORMAT "%s%s%s, broken connections: %" G_GUINT64_FORMAT "\n",
           created, n_conns, elapsed, rate, percentile (latencies, created, 50),
           percentile (latencies, created, 99), created > 0 ? latencies[created - 1] : NAN,
           statuses[201], n_other, others->len > 0 ? " (status:count" : "", others->str,
           others->len > 0 ? ")" : "", broken);
  g_print ("@ created=%" G_GUINT64_FORMAT "\n@ seconds=%.3f\n@ rate=%.1f\n@ p50_ms=%.3f\n"
           "@ p99_ms=%.3f\n@ n201=%" G_GUINT64_FORMAT "\n@ other=%" G_GUINT64_FORMAT
           "\n@ broken=%" G_GUINT64_FORMAT "\n",
           created, elapsed, rate, percentile (latencies, created, 50),
           percentile (latencies, created, 99), statuses[201], n_other, broken);

  for (int i = 0; i < n_conns; i++) {
    close (conns[i].fd);
    parser_clear (&conns[i].parser);
  }
  close (epfd);
  return created == (guint64) opt_count ? 0 : 1;
}

/* ---- --mode startup ---- */

/* The status /readyz answers, or -1 when nothing listens yet. */
static int
probe_readyz (int port)
{
  int fd = connect_loopback (port);
  if (fd < 0)
    return -1;
  struct timeval tv = { 5, 0 };
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  g_autofree char *request =
    g_strdup_printf ("GET /readyz HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n", opt_host,
                     port);
  Client c = { .fd = fd };
  c.body = g_string_new (NULL);
  parser_init (&c.parser, client_body, c.body);
  int status = client_request (&c, request, strlen (request));
  close (fd);
  parser_clear (&c.parser);
  g_string_free (c.body, TRUE);
  return status;
}

static int
run_startup (char **command)
{
  int repeat = MAX (1, opt_repeat);
  g_autofree double *ready_ms = g_new (double, (size_t) repeat);
  g_autofree double *stop_ms = g_new (double, (size_t) repeat);
  gint64 rss_kb = -1;
  pid_t parent = getpid ();

  if (command == NULL || command[0] == NULL)
    fail ("--mode startup needs a command after \"--\"");
  for (int run = 0; run < repeat; run++) {
    int port = free_port ();
    g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
    for (int i = 0; command[i] != NULL; i++)
      g_ptr_array_add (argv, g_strdup (command[i]));
    g_ptr_array_add (argv, g_strdup ("--listen"));
    g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%d", port));
    g_ptr_array_add (argv, NULL);

    gint64 start = now_ns ();
    pid_t pid = fork ();
    if (pid < 0)
      fail ("fork: %s", g_strerror (errno));
    if (pid == 0) {
      prctl (PR_SET_PDEATHSIG, SIGTERM);
      if (getppid () != parent)
        _exit (1);
      int out = open (opt_log != NULL ? opt_log : "/dev/null",
                      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (out >= 0) {
        dup2 (out, STDOUT_FILENO);
        dup2 (out, STDERR_FILENO);
      }
      execv ((char *) argv->pdata[0], (char **) argv->pdata);
      _exit (127);
    }

    gint64 deadline = start + (gint64) (opt_timeout * NS_PER_S);
    gint64 ready = 0;
    int status = -1;
    for (;;) {
      int wstatus;
      if (waitpid (pid, &wstatus, WNOHANG) == pid)
        fail ("%s exited before it was ready (status %d; see %s)", command[0], wstatus,
              opt_log != NULL ? opt_log : "its output");
      status = probe_readyz (port);
      if (status == 200) {
        ready = now_ns ();
        break;
      }
      if (now_ns () > deadline) {
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
        fail ("%s was not ready after %.0f s (last /readyz: %d)", command[0], opt_timeout, status);
      }
      sleep_ns (1000000);
    }
    ready_ms[run] = (double) (ready - start) / NS_PER_MS;
    if (opt_rss)
      rss_kb = proc_status_kb (pid, "VmRSS");

    gint64 stopping = now_ns ();
    kill (pid, SIGTERM);
    for (;;) {
      if (waitpid (pid, NULL, WNOHANG) == pid)
        break;
      if (now_ns () - stopping > 60 * NS_PER_S) {
        g_printerr ("bench-watch-fanout: %s ignored SIGTERM for 60 s: killed\n", command[0]);
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
        break;
      }
      sleep_ns (1000000);
    }
    stop_ms[run] = (double) (now_ns () - stopping) / NS_PER_MS;
    g_print ("start-up %d: first 200 from /readyz %.1f ms after exec", run + 1, ready_ms[run]);
    if (opt_rss)
      g_print (", VmRSS then %.1f MB", (double) rss_kb / 1024.0);
    g_print ("; stopped %.1f ms after SIGTERM\n", stop_ms[run]);
  }
  qsort (ready_ms, (size_t) repeat, sizeof (double), compare_doubles);
  qsort (stop_ms, (size_t) repeat, sizeof (double), compare_doubles);
  g_print (
    "@ ready_ms_min=%.2f\n@ ready_ms_median=%.2f\n@ ready_ms_max=%.2f\n@ stop_ms_median=%.2f\n",
    ready_ms[0], percentile (ready_ms, (size_t) repeat, 50), ready_ms[repeat - 1],
    percentile (stop_ms, (size_t) repeat, 50));
  if (opt_rss)
    g_print ("@ rss_kb=%" G_GINT64_FORMAT "\n", rss_kb);
  return 0;
}

int
main (int argc, char **argv)
{
  g_auto (GStrv) command = NULL;
  g_autoptr (GError) error = NULL;
  GOptionEntry entries[] = {
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &opt_mode,
      "fanout (default), create, startup or free-port", "MODE" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "timond's address (default 127.0.0.1)", "IP" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port, "timond's port", "PORT" },
    { "namespace", 'n', 0, G_OPTION_ARG_STRING, &opt_namespace, "default: default", "NS" },
    { "pod", 0, 0, G_OPTION_ARG_FILENAME, &opt_pod,
      "The pod to create: JSON with a metadata.generateName", "FILE" },
    { "watchers", 'w', 0, G_OPTION_ARG_INT, &opt_watchers, "fanout: watches (1000)", "N" },
    { "events", 'e', 0, G_OPTION_ARG_INT, &opt_events, "fanout: paced creates (200)", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &opt_rate, "fanout: paced creates/s (20)", "R" },
    { "burst", 'b', 0, G_OPTION_ARG_INT, &opt_burst, "fanout: back-to-back creates after (100)",
      "N" },
    { "count", 'c', 0, G_OPTION_ARG_INT, &opt_count, "create: pods (1000)", "N" },
    { "connections", 'C', 0, G_OPTION_ARG_INT, &opt_connections, "create: connections (256)", "N" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &opt_repeat, "startup: runs (1)", "N" },
    { "rss", 0, 0, G_OPTION_ARG_NONE, &opt_rss, "startup: report VmRSS when ready", NULL },
    { "log", 0, 0, G_OPTION_ARG_FILENAME, &opt_log, "startup: append the command's output here",
      "FILE" },
    { "timond-pid", 0, 0, G_OPTION_ARG_INT, &opt_timond_pid, "fanout: report this VmRSS", "PID" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt_timeout,
      "fanout: to establish the watches; startup: to be ready (60 s)", "S" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &command, NULL, "[-- COMMAND...]" },
    { NULL },
  };

  g_autoptr (GOptionContext) context =
    g_option_context_new ("- watch fan-out, bulk creates and start-up time against timond");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("bench-watch-fanout: %s\n", error->message);
    return 2;
  }
  signal (SIGPIPE, SIG_IGN);
  if (opt_host == NULL)
    opt_host = g_strdup ("127.0.0.1");
  if (opt_namespace == NULL)
    opt_namespace = g_strdup ("default");
  if (opt_mode == NULL)
    opt_mode = g_strdup ("fanout");
  setvbuf (stdout, NULL, _IOLBF, 0);

  if (strcmp (opt_mode, "free-port") == 0) {
    g_print ("%d\n", free_port ());
    return 0;
  }
  if (strcmp (opt_mode, "startup") == 0)
    return run_startup (command);
  if (opt_port <= 0)
    fail ("--port is required");
  if (strcmp (opt_mode, "fanout") == 0)
    return run_fanout ();
  if (strcmp (opt_mode, "create") == 0)
    return run_create ();
  fail ("unknown mode \"%s\"", opt_mode);
}
