/* bench-store.c: the same workloads through the TimonStore interface
 * against every store backend, side by side.
 *
 * A measurement, not a test: it never asserts a time. It reports what the
 * design's targets ask about (sqlite's durable writes against etcd's at
 * the same concurrency, sqlite's writes at 256 writers, point reads from
 * memory and sqlite) and leaves the judging to whoever reads it.
 *
 * Writers are asynchronous operations in flight from one main loop, as the
 * API server issues them: "256 writers" is 256 outstanding writes, each
 * replaced by a new one as it completes. Reads are synchronous, from 1 and
 * 2 threads. Every cell stops at a count or a time, whichever comes first.
 *
 * Backends come through the plugin registry, as timond loads them: memory,
 * sqlite (its durable default, in a temporary file) and etcd, which the
 * bench starts itself on 127.0.0.1 with free ports and a temporary data
 * folder, and stops at the end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <timon-registry.h>
#include <unistd.h>

#define DATA_PREFIX "/bench/data/"
#define CREATE_PREFIX "/bench/create/"
/* The keys updates, gets, lists and the watch work on: a list reads all. */
#define DATA_KEYS 1000

typedef enum {
  WORKLOAD_CREATE,
  WORKLOAD_UPDATE,
  WORKLOAD_GET,
  WORKLOAD_LIST,
  WORKLOAD_WATCH,
  N_WORKLOADS,
} Workload;

static const char *const workload_names[N_WORKLOADS] = {
  "create", "update", "get", "list", "watch",
};

/* Writes in flight for the write workloads; threads for the reads. */
static const guint write_levels[] = { 1, 16, 256 };
static const guint read_levels[] = { 1, 2 };
#define MAX_LEVELS 3

static gboolean
workload_is_read (Workload workload)
{
  return workload == WORKLOAD_GET || workload == WORKLOAD_LIST;
}

static const guint *
workload_levels (Workload workload, guint *n)
{
  if (workload_is_read (workload)) {
    *n = G_N_ELEMENTS (read_levels);
    return read_levels;
  }
  *n = G_N_ELEMENTS (write_levels);
  return write_levels;
}

typedef struct {
  gboolean ran;
  double rate; /* operations/s, or events/s for the watch */
  double p50_ns;
  double p99_ns;
  guint64 count;
  guint64 errors;
  double load_rate; /* watch: the updates/s that produced the events */
} Result;

typedef struct {
  const char *name;
  char *location;
  char *skipped; /* why the backend did not run, or NULL */
  Result results[N_WORKLOADS][MAX_LEVELS];
  gint64 rss_start_kib; /* VmRSS before its store opened */
  gint64 rss_kib;       /* VmRSS after its workloads, store still open */
} Backend;

typedef struct {
  double seconds;   /* per cell */
  guint max_writes; /* per cell */
  guint max_reads;  /* per cell */
} Limits;

/* The keys the update, get, list and watch workloads share, with the mod
 * revision each has now, and the ones no write in flight holds. */
typedef struct {
  char *keys[DATA_KEYS];
  gint64 revisions[DATA_KEYS];
  GQueue idle; /* key index + 1 */
} DataSet;

/* The size of the values written, for the report. */
static gsize value_size;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

/* Latencies in ns: a point read from memory takes well under 1 µs. */
static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static gint64
read_rss_kib (void)
{
  g_autofree char *status = NULL;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  const char *line = strstr (status, "VmRSS:");
  return line ? g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10) : -1;
}

/* The machine's load: figures taken on a busy machine say less. */
static char *
read_loadavg (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_strdup ("?");
  g_auto (GStrv) fields = g_strsplit (text, " ", 4);
  return g_strdup (fields[0] && fields[1] && fields[2] ? fields[0] : "?");
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;
  return (x > y) - (x < y);
}

static void
percentiles (GArray *latencies, double *p50, double *p99)
{
  *p50 = *p99 = 0;
  if (latencies->len == 0)
    return;
  g_array_sort (latencies, compare_int64);
  *p50 = (double) g_array_index (latencies, gint64, latencies->len / 2);
  *p99 = (double) g_array_index (latencies, gint64,
                                 MIN (latencies->len - 1, (guint) (latencies->len * 0.99)));
}

