/* test-apiserver-writes.c: the writes beyond create, update and delete
 * of the real timond: PATCH (JSON merge patch and JSON patch, of objects
 * and of their status), bodies in YAML, pods/eviction and the graceful
 * deletion of pods, driven over HTTP and, where it is installed, by
 * kubectl.
 *
 * The pod tests need the resources/core plugin, which the build tree
 * loads beside the tests' own widgets; they skip, saying why, without
 * it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "apiserver-fixture.h"

#define MERGE "application/merge-patch+json"
#define JSON_PATCH "application/json-patch+json"
#define PODS "/api/v1/namespaces/default/pods"
#define GIZMOS "/apis/test.timon.io/v1/namespaces/default/gizmos"
#define CONFLICT_MESSAGE                                                                \
  "Operation cannot be fulfilled on widgets.test.timon.io \"%s\": the object has been " \
  "modified; please apply your changes to the latest version and try again"
#define REJECTED "the server rejected our request due to an error in our request"

/* ---- helpers ---------------------------------------------------------- */

static void
patch (Fixture *f, Response *r, const char *path, const char *content_type, const char *body)
{
  request_full (f, r, "PATCH", path, content_type, body, strlen (body), NULL);
}

static JsonObject *
get_ok (Fixture *f, Response *r, const char *path)
{
  request (f, r, "GET", path, NULL);
  assert_ok (r, 200);
  return obj (r);
}

static void
assert_gone (Fixture *f, const char *path)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", path, NULL);
  assert_status (&r, 404, "NotFound");
}

static JsonArray *
array_at (JsonObject *object, const char *path)
{
  JsonNode *node = path_get (object, path);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    g_error ("%s is not an array", path);
  return json_node_get_array (node);
}

/* The JSON of @o at @path, for comparisons. */
static char *
json_at (JsonObject *o, const char *path)
{
  JsonNode *node = path_get (o, path);
  return node != NULL ? json_to_string (node, FALSE) : g_strdup ("(none)");
}

static void
assert_json_at (JsonObject *o, const char *path, const char *expected)
{
  g_autofree char *got = json_at (o, path);
  g_assert_cmpstr (got, ==, expected);
}

/* Seconds from now to the RFC 3339 time @stamp. */
static double
seconds_from_now (const char *stamp)
{
  g_assert_nonnull (stamp);
  g_autoptr (GDateTime) when = g_date_time_new_from_iso8601 (stamp, NULL);
  g_assert_nonnull (when);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  return (double) g_date_time_difference (when, now) / G_TIME_SPAN_SECOND;
}

static gint64
seconds_between (const char *a, const char *b)
{
  g_autoptr (GDateTime) x = g_date_time_new_from_iso8601 (a, NULL);
  g_autoptr (GDateTime) y = g_date_time_new_from_iso8601 (b, NULL);
  g_assert_nonnull (x);
  g_assert_nonnull (y);
  return g_date_time_difference (y, x) / G_TIME_SPAN_SECOND;
}

/* A pod; @spec and @metadata are JSON members added to its own
 * (",\"nodeName\":\"node-1\""). */
static void
create_pod (Fixture *f, const char *name, const char *spec, const char *metadata)
{
  g_auto (Response) r = { 0 };
  g_autofree char *body =
    g_strdup_printf ("{\"metadata\":{\"name\":\"%s\"%s},\"spec\":{\"containers\":[{\"name\":\"c\","
                     "\"image\":\"nginx\"}]%s}}",
                     name, metadata ? metadata : "", spec ? spec : "");
  request (f, &r, "POST", PODS, body);
  assert_ok (&r, 201);
}

#define ON_NODE ",\"nodeName\":\"node-1\""

static char *
pod_path (const char *name)
{
  return g_strdup_printf (PODS "/%s", name);
}

/* ---- PATCH ------------------------------------------------------------ */

/* RFC 7386 on an object: merged maps, null deletes; then the path of a
 * PUT: defaults, validation, what the server owns, the generation, the
 * status that only /status changes, and a watch event. */
