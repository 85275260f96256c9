/* timon-api-http.c: the HTTP/1.1 under the API's handlers: connections
 * (ApiConnection) and the requests read on them (ApiMessage).
 *
 * libsoup served the API until its cost per request was the ceiling: a
 * request that does nothing (/healthz) topped out at about 26,700 a
 * second on 2 cores, 36 % of what nginx serves there, with the time in
 * its signals, header tables and streams rather than in the API. This
 * is the part of HTTP/1.1 (RFC 9112) an API server needs, written for
 * that one use: keep-alive and pipelining, Content-Length and chunked
 * bodies both ways, "Expect: 100-continue", HEAD; one read and one
 * write a wake-up where the client allows it, and an answer's body sent
 * from the bytes the handler has (a cached object is not copied).
 *
 * Everything a client could make grow is bounded: a request's head
 * (1 MiB, 431), its body (3 MiB, 413, answered before the body is read),
 * a connection's unsent output (32 MiB: a watcher that stops reading is
 * cut off, as Kubernetes cuts off one whose buffer fills), the time to
 * send a head (60 s) and to stay idle (5 min).
 *
 * A connection is a GSource in the main context of the worker that
 * accepted it (timon-api-worker.c), and everything on it happens in that
 * thread: reading, the handler, the store's answer to a write, the
 * events of a watch. Output is only sent from the source's dispatch, so
 * an answer given outside it (a write the store acknowledged, a watch
 * event) never re-enters the handlers; several watch events that come
 * in one loop iteration go out in one write.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "timon-api-private.h"

#define MAX_HEAD_SIZE (1024 * 1024)
#define MAX_UNSENT (32 * 1024 * 1024)
#define READ_SIZE (16 * 1024)
#define HEAD_TIMEOUT_SECONDS 60
#define IDLE_TIMEOUT_SECONDS 300
/* What timond still reads of a body it refused, and for how long,
 * before it closes the connection: enough for a client that sends a
 * body a little over the limit to finish and read the answer, rather
 * than find its connection reset; bounded, so that no client makes
 * timond read without end. */
#define DRAIN_BYTES (2 * TIMON_API_MAX_BODY_SIZE)
#define DRAIN_SECONDS 2
#define MAX_IOV 64

typedef struct {
  const char *name;
  const char *value;
} Header;

typedef struct {
  guint id;
  ApiMessageFunc func;
  gpointer data;
} FinishHook;

struct _ApiMessage {
  int ref;             /* one thread: the worker's */
  ApiConnection *conn; /* NULL once finished */
  char *head;          /* the request's head, split in place */
  const char *method;
  const char *path; /* as sent, percent-encoded */
  const char *query_text;
  gboolean http10;
  gboolean keep_alive;
  Header *headers;
  guint n_headers;
  GHashTable *query;  /* made when first asked for */
  GPtrArray *scratch; /* strings made for the getters */
  GBytes *body;

  guint status;
  char *response_type;
  GPtrArray *response_headers; /* name, value, ... */
  GBytes *response_body;
  gboolean in_handler;
  gboolean paused;
  gboolean streaming;
  gboolean answered; /* the whole answer is queued */
  gboolean finished;
  GArray *hooks; /* FinishHook */
  guint last_hook;
};

typedef enum {
  CONN_HEAD,     /* reading a request's head */
  CONN_BODY,     /* reading a body of known length */
  CONN_CHUNKS,   /* reading a chunked body */
  CONN_HANDLING, /* the handler has the request */
  CONN_CLOSING,  /* the last answer is going out */
  CONN_DRAINING, /* answered a refused body: reading what comes, up to a limit */
} ConnState;

typedef enum {
  CHUNK_SIZE,
  CHUNK_DATA,
  CHUNK_DATA_END,
  CHUNK_TRAILER,
} ChunkPhase;

struct _ApiConnection {
  GSource source;
  gpointer tag;
  GIOCondition events;
  ApiWorker *worker;
  GList *link; /* in the worker's connections */
  int fd;
  gboolean closed;
  gboolean cut_off; /* its stream overflowed: closed at the next dispatch */

  char *in;
  gsize in_start, in_end, in_size;
  gsize scanned; /* of the head: searched for its end already */
  ConnState state;
  gboolean peer_closed; /* the client closed its side while the handler had its request */
  ApiMessage *msg;      /* the request being read or handled */
  gsize body_left;
  GByteArray *chunked;
  ChunkPhase chunk_phase;
  gsize chunk_left;
  gboolean sent_continue;

  GQueue out; /* GBytes */
  gsize out_offset;
  gsize out_bytes;
  GPtrArray *answered; /* ApiMessage whose answers are queued */
  gint64 active;       /* monotonic time of the last read or write */
  gint64 drain_deadline;
  gsize drained;
};

static void conn_close (ApiConnection *conn);
static void conn_update_events (ApiConnection *conn);

/* ---- messages ------------------------------------------------------------ */

ApiMessage *
api_message_ref (ApiMessage *msg)
{
  msg->ref++;
  return msg;
}

static void
message_finish (ApiMessage *msg)
{
  if (msg->finished)
    return;
  msg->finished = TRUE;
  msg->conn = NULL;
  if (msg->hooks == NULL)
    return;
  /* A hook may disconnect others, or itself. */
  g_autoptr (GArray) hooks = g_steal_pointer (&msg->hooks);
  for (guint i = 0; i < hooks->len; i++) {
    FinishHook *hook = &g_array_index (hooks, FinishHook, i);
    hook->func (msg, hook->data);
  }
}

