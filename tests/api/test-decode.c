/* test-decode.c: what Kubernetes' decoder refuses before it reads a
 * body (core/timon-api-decode.c): JSON nested too deep or followed by
 * more, and ObjectMeta members of the wrong type, with Go's messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-utils.h"
#include "timon-api-private.h"

typedef struct {
  const char *json;
  const char *error; /* NULL: passes (the parser may still refuse it) */
} ShapeCase;

static const ShapeCase shape_cases[] = {
  { "{}", NULL },
  { " \t\r\n{\"a\":[1,2,{\"b\":null}]}\n ", NULL },
  { "[]", NULL },
  { "\"text\"", NULL },
  { "42", NULL },
  { "-1.5e3 ", NULL },
  { "true", NULL },
  /* Brackets in strings, escaped quotes: not structure. */
  { "{\"a\":\"}}]]{{\"}", NULL },
  { "{\"a\\\"}\":\"\\\\\"}", NULL },
  /* Left to the parser: empty, not a value, cut short, mismatched. */
  { "", NULL },
  { "   ", NULL },
  { "}", NULL },
  { "\xff\xfe{}", NULL },
  { "{\"a\":", NULL },
  { "{\"a\":\"unterminated", NULL },
  { "{]", NULL },
  /* More than one value. */
  { "{\"metadata\":{\"name\":\"x\"}} {}", "invalid character '{' after top-level value" },
  { "{}{}", "invalid character '{' after top-level value" },
  { "[1] [2]", "invalid character '[' after top-level value" },
  { "{}}", "invalid character '}' after top-level value" },
  { "42 43", "invalid character '4' after top-level value" },
  { "\"a\"\"b\"", "invalid character '\"' after top-level value" },
  { "null x", "invalid character 'x' after top-level value" },
  { "{} '", "invalid character '\\'' after top-level value" },
  { "{}\x01", "invalid character '\\x01' after top-level value" },
  { "{}\n\t", NULL },
  { "{}\xc3\xa9", "invalid character '\xc3\x83' after top-level value" },
};

static void
test_shape (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (shape_cases); i++) {
    const ShapeCase *c = &shape_cases[i];
    g_autoptr (GError) error = NULL;
    gboolean ok = api_json_check_shape (c->json, strlen (c->json), &error);
    if (c->error == NULL) {
      g_assert_no_error (error);
      g_assert_true (ok);
    } else {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, c->error);
      g_assert_false (ok);
    }
  }
}

/* @depth levels of @open ("{\"a\":" or "["), closed. */
static char *
nested (guint depth, const char *open, const char *close)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, "1");
  for (guint i = 0; i < depth; i++)
    g_string_append (s, close);
  return g_string_free (s, FALSE);
}

/* Go's encoding/json takes 10,000 levels and refuses one more, at the
 * bracket that goes past, however long the body goes on. */
