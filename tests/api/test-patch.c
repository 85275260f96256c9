/* test-patch.c: the patch documents of PATCH (core/timon-api-patch.c),
 * table-driven: RFC 7386's examples, RFC 6902's appendix, and what
 * Kubernetes answers when a patch is no patch or does not apply.
 *
 * The cases compare documents semantically, so that the order of
 * members does not matter, as RFC 6902's "test" does not care for it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-utils.h"
#include "timon-api-private.h"
#include "timon-status.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));
  return json_node_ref (json_parser_get_root (parser));
}

static void
assert_json (JsonNode *got, const char *expected)
{
  g_autoptr (JsonNode) want = parse (expected);
  if (!api_json_equal (got, want)) {
    g_autofree char *text = json_to_string (got, FALSE);
    g_error ("expected %s, got %s", expected, text);
  }
}

/* ---- RFC 7386 ----------------------------------------------------------- */

typedef struct {
  const char *target;
  const char *patch;
  const char *result;
} MergeCase;

/* RFC 7386, appendix A, in order; then the example of section 3. */
static const MergeCase merge_cases[] = {
  { "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
  { "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}" },
  { "{\"a\":\"b\"}", "{\"a\":null}", "{}" },
  { "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}" },
  { "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}" },
  { "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}" },
  { "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}" },
  { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}" },
  { "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]" },
  { "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]" },
  { "{\"a\":\"foo\"}", "null", "null" },
  { "{\"a\":\"foo\"}", "\"bar\"", "\"bar\"" },
  { "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}" },
  { "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}" },
  { "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}" },
  { "{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
    "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
    "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},"
    "\"tags\":[\"example\"]}",
    "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
    "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}" },
  /* Nulls inside an array are values, kept as they are. */
  { "{}", "{\"a\":[null,{\"b\":null}]}", "{\"a\":[null,{\"b\":null}]}" },
};

static void
test_merge_rfc7386 (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (merge_cases); i++) {
    const MergeCase *c = &merge_cases[i];
    g_autoptr (JsonNode) target = parse (c->target);
    g_autoptr (JsonNode) patch = parse (c->patch);
    g_autoptr (JsonNode) before = api_json_deep_copy (target);

    g_test_message ("%s + %s", c->target, c->patch);
    g_autoptr (JsonNode) result = api_merge_patch (target, patch);
    assert_json (result, c->result);
    /* The target is left as it was: a retry applies the patch again. */
    g_assert_true (api_json_equal (target, before));
  }
  /* A missing target is an absent one. */
  g_autoptr (JsonNode) patch = parse ("{\"a\":{\"b\":null,\"c\":1}}");
  g_autoptr (JsonNode) result = api_merge_patch (NULL, patch);
  assert_json (result, "{\"a\":{\"c\":1}}");
}

/* ---- RFC 6902 ----------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *target;
  const char *patch;
  const char *result; /* NULL: the patch fails */
  int code;           /* the TIMON_API_ERROR of a failure */
  const char *detail; /* a part of its message */
} JsonPatchCase;

#define INVALID TIMON_API_ERROR_INVALID
#define BAD TIMON_API_ERROR_BAD_REQUEST