static void
test_patch_merge (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "w", "\"app\":\"a\",\"keep\":\"k\"", "red");
  g_auto (Response) before = { 0 };
  JsonObject *o = get_ok (f, &before, WIDGETS "/w");
  gint64 rv = rv_of (o);
  g_autofree char *uid = g_strdup (str (o, "metadata.uid"));
  g_assert_cmpint (num (o, "metadata.generation"), ==, 1);
  g_autofree char *watch_path =
    g_strdup_printf (WIDGETS "?watch=true&resourceVersion=%" G_GINT64_FORMAT, rv);
  g_autoptr (Watch) w = watch_start (f, watch_path);

  {
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/w", MERGE,
           "{\"metadata\":{\"labels\":{\"tier\":\"web\",\"app\":null}},\"spec\":{\"size\":3}}");
    assert_ok (&r, 200);
    o = obj (&r);
    g_assert_cmpstr (str (o, "metadata.labels.tier"), ==, "web");
    g_assert_cmpstr (str (o, "metadata.labels.keep"), ==, "k");
    g_assert_null (path_get (o, "metadata.labels.app"));
    g_assert_cmpint (num (o, "spec.size"), ==, 3);
    g_assert_cmpstr (str (o, "spec.color"), ==, "red");
    /* The spec changed: so did the generation. */
    g_assert_cmpint (num (o, "metadata.generation"), ==, 2);
    g_assert_cmpstr (str (o, "metadata.uid"), ==, uid);
    g_assert_cmpint (rv_of (o), >, rv);
    g_assert_cmpint (expect_event (w, "MODIFIED", "w"), ==, rv_of (o));
    rv = rv_of (o);
  }
  {
    /* Metadata only: the generation stays. */
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/w", MERGE, "{\"metadata\":{\"annotations\":{\"note\":\"x\"}}}");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "metadata.annotations.note"), ==, "x");
    g_assert_cmpint (num (obj (&r), "metadata.generation"), ==, 2);
    rv = rv_of (obj (&r));
    expect_event (w, "MODIFIED", "w");
  }
  {
    /* A patch that changes nothing writes nothing, as in Kubernetes. */
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/w", MERGE, "{\"spec\":{\"size\":3}}");
    assert_ok (&r, 200);
    g_assert_cmpint (rv_of (obj (&r)), ==, rv);
    g_auto (Response) empty = { 0 };
    patch (f, &empty, WIDGETS "/w", MERGE, "{}");
    assert_ok (&empty, 200);
    g_assert_cmpint (rv_of (obj (&empty)), ==, rv);
  }
  {
    /* The type's defaults run on the result: color comes back. */
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/w", MERGE, "{\"spec\":{\"color\":null}}");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "spec.color"), ==, "blue");
    expect_event (w, "MODIFIED", "w");
  }
  {
    /* Validation: 422 with the causes, and nothing written. */
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/w", MERGE, "{\"spec\":{\"size\":-1}}");
    assert_status (&r, 422, "Invalid");
    g_assert_cmpstr (str (obj (&r), "details.kind"), ==, "Widget");
    JsonObject *cause = json_array_get_object_element (array_at (obj (&r), "details.causes"), 0);
    g_assert_cmpstr (str (cause, "field"), ==, "spec.size");
    g_auto (Response) get = { 0 };
    g_assert_cmpint (num (get_ok (f, &get, WIDGETS "/w"), "spec.size"), ==, 3);
  }
  {
    /* What the server owns stays; a main patch leaves the status. */
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/w", MERGE,
           "{\"metadata\":{\"uid\":\"forged\",\"generation\":99,\"creationTimestamp\":"
           "\"2000-01-01T00:00:00Z\",\"deletionTimestamp\":\"2000-01-01T00:00:00Z\"},"
           "\"status\":{\"phase\":\"Done\"},\"spec\":{\"size\":4}}");
    assert_ok (&r, 200);
    o = obj (&r);
    g_assert_cmpstr (str (o, "metadata.uid"), ==, uid);
    g_assert_cmpint (num (o, "metadata.generation"), ==, 4);
    g_assert_cmpstr (str (o, "metadata.creationTimestamp"), !=, "2000-01-01T00:00:00Z");
    g_assert_null (path_get (o, "metadata.deletionTimestamp"));
    g_assert_null (path_get (o, "status"));
  }
  {
    /* dryRun=All: the answer of the patch, and nothing written. */
    g_auto (Response) current = { 0 };
    rv = rv_of (get_ok (f, &current, WIDGETS "/w"));
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/w?dryRun=All", MERGE, "{\"spec\":{\"size\":8}}");
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "spec.size"), ==, 8);
    g_assert_cmpint (num (obj (&r), "metadata.generation"), ==, 5);
    g_auto (Response) put = { 0 };
    request (f, &put, "PUT", WIDGETS "/w?dryRun=All", "{\"metadata\":{\"name\":\"w\"}}");
    assert_ok (&put, 200);
    g_assert_null (path_get (obj (&put), "spec"));
    g_auto (Response) get = { 0 };
    o = get_ok (f, &get, WIDGETS "/w");
    g_assert_cmpint (rv_of (o), ==, rv);
    g_assert_cmpint (num (o, "spec.size"), ==, 4);
    g_auto (Response) bad = { 0 };
    patch (f, &bad, WIDGETS "/w?dryRun=Some", MERGE, "{\"spec\":{\"size\":8}}");
    assert_status (&bad, 422, "Invalid");
    assert_contains (str (obj (&bad), "message"),
                     "PatchOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value");
  }
  /* What a patched object may not become: another kind, name or
   * namespace, or metadata that is no object. */
  static const char *const bad[] = {
    "{\"kind\":\"Gadget\"}",
    "{\"apiVersion\":\"v1\"}",
    "{\"metadata\":{\"name\":\"other\"}}",
    "{\"metadata\":{\"namespace\":\"other\"}}",
    "{\"metadata\":[]}",
    "{\"metadata\":{\"resourceVersion\":\"abc\"}}",
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("%s", bad[i]);
    patch (f, &r, WIDGETS "/w", MERGE, bad[i]);
    assert_status (&r, 400, "BadRequest");
  }

  /* A cluster-scoped object. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GADGETS, "{\"metadata\":{\"name\":\"g\"}}");
    assert_ok (&r, 201);
    g_auto (Response) p = { 0 };
    patch (f, &p, GADGETS "/g", MERGE, "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
    assert_ok (&p, 200);
    g_assert_cmpstr (str (obj (&p), "metadata.labels.a"), ==, "b");
    g_assert_null (path_get (obj (&p), "metadata.namespace"));
  }

  /* Finalizers, as an update has them: none added once it terminates,
   * and the last one taken away completes the deletion. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS,
             "{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"test.timon.io/hold\"]}}");
    assert_ok (&r, 201);
    g_auto (Response) d = { 0 };
    request (f, &d, "DELETE", WIDGETS "/held", NULL);
    assert_ok (&d, 200);
    g_assert_nonnull (str (obj (&d), "metadata.deletionTimestamp"));
    g_auto (Response) more = { 0 };
    patch (
      f, &more, WIDGETS "/held", JSON_PATCH,
      "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"test.timon.io/more\"}]");
    assert_status (&more, 422, "Invalid");
    assert_contains (str (obj (&more), "message"), "no new finalizers can be added");
    g_auto (Response) last = { 0 };
    patch (f, &last, WIDGETS "/held", MERGE, "{\"metadata\":{\"finalizers\":null}}");
    assert_ok (&last, 200);
    assert_gone (f, WIDGETS "/held");
  }

  /* A pod: what may not change after creation is refused. */
  if (!have_pods (f))
    return;
  create_pod (f, "p", NULL, NULL);
  {
    g_auto (Response) r = { 0 };
    patch (f, &r, PODS "/p", JSON_PATCH,
           "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"nginx:1.27\"}]");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (json_array_get_object_element (array_at (obj (&r), "spec.containers"), 0),
                          "image"),
                     ==, "nginx:1.27");
    g_auto (Response) bad_name = { 0 };
    patch (f, &bad_name, PODS "/p", JSON_PATCH,
           "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/name\",\"value\":\"d\"}]");
    assert_status (&bad_name, 422, "Invalid");
    assert_contains (str (obj (&bad_name), "message"), "pod updates may not change fields");
  }
}

/* RFC 6902 on an object: every operation, pointer escapes, "-"; a test
 * that fails or a path that is not there is Kubernetes' 422; a document
 * that is no patch, 400. */
