/* test-apiserver.c: the real timond's Kubernetes API, driven over HTTP
 * as kubectl drives it, and by kubectl itself where it is installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <timon/timon.h>

#include "apiserver-fixture.h"
#include "timon-registry.h"

/* ---- tests ------------------------------------------------------------ */

static void
test_version (Fixture *f, gconstpointer data)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", "/version?timeout=32s", NULL);
  assert_ok (&r, 200);
  g_assert_cmpstr (str (obj (&r), "major"), ==, "1");
  g_assert_cmpstr (str (obj (&r), "minor"), ==, "32");
  g_assert_true (g_str_has_prefix (str (obj (&r), "gitVersion"), "v1.32.0-timon."));
  g_assert_cmpstr (r.cache_control, ==, "no-cache, private");

  const char *const health[] = { "/healthz", "/livez", "/readyz" };
  for (size_t i = 0; i < G_N_ELEMENTS (health); i++) {
    g_auto (Response) h = { 0 };
    request (f, &h, "GET", health[i], NULL);
    assert_ok (&h, 200);
    g_assert_cmpstr (h.body, ==, "ok");
  }

  /* The kubeconfig names the real port. */
  g_autofree char *kubeconfig = g_build_filename (f->dir, "kubeconfig", NULL);
  g_autofree char *contents = NULL;
  g_assert_true (g_file_get_contents (kubeconfig, &contents, NULL, NULL));
  g_autofree char *server = g_strdup_printf ("server: http://%s\n", f->address);
  assert_contains (contents, server);
  assert_contains (contents, "namespace: default");
}

static void
test_discovery (Fixture *f, gconstpointer data)
{
  {
    g_auto (Response) r = { 0 };
    /* A client that does not ask for aggregated discovery gets the
     * legacy form (see /apiserver/discovery/aggregated for the other). */
    request_full (f, &r, "GET", "/api?timeout=32s", NULL, NULL, 0, "application/json, */*");
    assert_ok (&r, 200);
    g_assert_cmpstr (r.content_type, ==, "application/json");
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "APIVersions");
    JsonArray *cidrs = json_object_get_array_member (obj (&r), "serverAddressByClientCIDRs");
    g_assert_cmpstr (str (json_array_get_object_element (cidrs, 0), "serverAddress"), ==,
                     f->address);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/apis", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (r.content_type, ==, "application/json");
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "APIGroupList");
    JsonObject *group =
      find_by_name (json_object_get_array_member (obj (&r), "groups"), "name", "test.timon.io");
    g_assert_nonnull (group);
    g_assert_cmpstr (str (group, "preferredVersion.groupVersion"), ==, "test.timon.io/v1");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/api/v1", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "APIResourceList");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/apis/test.timon.io/v1", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "groupVersion"), ==, "test.timon.io/v1");
    JsonArray *resources = json_object_get_array_member (obj (&r), "resources");
    JsonObject *widgets = find_by_name (resources, "name", "widgets");
    g_assert_nonnull (widgets);
    g_assert_true (json_object_get_boolean_member (widgets, "namespaced"));
    g_assert_cmpstr (str (widgets, "kind"), ==, "Widget");
    g_assert_cmpstr (str (widgets, "singularName"), ==, "widget");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (widgets,
                                                                                  "shortNames"),
                                                    0),
                     ==, "wd");
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (widgets,
                                                                                  "categories"),
                                                    0),
                     ==, "all");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (widgets, "verbs")), >,
                      0);
    g_assert_nonnull (find_by_name (resources, "name", "widgets/status"));
    JsonObject *gadgets = find_by_name (resources, "name", "gadgets");
    g_assert_nonnull (gadgets);
    g_assert_false (json_object_get_boolean_member (gadgets, "namespaced"));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/apis/nosuch.io/v1", NULL);
    assert_status (&r, 404, "NotFound");
  }
}

static void
test_crud (Fixture *f, gconstpointer data)
{
  gint64 rv1, rv2;
  g_autofree char *uid = NULL;

  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS,
             "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":"
             "\"w1\",\"labels\":{\"app\":\"a\"}},\"spec\":{\"size\":3}}");
    assert_ok (&r, 201);
    JsonObject *o = obj (&r);
    g_assert_cmpstr (str (o, "metadata.name"), ==, "w1");
    g_assert_cmpstr (str (o, "metadata.namespace"), ==, "default");
    g_assert_cmpuint (strlen (str (o, "metadata.uid")), ==, 36);
    g_assert_true (g_str_has_suffix (str (o, "metadata.creationTimestamp"), "Z"));
    g_assert_cmpint (num (o, "metadata.generation"), ==, 1);
    g_assert_cmpstr (str (o, "spec.color"), ==, "blue"); /* the type's default */
    rv1 = rv_of (o);
    uid = g_strdup (str (o, "metadata.uid"));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS, "{\"metadata\":{\"name\":\"w1\"}}");
    assert_status (&r, 409, "AlreadyExists");
    g_assert_cmpstr (str (obj (&r), "message"), ==, "widgets.test.timon.io \"w1\" already exists");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "/w1", NULL);
    assert_ok (&r, 200);
    g_assert_cmpint (rv_of (obj (&r)), ==, rv1);
    g_assert_cmpstr (str (obj (&r), "metadata.uid"), ==, uid);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS, NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "WidgetList");
    g_assert_cmpstr (str (obj (&r), "apiVersion"), ==, "test.timon.io/v1");
    g_assert_cmpint (rv_of (obj (&r)), >=, rv1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (&r), "items")), ==,
                      1);
  }
  /* An update with the current resourceVersion: a new version and
   * generation, the same uid; one with the old version conflicts. */
  {
    g_auto (Response) r = { 0 };
    g_autofree char *body = g_strdup_printf (
      "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\","
      "\"resourceVersion\":\"%" G_GINT64_FORMAT "\",\"uid\":\"forged\"},\"spec\":{\"size\":4},"
      "\"status\":{\"ignored\":true}}",
      rv1);
    request (f, &r, "PUT", WIDGETS "/w1", body);
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    rv2 = rv_of (o);
    g_assert_cmpint (rv2, >, rv1);
    g_assert_cmpint (num (o, "metadata.generation"), ==, 2);
    g_assert_cmpstr (str (o, "metadata.uid"), ==, uid);
    g_assert_cmpint (num (o, "spec.size"), ==, 4);
    g_assert_null (path_get (o, "status")); /* the main resource keeps the status */

    g_auto (Response) stale = { 0 };
    request (f, &stale, "PUT", WIDGETS "/w1", body);
    assert_status (&stale, 409, "Conflict");
    assert_contains (str (obj (&stale), "message"), "the object has been modified");
  }
  /* The status subresource changes the status only. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/w1/status",
             "{\"metadata\":{\"name\":\"w1\"},\"spec\":{\"size\":99},\"status\":{\"ready\":true}}");
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    g_assert_cmpint (num (o, "spec.size"), ==, 4);
    g_assert_true (json_node_get_boolean (path_get (o, "status.ready")));
    g_assert_cmpint (num (o, "metadata.generation"), ==, 2);
    g_assert_cmpint (rv_of (o), >, rv2);

    g_auto (Response) get = { 0 };
    request (f, &get, "GET", WIDGETS "/w1/status", NULL);
    assert_ok (&get, 200);
    g_assert_true (json_node_get_boolean (path_get (obj (&get), "status.ready")));
  }
  /* Metadata-only change: the generation stays. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/w1",
             "{\"metadata\":{\"name\":\"w1\",\"labels\":{\"x\":\"y\"}},\"spec\":{\"size\":4}}");
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "metadata.generation"), ==, 2);
    g_assert_true (json_node_get_boolean (path_get (obj (&r), "status.ready")));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w1", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "metadata.name"), ==, "w1");

    g_auto (Response) gone = { 0 };
    request (f, &gone, "GET", WIDGETS "/w1", NULL);
    assert_status (&gone, 404, "NotFound");
    g_assert_cmpstr (str (obj (&gone), "message"), ==, "widgets.test.timon.io \"w1\" not found");
    g_assert_cmpstr (str (obj (&gone), "details.name"), ==, "w1");

    g_auto (Response) again = { 0 };
    request (f, &again, "DELETE", WIDGETS "/w1", NULL);
    assert_status (&again, 404, "NotFound");
    g_auto (Response) put = { 0 };
    request (f, &put, "PUT", WIDGETS "/w1", "{\"metadata\":{\"name\":\"w1\"}}");
    assert_status (&put, 404, "NotFound");
  }
  /* Cluster-scoped, with a generated name. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GADGETS, "{\"metadata\":{\"generateName\":\"gadget-\"}}");
    assert_ok (&r, 201);
    const char *name = str (obj (&r), "metadata.name");
    g_assert_true (g_str_has_prefix (name, "gadget-"));
    g_assert_cmpuint (strlen (name), ==, strlen ("gadget-") + 5);
    g_assert_null (path_get (obj (&r), "metadata.namespace"));
    g_autofree char *path = g_strdup_printf (GADGETS "/%s", name);
    g_auto (Response) get = { 0 };
    request (f, &get, "GET", path, NULL);
    assert_ok (&get, 200);
  }
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *method;
    const char *path;
    const char *content_type;
    const char *body;
    guint code;
    const char *reason;
  } cases[] = {
    { "GET", "/nope", NULL, NULL, 404, "NotFound" },
    { "GET", "/apis/test.timon.io/v1/nopes", NULL, NULL, 404, "NotFound" },
    { "GET", "/apis/test.timon.io/v1/widgets/w1", NULL, NULL, 404, "NotFound" },
    { "GET", WIDGETS "/w1/scale", NULL, NULL, 404, "NotFound" },
    { "GET", GADGETS "/g1/status", NULL, NULL, 404, "NotFound" },
    { "GET", WIDGETS "/a%2Fb", NULL, NULL, 404, "NotFound" },
    { "GET", "/apis/test.timon.io/v1/namespaces/default/gadgets", NULL, NULL, 404, "NotFound" },
    /* DELETE on WIDGETS is deletecollection (/apiserver/delete/collection). */
    { "DELETE", "/apis/test.timon.io/v1/widgets", NULL, NULL, 405, "MethodNotAllowed" },
    { "DELETE", WIDGETS "/w1/status", NULL, NULL, 405, "MethodNotAllowed" },
    { "POST", "/apis/test.timon.io/v1/widgets", "application/json", "{}", 405, "MethodNotAllowed" },
    { "POST", "/api", "application/json", "{}", 405, "MethodNotAllowed" },
    { "POST", WIDGETS, "application/json", "{\"metadata\":", 400, "BadRequest" },
    { "POST", WIDGETS, "application/json", "[1,2]", 400, "BadRequest" },
    { "POST", WIDGETS, "application/json", "", 400, "BadRequest" },
    { "POST", WIDGETS, "application/json", "{\"metadata\":[]}", 400, "BadRequest" },
    { "POST", WIDGETS, "application/json", "{\"kind\":\"Gadget\",\"metadata\":{\"name\":\"x\"}}",
      400, "BadRequest" },
    { "POST", WIDGETS, "application/json", "{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"}}",
      400, "BadRequest" },
    { "POST", WIDGETS, "application/json",
      "{\"metadata\":{\"name\":\"x\",\"namespace\":\"other\"}}", 400, "BadRequest" },
    { "POST", WIDGETS, "text/plain", "{\"metadata\":{\"name\":\"x\"}}", 415,
      "UnsupportedMediaType" },
    { "POST", WIDGETS, "application/vnd.kubernetes.protobuf", "k8s", 415, "UnsupportedMediaType" },
    { "PATCH", WIDGETS "/x", "application/strategic-merge-patch+json", "{}", 415,
      "UnsupportedMediaType" },
    { "GET", WIDGETS "?labelSelector=a%20in%20(", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?fieldSelector=spec.nope%3Dx", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?limit=abc", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?continue=garbage", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?resourceVersion=x", NULL, NULL, 400, "BadRequest" },
    { "GET", WIDGETS "?watch=true&timeoutSeconds=-1", NULL, NULL, 400, "BadRequest" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("%s %s", cases[i].method, cases[i].path);
    request_full (f, &r, cases[i].method, cases[i].path, cases[i].content_type, cases[i].body,
                  cases[i].body ? strlen (cases[i].body) : 0, NULL);
    assert_status (&r, cases[i].code, cases[i].reason);
  }

  /* 3 MiB and one byte. */
  {
    gsize size = 3 * 1024 * 1024 + 1;
    g_autofree char *big = g_malloc (size);
    memset (big, ' ', size);
    big[0] = '{';
    big[size - 1] = '}';
    g_auto (Response) r = { 0 };
    request_full (f, &r, "POST", WIDGETS, "application/json", big, size, NULL);
    assert_status (&r, 413, "RequestEntityTooLarge");

    /* The same, chunked: no length up front. */
    g_autoptr (SoupMessage) msg = new_message (f, "POST", WIDGETS);
    g_autoptr (GInputStream) stream = g_memory_input_stream_new_from_data (big, size, NULL);
    soup_message_set_request_body (msg, "application/json", stream, -1);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = soup_session_send_and_read (f->session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
    g_assert_cmpint (soup_message_headers_get_encoding (soup_message_get_request_headers (msg)), ==,
                     SOUP_ENCODING_CHUNKED);
  }

  /* 422 with a cause per field, the type's own among them. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS,
             "{\"metadata\":{\"name\":\"Bad_Name\"},\"spec\":{\"size\":0}}");
    assert_status (&r, 422, "Invalid");
    JsonObject *o = obj (&r);
    g_assert_cmpstr (str (o, "details.kind"), ==, "Widget");
    g_assert_cmpstr (str (o, "details.name"), ==, "Bad_Name");
    assert_contains (str (o, "message"), "Widget.test.timon.io \"Bad_Name\" is invalid");
    JsonArray *causes = json_node_get_array (path_get (o, "details.causes"));
    g_assert_nonnull (find_by_name (causes, "field", "metadata.name"));
    g_assert_nonnull (find_by_name (causes, "field", "spec.size"));
    g_assert_cmpstr (str (find_by_name (causes, "field", "metadata.name"), "reason"), ==,
                     "FieldValueInvalid");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS, "{\"metadata\":{}}");
    assert_status (&r, 422, "Invalid");
  }

  /* A namespace that does not exist, when the real Namespace type is
   * there to say so. */
  if (have_namespaces (f)) {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", "/apis/test.timon.io/v1/namespaces/nosuch/widgets",
             "{\"metadata\":{\"name\":\"x\"}}");
    assert_status (&r, 404, "NotFound");
    g_assert_cmpstr (str (obj (&r), "message"), ==, "namespaces \"nosuch\" not found");
  } else {
    g_test_message ("no namespaces.v1 type: the missing-namespace check is not tested");
  }

  /* Still serving after all that. */
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", "/readyz", NULL);
  assert_ok (&r, 200);
}

