/* test-apiserver-openapi.c: /openapi/v3 from the types' schemas, the
 * fieldValidation they make possible, and what kubectl does with them
 * (create -f and apply -f with their default strict validation,
 * explain).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apiserver-fixture.h"

#define SPROCKETS "/apis/test.timon.io/v1/namespaces/default/sprockets"
#define PODS "/api/v1/namespaces/default/pods"

/* The document of group-version @gv, as the root names it. */
static void
get_document (Fixture *f, Response *r, const char *gv, char **out_url)
{
  g_auto (Response) root = { 0 };
  request (f, &root, "GET", "/openapi/v3", NULL);
  assert_ok (&root, 200);
  JsonObject *paths = json_object_get_object_member (obj (&root), "paths");
  g_assert_true (json_object_has_member (paths, gv));
  const char *url =
    json_object_get_string_member (json_object_get_object_member (paths, gv), "serverRelativeURL");
  g_autofree char *prefix = g_strdup_printf ("/openapi/v3/%s?hash=", gv);
  g_assert_true (g_str_has_prefix (url, prefix));
  request (f, r, "GET", url, NULL);
  assert_ok (r, 200);
  if (out_url != NULL)
    *out_url = g_strdup (url);
}

static JsonObject *
schema_of (Response *r, const char *name)
{
  JsonObject *schemas =
    json_object_get_object_member (json_object_get_object_member (obj (r), "components"),
                                   "schemas");
  if (!json_object_has_member (schemas, name))
    g_error ("no schema %s", name);
  return json_object_get_object_member (schemas, name);
}

/* Whether a path's patch operation names @kind and takes fieldValidation,
 * which kubectl looks for before it validates on the server. */
static gboolean
patch_takes_field_validation (Response *r, const char *path, const char *kind)
{
  JsonObject *paths = json_object_get_object_member (obj (r), "paths");
  if (!json_object_has_member (paths, path))
    return FALSE;
  JsonObject *patch =
    json_object_get_object_member (json_object_get_object_member (paths, path), "patch");
  JsonObject *gvk = json_object_get_object_member (patch, "x-kubernetes-group-version-kind");
  if (g_strcmp0 (json_object_get_string_member (gvk, "kind"), kind) != 0)
    return FALSE;
  JsonArray *parameters = json_object_get_array_member (patch, "parameters");
  return find_by_name (parameters, "name", "fieldValidation") != NULL;
}

static void
test_documents (Fixture *f, gconstpointer data)
{
  g_auto (Response) r = { 0 };
  g_autofree char *url = NULL;
  get_document (f, &r, "apis/test.timon.io/v1", &url);
  g_assert_cmpstr (r.cache_control, ==, "public, immutable");
  const char *etag = soup_message_headers_get_one (r.headers, "ETag");
  g_assert_nonnull (etag);

  /* The type's own schema, named for kubectl by its GVK, and those it
   * reaches: its own structures and the API machinery's. */
  JsonObject *sprocket = schema_of (&r, "io.timon.test.v1.Sprocket");
  JsonArray *gvks = json_object_get_array_member (sprocket, "x-kubernetes-group-version-kind");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (gvks, 0), "kind"),
                   ==, "Sprocket");
  JsonObject *tooth = schema_of (&r, "io.timon.test.v1.Tooth");
  g_assert_cmpstr (json_object_get_string_member (tooth, "description"), ==,
                   "One tooth of a sprocket.");
  JsonObject *meta = schema_of (&r, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  g_assert_true (
    json_object_has_member (json_object_get_object_member (meta, "properties"), "managedFields"));
  /* A type without a schema takes any field. */
  JsonObject *widget = schema_of (&r, "io.timon.test.v1.Widget");
  g_assert_true (json_object_get_boolean_member (widget, "x-kubernetes-preserve-unknown-fields"));
  g_assert_true (
    patch_takes_field_validation (&r,
                                  "/apis/test.timon.io/v1/namespaces/{namespace}/sprockets/{name}",
                                  "Sprocket"));
  g_assert_true (
    patch_takes_field_validation (&r,
                                  "/apis/test.timon.io/v1/namespaces/{namespace}/widgets/{name}",
                                  "Widget"));
  g_assert_true (
    patch_takes_field_validation (&r, "/apis/test.timon.io/v1/gadgets/{name}", "Gadget"));

  /* kubectl asks again with If-None-Match: nothing new. */
  {
    g_autoptr (SoupMessage) msg = new_message (f, "GET", url);
    soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", etag);
    g_autoptr (GBytes) body = soup_session_send_and_read (f->session, msg, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 304);
    g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
  }
  /* An old hash is sent to the current document. */
  {
    g_autoptr (SoupMessage) msg =
      new_message (f, "GET", "/openapi/v3/apis/test.timon.io/v1?hash=0");
    soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
    g_autoptr (GBytes) body = soup_session_send_and_read (f->session, msg, NULL, NULL);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 301);
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                   "Location"),
                     ==, url);
  }
  {
    g_auto (Response) missing = { 0 };
    request (f, &missing, "GET", "/openapi/v3/apis/nothing.io/v1", NULL);
    assert_status (&missing, 404, "NotFound");
    g_auto (Response) post = { 0 };
    request (f, &post, "POST", "/openapi/v3", "{}");
    assert_status (&post, 405, "MethodNotAllowed");
  }
}