static void
test_patch_json (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "j", "\"app\":\"a\"", "red");
  {
    g_auto (Response) r = { 0 };
    patch (
      f, &r, WIDGETS "/j", JSON_PATCH,
      "[{\"op\":\"test\",\"path\":\"/metadata/labels/app\",\"value\":\"a\"},"
      "{\"op\":\"add\",\"path\":\"/metadata/labels/example.com~1tier\",\"value\":\"web\"},"
      "{\"op\":\"add\",\"path\":\"/spec/ports\",\"value\":[{\"port\":80}]},"
      "{\"op\":\"add\",\"path\":\"/spec/ports/-\",\"value\":{\"port\":443}},"
      "{\"op\":\"add\",\"path\":\"/spec/ports/0\",\"value\":{\"port\":8080}},"
      "{\"op\":\"copy\",\"from\":\"/metadata/labels/app\",\"path\":\"/metadata/labels/copied\"},"
      "{\"op\":\"move\",\"from\":\"/spec/color\",\"path\":\"/metadata/labels/color\"},"
      "{\"op\":\"add\",\"path\":\"/spec/size\",\"value\":1},"
      "{\"op\":\"replace\",\"path\":\"/spec/size\",\"value\":2},"
      "{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"}]");
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    assert_json_at (o, "metadata.labels",
                    "{\"example.com/tier\":\"web\",\"copied\":\"a\",\"color\":\"red\"}");
    assert_json_at (o, "spec.ports", "[{\"port\":8080},{\"port\":80},{\"port\":443}]");
    g_assert_cmpint (num (o, "spec.size"), ==, 2);
    /* Moved away, the color is defaulted again. */
    g_assert_cmpstr (str (o, "spec.color"), ==, "blue");
    g_assert_cmpint (num (o, "metadata.generation"), ==, 2);
  }
  g_auto (Response) current = { 0 };
  gint64 rv = rv_of (get_ok (f, &current, WIDGETS "/j"));

  /* Kubernetes' 422 for a patch that does not apply, the reason in a
   * cause; nothing is written, the operations before included. */
  static const struct {
    const char *patch;
    const char *detail;
  } failing[] = {
    { "[{\"op\":\"add\",\"path\":\"/spec/size\",\"value\":9},"
      "{\"op\":\"test\",\"path\":\"/spec/size\",\"value\":2}]",
      "testing value /spec/size failed" },
    { "[{\"op\":\"remove\",\"path\":\"/spec/nope\"}]", "missing path \"/spec/nope\"" },
    { "[{\"op\":\"replace\",\"path\":\"/spec/ports/7\",\"value\":1}]", "missing path" },
    { "[{\"op\":\"add\",\"path\":\"/nope/deeper\",\"value\":1}]", "missing the parent" },
    { "[{\"op\":\"frobnicate\",\"path\":\"/spec\"}]", "unknown operation" },
    { "[{\"op\":\"add\",\"path\":\"spec\",\"value\":1}]", "is not a JSON pointer" },
    { "[{\"op\":\"add\",\"path\":\"/spec/x\"}]", "\"value\" is missing" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (failing); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("%s", failing[i].patch);
    patch (f, &r, WIDGETS "/j", JSON_PATCH, failing[i].patch);
    assert_status (&r, 422, "Invalid");
    g_assert_cmpstr (str (obj (&r), "message"), ==, REJECTED);
    JsonObject *cause = json_array_get_object_element (array_at (obj (&r), "details.causes"), 0);
    g_assert_cmpstr (str (cause, "reason"), ==, "FieldValueInvalid");
    g_assert_cmpstr (str (cause, "field"), ==, "patch");
    assert_contains (str (cause, "message"), failing[i].detail);
  }
  {
    /* A result that is no object is no widget. */
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/j", JSON_PATCH, "[{\"op\":\"replace\",\"path\":\"\",\"value\":[]}]");
    assert_status (&r, 422, "Invalid");
  }
  static const char *const malformed[] = { "{\"op\":\"add\"}", "[1]", "[[]]", "\"x\"" };
  for (size_t i = 0; i < G_N_ELEMENTS (malformed); i++) {
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/j", JSON_PATCH, malformed[i]);
    assert_status (&r, 400, "BadRequest");
  }
  g_auto (Response) after = { 0 };
  g_assert_cmpint (rv_of (get_ok (f, &after, WIDGETS "/j")), ==, rv);

  /* Kubernetes' limit: 10,000 operations. */
  {
    g_autoptr (GString) ops = g_string_new ("[");
    for (int i = 0; i <= 10000; i++)
      g_string_append_printf (ops, "%s{\"op\":\"test\",\"path\":\"/kind\",\"value\":\"Widget\"}",
                              i > 0 ? "," : "");
    g_string_append_c (ops, ']');
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/j", JSON_PATCH, ops->str);
    assert_status (&r, 413, "RequestEntityTooLarge");
  }

  /* The scale subresource takes a JSON patch too. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GIZMOS, "{\"metadata\":{\"name\":\"g\"},\"spec\":{\"replicas\":2}}");
    assert_ok (&r, 201);
    g_auto (Response) s = { 0 };
    patch (f, &s, GIZMOS "/g/scale", JSON_PATCH,
           "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":2},"
           "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]");
    assert_ok (&s, 200);
    g_assert_cmpstr (str (obj (&s), "kind"), ==, "Scale");
    g_assert_cmpint (num (obj (&s), "spec.replicas"), ==, 4);
    g_auto (Response) fail = { 0 };
    patch (f, &fail, GIZMOS "/g/scale", JSON_PATCH,
           "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":2}]");
    assert_status (&fail, 422, "Invalid");
    g_auto (Response) get = { 0 };
    g_assert_cmpint (num (get_ok (f, &get, GIZMOS "/g"), "spec.replicas"), ==, 4);
  }
}

/* PATCH of /status: the status changes, nothing else does. */
static void
test_patch_status (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "s", "", "red");
  {
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/s/status", MERGE,
           "{\"status\":{\"phase\":\"Ready\"},\"spec\":{\"size\":9},"
           "\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    g_assert_cmpstr (str (o, "status.phase"), ==, "Ready");
    g_assert_null (path_get (o, "spec.size"));
    g_assert_null (path_get (o, "metadata.labels.x"));
    g_assert_cmpint (num (o, "metadata.generation"), ==, 1);
  }
  {
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/s/status", JSON_PATCH,
           "[{\"op\":\"test\",\"path\":\"/status/phase\",\"value\":\"Ready\"},"
           "{\"op\":\"add\",\"path\":\"/status/conditions\",\"value\":[{\"type\":\"Ready\","
           "\"status\":\"True\"}]},"
           "{\"op\":\"replace\",\"path\":\"/status/phase\",\"value\":\"Done\"}]");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "status.phase"), ==, "Done");
    assert_json_at (obj (&r), "status.conditions", "[{\"type\":\"Ready\",\"status\":\"True\"}]");
  }
  {
    /* A main patch does not touch it. */
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/s", MERGE, "{\"status\":null,\"spec\":{\"size\":2}}");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "status.phase"), ==, "Done");
    g_assert_cmpint (num (obj (&r), "spec.size"), ==, 2);
  }
  {
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/nope/status", MERGE, "{\"status\":{}}");
    assert_status (&r, 404, "NotFound");
  }
  {
    /* Gadgets have no status subresource. */
    g_auto (Response) r = { 0 };
    patch (f, &r, GADGETS "/g/status", MERGE, "{\"status\":{}}");
    assert_status (&r, 404, "NotFound");
  }

  /* A pod's status is validated as an update's. */
  if (!have_pods (f))
    return;
  create_pod (f, "p", ON_NODE, NULL);
  {
    g_auto (Response) r = { 0 };
    patch (f, &r, PODS "/p/status", MERGE,
           "{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.7\"}}");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "status.phase"), ==, "Running");
    g_auto (Response) bad = { 0 };
    patch (f, &bad, PODS "/p/status", MERGE, "{\"status\":{\"podIP\":\"10.0.0.256\"}}");
    assert_status (&bad, 422, "Invalid");
    assert_contains (str (obj (&bad), "message"), "status.podIP");
  }
}

typedef struct {
  guint pending;
  guint ok;
  guint conflicts;
} Concurrent;

static void
on_patched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Concurrent *c = user_data;
  g_autoptr (GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body =
    soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  g_assert_no_error (error);
  if (soup_message_get_status (msg) == 200)
    c->ok++;
  else if (soup_message_get_status (msg) == 409)
    c->conflicts++;
  else
    g_error ("a concurrent patch answered %u", soup_message_get_status (msg));
  c->pending--;
}

/* Optimistic concurrency: a resourceVersion in the patched object must
 * be the object's (409 otherwise); without one, a patch applies to the
 * latest object, and concurrent patches all land. */