static void
test_selectors (Fixture *f, gconstpointer data)
{
  ensure_namespace (f, "other");
  create_widget (f, "default", "w1", "\"app\":\"a\"", "red");
  create_widget (f, "default", "w2", "\"app\":\"b\"", "red");
  create_widget (f, "default", "w3", "", "green");
  create_widget (f, "other", "w4", "\"app\":\"a\"", "green");

  static const struct {
    const char *path;
    guint n;
  } cases[] = {
    { WIDGETS, 3 },
    { "/apis/test.timon.io/v1/widgets", 4 },
    { "/apis/test.timon.io/v1/namespaces/other/widgets", 1 },
    { WIDGETS "?labelSelector=app%3Da", 1 },
    { "/apis/test.timon.io/v1/widgets?labelSelector=app%3Da", 2 },
    { WIDGETS "?labelSelector=app%21%3Da", 2 },
    { WIDGETS "?labelSelector=app", 2 },
    { WIDGETS "?labelSelector=%21app", 1 },
    { WIDGETS "?labelSelector=app%20in%20(a%2Cb)", 2 },
    { WIDGETS "?fieldSelector=metadata.name%3Dw2", 1 },
    { WIDGETS "?fieldSelector=metadata.name%21%3Dw2", 2 },
    { "/apis/test.timon.io/v1/widgets?fieldSelector=metadata.namespace%3Dother", 1 },
    { WIDGETS "?fieldSelector=spec.color%3Dred", 2 },
    { WIDGETS "?fieldSelector=spec.color%3Dred&labelSelector=app%3Db", 1 },
    { WIDGETS "?unknownParameter=1&timeout=32s", 3 },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("GET %s", cases[i].path);
    request (f, &r, "GET", cases[i].path, NULL);
    assert_ok (&r, 200);
    g_assert_cmpuint (n_items (&r), ==, cases[i].n);
  }
}

static void
test_paging (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < 7; i++) {
    g_auto (Response) r = { 0 };
    g_autofree char *body = g_strdup_printf ("{\"metadata\":{\"name\":\"g%d\"}}", i);
    request (f, &r, "POST", GADGETS, body);
    assert_ok (&r, 201);
  }

  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *token = NULL;
  gint64 list_rv = 0;
  int pages = 0;
  do {
    g_auto (Response) r = { 0 };
    g_autofree char *escaped = token ? g_uri_escape_string (token, NULL, TRUE) : NULL;
    g_autofree char *path = token ? g_strdup_printf (GADGETS "?limit=3&continue=%s", escaped)
                                  : g_strdup (GADGETS "?limit=3");
    request (f, &r, "GET", path, NULL);
    assert_ok (&r, 200);
    g_assert_cmpuint (n_items (&r), <=, 3);
    JsonArray *items = json_object_get_array_member (obj (&r), "items");
    for (guint i = 0; i < json_array_get_length (items); i++)
      g_assert_true (
        g_hash_table_add (seen, g_strdup (str (json_array_get_object_element (items, i),
                                               "metadata.name"))));
    /* Every page reads the revision of the first. */
    if (list_rv == 0)
      list_rv = rv_of (obj (&r));
    g_assert_cmpint (rv_of (obj (&r)), ==, list_rv);
    g_free (token);
    token = g_strdup (str (obj (&r), "metadata.continue"));
    pages++;
    /* A write between pages does not show in the list. */
    if (pages == 1) {
      g_auto (Response) w = { 0 };
      request (f, &w, "POST", GADGETS, "{\"metadata\":{\"name\":\"g-late\"}}");
      assert_ok (&w, 201);
    }
  } while (token != NULL);
  g_assert_cmpint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 7);

  /* A selective page is filled from further down the list. */
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", GADGETS "?limit=2&fieldSelector=metadata.name%21%3Dg1", NULL);
  assert_ok (&r, 200);
  g_assert_cmpuint (n_items (&r), ==, 2);
  g_assert_nonnull (str (obj (&r), "metadata.continue"));

  /* Kubernetes' semantics of resourceVersion: Exact lists what was
   * there then, and so does a paged list; without a match, "not older
   * than" gives the current objects (g-late too). */
  g_auto (Response) old = { 0 };
  g_autofree char *path =
    g_strdup_printf (GADGETS "?resourceVersion=%" G_GINT64_FORMAT "&resourceVersionMatch=Exact",
                     list_rv);
  request (f, &old, "GET", path, NULL);
  assert_ok (&old, 200);
  g_assert_cmpuint (n_items (&old), ==, 7);
  g_assert_cmpint (rv_of (obj (&old)), ==, list_rv);

  g_auto (Response) paged = { 0 };
  g_autofree char *paged_path =
    g_strdup_printf (GADGETS "?resourceVersion=%" G_GINT64_FORMAT "&limit=100", list_rv);
  request (f, &paged, "GET", paged_path, NULL);
  assert_ok (&paged, 200);
  g_assert_cmpuint (n_items (&paged), ==, 7);

  g_auto (Response) newer = { 0 };
  g_autofree char *newer_path =
    g_strdup_printf (GADGETS "?resourceVersion=%" G_GINT64_FORMAT, list_rv);
  request (f, &newer, "GET", newer_path, NULL);
  assert_ok (&newer, 200);
  g_assert_cmpuint (n_items (&newer), ==, 8);
  g_assert_cmpint (rv_of (obj (&newer)), >, list_rv);
}

static void
test_watch (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "before", "\"app\":\"a\"", "red");

  g_auto (Response) list = { 0 };
  request (f, &list, "GET", WIDGETS, NULL);
  assert_ok (&list, 200);
  gint64 list_rv = rv_of (obj (&list));

  /* From the list's version: only what happens after. */
  g_autofree char *path =
    g_strdup_printf (WIDGETS "?watch=true&resourceVersion=%" G_GINT64_FORMAT, list_rv);
  g_autoptr (Watch) w = watch_start (f, path);
  /* From "0": the current objects first. */
  g_autoptr (Watch) all = watch_start (f, "/apis/test.timon.io/v1/widgets?watch=1");
  g_assert_cmpint (expect_event (all, "ADDED", "before"), ==, list_rv);
  /* Selective: app=a only. */
  g_autoptr (Watch) sel = watch_start (f, WIDGETS "?watch=true&labelSelector=app%3Da");
  expect_event (sel, "ADDED", "before");

  /* A field selector on the type's own field. */
  g_autoptr (Watch) blue = watch_start (f, WIDGETS "?watch=true&fieldSelector=spec.color%3Dblue");
  /* A client that goes away: timond cleans up and serves on. */
  {
    g_autoptr (Watch) gone = watch_start (f, "/apis/test.timon.io/v1/widgets?watch=true");
    expect_event (gone, "ADDED", "before");
  }

  create_widget (f, "default", "after", "", "red");
  gint64 added = expect_event (w, "ADDED", "after");
  g_assert_cmpint (added, >, list_rv);
  g_assert_cmpint (expect_event (all, "ADDED", "after"), ==, added);

  g_auto (Response) put = { 0 };
  request (f, &put, "PUT", WIDGETS "/after",
           "{\"metadata\":{\"name\":\"after\",\"labels\":{\"app\":\"a\"}},\"spec\":{}}");
  assert_ok (&put, 200);
  gint64 modified = expect_event (w, "MODIFIED", "after");
  g_assert_cmpint (modified, ==, rv_of (obj (&put)));
  expect_event (all, "MODIFIED", "after");
  /* It starts matching app=a: ADDED for that watch; its color became
   * the default blue. */
  expect_event (sel, "ADDED", "after");
  expect_event (blue, "ADDED", "after");

  g_auto (Response) del = { 0 };
  request (f, &del, "DELETE", WIDGETS "/after", NULL);
  assert_ok (&del, 200);
  g_assert_cmpint (expect_event (w, "DELETED", "after"), >, modified);
  expect_event (all, "DELETED", "after");
  expect_event (sel, "DELETED", "after");
  expect_event (blue, "DELETED", "after");

  /* From an older version: the history again, in order. */
  g_autoptr (Watch) replay = watch_start (f, path);
  expect_event (replay, "ADDED", "after");
  expect_event (replay, "MODIFIED", "after");
  expect_event (replay, "DELETED", "after");

  /* timeoutSeconds ends the stream. */
  g_autoptr (Watch) brief = watch_start (f, GADGETS "?watch=true&timeoutSeconds=1");
  g_autofree char *type = NULL;
  g_assert_null (watch_next (brief, &type));
}

/* Resource versions go on where they stopped when timond restarts, and
 * a watch from a compacted version gets 410 Expired. */
static void
test_restart (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "w1", "", "red");
  create_widget (f, "default", "w2", "", "red");
  g_auto (Response) before = { 0 };
  request (f, &before, "GET", WIDGETS "/w2", NULL);
  gint64 rv = rv_of (obj (&before));

  daemon_stop (f);
  /* Compact the history away, as a maintenance job would. */
  {
    g_autoptr (TimonRegistry) registry = timon_registry_new ();
    timon_registry_load_default (registry, NULL);
    g_autofree char *db = g_build_filename (f->dir, "timon.db", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonStore) store = timon_registry_open_store (registry, "sqlite", db, &error);
    g_assert_no_error (error);
    g_assert_cmpint (timon_store_get_revision (store), ==, rv);
    timon_store_compact (store, rv, &error);
    g_assert_no_error (error);
  }
  daemon_start (f);

  g_auto (Response) after = { 0 };
  request (f, &after, "GET", WIDGETS "/w2", NULL);
  assert_ok (&after, 200);
  g_assert_cmpint (rv_of (obj (&after)), ==, rv);
  create_widget (f, "default", "w3", "", "red");
  g_auto (Response) w3 = { 0 };
  request (f, &w3, "GET", WIDGETS "/w3", NULL);
  g_assert_cmpint (rv_of (obj (&w3)), ==, rv + 1);

  g_autoptr (Watch) w = watch_start (f, WIDGETS "?watch=true&resourceVersion=1");
  g_autofree char *type = NULL;
  g_autoptr (JsonNode) status = watch_next (w, &type);
  g_assert_nonnull (status);
  g_assert_cmpstr (type, ==, "ERROR");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (status), "code"), ==, 410);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status), "reason"), ==,
                   "Expired");
  g_autofree char *type2 = NULL;
  g_assert_null (watch_next (w, &type2));
}

/* ---- tables ------------------------------------------------------------- */

/* What `kubectl get` sends (kubectl-compat.md, section 3.1). */
#define TABLE_ACCEPT                                          \
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/" \
  "json;as=Table;v=v1beta1;g=meta.k8s.io,"                    \
  "application/json"
#define TABLE_V1 "application/json;as=Table;v=v1;g=meta.k8s.io"

static void
get_accept (Fixture *f, Response *r, const char *path, const char *accept)
{
  request_full (f, r, "GET", path, NULL, NULL, 0, accept);
}

static JsonArray *
arr (JsonObject *object, const char *path)
{
  JsonNode *node = path_get (object, path);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    g_error ("%s is not an array", path);
  return json_node_get_array (node);
}