#define SPROCKET(name, spec)                                                                       \
  "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Sprocket\",\"metadata\":{\"name\":\"" name "\"" \
  "},\"spec\":" spec "}"

static const char odd_spec[] =
  "{\"size\":3,\"colour\":\"red\",\"teeth\":[{\"name\":\"a\",\"length\":1,\"sharp\":true}],"
  "\"tags\":{\"any\":\"thing\"},\"extra\":{\"deep\":{\"er\":1}}}";

/* Unknown fields: refused under Strict, dropped with a warning by
 * default, dropped silently under Ignore; anything goes where the
 * schema says so (a map, a subtree that preserves unknown fields). */
static void
test_field_validation (Fixture *f, gconstpointer data)
{
  g_autofree char *strict_body = g_strdup_printf (SPROCKET ("s1", "%s"), odd_spec);
  g_auto (Response) strict = { 0 };
  request (f, &strict, "POST", SPROCKETS "?fieldValidation=Strict", strict_body);
  assert_status (&strict, 400, "BadRequest");
  g_assert_cmpstr (str (obj (&strict), "message"), ==,
                   "Sprocket in version \"v1\" cannot be handled as a Sprocket: strict decoding "
                   "error: unknown field \"spec.colour\", unknown field \"spec.teeth[0].sharp\"");
  {
    g_auto (Response) gone = { 0 };
    request (f, &gone, "GET", SPROCKETS "/s1", NULL);
    assert_status (&gone, 404, "NotFound");
  }

  g_autofree char *warn_body = g_strdup_printf (SPROCKET ("s2", "%s"), odd_spec);
  g_auto (Response) warn = { 0 };
  request (f, &warn, "POST", SPROCKETS, warn_body);
  assert_ok (&warn, 201);
  const char *warnings = soup_message_headers_get_list (warn.headers, "Warning");
  g_assert_cmpstr (warnings, ==,
                   "299 - \"unknown field \\\"spec.colour\\\"\", "
                   "299 - \"unknown field \\\"spec.teeth[0].sharp\\\"\"");
  JsonObject *spec = json_object_get_object_member (obj (&warn), "spec");
  g_assert_false (json_object_has_member (spec, "colour"));
  g_assert_cmpint (num (obj (&warn), "spec.size"), ==, 3);
  g_assert_cmpstr (str (obj (&warn), "spec.tags.any"), ==, "thing");
  g_assert_cmpint (num (obj (&warn), "spec.extra.deep.er"), ==, 1);
  JsonObject *first =
    json_array_get_object_element (json_object_get_array_member (spec, "teeth"), 0);
  g_assert_false (json_object_has_member (first, "sharp"));
  g_assert_cmpint (json_object_get_int_member (first, "length"), ==, 1);

  g_autofree char *ignore_body = g_strdup_printf (SPROCKET ("s3", "%s"), odd_spec);
  g_auto (Response) ignore = { 0 };
  request (f, &ignore, "POST", SPROCKETS "?fieldValidation=Ignore", ignore_body);
  assert_ok (&ignore, 201);
  g_assert_null (soup_message_headers_get_one (ignore.headers, "Warning"));
  g_assert_false (
    json_object_has_member (json_object_get_object_member (obj (&ignore), "spec"), "colour"));

  /* metadata is checked against ObjectMeta's schema. */
  g_auto (Response) meta = { 0 };
  request (f, &meta, "POST", SPROCKETS "?fieldValidation=Strict",
           "{\"metadata\":{\"name\":\"s4\",\"nmae\":\"x\"},\"spec\":{}}");
  assert_status (&meta, 400, "BadRequest");
  assert_contains (str (obj (&meta), "message"), "unknown field \"metadata.nmae\"");

  /* Updates and patches too: the object they would store. */
  g_auto (Response) put = { 0 };
  request (f, &put, "PUT", SPROCKETS "/s2?fieldValidation=Strict",
           SPROCKET ("s2", "{\"size\":4,\"bogus\":1}"));
  assert_status (&put, 400, "BadRequest");
  assert_contains (str (obj (&put), "message"), "unknown field \"spec.bogus\"");
  g_auto (Response) patch = { 0 };
  request_full (f, &patch, "PATCH", SPROCKETS "/s2?fieldValidation=Strict",
                "application/merge-patch+json", "{\"spec\":{\"bogus\":1}}", 20, NULL);
  assert_status (&patch, 400, "BadRequest");
  g_auto (Response) patched = { 0 };
  request_full (f, &patched, "PATCH", SPROCKETS "/s2", "application/merge-patch+json",
                "{\"spec\":{\"bogus\":1,\"size\":5}}", 29, NULL);
  assert_ok (&patched, 200);
  g_assert_cmpint (num (obj (&patched), "spec.size"), ==, 5);
  g_assert_null (path_get (obj (&patched), "spec.bogus"));
  assert_contains (soup_message_headers_get_one (patched.headers, "Warning"), "spec.bogus");

  g_auto (Response) bad = { 0 };
  request (f, &bad, "POST", SPROCKETS "?fieldValidation=Loose", SPROCKET ("s5", "{}"));
  assert_status (&bad, 422, "Invalid");
  assert_contains (str (obj (&bad), "message"), "fieldValidation");

  /* A type without a schema keeps what it is sent. */
  g_auto (Response) widget = { 0 };
  request (f, &widget, "POST", WIDGETS "?fieldValidation=Strict",
           "{\"metadata\":{\"name\":\"free\"},\"spec\":{\"anything\":{\"at\":\"all\"}}}");
  assert_ok (&widget, 201);
  g_assert_cmpstr (str (obj (&widget), "spec.anything.at"), ==, "all");
}

