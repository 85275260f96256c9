/* test-apiserver-cache.c: the watch cache, and the read semantics it
 * serves (resourceVersion and resourceVersionMatch, bookmarks, initial
 * events, continue tokens), on the real timond.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <signal.h>
#include <timon/timon.h>

#include "apiserver-fixture.h"
#include "timon-registry.h"

/* The value of the first metric line that starts with @series, or -1. */
static double
metric (Fixture *f, const char *series)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", "/metrics", NULL);
  assert_ok (&r, 200);
  g_auto (GStrv) lines = g_strsplit (r.body, "\n", -1);
  for (char **line = lines; *line != NULL; line++) {
    if (g_str_has_prefix (*line, series) && (*line)[strlen (series)] == ' ')
      return g_ascii_strtod (*line + strlen (series) + 1, NULL);
  }
  return -1;
}

#define STORE_COUNT(op) \
  "timon_store_request_duration_seconds_count{operation=\"" op "\",store=\"TimonSqliteStore\"}"
#define WIDGET_OBJECTS "apiserver_storage_objects{resource=\"widgets.test.timon.io\"}"

/* The cache loads in the background after start: waits for it. */
static void
wait_for_cache (Fixture *f)
{
  for (guint i = 0; i < 500; i++) {
    if (metric (f, WIDGET_OBJECTS) >= 0)
      return;
    g_usleep (10000);
  }
  g_error ("the watch cache did not load in 5 s");
}

static void
create_widgets (Fixture *f, guint n)
{
  for (guint i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf ("w%02u", i);
    create_widget (f, "default", name, i % 2 ? "\"app\":\"odd\"" : "\"app\":\"even\"", "red");
  }
}

/* Reads the cache answers do not reach the store; what it answers is
 * what the store holds. */
static void
test_reads_from_cache (Fixture *f, gconstpointer data)
{
  wait_for_cache (f);
  create_widgets (f, 20);
  g_assert_cmpfloat (metric (f, WIDGET_OBJECTS), ==, 20);

  double gets = metric (f, STORE_COUNT ("get"));
  double lists = metric (f, STORE_COUNT ("list"));
  g_assert_cmpfloat (lists, >=, 0);
  for (guint i = 0; i < 10; i++) {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "/w07", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "metadata.name"), ==, "w07");
    g_assert_cmpstr (str (obj (&r), "metadata.labels.app"), ==, "odd");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS, NULL);
    assert_ok (&r, 200);
    g_assert_cmpuint (n_items (&r), ==, 20);
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "WidgetList");
    g_assert_cmpstr (str (obj (&r), "apiVersion"), ==, "test.timon.io/v1");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "?labelSelector=app%3Dodd", NULL);
    assert_ok (&r, 200);
    g_assert_cmpuint (n_items (&r), ==, 10);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/apis/test.timon.io/v1/widgets?fieldSelector=metadata.name%3Dw03",
             NULL);
    assert_ok (&r, 200);
    g_assert_cmpuint (n_items (&r), ==, 1);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "/nope", NULL);
    assert_status (&r, 404, "NotFound");
    g_assert_cmpstr (str (obj (&r), "message"), ==, "widgets.test.timon.io \"nope\" not found");
  }
  {
    g_autoptr (Watch) w = watch_start (f, WIDGETS "?watch=true&labelSelector=app%3Deven");
    for (guint i = 0; i < 20; i += 2) {
      g_autofree char *name = g_strdup_printf ("w%02u", i);
      expect_event (w, "ADDED", name);
    }
  }
  g_assert_cmpfloat (metric (f, STORE_COUNT ("get")), ==, gets);
  g_assert_cmpfloat (metric (f, STORE_COUNT ("list")), ==, lists);

  /* A write is in the next read at once: reads stay consistent. */
  for (guint i = 0; i < 20; i++) {
    g_autofree char *name = g_strdup_printf ("late%02u", i);
    create_widget (f, "default", name, "", "blue");
    g_autofree char *path = g_strdup_printf (WIDGETS "/%s", name);
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", path, NULL);
    assert_ok (&r, 200);
  }
  g_auto (Response) all = { 0 };
  request (f, &all, "GET", WIDGETS, NULL);
  g_assert_cmpuint (n_items (&all), ==, 40);
}