/* A value shaped like a small Pod as the API server stores it, ~1 KiB. */
static GBytes *
pod_value (void)
{
  GString *json = g_string_new (NULL);

  g_string_append (
    json,
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-7d9f8b6c5d-x2x9q\","
    "\"namespace\":\"default\",\"uid\":\"3f1c2b9e-8a57-4c1e-9d0b-6a2f5e7c4d11\","
    "\"creationTimestamp\":\"2024-05-01T12:00:00Z\",\"labels\":{\"app\":\"web\","
    "\"pod-template-hash\":\"7d9f8b6c5d\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\","
    "\"kind\":\"ReplicaSet\",\"name\":\"web-7d9f8b6c5d\",\"uid\":"
    "\"0b8e7f7a-1c33-4b8e-a4c5-2d1f9e8b7a66\",\"controller\":true}]},\"spec\":{\"containers\":"
    "[{\"name\":\"web\",\"image\":\"registry.example/web:1.25.3\",\"ports\":[{\"containerPort\":"
    "8080,\"protocol\":\"TCP\"}],\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":"
    "\"128Mi\"}},\"env\":[{\"name\":\"MODE\",\"value\":\"production\"}]}],\"restartPolicy\":"
    "\"Always\",\"nodeName\":\"node-3\",\"serviceAccountName\":\"default\"},\"status\":{\"phase\":"
    "\"Running\",\"podIP\":\"10.88.3.17\",\"hostIP\":\"192.168.1.13\",\"startTime\":"
    "\"2024-05-01T12:00:02Z\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],"
    "\"containerStatuses\":[{\"name\":\"web\",\"ready\":true,\"restartCount\":0,\"image\":"
    "\"registry.example/web:1.25.3\",\"containerID\":\"crun://");
  /* A container ID and padding bring it to the size of a real one. */
  while (json->len < 1000)
    g_string_append_c (json, "0123456789abcdef"[json->len % 16]);
  g_string_append (json, "\"}]}}");
  return g_string_free_to_bytes (json);
}

/* Writers: asynchronous writes in flight from the main loop. */

typedef struct {
  TimonStore *store;
  Workload workload;
  guint concurrency;
  gint64 deadline;
  guint max_ops;
  GBytes *value;
  DataSet *data;
  guint *create_counter; /* keys created so far, for fresh names */
  gboolean preparing;    /* creating the data set itself */

  guint issued;
  guint completed;
  guint in_flight;
  guint64 errors;
  GArray *latencies; /* gint64 ns */
  GMainLoop *loop;

  /* The watch workload: when each update was acknowledged, by revision,
   * until its event arrives (or the other way round). */
  GHashTable *acked; /* revision -> time acknowledged */
  GHashTable *early; /* revision -> time its event arrived, before the ack */
  GArray *event_latencies;
  guint64 events;
  guint64 acked_total;
  gint64 last_event; /* ns */
} Writers;

typedef struct {
  Writers *writers;
  gint64 started; /* ns */
  guint index;    /* the data set key, + 1; 0 for a create */
} WriteOp;

static void writers_issue (Writers *w);

static void
writers_note_ack (Writers *w, gint64 revision, gint64 now)
{
  gpointer key = GSIZE_TO_POINTER ((gsize) revision);
  gpointer seen = NULL;

  w->acked_total++;
  if (g_hash_table_steal_extended (w->early, key, NULL, &seen)) {
    /* The event overtook the acknowledgement: no latency to speak of. */
    gint64 zero = 0;
    g_array_append_val (w->event_latencies, zero);
    return;
  }
  g_hash_table_insert (w->acked, key, GSIZE_TO_POINTER ((gsize) now));
}

static void
write_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree WriteOp *op = user_data;
  Writers *w = op->writers;
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = NULL;

  if (op->index == 0 || w->preparing)
    item = timon_store_create_finish (TIMON_STORE (source), result, &error);
  else
    item = timon_store_update_finish (TIMON_STORE (source), result, &error);

  gint64 now = now_ns ();
  gint64 latency = now - op->started;
  g_array_append_val (w->latencies, latency);
  w->in_flight--;
  w->completed++;

  if (item == NULL) {
    if (w->errors++ == 0)
      g_printerr ("  %s: %s\n", workload_names[w->workload], error->message);
  } else if (op->index > 0) {
    w->data->revisions[op->index - 1] = timon_store_item_get_mod_revision (item);
    if (w->acked != NULL)
      writers_note_ack (w, timon_store_item_get_mod_revision (item), now);
  }
  if (op->index > 0 && !w->preparing)
    g_queue_push_tail (&w->data->idle, GUINT_TO_POINTER (op->index));

  writers_issue (w);
  if (w->in_flight == 0)
    g_main_loop_quit (w->loop);
}