/* The cells of row @i of a Table. */
static JsonArray *
row_cells (Response *r, guint i)
{
  JsonArray *rows = arr (obj (r), "rows");
  g_assert_cmpuint (i, <, json_array_get_length (rows));
  return arr (json_array_get_object_element (rows, i), "cells");
}

static JsonObject *
row_object (Response *r, guint i)
{
  JsonObject *row = json_array_get_object_element (arr (obj (r), "rows"), i);
  JsonNode *node = json_object_get_member (row, "object");
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
cell_is_null (JsonArray *cells, guint i)
{
  return JSON_NODE_HOLDS_NULL (json_array_get_element (cells, i));
}

/* A fresh object's age: "0s", "1s", ... */
static void
assert_young (const char *age)
{
  g_assert_nonnull (age);
  g_assert_true (g_str_has_suffix (age, "s"));
  g_assert_cmpint (g_ascii_strtoll (age, NULL, 10), <, 60);
}

static void
test_table_list_get (Fixture *f, gconstpointer data)
{
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS,
             "{\"metadata\":{\"name\":\"w1\",\"labels\":{\"app\":\"a\"}},\"spec\":{\"size\":3,"
             "\"color\":\"red\",\"ports\":[{\"port\":80},{\"port\":443}]}}");
    assert_ok (&r, 201);
  }
  create_widget (f, "default", "w2", "", "green");

  g_auto (Response) plain = { 0 };
  request (f, &plain, "GET", WIDGETS, NULL);
  assert_ok (&plain, 200);

  g_auto (Response) r = { 0 };
  get_accept (f, &r, WIDGETS "?limit=500", TABLE_ACCEPT);
  assert_ok (&r, 200);
  g_assert_cmpstr (r.content_type, ==, TABLE_V1);
  JsonObject *o = obj (&r);
  g_assert_cmpstr (str (o, "kind"), ==, "Table");
  g_assert_cmpstr (str (o, "apiVersion"), ==, "meta.k8s.io/v1");
  /* kubectl get -w watches from here. */
  g_assert_cmpint (rv_of (o), ==, rv_of (obj (&plain)));

  /* Name, the declared columns of priority 0, Age, then the wide ones. */
  static const struct {
    const char *name, *type, *format;
    gint64 priority;
  } columns[] = {
    { "Name", "string", "name", 0 }, { "SIZE", "integer", "", 0 }, { "Age", "string", "", 0 },
    { "COLOR", "string", "", 1 },    { "PORTS", "string", "", 1 },
  };
  JsonArray *defs = arr (o, "columnDefinitions");
  g_assert_cmpuint (json_array_get_length (defs), ==, G_N_ELEMENTS (columns));
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++) {
    JsonObject *def = json_array_get_object_element (defs, i);
    g_assert_cmpstr (str (def, "name"), ==, columns[i].name);
    g_assert_cmpstr (str (def, "type"), ==, columns[i].type);
    g_assert_cmpstr (str (def, "format"), ==, columns[i].format);
    g_assert_nonnull (str (def, "description"));
    g_assert_cmpint (num (def, "priority"), ==, columns[i].priority);
  }
  g_assert_cmpstr (str (json_array_get_object_element (defs, 1), "description"), ==,
                   "The size of the widget");

  g_assert_cmpuint (json_array_get_length (arr (o, "rows")), ==, 2);
  JsonArray *w1 = row_cells (&r, 0);
  g_assert_cmpuint (json_array_get_length (w1), ==, 5);
  g_assert_cmpstr (json_array_get_string_element (w1, 0), ==, "w1");
  g_assert_cmpint (json_array_get_int_element (w1, 1), ==, 3);
  assert_young (json_array_get_string_element (w1, 2));
  g_assert_cmpstr (json_array_get_string_element (w1, 3), ==, "RED"); /* the hook's */
  g_assert_cmpstr (json_array_get_string_element (w1, 4), ==, "80,443");
  /* Missing values are null cells (kubectl prints them empty). */
  JsonArray *w2 = row_cells (&r, 1);
  g_assert_cmpstr (json_array_get_string_element (w2, 0), ==, "w2");
  g_assert_true (cell_is_null (w2, 1));
  g_assert_cmpstr (json_array_get_string_element (w2, 3), ==, "GREEN");
  g_assert_true (cell_is_null (w2, 4));

  /* The default object: the metadata, for -A, --show-labels and -L. */
  JsonObject *partial = row_object (&r, 0);
  g_assert_nonnull (partial);
  g_assert_cmpstr (str (partial, "kind"), ==, "PartialObjectMetadata");
  g_assert_cmpstr (str (partial, "apiVersion"), ==, "meta.k8s.io/v1");
  g_assert_cmpstr (str (partial, "metadata.name"), ==, "w1");
  g_assert_cmpstr (str (partial, "metadata.namespace"), ==, "default");
  g_assert_cmpstr (str (partial, "metadata.labels.app"), ==, "a");
  g_assert_nonnull (str (partial, "metadata.uid"));
  g_assert_null (path_get (partial, "spec"));

  /* One object: a Table of one row, at the object's version. */
  {
    g_auto (Response) one = { 0 };
    get_accept (f, &one, WIDGETS "/w1", TABLE_ACCEPT);
    assert_ok (&one, 200);
    g_assert_cmpstr (one.content_type, ==, TABLE_V1);
    g_assert_cmpstr (str (obj (&one), "kind"), ==, "Table");
    g_assert_cmpuint (json_array_get_length (arr (obj (&one), "columnDefinitions")), ==, 5);
    g_assert_cmpuint (json_array_get_length (arr (obj (&one), "rows")), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (row_cells (&one, 0), 0), ==, "w1");
    g_assert_cmpint (rv_of (obj (&one)), ==, rv_of (row_object (&one, 0)));

    g_auto (Response) missing = { 0 };
    get_accept (f, &missing, WIDGETS "/nope", TABLE_ACCEPT);
    assert_status (&missing, 404, "NotFound");
    g_assert_cmpstr (missing.content_type, ==, "application/json");
  }
  /* includeObject: the whole object (kubectl --sort-by), or none. */
  {
    g_auto (Response) full = { 0 };
    get_accept (f, &full, WIDGETS "?includeObject=Object", TABLE_ACCEPT);
    assert_ok (&full, 200);
    JsonObject *widget = row_object (&full, 0);
    g_assert_cmpstr (str (widget, "kind"), ==, "Widget");
    g_assert_cmpint (num (widget, "spec.size"), ==, 3);

    g_auto (Response) none = { 0 };
    get_accept (f, &none, WIDGETS "/w1?includeObject=None", TABLE_ACCEPT);
    assert_ok (&none, 200);
    g_assert_null (row_object (&none, 0));
    g_assert_cmpuint (json_array_get_length (row_cells (&none, 0)), ==, 5);

    g_auto (Response) meta = { 0 };
    get_accept (f, &meta, WIDGETS "?includeObject=Metadata", TABLE_ACCEPT);
    assert_ok (&meta, 200);
    g_assert_cmpstr (str (row_object (&meta, 1), "kind"), ==, "PartialObjectMetadata");

    g_auto (Response) bad = { 0 };
    get_accept (f, &bad, WIDGETS "?includeObject=Everything", TABLE_ACCEPT);
    assert_status (&bad, 400, "BadRequest");
    /* Without a Table, the parameter means nothing. */
    g_auto (Response) ignored = { 0 };
    request (f, &ignored, "GET", WIDGETS "?includeObject=Everything", NULL);
    assert_ok (&ignored, 200);
    g_assert_cmpstr (str (obj (&ignored), "kind"), ==, "WidgetList");
  }
  /* v1beta1, for the clients that ask for it only. */
  {
    g_auto (Response) beta = { 0 };
    get_accept (f, &beta, WIDGETS, "application/json;as=Table;v=v1beta1;g=meta.k8s.io");
    assert_ok (&beta, 200);
    g_assert_cmpstr (beta.content_type, ==, "application/json;as=Table;v=v1beta1;g=meta.k8s.io");
    g_assert_cmpstr (str (obj (&beta), "apiVersion"), ==, "meta.k8s.io/v1beta1");
    g_assert_cmpstr (str (row_object (&beta, 0), "apiVersion"), ==, "meta.k8s.io/v1beta1");
  }
  /* Pages: the continue token is on the Table. */
  {
    g_auto (Response) page = { 0 };
    get_accept (f, &page, WIDGETS "?limit=1", TABLE_ACCEPT);
    assert_ok (&page, 200);
    g_assert_cmpuint (json_array_get_length (arr (obj (&page), "rows")), ==, 1);
    g_assert_nonnull (str (obj (&page), "metadata.continue"));
  }
  /* A type without columns: Name and Age; an empty list has no rows. */
  {
    g_auto (Response) gadgets = { 0 };
    get_accept (f, &gadgets, GADGETS, TABLE_ACCEPT);
    assert_ok (&gadgets, 200);
    JsonArray *gdefs = arr (obj (&gadgets), "columnDefinitions");
    g_assert_cmpuint (json_array_get_length (gdefs), ==, 2);
    g_assert_cmpstr (str (json_array_get_object_element (gdefs, 1), "name"), ==, "Age");
    g_assert_cmpuint (json_array_get_length (arr (obj (&gadgets), "rows")), ==, 0);
  }
}

/* Accept headers: the first acceptable range wins; odd ones fall back
 * to JSON; only conversions that timond does not make get 406. */
static void
test_table_accept (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "w1", "", "red");

  static const struct {
    const char *accept;
    const char *kind; /* NULL: 406 */
  } cases[] = {
    { "application/json;as=Table;v=v1;g=meta.k8s.io", "Table" },
    { "application/json ; as=Table ; v=v1 ; g=meta.k8s.io", "Table" },
    { "application/json;as=\"Table\";v=\"v1\";g=\"meta.k8s.io\"", "Table" },
    { "application/json, application/json;as=Table;v=v1;g=meta.k8s.io", "WidgetList" },
    { "application/json;as=Table;v=v9;g=meta.k8s.io,application/json", "WidgetList" },
    { "application/json;as=Table;v=v1;g=meta.k8s.io;q=0,application/json", "WidgetList" },
    { "application/vnd.kubernetes.protobuf,application/json", "WidgetList" },
    { "application/vnd.kubernetes.protobuf, */*", "WidgetList" },
    { "text/html", "WidgetList" },
    { "", "WidgetList" },
    { ",;,;=;==,", "WidgetList" },
    { "application/json;as", "WidgetList" },
    { "application/json;;;=;as=", NULL },
    { "application/json;as=Table;v=v9;g=meta.k8s.io", NULL },
    { "application/json;as=Table", NULL },
    { "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", NULL },
    { "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", NULL },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_auto (Response) r = { 0 };
    g_test_message ("Accept: %s", cases[i].accept);
    get_accept (f, &r, WIDGETS, cases[i].accept);
    if (cases[i].kind == NULL) {
      assert_status (&r, 406, "NotAcceptable");
      continue;
    }
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "kind"), ==, cases[i].kind);
  }
}

/* `kubectl get -w`: Tables of one row, the first with the columns. */
static void
test_table_watch (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "before", "", "red");

  g_autoptr (Watch) w = watch_start_accept (f, WIDGETS "?watch=true", TABLE_ACCEPT);
  g_autofree char *type = NULL;
  g_autoptr (JsonNode) first = watch_next (w, &type);
  g_assert_nonnull (first);
  g_assert_cmpstr (type, ==, "ADDED");
  JsonObject *table = json_node_get_object (first);
  g_assert_cmpstr (str (table, "kind"), ==, "Table");
  g_assert_cmpuint (json_array_get_length (arr (table, "columnDefinitions")), ==, 5);
  JsonObject *row = json_array_get_object_element (arr (table, "rows"), 0);
  g_assert_cmpstr (json_array_get_string_element (arr (row, "cells"), 0), ==, "before");
  g_assert_cmpstr (str (row, "object.kind"), ==, "PartialObjectMetadata");
  g_assert_cmpint (rv_of (table), ==, rv_of (json_object_get_object_member (row, "object")));

  create_widget (f, "default", "after", "", "red");
  g_autofree char *type2 = NULL;
  g_autoptr (JsonNode) second = watch_next (w, &type2);
  g_assert_nonnull (second);
  g_assert_cmpstr (type2, ==, "ADDED");
  table = json_node_get_object (second);
  g_assert_cmpstr (str (table, "kind"), ==, "Table");
  g_assert_null (path_get (table, "columnDefinitions"));
  row = json_array_get_object_element (arr (table, "rows"), 0);
  g_assert_cmpstr (json_array_get_string_element (arr (row, "cells"), 0), ==, "after");

  /* A bad includeObject is refused before the stream starts. */
  g_auto (Response) bad = { 0 };
  get_accept (f, &bad, WIDGETS "?watch=true&includeObject=All", TABLE_ACCEPT);
  assert_status (&bad, 400, "BadRequest");
}

/* ---- aggregated discovery ----------------------------------------------- */

#define DISCOVERY_ACCEPT                                                                   \
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;" \
  "g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