static void
test_depth (void)
{
  static const struct {
    const char *open, *close, *error;
  } kinds[] = {
    { "[", "]", "invalid character '[' exceeded max depth" },
    { "{\"a\":", "}", "invalid character '{' exceeded max depth" },
  };

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++) {
    g_autofree char *deepest = nested (API_JSON_MAX_DEPTH, kinds[k].open, kinds[k].close);
    g_autoptr (GError) error = NULL;
    g_assert_true (api_json_check_shape (deepest, strlen (deepest), &error));
    g_assert_no_error (error);

    g_autofree char *deeper = nested (API_JSON_MAX_DEPTH + 1, kinds[k].open, kinds[k].close);
    g_assert_false (api_json_check_shape (deeper, strlen (deeper), &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpstr (error->message, ==, kinds[k].error);
    g_clear_error (&error);

    /* A body that only opens, 60,000 levels: refused, never parsed. */
    g_autoptr (GString) open = g_string_new (NULL);
    for (guint i = 0; i < 60000; i++)
      g_string_append (open, kinds[k].open);
    g_assert_false (api_json_check_shape (open->str, open->len, &error));
    g_assert_cmpstr (error->message, ==, kinds[k].error);
  }
}

typedef struct {
  const char *metadata;
  const char *error; /* NULL: decodes */
} MetaCase;

static const MetaCase meta_cases[] = {
  { "{}", NULL },
  { "{\"name\":\"a\",\"generateName\":\"b-\",\"namespace\":\"default\",\"uid\":\"u\","
    "\"resourceVersion\":\"7\",\"generation\":3,\"labels\":{\"app\":\"web\"},"
    "\"annotations\":{\"k\":\"v\"},\"finalizers\":[\"f\"],\"ownerReferences\":[{}],"
    "\"creationTimestamp\":\"2000-01-01T00:00:00Z\",\"deletionGracePeriodSeconds\":30,"
    "\"unknownMember\":[1,2,3]}",
    NULL },
  /* null leaves a field as it is, in Go. */
  { "{\"name\":null,\"labels\":null,\"finalizers\":null,\"generation\":null}", NULL },
  { "{\"labels\":{\"app\":null},\"finalizers\":[null]}", NULL },
  { "{\"name\":5}",
    "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string" },
  { "{\"name\":true}",
    "json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.name of type string" },
  { "{\"generateName\":5}", "json: cannot unmarshal number into Go struct field "
                            "ObjectMeta.metadata.generateName of type string" },
  { "{\"namespace\":{}}", "json: cannot unmarshal object into Go struct field "
                          "ObjectMeta.metadata.namespace of type string" },
  { "{\"resourceVersion\":5}", "json: cannot unmarshal number into Go struct field "
                               "ObjectMeta.metadata.resourceVersion of type string" },
  { "{\"uid\":5}", "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.uid of "
                   "type types.UID" },
  { "{\"labels\":\"app\"}", "json: cannot unmarshal string into Go struct field "
                            "ObjectMeta.metadata.labels of type map[string]string" },
  { "{\"labels\":{\"app\":5}}", "json: cannot unmarshal number into Go struct field "
                                "ObjectMeta.metadata.labels of type string" },
  { "{\"annotations\":[1]}", "json: cannot unmarshal array into Go struct field "
                             "ObjectMeta.metadata.annotations of type map[string]string" },
  { "{\"finalizers\":\"x\"}", "json: cannot unmarshal string into Go struct field "
                              "ObjectMeta.metadata.finalizers of type []string" },
  { "{\"finalizers\":[\"a\",{}]}", "json: cannot unmarshal object into Go struct field "
                                   "ObjectMeta.metadata.finalizers of type string" },
  { "{\"generation\":\"1\"}", "json: cannot unmarshal string into Go struct field "
                              "ObjectMeta.metadata.generation of type int64" },
  { "{\"generation\":1.5}", "json: cannot unmarshal number 1.5 into Go struct field "
                            "ObjectMeta.metadata.generation of type int64" },
  { "{\"ownerReferences\":[\"x\"]}", "json: cannot unmarshal string into Go struct field "
                                     "ObjectMeta.metadata.ownerReferences of type "
                                     "v1.OwnerReference" },
  /* The first member sent that fails, as json.Unmarshal keeps its first
   * error. */
  { "{\"uid\":1,\"name\":2}", "json: cannot unmarshal number into Go struct field "
                              "ObjectMeta.metadata.uid of type types.UID" },
};

static JsonNode *
parse (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static void
test_object_meta (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (meta_cases); i++) {
    const MetaCase *c = &meta_cases[i];
    g_autoptr (JsonNode) metadata = parse (c->metadata);
    g_autoptr (GError) error = NULL;
    gboolean ok = api_check_object_meta (json_node_get_object (metadata), &error);
    if (c->error == NULL) {
      g_assert_no_error (error);
      g_assert_true (ok);
    } else {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, c->error);
      g_assert_false (ok);
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/api/decode/shape", test_shape);
  g_test_add_func ("/api/decode/depth", test_depth);
  g_test_add_func ("/api/decode/object-meta", test_object_meta);

  return g_test_run ();
}