static void
writers_issue (Writers *w)
{
  while (w->in_flight < w->concurrency && w->issued < w->max_ops && now_us () < w->deadline) {
    WriteOp *op = g_new0 (WriteOp, 1);
    op->writers = w;
    w->issued++;
    w->in_flight++;

    if (w->preparing) {
      op->index = w->issued;
      op->started = now_ns ();
      timon_store_create_async (w->store, w->data->keys[op->index - 1], w->value, NULL, write_done,
                                op);
    } else if (w->workload == WORKLOAD_CREATE) {
      g_autofree char *key = g_strdup_printf (CREATE_PREFIX "pod-%08u", (*w->create_counter)++);
      op->started = now_ns ();
      timon_store_create_async (w->store, key, w->value, NULL, write_done, op);
    } else {
      /* Each key has at most one update in flight, so none conflicts. */
      op->index = GPOINTER_TO_UINT (g_queue_pop_head (&w->data->idle));
      g_assert (op->index > 0);
      op->started = now_ns ();
      timon_store_update_async (w->store, w->data->keys[op->index - 1], w->value,
                                w->data->revisions[op->index - 1], NULL, write_done, op);
    }
  }
}

static void
writers_run (Writers *w, const Limits *limits)
{
  w->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  w->loop = g_main_loop_new (NULL, FALSE);
  w->deadline = now_us () + (gint64) (limits->seconds * G_USEC_PER_SEC);
  if (w->max_ops == 0)
    w->max_ops = limits->max_writes;

  writers_issue (w);
  if (w->in_flight > 0)
    g_main_loop_run (w->loop);
  g_main_loop_unref (w->loop);
}

static void
watch_events (TimonStoreWatch *watch, GPtrArray *events, gpointer user_data)
{
  Writers *w = user_data;
  gint64 now = now_ns ();

  for (guint i = 0; i < events->len; i++) {
    gpointer key = GSIZE_TO_POINTER ((gsize) timon_store_event_get_revision (events->pdata[i]));
    gpointer acked = NULL;

    w->events++;
    if (g_hash_table_steal_extended (w->acked, key, NULL, &acked)) {
      gint64 latency = now - (gint64) GPOINTER_TO_SIZE (acked);
      g_array_append_val (w->event_latencies, latency);
    } else {
      g_hash_table_insert (w->early, key, GSIZE_TO_POINTER ((gsize) now));
    }
  }
  w->last_event = now;
}