/* RFC 6902, appendix A. */
static const JsonPatchCase rfc6902_cases[] = {
  { "A.1 adding an object member", "{\"foo\":\"bar\"}",
    "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]", "{\"baz\":\"qux\",\"foo\":\"bar\"}" },
  { "A.2 adding an array element", "{\"foo\":[\"bar\",\"baz\"]}",
    "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
    "{\"foo\":[\"bar\",\"qux\",\"baz\"]}" },
  { "A.3 removing an object member", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
    "[{\"op\":\"remove\",\"path\":\"/baz\"}]", "{\"foo\":\"bar\"}" },
  { "A.4 removing an array element", "{\"foo\":[\"bar\",\"qux\",\"baz\"]}",
    "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", "{\"foo\":[\"bar\",\"baz\"]}" },
  { "A.5 replacing a value", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
    "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
    "{\"baz\":\"boo\",\"foo\":\"bar\"}" },
  { "A.6 moving a value",
    "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
    "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
    "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}" },
  { "A.7 moving an array element", "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
    "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
    "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}" },
  { "A.8 testing a value: success", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
    "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
    "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
    "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}" },
  { "A.9 testing a value: error", "{\"baz\":\"qux\"}",
    "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL, INVALID,
    "testing value /baz failed" },
  { "A.10 adding a nested member object", "{\"foo\":\"bar\"}",
    "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
    "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}" },
  { "A.11 ignoring unrecognized elements", "{\"foo\":\"bar\"}",
    "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
    "{\"foo\":\"bar\",\"baz\":\"qux\"}" },
  { "A.12 adding to a nonexistent target", "{\"foo\":\"bar\"}",
    "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]", NULL, INVALID,
    "missing the parent of path \"/baz/bat\"" },
  /* JSON leaves duplicate names to the parser: json-glib keeps the last,
   * a remove of what is not there. */
  { "A.13 invalid JSON patch document", "{\"foo\":\"bar\"}",
    "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]", NULL, INVALID,
    "missing path \"/baz\"" },
  { "A.14 ~ escape ordering", "{\"/\":9,\"~1\":10}",
    "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]", "{\"/\":9,\"~1\":10}" },
  { "A.15 comparing strings and numbers", "{\"/\":9,\"~1\":10}",
    "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]", NULL, INVALID,
    "testing value /~01 failed" },
  { "A.16 adding an array value", "{\"foo\":[\"bar\"]}",
    "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
    "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}" },
};

/* Beyond the appendix: pointers, indexes, every operation's edges, and
 * what Kubernetes answers 400 (no patch) or 422 (does not apply). */