void
api_message_unref (ApiMessage *msg)
{
  if (--msg->ref > 0)
    return;
  if (!msg->finished) {
    /* Its hooks may take and drop references. */
    msg->ref = 1;
    message_finish (msg);
    if (--msg->ref > 0)
      return;
  }
  g_free (msg->head);
  g_free (msg->headers);
  g_clear_pointer (&msg->query, g_hash_table_unref);
  g_clear_pointer (&msg->scratch, g_ptr_array_unref);
  g_clear_pointer (&msg->body, g_bytes_unref);
  g_free (msg->response_type);
  g_clear_pointer (&msg->response_headers, g_ptr_array_unref);
  g_clear_pointer (&msg->response_body, g_bytes_unref);
  g_free (msg);
}

const char *
api_message_get_method (ApiMessage *msg)
{
  return msg->method;
}

const char *
api_message_get_path (ApiMessage *msg)
{
  return msg->path;
}

static char *
scratch (ApiMessage *msg, char *string)
{
  if (msg->scratch == NULL)
    msg->scratch = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (msg->scratch, string);
  return string;
}

/* Decodes %XX and '+' of a query's name or value in place; %FALSE when
 * an escape is not one. */
static gboolean
decode_query_part (char *part)
{
  char *out = part;
  for (const char *in = part; *in != '\0'; in++) {
    if (*in == '+') {
      *out++ = ' ';
    } else if (*in == '%') {
      if (!g_ascii_isxdigit (in[1]) || !g_ascii_isxdigit (in[2]))
        return FALSE;
      *out++ = (char) (g_ascii_xdigit_value (in[1]) << 4 | g_ascii_xdigit_value (in[2]));
      in += 2;
    } else {
      *out++ = *in;
    }
  }
  *out = '\0';
  return TRUE;
}

GHashTable *
api_message_get_query (ApiMessage *msg)
{
  if (msg->query != NULL)
    return msg->query;
  msg->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (msg->query_text == NULL)
    return msg->query;
  g_auto (GStrv) pairs = g_strsplit (msg->query_text, "&", -1);
  for (char **p = pairs; *p != NULL; p++) {
    if ((*p)[0] == '\0')
      continue;
    char *eq = strchr (*p, '=');
    g_autofree char *name = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
    g_autofree char *value = g_strdup (eq ? eq + 1 : "");
    /* As Go's url.ParseQuery: a pair that does not decode is dropped,
     * and the first of several values counts. */
    if (!decode_query_part (name) || !decode_query_part (value) ||
        g_hash_table_contains (msg->query, name))
      continue;
    g_hash_table_insert (msg->query, g_steal_pointer (&name), g_steal_pointer (&value));
  }
  return msg->query;
}

const char *
api_message_get_header (ApiMessage *msg, const char *name)
{
  const char *found = NULL;
  GString *joined = NULL;

  for (guint i = 0; i < msg->n_headers; i++) {
    if (g_ascii_strcasecmp (msg->headers[i].name, name) != 0)
      continue;
    if (found == NULL) {
      found = msg->headers[i].value;
      continue;
    }
    /* Several of one name are one list (RFC 9110, 5.3). */
    if (joined == NULL)
      joined = g_string_new (found);
    g_string_append (joined, ", ");
    g_string_append (joined, msg->headers[i].value);
  }
  if (joined != NULL)
    return scratch (msg, g_string_free (joined, FALSE));
  return found;
}

const char *
api_message_get_content_type (ApiMessage *msg)
{
  const char *value = api_message_get_header (msg, "Content-Type");
  if (value == NULL)
    return NULL;
  const char *end = strchr (value, ';');
  char *type = g_strstrip (end ? g_strndup (value, end - value) : g_strdup (value));
  if (type[0] == '\0') {
    g_free (type);
    return NULL;
  }
  return scratch (msg, type);
}

GBytes *
api_message_get_body (ApiMessage *msg)
{
  return msg->body;
}

void
api_message_set_status (ApiMessage *msg, guint status)
{
  msg->status = status;
}

guint
api_message_get_status (ApiMessage *msg)
{
  return msg->status;
}

void
api_message_set_header (ApiMessage *msg, const char *name, const char *value)
{
  if (msg->response_headers == NULL)
    msg->response_headers = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *headers = msg->response_headers;
  for (guint i = 0; i < headers->len; i += 2) {
    if (g_ascii_strcasecmp (headers->pdata[i], name) == 0) {
      g_free (headers->pdata[i + 1]);
      headers->pdata[i + 1] = g_strdup (value);
      return;
    }
  }
  g_ptr_array_add (headers, g_strdup (name));
  g_ptr_array_add (headers, g_strdup (value));
}

void
api_message_add_header (ApiMessage *msg, const char *name, const char *value)
{
  if (msg->response_headers == NULL)
    msg->response_headers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (msg->response_headers, g_strdup (name));
  g_ptr_array_add (msg->response_headers, g_strdup (value));
}

void
api_message_set_response (ApiMessage *msg, guint status, const char *content_type, GBytes *body)
{
  msg->status = status;
  g_free (msg->response_type);
  msg->response_type = g_strdup (content_type);
  g_clear_pointer (&msg->response_body, g_bytes_unref);
  msg->response_body = g_bytes_ref (body);
}