static gboolean
drain_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static Result
run_writes (TimonStore *store,
            Workload workload,
            guint concurrency,
            DataSet *data,
            GBytes *value,
            guint *create_counter,
            const Limits *limits)
{
  Writers w = {
    .store = store,
    .workload = workload,
    .concurrency = concurrency,
    .value = value,
    .data = data,
    .create_counter = create_counter,
  };
  Result result = { .ran = TRUE };
  g_autoptr (TimonStoreWatch) watch = NULL;
  g_autoptr (GError) error = NULL;

  if (workload == WORKLOAD_WATCH) {
    watch = timon_store_watch (store, DATA_PREFIX, TIMON_STORE_REVISION_LATEST, &error);
    if (watch == NULL) {
      g_printerr ("  watch: %s\n", error->message);
      result.errors = 1;
      return result;
    }
    w.acked = g_hash_table_new (NULL, NULL);
    w.early = g_hash_table_new (NULL, NULL);
    w.event_latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_signal_connect (watch, "events", G_CALLBACK (watch_events), &w);
  }

  gint64 started = now_us ();
  gint64 started_ns = now_ns ();
  writers_run (&w, limits);
  gint64 elapsed = now_us () - started;

  result.count = w.completed;
  result.errors = w.errors;
  result.rate = w.completed / (elapsed / (double) G_USEC_PER_SEC);
  percentiles (w.latencies, &result.p50_ns, &result.p99_ns);

  if (watch != NULL) {
    /* Wait for the events of every acknowledged update, up to 5 s. */
    gboolean timed_out = FALSE;
    GSource *timeout = g_timeout_source_new (5000);
    g_source_set_callback (timeout, drain_timeout, &timed_out, NULL);
    g_source_attach (timeout, NULL);
    while (w.events < w.acked_total && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    g_source_destroy (timeout);
    g_source_unref (timeout);

    result.load_rate = result.rate;
    result.count = w.events;
    gint64 span = MAX (w.last_event, started_ns + 1) - started_ns;
    result.rate = w.events / (span / 1e9);
    percentiles (w.event_latencies, &result.p50_ns, &result.p99_ns);
    if (w.events < w.acked_total) {
      g_printerr ("  watch: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " events arrived\n",
                  w.events, w.acked_total);
      result.errors += w.acked_total - w.events;
    }
    timon_store_watch_cancel (watch);
    g_signal_handlers_disconnect_by_data (watch, &w);
    g_hash_table_unref (w.acked);
    g_hash_table_unref (w.early);
    g_array_unref (w.event_latencies);
  }
  g_array_unref (w.latencies);
  return result;
}

static gboolean
prepare_data (TimonStore *store, DataSet *data, GBytes *value, const Limits *limits)
{
  Limits unbounded = *limits;
  Writers w = {
    .store = store,
    .concurrency = 256,
    .value = value,
    .data = data,
    .preparing = TRUE,
    .max_ops = DATA_KEYS,
  };

  unbounded.seconds = 120;
  writers_run (&w, &unbounded);
  g_array_unref (w.latencies);
  return w.errors == 0 && w.completed == DATA_KEYS;
}

/* Readers: synchronous gets and lists from threads. */

typedef struct {
  TimonStore *store;
  Workload workload;
  DataSet *data;
  gint64 deadline;
  guint max_ops;
  int *issued; /* shared, atomic */
  guint32 seed;

  GArray *latencies;
  guint64 errors;
  guint64 done;
} Reader;

static gpointer
reader_thread (gpointer user_data)
{
  Reader *r = user_data;
  g_autoptr (GRand) rand = g_rand_new_with_seed (r->seed);

  r->latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((guint) g_atomic_int_add (r->issued, 1) < r->max_ops) {
    g_autoptr (GError) error = NULL;
    gint64 started = now_ns ();
    gboolean ok;

    if (now_us () >= r->deadline)
      break;
    if (r->workload == WORKLOAD_GET) {
      guint i = g_rand_int_range (rand, 0, DATA_KEYS);
      g_autoptr (TimonStoreItem) item = timon_store_get (r->store, r->data->keys[i], &error);
      ok = item != NULL;
    } else {
      g_autoptr (GPtrArray) items =
        timon_store_list (r->store, DATA_PREFIX, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL,
                          &error);
      ok = items != NULL && items->len == DATA_KEYS;
    }
    gint64 latency = now_ns () - started;
    g_array_append_val (r->latencies, latency);
    r->done++;
    if (!ok && r->errors++ == 0)
      g_printerr ("  %s: %s\n", workload_names[r->workload],
                  error ? error->message : "a list of the wrong length");
  }
  return NULL;
}

static Result
run_reads (TimonStore *store, Workload workload, guint threads, DataSet *data, const Limits *limits)
{
  Reader readers[8] = { 0 };
  GThread *handles[8] = { NULL };
  int issued = 0;
  Result result = { .ran = TRUE };
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert (threads <= G_N_ELEMENTS (readers));
  gint64 started = now_us ();
  for (guint i = 0; i < threads; i++) {
    readers[i] = (Reader){
      .store = store,
      .workload = workload,
      .data = data,
      .deadline = started + (gint64) (limits->seconds * G_USEC_PER_SEC),
      .max_ops = limits->max_reads,
      .issued = &issued,
      .seed = 17 + i,
    };
    handles[i] = g_thread_new ("bench-reader", reader_thread, &readers[i]);
  }
  for (guint i = 0; i < threads; i++) {
    g_thread_join (handles[i]);
    g_array_append_vals (all, readers[i].latencies->data, readers[i].latencies->len);
    result.count += readers[i].done;
    result.errors += readers[i].errors;
    g_array_unref (readers[i].latencies);
  }
  gint64 elapsed = now_us () - started;
  result.rate = result.count / (elapsed / (double) G_USEC_PER_SEC);
  percentiles (all, &result.p50_ns, &result.p99_ns);
  return result;
}

/* The etcd server the bench runs for itself. */

typedef struct {
  char *dir;
  GSubprocess *process;
  char *url;
} EtcdServer;

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK)) {
    g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree char *child = g_build_filename (path, name, NULL);
      rm_rf (child);
    }
  }
  g_remove (path);
}