/* Applies a strategic merge patch to sprocket "m" and returns its spec
 * (or metadata) member @member as JSON text. */
static char *
smp (Fixture *f, const char *patch, const char *member)
{
  g_auto (Response) r = { 0 };
  request_full (f, &r, "PATCH", SPROCKETS "/m", "application/strategic-merge-patch+json", patch,
                strlen (patch), NULL);
  assert_ok (&r, 200);
  JsonNode *node = path_get (obj (&r), member);
  return node ? json_to_string (node, FALSE) : g_strdup ("null");
}

/* Lists merge by the key the schema gives, values as sets; the
 * directives delete, replace, order and retain, as kubectl sends them. */
static void
test_strategic_merge (Fixture *f, gconstpointer data)
{
  g_auto (Response) created = { 0 };
  request (f, &created, "POST", SPROCKETS,
           "{\"metadata\":{\"name\":\"m\",\"finalizers\":[\"a.io/x\",\"b.io/y\"]},\"spec\":{"
           "\"size\":1,\"teeth\":[{\"name\":\"a\",\"length\":1},{\"name\":\"b\",\"length\":2}],"
           "\"tags\":{\"k\":\"v\",\"l\":\"w\"}}}");
  assert_ok (&created, 201);

  g_autofree char *merged = smp (f,
                                 "{\"spec\":{\"teeth\":[{\"name\":\"b\",\"length\":5},"
                                 "{\"name\":\"c\",\"length\":3}]}}",
                                 "spec.teeth");
  g_assert_cmpstr (merged, ==,
                   "[{\"name\":\"a\",\"length\":1},{\"name\":\"b\",\"length\":5},"
                   "{\"name\":\"c\",\"length\":3}]");
  g_autofree char *deleted =
    smp (f, "{\"spec\":{\"teeth\":[{\"name\":\"a\",\"$patch\":\"delete\"}]}}", "spec.teeth");
  g_assert_cmpstr (deleted, ==, "[{\"name\":\"b\",\"length\":5},{\"name\":\"c\",\"length\":3}]");
  g_autofree char *ordered = smp (f,
                                  "{\"spec\":{\"$setElementOrder/teeth\":[{\"name\":\"c\"},"
                                  "{\"name\":\"b\"}],\"teeth\":[{\"name\":\"c\",\"length\":4}]}}",
                                  "spec.teeth");
  g_assert_cmpstr (ordered, ==, "[{\"name\":\"c\",\"length\":4},{\"name\":\"b\",\"length\":5}]");
  g_autofree char *replaced =
    smp (f, "{\"spec\":{\"teeth\":[{\"$patch\":\"replace\"},{\"name\":\"z\"}]}}", "spec.teeth");
  g_assert_cmpstr (replaced, ==, "[{\"name\":\"z\"}]");

  /* A list of values with the merge strategy is a set. */
  g_autofree char *added =
    smp (f, "{\"metadata\":{\"finalizers\":[\"c.io/z\",\"a.io/x\"]}}", "metadata.finalizers");
  g_assert_cmpstr (added, ==, "[\"a.io/x\",\"b.io/y\",\"c.io/z\"]");
  g_autofree char *removed =
    smp (f, "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"b.io/y\"]}}",
         "metadata.finalizers");
  g_assert_cmpstr (removed, ==, "[\"a.io/x\",\"c.io/z\"]");
  g_autofree char *cleared = smp (f, "{\"metadata\":{\"finalizers\":null}}", "metadata.finalizers");
  g_assert_cmpstr (cleared, ==, "null");

  /* Maps: null deletes a key, $patch replace the whole map, $retainKeys
   * keeps only the keys named. */
  g_autofree char *tags = smp (f, "{\"spec\":{\"tags\":{\"k\":null,\"m\":\"x\"}}}", "spec.tags");
  g_assert_cmpstr (tags, ==, "{\"l\":\"w\",\"m\":\"x\"}");
  g_autofree char *whole =
    smp (f, "{\"spec\":{\"tags\":{\"$patch\":\"replace\",\"only\":\"1\"}}}", "spec.tags");
  g_assert_cmpstr (whole, ==, "{\"only\":\"1\"}");
  g_autofree char *retained =
    smp (f, "{\"spec\":{\"$retainKeys\":[\"teeth\",\"size\"],\"size\":9}}", "spec");
  g_assert_cmpstr (retained, ==, "{\"size\":9,\"teeth\":[{\"name\":\"z\"}]}");

  /* What cannot apply is refused, and nothing is written. */
  static const char *const bad[] = {
    "{\"spec\":{\"teeth\":[{\"length\":1}]}}",
    "{\"spec\":{\"teeth\":[\"a\"]}}",
    "{\"spec\":{\"$patch\":\"explode\"}}",
    "[]",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (Response) r = { 0 };
    request_full (f, &r, "PATCH", SPROCKETS "/m", "application/strategic-merge-patch+json", bad[i],
                  strlen (bad[i]), NULL);
    g_assert_cmpuint (r.status, >=, 400);
    g_assert_cmpuint (r.status, <, 500);
  }
  g_auto (Response) after = { 0 };
  request (f, &after, "GET", SPROCKETS "/m", NULL);
  g_assert_cmpint (num (obj (&after), "spec.size"), ==, 9);
}

