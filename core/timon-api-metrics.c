/* timon-api-metrics.c: GET /metrics, the API server's own metrics in
 * the Prometheus text format 0.0.4, named and labelled as Kubernetes'
 * apiserver names them so that its dashboards and alerts apply.
 *
 * Each request is tracked from when its head is read (refused bodies
 * count too) and counted once, when it is finished (answered, or its
 * connection gone), with the status it was answered with. Watches are long-running: counted in
 * apiserver_longrunning_requests while open, not in the inflight gauge
 * nor the duration histogram, as Kubernetes does.
 *
 * apiserver_storage_objects comes from the watch cache, once loaded;
 * timon_store_request_duration_seconds, the store's latency, from the
 * store's own counts (Kubernetes has etcd_request_duration_seconds).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <unistd.h>

#include "timon-api-private.h"
#include "timon-store-private.h"

/* Kubernetes' buckets of apiserver_request_duration_seconds, in seconds;
 * the labels are written as Kubernetes writes them. */
static const double bucket_bounds[] = { 0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8,
                                        1,     1.25,  1.5,  2,   3,   4,   5,   6,
                                        8,     10,    15,   20,  30,  45,  60 };
static const char *const bucket_labels[] = { "0.005", "0.025", "0.05", "0.1",  "0.2", "0.4",
                                             "0.6",   "0.8",   "1",    "1.25", "1.5", "2",
                                             "3",     "4",     "5",    "6",    "8",   "10",
                                             "15",    "20",    "30",   "45",   "60" };
#define N_BUCKETS G_N_ELEMENTS (bucket_bounds)
G_STATIC_ASSERT (G_N_ELEMENTS (bucket_bounds) == G_N_ELEMENTS (bucket_labels));

typedef struct {
  guint64 buckets[N_BUCKETS]; /* cumulative: observations <= bound */
  guint64 count;
  double sum;
} Histogram;

/* Requests are served by several threads (timon-api-worker.c): the
 * counts are shared under one lock, held for a few lookups at a time. */
struct _ApiMetrics {
  GMutex lock;
  GHashTable *requests;    /* "verb=...,code=..." labels → guint64 * */
  GHashTable *durations;   /* labels without code → Histogram */
  GHashTable *longrunning; /* labels → gint64 *, open watches */
  gint64 inflight_read;
  gint64 inflight_mutating;
  double start_time; /* seconds since the epoch when the process started */
};

/* What is kept of a request between its head and its end. */
typedef struct {
  TimonApiServer *server; /* unowned: it outlives its connections */
  gint64 start;           /* monotonic, µs */
  char *labels;           /* verb,group,version,resource,subresource,scope,component */
  char *watch;            /* labels of apiserver_longrunning_requests, for a watch; else NULL */
  gboolean mutating;
} Request;

static void
request_free (Request *request)
{
  g_free (request->labels);
  g_free (request->watch);
  g_free (request);
}

/* When the process started, in seconds since the epoch: field 22 of
 * /proc/self/stat (clock ticks after boot) plus the boot time of
 * /proc/stat; @fallback when they cannot be read. */
static double
process_start_time (double fallback)
{
  g_autofree char *stat = NULL;
  g_autofree char *system = NULL;

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) ||
      !g_file_get_contents ("/proc/stat", &system, NULL, NULL))
    return fallback;
  /* The command name, field 2, may hold spaces: count after its ')'. */
  const char *p = strrchr (stat, ')');
  const char *btime = strstr (system, "\nbtime ");
  long ticks = sysconf (_SC_CLK_TCK);
  if (p == NULL || btime == NULL || ticks <= 0)
    return fallback;
  g_auto (GStrv) fields = g_strsplit (p + 2, " ", -1);
  /* Fields 3 onwards: field 22 is the 20th. */
  if (g_strv_length (fields) < 20)
    return fallback;
  guint64 start = g_ascii_strtoull (fields[19], NULL, 10);
  guint64 boot = g_ascii_strtoull (btime + strlen ("\nbtime "), NULL, 10);
  return (double) boot + (double) start / (double) ticks;
}

ApiMetrics *
api_metrics_new (void)
{
  ApiMetrics *metrics = g_new0 (ApiMetrics, 1);

  g_mutex_init (&metrics->lock);
  metrics->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  metrics->durations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  metrics->longrunning = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  metrics->start_time = process_start_time ((double) g_get_real_time () / G_USEC_PER_SEC);
  return metrics;
}