/* Kubernetes' table of resourceVersion and resourceVersionMatch. */
static void
test_list_semantics (Fixture *f, gconstpointer data)
{
  wait_for_cache (f);
  create_widgets (f, 5);
  g_auto (Response) first = { 0 };
  request (f, &first, "GET", WIDGETS, NULL);
  gint64 rv = rv_of (obj (&first));

  /* A page of the cache continues from the store at the same revision. */
  g_auto (Response) page = { 0 };
  request (f, &page, "GET", WIDGETS "?limit=3", NULL);
  assert_ok (&page, 200);
  g_assert_cmpuint (n_items (&page), ==, 3);
  g_assert_cmpint (rv_of (obj (&page)), ==, rv);
  const char *token = str (obj (&page), "metadata.continue");
  g_assert_nonnull (token);
  create_widget (f, "default", "w99", "", "green");
  g_autofree char *rest_path = g_strdup_printf (WIDGETS "?limit=3&continue=%s", token);
  g_auto (Response) rest = { 0 };
  request (f, &rest, "GET", rest_path, NULL);
  assert_ok (&rest, 200);
  g_assert_cmpuint (n_items (&rest), ==, 2);
  g_assert_cmpint (rv_of (obj (&rest)), ==, rv);
  g_assert_null (str (obj (&rest), "metadata.continue"));

  /* "Any" revision: the cache, which may be a moment behind the 201. */
  for (guint tries = 0;; tries++) {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "?resourceVersion=0", NULL);
    assert_ok (&r, 200);
    if (n_items (&r) == 6)
      break;
    g_assert_cmpuint (n_items (&r), ==, 5);
    g_assert_cmpuint (tries, <, 200);
    g_usleep (10 * 1000);
  }
  {
    g_autofree char *path = g_strdup_printf (WIDGETS "?resourceVersion=%" G_GINT64_FORMAT
                                                     "&resourceVersionMatch=NotOlderThan",
                                             rv);
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", path, NULL);
    assert_ok (&r, 200);
    g_assert_cmpuint (n_items (&r), ==, 6);
  }
  {
    /* Newer than the store: 504 Timeout, as Kubernetes answers once it
     * has waited. */
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "?resourceVersion=99999999", NULL);
    assert_status (&r, 504, "Timeout");
    assert_contains (str (obj (&r), "message"), "Too large resource version");
    g_auto (Response) get = { 0 };
    request (f, &get, "GET", WIDGETS "/w01?resourceVersion=99999999", NULL);
    assert_status (&get, 504, "Timeout");
  }

  static const struct {
    const char *query;
    const char *field;
    const char *message;
  } invalid[] = {
    { "?resourceVersionMatch=NotOlderThan", "resourceVersionMatch",
      "resourceVersionMatch is forbidden unless resourceVersion is provided" },
    { "?resourceVersion=0&resourceVersionMatch=Exact", "resourceVersionMatch",
      "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"" },
    { "?resourceVersion=1&resourceVersionMatch=Newest", "resourceVersionMatch",
      "supported values" },
    { "?sendInitialEvents=true", "sendInitialEvents", "sendInitialEvents is forbidden for list" },
    { "?watch=true&resourceVersionMatch=NotOlderThan", "resourceVersionMatch",
      "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided" },
    { "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true", "resourceVersionMatch",
      "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_autofree char *path = g_strconcat (WIDGETS, invalid[i].query, NULL);
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", path, NULL);
    assert_status (&r, 422, "Invalid");
    g_assert_cmpstr (str (obj (&r), "details.kind"), ==, "ListOptions");
    g_assert_cmpstr (str (obj (&r), "details.group"), ==, "meta.k8s.io");
    JsonArray *causes =
      json_object_get_array_member (json_object_get_object_member (obj (&r), "details"), "causes");
    JsonObject *cause = json_array_get_object_element (causes, 0);
    g_assert_cmpstr (json_object_get_string_member (cause, "field"), ==, invalid[i].field);
    assert_contains (json_object_get_string_member (cause, "message"), invalid[i].message);
  }
  /* Booleans as Kubernetes reads them: anything but "false" or "0" is
   * true, never an error; a list ignores allowWatchBookmarks. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "?allowWatchBookmarks=maybe&watch=FALSE", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "WidgetList");
  }
}

/* The next event, which must be a BOOKMARK; returns its revision. */
static gint64
expect_bookmark (Watch *w, gboolean initial_end)
{
  g_autofree char *type = NULL;
  g_autoptr (JsonNode) node = watch_next (w, &type);
  g_assert_nonnull (node);
  g_assert_cmpstr (type, ==, "BOOKMARK");
  JsonObject *o = json_node_get_object (node);
  g_assert_cmpstr (str (o, "kind"), ==, "Widget");
  g_assert_cmpstr (str (o, "apiVersion"), ==, "test.timon.io/v1");
  g_assert_null (str (o, "metadata.name"));
  if (initial_end) {
    JsonNode *annotations = path_get (o, "metadata.annotations");
    g_assert_nonnull (annotations);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (annotations),
                                                    "k8s.io/initial-events-end"),
                     ==, "true");
  }
  return rv_of (o);
}