static guint16
free_port (void)
{
  g_autoptr (GSocket) socket =
    g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

  if (socket == NULL || !g_socket_bind (socket, any, FALSE, NULL))
    return 0;
  g_autoptr (GSocketAddress) bound = g_socket_get_local_address (socket, NULL);
  return bound ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

/* etcd dies with the bench, however the bench ends. */
static void
etcd_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
etcd_stop (EtcdServer *server)
{
  if (server->process != NULL) {
    g_subprocess_send_signal (server->process, SIGTERM);
    gint64 deadline = now_us () + 5 * G_USEC_PER_SEC;
    while (g_subprocess_get_identifier (server->process) != NULL && now_us () < deadline) {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
    if (g_subprocess_get_identifier (server->process) != NULL)
      g_subprocess_force_exit (server->process);
    g_subprocess_wait (server->process, NULL, NULL);
    g_clear_object (&server->process);
  }
  if (server->dir != NULL)
    rm_rf (server->dir);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->url, g_free);
}

/* Starts etcd and opens the store on it once it answers. */
static TimonStore *
etcd_start (EtcdServer *server, TimonRegistry *registry, GError **error)
{
  guint16 client_port = free_port ();
  guint16 peer_port = free_port ();

  if (client_port == 0 || peer_port == 0 || client_port == peer_port) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no free port on 127.0.0.1");
    return NULL;
  }
  server->dir = g_dir_make_tmp ("timon-bench-etcd-XXXXXX", error);
  if (server->dir == NULL)
    return NULL;

  g_autofree char *data_dir = g_build_filename (server->dir, "data", NULL);
  g_autofree char *log = g_build_filename (server->dir, "etcd.log", NULL);
  g_autofree char *client = g_strdup_printf ("http://127.0.0.1:%u", client_port);
  g_autofree char *peer = g_strdup_printf ("http://127.0.0.1:%u", peer_port);
  g_autofree char *cluster = g_strdup_printf ("bench=%s", peer);
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);

  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_child_setup (launcher, etcd_child_setup, NULL, NULL);
  /* --max-request-bytes: a value of TIMON_STORE_MAX_VALUE_SIZE, base64
   * aside, is over etcd's default of exactly that size once its key and
   * framing are added. */
  server->process =
    g_subprocess_launcher_spawn (launcher, error, "etcd", "--name", "bench", "--data-dir", data_dir,
                                 "--listen-client-urls", client, "--advertise-client-urls", client,
                                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                 "--initial-cluster", cluster, "--max-request-bytes", "2097152",
                                 NULL);
  if (server->process == NULL)
    return NULL;
  server->url = g_steal_pointer (&client);

  gint64 deadline = now_us () + 15 * G_USEC_PER_SEC;
  while (TRUE) {
    g_autoptr (GError) local_error = NULL;
    TimonStore *store = timon_registry_open_store (registry, "etcd", server->url, &local_error);
    if (store != NULL)
      return store;
    if (g_subprocess_get_identifier (server->process) == NULL || now_us () >= deadline) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "etcd did not start (see %s): %s", log,
                   local_error->message);
      return NULL;
    }
    g_usleep (100000);
  }
}

/* Output. */

static char *
format_rate (double rate)
{
  if (rate >= 1e6)
    return g_strdup_printf ("%.2fM", rate / 1e6);
  if (rate >= 1e4)
    return g_strdup_printf ("%.1fk", rate / 1e3);
  if (rate >= 1e3)
    return g_strdup_printf ("%.2fk", rate / 1e3);
  return g_strdup_printf ("%.1f", rate);
}

static char *
format_ns (double ns)
{
  if (ns >= 1e9)
    return g_strdup_printf ("%.2fs", ns / 1e9);
  if (ns >= 1e7)
    return g_strdup_printf ("%.0fms", ns / 1e6);
  if (ns >= 1e6)
    return g_strdup_printf ("%.1fms", ns / 1e6);
  if (ns >= 1e4)
    return g_strdup_printf ("%.0fus", ns / 1e3);
  if (ns >= 1e3)
    return g_strdup_printf ("%.1fus", ns / 1e3);
  return g_strdup_printf ("%.0fns", ns);
}