void
api_metrics_free (ApiMetrics *metrics)
{
  g_hash_table_unref (metrics->requests);
  g_hash_table_unref (metrics->durations);
  g_hash_table_unref (metrics->longrunning);
  g_mutex_clear (&metrics->lock);
  g_free (metrics);
}

/* Appends name="value" with the text format's escapes: a backslash, a
 * double quote and a newline are what would end or break the value. */
static void
append_label (GString *out, const char *name, const char *value)
{
  if (out->len > 0)
    g_string_append_c (out, ',');
  g_string_append_printf (out, "%s=\"", name);
  for (const char *p = value; *p != '\0'; p++) {
    if (*p == '\\')
      g_string_append (out, "\\\\");
    else if (*p == '"')
      g_string_append (out, "\\\"");
    else if (*p == '\n')
      g_string_append (out, "\\n");
    else
      g_string_append_c (out, *p);
  }
  g_string_append_c (out, '"');
}

/* The Kubernetes verb of a request: GET is get, list or watch; DELETE
 * of a collection is deletecollection. */
static char *
request_verb (const char *method, ApiTarget *target, GHashTable *query)
{
  gboolean collection = target->type != NULL && target->name == NULL;

  if (strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0) {
    if (target->type == NULL)
      return g_strdup ("get");
    if (collection && strcmp (method, "GET") == 0 && api_query_bool (query, "watch"))
      return g_strdup ("watch");
    return g_strdup (collection ? "list" : "get");
  }
  if (strcmp (method, "POST") == 0)
    return g_strdup ("create");
  if (strcmp (method, "PUT") == 0)
    return g_strdup ("update");
  if (strcmp (method, "PATCH") == 0)
    return g_strdup ("patch");
  if (strcmp (method, "DELETE") == 0)
    return g_strdup (collection ? "deletecollection" : "delete");
  /* Any other method: one label value, as Kubernetes' "other", or a
   * client could add series without bound. */
  return g_strdup ("other");
}

/* Kubernetes' scope label: "resource" for one object (and a create),
 * "namespace" for a namespace's collection, "cluster" for a collection
 * across namespaces or of a cluster-scoped type, "" for other paths. */
static const char *
request_scope (ApiTarget *target, const char *verb)
{
  if (target->type == NULL)
    return "";
  if (target->name != NULL || strcmp (verb, "create") == 0)
    return "resource";
  if (target->namespace != NULL)
    return "namespace";
  return "cluster";
}

static void
on_finished (ApiMessage *msg, gpointer user_data)
{
  Request *request = user_data;
  ApiMetrics *metrics = request->server->metrics;
  guint code = api_message_get_status (msg);
  g_autofree char *counter_key = g_strdup_printf ("%s,code=\"%u\"", request->labels, code);
  double seconds = (double) (g_get_monotonic_time () - request->start) / G_USEC_PER_SEC;
  g_mutex_lock (&metrics->lock);
  guint64 *count = g_hash_table_lookup (metrics->requests, counter_key);
  if (count == NULL) {
    count = g_new0 (guint64, 1);
    g_hash_table_insert (metrics->requests, g_steal_pointer (&counter_key), count);
  }
  (*count)++;

  if (request->watch != NULL) {
    gint64 *open = g_hash_table_lookup (metrics->longrunning, request->watch);
    if (open != NULL)
      (*open)--;
  } else {
    if (request->mutating)
      metrics->inflight_mutating--;
    else
      metrics->inflight_read--;
    Histogram *histogram = g_hash_table_lookup (metrics->durations, request->labels);
    if (histogram == NULL) {
      histogram = g_new0 (Histogram, 1);
      g_hash_table_insert (metrics->durations, g_strdup (request->labels), histogram);
    }
    for (guint i = 0; i < N_BUCKETS; i++)
      if (seconds <= bucket_bounds[i])
        histogram->buckets[i]++;
    histogram->count++;
    histogram->sum += seconds;
  }
  g_mutex_unlock (&metrics->lock);
  request_free (request);
}