static void
test_patch_conflict (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "c", "", "red");
  g_auto (Response) get = { 0 };
  g_autofree char *rv = g_strdup (str (get_ok (f, &get, WIDGETS "/c"), "metadata.resourceVersion"));
  g_autofree char *conflict = g_strdup_printf (CONFLICT_MESSAGE, "c");
  {
    g_autofree char *body =
      g_strdup_printf ("{\"metadata\":{\"resourceVersion\":\"%s\"},\"spec\":{\"size\":2}}", rv);
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/c", MERGE, body);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "spec.size"), ==, 2);
    /* The same precondition again: stale now. */
    g_auto (Response) stale = { 0 };
    patch (f, &stale, WIDGETS "/c", MERGE, body);
    assert_status (&stale, 409, "Conflict");
    g_assert_cmpstr (str (obj (&stale), "message"), ==, conflict);
  }
  {
    g_autofree char *body = g_strdup_printf (
      "[{\"op\":\"replace\",\"path\":\"/metadata/resourceVersion\",\"value\":\"%s\"},"
      "{\"op\":\"replace\",\"path\":\"/spec/size\",\"value\":5}]",
      rv);
    g_auto (Response) r = { 0 };
    patch (f, &r, WIDGETS "/c", JSON_PATCH, body);
    assert_status (&r, 409, "Conflict");
    /* The usual guard of a JSON patch: test the version first. */
    g_autofree char *guarded =
      g_strdup_printf ("[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"%s\"},"
                       "{\"op\":\"replace\",\"path\":\"/spec/size\",\"value\":5}]",
                       rv);
    g_auto (Response) t = { 0 };
    patch (f, &t, WIDGETS "/c", JSON_PATCH, guarded);
    assert_status (&t, 422, "Invalid");
  }
  {
    /* PUT keeps its precondition too. */
    g_autofree char *body = g_strdup_printf (
      "{\"metadata\":{\"name\":\"c\",\"resourceVersion\":\"%s\"},\"spec\":{\"size\":7}}", rv);
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/c", body);
    assert_status (&r, 409, "Conflict");
  }

  /* Patches that race: each reads the object, the first write wins and
   * the others read it again and apply themselves to it, no patch lost
   * (five: each may lose to each of the others once). */
  enum { N = 5 };
  Concurrent c = { N, 0, 0 };
  for (int i = 0; i < N; i++) {
    g_autoptr (SoupMessage) msg = new_message (f, "PATCH", WIDGETS "/c");
    g_autofree char *body =
      g_strdup_printf ("{\"metadata\":{\"labels\":{\"k%d\":\"v\"}},\"spec\":{\"ports\":[{\"port\":"
                       "%d}]}}",
                       i, 8000 + i);
    g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
    soup_message_set_request_body_from_bytes (msg, MERGE, bytes);
    soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_patched, &c);
  }
  while (c.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (c.ok, ==, N);
  g_assert_cmpuint (c.conflicts, ==, 0);
  g_auto (Response) after = { 0 };
  JsonObject *o = get_ok (f, &after, WIDGETS "/c");
  for (int i = 0; i < N; i++) {
    g_autofree char *label = g_strdup_printf ("metadata.labels.k%d", i);
    g_assert_cmpstr (str (o, label), ==, "v");
  }
}

/* What PATCH refuses: the patch types not served yet (415, naming those
 * that are), other media types, what is no JSON or no patch (400), a
 * missing object (404), a collection (405). */
static void
test_patch_errors (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "e", "", "red");
  static const struct {
    const char *path;
    const char *content_type;
    const char *body;
    guint code;
    const char *reason;
    const char *message;
  } cases[] = {
    /* As Kubernetes for custom resources: no schema, no strategy. */
    { WIDGETS "/e", "application/strategic-merge-patch+json", "{}", 415, "UnsupportedMediaType",
      "Widget describes no schema, so it has no strategic merge patch" },
    { WIDGETS "/e", "application/apply-patch+yaml", "{}", 422, "Invalid",
      "fieldManager: Required value: is required for apply patch" },
    { WIDGETS "/e", "application/apply-patch+cbor", "{}", 415, "UnsupportedMediaType",
      "accepted media types include: application/json-patch+json, "
      "application/merge-patch+json" },
    { WIDGETS "/e", "application/json", "{}", 415, "UnsupportedMediaType",
      "accepted media types include: application/json-patch+json, "
      "application/merge-patch+json" },
    { WIDGETS "/e", "text/plain", "{}", 415, "UnsupportedMediaType", "unknown format" },
    { WIDGETS "/e", NULL, "{}", 415, "UnsupportedMediaType", "unknown format" },
    { WIDGETS "/nope", MERGE, "{}", 404, "NotFound", "widgets.test.timon.io \"nope\" not found" },
    { WIDGETS "/nope", JSON_PATCH, "[]", 404, "NotFound", "not found" },
    { WIDGETS "/e", MERGE, "{", 400, "BadRequest", "not valid JSON" },
    { WIDGETS "/e", JSON_PATCH, "[{", 400, "BadRequest", "not valid JSON" },
    { WIDGETS "/e", MERGE, "", 400, "BadRequest", "not valid JSON" },
    { WIDGETS "/e", MERGE, "[1]", 400, "BadRequest", "must be a JSON object" },
    { WIDGETS "/e", MERGE, "null", 400, "BadRequest", "must be a JSON object" },
    { WIDGETS "/e", JSON_PATCH, "{}", 400, "BadRequest", "JSON array of operations" },
    { WIDGETS, MERGE, "{}", 405, "MethodNotAllowed", "does not allow this method" },
    { GIZMOS "/g/binding", MERGE, "{}", 405, "MethodNotAllowed", "does not allow this method" },
    { WIDGETS "/e", MERGE, "{} {}", 400, "BadRequest",
      "invalid character '{' after top-level value" },
    /* The patched object must decode (422 on "patch" in Kubernetes) and
     * keep the name of the URL. */
    { WIDGETS "/e", MERGE, "{\"metadata\":{\"labels\":\"x\"}}", 422, "Invalid",
      "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type "
      "map[string]string" },
    { WIDGETS "/e", MERGE, "{\"metadata\":{\"resourceVersion\":5}}", 422, "Invalid",
      "ObjectMeta.metadata.resourceVersion of type string" },
    { WIDGETS "/e", MERGE, "{\"metadata\":{\"name\":null}}", 400, "BadRequest",
      "the name of the object () does not match the name on the URL (e)" },
  };
  g_auto (Response) before = { 0 };
  gint64 rv = rv_of (get_ok (f, &before, WIDGETS "/e"));

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("%s %s %s", cases[i].path, cases[i].content_type, cases[i].body);
    request_full (f, &r, "PATCH", cases[i].path, cases[i].content_type, cases[i].body,
                  strlen (cases[i].body), NULL);
    assert_status (&r, cases[i].code, cases[i].reason);
    assert_contains (str (obj (&r), "message"), cases[i].message);
  }
  g_auto (Response) after = { 0 };
  g_assert_cmpint (rv_of (get_ok (f, &after, WIDGETS "/e")), ==, rv);

  /* Discovery offers patch now, on objects and on their status. */
  g_auto (Response) d = { 0 };
  JsonArray *resources = array_at (get_ok (f, &d, "/apis/test.timon.io/v1"), "resources");
  for (guint i = 0; i < json_array_get_length (resources); i++) {
    JsonObject *resource = json_array_get_object_element (resources, i);
    const char *name = str (resource, "name");
    if (g_strcmp0 (name, "widgets") != 0 && g_strcmp0 (name, "widgets/status") != 0)
      continue;
    g_autofree char *verbs = json_at (resource, "verbs");
    g_test_message ("%s: %s", name, verbs);
    assert_contains (verbs, "\"patch\"");
  }
}

/* ---- YAML bodies ----------------------------------------------------- */

#define YAML "application/yaml"

/* Kubernetes takes application/yaml where it takes application/json,
 * read as go-yaml v2 reads YAML 1.1. */