#define DISCOVERY_V2BETA1 \
  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

static JsonObject *
find_group (Response *r, const char *name)
{
  JsonArray *items = arr (obj (r), "items");
  for (guint i = 0; i < json_array_get_length (items); i++) {
    JsonObject *item = json_array_get_object_element (items, i);
    if (g_strcmp0 (str (item, "metadata.name"), name) == 0)
      return item;
  }
  return NULL;
}

static void
test_aggregated_discovery (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *accept;
    const char *version;
  } versions[] = {
    { DISCOVERY_ACCEPT, "v2" },
    { DISCOVERY_V2BETA1, "v2beta1" },
  };
  for (size_t v = 0; v < G_N_ELEMENTS (versions); v++) {
    g_autofree char *content_type =
      g_strdup_printf ("application/json;g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList",
                       versions[v].version);
    g_autofree char *api_version = g_strdup_printf ("apidiscovery.k8s.io/%s", versions[v].version);

    /* /api: the core group alone, named "". */
    g_auto (Response) core = { 0 };
    get_accept (f, &core, "/api?timeout=32s", versions[v].accept);
    assert_ok (&core, 200);
    g_assert_cmpstr (core.content_type, ==, content_type);
    g_assert_cmpstr (str (obj (&core), "kind"), ==, "APIGroupDiscoveryList");
    g_assert_cmpstr (str (obj (&core), "apiVersion"), ==, api_version);
    g_assert_cmpuint (json_array_get_length (arr (obj (&core), "items")), ==, 1);
    JsonObject *core_group = find_group (&core, "");
    g_assert_nonnull (core_group);
    g_assert_cmpstr (str (json_array_get_object_element (arr (core_group, "versions"), 0),
                          "version"),
                     ==, "v1");
    g_assert_null (find_group (&core, "test.timon.io"));

    /* /apis: the other groups, with their resources. */
    g_auto (Response) r = { 0 };
    get_accept (f, &r, "/apis?timeout=32s", versions[v].accept);
    assert_ok (&r, 200);
    g_assert_cmpstr (r.content_type, ==, content_type);
    g_assert_cmpstr (str (obj (&r), "apiVersion"), ==, api_version);
    g_assert_null (find_group (&r, ""));
    JsonObject *group = find_group (&r, "test.timon.io");
    g_assert_nonnull (group);
    JsonArray *group_versions = arr (group, "versions");
    g_assert_cmpuint (json_array_get_length (group_versions), ==, 1);
    JsonObject *v1 = json_array_get_object_element (group_versions, 0);
    g_assert_cmpstr (str (v1, "version"), ==, "v1");
    g_assert_cmpstr (str (v1, "freshness"), ==, "Current");
    JsonArray *resources = arr (v1, "resources");
    JsonObject *widgets = find_by_name (resources, "resource", "widgets");
    g_assert_nonnull (widgets);
    g_assert_cmpstr (str (widgets, "responseKind.group"), ==, "test.timon.io");
    g_assert_cmpstr (str (widgets, "responseKind.version"), ==, "v1");
    g_assert_cmpstr (str (widgets, "responseKind.kind"), ==, "Widget");
    g_assert_cmpstr (str (widgets, "scope"), ==, "Namespaced");
    g_assert_cmpstr (str (widgets, "singularResource"), ==, "widget");
    g_assert_cmpstr (json_array_get_string_element (arr (widgets, "shortNames"), 0), ==, "wd");
    g_assert_cmpstr (json_array_get_string_element (arr (widgets, "categories"), 0), ==, "all");
    JsonArray *verbs = arr (widgets, "verbs");
    gboolean has_list = FALSE, has_deletecollection = FALSE;
    for (guint i = 0; i < json_array_get_length (verbs); i++) {
      const char *verb = json_array_get_string_element (verbs, i);
      has_list = has_list || g_strcmp0 (verb, "list") == 0;
      has_deletecollection = has_deletecollection || g_strcmp0 (verb, "deletecollection") == 0;
    }
    g_assert_true (has_list);
    g_assert_true (has_deletecollection);
    JsonObject *status = json_array_get_object_element (arr (widgets, "subresources"), 0);
    g_assert_cmpstr (str (status, "subresource"), ==, "status");
    g_assert_cmpstr (str (status, "responseKind.kind"), ==, "Widget");
    g_assert_cmpuint (json_array_get_length (arr (status, "verbs")), >, 0);
    JsonObject *gadgets = find_by_name (resources, "resource", "gadgets");
    g_assert_nonnull (gadgets);
    g_assert_cmpstr (str (gadgets, "scope"), ==, "Cluster");
    g_assert_null (path_get (gadgets, "subresources"));
  }

  /* Plain requests keep the legacy form; a version not served falls
   * back to it when the client allows, else 406. */
  static const struct {
    const char *accept;
    const char *api_kind; /* NULL: 406 */
    const char *apis_kind;
  } legacy[] = {
    { NULL, "APIVersions", "APIGroupList" },
    { "application/json, */*", "APIVersions", "APIGroupList" },
    { "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json",
      "APIVersions", "APIGroupList" },
    { "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList", NULL, NULL },
    { "application/json;as=Table;v=v1;g=meta.k8s.io,application/json", "APIVersions",
      "APIGroupList" },
    { ";;,=,\"", "APIVersions", "APIGroupList" },
    { "application/json;as=Table;v=v1;g=meta.k8s.io", NULL, NULL },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (legacy); i++) {
    g_auto (Response) api = { 0 };
    g_auto (Response) apis = { 0 };
    g_test_message ("Accept: %s", legacy[i].accept ? legacy[i].accept : "(none)");
    get_accept (f, &api, "/api", legacy[i].accept);
    get_accept (f, &apis, "/apis", legacy[i].accept);
    if (legacy[i].api_kind == NULL) {
      assert_status (&api, 406, "NotAcceptable");
      assert_status (&apis, 406, "NotAcceptable");
      continue;
    }
    assert_ok (&api, 200);
    assert_ok (&apis, 200);
    g_assert_cmpstr (api.content_type, ==, "application/json");
    g_assert_cmpstr (apis.content_type, ==, "application/json");
    g_assert_cmpstr (str (obj (&api), "kind"), ==, legacy[i].api_kind);
    g_assert_cmpstr (str (obj (&apis), "kind"), ==, legacy[i].apis_kind);
  }
  /* The per-group-version documents stay, for kubectl 1.27-1.29. */
  g_auto (Response) gv = { 0 };
  get_accept (f, &gv, "/apis/test.timon.io/v1", DISCOVERY_ACCEPT);
  assert_ok (&gv, 200);
  g_assert_cmpstr (str (obj (&gv), "kind"), ==, "APIResourceList");
}

/* ---- deletion --------------------------------------------------------- */

/* Creates a widget in default with @finalizers (a JSON array body) and
 * labels; returns its uid. */
static char *
create_held_widget (Fixture *f, const char *name, const char *labels, const char *finalizers)
{
  g_auto (Response) r = { 0 };
  g_autofree char *body = g_strdup_printf (
    "{\"metadata\":{\"name\":\"%s\",\"labels\":{%s},\"finalizers\":%s},\"spec\":{\"size\":1}}",
    name, labels, finalizers);
  request (f, &r, "POST", WIDGETS, body);
  assert_ok (&r, 201);
  return g_strdup (str (obj (&r), "metadata.uid"));
}

static guint
finalizer_count (JsonObject *o)
{
  JsonNode *node = path_get (o, "metadata.finalizers");
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node)
           ? json_array_get_length (json_node_get_array (node))
           : 0;
}

/* Finalizers hold a deleted object with a deletionTimestamp until an
 * update takes the last one away: MODIFIED, then DELETED. */