void
api_metrics_track (TimonApiServer *self, ApiMessage *msg)
{
  const char *method = api_message_get_method (msg);
  const char *path = api_message_get_path (msg);
  GHashTable *query = api_message_get_query (msg);
  g_auto (ApiTarget) target = { 0 };
  Request *request = g_new0 (Request, 1);

  /* Only types timond serves give resource labels: a client cannot make
   * the label sets grow without bound with made-up paths. */
  if (api_parse_resource_path (self, path, &target) && target.subresource != NULL &&
      !timon_resource_type_has_subresource (target.type, target.subresource)) {
    api_target_clear (&target);
    target.type = NULL;
  }
  g_autofree char *verb = request_verb (method, &target, query);
  const char *group = target.type ? timon_resource_type_get_group (target.type) : "";
  const char *version = target.type ? timon_resource_type_get_version (target.type) : "";
  const char *resource = target.type ? timon_resource_type_get_plural (target.type) : "";
  const char *scope = request_scope (&target, verb);

  g_autoptr (GString) labels = g_string_new (NULL);
  append_label (labels, "verb", verb);
  append_label (labels, "group", group);
  append_label (labels, "version", version);
  append_label (labels, "resource", resource);
  append_label (labels, "subresource", target.subresource ? target.subresource : "");
  append_label (labels, "scope", scope);
  append_label (labels, "component", "apiserver");

  request->server = self;
  request->start = g_get_monotonic_time ();
  request->labels = g_string_free (g_steal_pointer (&labels), FALSE);
  request->mutating =
    strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0 && strcmp (method, "OPTIONS") != 0;
  g_mutex_lock (&self->metrics->lock);
  if (strcmp (verb, "watch") == 0) {
    g_autoptr (GString) watch = g_string_new (NULL);
    append_label (watch, "verb", "WATCH");
    append_label (watch, "group", group);
    append_label (watch, "version", version);
    append_label (watch, "resource", resource);
    append_label (watch, "scope", scope);
    gint64 *open = g_hash_table_lookup (self->metrics->longrunning, watch->str);
    if (open == NULL) {
      open = g_new0 (gint64, 1);
      g_hash_table_insert (self->metrics->longrunning, g_strdup (watch->str), open);
    }
    (*open)++;
    request->watch = g_string_free (g_steal_pointer (&watch), FALSE);
  } else if (request->mutating) {
    self->metrics->inflight_mutating++;
  } else {
    self->metrics->inflight_read++;
  }
  g_mutex_unlock (&self->metrics->lock);
  api_message_connect_finished (msg, on_finished, request);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The keys of @table, sorted: the same series in the same order at
 * each scrape. */
static const char **
sorted_keys (GHashTable *table, guint *out_n)
{
  const char **keys = (const char **) g_hash_table_get_keys_as_array (table, out_n);
  qsort (keys, *out_n, sizeof (char *), compare_strings);
  return keys;
}

static void
append_double (GString *out, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, value));
}

/* Resident set size from /proc/self/statm (pages), or -1. */
static gint64
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    return -1;
  const char *space = strchr (statm, ' ');
  if (space == NULL)
    return -1;
  return g_ascii_strtoll (space + 1, NULL, 10) * (gint64) sysconf (_SC_PAGESIZE);
}