void
api_message_take_response (ApiMessage *msg,
                           guint status,
                           const char *content_type,
                           char *data,
                           gsize length)
{
  g_autoptr (GBytes) body = g_bytes_new_take (data, length);
  api_message_set_response (msg, status, content_type, body);
}

guint
api_message_connect_finished (ApiMessage *msg, ApiMessageFunc func, gpointer data)
{
  if (msg->finished)
    return 0;
  if (msg->hooks == NULL)
    msg->hooks = g_array_new (FALSE, FALSE, sizeof (FinishHook));
  FinishHook hook = { ++msg->last_hook, func, data };
  g_array_append_val (msg->hooks, hook);
  return hook.id;
}

void
api_message_disconnect_finished (ApiMessage *msg, guint id)
{
  if (msg->hooks == NULL)
    return;
  for (guint i = 0; i < msg->hooks->len; i++) {
    if (g_array_index (msg->hooks, FinishHook, i).id == id) {
      g_array_remove_index (msg->hooks, i);
      return;
    }
  }
}

gboolean
api_message_is_finished (ApiMessage *msg)
{
  return msg->finished;
}

void
api_message_pause (ApiMessage *msg)
{
  msg->paused = TRUE;
}

static const char *
reason_phrase (guint status)
{
  switch (status) {
  case 100:
    return "Continue";
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 301:
    return "Moved Permanently";
  case 304:
    return "Not Modified";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 406:
    return "Not Acceptable";
  case 408:
    return "Request Timeout";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 413:
    return "Request Entity Too Large";
  case 415:
    return "Unsupported Media Type";
  case 417:
    return "Expectation Failed";
  case 422:
    return "Unprocessable Entity";
  case 429:
    return "Too Many Requests";
  case 431:
    return "Request Header Fields Too Large";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  case 505:
    return "HTTP Version Not Supported";
  default:
    return "Unknown";
  }
}

/* The Date header's value, made once a second per thread. */
static const char *
http_date (void)
{
  static __thread char text[64];
  static __thread time_t made = -1;
  time_t now = time (NULL);

  if (now != made) {
    struct tm tm;
    gmtime_r (&now, &tm);
    strftime (text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    made = now;
  }
  return text;
}

/* The status line and headers of @msg's answer. */
static GBytes *
response_head (ApiMessage *msg, gboolean chunked, gboolean close)
{
  GString *head = g_string_sized_new (256);
  guint status = msg->status != 0 ? msg->status : 500;

  g_string_append_printf (head, "HTTP/1.1 %u %s\r\nDate: %s\r\n", status, reason_phrase (status),
                          http_date ());
  if (msg->response_type != NULL)
    g_string_append_printf (head, "Content-Type: %s\r\n", msg->response_type);
  if (chunked)
    g_string_append (head, "Transfer-Encoding: chunked\r\n");
  else if (!msg->streaming && status != 204 && status != 304)
    g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n",
                            msg->response_body ? g_bytes_get_size (msg->response_body) : 0);
  if (msg->response_headers != NULL) {
    for (guint i = 0; i < msg->response_headers->len; i += 2)
      g_string_append_printf (head, "%s: %s\r\n", (char *) msg->response_headers->pdata[i],
                              (char *) msg->response_headers->pdata[i + 1]);
  }
  if (close)
    g_string_append (head, "Connection: close\r\n");
  else if (msg->http10)
    g_string_append (head, "Connection: keep-alive\r\n");
  g_string_append (head, "\r\n");
  return g_string_free_to_bytes (head);
}

static void
queue_bytes (ApiConnection *conn, GBytes *bytes)
{
  gsize size = g_bytes_get_size (bytes);
  if (size == 0)
    return;
  g_queue_push_tail (&conn->out, g_bytes_ref (bytes));
  conn->out_bytes += size;
}

static void
queue_static (ApiConnection *conn, const char *text)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (text, strlen (text));
  queue_bytes (conn, bytes);
}

/* Output goes from the source's dispatch: wake it. */
static void
conn_wake (ApiConnection *conn)
{
  if (!conn->closed)
    g_source_set_ready_time (&conn->source, 0);
}

static gboolean
wants_close (ApiMessage *msg)
{
  if (!msg->keep_alive)
    return TRUE;
  if (msg->response_headers == NULL)
    return FALSE;
  for (guint i = 0; i < msg->response_headers->len; i += 2) {
    if (g_ascii_strcasecmp (msg->response_headers->pdata[i], "Connection") == 0 &&
        g_ascii_strcasecmp (msg->response_headers->pdata[i + 1], "close") == 0)
      return TRUE;
  }
  return FALSE;
}

/* The request's answer is queued whole: the connection reads the next
 * one, or closes once it is out. */
static void
conn_answered (ApiConnection *conn, ApiMessage *msg, gboolean close)
{
  msg->answered = TRUE;
  /* The connection's reference moves to the answered array. */
  if (conn->msg == msg)
    conn->msg = NULL;
  else
    api_message_ref (msg);
  g_ptr_array_add (conn->answered, msg);
  conn->state = close || conn->peer_closed ? CONN_CLOSING : CONN_HEAD;
  conn_wake (conn);
}