#define COLUMN_WIDTH 27

static void
print_cell (const Backend *backend, const Result *result)
{
  g_autofree char *cell = NULL;

  if (backend->skipped != NULL)
    cell = g_strdup ("-");
  else if (!result->ran)
    cell = g_strdup ("");
  else {
    g_autofree char *rate = format_rate (result->rate);
    g_autofree char *p50 = format_ns (result->p50_ns);
    g_autofree char *p99 = format_ns (result->p99_ns);
    cell = g_strdup_printf ("%8s %7s %7s%s", rate, p50, p99, result->errors ? " !" : "");
  }
  g_print (" | %-*s", COLUMN_WIDTH - 3, cell);
}

static const char *
level_unit (Workload workload)
{
  return workload_is_read (workload) ? "thr" : "wr";
}

static void
print_table (Backend *backends,
             guint n_backends,
             const Limits *limits,
             const char *load_before,
             const char *load_after)
{
  g_print ("\nper cell: %.2f s or %u writes / %u reads, whichever first; values %zu bytes\n",
           limits->seconds, limits->max_writes, limits->max_reads, value_size);
  g_print ("create/update: writes/s and write latency, N writes in flight from one main loop\n");
  g_print ("get/list: calls/s and call latency, from N threads; list = %u keys, whole\n",
           DATA_KEYS);
  g_print ("watch: events/s to one watcher during an update load of N writers, and latency\n"
           "       from write acknowledged to event received (0 when the event came first)\n");
  g_print ("1-minute load average: %s before, %s after, on %u CPUs\n\n", load_before, load_after,
           g_get_num_processors ());

  g_print ("%-14s", "");
  for (guint b = 0; b < n_backends; b++)
    g_print (" | %-*s", COLUMN_WIDTH - 3, backends[b].name);
  g_print ("\n%-14s", "workload");
  for (guint b = 0; b < n_backends; b++)
    g_print (" | %8s %7s %7s", "ops/s", "p50", "p99");
  g_print ("\n");
  for (guint i = 0; i < 14 + n_backends * COLUMN_WIDTH; i++)
    g_print ("-");
  g_print ("\n");

  for (Workload workload = 0; workload < N_WORKLOADS; workload++) {
    guint n_levels = 0;
    const guint *levels = workload_levels (workload, &n_levels);
    for (guint l = 0; l < n_levels; l++) {
      g_autofree char *label =
        g_strdup_printf ("%-7s%3u %s", workload_names[workload], levels[l], level_unit (workload));
      g_print ("%-14s", label);
      for (guint b = 0; b < n_backends; b++)
        print_cell (&backends[b], &backends[b].results[workload][l]);
      g_print ("\n");
    }
  }

  g_print ("\n%-14s", "watch load");
  for (guint b = 0; b < n_backends; b++) {
    g_autoptr (GString) loads = g_string_new (NULL);
    for (guint l = 0; backends[b].skipped == NULL && l < G_N_ELEMENTS (write_levels); l++) {
      g_autofree char *rate = format_rate (backends[b].results[WORKLOAD_WATCH][l].load_rate);
      g_string_append_printf (loads, "%s%s", l ? " " : "", rate);
    }
    g_print (" | %-*s", COLUMN_WIDTH - 3, backends[b].skipped ? "-" : loads->str);
  }
  g_print ("  (updates/s)\n%-14s", "VmRSS");
  for (guint b = 0; b < n_backends; b++) {
    g_autofree char *rss =
      backends[b].skipped
        ? g_strdup ("-")
        : g_strdup_printf ("%.1f MiB (%+.1f)", backends[b].rss_kib / 1024.0,
                           (backends[b].rss_kib - backends[b].rss_start_kib) / 1024.0);
    g_print (" | %-*s", COLUMN_WIDTH - 3, rss);
  }
  g_print ("  (process at the end of each; its growth)\n");
  for (guint b = 0; b < n_backends; b++) {
    if (backends[b].skipped != NULL)
      g_print ("%s: not run: %s\n", backends[b].name, backends[b].skipped);
  }
  g_print ("\"!\" marks a cell where operations failed (see the messages above).\n");
}