static const JsonPatchCase more_cases[] = {
  { "empty patch", "{\"a\":1}", "[]", "{\"a\":1}" },
  { "add replaces a member", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":2}]",
    "{\"a\":2}" },
  { "add the whole document", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":{\"b\":2}}]",
    "{\"b\":2}" },
  { "add at the end by index", "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":2}]",
    "{\"a\":[1,2]}" },
  { "add at the start", "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/0\",\"value\":0}]",
    "{\"a\":[0,1]}" },
  { "add past the end", "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":2}]", NULL,
    INVALID, "not an index" },
  { "add with a leading zero", "{\"a\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":2}]",
    NULL, INVALID, "not an index" },
  { "add with a negative index", "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/-1\",\"value\":2}]",
    NULL, INVALID, "not an index" },
  { "add a null value", "{}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":null}]", "{\"a\":null}" },
  { "add to an empty key", "{}", "[{\"op\":\"add\",\"path\":\"/\",\"value\":1}]", "{\"\":1}" },
  { "add under a value", "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":2}]", NULL,
    INVALID, "neither an object nor an array" },
  { "add without a value", "{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", NULL, INVALID,
    "\"value\" is missing" },
  { "escapes", "{\"a/b\":1,\"m~n\":2}",
    "[{\"op\":\"replace\",\"path\":\"/a~1b\",\"value\":3},"
    "{\"op\":\"remove\",\"path\":\"/m~0n\"}]",
    "{\"a/b\":3}" },
  { "a bad escape", "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/~2\"}]", NULL, INVALID,
    "'~' must be followed by '0' or '1'" },
  { "a pointer without its slash", "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]", NULL,
    INVALID, "is not a JSON pointer" },
  { "remove what is not there", "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL, INVALID,
    "missing path \"/b\"" },
  { "remove past the end", "{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]", NULL, INVALID,
    "missing path" },
  { "remove with -", "{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/-\"}]", NULL, INVALID,
    "missing path" },
  { "remove the whole document", "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", NULL, INVALID,
    "whole document" },
  { "replace what is not there", "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]",
    NULL, INVALID, "missing path" },
  { "replace an array element", "{\"a\":[1,2,3]}",
    "[{\"op\":\"replace\",\"path\":\"/a/1\",\"value\":9}]", "{\"a\":[1,9,3]}" },
  { "replace the whole document", "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]",
    "[1]" },
  { "move to itself", "{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]",
    "{\"a\":1}" },
  { "move into its own child", "{\"a\":{\"b\":1}}",
    "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]", NULL, INVALID, "own child" },
  { "move to a sibling with the same prefix", "{\"a\":1}",
    "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/ab\"}]", "{\"ab\":1}" },
  { "move from what is not there", "{}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/b\"}]",
    NULL, INVALID, "missing from path \"/a\"" },
  { "move without from", "{}", "[{\"op\":\"move\",\"path\":\"/b\"}]", NULL, INVALID,
    "\"from\" must be a string" },
  { "copy", "{\"a\":{\"b\":[1]}}",
    "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"},"
    "{\"op\":\"add\",\"path\":\"/c/b/-\",\"value\":2}]",
    "{\"a\":{\"b\":[1]},\"c\":{\"b\":[1,2]}}" },
  { "copy into an array", "{\"a\":[1,2]}",
    "[{\"op\":\"copy\",\"from\":\"/a/1\",\"path\":\"/a/0\"}]", "{\"a\":[2,1,2]}" },
  { "copy from what is not there", "{}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]",
    NULL, INVALID, "missing from path" },
  { "test numbers by value", "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1.0}]",
    "{\"a\":1}" },
  { "test objects whatever the order", "{\"a\":{\"x\":1,\"y\":[true,null]}}",
    "[{\"op\":\"test\",\"path\":\"/a\",\"value\":{\"y\":[true,null],\"x\":1}}]",
    "{\"a\":{\"x\":1,\"y\":[true,null]}}" },
  { "test arrays in order", "{\"a\":[1,2]}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":[2,1]}]",
    NULL, INVALID, "testing value /a" },
  { "test null", "{\"a\":null}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]",
    "{\"a\":null}" },
  { "test what is not there", "{}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]", NULL,
    INVALID, "missing path" },
  { "test the whole document", "{\"a\":1}", "[{\"op\":\"test\",\"path\":\"\",\"value\":{\"a\":1}}]",
    "{\"a\":1}" },
  { "a failing operation fails the whole patch", "{\"a\":1}",
    "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},"
    "{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]",
    NULL, INVALID, "operation 1 (test)" },
  { "an unknown op", "{}", "[{\"op\":\"frobnicate\",\"path\":\"/a\"}]", NULL, INVALID,
    "unknown operation" },
  { "no op", "{}", "[{\"path\":\"/a\"}]", NULL, INVALID, "\"op\" must be one of" },
  { "an op that is no string", "{}", "[{\"op\":1,\"path\":\"/a\"}]", NULL, INVALID,
    "\"op\" must be one of" },
  { "no path", "{}", "[{\"op\":\"add\",\"value\":1}]", NULL, INVALID, "\"path\" must be a string" },
  { "not an array", "{}", "{\"op\":\"add\",\"path\":\"/a\",\"value\":1}", NULL, BAD,
    "must be a JSON array" },
  { "an operation that is no object", "{}", "[1]", NULL, BAD, "element 0 is not an object" },
};

static void
check_json_patch (const JsonPatchCase *c)
{
  g_autoptr (JsonNode) target = parse (c->target);
  g_autoptr (JsonNode) patch = parse (c->patch);
  g_autoptr (JsonNode) before = api_json_deep_copy (target);
  g_autoptr (JsonNode) patch_before = api_json_deep_copy (patch);
  g_autoptr (GError) error = NULL;

  g_test_message ("%s", c->name);
  g_autoptr (JsonNode) result = api_json_patch (target, patch, &error);
  if (c->result != NULL) {
    g_assert_no_error (error);
    assert_json (result, c->result);
  } else {
    g_assert_null (result);
    g_assert_error (error, TIMON_API_ERROR, c->code);
    assert_contains (error->message, c->detail);
  }
  /* Neither input changed, whatever happened. */
  g_assert_true (api_json_equal (target, before));
  g_assert_true (api_json_equal (patch, patch_before));
}

static void
test_json_rfc6902 (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (rfc6902_cases); i++)
    check_json_patch (&rfc6902_cases[i]);
}

static void
test_json_more (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (more_cases); i++)
    check_json_patch (&more_cases[i]);
}

/* The result shares nothing with the patch: values added twice are
 * two values. */