static void
test_delete_finalizers (Fixture *f, gconstpointer data)
{
  g_autofree char *uid = create_held_widget (f, "held", "", "[\"test.timon.io/hold\"]");
  g_auto (Response) list = { 0 };
  request (f, &list, "GET", WIDGETS, NULL);
  assert_ok (&list, 200);
  g_autofree char *path =
    g_strdup_printf (WIDGETS "?watch=true&resourceVersion=%" G_GINT64_FORMAT, rv_of (obj (&list)));
  g_autoptr (Watch) w = watch_start (f, path);
  g_autofree char *stamp = NULL;
  gint64 rv = 0;

  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/held", NULL);
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    stamp = g_strdup (str (o, "metadata.deletionTimestamp"));
    g_assert_nonnull (stamp);
    g_assert_true (g_str_has_suffix (stamp, "Z"));
    g_assert_cmpint (num (o, "metadata.deletionGracePeriodSeconds"), ==, 0);
    g_assert_cmpuint (finalizer_count (o), ==, 1);
    rv = rv_of (o);
  }
  g_assert_cmpint (expect_event (w, "MODIFIED", "held"), ==, rv);
  {
    /* Still there; a second DELETE answers it and writes nothing. */
    g_auto (Response) get = { 0 };
    request (f, &get, "GET", WIDGETS "/held", NULL);
    assert_ok (&get, 200);
    g_assert_cmpstr (str (obj (&get), "metadata.deletionTimestamp"), ==, stamp);
    g_auto (Response) again = { 0 };
    request (f, &again, "DELETE", WIDGETS "/held", NULL);
    assert_ok (&again, 200);
    g_assert_cmpint (rv_of (obj (&again)), ==, rv);
    g_assert_cmpstr (str (obj (&again), "metadata.deletionTimestamp"), ==, stamp);
  }
  {
    /* No new finalizers once it terminates. */
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/held",
             "{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"test.timon.io/hold\","
             "\"test.timon.io/more\"]},\"spec\":{\"size\":1}}");
    assert_status (&r, 422, "Invalid");
    assert_contains (
      str (obj (&r), "message"),
      "metadata.finalizers: Forbidden: no new finalizers can be added if the "
      "object is being deleted, found new finalizers []string{\"test.timon.io/more\"}");
  }
  {
    /* The deletionTimestamp is the server's: an update keeps it. */
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/held",
             "{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"test.timon.io/hold\"],"
             "\"deletionTimestamp\":\"2000-01-01T00:00:00Z\"},\"spec\":{\"size\":2}}");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "metadata.deletionTimestamp"), ==, stamp);
    g_assert_cmpint (num (obj (&r), "metadata.deletionGracePeriodSeconds"), ==, 0);
  }
  expect_event (w, "MODIFIED", "held");
  {
    /* The last finalizer goes: so does the object. */
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/held",
             "{\"metadata\":{\"name\":\"held\",\"finalizers\":[]},\"spec\":{\"size\":2}}");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "metadata.uid"), ==, uid);
    g_auto (Response) gone = { 0 };
    request (f, &gone, "GET", WIDGETS "/held", NULL);
    assert_status (&gone, 404, "NotFound");
  }
  expect_event (w, "DELETED", "held");

  /* Finalizers are qualified names, in a list of strings: Kubernetes
   * cannot decode another list (400) and refuses other names (422). */
  static const struct {
    const char *finalizers;
    guint code;
    const char *reason;
    const char *message;
  } bad[] = {
    { "\"test.timon.io/x\"", 400, "BadRequest",
      "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.finalizers of type "
      "[]string" },
    { "[1]", 400, "BadRequest",
      "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.finalizers of type "
      "string" },
    { "[\"Not a name!\"]", 422, "Invalid", "metadata.finalizers: Invalid value: \"Not a name!\"" },
    { "[\"orphan\",\"foregroundDeletion\"]", 422, "Invalid",
      "finalizer orphan and foregroundDeletion cannot be both set" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (Response) r = { 0 };
    g_autofree char *body =
      g_strdup_printf ("{\"metadata\":{\"name\":\"bad\",\"finalizers\":%s}}", bad[i].finalizers);
    request (f, &r, "POST", WIDGETS, body);
    assert_status (&r, bad[i].code, bad[i].reason);
    assert_contains (str (obj (&r), "message"), bad[i].message);
  }

  /* A live object may not be given a deletionTimestamp by an update. */
  create_widget (f, "default", "live", "", "red");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", WIDGETS "/live",
             "{\"metadata\":{\"name\":\"live\",\"deletionTimestamp\":\"2000-01-01T00:00:00Z\"},"
             "\"spec\":{\"size\":2}}");
    assert_ok (&r, 200);
    g_assert_null (path_get (obj (&r), "metadata.deletionTimestamp"));
  }
  /* Without finalizers: gone at once. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/live", NULL);
    assert_ok (&r, 200);
    g_auto (Response) gone = { 0 };
    request (f, &gone, "GET", WIDGETS "/live", NULL);
    assert_status (&gone, 404, "NotFound");
  }
  expect_event (w, "ADDED", "live");
  expect_event (w, "MODIFIED", "live");
  expect_event (w, "DELETED", "live");
}

/* DeleteOptions, in the body or the query. */
static void
test_delete_options (Fixture *f, gconstpointer data)
{
  g_autofree char *uid = create_held_widget (f, "w1", "", "[]");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w1",
             "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"uid\":"
             "\"nope\"}}");
    assert_status (&r, 409, "Conflict");
    g_autofree char *expected =
      g_strdup_printf ("Precondition failed: UID in precondition: nope, UID in object meta: %s",
                       uid);
    assert_contains (str (obj (&r), "message"), expected);
    g_assert_cmpstr (str (obj (&r), "details.name"), ==, "w1");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w1", "{\"preconditions\":{\"resourceVersion\":\"1\"}}");
    assert_status (&r, 409, "Conflict");
    assert_contains (str (obj (&r), "message"),
                     "Precondition failed: ResourceVersion in precondition: 1, ResourceVersion "
                     "in object meta: ");
  }
  /* Values Kubernetes does not know: 422 about the DeleteOptions, as
   * its ValidateDeleteOptions answers; bodies that do not decode: 400. */
  static const struct {
    const char *path;
    const char *body;
    guint code;
    const char *reason;
    const char *message;
  } bad[] = {
    { WIDGETS "/w1", "{\"propagationPolicy\":\"Sideways\"}", 422, "Invalid",
      "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: "
      "\"Sideways\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"" },
    { WIDGETS "/w1?propagationPolicy=Sideways", NULL, 422, "Invalid", "propagationPolicy" },
    { WIDGETS "?propagationPolicy=Sideways", NULL, 422, "Invalid", "propagationPolicy" },
    { WIDGETS "/w1?dryRun=Some", NULL, 422, "Invalid", "dryRun: Unsupported value: \"Some\"" },
    { WIDGETS "/w1", "{\"orphanDependents\":true,\"propagationPolicy\":\"Orphan\"}", 422, "Invalid",
      "orphanDependents and deletionPropagation cannot be both set" },
    { WIDGETS "/w1?gracePeriodSeconds=soon", NULL, 400, "BadRequest", "gracePeriodSeconds" },
    { WIDGETS "/w1?orphanDependents=maybe", NULL, 400, "BadRequest", "orphanDependents" },
    { WIDGETS "/w1", "{\"propagationPolicy\":3}", 400, "BadRequest", "propagationPolicy" },
    { WIDGETS "/w1", "{\"dryRun\":\"All\"}", 400, "BadRequest", "dryRun" },
    { WIDGETS "/w1", "{\"preconditions\":[]}", 400, "BadRequest", "preconditions" },
    { WIDGETS "/w1", "{\"propagationPolicy\":3,\"dryRun\":1,\"preconditions\":1}", 400,
      "BadRequest", "propagationPolicy" },
    { WIDGETS "/w1", "{\"kind\":{},\"apiVersion\":[]}", 400, "BadRequest", "DeleteOptions" },
    { WIDGETS "/w1", "{\"preconditions\":{\"uid\":1,\"resourceVersion\":2}}", 400, "BadRequest",
      "uid" },
    { WIDGETS "/w1", "{\"preconditions\":{\"uid\":7}}", 400, "BadRequest", "uid" },
    { WIDGETS "/w1", "{\"kind\":\"Widget\"}", 400, "BadRequest", "DeleteOptions" },
    { WIDGETS "/w1", "[1]", 400, "BadRequest", "not a JSON object" },
    { WIDGETS "/w1", "{", 400, "BadRequest", "not valid JSON" },
  };
  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", bad[i].path, bad[i].body);
    assert_status (&r, bad[i].code, bad[i].reason);
    assert_contains (str (obj (&r), "message"), bad[i].message);
  }
  {
    g_auto (Response) r = { 0 };
    request_full (f, &r, "DELETE", WIDGETS "/w1", "text/plain", "x", 1, NULL);
    assert_status (&r, 415, "UnsupportedMediaType");
  }
  /* Nothing of that wrote anything. */
  g_auto (Response) before = { 0 };
  request (f, &before, "GET", WIDGETS "/w1", NULL);
  assert_ok (&before, 200);
  gint64 rv = rv_of (obj (&before));
  g_assert_null (path_get (obj (&before), "metadata.deletionTimestamp"));

  /* dryRun=All: the answer of a deletion, and nothing written. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w1?dryRun=All", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "metadata.name"), ==, "w1");
    g_auto (Response) dry = { 0 };
    request (f, &dry, "DELETE", WIDGETS "/w1",
             "{\"dryRun\":[\"All\"],\"propagationPolicy\":\"Foreground\"}");
    assert_ok (&dry, 200);
    g_assert_nonnull (str (obj (&dry), "metadata.deletionTimestamp"));
    g_auto (Response) get = { 0 };
    request (f, &get, "GET", WIDGETS "/w1", NULL);
    assert_ok (&get, 200);
    g_assert_cmpint (rv_of (obj (&get)), ==, rv);
    g_assert_null (path_get (obj (&get), "metadata.deletionTimestamp"));
  }
  /* Foreground and Orphan add the garbage collector's finalizers: the
   * object stays until they are removed. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w1", "{\"propagationPolicy\":\"Foreground\"}");
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    g_assert_nonnull (str (o, "metadata.deletionTimestamp"));
    g_assert_cmpuint (finalizer_count (o), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (json_node_get_array (
                                                      path_get (o, "metadata.finalizers")),
                                                    0),
                     ==, "foregroundDeletion");
  }
  g_free (create_held_widget (f, "w2", "", "[\"test.timon.io/hold\"]"));
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w2?propagationPolicy=Orphan&gracePeriodSeconds=30", NULL);
    assert_ok (&r, 200);
    JsonArray *finalizers = json_node_get_array (path_get (obj (&r), "metadata.finalizers"));
    g_assert_cmpuint (json_array_get_length (finalizers), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (finalizers, 0), ==, "test.timon.io/hold");
    g_assert_cmpstr (json_array_get_string_element (finalizers, 1), ==, "orphan");
    gint64 rv2 = rv_of (obj (&r));

    /* Deleted again: nothing written, unless the policy changes the
     * collector's finalizers (Background drops "orphan"). */
    g_auto (Response) again = { 0 };
    request (f, &again, "DELETE", WIDGETS "/w2?propagationPolicy=Orphan", NULL);
    assert_ok (&again, 200);
    g_assert_cmpint (rv_of (obj (&again)), ==, rv2);
    g_auto (Response) background = { 0 };
    request (f, &background, "DELETE", WIDGETS "/w2", "{\"propagationPolicy\":\"Background\"}");
    assert_ok (&background, 200);
    g_assert_cmpint (rv_of (obj (&background)), >, rv2);
    g_assert_cmpuint (finalizer_count (obj (&background)), ==, 1);
    g_assert_cmpstr (str (obj (&background), "metadata.deletionTimestamp"), ==,
                     str (obj (&r), "metadata.deletionTimestamp"));
  }
  /* Background takes the collector's finalizers away: nothing holds
   * w3, which goes at once; a matching precondition lets it. orphanDependents=false asks for
   * 202 when the object stays (w4). */
  g_free (create_held_widget (f, "w3", "", "[\"orphan\"]"));
  {
    g_auto (Response) get = { 0 };
    request (f, &get, "GET", WIDGETS "/w3", NULL);
    g_autofree char *body = g_strdup_printf (
      "{\"propagationPolicy\":\"Background\",\"gracePeriodSeconds\":0,\"preconditions\":{"
      "\"uid\":\"%s\",\"resourceVersion\":\"%s\"}}",
      str (obj (&get), "metadata.uid"), str (obj (&get), "metadata.resourceVersion"));
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w3", body);
    assert_ok (&r, 200);
    g_auto (Response) gone = { 0 };
    request (f, &gone, "GET", WIDGETS "/w3", NULL);
    assert_status (&gone, 404, "NotFound");
  }
  g_free (create_held_widget (f, "w4", "", "[\"test.timon.io/hold\"]"));
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "/w4?orphanDependents=false", NULL);
    assert_ok (&r, 202);
    g_assert_nonnull (str (obj (&r), "metadata.deletionTimestamp"));
  }
}

/* A deleted namespace terminates (its spec.finalizers hold it) and
 * takes no new objects. */
static void
test_delete_namespace (Fixture *f, gconstpointer data)
{
  if (!have_namespaces (f)) {
    g_test_skip ("the resources/core plugin is not built");
    return;
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", "/api/v1/namespaces/default", NULL);
    assert_status (&r, 403, "Forbidden");
    g_assert_cmpstr (str (obj (&r), "message"), ==,
                     "namespaces \"default\" is forbidden: this namespace may not be deleted");
    g_auto (Response) get = { 0 };
    request (f, &get, "GET", "/api/v1/namespaces/default", NULL);
    assert_ok (&get, 200);
    g_assert_null (path_get (obj (&get), "metadata.deletionTimestamp"));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"doomed\"}}");
    assert_ok (&r, 201);
  }
  create_widget (f, "doomed", "before", "", "red");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", "/api/v1/namespaces/doomed",
             "{\"propagationPolicy\":\"Background\"}");
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    g_assert_cmpstr (str (o, "status.phase"), ==, "Terminating");
    g_assert_nonnull (str (o, "metadata.deletionTimestamp"));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/api/v1/namespaces/doomed", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "status.phase"), ==, "Terminating");
    g_assert_cmpstr (json_array_get_string_element (json_node_get_array (
                                                      path_get (obj (&r), "spec.finalizers")),
                                                    0),
                     ==, "kubernetes");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", "/apis/test.timon.io/v1/namespaces/doomed/widgets",
             "{\"metadata\":{\"name\":\"late\"}}");
    assert_status (&r, 403, "Forbidden");
    g_assert_cmpstr (str (obj (&r), "message"), ==,
                     "widgets.test.timon.io \"late\" is forbidden: unable to create new content "
                     "in namespace doomed because it is being terminated");
    JsonArray *causes = json_node_get_array (path_get (obj (&r), "details.causes"));
    g_assert_cmpstr (str (json_array_get_object_element (causes, 0), "reason"), ==,
                     "NamespaceTerminating");
  }
  {
    /* What is in it stays, for the namespace controller to remove. */
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/apis/test.timon.io/v1/namespaces/doomed/widgets/before", NULL);
    assert_ok (&r, 200);
  }
  {
    /* Its finalizers gone, it goes. */
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", "/api/v1/namespaces/doomed",
             "{\"metadata\":{\"name\":\"doomed\"},\"spec\":{\"finalizers\":[]}}");
    assert_ok (&r, 200);
    g_auto (Response) gone = { 0 };
    request (f, &gone, "GET", "/api/v1/namespaces/doomed", NULL);
    assert_status (&gone, 404, "NotFound");
  }
}

static void
assert_names (Response *r, const char *const *names)
{
  assert_ok (r, 200);
  JsonArray *items = json_object_get_array_member (obj (r), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, g_strv_length ((char **) names));
  for (guint i = 0; names[i] != NULL; i++)
    g_assert_cmpstr (str (json_array_get_object_element (items, i), "metadata.name"), ==, names[i]);
}

/* DELETE on a collection: each match deleted as one DELETE would, and
 * the list of them in the answer. */
static void
test_delete_collection (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "a", "\"app\":\"web\"", "red");
  g_free (create_held_widget (f, "b", "\"app\":\"web\"", "[\"test.timon.io/hold\"]"));
  create_widget (f, "default", "c", "\"app\":\"db\"", "red");
  create_widget (f, "default", "d", "\"app\":\"web\"", "green");
  create_widget (f, "kube-system", "e", "\"app\":\"web\"", "red");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "?labelSelector=app%3Dweb&dryRun=All", NULL);
    assert_names (&r, (const char *const[]){ "a", "b", "d", NULL });
    g_auto (Response) all = { 0 };
    request (f, &all, "GET", WIDGETS, NULL);
    assert_names (&all, (const char *const[]){ "a", "b", "c", "d", NULL });
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "?labelSelector=app%3Dweb&fieldSelector=spec.color!%3Dgreen",
             NULL);
    assert_names (&r, (const char *const[]){ "a", "b", NULL });
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "WidgetList");
    /* b has a finalizer: it terminates. */
    JsonObject *b =
      json_array_get_object_element (json_object_get_array_member (obj (&r), "items"), 1);
    g_assert_nonnull (str (b, "metadata.deletionTimestamp"));
  }
  {
    g_auto (Response) all = { 0 };
    request (f, &all, "GET", WIDGETS, NULL);
    assert_names (&all, (const char *const[]){ "b", "c", "d", NULL });
    g_auto (Response) other = { 0 };
    request (f, &other, "GET", "/apis/test.timon.io/v1/namespaces/kube-system/widgets", NULL);
    assert_names (&other, (const char *const[]){ "e", NULL });
  }
  /* A precondition that fails for one deletes none. */
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS, "{\"preconditions\":{\"uid\":\"nope\"}}");
    assert_status (&r, 409, "Conflict");
    g_auto (Response) all = { 0 };
    request (f, &all, "GET", WIDGETS, NULL);
    assert_names (&all, (const char *const[]){ "b", "c", "d", NULL });
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS "?labelSelector=%3D%3D", NULL);
    assert_status (&r, 400, "BadRequest");
  }
  {
    /* No collection across namespaces, as in Kubernetes. */
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", "/apis/test.timon.io/v1/widgets", NULL);
    assert_status (&r, 405, "MethodNotAllowed");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", WIDGETS, NULL);
    assert_names (&r, (const char *const[]){ "b", "c", "d", NULL });
    g_auto (Response) all = { 0 };
    request (f, &all, "GET", WIDGETS, NULL);
    assert_names (&all, (const char *const[]){ "b", NULL });
  }
  /* Cluster-scoped. */
  {
    g_auto (Response) created = { 0 };
    request (f, &created, "POST", GADGETS, "{\"metadata\":{\"name\":\"g1\"}}");
    assert_ok (&created, 201);
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", GADGETS, NULL);
    assert_names (&r, (const char *const[]){ "g1", NULL });
    g_auto (Response) all = { 0 };
    request (f, &all, "GET", GADGETS, NULL);
    assert_names (&all, (const char *const[]){ NULL });
  }
}