static void
test_yaml_bodies (Fixture *f, gconstpointer data)
{
  g_auto (Response) created = { 0 };
  static const char manifest[] = "apiVersion: test.timon.io/v1\n"
                                 "kind: Widget\n"
                                 "metadata:\n"
                                 "  name: from-yaml\n"
                                 "  labels: {app: web, enabled: \"yes\"}\n"
                                 "spec:\n"
                                 "  size: 0x10\n"
                                 "  ports: [{port: 80}, {port: 0443}]\n"
                                 "  on: yes\n";
  request_full (f, &created, "POST", WIDGETS, YAML, manifest, strlen (manifest), NULL);
  assert_ok (&created, 201);
  JsonObject *o = obj (&created);
  assert_json_at (o, "metadata.labels", "{\"app\":\"web\",\"enabled\":\"yes\"}");
  g_assert_cmpint (num (o, "spec.size"), ==, 16);
  /* 0443 is octal, and "on" a boolean, key included. */
  assert_json_at (o, "spec.ports", "[{\"port\":80},{\"port\":291}]");
  assert_json_at (o, "spec.true", "true");
  g_assert_cmpstr (str (o, "spec.color"), ==, "blue");

  /* An update in YAML; a resourceVersion must be a string there too. */
  g_autofree char *update = g_strdup_printf ("metadata:\n  name: from-yaml\n"
                                             "  resourceVersion: \"%" G_GINT64_FORMAT "\"\n"
                                             "spec:\n  size: 2\n",
                                             rv_of (o));
  g_auto (Response) updated = { 0 };
  request_full (f, &updated, "PUT", WIDGETS "/from-yaml", "application/yaml; charset=utf-8", update,
                strlen (update), NULL);
  assert_ok (&updated, 200);
  g_assert_cmpint (num (obj (&updated), "spec.size"), ==, 2);
  g_autofree char *unquoted =
    g_strdup_printf ("metadata:\n  name: from-yaml\n  resourceVersion: %" G_GINT64_FORMAT "\n",
                     rv_of (obj (&updated)));
  g_auto (Response) refused = { 0 };
  request_full (f, &refused, "PUT", WIDGETS "/from-yaml", YAML, unquoted, strlen (unquoted), NULL);
  assert_status (&refused, 400, "BadRequest");
  assert_contains (str (obj (&refused), "message"),
                   "json: cannot unmarshal number into Go struct field "
                   "ObjectMeta.metadata.resourceVersion of type string");

  /* YAML that is not, or is not an object. */
  static const struct {
    const char *body;
    const char *message;
  } bad[] = {
    { "metadata: [unclosed\n", "the body of the request is not valid YAML: yaml: line" },
    { "- a\n- b\n", "not a JSON object" },
    { "a: *nowhere\n", "unknown anchor 'nowhere' referenced" },
    { "spec: {size: .inf}\n", "cannot be represented in JSON" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (Response) r = { 0 };
    request_full (f, &r, "POST", WIDGETS, YAML, bad[i].body, strlen (bad[i].body), NULL);
    assert_status (&r, 400, "BadRequest");
    assert_contains (str (obj (&r), "message"), bad[i].message);
  }

  /* DeleteOptions in YAML too. */
  static const char options[] = "apiVersion: v1\nkind: DeleteOptions\n"
                                "preconditions: {resourceVersion: \"1\"}\n";
  g_auto (Response) conflict = { 0 };
  request_full (f, &conflict, "DELETE", WIDGETS "/from-yaml", YAML, options, strlen (options),
                NULL);
  assert_status (&conflict, 409, "Conflict");
  static const char none[] = "apiVersion: v1\nkind: DeleteOptions\n";
  g_auto (Response) deleted = { 0 };
  request_full (f, &deleted, "DELETE", WIDGETS "/from-yaml", YAML, none, strlen (none), NULL);
  assert_ok (&deleted, 200);
  assert_gone (f, WIDGETS "/from-yaml");
}

/* ---- pods/eviction ---------------------------------------------------- */

static void
evict (Fixture *f, Response *r, const char *name, const char *body)
{
  g_autofree char *path = g_strdup_printf (PODS "/%s/eviction", name);
  request (f, r, "POST", path, body);
}

static void
assert_evicted (Response *r)
{
  assert_ok (r, 201);
  JsonObject *o = obj (r);
  g_assert_cmpstr (str (o, "kind"), ==, "Status");
  g_assert_cmpstr (str (o, "apiVersion"), ==, "v1");
  g_assert_cmpstr (str (o, "status"), ==, "Success");
  g_assert_cmpint (num (o, "code"), ==, 201);
}

/* Kubernetes' EvictionREST without disruption budgets: every eviction
 * is allowed, and deletes the pod as a DELETE with its deleteOptions. */
static void
test_eviction (Fixture *f, gconstpointer data)
{
  if (!have_pods (f))
    return;
  {
    /* Discovery: legacy and aggregated. */
    g_auto (Response) r = { 0 };
    JsonArray *resources = array_at (get_ok (f, &r, "/api/v1"), "resources");
    JsonObject *eviction = find_by_name (resources, "name", "pods/eviction");
    g_assert_nonnull (eviction);
    g_assert_cmpstr (str (eviction, "group"), ==, "policy");
    g_assert_cmpstr (str (eviction, "version"), ==, "v1");
    g_assert_cmpstr (str (eviction, "kind"), ==, "Eviction");
    assert_json_at (eviction, "verbs", "[\"create\"]");
    g_autofree char *pod_verbs = json_at (find_by_name (resources, "name", "pods"), "verbs");
    assert_contains (pod_verbs, "\"patch\"");

    g_auto (Response) a = { 0 };
    request_full (f, &a, "GET", "/api", NULL, NULL, 0,
                  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    assert_ok (&a, 200);
    JsonObject *core = json_array_get_object_element (array_at (obj (&a), "items"), 0);
    JsonObject *v1 = json_array_get_object_element (array_at (core, "versions"), 0);
    JsonObject *pods = find_by_name (array_at (v1, "resources"), "resource", "pods");
    g_assert_nonnull (pods);
    JsonObject *sub = find_by_name (array_at (pods, "subresources"), "subresource", "eviction");
    g_assert_nonnull (sub);
    g_assert_cmpstr (str (sub, "responseKind.group"), ==, "policy");
    g_assert_cmpstr (str (sub, "responseKind.kind"), ==, "Eviction");
  }

  /* An unscheduled pod goes at once; policy/v1beta1 is taken too. */
  create_pod (f, "e1", NULL, NULL);
  {
    g_auto (Response) r = { 0 };
    evict (f, &r, "e1",
           "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"e1\","
           "\"namespace\":\"default\"}}");
    assert_evicted (&r);
    assert_gone (f, PODS "/e1");
  }
  create_pod (f, "e2", NULL, NULL);
  {
    g_auto (Response) r = { 0 };
    evict (f, &r, "e2",
           "{\"apiVersion\":\"policy/v1beta1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":"
           "\"e2\"}}");
    assert_evicted (&r);
    assert_gone (f, PODS "/e2");
  }
  {
    g_auto (Response) r = { 0 };
    evict (f, &r, "nope", "{\"metadata\":{\"name\":\"nope\"}}");
    assert_status (&r, 404, "NotFound");
    g_assert_cmpstr (str (obj (&r), "message"), ==, "pods \"nope\" not found");
  }

  /* What is no Eviction of this pod. */
  create_pod (f, "e3", ON_NODE, NULL);
  static const struct {
    const char *body;
    const char *message;
  } bad[] = {
    { "{\"metadata\":{\"name\":\"other\"}}", "name in URL does not match name in Eviction object" },
    { "{\"metadata\":{}}", "name in URL does not match name in Eviction object" },
    { "{}", "name in URL does not match name in Eviction object" },
    { "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"e3\"}}", "Eviction" },
    { "{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"e3\"}}", "Eviction" },
    { "{\"metadata\":{\"name\":\"e3\",\"namespace\":\"other\"}}", "namespace" },
    { "{\"metadata\":{\"name\":\"e3\"},\"deleteOptions\":[]}", "deleteOptions" },
    { "{\"metadata\":{\"name\":\"e3\"},\"deleteOptions\":{\"gracePeriodSeconds\":\"x\"}}",
      "gracePeriodSeconds" },
    { "[1]", "not a JSON object" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("%s", bad[i].body);
    evict (f, &r, "e3", bad[i].body);
    assert_status (&r, 400, "BadRequest");
    assert_contains (str (obj (&r), "message"), bad[i].message);
  }
  static const char *const methods[] = { "GET", "PUT", "PATCH", "DELETE" };
  for (size_t i = 0; i < G_N_ELEMENTS (methods); i++) {
    g_auto (Response) r = { 0 };
    request (f, &r, methods[i], PODS "/e3/eviction", "{\"metadata\":{\"name\":\"e3\"}}");
    assert_status (&r, 405, "MethodNotAllowed");
  }
  {
    g_auto (Response) r = { 0 };
    request_full (f, &r, "POST", PODS "/e3/eviction", "text/plain", "x", 1, NULL);
    assert_status (&r, 415, "UnsupportedMediaType");
  }

  /* deleteOptions: preconditions, then dry runs, write nothing. */
  g_auto (Response) current = { 0 };
  JsonObject *pod = get_ok (f, &current, PODS "/e3");
  gint64 rv = rv_of (pod);
  {
    g_auto (Response) r = { 0 };
    evict (f, &r, "e3",
           "{\"metadata\":{\"name\":\"e3\"},\"deleteOptions\":{\"preconditions\":{\"uid\":"
           "\"wrong\"}}}");
    assert_status (&r, 409, "Conflict");
    assert_contains (str (obj (&r), "message"), "Precondition failed: UID in precondition: wrong");
    g_auto (Response) dry = { 0 };
    request (f, &dry, "POST", PODS "/e3/eviction?dryRun=All", "{\"metadata\":{\"name\":\"e3\"}}");
    assert_evicted (&dry);
    g_auto (Response) dry2 = { 0 };
    evict (f, &dry2, "e3",
           "{\"metadata\":{\"name\":\"e3\"},\"deleteOptions\":{\"dryRun\":[\"All\"]}}");
    assert_evicted (&dry2);
    g_auto (Response) mismatch = { 0 };
    request (f, &mismatch, "POST", PODS "/e3/eviction?dryRun=All",
             "{\"metadata\":{\"name\":\"e3\"},\"deleteOptions\":{\"dryRun\":[\"Some\"]}}");
    assert_status (&mismatch, 400, "BadRequest");
    assert_contains (str (obj (&mismatch), "message"), "Non-matching dry-run options");
    g_auto (Response) unchanged = { 0 };
    JsonObject *o = get_ok (f, &unchanged, PODS "/e3");
    g_assert_cmpint (rv_of (o), ==, rv);
    g_assert_null (path_get (o, "metadata.deletionTimestamp"));
  }

  /* A pod on a node gets its grace period: the eviction succeeds, the
   * pod terminates; one with gracePeriodSeconds 0 removes it. */
  {
    g_autofree char *body = g_strdup_printf (
      "{\"metadata\":{\"name\":\"e3\"},\"deleteOptions\":{\"preconditions\":{\"uid\":\"%s\","
      "\"resourceVersion\":\"%" G_GINT64_FORMAT "\"}}}",
      str (pod, "metadata.uid"), rv);
    g_auto (Response) r = { 0 };
    evict (f, &r, "e3", body);
    assert_evicted (&r);
    g_auto (Response) get = { 0 };
    JsonObject *o = get_ok (f, &get, PODS "/e3");
    g_assert_cmpint (num (o, "metadata.deletionGracePeriodSeconds"), ==, 30);
    g_assert_cmpfloat (seconds_from_now (str (o, "metadata.deletionTimestamp")), >, 20);
    g_auto (Response) now = { 0 };
    evict (f, &now, "e3",
           "{\"metadata\":{\"name\":\"e3\"},\"deleteOptions\":{\"gracePeriodSeconds\":0}}");
    assert_evicted (&now);
    assert_gone (f, PODS "/e3");
  }

  /* Finalizers hold an evicted pod as they hold a deleted one. */
  create_pod (f, "e4", NULL, ",\"finalizers\":[\"test.timon.io/hold\"]");
  {
    g_auto (Response) r = { 0 };
    evict (f, &r, "e4", "{\"metadata\":{\"name\":\"e4\"}}");
    assert_evicted (&r);
    g_auto (Response) get = { 0 };
    JsonObject *o = get_ok (f, &get, PODS "/e4");
    g_assert_nonnull (str (o, "metadata.deletionTimestamp"));
    g_assert_cmpint (num (o, "metadata.deletionGracePeriodSeconds"), ==, 0);
    g_auto (Response) p = { 0 };
    patch (f, &p, PODS "/e4", MERGE, "{\"metadata\":{\"finalizers\":null}}");
    assert_ok (&p, 200);
    assert_gone (f, PODS "/e4");
  }

  /* Widgets declare no eviction. */
  create_widget (f, "default", "w", "", "red");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS "/w/eviction", "{\"metadata\":{\"name\":\"w\"}}");
    assert_status (&r, 404, "NotFound");
  }
}

/* ---- graceful deletion of pods ---------------------------------------- */

static void
delete_pod (Fixture *f, Response *r, const char *name, const char *query, const char *body)
{
  g_autofree char *path = g_strdup_printf (PODS "/%s%s", name, query ? query : "");
  request (f, r, "DELETE", path, body);
}

/* Kubernetes' pod strategy: a pod a node runs terminates through its
 * grace period; only a DELETE with a grace period of 0 removes it, a
 * later DELETE only shortens it. Unscheduled and ended pods go at once;
 * finalizers hold a pod as well. */
static void
test_graceful_delete (Fixture *f, gconstpointer data)
{
  if (!have_pods (f))
    return;
  create_pod (f, "g1", ON_NODE, NULL);
  g_auto (Response) list = { 0 };
  g_autofree char *watch_path =
    g_strdup_printf (PODS "?watch=true&resourceVersion=%" G_GINT64_FORMAT,
                     rv_of (get_ok (f, &list, PODS)));
  g_autoptr (Watch) w = watch_start (f, watch_path);
  g_autofree char *stamp = NULL;
  gint64 rv = 0;
  {
    g_auto (Response) r = { 0 };
    delete_pod (f, &r, "g1", NULL, NULL);
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    stamp = g_strdup (str (o, "metadata.deletionTimestamp"));
    double left = seconds_from_now (stamp);
    g_assert_cmpfloat (left, >, 25);
    g_assert_cmpfloat (left, <=, 31);
    g_assert_cmpint (num (o, "metadata.deletionGracePeriodSeconds"), ==, 30);
    /* A deletion that starts bumps the generation, as in Kubernetes. */
    g_assert_cmpint (num (o, "metadata.generation"), ==, 2);
    rv = rv_of (o);
    g_assert_cmpint (expect_event (w, "MODIFIED", "g1"), ==, rv);
  }
  {
    /* Still there, Terminating; DELETE again, or with a longer grace
     * period: nothing changes. */
    g_auto (Response) get = { 0 };
    g_assert_cmpstr (str (get_ok (f, &get, PODS "/g1"), "metadata.deletionTimestamp"), ==, stamp);
    g_auto (Response) again = { 0 };
    delete_pod (f, &again, "g1", NULL, NULL);
    assert_ok (&again, 200);
    g_assert_cmpint (rv_of (obj (&again)), ==, rv);
    g_auto (Response) longer = { 0 };
    delete_pod (f, &longer, "g1", "?gracePeriodSeconds=60", NULL);
    assert_ok (&longer, 200);
    g_assert_cmpint (rv_of (obj (&longer)), ==, rv);
    g_assert_cmpint (num (obj (&longer), "metadata.deletionGracePeriodSeconds"), ==, 30);
  }
  {
    /* Shorter: the deadline moves back by the difference. */
    g_auto (Response) r = { 0 };
    delete_pod (f, &r, "g1", NULL, "{\"gracePeriodSeconds\":10}");
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    g_assert_cmpint (num (o, "metadata.deletionGracePeriodSeconds"), ==, 10);
    g_assert_cmpint (seconds_between (stamp, str (o, "metadata.deletionTimestamp")), ==, -20);
    g_assert_cmpint (rv_of (o), >, rv);
    expect_event (w, "MODIFIED", "g1");
  }
  {
    /* Updates during the grace period do not end it (the node agent
     * reports the containers stopping). */
    g_auto (Response) r = { 0 };
    patch (f, &r, PODS "/g1/status", MERGE, "{\"status\":{\"phase\":\"Running\"}}");
    assert_ok (&r, 200);
    expect_event (w, "MODIFIED", "g1");
    g_auto (Response) get = { 0 };
    get_ok (f, &get, PODS "/g1");
  }
  {
    /* What the node agent sends once the pod stopped. */
    g_auto (Response) r = { 0 };
    delete_pod (f, &r, "g1", "?gracePeriodSeconds=0", NULL);
    assert_ok (&r, 200);
    assert_gone (f, PODS "/g1");
    expect_event (w, "DELETED", "g1");
  }

  /* The grace period: the pod's own, or DeleteOptions', a negative one
   * being 1 second. */
  static const struct {
    const char *name;
    const char *spec;
    const char *query;
    const char *body;
    gint64 grace;
  } periods[] = {
    { "own", ON_NODE ",\"terminationGracePeriodSeconds\":5", NULL, NULL, 5 },
    { "body", ON_NODE, NULL, "{\"gracePeriodSeconds\":2}", 2 },
    { "query", ON_NODE, "?gracePeriodSeconds=7", NULL, 7 },
    { "negative", ON_NODE, "?gracePeriodSeconds=-5", NULL, 1 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (periods); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("%s", periods[i].name);
    create_pod (f, periods[i].name, periods[i].spec, NULL);
    delete_pod (f, &r, periods[i].name, periods[i].query, periods[i].body);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "metadata.deletionGracePeriodSeconds"), ==, periods[i].grace);
    g_autofree char *path = pod_path (periods[i].name);
    g_auto (Response) get = { 0 };
    get_ok (f, &get, path);
  }

  /* No grace period: unscheduled, ended, or asked for none. */
  create_pod (f, "unbound", NULL, NULL);
  create_pod (f, "ended", ON_NODE, NULL);
  create_pod (f, "forced", ON_NODE, NULL);
  {
    g_auto (Response) s = { 0 };
    patch (f, &s, PODS "/ended/status", MERGE, "{\"status\":{\"phase\":\"Succeeded\"}}");
    assert_ok (&s, 200);
    static const char *const at_once[][2] = { { "unbound", NULL },
                                              { "ended", NULL },
                                              { "forced", "?gracePeriodSeconds=0" } };
    for (size_t i = 0; i < G_N_ELEMENTS (at_once); i++) {
      g_auto (Response) r = { 0 };
      delete_pod (f, &r, at_once[i][0], at_once[i][1], NULL);
      assert_ok (&r, 200);
      g_autofree char *path = pod_path (at_once[i][0]);
      assert_gone (f, path);
    }
  }

  /* A dry run answers the terminating pod and writes nothing. */
  create_pod (f, "dry", ON_NODE, NULL);
  {
    g_auto (Response) r = { 0 };
    delete_pod (f, &r, "dry", "?dryRun=All", NULL);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "metadata.deletionGracePeriodSeconds"), ==, 30);
    g_auto (Response) get = { 0 };
    g_assert_null (path_get (get_ok (f, &get, PODS "/dry"), "metadata.deletionTimestamp"));
  }

  /* Finalizers and a grace period: both hold the pod. */
  create_pod (f, "both", ON_NODE, ",\"finalizers\":[\"test.timon.io/hold\"]");
  {
    g_auto (Response) r = { 0 };
    delete_pod (f, &r, "both", NULL, NULL);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "metadata.deletionGracePeriodSeconds"), ==, 30);
    /* The grace period ends: the finalizer still holds it. */
    g_auto (Response) now = { 0 };
    delete_pod (f, &now, "both", "?gracePeriodSeconds=0", NULL);
    assert_ok (&now, 200);
    g_assert_cmpint (num (obj (&now), "metadata.deletionGracePeriodSeconds"), ==, 0);
    g_assert_cmpfloat (seconds_from_now (str (obj (&now), "metadata.deletionTimestamp")), <=, 1);
    g_auto (Response) get = { 0 };
    get_ok (f, &get, PODS "/both");
    /* The finalizer goes: so does the pod. */
    g_auto (Response) p = { 0 };
    patch (f, &p, PODS "/both", JSON_PATCH,
           "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
    assert_ok (&p, 200);
    assert_gone (f, PODS "/both");
  }
  create_pod (f, "held", ON_NODE, ",\"finalizers\":[\"test.timon.io/hold\"]");
  {
    g_auto (Response) r = { 0 };
    delete_pod (f, &r, "held", NULL, NULL);
    assert_ok (&r, 200);
    /* The finalizer goes first: the grace period still holds it. */
    g_auto (Response) p = { 0 };
    patch (f, &p, PODS "/held", MERGE, "{\"metadata\":{\"finalizers\":[]}}");
    assert_ok (&p, 200);
    g_auto (Response) get = { 0 };
    g_assert_cmpint (num (get_ok (f, &get, PODS "/held"), "metadata.deletionGracePeriodSeconds"),
                     ==, 30);
    g_auto (Response) now = { 0 };
    delete_pod (f, &now, "held", NULL, "{\"gracePeriodSeconds\":0}");
    assert_ok (&now, 200);
    assert_gone (f, PODS "/held");
  }

  /* Other types have no graceful deletion. */
  create_widget (f, "default", "w", "", "red");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w?gracePeriodSeconds=30", NULL);
    assert_ok (&r, 200);
    assert_gone (f, WIDGETS "/w");
  }
}