/* Queues the answer set on @msg. */
static void
conn_respond (ApiConnection *conn, ApiMessage *msg)
{
  gboolean close = wants_close (msg);
  g_autoptr (GBytes) head = response_head (msg, FALSE, close);

  queue_bytes (conn, head);
  if (msg->response_body != NULL && strcmp (msg->method, "HEAD") != 0)
    queue_bytes (conn, msg->response_body);
  conn_answered (conn, msg, close);
}

void
api_message_unpause (ApiMessage *msg)
{
  if (!msg->paused)
    return;
  msg->paused = FALSE;
  if (msg->in_handler || msg->conn == NULL || msg->streaming || msg->answered)
    return;
  conn_respond (msg->conn, msg);
}

void
api_message_begin_stream (ApiMessage *msg, const char *content_type)
{
  g_return_if_fail (msg->in_handler && !msg->streaming);

  msg->streaming = TRUE;
  msg->status = 200;
  g_free (msg->response_type);
  msg->response_type = g_strdup (content_type);
  if (msg->conn == NULL)
    return;
  /* HTTP/1.0 has no chunks: the stream ends with the connection. */
  g_autoptr (GBytes) head = response_head (msg, !msg->http10, msg->http10);
  queue_bytes (msg->conn, head);
  conn_wake (msg->conn);
}

/* Whether @size more bytes may be queued on @msg's stream. A client
 * that does not read is cut off, at the next dispatch: not here, where
 * the caller is delivering to the watch that closing would free. */
static gboolean
stream_has_room (ApiMessage *msg, gsize size)
{
  ApiConnection *conn = msg->conn;

  if (conn == NULL || msg->answered || conn->cut_off)
    return FALSE;
  if (conn->out_bytes + size <= MAX_UNSENT)
    return TRUE;
  g_debug ("cutting off a connection with %" G_GSIZE_FORMAT " bytes unsent", conn->out_bytes);
  conn->cut_off = TRUE;
  conn_wake (conn);
  return FALSE;
}

void
api_message_write_chunk (ApiMessage *msg, GBytes *chunk)
{
  ApiConnection *conn = msg->conn;
  gsize size = g_bytes_get_size (chunk);

  g_return_if_fail (msg->streaming);
  if (size == 0 || !stream_has_room (msg, size))
    return;
  if (!msg->http10) {
    char size_line[24];
    g_snprintf (size_line, sizeof size_line, "%" G_GSIZE_MODIFIER "x\r\n", size);
    g_autoptr (GBytes) line = g_bytes_new (size_line, strlen (size_line));
    queue_bytes (conn, line);
  }
  queue_bytes (conn, chunk);
  if (!msg->http10)
    queue_static (conn, "\r\n");
  conn_wake (conn);
}

GBytes *
api_chunk_new (GBytes *data)
{
  gsize size = 0;
  const char *bytes = g_bytes_get_data (data, &size);
  GString *chunk = g_string_sized_new (size + 24);

  g_string_append_printf (chunk, "%" G_GSIZE_MODIFIER "x\r\n", size);
  g_string_append_len (chunk, bytes, (gssize) size);
  g_string_append (chunk, "\r\n");
  return g_string_free_to_bytes (chunk);
}

void
api_message_write_framed (ApiMessage *msg, GBytes *framed)
{
  ApiConnection *conn = msg->conn;
  gsize size = g_bytes_get_size (framed);

  g_return_if_fail (msg->streaming);
  if (!stream_has_room (msg, size))
    return;
  if (msg->http10) {
    /* No chunks in HTTP/1.0: the data alone, between the size line and
     * the CRLF after it. */
    const char *data = g_bytes_get_data (framed, NULL);
    const char *start = memchr (data, '\n', size);
    gsize offset = start != NULL ? (gsize) (start - data) + 1 : 0;
    g_autoptr (GBytes) raw = g_bytes_new_from_bytes (framed, offset, size - offset - 2);
    queue_bytes (conn, raw);
  } else {
    queue_bytes (conn, framed);
  }
  conn_wake (conn);
}

void
api_message_end_stream (ApiMessage *msg)
{
  g_return_if_fail (msg->streaming);
  if (msg->conn == NULL || msg->answered)
    return;
  if (!msg->http10)
    queue_static (msg->conn, "0\r\n\r\n");
  conn_answered (msg->conn, msg, msg->http10 || !msg->keep_alive);
}

/* ---- reading requests ---------------------------------------------------- */

/* Answers a request that cannot be read (a malformed or too large head)
 * with a plain-text error, as Go's server does, and closes. */
static void
conn_fail (ApiConnection *conn, guint status, const char *text)
{
  g_autofree char *answer =
    g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Connection: close\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s",
                     status, reason_phrase (status), strlen (text), text);
  gsize length = strlen (answer);
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&answer), length);
  if (conn->msg != NULL)
    conn->msg->status = status;
  g_clear_pointer (&conn->msg, api_message_unref);
  queue_bytes (conn, bytes);
  conn->state = CONN_CLOSING;
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

static gboolean
is_token (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!is_token_char (*text))
      return FALSE;
  return TRUE;
}

/* Where the head in @data ends (past its empty line), or 0 when it has
 * not ended; lines may end in CRLF or, as Go takes them, LF. */
static gsize
find_head_end (const char *data, gsize length, gsize from)
{
  for (gsize i = from; i < length; i++) {
    if (data[i] != '\n')
      continue;
    if (i + 1 < length && data[i + 1] == '\n')
      return i + 2;
    if (i + 2 < length && data[i + 1] == '\r' && data[i + 2] == '\n')
      return i + 3;
  }
  return 0;
}