/* ---- subresources: scale and binding ----------------------------------- */

#define GIZMOS "/apis/test.timon.io/v1/namespaces/default/gizmos"

static void
create_gizmo (Fixture *f, const char *name)
{
  g_auto (Response) r = { 0 };
  g_autofree char *body = g_strdup_printf (
    "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"
    "{\"tier\":\"web\",\"app\":\"x\"},\"matchExpressions\":[{\"key\":\"env\",\"operator\":"
    "\"In\",\"values\":[\"prod\",\"dev\"]},{\"key\":\"canary\",\"operator\":\"DoesNotExist\"}]}}}",
    name);
  request (f, &r, "POST", GIZMOS, body);
  assert_ok (&r, 201);
}

/* GET and PUT of an autoscaling/v1 Scale, its preconditions and checks,
 * a merge patch as `kubectl scale` sends, and discovery. */
static void
test_scale (Fixture *f, gconstpointer data)
{
  g_autofree char *uid = NULL;
  gint64 generation = 0;
  gint64 rv = 0;

  create_gizmo (f, "g");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", GIZMOS "/g", NULL);
    assert_ok (&r, 200);
    uid = g_strdup (str (obj (&r), "metadata.uid"));
    generation = num (obj (&r), "metadata.generation");
    rv = rv_of (obj (&r));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", GIZMOS "/g/scale", NULL);
    assert_ok (&r, 200);
    JsonObject *o = obj (&r);
    g_assert_cmpstr (str (o, "kind"), ==, "Scale");
    g_assert_cmpstr (str (o, "apiVersion"), ==, "autoscaling/v1");
    g_assert_cmpstr (str (o, "metadata.name"), ==, "g");
    g_assert_cmpstr (str (o, "metadata.namespace"), ==, "default");
    g_assert_cmpstr (str (o, "metadata.uid"), ==, uid);
    g_assert_nonnull (str (o, "metadata.creationTimestamp"));
    g_assert_cmpint (rv_of (o), ==, rv);
    g_assert_cmpint (num (o, "spec.replicas"), ==, 2);
    g_assert_cmpint (num (o, "status.replicas"), ==, 0);
    /* Sorted by key, as Kubernetes prints a selector. */
    g_assert_cmpstr (str (o, "status.selector"), ==, "app=x,!canary,env in (dev,prod),tier=web");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", GIZMOS "/g/scale",
             "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"g\"},"
             "\"spec\":{\"replicas\":5}}");
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "Scale");
    g_assert_cmpint (num (obj (&r), "spec.replicas"), ==, 5);
    g_assert_cmpint (rv_of (obj (&r)), >, rv);
    rv = rv_of (obj (&r));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", GIZMOS "/g", NULL);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "spec.replicas"), ==, 5);
    g_assert_cmpint (num (obj (&r), "metadata.generation"), ==, generation + 1);
    /* The rest of the spec stays. */
    g_assert_cmpstr (str (obj (&r), "spec.selector.matchLabels.app"), ==, "x");
  }
  {
    /* A stale resourceVersion: 409, nothing written. */
    g_auto (Response) r = { 0 };
    g_autofree char *body =
      g_strdup_printf ("{\"metadata\":{\"resourceVersion\":\"%" G_GINT64_FORMAT
                       "\"},\"spec\":{\"replicas\":1}}",
                       rv - 1);
    request (f, &r, "PUT", GIZMOS "/g/scale", body);
    assert_status (&r, 409, "Conflict");
  }
  {
    g_auto (Response) r = { 0 };
    g_autofree char *body =
      g_strdup_printf ("{\"metadata\":{\"resourceVersion\":\"%" G_GINT64_FORMAT
                       "\"},\"spec\":{\"replicas\":1}}",
                       rv);
    request (f, &r, "PUT", GIZMOS "/g/scale", body);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "spec.replicas"), ==, 1);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", GIZMOS "/g/scale", "{\"spec\":{\"replicas\":-1}}");
    assert_status (&r, 422, "Invalid");
    g_assert_cmpstr (str (obj (&r), "details.kind"), ==, "Scale");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", GIZMOS "/g/scale", "{\"spec\":{\"replicas\":\"3\"}}");
    assert_status (&r, 422, "Invalid");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", GIZMOS "/g/scale", "{\"kind\":\"Gizmo\",\"spec\":{\"replicas\":3}}");
    assert_status (&r, 400, "BadRequest");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", GIZMOS "/g/scale", "{\"metadata\":[],\"spec\":{\"replicas\":3}}");
    assert_status (&r, 400, "BadRequest");
  }
  {
    g_auto (Response) r = { 0 };
    const char *patch = "{\"spec\":\"big\"}";
    request_full (f, &r, "PATCH", GIZMOS "/g/scale", "application/merge-patch+json", patch,
                  strlen (patch), NULL);
    assert_status (&r, 400, "BadRequest");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PUT", GIZMOS "/g/scale", "not json");
    assert_status (&r, 400, "BadRequest");
  }
  {
    /* What `kubectl scale` sends. */
    g_auto (Response) r = { 0 };
    const char *patch = "{\"spec\":{\"replicas\":3}}";
    request_full (f, &r, "PATCH", GIZMOS "/g/scale", "application/merge-patch+json", patch,
                  strlen (patch), NULL);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "spec.replicas"), ==, 3);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "PATCH", GIZMOS "/g/scale", "{\"spec\":{\"replicas\":3}}");
    assert_status (&r, 415, "UnsupportedMediaType");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", GIZMOS "/nope/scale", NULL);
    assert_status (&r, 404, "NotFound");
  }
  {
    /* Widgets do not declare scale. */
    g_auto (Response) r = { 0 };
    create_widget (f, "default", "w", "", "red");
    request (f, &r, "GET", WIDGETS "/w/scale", NULL);
    assert_status (&r, 404, "NotFound");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "DELETE", GIZMOS "/g/scale", NULL);
    assert_status (&r, 405, "MethodNotAllowed");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/apis/test.timon.io/v1", NULL);
    assert_ok (&r, 200);
    JsonArray *resources = json_object_get_array_member (obj (&r), "resources");
    JsonObject *scale = find_by_name (resources, "name", "gizmos/scale");
    g_assert_nonnull (scale);
    g_assert_cmpstr (str (scale, "group"), ==, "autoscaling");
    g_assert_cmpstr (str (scale, "version"), ==, "v1");
    g_assert_cmpstr (str (scale, "kind"), ==, "Scale");
    JsonObject *binding = find_by_name (resources, "name", "gizmos/binding");
    g_assert_nonnull (binding);
    g_assert_cmpstr (str (binding, "kind"), ==, "Binding");
    g_assert_null (find_by_name (resources, "name", "widgets/scale"));
  }
  {
    g_auto (Response) r = { 0 };
    request_full (f, &r, "GET", "/apis", NULL, NULL, 0,
                  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    assert_ok (&r, 200);
    JsonObject *group = find_group (&r, "test.timon.io");
    g_assert_nonnull (group);
    JsonObject *v1 = json_array_get_object_element (arr (group, "versions"), 0);
    JsonObject *gizmos = find_by_name (arr (v1, "resources"), "resource", "gizmos");
    g_assert_nonnull (gizmos);
    JsonArray *subresources = arr (gizmos, "subresources");
    JsonObject *status = find_by_name (subresources, "subresource", "status");
    g_assert_nonnull (status);
    g_assert_cmpstr (str (status, "responseKind.kind"), ==, "Gizmo");
    JsonObject *scale = find_by_name (subresources, "subresource", "scale");
    g_assert_nonnull (scale);
    g_assert_cmpstr (str (scale, "responseKind.group"), ==, "autoscaling");
    g_assert_cmpstr (str (scale, "responseKind.version"), ==, "v1");
    g_assert_cmpstr (str (scale, "responseKind.kind"), ==, "Scale");
    JsonObject *binding = find_by_name (subresources, "subresource", "binding");
    g_assert_nonnull (binding);
    g_assert_cmpstr (json_array_get_string_element (arr (binding, "verbs"), 0), ==, "create");
  }
}

/* pods/binding, on a type that declares binding: spec.nodeName is set
 * once; a second binding, or one without a node, is refused. */
static void
test_binding (Fixture *f, gconstpointer data)
{
  create_gizmo (f, "p");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GIZMOS "/p/binding",
             "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},"
             "\"target\":{}}");
    assert_status (&r, 422, "Invalid");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GIZMOS "/p/binding",
             "{\"metadata\":{\"name\":\"other\"},\"target\":{\"name\":\"node-1\"}}");
    assert_status (&r, 400, "BadRequest");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GIZMOS "/nope/binding", "{\"target\":{\"name\":\"node-1\"}}");
    assert_status (&r, 404, "NotFound");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GIZMOS "/p/binding",
             "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p\"},"
             "\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}");
    assert_ok (&r, 201);
    g_assert_cmpstr (str (obj (&r), "kind"), ==, "Status");
    g_assert_cmpstr (str (obj (&r), "status"), ==, "Success");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", GIZMOS "/p", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "spec.nodeName"), ==, "node-1");
    /* The rest of the object stays. */
    g_assert_cmpint (num (obj (&r), "spec.replicas"), ==, 2);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GIZMOS "/p/binding", "{\"target\":{\"name\":\"node-2\"}}");
    assert_status (&r, 409, "Conflict");
    g_assert_cmpstr (str (obj (&r), "message"), ==, "pod p is already assigned to node \"node-1\"");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", GIZMOS "/p/binding", NULL);
    assert_status (&r, 405, "MethodNotAllowed");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", GIZMOS "/p/binding", "[1]");
    assert_status (&r, 400, "BadRequest");
  }

  /* The real pods/binding, when the resources/core plugin is loaded. */
  const char *pods = "/api/v1/namespaces/default/pods";
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", pods, NULL);
    if (r.status != 200) {
      g_test_message ("the resources/core plugin is not loaded: no pod to bind");
      return;
    }
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/api/v1", NULL);
    assert_ok (&r, 200);
    JsonObject *binding =
      find_by_name (json_object_get_array_member (obj (&r), "resources"), "name", "pods/binding");
    g_assert_nonnull (binding);
    g_assert_cmpstr (json_array_get_string_element (arr (binding, "verbs"), 0), ==, "create");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", pods,
             "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":[{\"name\":\"c\","
             "\"image\":\"nginx\"}]}}");
    assert_ok (&r, 201);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", "/api/v1/namespaces/default/pods/web/binding",
             "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"web\"},"
             "\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}");
    assert_ok (&r, 201);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/api/v1/namespaces/default/pods/web", NULL);
    assert_ok (&r, 200);
    g_assert_cmpstr (str (obj (&r), "spec.nodeName"), ==, "node-1");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", "/api/v1/namespaces/default/pods/web/binding",
             "{\"target\":{\"name\":\"node-2\"}}");
    assert_status (&r, 409, "Conflict");
  }
}

/* ---- kubectl ---------------------------------------------------------- */

/* ---- listening ---------------------------------------------------------- */

static void
run_timond (const char *dir, const char *listen, TestRun *run)
{
  const char *argv[] = { TIMOND, "--listen", listen, "--data-dir", dir, NULL };
  test_run (run, NULL, argv);
}

/* A port in use: timond says so and exits 1; an address that is no
 * address: the same. */
static void
test_listen_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (f->dir, "second", NULL);
  {
    g_auto (TestRun) run = { 0 };
    run_timond (dir, f->address, &run);
    g_assert_cmpint (run.status, ==, 1);
    assert_contains (run.err, "cannot listen on");
  }
  {
    g_auto (TestRun) run = { 0 };
    run_timond (dir, "nohost:x", &run);
    g_assert_cmpint (run.status, ==, 1);
    assert_contains (run.err, "is not HOST:PORT");
  }
}