/* ---- kubectl ---------------------------------------------------------- */

/* `kubectl patch --type merge|json`, `kubectl label` (a merge patch),
 * its default strategic merge patch, and the forced deletion of a
 * terminating pod. */
static void
test_kubectl_patch (Fixture *f, gconstpointer data)
{
  if (!kubectl_installed () || !have_pods (f))
    return;
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", "/api/v1/namespaces/default/configmaps",
             "{\"metadata\":{\"name\":\"x\"},\"data\":{\"a\":\"1\"}}");
    assert_ok (&r, 201);
  }
  kubectl_expect (f,
                  (const char *const[]){ "patch", "configmap", "x", "--type", "merge", "-p",
                                         "{\"data\":{\"b\":\"2\"}}", NULL },
                  "configmap/x patched");
  kubectl_expect (f,
                  (const char *const[]){
                    "patch", "configmap", "x", "--type", "json", "-p",
                    "[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"3\"}]", NULL },
                  "configmap/x patched");
  kubectl_expect (f, (const char *const[]){ "label", "configmap", "x", "tier=web", NULL },
                  "configmap/x labeled");
  {
    g_auto (Response) r = { 0 };
    JsonObject *o = get_ok (f, &r, "/api/v1/namespaces/default/configmaps/x");
    assert_json_at (o, "data", "{\"a\":\"3\",\"b\":\"2\"}");
    g_assert_cmpstr (str (o, "metadata.labels.tier"), ==, "web");
  }
  {
    /* A JSON patch whose test fails: kubectl says the request is
     * invalid. */
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run,
             (const char *const[]){ "patch", "configmap", "x", "--type", "json", "-p",
                                    "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"1\"}]",
                                    NULL });
    g_assert_cmpint (run.status, !=, 0);
    assert_contains (run.err, "The request is invalid");
    assert_contains (run.err, "testing value /data/a failed");
  }
  /* kubectl's default patch type, a strategic merge patch. */
  kubectl_expect (f,
                  (const char *const[]){ "patch", "configmap", "x", "-p",
                                         "{\"data\":{\"c\":\"4\"}}", NULL },
                  "configmap/x patched");
  {
    g_auto (Response) r = { 0 };
    g_assert_cmpstr (str (get_ok (f, &r, "/api/v1/namespaces/default/configmaps/x"), "data.c"), ==,
                     "4");
  }

  /* A pod on a node terminates; --grace-period=0 --force removes it. */
  create_pod (f, "k", ON_NODE, NULL);
  kubectl_expect (f, (const char *const[]){ "delete", "pod", "k", "--wait=false", NULL },
                  "pod \"k\" deleted");
  {
    g_auto (Response) r = { 0 };
    g_assert_nonnull (str (get_ok (f, &r, PODS "/k"), "metadata.deletionTimestamp"));
  }
  kubectl_expect (f,
                  (const char *const[]){ "delete", "pod", "k", "--grace-period=0", "--force",
                                         NULL },
                  "pod \"k\"");
  assert_gone (f, PODS "/k");
}