/* Parses a head (NUL-terminated, in @msg->head) in place; on failure
 * sets the status and text to answer with. */
static gboolean
parse_head (ApiMessage *msg, guint *out_status, const char **out_text)
{
  char *line = msg->head;
  guint n_lines = 1;

  for (const char *p = msg->head; *p != '\0'; p++)
    n_lines += *p == '\n';
  msg->headers = g_new (Header, n_lines);
  *out_status = 400;
  *out_text = "400 Bad Request: malformed request";

  /* Clients may send empty lines before a request (RFC 9112, 2.2). */
  while (*line == '\r' || *line == '\n')
    line++;
  for (guint index = 0; line != NULL && *line != '\0'; index++) {
    char *next = strchr (line, '\n');
    if (next != NULL) {
      *next = '\0';
      next++;
    }
    gsize length = strlen (line);
    if (length > 0 && line[length - 1] == '\r')
      line[--length] = '\0';
    if (length == 0)
      break;

    if (index == 0) {
      char *target = strchr (line, ' ');
      char *version = target ? strchr (target + 1, ' ') : NULL;
      if (version == NULL || strchr (version + 1, ' ') != NULL)
        return FALSE;
      *target++ = '\0';
      *version++ = '\0';
      if (!is_token (line) || target[0] == '\0')
        return FALSE;
      msg->method = line;
      if (strcmp (version, "HTTP/1.1") == 0) {
        msg->http10 = FALSE;
      } else if (strcmp (version, "HTTP/1.0") == 0) {
        msg->http10 = TRUE;
      } else {
        *out_status = 505;
        *out_text = "505 HTTP Version Not Supported: timond speaks HTTP/1.1";
        return FALSE;
      }
      /* The absolute form a proxy gets: the path is what counts. */
      if (g_ascii_strncasecmp (target, "http://", 7) == 0 ||
          g_ascii_strncasecmp (target, "https://", 8) == 0) {
        char *slash = strchr (strstr (target, "//") + 2, '/');
        target = slash ? slash : (char *) "/";
      }
      if (target[0] != '/' && strcmp (target, "*") != 0)
        return FALSE;
      char *fragment = strchr (target, '#');
      if (fragment != NULL)
        *fragment = '\0';
      char *query = strchr (target, '?');
      if (query != NULL) {
        *query++ = '\0';
        msg->query_text = query;
      }
      msg->path = target;
    } else {
      /* No folded lines, nor space before the colon (RFC 9112, 5). */
      char *colon = strchr (line, ':');
      if (colon == NULL || line[0] == ' ' || line[0] == '\t')
        return FALSE;
      *colon = '\0';
      if (!is_token (line))
        return FALSE;
      char *value = colon + 1;
      while (*value == ' ' || *value == '\t')
        value++;
      char *end = value + strlen (value);
      while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
      msg->headers[msg->n_headers++] = (Header){ line, value };
    }
    line = next;
  }
  return msg->method != NULL;
}

/* Whether the comma-separated @list holds @token, in any case. */
static gboolean
list_has_token (const char *list, const char *token)
{
  if (list == NULL)
    return FALSE;
  g_auto (GStrv) items = g_strsplit (list, ",", -1);
  for (char **item = items; *item != NULL; item++)
    if (g_ascii_strcasecmp (g_strstrip (*item), token) == 0)
      return TRUE;
  return FALSE;
}

/* Refuses a body over the limit, before reading it (or the rest of
 * it): the answer goes, then what the client still sends is read and
 * dropped for a while, then the connection closes. */
static void
conn_refuse_body (ApiConnection *conn)
{
  ApiMessage *msg = conn->msg;

  api_reply_body_refused (msg, 413, "the request body is larger than the limit of 3 MiB");
  api_message_set_header (msg, "Connection", "close");
  conn_respond (conn, msg);
  conn->state = CONN_DRAINING;
  conn->drained = 0;
  conn->drain_deadline = 0; /* from when the answer is out */
}

static void conn_dispatch_request (ApiConnection *conn);

/* Reads a request's head from the input; %FALSE when it has not all
 * come yet, or the connection is done with. */