static void
test_kubectl (Fixture *f, gconstpointer data)
{
  if (!kubectl_installed ())
    return;
  if (!have_namespaces (f)) {
    g_test_skip ("the resources/core plugin is not built: no namespaces or configmaps to drive");
    return;
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "version", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "Server Version: v1.32.0-timon.");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "namespaces", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "kube-system");
    assert_contains (run.out, "default");
    /* The server's Table: the Namespace type's STATUS column. */
    assert_contains (run.out, "STATUS");
    assert_contains (run.out, "Active");
    assert_contains (run.out, "AGE");
  }
  {
    /* One object: a Table of one row. */
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "namespace", "default", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "STATUS");
    assert_contains (run.out, "Active");
  }
  {
    /* create -f: `kubectl create configmap` sends protobuf from 1.32. */
    g_autofree char *manifest = g_build_filename (f->dir, "cm.json", NULL);
    g_assert_true (g_file_set_contents (
      manifest,
      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},"
      "\"data\":{\"a\":\"b\"}}",
      -1, NULL));
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "create", "-f", manifest, "--validate=false", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "configmap/x created");

    g_auto (TestRun) again = { 0 };
    kubectl (f, &again,
             (const char *const[]){ "create", "-f", manifest, "--validate=false", NULL });
    g_assert_cmpint (again.status, !=, 0);
    assert_contains (again.err, "AlreadyExists");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "configmaps", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "DATA");
    g_autoptr (GRegex) row = g_regex_new ("^x +1 +[0-9]+s$", G_REGEX_MULTILINE, 0, NULL);
    if (!g_regex_match (row, run.out, 0, NULL))
      g_error ("no row \"x 1 AGE\" in:\n%s", run.out);
  }
  {
    /* The whole objects in the rows: what --sort-by sorts on. */
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run,
             (const char *const[]){ "get", "configmaps", "--sort-by=.metadata.name", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "DATA");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "configmaps", "-o", "json", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "\"name\": \"x\"");
    assert_contains (run.out, "\"a\": \"b\"");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "configmap", "nope", NULL });
    g_assert_cmpint (run.status, !=, 0);
    assert_contains (run.err, "configmaps \"nope\" not found");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "delete", "configmap", "x", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "configmap \"x\" deleted");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "api-resources", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "configmaps");
    assert_contains (run.out, "widgets");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "widgets", "-A", NULL });
    g_assert_cmpint (run.status, ==, 0);
  }
  /* A type's declared columns, and the wide ones with -o wide; -A takes
   * the namespace from the rows' metadata. */
  create_widget (f, "default", "w1", "\"app\":\"web\"", "red");
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "widgets", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "SIZE");
    g_assert_null (strstr (run.out, "COLOR"));
    /* The missing SIZE: an empty cell. */
    g_autoptr (GRegex) row = g_regex_new ("^w1 +[0-9]+s$", G_REGEX_MULTILINE, 0, NULL);
    if (!g_regex_match (row, run.out, 0, NULL))
      g_error ("no row of w1 in:\n%s", run.out);
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run,
             (const char *const[]){ "get", "widgets", "-A", "-o", "wide", "--show-labels", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (GRegex) row =
      g_regex_new ("^default +w1 +[0-9]+s +RED +app=web$", G_REGEX_MULTILINE, 0, NULL);
    if (!g_regex_match (row, run.out, 0, NULL))
      g_error ("no row of w1 in:\n%s", run.out);
  }
}

/* `kubectl delete`: a namespace terminates; a selector deletes each
 * match (kubectl lists and deletes them one by one). */
static void
test_kubectl_delete (Fixture *f, gconstpointer data)
{
  if (!kubectl_installed ())
    return;
  if (!have_namespaces (f)) {
    g_test_skip ("the resources/core plugin is not built: no namespaces or configmaps to drive");
    return;
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"x\"}}");
    assert_ok (&r, 201);
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "delete", "ns", "x", "--wait=false", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "namespace \"x\" deleted");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "get", "ns", "x", NULL });
    g_assert_cmpint (run.status, ==, 0);
    g_autoptr (GRegex) row = g_regex_new ("^x +Terminating +[0-9]+s$", G_REGEX_MULTILINE, 0, NULL);
    if (!g_regex_match (row, run.out, 0, NULL))
      g_error ("no row \"x Terminating AGE\" in:\n%s", run.out);
  }
  const char *const names[] = { "web1", "web2", "db" };
  for (size_t i = 0; i < G_N_ELEMENTS (names); i++) {
    g_auto (Response) r = { 0 };
    g_autofree char *body =
      g_strdup_printf ("{\"metadata\":{\"name\":\"%s\",\"labels\":{\"app\":\"%s\"}}}", names[i],
                       g_str_has_prefix (names[i], "web") ? "web" : "db");
    request (f, &r, "POST", "/api/v1/namespaces/default/configmaps", body);
    assert_ok (&r, 201);
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "delete", "configmaps", "-l", "app=web", NULL });
    g_assert_cmpint (run.status, ==, 0);
    assert_contains (run.out, "configmap \"web1\" deleted");
    assert_contains (run.out, "configmap \"web2\" deleted");
    g_assert_null (strstr (run.out, "\"db\""));
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/api/v1/namespaces/default/configmaps", NULL);
    assert_names (&r, (const char *const[]){ "db", NULL });
  }
}

/* Reads @lines until one starts with @prefix; fails at the end. */
static void
read_until (GDataInputStream *lines, GString *seen, const char *prefix)
{
  for (;;) {
    g_autoptr (GError) error = NULL;
    g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
    g_assert_no_error (error);
    if (line == NULL)
      g_error ("no line \"%s...\" in:\n%s", prefix, seen->str);
    g_string_append_printf (seen, "%s\n", line);
    if (g_str_has_prefix (line, prefix))
      return;
  }
}

/* `kubectl get -w`: the list, then each change as a row of the same
 * columns (Table watch events). */
static void
test_kubectl_watch (Fixture *f, gconstpointer data)
{
  if (!kubectl_installed ())
    return;
  g_autoptr (GError) error = NULL;
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS, "{\"metadata\":{\"name\":\"w1\"},\"spec\":{\"size\":3}}");
    assert_ok (&r, 201);
  }
  g_autoptr (GSubprocessLauncher) launcher =
    kubectl_launcher (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  /* timeout(1) bounds it if something goes wrong; SIGTERM to it reaches
   * kubectl too. */
  const char *argv[] = { "timeout", "60", "/usr/bin/kubectl", "get", "widgets", "-w", NULL };
  g_autoptr (GSubprocess) process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_autoptr (GDataInputStream) lines =
    g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_autoptr (GString) seen = g_string_new (NULL);

  read_until (lines, seen, "NAME ");
  assert_contains (seen->str, "SIZE");
  read_until (lines, seen, "w1 ");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "POST", WIDGETS, "{\"metadata\":{\"name\":\"w2\"},\"spec\":{\"size\":7}}");
    assert_ok (&r, 201);
  }
  read_until (lines, seen, "w2 ");
  /* The row of the event, in the columns of the list. */
  g_autoptr (GRegex) row = g_regex_new ("^w2 +7 +[0-9]+s$", G_REGEX_MULTILINE, 0, NULL);
  if (!g_regex_match (row, seen->str, 0, NULL))
    g_error ("no row of w2 in:\n%s", seen->str);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
}

/* Checks that @out has exactly as many lines as @patterns, each matching
 * its pattern whole: a row too many is as wrong as one missing. */
static void
assert_lines (const char *out, const char *const *patterns)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = g_strv_length (lines);

  /* The output ends with a newline: no line after it. */
  if (n > 0 && lines[n - 1][0] == '\0')
    n--;
  if (n != g_strv_length ((char **) patterns))
    g_error ("expected %u lines, got:\n%s", g_strv_length ((char **) patterns), out);
  for (guint i = 0; i < n; i++) {
    g_autofree char *whole = g_strdup_printf ("^(?:%s)$", patterns[i]);
    if (!g_regex_match_simple (whole, lines[i], 0, 0))
      g_error ("line %u does not match /%s/ in:\n%s", i + 1, patterns[i], out);
  }
}

static void
kubectl_ok (Fixture *f, TestRun *run, const char *const *args)
{
  kubectl (f, run, args);
  if (run->status != 0)
    g_error ("kubectl failed (%d):\n%s%s", run->status, run->out, run->err);
}

/* `kubectl get` in the output formats and with the selectors people
 * use, on a built-in type and on a type of a plugin, over two
 * namespaces. */
static void
test_kubectl_get_formats (Fixture *f, gconstpointer data)
{
  if (!kubectl_installed ())
    return;
  if (!have_namespaces (f)) {
    g_test_skip ("the resources/core plugin is not built: no namespaces or configmaps to drive");
    return;
  }
  ensure_namespace (f, "other");
  const char *const namespaces[] = { "default", "other" };
  const char *const apps[] = { "web", "db" };
  for (size_t i = 0; i < G_N_ELEMENTS (namespaces); i++) {
    const char *env = i == 0 ? "prod" : "dev";
    for (size_t j = 0; j < G_N_ELEMENTS (apps); j++) {
      g_auto (Response) r = { 0 };
      g_autofree char *path = g_strdup_printf ("/api/v1/namespaces/%s/configmaps", namespaces[i]);
      g_autofree char *body = g_strdup_printf (
        "{\"metadata\":{\"name\":\"%s1\",\"labels\":{\"app\":\"%s\",\"env\":\"%s\"}},"
        "\"data\":{\"key\":\"value-%s\"}}",
        apps[j], apps[j], env, namespaces[i]);
      request (f, &r, "POST", path, body);
      assert_ok (&r, 201);
      g_autofree char *name = g_strdup_printf ("w-%s", apps[j]);
      g_autofree char *labels = g_strdup_printf ("\"app\":\"%s\",\"env\":\"%s\"", apps[j], env);
      create_widget (f, namespaces[i], name, labels, "red");
    }
  }

  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmaps", NULL });
    assert_lines (run.out, (const char *const[]){ "NAME +DATA +AGE", "db1 +1 +[0-9]+s",
                                                  "web1 +1 +[0-9]+s", NULL });
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "widgets", NULL });
    assert_lines (run.out, (const char *const[]){ "NAME +SIZE +AGE", "w-db +[0-9]+s",
                                                  "w-web +[0-9]+s", NULL });
  }
  {
    /* kubectl makes a List of the items, filling in kind and apiVersion. */
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmaps", "-o", "json", NULL });
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autoptr (GError) error = NULL;
    json_parser_load_from_data (parser, run.out, -1, &error);
    g_assert_no_error (error);
    JsonObject *list = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (str (list, "kind"), ==, "List");
    JsonArray *items = json_object_get_array_member (list, "items");
    g_assert_cmpuint (json_array_get_length (items), ==, 2);
    for (guint i = 0; i < 2; i++) {
      JsonObject *cm = json_array_get_object_element (items, i);
      g_assert_cmpstr (str (cm, "kind"), ==, "ConfigMap");
      g_assert_cmpstr (str (cm, "apiVersion"), ==, "v1");
      g_assert_cmpstr (str (cm, "metadata.name"), ==, i == 0 ? "db1" : "web1");
      g_assert_cmpstr (str (cm, "metadata.namespace"), ==, "default");
      g_assert_cmpstr (str (cm, "metadata.labels.app"), ==, i == 0 ? "db" : "web");
      g_assert_cmpstr (str (cm, "metadata.labels.env"), ==, "prod");
      g_assert_cmpstr (str (cm, "data.key"), ==, "value-default");
      g_assert_nonnull (str (cm, "metadata.uid"));
      g_assert_nonnull (str (cm, "metadata.resourceVersion"));
    }
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmap", "web1", "-o", "yaml", NULL });
    g_autoptr (GRegex) uid = g_regex_new ("^  uid: [0-9a-f-]{36}$", G_REGEX_MULTILINE, 0, NULL);
    assert_contains (run.out, "apiVersion: v1\n");
    assert_contains (run.out, "\nkind: ConfigMap\n");
    assert_contains (run.out, "\ndata:\n  key: value-default\n");
    assert_contains (run.out, "\n  labels:\n    app: web\n    env: prod\n");
    assert_contains (run.out, "\n  name: web1\n  namespace: default\n");
    if (!g_regex_match (uid, run.out, 0, NULL))
      g_error ("no uid in:\n%s", run.out);
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmaps", "-o", "yaml", NULL });
    assert_contains (run.out, "kind: List\n");
    assert_contains (run.out, "\n  kind: ConfigMap\n");
    assert_contains (run.out, "\n    name: db1\n");
    assert_contains (run.out, "\n    name: web1\n");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmaps,widgets", "-o", "name", NULL });
    g_assert_cmpstr (run.out, ==,
                     "configmap/db1\nconfigmap/web1\n"
                     "widget.test.timon.io/w-db\nwidget.test.timon.io/w-web\n");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmaps", "-l", "app=web", NULL });
    assert_lines (run.out, (const char *const[]){ "NAME +DATA +AGE", "web1 +1 +[0-9]+s", NULL });
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run,
                (const char *const[]){ "get", "widgets", "-A", "-l", "app=web", "-o", "name",
                                       NULL });
    g_assert_cmpstr (run.out, ==, "widget.test.timon.io/w-web\nwidget.test.timon.io/w-web\n");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run,
                (const char *const[]){ "get", "configmaps", "-A", "-l", "env in (prod)", NULL });
    assert_lines (run.out,
                  (const char *const[]){ "NAMESPACE +NAME +DATA +AGE", "default +db1 +1 +[0-9]+s",
                                         "default +web1 +1 +[0-9]+s", NULL });
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run,
                (const char *const[]){ "get", "widgets", "-A", "-l",
                                       "app in (web),env notin (prod)", NULL });
    assert_lines (run.out, (const char *const[]){ "NAMESPACE +NAME +SIZE +AGE",
                                                  "other +w-web +[0-9]+s", NULL });
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run,
                (const char *const[]){ "get", "configmaps", "--field-selector",
                                       "metadata.name=web1", NULL });
    assert_lines (run.out, (const char *const[]){ "NAME +DATA +AGE", "web1 +1 +[0-9]+s", NULL });
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run,
                (const char *const[]){ "get", "configmaps", "-A", "--field-selector",
                                       "metadata.name!=web1", NULL });
    assert_lines (run.out,
                  (const char *const[]){ "NAMESPACE +NAME +DATA +AGE", "default +db1 +1 +[0-9]+s",
                                         "other +db1 +1 +[0-9]+s", NULL });
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmaps", "-A", NULL });
    assert_lines (run.out,
                  (const char *const[]){ "NAMESPACE +NAME +DATA +AGE", "default +db1 +1 +[0-9]+s",
                                         "default +web1 +1 +[0-9]+s", "other +db1 +1 +[0-9]+s",
                                         "other +web1 +1 +[0-9]+s", NULL });
  }
  {
    /* Nothing matches: kubectl says so on stderr, and succeeds. */
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "get", "configmaps", "-l", "app=nope", NULL });
    g_assert_cmpstr (run.out, ==, "");
    assert_contains (run.err, "No resources found in default namespace.");
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl_ok (f, &run, (const char *const[]){ "version", NULL });
    g_autoptr (GRegex) client =
      g_regex_new ("^Client Version: v1\\.[0-9]+\\.[0-9]+", G_REGEX_MULTILINE, 0, NULL);
    g_autoptr (GRegex) server =
      g_regex_new ("^Server Version: v1\\.32\\.0-timon\\.[0-9.]+$", G_REGEX_MULTILINE, 0, NULL);
    if (!g_regex_match (client, run.out, 0, NULL) || !g_regex_match (server, run.out, 0, NULL))
      g_error ("no client and server versions in:\n%s%s", run.out, run.err);
  }
}