static GString *
metrics_text (ApiMetrics *metrics)
{
  GString *out = g_string_new (NULL);
  guint n = 0;

  g_string_append (out, "# HELP apiserver_request_total Counter of apiserver requests broken out "
                        "for each verb, group, version, resource, scope, component, and HTTP "
                        "response code.\n# TYPE apiserver_request_total counter\n");
  g_autofree const char **requests = sorted_keys (metrics->requests, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "apiserver_request_total{%s} %" G_GUINT64_FORMAT "\n", requests[i],
                            *(guint64 *) g_hash_table_lookup (metrics->requests, requests[i]));

  g_string_append (out, "# HELP apiserver_request_duration_seconds Response latency distribution "
                        "in seconds for each verb, group, version, resource, subresource, scope "
                        "and component.\n# TYPE apiserver_request_duration_seconds histogram\n");
  g_autofree const char **durations = sorted_keys (metrics->durations, &n);
  for (guint i = 0; i < n; i++) {
    Histogram *h = g_hash_table_lookup (metrics->durations, durations[i]);
    for (guint b = 0; b < N_BUCKETS; b++)
      g_string_append_printf (out,
                              "apiserver_request_duration_seconds_bucket{%s,le=\"%s\"} "
                              "%" G_GUINT64_FORMAT "\n",
                              durations[i], bucket_labels[b], h->buckets[b]);
    g_string_append_printf (out,
                            "apiserver_request_duration_seconds_bucket{%s,le=\"+Inf\"} "
                            "%" G_GUINT64_FORMAT "\n",
                            durations[i], h->count);
    g_string_append_printf (out, "apiserver_request_duration_seconds_sum{%s} ", durations[i]);
    append_double (out, h->sum);
    g_string_append_printf (out,
                            "\napiserver_request_duration_seconds_count{%s} %" G_GUINT64_FORMAT
                            "\n",
                            durations[i], h->count);
  }

  g_string_append_printf (out,
                          "# HELP apiserver_current_inflight_requests Maximal number of currently "
                          "used inflight request limit of this apiserver per request kind in last "
                          "second.\n# TYPE apiserver_current_inflight_requests gauge\n"
                          "apiserver_current_inflight_requests{request_kind=\"mutating\"} "
                          "%" G_GINT64_FORMAT "\n"
                          "apiserver_current_inflight_requests{request_kind=\"readOnly\"} "
                          "%" G_GINT64_FORMAT "\n",
                          metrics->inflight_mutating, metrics->inflight_read);

  g_string_append (out, "# HELP apiserver_longrunning_requests Gauge of all active long-running "
                        "apiserver requests broken out by verb, group, version, resource, scope "
                        "and component.\n# TYPE apiserver_longrunning_requests gauge\n");
  g_autofree const char **watches = sorted_keys (metrics->longrunning, &n);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out,
                            "apiserver_longrunning_requests{%s,component=\"apiserver\"} "
                            "%" G_GINT64_FORMAT "\n",
                            watches[i],
                            *(gint64 *) g_hash_table_lookup (metrics->longrunning, watches[i]));

  g_string_append (out, "# HELP process_start_time_seconds Start time of the process since unix "
                        "epoch in seconds.\n# TYPE process_start_time_seconds gauge\n"
                        "process_start_time_seconds ");
  append_double (out, metrics->start_time);
  g_string_append_c (out, '\n');
  gint64 rss = resident_bytes ();
  if (rss >= 0)
    g_string_append_printf (out,
                            "# HELP process_resident_memory_bytes Resident memory size in "
                            "bytes.\n# TYPE process_resident_memory_bytes gauge\n"
                            "process_resident_memory_bytes %" G_GINT64_FORMAT "\n",
                            rss);
  return out;
}

/* What the server knows beside the requests: objects by type, and the
 * store's latency. */
static void
append_storage (TimonApiServer *self, GString *out)
{
  if (g_atomic_int_get (&self->caches_ready)) {
    g_string_append (out, "# HELP apiserver_storage_objects Number of stored objects at the time "
                          "of last check split by kind.\n"
                          "# TYPE apiserver_storage_objects gauge\n");
    for (guint i = 0; i < self->types->len; i++) {
      TimonResourceType *type = self->types->pdata[i];
      ApiCache *cache = api_cache_lookup (self, type);
      g_autofree char *resource = api_resource_name (type);
      if (cache != NULL)
        g_string_append_printf (out, "apiserver_storage_objects{resource=\"%s\"} %u\n", resource,
                                api_cache_count (cache));
    }
  }
  timon_store_append_metrics (self->store, G_OBJECT_TYPE_NAME (self->store), out);
}

/* Requests begun and not yet finished, watches aside. */
gint64
api_metrics_get_inflight (ApiMetrics *metrics)
{
  g_mutex_lock (&metrics->lock);
  gint64 inflight = metrics->inflight_read + metrics->inflight_mutating;
  g_mutex_unlock (&metrics->lock);
  return inflight;
}

void
api_metrics_reply (TimonApiServer *self, ApiMessage *msg)
{
  g_mutex_lock (&self->metrics->lock);
  GString *out = metrics_text (self->metrics);
  g_mutex_unlock (&self->metrics->lock);
  append_storage (self, out);
  gsize length = out->len;
  char *text = g_string_free (out, FALSE);

  api_message_take_response (msg, 200, "text/plain; version=0.0.4; charset=utf-8", text, length);
}