static gboolean
conn_read_head (ApiConnection *conn)
{
  const char *data = conn->in + conn->in_start;
  gsize available = conn->in_end - conn->in_start;
  gsize end = find_head_end (data, available, conn->scanned > 2 ? conn->scanned - 2 : 0);

  if (end == 0) {
    conn->scanned = available;
    if (available > MAX_HEAD_SIZE)
      conn_fail (conn, 431, "431 Request Header Fields Too Large");
    return FALSE;
  }
  if (end > MAX_HEAD_SIZE) {
    conn_fail (conn, 431, "431 Request Header Fields Too Large");
    return FALSE;
  }

  ApiMessage *msg = g_new0 (ApiMessage, 1);
  msg->ref = 1;
  msg->conn = conn;
  msg->head = g_strndup (data, end);
  conn->msg = msg;
  conn->in_start += end;
  conn->scanned = 0;
  conn->sent_continue = FALSE;

  /* A NUL would end the head early for the parser. */
  guint status = 400;
  const char *text = "400 Bad Request: malformed request";
  if (strlen (msg->head) != end || !parse_head (msg, &status, &text)) {
    conn_fail (conn, status, text);
    return FALSE;
  }
  const char *connection = api_message_get_header (msg, "Connection");
  msg->keep_alive =
    msg->http10 ? list_has_token (connection, "keep-alive") : !list_has_token (connection, "close");

  const char *encoding = api_message_get_header (msg, "Transfer-Encoding");
  const char *length = api_message_get_header (msg, "Content-Length");
  guint64 content_length = 0;
  if (encoding != NULL && length != NULL) {
    conn_fail (conn, 400, "400 Bad Request: both Transfer-Encoding and Content-Length");
    return FALSE;
  }
  if (encoding != NULL && g_ascii_strcasecmp (encoding, "chunked") != 0) {
    conn_fail (conn, 501, "501 Not Implemented: unsupported Transfer-Encoding");
    return FALSE;
  }
  /* Several Content-Length headers come joined; they must agree. */
  if (length != NULL) {
    g_auto (GStrv) values = g_strsplit (length, ",", -1);
    for (char **v = values; *v != NULL; v++) {
      guint64 value;
      if (!g_ascii_string_to_unsigned (g_strstrip (*v), 10, 0, G_MAXINT64, &value, NULL) ||
          (v != values && value != content_length)) {
        conn_fail (conn, 400, "400 Bad Request: bad Content-Length");
        return FALSE;
      }
      content_length = value;
    }
  }
  const char *expect = api_message_get_header (msg, "Expect");
  if (expect != NULL && g_ascii_strcasecmp (expect, "100-continue") != 0) {
    conn_fail (conn, 417, "417 Expectation Failed");
    return FALSE;
  }

  /* Every request is counted from here, those refused below too. */
  api_metrics_track (conn->worker->server, msg);
  if (content_length > TIMON_API_MAX_BODY_SIZE) {
    conn_refuse_body (conn);
    return FALSE;
  }
  if (encoding != NULL) {
    conn->state = CONN_CHUNKS;
    conn->chunked = g_byte_array_new ();
    conn->chunk_phase = CHUNK_SIZE;
  } else {
    conn->state = CONN_BODY;
    conn->body_left = (gsize) content_length;
  }
  return TRUE;
}

/* Tells a client that waits for it to send its body. */
static void
conn_continue (ApiConnection *conn)
{
  if (conn->sent_continue || api_message_get_header (conn->msg, "Expect") == NULL ||
      conn->msg->http10)
    return;
  conn->sent_continue = TRUE;
  queue_static (conn, "HTTP/1.1 100 Continue\r\n\r\n");
}

static gboolean
conn_read_body (ApiConnection *conn)
{
  gsize available = conn->in_end - conn->in_start;

  if (available < conn->body_left) {
    conn_continue (conn);
    return FALSE;
  }
  conn->msg->body = g_bytes_new (conn->in + conn->in_start, conn->body_left);
  conn->in_start += conn->body_left;
  conn_dispatch_request (conn);
  return TRUE;
}

/* One line of the chunked framing, without its end; NULL when it has
 * not all come. */
static char *
take_line (ApiConnection *conn)
{
  char *data = conn->in + conn->in_start;
  char *nl = memchr (data, '\n', conn->in_end - conn->in_start);
  if (nl == NULL)
    return NULL;
  conn->in_start += (gsize) (nl - data) + 1;
  if (nl > data && nl[-1] == '\r')
    nl--;
  return g_strndup (data, nl - data);
}

static gboolean
conn_read_chunks (ApiConnection *conn)
{
  for (;;) {
    gsize available = conn->in_end - conn->in_start;
    switch (conn->chunk_phase) {
    case CHUNK_SIZE: {
      g_autofree char *line = take_line (conn);
      if (line == NULL) {
        if (available > 1024) {
          conn_fail (conn, 400, "400 Bad Request: bad chunk");
          return FALSE;
        }
        conn_continue (conn);
        return FALSE;
      }
      char *end = NULL;
      char *ext = strchr (line, ';');
      if (ext != NULL)
        *ext = '\0';
      g_strstrip (line);
      guint64 size = g_ascii_strtoull (line, &end, 16);
      if (line[0] == '\0' || *end != '\0' || !g_ascii_isxdigit (line[0])) {
        conn_fail (conn, 400, "400 Bad Request: bad chunk size");
        return FALSE;
      }
      if (size > TIMON_API_MAX_BODY_SIZE - MIN (conn->chunked->len, TIMON_API_MAX_BODY_SIZE)) {
        conn_refuse_body (conn);
        return FALSE;
      }
      conn->chunk_left = (gsize) size;
      conn->chunk_phase = size == 0 ? CHUNK_TRAILER : CHUNK_DATA;
      break;
    }
    case CHUNK_DATA: {
      gsize n = MIN (available, conn->chunk_left);
      if (n == 0)
        return FALSE;
      g_byte_array_append (conn->chunked, (const guint8 *) conn->in + conn->in_start, (guint) n);
      conn->in_start += n;
      conn->chunk_left -= n;
      if (conn->chunk_left == 0)
        conn->chunk_phase = CHUNK_DATA_END;
      break;
    }
    case CHUNK_DATA_END: {
      g_autofree char *line = take_line (conn);
      if (line == NULL) {
        if (available > 2)
          conn_fail (conn, 400, "400 Bad Request: bad chunk");
        return FALSE;
      }
      if (line[0] != '\0') {
        conn_fail (conn, 400, "400 Bad Request: bad chunk");
        return FALSE;
      }
      conn->chunk_phase = CHUNK_SIZE;
      break;
    }
    case CHUNK_TRAILER: {
      /* Trailers are read and ignored, as Kubernetes ignores them. */
      g_autofree char *line = take_line (conn);
      if (line == NULL) {
        if (available > MAX_HEAD_SIZE)
          conn_fail (conn, 431, "431 Request Header Fields Too Large");
        return FALSE;
      }
      if (line[0] != '\0')
        break;
      conn->msg->body = g_byte_array_free_to_bytes (g_steal_pointer (&conn->chunked));
      conn_dispatch_request (conn);
      return TRUE;
    }
    }
  }
}