static void
test_bookmarks (Fixture *f, gconstpointer data)
{
  wait_for_cache (f);
  create_widgets (f, 3);
  g_auto (Response) list = { 0 };
  request (f, &list, "GET", WIDGETS, NULL);
  gint64 rv = rv_of (obj (&list));

  /* sendInitialEvents: the objects, then a bookmark that ends them, then
   * what happens next. */
  {
    g_autoptr (Watch) w =
      watch_start (f, WIDGETS "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true"
                              "&resourceVersionMatch=NotOlderThan&timeoutSeconds=30");
    expect_event (w, "ADDED", "w00");
    expect_event (w, "ADDED", "w01");
    expect_event (w, "ADDED", "w02");
    g_assert_cmpint (expect_bookmark (w, TRUE), ==, rv);
    create_widget (f, "default", "after", "", "red");
    g_assert_cmpint (expect_event (w, "ADDED", "after"), >, rv);
  }
  /* Without sendInitialEvents, from a revision: only what came after;
   * a bookmark before the stream ends at its timeout. */
  {
    g_autofree char *path = g_strdup_printf (
      WIDGETS
      "?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=%" G_GINT64_FORMAT,
      rv);
    g_autoptr (Watch) w = watch_start (f, path);
    gint64 added = expect_event (w, "ADDED", "after");
    g_assert_cmpint (expect_bookmark (w, FALSE), >=, added);
    g_autofree char *type = NULL;
    g_assert_null (watch_next (w, &type));
  }
  /* No bookmark unless asked for: "False" is false, in any case. */
  {
    g_autofree char *path = g_strdup_printf (
      WIDGETS
      "?watch=true&allowWatchBookmarks=False&timeoutSeconds=1&resourceVersion=%" G_GINT64_FORMAT,
      rv);
    g_autoptr (Watch) w = watch_start (f, path);
    expect_event (w, "ADDED", "after");
    g_autofree char *type = NULL;
    g_assert_null (watch_next (w, &type));
  }
  /* sendInitialEvents=false: nothing of the present, only the future. */
  {
    g_autoptr (Watch) w =
      watch_start (f, WIDGETS "?watch=true&sendInitialEvents=false&allowWatchBookmarks=true"
                              "&resourceVersionMatch=NotOlderThan&timeoutSeconds=30");
    create_widget (f, "default", "later", "", "red");
    expect_event (w, "ADDED", "later");
  }
}

/* A watch from a past revision gets exactly the events after it, from
 * the ring, in order, filtered. */
static void
test_watch_resume (Fixture *f, gconstpointer data)
{
  wait_for_cache (f);
  create_widgets (f, 4);
  g_auto (Response) list = { 0 };
  request (f, &list, "GET", WIDGETS, NULL);
  gint64 rv = rv_of (obj (&list));

  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/w01",
             "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":"
             "\"w01\",\"labels\":{\"app\":\"even\"}},\"spec\":{\"color\":\"blue\"}}");
    assert_ok (&r, 200);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w02", NULL);
    assert_ok (&r, 200);
  }
  create_widget (f, "default", "w10", "\"app\":\"odd\"", "red");

  g_autofree char *all =
    g_strdup_printf (WIDGETS "?watch=true&resourceVersion=%" G_GINT64_FORMAT, rv);
  g_autoptr (Watch) w = watch_start (f, all);
  gint64 a = expect_event (w, "MODIFIED", "w01");
  gint64 b = expect_event (w, "DELETED", "w02");
  gint64 c = expect_event (w, "ADDED", "w10");
  g_assert_cmpint (rv, <, a);
  g_assert_cmpint (a, <, b);
  g_assert_cmpint (b, <, c);

  /* Through a selector: w01 left "odd" (DELETED for this watcher), w10
   * came. */
  g_autofree char *odd =
    g_strdup_printf (WIDGETS
                     "?watch=true&labelSelector=app%%3Dodd&resourceVersion=%" G_GINT64_FORMAT,
                     rv);
  g_autoptr (Watch) o = watch_start (f, odd);
  expect_event (o, "DELETED", "w01");
  expect_event (o, "ADDED", "w10");

  /* Another namespace sees none of it. */
  ensure_namespace (f, "other");
  g_autofree char *other =
    g_strdup_printf ("/apis/test.timon.io/v1/namespaces/other/"
                     "widgets?watch=true&timeoutSeconds=1&resourceVersion=%" G_GINT64_FORMAT,
                     rv);
  g_autoptr (Watch) n = watch_start (f, other);
  g_autofree char *type = NULL;
  g_assert_null (watch_next (n, &type));
}

/* A continue token whose revision was compacted: 410 Expired, with a
 * token that goes on from the same place at the current revision. */