/* `kubectl scale`: a merge patch on /scale (kubectl-compat.md, section 7). */
static void
test_kubectl_scale (Fixture *f, gconstpointer data)
{
  if (!kubectl_installed ())
    return;
  create_gizmo (f, "x");
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "scale", "gizmo", "x", "--replicas=3", NULL });
    if (run.status != 0)
      g_error ("kubectl scale failed (%d): %s%s", run.status, run.out, run.err);
    assert_contains (run.out, "scaled");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", GIZMOS "/x", NULL);
    assert_ok (&r, 200);
    g_assert_cmpint (num (obj (&r), "spec.replicas"), ==, 3);
  }

  /* A real Deployment, when the resources/apps plugin is loaded. */
  const char *deployments = "/apis/apps/v1/namespaces/default/deployments";
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", deployments, NULL);
    if (r.status != 200) {
      g_test_message ("the resources/apps plugin is not loaded: no deployment to scale");
      return;
    }
  }
  {
    g_auto (Response) r = { 0 };
    request (
      f, &r, "POST", deployments,
      "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":1,\"selector\":{"
      "\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{"
      "\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}");
    assert_ok (&r, 201);
  }
  {
    g_auto (TestRun) run = { 0 };
    kubectl (f, &run, (const char *const[]){ "scale", "deployment", "web", "--replicas=3", NULL });
    if (run.status != 0)
      g_error ("kubectl scale deployment failed (%d): %s%s", run.status, run.out, run.err);
    assert_contains (run.out, "deployment.apps/web scaled");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", deployments, NULL);
    assert_ok (&r, 200);
    JsonObject *web = json_array_get_object_element (arr (obj (&r), "items"), 0);
    g_assert_cmpint (num (web, "spec.replicas"), ==, 3);
    g_assert_cmpint (num (web, "metadata.generation"), ==, 2);
  }
}

/* ---- metrics ---------------------------------------------------------- */

#define WIDGET_LABELS "group=\"test.timon.io\",version=\"v1\",resource=\"widgets\",subresource=\"\""
#define REQUEST_TOTAL(verb, scope, code)                                       \
  "apiserver_request_total{verb=\"" verb "\"," WIDGET_LABELS ",scope=\"" scope \
  "\",component=\"apiserver\",code=\"" code "\"}"
#define DURATION(kind, verb, scope, extra)                                                         \
  "apiserver_request_duration_seconds_" kind "{verb=\"" verb "\"," WIDGET_LABELS ",scope=\"" scope \
  "\",component=\"apiserver\"" extra "}"

/* Checks the histogram of @verb: every Kubernetes bucket, cumulative,
 * the last equal to _count, which is @count. */
static void
assert_histogram (GHashTable *series, const char *verb, const char *scope, double count)
{
  static const char *const bounds[] = {
    "0.005", "0.025", "0.05", "0.1", "0.2", "0.4", "0.6", "0.8", "1",  "1.25", "1.5", "2",
    "3",     "4",     "5",    "6",   "8",   "10",  "15",  "20",  "30", "45",   "60",  "+Inf"
  };
  double previous = 0;

  for (guint i = 0; i < G_N_ELEMENTS (bounds); i++) {
    g_autofree char *bucket =
      g_strdup_printf ("apiserver_request_duration_seconds_bucket{verb=\"%s\"," WIDGET_LABELS
                       ",scope=\"%s\",component=\"apiserver\",le=\"%s\"}",
                       verb, scope, bounds[i]);
    double value = series_value (series, bucket);
    g_assert_cmpfloat (value, >=, previous);
    previous = value;
  }
  /* le="+Inf" is the count; these requests took well under 5 s. */
  g_assert_cmpfloat (previous, ==, count);
  g_autofree char *prefix =
    g_strdup_printf ("{verb=\"%s\"," WIDGET_LABELS ",scope=\"%s\",component=\"apiserver\"", verb,
                     scope);
  g_autofree char *five =
    g_strdup_printf ("apiserver_request_duration_seconds_bucket%s,le=\"5\"}", prefix);
  g_assert_cmpfloat (series_value (series, five), ==, count);
  g_autofree char *count_name =
    g_strdup_printf ("apiserver_request_duration_seconds_count%s}", prefix);
  g_assert_cmpfloat (series_value (series, count_name), ==, count);
  g_autofree char *sum_name = g_strdup_printf ("apiserver_request_duration_seconds_sum%s}", prefix);
  g_assert_cmpfloat (series_value (series, sum_name), >=, 0);
  g_assert_cmpfloat (series_value (series, sum_name), <, 5 * count);
}

static void
test_metrics (Fixture *f, gconstpointer data)
{
  create_widget (f, "default", "w1", "", "red");
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "/w1", NULL);
    assert_ok (&r, 200);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS, NULL);
    assert_ok (&r, 200);
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", WIDGETS "/nosuch", NULL);
    assert_status (&r, 404, "NotFound");
  }
  {
    /* A path that names no type: no resource labels, whatever it says,
     * so that clients cannot add series without bound. */
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/apis/test.timon.io/v1/nopes", NULL);
    assert_status (&r, 404, "NotFound");
  }
  {
    g_auto (Response) r = { 0 };
    request (f, &r, "GET", "/healthz", NULL);
    assert_ok (&r, 200);
  }
  Watch *w = watch_start (f, WIDGETS "?watch=true");

  {
    g_autoptr (GHashTable) m = scrape (f);
    g_assert_cmpfloat (series_value (m, REQUEST_TOTAL ("create", "resource", "201")), ==, 1);
    g_assert_cmpfloat (series_value (m, REQUEST_TOTAL ("get", "resource", "200")), ==, 1);
    g_assert_cmpfloat (series_value (m, REQUEST_TOTAL ("get", "resource", "404")), ==, 1);
    g_assert_cmpfloat (series_value (m, REQUEST_TOTAL ("list", "namespace", "200")), ==, 1);
    /* Non-resource requests: empty resource labels. */
    g_assert_cmpfloat (series_value (m, "apiserver_request_total{verb=\"get\",group=\"\","
                                        "version=\"\",resource=\"\",subresource=\"\",scope=\"\","
                                        "component=\"apiserver\",code=\"404\"}"),
                       ==, 1);
    g_assert_cmpfloat (series_value (m, "apiserver_request_total{verb=\"get\",group=\"\","
                                        "version=\"\",resource=\"\",subresource=\"\",scope=\"\","
                                        "component=\"apiserver\",code=\"200\"}"),
                       ==, 1);
    /* The watch is counted when it ends; open, it is long-running. */
    g_assert_cmpfloat (series_value (m, REQUEST_TOTAL ("watch", "namespace", "200")), ==, -1);
    g_assert_cmpfloat (series_value (m, OPEN_WATCHES), ==, 1);

    /* The get and the 404 share a histogram: it has no code label. */
    assert_histogram (m, "get", "resource", 2);
    assert_histogram (m, "create", "resource", 1);
    assert_histogram (m, "list", "namespace", 1);
    /* Watches last as long as the client wants: no duration. */
    g_assert_cmpfloat (series_value (m, DURATION ("count", "watch", "namespace", "")), ==, -1);

    /* The scrape itself is the request in flight; the watch is not. */
    g_assert_cmpfloat (
      series_value (m, "apiserver_current_inflight_requests{request_kind=\"readOnly\"}"), ==, 1);
    g_assert_cmpfloat (
      series_value (m, "apiserver_current_inflight_requests{request_kind=\"mutating\"}"), ==, 0);

    double now = (double) g_get_real_time () / G_USEC_PER_SEC;
    g_assert_cmpfloat (series_value (m, "process_start_time_seconds"), >, now - 600);
    g_assert_cmpfloat (series_value (m, "process_start_time_seconds"), <=, now);
    g_assert_cmpfloat (series_value (m, "process_resident_memory_bytes"), >, 4096);
  }

  /* The client goes away: the watch is counted once timond sees it,
   * which is when it writes the next event. */
  watch_free (w);
  create_widget (f, "default", "w2", "", "red");
  for (guint i = 0;; i++) {
    g_autoptr (GHashTable) m = scrape (f);
    if (series_value (m, OPEN_WATCHES) == 0) {
      g_assert_cmpfloat (series_value (m, REQUEST_TOTAL ("watch", "namespace", "200")), ==, 1);
      g_assert_cmpfloat (series_value (m, DURATION ("count", "watch", "namespace", "")), ==, -1);
      /* The scrapes so far, besides this one. */
      g_assert_cmpfloat (series_value (m, "apiserver_request_total{verb=\"get\",group=\"\","
                                          "version=\"\",resource=\"\",subresource=\"\","
                                          "scope=\"\",component=\"apiserver\",code=\"200\"}"),
                         ==, 2 + i);
      break;
    }
    g_assert_cmpfloat (series_value (m, OPEN_WATCHES), ==, 1);
    g_assert_cmpuint (i, <, 500);
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/apiserver/version", test_version);
  ADD ("/apiserver/discovery", test_discovery);
  ADD ("/apiserver/crud", test_crud);
  ADD ("/apiserver/errors", test_errors);
  ADD ("/apiserver/list/selectors", test_selectors);
  ADD ("/apiserver/list/paging", test_paging);
  ADD ("/apiserver/watch/events", test_watch);
  ADD ("/apiserver/delete/finalizers", test_delete_finalizers);
  ADD ("/apiserver/delete/options", test_delete_options);
  ADD ("/apiserver/delete/namespace", test_delete_namespace);
  ADD ("/apiserver/delete/collection", test_delete_collection);
  ADD ("/apiserver/table/list-get", test_table_list_get);
  ADD ("/apiserver/table/accept", test_table_accept);
  ADD ("/apiserver/table/watch", test_table_watch);
  ADD ("/apiserver/discovery/aggregated", test_aggregated_discovery);
  ADD ("/apiserver/subresources/scale", test_scale);
  ADD ("/apiserver/subresources/binding", test_binding);
  ADD ("/apiserver/metrics", test_metrics);
  ADD ("/apiserver/restart/sqlite", test_restart);
  ADD ("/apiserver/listen/errors", test_listen_errors);
  ADD ("/apiserver/kubectl", test_kubectl);
  ADD ("/apiserver/kubectl/watch", test_kubectl_watch);
  ADD ("/apiserver/kubectl/delete", test_kubectl_delete);
  ADD ("/apiserver/kubectl/scale", test_kubectl_scale);
  ADD ("/apiserver/kubectl/get-formats", test_kubectl_get_formats);
#undef ADD

  return g_test_run ();
}
