/* test-yaml.c: application/yaml bodies as the JSON Kubernetes makes of
 * them (core/timon-yaml.c), table-driven: YAML 1.1's scalars as go-yaml
 * v2 resolves them, keys, anchors and merges, and what is refused.
 *
 * Documents are compared as JSON values: members in any order, 1 and
 * 1.0 alike (json_node_equal()).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <json-glib/json-glib.h>

#include "test-utils.h"
#include "timon-yaml.h"

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
assert_converts (const char *yaml, const char *expected)
{
  g_autoptr (GError) error = NULL;
  gsize length = 0;
  g_autofree char *json = timon_yaml_to_json (yaml, strlen (yaml), &length, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json);
  g_assert_cmpuint (length, ==, strlen (json));
  g_autoptr (JsonNode) got = parse (json);
  g_autoptr (JsonNode) want = parse (expected);
  if (!json_node_equal (got, want))
    g_error ("YAML %s: expected %s, got %s", yaml, expected, json);
}

static void
assert_refused (const char *yaml, gsize length, const char *message)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = timon_yaml_to_json (yaml, length, NULL, &error);
  g_assert_null (json);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_prefix (error->message, "yaml: "));
  assert_contains (error->message, message);
}

static const struct {
  const char *yaml;
  const char *json;
} cases[] = {
  /* A manifest as kubectl users write them. */
  { "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  labels:\n    app: web\n"
    "data:\n  key: value\n  script: |\n    echo hi\n    exit 0\n",
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"web\",\"labels\":"
    "{\"app\":\"web\"}},\"data\":{\"key\":\"value\",\"script\":\"echo hi\\nexit 0\\n\"}}" },
  { "spec:\n  replicas: 3\n  paused: false\n  template: {metadata: {labels: {app: x}}}\n",
    "{\"spec\":{\"replicas\":3,\"paused\":false,\"template\":{\"metadata\":{\"labels\":"
    "{\"app\":\"x\"}}}}}" },
  { "- a\n- [b, c]\n- {d: e}\n", "[\"a\",[\"b\",\"c\"],{\"d\":\"e\"}]" },
  /* Null, in all its spellings; YAML 1.1's booleans, and quoted ones. */
  { "[~, null, Null, NULL, '', \"null\"]", "[null,null,null,null,\"\",\"null\"]" },
  { "a:\nb: c\n", "{\"a\":null,\"b\":\"c\"}" },
  { "[yes, Yes, YES, y, Y, true, True, TRUE, on, On, ON]",
    "[true,true,true,true,true,true,true,true,true,true,true]" },
  { "[no, No, NO, n, N, false, False, FALSE, off, Off, OFF]",
    "[false,false,false,false,false,false,false,false,false,false,false]" },
  { "['yes', \"on\", yEs, tRUE]", "[\"yes\",\"on\",\"yEs\",\"tRUE\"]" },
  /* Integers as Go's ParseInt with base 0: 0644 is octal, as in a
   * Secret volume's defaultMode. */
  { "[0644, 0o17, 0x1F, 0X1f, 0b101, -12, +7, 1_000, 0, -0, 00]",
    "[420,15,31,31,5,-12,7,1000,0,0,0]" },
  { "[9223372036854775807, -9223372036854775808]", "[9223372036854775807,-9223372036854775808]" },
  /* Floats; what is neither stays a string. */
  { "[1.5, -0.25, .5, 1e3, 6.02E+23, 1., 09, +.5]", "[1.5,-0.25,0.5,1000,6.02e23,1,9,0.5]" },
  { "[1.2.3, 2001-12-14, 2001-12-14T21:59:43Z, 12:30, 0x, '-', ., 1e, abc, 0xZZ, \"12\"]",
    "[\"1.2.3\",\"2001-12-14\",\"2001-12-14T21:59:43Z\",\"12:30\",\"0x\",\"-\",\".\",\"1e\","
    "\"abc\",\"0xZZ\",\"12\"]" },
  /* Explicit tags. */
  { "a: !!str 1\nb: !!int '7'\nc: !!float 2\nd: !!bool 'yes'\ne: !!null ''\nf: ! 5\n",
    "{\"a\":\"1\",\"b\":7,\"c\":2,\"d\":true,\"e\":null,\"f\":\"5\"}" },
  /* Keys are strings: booleans and numbers as Go prints them. */
  { "{yes: a, 1: b, 0x10: c, 'n': d, \"on\": e, 1.5: f}",
    "{\"true\":\"a\",\"1\":\"b\",\"16\":\"c\",\"n\":\"d\",\"on\":\"e\",\"1.5\":\"f\"}" },
  /* Anchors, aliases, merge keys: explicit keys win, then the first map
   * merged in. */
  { "base: &base {a: 1, b: 2}\ncopy: *base\nmerged:\n  <<: *base\n  b: 3\n  c: 4\n"
    "s: &s text\nt: *s\n",
    "{\"base\":{\"a\":1,\"b\":2},\"copy\":{\"a\":1,\"b\":2},\"merged\":{\"a\":1,\"b\":3,\"c\":4},"
    "\"s\":\"text\",\"t\":\"text\"}" },
  { "p: &p {a: 1, b: 1}\nq: &q {b: 2, c: 2}\nr:\n  <<: [*p, *q]\n  d: 3\n",
    "{\"p\":{\"a\":1,\"b\":1},\"q\":{\"b\":2,\"c\":2},\"r\":{\"a\":1,\"b\":1,\"c\":2,\"d\":3}}" },
  /* YAML 1.1 again: a key "y" is the boolean true. */
  { "y: 1\nn: 2\n", "{\"true\":1,\"false\":2}" },
  { "a: {'<<': 1}\n", "{\"a\":{\"<<\":1}}" },
  { "&k name: x\nother: *k\n", "{\"name\":\"x\",\"other\":\"name\"}" },
  /* Strings: quoting, escapes, folding, Unicode. */
  { "a: \"tab\\there \\u00e9\"\nb: 'it''s'\nc: >\n  folded\n  text\n",
    "{\"a\":\"tab\\there \\u00e9\",\"b\":\"it's\",\"c\":\"folded text\\n\"}" },
  /* The first document only, as Kubernetes; empty is null. */
  { "a: 1\n---\nb: 2\n", "{\"a\":1}" },
  { "---\na: 1\n...\n", "{\"a\":1}" },
  { "", "null" },
  { "# only a comment\n", "null" },
  { "42", "42" },
};