static void
apply (Fixture *f, Response *r, const char *name, const char *query, const char *yaml)
{
  g_autofree char *path = g_strdup_printf (SPROCKETS "/%s?%s", name, query);
  request_full (f, r, "PATCH", path, "application/apply-patch+yaml", yaml, strlen (yaml), NULL);
}

/* The field set of @manager's Apply entry, as JSON text. */
static char *
fields_of (JsonObject *object, const char *manager)
{
  JsonArray *entries = json_node_get_array (path_get (object, "metadata.managedFields"));
  JsonObject *entry = find_by_name (entries, "manager", manager);
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "operation"), ==, "Apply");
  return json_to_string (json_object_get_member (entry, "fieldsV1"), FALSE);
}

/* Server-side apply: creates, merges, records each manager's fields,
 * and removes what a manager stops applying unless another applied it
 * too; refuses what may not be applied. */
static void
test_server_side_apply (Fixture *f, gconstpointer data)
{
  static const char first[] = "apiVersion: test.timon.io/v1\nkind: Sprocket\n"
                              "metadata:\n  name: ap\n  labels: {a: '1', b: '2'}\n"
                              "spec:\n  size: 1\n  teeth:\n  - {name: x, length: 1}\n"
                              "  - {name: q, length: 2}\n  tags: {k: v, l: w}\n";
  g_auto (Response) created = { 0 };
  apply (f, &created, "ap", "fieldManager=one", first);
  assert_ok (&created, 201);
  g_autofree char *set = fields_of (obj (&created), "one");
  g_assert_cmpstr (
    set, ==,
    "{\"f:metadata\":{\"f:labels\":{\"f:a\":{},\"f:b\":{}}},\"f:spec\":{\"f:size\":{},"
    "\"f:teeth\":{\"k:{\\\"name\\\":\\\"x\\\"}\":{\"f:name\":{},\"f:length\":{},"
    "\".\":{}},\"k:{\\\"name\\\":\\\"q\\\"}\":{\"f:name\":{},\"f:length\":{},"
    "\".\":{}}},\"f:tags\":{\"f:k\":{},\"f:l\":{}}}}");

  /* Another manager applies a tooth and a tag of its own. */
  g_auto (Response) other = { 0 };
  apply (f, &other, "ap", "fieldManager=two",
         "apiVersion: test.timon.io/v1\nkind: Sprocket\nmetadata: {name: ap}\n"
         "spec:\n  teeth:\n  - {name: z, length: 9}\n  tags: {l: w}\n");
  assert_ok (&other, 200);
  g_assert_cmpuint (json_array_get_length (
                      json_node_get_array (path_get (obj (&other), "metadata.managedFields"))),
                    ==, 2);

  /* The first drops label b, tooth q and tag l, changes x: what only
   * it applied goes; tag l stays, for "two" applied it too. */
  g_auto (Response) second = { 0 };
  apply (f, &second, "ap", "fieldManager=one",
         "apiVersion: test.timon.io/v1\nkind: Sprocket\nmetadata:\n  name: ap\n"
         "  labels: {a: '1'}\nspec:\n  size: 1\n  teeth:\n  - {name: x, length: 5}\n"
         "  tags: {k: v}\n");
  assert_ok (&second, 200);
  JsonObject *o = obj (&second);
  g_assert_null (path_get (o, "metadata.labels.b"));
  g_assert_cmpstr (str (o, "metadata.labels.a"), ==, "1");
  g_autofree char *teeth = json_to_string (path_get (o, "spec.teeth"), FALSE);
  g_assert_cmpstr (teeth, ==, "[{\"name\":\"x\",\"length\":5},{\"name\":\"z\",\"length\":9}]");
  g_autofree char *tags = json_to_string (path_get (o, "spec.tags"), FALSE);
  g_assert_cmpstr (tags, ==, "{\"k\":\"v\",\"l\":\"w\"}");

  /* JSON is YAML too, as kubectl sends it. */
  g_auto (Response) json = { 0 };
  apply (
    f, &json, "ap", "fieldManager=one",
    "{\"apiVersion\":\"test.timon.io/v1\",\"kind\":\"Sprocket\",\"metadata\":{\"name\":\"ap\"},"
    "\"spec\":{\"size\":2}}");
  assert_ok (&json, 200);
  g_assert_cmpint (num (obj (&json), "spec.size"), ==, 2);
  g_assert_null (path_get (obj (&json), "spec.tags.k"));

  /* A dry run creates nothing. */
  g_auto (Response) dry = { 0 };
  apply (f, &dry, "dry", "fieldManager=one&dryRun=All",
         "apiVersion: test.timon.io/v1\nkind: Sprocket\nmetadata: {name: dry}\n");
  assert_ok (&dry, 201);
  g_auto (Response) absent = { 0 };
  request (f, &absent, "GET", SPROCKETS "/dry", NULL);
  assert_status (&absent, 404, "NotFound");

  static const struct {
    const char *query;
    const char *body;
    guint code;
    const char *message;
  } bad[] = {
    { "x=1", "apiVersion: test.timon.io/v1\nkind: Sprocket\n", 422, "fieldManager" },
    { "fieldManager=one", "kind: Sprocket\n", 400, "apiVersion and kind" },
    { "fieldManager=one",
      "apiVersion: test.timon.io/v1\nkind: Sprocket\nmetadata: {name: ap, managedFields: []}\n",
      400, "managedFields must be nil" },
    { "fieldManager=one", "apiVersion: test.timon.io/v1\nkind: Sprocket\nmetadata: {name: other}\n",
      400, "does not match the name on the URL" },
    { "fieldManager=one", "apiVersion: test.timon.io/v1\nkind: Widget\n", 400, "kind" },
    { "fieldManager=one", "- a\n- b\n", 400, "not a JSON object" },
    { "fieldManager=one", "a: [\n", 400, "not valid YAML" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_auto (Response) r = { 0 };
    apply (f, &r, "ap", bad[i].query, bad[i].body);
    g_test_message ("%s", bad[i].body);
    g_assert_cmpuint (r.status, ==, bad[i].code);
    assert_contains (str (obj (&r), "message"), bad[i].message);
  }
  g_auto (Response) after = { 0 };
  request (f, &after, "GET", SPROCKETS "/ap", NULL);
  g_assert_cmpint (num (obj (&after), "spec.size"), ==, 2);
}

/* ?dryRun=All on a create: the answer a create would give, nothing
 * stored; 409 when the name is taken. */
static void
test_create_dry_run (Fixture *f, gconstpointer data)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "POST", SPROCKETS "?dryRun=All", SPROCKET ("d1", "{\"size\":1}"));
  assert_ok (&r, 201);
  g_assert_nonnull (str (obj (&r), "metadata.uid"));
  g_auto (Response) absent = { 0 };
  request (f, &absent, "GET", SPROCKETS "/d1", NULL);
  assert_status (&absent, 404, "NotFound");

  g_auto (Response) real = { 0 };
  request (f, &real, "POST", SPROCKETS, SPROCKET ("d1", "{\"size\":1}"));
  assert_ok (&real, 201);
  g_auto (Response) taken = { 0 };
  request (f, &taken, "POST", SPROCKETS "?dryRun=All", SPROCKET ("d1", "{\"size\":2}"));
  assert_status (&taken, 409, "AlreadyExists");
  g_auto (Response) bad = { 0 };
  request (f, &bad, "POST", SPROCKETS "?dryRun=Some", SPROCKET ("d2", "{}"));
  assert_status (&bad, 422, "Invalid");
}