static Backend *
find_backend (Backend *backends, guint n, const char *name)
{
  for (guint b = 0; b < n; b++) {
    if (g_str_equal (backends[b].name, name))
      return &backends[b];
  }
  return NULL;
}

static const Result *
result_of (Backend *backend, Workload workload, guint level)
{
  return backend && !backend->skipped ? &backend->results[workload][level] : NULL;
}

static void
print_targets (Backend *backends, guint n_backends)
{
  Backend *memory = find_backend (backends, n_backends, "memory");
  Backend *sqlite = find_backend (backends, n_backends, "sqlite");
  Backend *etcd = find_backend (backends, n_backends, "etcd");

  g_print ("\nTargets (the design aims for them; measured in this run):\n");

  for (Workload workload = WORKLOAD_CREATE; workload <= WORKLOAD_UPDATE; workload++) {
    g_print ("  sqlite/etcd durable %-6s writes/s (target >= 5x):", workload_names[workload]);
    for (guint l = 0; l < G_N_ELEMENTS (write_levels); l++) {
      const Result *s = result_of (sqlite, workload, l);
      const Result *e = result_of (etcd, workload, l);
      if (s && e && s->ran && e->ran && e->rate > 0)
        g_print ("  %u wr %.1fx%s", write_levels[l], s->rate / e->rate,
                 s->rate >= 5 * e->rate ? "" : " (below)");
      else
        g_print ("  %u wr n/a", write_levels[l]);
    }
    g_print ("\n");
  }

  g_print ("  sqlite writes/s at 256 writers (target >= 30,000):");
  for (Workload workload = WORKLOAD_CREATE; workload <= WORKLOAD_UPDATE; workload++) {
    const Result *s = result_of (sqlite, workload, 2);
    if (s && s->ran) {
      g_autofree char *rate = format_rate (s->rate);
      g_print ("  %s %s/s%s", workload_names[workload], rate, s->rate >= 30000 ? "" : " (below)");
    } else {
      g_print ("  %s n/a", workload_names[workload]);
    }
  }
  g_print ("\n");

  struct {
    Backend *backend;
    const char *name;
    double target;
  } reads[] = { { memory, "memory", 200000 }, { sqlite, "sqlite", 100000 } };
  for (guint i = 0; i < G_N_ELEMENTS (reads); i++) {
    g_print ("  point reads/s from %s (target >= %.0f):", reads[i].name, reads[i].target);
    for (guint l = 0; l < G_N_ELEMENTS (read_levels); l++) {
      const Result *r = result_of (reads[i].backend, WORKLOAD_GET, l);
      if (r && r->ran) {
        g_autofree char *rate = format_rate (r->rate);
        g_print ("  %u thr %s/s%s", read_levels[l], rate,
                 r->rate >= reads[i].target ? "" : " (below)");
      } else {
        g_print ("  %u thr n/a", read_levels[l]);
      }
    }
    g_print ("\n");
  }
}

static void
run_backend (Backend *backend, TimonStore *store, const Limits *limits)
{
  g_autoptr (GBytes) value = pod_value ();
  DataSet data = { { NULL } };
  guint create_counter = 0;

  value_size = g_bytes_get_size (value);
  for (guint i = 0; i < DATA_KEYS; i++)
    data.keys[i] = g_strdup_printf (DATA_PREFIX "pod-%04u", i);
  g_queue_init (&data.idle);

  if (!prepare_data (store, &data, value, limits)) {
    backend->skipped = g_strdup ("creating the data set failed");
    goto out;
  }
  for (guint i = 0; i < DATA_KEYS; i++)
    g_queue_push_tail (&data.idle, GUINT_TO_POINTER (i + 1));

  for (Workload workload = 0; workload < N_WORKLOADS; workload++) {
    guint n_levels = 0;
    const guint *levels = workload_levels (workload, &n_levels);
    for (guint l = 0; l < n_levels; l++) {
      Result *result = &backend->results[workload][l];
      if (workload_is_read (workload))
        *result = run_reads (store, workload, levels[l], &data, limits);
      else
        *result = run_writes (store, workload, levels[l], &data, value, &create_counter, limits);
      g_autofree char *rate = format_rate (result->rate);
      g_print ("  %-6s %3u %-3s %8s/s\n", workload_names[workload], levels[l],
               level_unit (workload), rate);
    }
  }
  backend->rss_kib = read_rss_kib ();

out:
  g_queue_clear (&data.idle);
  for (guint i = 0; i < DATA_KEYS; i++)
    g_free (data.keys[i]);
}