static void
test_continue_expired (Fixture *f, gconstpointer data)
{
  create_widgets (f, 5);
  g_auto (Response) page = { 0 };
  request (f, &page, "GET", WIDGETS "?limit=2", NULL);
  assert_ok (&page, 200);
  g_autofree char *token = g_strdup (str (obj (&page), "metadata.continue"));
  g_assert_nonnull (token);

  /* Compacting is the store's own business: the test does it with
   * timond stopped, through the sqlite plugin. */
  daemon_stop (f);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonRegistry) registry = timon_registry_new ();
    timon_registry_load_default (registry, NULL);
    g_autofree char *db = g_build_filename (f->dir, "timon.db", NULL);
    g_autoptr (TimonStore) store = timon_registry_open_store (registry, "sqlite", db, &error);
    g_assert_no_error (error);
    static const char zz[] = "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\","
                             "\"metadata\":{\"name\":\"zz\",\"namespace\":\"default\"}}";
    g_autoptr (GBytes) value = g_bytes_new_static (zz, strlen (zz));
    g_autoptr (TimonStoreItem) item =
      timon_store_create (store, "/registry/test.timon.io/widgets/default/zz", value, &error);
    g_assert_no_error (error);
    timon_store_compact (store, timon_store_get_revision (store), &error);
    g_assert_no_error (error);
  }
  daemon_start (f);

  g_autofree char *path = g_strdup_printf (WIDGETS "?limit=2&continue=%s", token);
  g_auto (Response) expired = { 0 };
  request (f, &expired, "GET", path, NULL);
  assert_status (&expired, 410, "Expired");
  assert_contains (str (obj (&expired), "message"), "The provided continue parameter is too old");
  const char *fresh = str (obj (&expired), "metadata.continue");
  g_assert_nonnull (fresh);

  /* The rest, as it is now: w02 on, and zz. */
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *next = g_strdup (fresh);
  while (next != NULL) {
    g_autofree char *more = g_strdup_printf (WIDGETS "?limit=2&continue=%s", next);
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", more, NULL);
    assert_ok (&r, 200);
    JsonArray *items = json_object_get_array_member (obj (&r), "items");
    for (guint i = 0; i < json_array_get_length (items); i++)
      g_ptr_array_add (names,
                       g_strdup (str (json_array_get_object_element (items, i), "metadata.name")));
    g_free (next);
    next = g_strdup (str (obj (&r), "metadata.continue"));
  }
  g_ptr_array_add (names, NULL);
  g_autofree char *joined = g_strjoinv (",", (char **) names->pdata);
  g_assert_cmpstr (joined, ==, "w02,w03,w04,zz");
  g_ptr_array_unref (names);
}

/* A watch whose client goes away is gone at once, though nothing it
 * selects is ever written. */
static void
test_watch_hangup (Fixture *f, gconstpointer data)
{
  wait_for_cache (f);
  {
    g_autoptr (Watch) w = watch_start (f, WIDGETS "?watch=true&labelSelector=app%3Dnever");
    g_assert_cmpfloat (metric (f, OPEN_WATCHES), ==, 1);
  }
  for (guint i = 0; i < 200 && metric (f, OPEN_WATCHES) != 0; i++)
    g_usleep (10000);
  g_assert_cmpfloat (metric (f, OPEN_WATCHES), ==, 0);
}

/* SIGTERM: every watch stream ends complete (the last chunk is sent), as
 * at its timeout, and timond exits 0. */
static void
test_shutdown (Fixture *f, gconstpointer data)
{
  wait_for_cache (f);
  create_widgets (f, 2);
  g_autoptr (Watch) cached = watch_start (f, WIDGETS "?watch=true");
  expect_event (cached, "ADDED", "w00");
  expect_event (cached, "ADDED", "w01");
  /* One from before the cache's ring: the store feeds it. */
  g_autoptr (Watch) stored = watch_start (f, WIDGETS "?watch=true&resourceVersion=1");
  expect_event (stored, "ADDED", "w00");
  expect_event (stored, "ADDED", "w01");

  g_subprocess_send_signal (f->process, SIGTERM);
  g_autofree char *type = NULL;
  g_assert_null (watch_next (cached, &type));
  g_assert_null (watch_next (stored, &type));
  daemon_stop (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/apiserver/cache/reads", test_reads_from_cache);
  ADD ("/apiserver/cache/list-semantics", test_list_semantics);
  ADD ("/apiserver/cache/bookmarks", test_bookmarks);
  ADD ("/apiserver/cache/watch-resume", test_watch_resume);
  ADD ("/apiserver/cache/continue-expired", test_continue_expired);
  ADD ("/apiserver/cache/watch-hangup", test_watch_hangup);
  ADD ("/apiserver/cache/shutdown", test_shutdown);
#undef ADD

  return g_test_run ();
}