/* /openapi/v2, which kubectl 1.27 and 1.28 read: JSON on request,
 * protobuf (gnostic's openapi.v2.Document) for kubectl. */
static void
test_v2 (Fixture *f, gconstpointer data)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "GET", "/openapi/v2", NULL);
  assert_ok (&r, 200);
  g_assert_cmpstr (str (obj (&r), "swagger"), ==, "2.0");
  JsonObject *definitions = json_object_get_object_member (obj (&r), "definitions");
  JsonObject *sprocket = json_object_get_object_member (definitions, "io.timon.test.v1.Sprocket");
  g_assert_cmpstr (str (sprocket, "properties.spec.$ref"), ==,
                   "#/definitions/io.timon.test.v1.SprocketSpec");
  g_assert_cmpstr (str (sprocket, "properties.spec.description"), ==,
                   "What the sprocket should be.");
  /* A subtree that takes anything has no properties to validate. */
  JsonObject *widget = json_object_get_object_member (definitions, "io.timon.test.v1.Widget");
  g_assert_false (json_object_has_member (widget, "properties"));
  JsonObject *paths = json_object_get_object_member (obj (&r), "paths");
  g_assert_nonnull (
    path_get (json_object_get_object_member (
                paths, "/apis/test.timon.io/v1/namespaces/{namespace}/sprockets/{name}"),
              "patch.x-kubernetes-group-version-kind"));

  g_auto (Response) pb = { 0 };
  request_full (f, &pb, "GET", "/openapi/v2", NULL, NULL, 0,
                "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  g_assert_cmpuint (pb.status, ==, 200);
  g_assert_cmpstr (pb.content_type, ==,
                   "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  /* Field 1 (swagger), length 3: "2.0". */
  g_assert_true (g_str_has_prefix (pb.body, "\n\0032.0\022"));
  const char *etag = soup_message_headers_get_one (pb.headers, "ETag");
  g_assert_nonnull (etag);
  g_autoptr (SoupMessage) again = new_message (f, "GET", "/openapi/v2");
  SoupMessageHeaders *headers = soup_message_get_request_headers (again);
  soup_message_headers_replace (headers, "Accept",
                                "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
  soup_message_headers_replace (headers, "If-None-Match", etag);
  g_autoptr (GBytes) body = soup_session_send_and_read (f->session, again, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (again), ==, 304);
}

/* The real kubectl: create -f and apply -f validate on the server by
 * default (they fail without /openapi/v3), and explain prints the
 * schemas' descriptions. */
static void
test_kubectl (Fixture *f, gconstpointer data)
{
  if (!kubectl_installed ())
    return;
  g_autofree char *file = g_build_filename (f->dir, "sprocket.yaml", NULL);
  g_assert_true (g_file_set_contents (file,
                                      "apiVersion: test.timon.io/v1\nkind: Sprocket\n"
                                      "metadata:\n  name: k1\nspec:\n  size: 2\n"
                                      "  teeth:\n  - name: a\n    length: 3\n",
                                      -1, NULL));
  kubectl_expect (f, (const char *const[]){ "create", "-f", file, NULL },
                  "sprocket.test.timon.io/k1 created");
  kubectl_expect (f, (const char *const[]){ "explain", "sprockets.spec.teeth", NULL },
                  "Its teeth, merged by name.");
  kubectl_expect (f, (const char *const[]){ "explain", "sprockets.spec.teeth", NULL },
                  "How long the tooth is.");

  g_assert_true (g_file_set_contents (file,
                                      "apiVersion: test.timon.io/v1\nkind: Sprocket\n"
                                      "metadata:\n  name: k2\nspec:\n  sise: 2\n",
                                      -1, NULL));
  g_auto (TestRun) run = { 0 };
  kubectl (f, &run, (const char *const[]){ "create", "-f", file, NULL });
  g_assert_cmpint (run.status, !=, 0);
  assert_contains (run.err, "strict decoding error: unknown field \"spec.sise\"");

  if (!have_pods (f))
    return;
  g_autofree char *pod = g_build_filename (f->dir, "pod.yaml", NULL);
  g_assert_true (g_file_set_contents (
    pod,
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\n"
    "spec:\n  containers:\n  - name: nginx\n    image: nginx:1.27\n    ports:\n"
    "    - containerPort: 80\n    resources:\n      limits:\n        memory: 64Mi\n"
    "    securityContext:\n      runAsNonRoot: true\n      seccompProfile:\n"
    "        type: RuntimeDefault\n  tolerations:\n  - key: k\n    operator: Exists\n",
    -1, NULL));
  kubectl_expect (f, (const char *const[]){ "create", "-f", pod, NULL }, "pod/web created");
  kubectl_expect (f, (const char *const[]){ "explain", "pod.spec.containers", NULL }, "FIELDS:");
  kubectl_expect (f, (const char *const[]){ "explain", "pod.spec.containers.image", NULL },
                  "image");
  kubectl_expect (f, (const char *const[]){ "explain", "deployment.spec.strategy", NULL },
                  "rollingUpdate");

  /* apply, then apply a changed file: a strategic merge patch that
   * changes that field only, the containers merged by name. */
  g_autofree char *deploy = g_build_filename (f->dir, "deploy.yaml", NULL);
  static const char manifest[] =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"
    "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
    "      labels: {app: web}\n    spec:\n      containers:\n      - name: nginx\n"
    "        image: nginx:%s\n      - name: side\n        image: busybox\n";
  g_autofree char *first = g_strdup_printf (manifest, "1.26");
  g_assert_true (g_file_set_contents (deploy, first, -1, NULL));
  kubectl_expect (f, (const char *const[]){ "apply", "-f", deploy, NULL },
                  "deployment.apps/web created");
  kubectl_expect (f, (const char *const[]){ "apply", "-f", deploy, NULL },
                  "deployment.apps/web unchanged");
  g_autofree char *second = g_strdup_printf (manifest, "1.27");
  g_assert_true (g_file_set_contents (deploy, second, -1, NULL));
  kubectl_expect (f, (const char *const[]){ "apply", "-f", deploy, NULL },
                  "deployment.apps/web configured");
  kubectl_expect (f,
                  (const char *const[]){ "get", "deployment", "web", "-o",
                                         "jsonpath={.spec.template.spec.containers[*].image}",
                                         NULL },
                  "nginx:1.27 busybox");
  kubectl_expect (f,
                  (const char *const[]){ "set", "image", "deployment/web", "side=busybox:2", NULL },
                  "image updated");
  kubectl_expect (f,
                  (const char *const[]){ "get", "deployment", "web", "-o",
                                         "jsonpath={.spec.template.spec.containers[*].image}",
                                         NULL },
                  "nginx:1.27 busybox:2");

  /* Server-side: created, then a container dropped from the file goes. */
  g_autofree char *ssa_first = g_strdup_printf (manifest, "1.25");
  g_autofree char *ssa = g_strdup_printf ("%s", ssa_first);
  char *web = strstr (ssa, "name: web\n");
  memcpy (web, "name: ssa", 9);
  g_assert_true (g_file_set_contents (deploy, ssa, -1, NULL));
  kubectl_expect (f, (const char *const[]){ "apply", "--server-side", "-f", deploy, NULL },
                  "deployment.apps/ssa serverside-applied");
  *strstr (ssa, "      - name: side") = '\0';
  g_assert_true (g_file_set_contents (deploy, ssa, -1, NULL));
  kubectl_expect (f, (const char *const[]){ "apply", "--server-side", "-f", deploy, NULL },
                  "deployment.apps/ssa serverside-applied");
  kubectl_expect (f,
                  (const char *const[]){ "get", "deployment", "ssa", "-o",
                                         "jsonpath={.spec.template.spec.containers[*].name}",
                                         NULL },
                  "nginx");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/apiserver/openapi/documents", test_documents);
  ADD ("/apiserver/openapi/field-validation", test_field_validation);
  ADD ("/apiserver/openapi/v2", test_v2);
  ADD ("/apiserver/patch/strategic", test_strategic_merge);
  ADD ("/apiserver/patch/server-side-apply", test_server_side_apply);
  ADD ("/apiserver/writes/create-dry-run", test_create_dry_run);
  ADD ("/apiserver/kubectl/create-explain", test_kubectl);
#undef ADD

  return g_test_run ();
}