/* GLib 2.74's GSlice scales badly across threads and keeps what it frees;
 * the variable only works if set before the process starts, so the bench
 * starts itself again with it, as timond's unit file would set it. */
static void
ensure_slice_malloc (char **argv)
{
  if (g_getenv ("G_SLICE") != NULL)
    return;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self == NULL)
    return;
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  /* The real path, so that the process keeps its name in ps and top. */
  execv (self, argv);
  /* Could not re-exec: run as we are. */
}

int
main (int argc, char **argv)
{
  gboolean quick = FALSE;
  char *only = NULL;
  double seconds = 0;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "A smoke run of about ten seconds", NULL },
    { "backend", 0, 0, G_OPTION_ARG_STRING, &only, "Run one backend only", "NAME" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Time limit of each cell", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) options = g_option_context_new ("- benchmark the store backends");
  g_autoptr (GError) error = NULL;

  ensure_slice_malloc (argv);

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }

  Limits limits = {
    .seconds = quick ? 0.15 : 2.0,
    .max_writes = quick ? 20000 : 200000,
    .max_reads = quick ? 100000 : 2000000,
  };
  if (seconds > 0)
    limits.seconds = seconds;

  Backend backends[] = {
    { .name = "memory" },
    { .name = "sqlite" },
    { .name = "etcd" },
  };
  if (only != NULL && find_backend (backends, G_N_ELEMENTS (backends), only) == NULL) {
    g_printerr ("unknown backend %s: memory, sqlite or etcd\n", only);
    return 2;
  }

  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  timon_registry_load_default (registry, NULL);
  g_autofree char *load_before = read_loadavg ();

  for (guint b = 0; b < G_N_ELEMENTS (backends); b++) {
    Backend *backend = &backends[b];
    g_autoptr (TimonStore) store = NULL;
    g_autofree char *tmp = NULL;
    EtcdServer etcd = { NULL };

    if (only != NULL && !g_str_equal (only, backend->name)) {
      backend->skipped = g_strdup ("not asked for (--backend)");
      continue;
    }
    if (timon_registry_lookup (registry, TIMON_FEATURE_STORE, backend->name) == NULL) {
      backend->skipped = g_strdup ("no plugin provides this store (not built?)");
      g_print ("%s: not run: %s\n", backend->name, backend->skipped);
      continue;
    }

    /* Give back what the previous backend freed, so that each starts
     * from what the process really holds. */
    malloc_trim (0);
    backend->rss_start_kib = read_rss_kib ();

    if (g_str_equal (backend->name, "etcd")) {
      g_autofree char *path = g_find_program_in_path ("etcd");
      if (path == NULL) {
        backend->skipped = g_strdup ("etcd is not on PATH (apt-get install etcd-server)");
        g_print ("etcd: not run: %s\n", backend->skipped);
        continue;
      }
      store = etcd_start (&etcd, registry, &error);
    } else if (g_str_equal (backend->name, "sqlite")) {
      tmp = g_dir_make_tmp ("timon-bench-sqlite-XXXXXX", &error);
      if (tmp != NULL) {
        backend->location = g_build_filename (tmp, "bench.db", NULL);
        store = timon_registry_open_store (registry, "sqlite", backend->location, &error);
      }
    } else {
      store = timon_registry_open_store (registry, backend->name, NULL, &error);
    }

    if (store == NULL) {
      backend->skipped = g_strdup_printf ("cannot open it: %s", error->message);
      g_print ("%s: not run: %s\n", backend->name, backend->skipped);
      g_clear_error (&error);
    } else {
      g_print ("%s:\n", backend->name);
      run_backend (backend, store, &limits);
      g_clear_object (&store);
      /* Let the store's last callbacks run before its server goes. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
    etcd_stop (&etcd);
    if (tmp != NULL)
      rm_rf (tmp);
    g_clear_pointer (&backend->location, g_free);
  }

  g_autofree char *load_after = read_loadavg ();
  print_table (backends, G_N_ELEMENTS (backends), &limits, load_before, load_after);
  print_targets (backends, G_N_ELEMENTS (backends));

  for (guint b = 0; b < G_N_ELEMENTS (backends); b++)
    g_free (backends[b].skipped);
  g_free (only);
  return 0;
}