static void
conn_dispatch_request (ApiConnection *conn)
{
  ApiMessage *msg = conn->msg;

  conn->state = CONN_HANDLING;
  msg->in_handler = TRUE;
  api_handle_request (conn->worker->server, msg);
  msg->in_handler = FALSE;
  if (conn->closed || msg->answered || msg->paused)
    return;
  if (msg->streaming) {
    /* Ended during the handler: the end is queued. */
    return;
  }
  conn_respond (conn, msg);
}

/* Acts on what came in: requests whose head and body are complete go
 * to the handler, in order. */
static void
conn_process_input (ApiConnection *conn)
{
  gboolean going = TRUE;

  while (going && !conn->closed) {
    switch (conn->state) {
    case CONN_HEAD:
      if (conn->in_start == conn->in_end)
        return;
      going = conn_read_head (conn);
      break;
    case CONN_BODY:
      going = conn_read_body (conn);
      break;
    case CONN_CHUNKS:
      going = conn_read_chunks (conn);
      break;
    case CONN_HANDLING:
    case CONN_CLOSING:
      return;
    case CONN_DRAINING:
      conn->drained += conn->in_end - conn->in_start;
      conn->in_start = conn->in_end;
      return;
    }
  }
}

/* ---- the connection ------------------------------------------------------ */

static gboolean
conn_read (ApiConnection *conn)
{
  if (conn->in_start > 0 && conn->in_start == conn->in_end)
    conn->in_start = conn->in_end = 0;
  if (conn->in_size - conn->in_end < READ_SIZE / 4) {
    gsize used = conn->in_end - conn->in_start;
    if (conn->in_start > 0) {
      memmove (conn->in, conn->in + conn->in_start, used);
      conn->in_start = 0;
      conn->in_end = used;
    }
    if (conn->in_size - conn->in_end < READ_SIZE / 4) {
      conn->in_size = MAX (conn->in_size * 2, READ_SIZE);
      conn->in = g_realloc (conn->in, conn->in_size);
    }
  }
  gssize n = recv (conn->fd, conn->in + conn->in_end, conn->in_size - conn->in_end, MSG_DONTWAIT);
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  if (n == 0) {
    /* The client closed its side. While the handler has a request that
     * is not a stream, its answer may still be wanted; a body that
     * ended there is cut short, which Kubernetes answers (Go's reader
     * fails with "unexpected EOF"). */
    if (conn->state == CONN_HANDLING && conn->msg != NULL && !conn->msg->streaming) {
      conn->peer_closed = TRUE;
      return TRUE;
    }
    if (conn->state == CONN_BODY || conn->state == CONN_CHUNKS) {
      conn->peer_closed = TRUE;
      api_reply_body_refused (conn->msg, 400, "the request body was cut short: unexpected EOF");
      conn_respond (conn, conn->msg);
      return TRUE;
    }
    return FALSE;
  }
  conn->in_end += (gsize) n;
  conn->active = g_get_monotonic_time ();
  return TRUE;
}

/* Sends what is queued, as far as the socket takes it. */
static gboolean
conn_flush (ApiConnection *conn)
{
  while (conn->out_bytes > 0) {
    struct iovec iov[MAX_IOV];
    int n_iov = 0;
    gsize offset = conn->out_offset;
    for (GList *l = conn->out.head; l != NULL && n_iov < MAX_IOV; l = l->next) {
      gsize size;
      const char *data = g_bytes_get_data (l->data, &size);
      iov[n_iov].iov_base = (char *) data + offset;
      iov[n_iov].iov_len = size - offset;
      n_iov++;
      offset = 0;
    }
    struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t) n_iov };
    gssize n = sendmsg (conn->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    conn->active = g_get_monotonic_time ();
    gsize sent = (gsize) n;
    conn->out_bytes -= sent;
    while (sent > 0) {
      GBytes *first = g_queue_peek_head (&conn->out);
      gsize left = g_bytes_get_size (first) - conn->out_offset;
      if (sent < left) {
        conn->out_offset += sent;
        break;
      }
      sent -= left;
      conn->out_offset = 0;
      g_bytes_unref (g_queue_pop_head (&conn->out));
    }
  }
  /* Written whole: those requests are done. */
  for (guint i = 0; i < conn->answered->len; i++)
    message_finish (conn->answered->pdata[i]);
  g_ptr_array_set_size (conn->answered, 0);
  return TRUE;
}