static void
test_convert (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_converts (cases[i].yaml, cases[i].json);
}

static void
test_refused (void)
{
  static const struct {
    const char *yaml;
    const char *message;
  } refused[] = {
    { "a: [1, 2\n", "yaml: line " },
    { "a: b: c\n", "mapping values are not allowed in this context" },
    { "a: .inf\n", ".inf cannot be represented in JSON" },
    { "[-.Inf]", "-.Inf cannot be represented in JSON" },
    { "a: .NaN\n", "cannot be represented in JSON" },
    { "a: *nope\n", "unknown anchor 'nope' referenced" },
    { "a: &a [*a]\n", "unknown anchor 'a' referenced" },
    { "{[1]: a}", "unsupported map key" },
    { "? {a: 1}\n: b\n", "unsupported map key" },
    { "~: a\n", "unsupported map key: null" },
    { "a: !!int x\n", "cannot decode !!str `x` as a !!int" },
    { "a: !!bool 1\n", "as a !!bool" },
    { "a:\n  <<: 5\n", "map merge requires map or sequence of maps as the value" },
    { "a:\n  <<: [{b: 1}, 2]\n", "map merge requires map or sequence of maps as the value" },
    { "a: \"\x01\"\n", "control characters are not allowed" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    assert_refused (refused[i].yaml, strlen (refused[i].yaml), refused[i].message);
}

/* Ten levels of ten aliases would be 10^10 values: refused at once,
 * without expanding them. */
static void
test_billion_laughs (void)
{
  g_autoptr (GString) yaml = g_string_new ("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol]\n");
  for (int level = 1; level < 10; level++) {
    g_string_append_printf (yaml, "a%d: &a%d [", level, level);
    for (int i = 0; i < 10; i++)
      g_string_append_printf (yaml, "%s*a%d", i > 0 ? ", " : "", level - 1);
    g_string_append (yaml, "]\n");
  }
  gint64 start = g_get_monotonic_time ();
  assert_refused (yaml->str, yaml->len, "document contains excessive aliasing");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* A few aliases of a small document are fine. */
  assert_converts ("a: &a [1, 2]\nb: [*a, *a, *a]\n", "{\"a\":[1,2],\"b\":[[1,2],[1,2],[1,2]]}");
}

/* As deep as Kubernetes goes, and no deeper. */
static void
test_depth (void)
{
  for (guint depth = TIMON_YAML_MAX_DEPTH; depth <= TIMON_YAML_MAX_DEPTH + 1; depth++) {
    g_autoptr (GString) yaml = g_string_new (NULL);
    for (guint i = 0; i < depth; i++)
      g_string_append_c (yaml, '[');
    for (guint i = 0; i < depth; i++)
      g_string_append_c (yaml, ']');
    g_autoptr (GError) error = NULL;
    g_autofree char *json = timon_yaml_to_json (yaml->str, yaml->len, NULL, &error);
    if (depth == TIMON_YAML_MAX_DEPTH) {
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (json), ==, 2 * depth);
    } else {
      g_assert_null (json);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, "yaml: exceeded max depth of 10000");
    }
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/api/yaml/convert", test_convert);
  g_test_add_func ("/api/yaml/refused", test_refused);
  g_test_add_func ("/api/yaml/billion-laughs", test_billion_laughs);
  g_test_add_func ("/api/yaml/depth", test_depth);

  return g_test_run ();
}