/* ---- protobuf bodies ------------------------------------------------- */

static void
pb_varint (GByteArray *out, guint64 value)
{
  do {
    guint8 byte = (value & 0x7f) | (value > 0x7f ? 0x80 : 0);
    g_byte_array_append (out, &byte, 1);
    value >>= 7;
  } while (value != 0);
}

static void
pb_field (GByteArray *out, guint field, const void *data, gsize length)
{
  pb_varint (out, (guint64) field << 3 | 2);
  pb_varint (out, length);
  g_byte_array_append (out, data, (guint) length);
}

static void
pb_string (GByteArray *out, guint field, const char *text)
{
  pb_field (out, field, text, strlen (text));
}

/* Kubernetes' envelope around @raw, an object of @kind. */
static GByteArray *
pb_envelope (const char *kind, GByteArray *raw)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr (GByteArray) type = g_byte_array_new ();
  g_byte_array_append (out, (const guint8 *) "k8s", 4);
  pb_string (type, 1, "v1");
  pb_string (type, 2, kind);
  pb_field (out, 1, type->data, type->len);
  pb_field (out, 2, raw->data, raw->len);
  return out;
}

static void
post_protobuf (Fixture *f, Response *r, GByteArray *body)
{
  request_full (f, r, "POST", "/api/v1/namespaces/default/configmaps",
                "application/vnd.kubernetes.protobuf", (const char *) body->data, body->len, NULL);
}