static void
test_json_copies (void)
{
  g_autoptr (JsonNode) target = parse ("{}");
  g_autoptr (JsonNode) patch = parse ("[{\"op\":\"add\",\"path\":\"/a\",\"value\":{\"x\":[1]}},"
                                      "{\"op\":\"add\",\"path\":\"/b\",\"value\":{\"x\":[1]}},"
                                      "{\"op\":\"add\",\"path\":\"/a/x/-\",\"value\":2}]");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) once = api_json_patch (target, patch, &error);
  g_assert_no_error (error);
  assert_json (once, "{\"a\":{\"x\":[1,2]},\"b\":{\"x\":[1]}}");
  g_autoptr (JsonNode) twice = api_json_patch (target, patch, &error);
  g_assert_no_error (error);
  assert_json (twice, "{\"a\":{\"x\":[1,2]},\"b\":{\"x\":[1]}}");
}

/* Kubernetes' limit: 10,000 operations, then 413. */
static void
test_json_limit (void)
{
  g_autoptr (GString) text = g_string_new ("[");
  for (int i = 0; i <= API_PATCH_MAX_OPERATIONS; i++)
    g_string_append_printf (text, "%s{\"op\":\"test\",\"path\":\"\",\"value\":{}}",
                            i > 0 ? "," : "");
  g_string_append_c (text, ']');
  g_autoptr (JsonNode) target = parse ("{}");
  g_autoptr (JsonNode) patch = parse (text->str);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) result = api_json_patch (target, patch, &error);
  g_assert_null (result);
  g_assert_error (error, TIMON_API_ERROR, TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE);
  assert_contains (error->message, "The allowed maximum operations in a JSON patch is 10000");

  /* One less is fine. */
  JsonArray *operations = json_node_get_array (patch);
  json_array_remove_element (operations, 0);
  g_clear_error (&error);
  g_autoptr (JsonNode) ok = api_json_patch (target, patch, &error);
  g_assert_no_error (error);
  assert_json (ok, "{}");
}

/* ---- the patch types ---------------------------------------------------- */