static void
conn_update_events (ApiConnection *conn)
{
  GIOCondition events = 0;
  gsize buffered = conn->in_end - conn->in_start;
  gboolean reading = FALSE;

  switch (conn->state) {
  case CONN_HEAD:
    reading = buffered <= MAX_HEAD_SIZE;
    break;
  case CONN_BODY:
  case CONN_CHUNKS:
  case CONN_DRAINING:
    /* Bounded by the body's limit. */
    reading = TRUE;
    break;
  case CONN_HANDLING:
    /* Reading while a handler has the request tells when a watcher
     * goes; what a client pipelines meanwhile waits, within bounds. */
    reading = !conn->peer_closed && buffered < READ_SIZE;
    break;
  case CONN_CLOSING:
    break;
  }
  if (reading)
    events |= G_IO_IN;
  if (conn->out_bytes > 0)
    events |= G_IO_OUT;
  if (events != conn->events) {
    g_source_modify_unix_fd (&conn->source, conn->tag, events);
    conn->events = events;
  }
}

static gboolean
conn_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  ApiConnection *conn = (ApiConnection *) source;
  GIOCondition revents = g_source_query_unix_fd (source, conn->tag);

  g_source_set_ready_time (source, -1);
  if (revents & G_IO_IN && !conn_read (conn)) {
    conn_close (conn);
    return G_SOURCE_CONTINUE;
  }
  if (revents & (G_IO_ERR | G_IO_HUP) && !(revents & G_IO_IN)) {
    conn_close (conn);
    return G_SOURCE_CONTINUE;
  }
  /* Pipelined requests are answered in turn, then all go out at once. */
  conn_process_input (conn);
  if (conn->closed || conn->cut_off || !conn_flush (conn)) {
    conn_close (conn);
    return G_SOURCE_CONTINUE;
  }
  if (conn->out_bytes == 0) {
    if (conn->state == CONN_CLOSING) {
      conn_close (conn);
      return G_SOURCE_CONTINUE;
    }
    if (conn->state == CONN_DRAINING) {
      if (conn->drain_deadline == 0) {
        /* The answer is whole: the client may stop sending. */
        shutdown (conn->fd, SHUT_WR);
        conn->drain_deadline = g_get_monotonic_time () + DRAIN_SECONDS * G_USEC_PER_SEC;
      }
      if (conn->drained >= DRAIN_BYTES || revents & G_IO_HUP) {
        conn_close (conn);
        return G_SOURCE_CONTINUE;
      }
    }
  }
  conn_update_events (conn);
  return G_SOURCE_CONTINUE;
}

static void
conn_source_finalize (GSource *source)
{
  ApiConnection *conn = (ApiConnection *) source;

  g_free (conn->in);
  g_ptr_array_unref (conn->answered);
}

static GSourceFuncs conn_source_funcs = {
  .dispatch = conn_source_dispatch,
  .finalize = conn_source_finalize,
};

/* Closes @conn: what it still had to send is dropped, and its requests
 * are finished (a watch on it ends). */
static void
conn_close (ApiConnection *conn)
{
  if (conn->closed)
    return;
  conn->closed = TRUE;
  close (conn->fd);
  conn->fd = -1;
  g_queue_clear_full (&conn->out, (GDestroyNotify) g_bytes_unref);
  conn->out_bytes = 0;
  g_clear_pointer (&conn->chunked, g_byte_array_unref);
  g_autoptr (GPtrArray) answered = g_steal_pointer (&conn->answered);
  conn->answered = g_ptr_array_new_with_free_func ((GDestroyNotify) api_message_unref);
  if (conn->msg != NULL) {
    ApiMessage *msg = g_steal_pointer (&conn->msg);
    message_finish (msg);
    api_message_unref (msg);
  }
  for (guint i = 0; i < answered->len; i++)
    message_finish (answered->pdata[i]);
  api_worker_forget_connection (conn->worker, conn->link);
  g_source_destroy (&conn->source);
  g_source_unref (&conn->source);
}

ApiConnection *
api_connection_new (ApiWorker *worker, int fd, GList *link)
{
  ApiConnection *conn = (ApiConnection *) g_source_new (&conn_source_funcs, sizeof (ApiConnection));
  int one = 1;

  /* Each answer is written whole in one call: no need to wait to fill
   * a segment (Go's server sets it too). */
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  conn->worker = worker;
  conn->link = link;
  conn->fd = fd;
  conn->state = CONN_HEAD;
  conn->answered = g_ptr_array_new_with_free_func ((GDestroyNotify) api_message_unref);
  conn->active = g_get_monotonic_time ();
  g_queue_init (&conn->out);
  conn->events = G_IO_IN;
  conn->tag = g_source_add_unix_fd (&conn->source, fd, conn->events);
  g_source_set_static_name (&conn->source, "timon-api-connection");
  g_source_attach (&conn->source, worker->context);
  return conn;
}

/* Closes @conn if it has waited too long: for the rest of a request's
 * head, for a next request, or for a refused body to end. */
void
api_connection_check_timeout (ApiConnection *conn, gint64 now)
{
  gint64 idle = (now - conn->active) / G_USEC_PER_SEC;

  if (conn->closed)
    return;
  if ((conn->state == CONN_DRAINING && conn->drain_deadline != 0 && now > conn->drain_deadline) ||
      (conn->state == CONN_HEAD && conn->in_start == conn->in_end && conn->out_bytes == 0 &&
       idle >= IDLE_TIMEOUT_SECONDS) ||
      ((conn->state == CONN_HEAD || conn->state == CONN_BODY || conn->state == CONN_CHUNKS) &&
       conn->in_start != conn->in_end && idle >= HEAD_TIMEOUT_SECONDS))
    conn_close (conn);
}

void
api_connection_close (ApiConnection *conn)
{
  conn_close (conn);
}