/* Bodies in Kubernetes' protobuf, as kubectl 1.32's typed commands send
 * them: decoded into the object; a field timond does not know, or a
 * broken body, refused, with nothing written. */
static void
test_protobuf (Fixture *f, gconstpointer data)
{
  if (!have_pods (f))
    return;
  g_autoptr (GByteArray) meta = g_byte_array_new ();
  pb_string (meta, 1, "pb");
  g_autoptr (GByteArray) entry = g_byte_array_new ();
  pb_string (entry, 1, "a");
  pb_string (entry, 2, "1");
  g_autoptr (GByteArray) config = g_byte_array_new ();
  pb_field (config, 1, meta->data, meta->len);
  pb_field (config, 2, entry->data, entry->len);
  g_autoptr (GByteArray) body = pb_envelope ("ConfigMap", config);
  g_auto (Response) created = { 0 };
  post_protobuf (f, &created, body);
  assert_ok (&created, 201);
  g_assert_cmpstr (str (obj (&created), "metadata.name"), ==, "pb");
  g_assert_cmpstr (str (obj (&created), "data.a"), ==, "1");

  /* A field of ConfigMap that does not exist: refused, not dropped. */
  g_autoptr (GByteArray) odd = g_byte_array_new ();
  g_autoptr (GByteArray) meta2 = g_byte_array_new ();
  pb_string (meta2, 1, "pb-odd");
  pb_field (odd, 1, meta2->data, meta2->len);
  pb_varint (odd, 99 << 3);
  pb_varint (odd, 1);
  g_autoptr (GByteArray) odd_body = pb_envelope ("ConfigMap", odd);
  g_auto (Response) refused = { 0 };
  post_protobuf (f, &refused, odd_body);
  assert_status (&refused, 400, "BadRequest");
  assert_contains (str (obj (&refused), "message"), "field 99 of ConfigMap");

  /* Cut short, and of a kind timond does not decode. */
  g_autoptr (GByteArray) cut = pb_envelope ("ConfigMap", config);
  g_byte_array_set_size (cut, cut->len - 3);
  g_auto (Response) broken = { 0 };
  post_protobuf (f, &broken, cut);
  assert_status (&broken, 400, "BadRequest");
  g_autoptr (GByteArray) other = pb_envelope ("CronJob", config);
  g_auto (Response) unknown = { 0 };
  post_protobuf (f, &unknown, other);
  assert_status (&unknown, 400, "BadRequest");
  assert_contains (str (obj (&unknown), "message"), "CronJob");

  g_auto (Response) list = { 0 };
  request (f, &list, "GET", "/api/v1/namespaces/default/configmaps", NULL);
  g_assert_nonnull (
    find_by_name (json_object_get_array_member (obj (&list), "items"), "metadata.name", "pb"));
  g_assert_null (
    find_by_name (json_object_get_array_member (obj (&list), "items"), "metadata.name", "pb-odd"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/apiserver/patch/merge", test_patch_merge);
  ADD ("/apiserver/patch/json-patch", test_patch_json);
  ADD ("/apiserver/patch/status", test_patch_status);
  ADD ("/apiserver/patch/conflict", test_patch_conflict);
  ADD ("/apiserver/patch/errors", test_patch_errors);
  ADD ("/apiserver/writes/yaml", test_yaml_bodies);
  ADD ("/apiserver/pods/eviction", test_eviction);
  ADD ("/apiserver/pods/graceful-delete", test_graceful_delete);
  ADD ("/apiserver/writes/protobuf", test_protobuf);
  ADD ("/apiserver/kubectl/patch", test_kubectl_patch);
#undef ADD

  return g_test_run ();
}