static void
test_content_types (void)
{
  static const struct {
    const char *content_type;
    gboolean served;
    ApiPatchType type;
    const char *detail;
  } cases[] = {
    { "application/json-patch+json", TRUE, API_PATCH_JSON, NULL },
    { "application/merge-patch+json", TRUE, API_PATCH_MERGE, NULL },
    { "Application/Merge-Patch+JSON", TRUE, API_PATCH_MERGE, NULL },
    { "application/strategic-merge-patch+json", TRUE, API_PATCH_STRATEGIC, NULL },
    { "application/apply-patch+yaml", TRUE, API_PATCH_APPLY, NULL },
    { "application/apply-patch+cbor", FALSE, 0,
      "application/apply-patch+cbor is not supported yet" },
    { "application/json", FALSE, 0, "accepted media types include" },
    { "text/plain", FALSE, 0, "accepted media types include" },
    { NULL, FALSE, 0, "accepted media types include" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    ApiPatchType type = (ApiPatchType) -1;
    g_autoptr (GError) error = NULL;

    g_test_message ("%s", cases[i].content_type);
    g_assert_cmpint (api_patch_type_from_content_type (cases[i].content_type, &type, &error), ==,
                     cases[i].served);
    if (cases[i].served) {
      g_assert_no_error (error);
      g_assert_cmpint (type, ==, cases[i].type);
      continue;
    }
    g_assert_error (error, TIMON_API_ERROR, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE);
    /* Kubernetes' words, naming what is served. */
    assert_contains (error->message,
                     "the body of the request was in an unknown format - accepted media types "
                     "include: application/json-patch+json, application/merge-patch+json");
    assert_contains (error->message, cases[i].detail);
  }
}

static void
test_apply (void)
{
  g_autoptr (JsonNode) target = parse ("{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"v\"}}");
  g_autoptr (GError) error = NULL;

  g_autoptr (JsonNode) merge = parse ("{\"data\":{\"k\":null,\"l\":\"w\"}}");
  g_autoptr (JsonNode) merged = api_patch_apply (API_PATCH_MERGE, target, merge, &error);
  g_assert_no_error (error);
  assert_json (merged, "{\"metadata\":{\"name\":\"a\"},\"data\":{\"l\":\"w\"}}");

  g_autoptr (JsonNode) json = parse ("[{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"x\"}]");
  g_autoptr (JsonNode) patched = api_patch_apply (API_PATCH_JSON, target, json, &error);
  g_assert_no_error (error);
  assert_json (patched, "{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"x\"}}");

  /* A merge patch of an object that would replace it: no patch of it. */
  const char *const not_objects[] = { "null", "[1]", "\"x\"", "3" };
  for (size_t i = 0; i < G_N_ELEMENTS (not_objects); i++) {
    g_autoptr (JsonNode) patch = parse (not_objects[i]);
    g_autoptr (GError) local = NULL;
    g_autoptr (JsonNode) result = api_patch_apply (API_PATCH_MERGE, target, patch, &local);
    g_assert_null (result);
    g_assert_error (local, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST);
  }
}

/* What Kubernetes answers a JSON patch that does not apply: a generic
 * 422 Invalid, the reason kept in a cause on "patch"; other errors as
 * they are. */
static void
test_error_status (void)
{
  g_autoptr (GError) invalid = g_error_new_literal (TIMON_API_ERROR, TIMON_API_ERROR_INVALID,
                                                    "testing value /a failed: test failed");
  g_autoptr (JsonNode) status = api_patch_error_status (invalid);
  g_autofree char *json = json_to_string (status, FALSE);
  g_assert_cmpstr (json, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                   "\"status\":\"Failure\",\"message\":\"the server rejected our request due to "
                   "an error in our request\",\"reason\":\"Invalid\",\"code\":422,"
                   "\"details\":{\"causes\":[{\"reason\":\"FieldValueInvalid\","
                   "\"message\":\"testing value /a failed: test failed\",\"field\":\"patch\"}]}}");

  g_autoptr (GError) bad = g_error_new_literal (TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                                                "a JSON patch must be a JSON array of operations");
  g_autoptr (JsonNode) bad_status = api_patch_error_status (bad);
  JsonObject *o = json_node_get_object (bad_status);
  g_assert_cmpint (json_object_get_int_member (o, "code"), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, "BadRequest");
  g_assert_cmpstr (json_object_get_string_member (o, "message"), ==, bad->message);
}

static void
test_equal (void)
{
  static const struct {
    const char *a;
    const char *b;
    gboolean equal;
  } cases[] = {
    { "1", "1", TRUE },
    { "1", "1.0", TRUE },
    { "1.5", "1.5", TRUE },
    { "1", "2", FALSE },
    { "1", "\"1\"", FALSE },
    { "true", "true", TRUE },
    { "true", "1", FALSE },
    { "null", "null", TRUE },
    { "null", "{}", FALSE },
    { "\"a\"", "\"a\"", TRUE },
    { "\"a\"", "\"b\"", FALSE },
    { "{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", TRUE },
    { "{\"a\":1}", "{\"a\":1,\"b\":2}", FALSE },
    { "{\"a\":1,\"b\":2}", "{\"a\":1}", FALSE },
    { "{\"a\":null}", "{}", FALSE },
    { "[1,[2]]", "[1,[2]]", TRUE },
    { "[1,2]", "[2,1]", FALSE },
    { "[]", "{}", FALSE },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonNode) a = parse (cases[i].a);
    g_autoptr (JsonNode) b = parse (cases[i].b);
    g_test_message ("%s == %s", cases[i].a, cases[i].b);
    g_assert_cmpint (api_json_equal (a, b), ==, cases[i].equal);
    g_assert_cmpint (api_json_equal (b, a), ==, cases[i].equal);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/api/patch/merge/rfc7386", test_merge_rfc7386);
  g_test_add_func ("/api/patch/json/rfc6902-appendix", test_json_rfc6902);
  g_test_add_func ("/api/patch/json/cases", test_json_more);
  g_test_add_func ("/api/patch/json/copies", test_json_copies);
  g_test_add_func ("/api/patch/json/limit", test_json_limit);
  g_test_add_func ("/api/patch/content-type", test_content_types);
  g_test_add_func ("/api/patch/apply", test_apply);
  g_test_add_func ("/api/patch/error-status", test_error_status);
  g_test_add_func ("/api/patch/equal", test_equal);

  return g_test_run ();
}
