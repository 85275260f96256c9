/* test-selector.c: Kubernetes label and field selectors, table-driven:
 * what parses (and its canonical form), what does not (and what the
 * error says), what matches, round trips through the canonical form, and
 * random bytes thrown at both parsers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "test-utils.h"
#include "timon-field-selector.h"
#include "timon-label-selector.h"

/* ------------------------------------------------------------------ */
/* Label selectors */

typedef struct {
  const char *text;
  const char *canonical; /* timon_label_selector_to_string() */
} ValidCase;

static const ValidCase label_valid[] = {
  { "", "" },
  { " \t\r\n", "" },
  { "x", "x" },
  { "!x", "!x" },
  { " ! x ", "!x" },
  { "x=a", "x=a" },
  { "x==a", "x==a" },
  { "x!=a", "x!=a" },
  { "x=", "x=" },
  { "x==,y!=", "x==,y!=" },
  { "x in (b,a,b)", "x in (a,b)" },
  { "x notin (a)", "x notin (a)" },
  { "x in (a,)", "x in (,a)" },
  { "x in (,a,,b)", "x in (,a,b)" },
  { "x in (,)", "x in (,)" },
  { "x>1", "x>1" },
  { "x<10,x>2", "x<10,x>2" },
  { "b=1,a=2,c", "a=2,b=1,c" },
  { "x=a,!y,x!=b", "x=a,x!=b,!y" },
  { " a = b , c in ( e , d ) , ! f ", "a=b,c in (d,e),!f" },
  { "in in (notin),notin", "in in (notin),notin" },
  { "x in (in,notin)", "x in (in,notin)" },
  { "example.com/app=web", "example.com/app=web" },
  { "a-b.example.com/A_b.C-9 notin (v_1.2-x)", "a-b.example.com/A_b.C-9 notin (v_1.2-x)" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa="
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa="
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" },
};

typedef struct {
  const char *text;
  const char *message; /* a substring of the error's */
} InvalidCase;

static const InvalidCase label_invalid[] = {
  { ",", "found ',', expected: !, identifier or end of string" },
  { "=a", "found '=', expected: !, identifier or end of string" },
  { "x,", "found end of string, expected: identifier after ','" },
  { "x,,y", "found ',', expected: identifier after ','" },
  { "x y", "found 'y', expected: in, notin, =, ==, !=" },
  { "x=a b", "found 'b', expected: ',' or end of string" },
  { "x=(a)", "found '(', expected: identifier" },
  { "x in a", "found 'a', expected: '('" },
  { "x in (a", "found end of string, expected: ',' or ')'" },
  { "x in (a b)", "found 'b', expected: ',' or ')'" },
  { "x in (=)", "found '=', expected: ',', ')' or identifier" },
  { "x in ()", "for 'in', 'notin' operators, values set can't be empty" },
  { "x notin ( )", "values set can't be empty" },
  { "!x=a", "found '=', expected: ',' or end of string" },
  { "!x in (a)", "found 'in', expected: ',' or end of string" },
  { "!", "found end of string, expected: identifier" },
  { "!!x", "found '!', expected: identifier" },
  { "x==a==b", "found '==', expected: ',' or end of string" },
  { "x/y/z", "invalid label key \"x/y/z\": a qualified name must consist of" },
  { "/x", "prefix part must be non-empty" },
  { "Example.com/x", "prefix part a lowercase RFC 1123 subdomain" },
  { "example..com/x", "prefix part a lowercase RFC 1123 subdomain" },
  { "example.com./x", "prefix part a lowercase RFC 1123 subdomain" },
  { "x/", "name part must be non-empty" },
  { "-x", "name part must consist of alphanumeric characters" },
  { "x_", "name part must consist of alphanumeric characters" },
  { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "name part must be no more than 63 characters" },
  { "x=-a", "invalid value \"-a\" for label key \"x\"" },
  { "x in (a,b_)", "invalid value \"b_\" for label key \"x\"" },
  { "x=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    "must be no more than 63 characters" },
  { "x=\xc3\xa9", "invalid value \"\\303\\251\"" },
  { "x>a", "for '>', '<' operators, the value must be an integer, not \"a\"" },
  { "x<", "the value must be an integer" },
  { "x>99999999999999999999", "the value must be an integer" },
  { "x=a,y=(", "at column 7: found '('" },
  { "x,\x01", "at column 3: invalid label key \"\\001\"" },
};

/* A label table from "k=v;k2=v2" ("" for none). */
static GHashTable *
labels_new (const char *text)
{
  GHashTable *labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) pairs = g_strsplit (text, ";", -1);

  for (size_t i = 0; pairs[i] != NULL; i++) {
    if (pairs[i][0] == '\0')
      continue;
    const char *eq = strchr (pairs[i], '=');
    g_assert_nonnull (eq);
    g_hash_table_insert (labels, g_strndup (pairs[i], (size_t) (eq - pairs[i])), g_strdup (eq + 1));
  }
  return labels;
}

typedef struct {
  const char *text;
  const char *labels; /* for labels_new(); NULL for no table at all */
  gboolean match;
} LabelMatchCase;

static const LabelMatchCase label_match[] = {
  { "", NULL, TRUE },
  { "", "a=b", TRUE },
  { "a", "a=", TRUE },
  { "a", "a=x;b=y", TRUE },
  { "a", "", FALSE },
  { "a", NULL, FALSE },
  { "!a", "", TRUE },
  { "!a", NULL, TRUE },
  { "!a", "a=", FALSE },
  { "a=b", "a=b", TRUE },
  { "a=b", "a=c", FALSE },
  { "a=b", "", FALSE },
  { "a=b", "A=b", FALSE },
  { "a==b", "a=b", TRUE },
  { "a==b", "a=bb", FALSE },
  { "a!=b", "", TRUE },
  { "a!=b", NULL, TRUE },
  { "a!=b", "a=b", FALSE },
  { "a!=b", "a=c", TRUE },
  { "a=", "a=", TRUE },
  { "a=", "", FALSE },
  { "a!=", "", TRUE },
  { "a!=", "a=", FALSE },
  { "a in (b,c)", "a=c", TRUE },
  { "a in (b,c)", "a=d", FALSE },
  { "a in (b,c)", "", FALSE },
  { "a in (,b)", "a=", TRUE },
  { "a in (,)", "a=", TRUE },
  { "a in (,)", "", FALSE },
  { "a notin (b,c)", "", TRUE },
  { "a notin (b,c)", "a=b", FALSE },
  { "a notin (b,c)", "a=d", TRUE },
  { "a,b", "a=1;b=2", TRUE },
  { "a,b", "a=1", FALSE },
  { "a=1,a!=1", "a=1", FALSE },
  { "a=1,a!=1", "a=2", FALSE },
  { "a>5", "a=6", TRUE },
  { "a>5", "a=5", FALSE },
  { "a>5", "a=x", FALSE },
  { "a>5", "", FALSE },
  { "a<5", "a=-3", TRUE },
  { "a<5", "a=5", FALSE },
  { "example.com/tier in (web,api),env!=prod,!canary", "example.com/tier=web;env=dev;team=x",
    TRUE },
  { "example.com/tier in (web,api),env!=prod,!canary", "example.com/tier=web;env=prod", FALSE },
  { "example.com/tier in (web,api),env!=prod,!canary", "example.com/tier=api;canary=", FALSE },
  { "example.com/tier in (web,api),env!=prod,!canary", "tier=web", FALSE },
};

static TimonLabelSelector *
label_parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  TimonLabelSelector *selector = timon_label_selector_parse (text, &error);

  if (error != NULL)
    g_test_message ("label selector \"%s\": %s", text, error->message);
  g_assert_no_error (error);
  g_assert_nonnull (selector);
  return selector;
}

static void
test_label_parse_valid (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (label_valid); i++) {
    g_autoptr (TimonLabelSelector) selector = label_parse_ok (label_valid[i].text);
    g_autofree char *text = timon_label_selector_to_string (selector);

    g_assert_cmpstr (text, ==, label_valid[i].canonical);
    g_assert_cmpint (timon_label_selector_is_empty (selector), ==,
                     label_valid[i].canonical[0] == '\0');
  }
}

static void
test_label_parse_invalid (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (label_invalid); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonLabelSelector) selector =
      timon_label_selector_parse (label_invalid[i].text, &error);

    if (selector != NULL)
      g_test_message ("label selector \"%s\" parsed", label_invalid[i].text);
    g_assert_null (selector);
    g_assert_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID);
    assert_contains (error->message, label_invalid[i].message);
  }
}

/* Past TIMON_SELECTOR_MAX_LENGTH bytes, even of a valid selector, the
 * parser refuses without looking; at the limit it parses. */
static void
test_label_parse_too_long (void)
{
  g_autoptr (GString) text = g_string_new ("x in (a");
  while (text->len < TIMON_SELECTOR_MAX_LENGTH - 1)
    g_string_append (text, ",a");
  g_string_truncate (text, TIMON_SELECTOR_MAX_LENGTH - 1);
  g_string_append_c (text, ')');
  g_assert_cmpuint (text->len, ==, TIMON_SELECTOR_MAX_LENGTH);

  g_autoptr (TimonLabelSelector) selector = label_parse_ok (text->str);
  g_autofree char *canonical = timon_label_selector_to_string (selector);
  g_assert_cmpstr (canonical, ==, "x in (a)");

  g_string_append_c (text, ' ');
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonLabelSelector) too_long = timon_label_selector_parse (text->str, &error);
  g_assert_null (too_long);
  g_assert_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID);
  assert_contains (error->message, "longer than the limit of 65536 bytes");
}

static void
test_label_match (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (label_match); i++) {
    const LabelMatchCase *row = &label_match[i];
    g_autoptr (TimonLabelSelector) selector = label_parse_ok (row->text);
    g_autoptr (GHashTable) labels = row->labels != NULL ? labels_new (row->labels) : NULL;
    gboolean matched = timon_label_selector_matches (selector, labels);

    if (matched != row->match)
      g_test_message ("label selector \"%s\" on labels \"%s\"", row->text, row->labels);
    g_assert_cmpint (matched, ==, row->match);
  }
}

/* The canonical form parses back to itself, and to a selector that
 * selects what the original did. */
static void
test_label_round_trip (void)
{
  GPtrArray *texts = g_ptr_array_new ();
  for (size_t i = 0; i < G_N_ELEMENTS (label_valid); i++)
    g_ptr_array_add (texts, (gpointer) label_valid[i].text);
  for (size_t i = 0; i < G_N_ELEMENTS (label_match); i++)
    g_ptr_array_add (texts, (gpointer) label_match[i].text);

  for (guint i = 0; i < texts->len; i++) {
    g_autoptr (TimonLabelSelector) selector = label_parse_ok (texts->pdata[i]);
    g_autofree char *canonical = timon_label_selector_to_string (selector);
    g_autoptr (TimonLabelSelector) again = label_parse_ok (canonical);
    g_autofree char *canonical_again = timon_label_selector_to_string (again);

    g_assert_cmpstr (canonical_again, ==, canonical);
    for (size_t j = 0; j < G_N_ELEMENTS (label_match); j++) {
      const char *labels_text = label_match[j].labels;
      g_autoptr (GHashTable) labels = labels_text != NULL ? labels_new (labels_text) : NULL;
      g_assert_cmpint (timon_label_selector_matches (again, labels), ==,
                       timon_label_selector_matches (selector, labels));
    }
  }
  g_ptr_array_unref (texts);
}

typedef struct {
  TimonLabelSelector *selector;
  GHashTable *yes;
  GHashTable *no;
  int mismatches;
} SharedMatch;

static gpointer
match_many (gpointer data)
{
  SharedMatch *shared = data;
  g_autoptr (TimonLabelSelector) selector = timon_label_selector_ref (shared->selector);
  int mismatches = 0;

  for (int i = 0; i < 2000; i++) {
    if (!timon_label_selector_matches (selector, shared->yes))
      mismatches++;
    if (timon_label_selector_matches (selector, shared->no))
      mismatches++;
  }
  g_atomic_int_add (&shared->mismatches, mismatches);
  return NULL;
}

/* One selector, shared and matched by several threads at once. */
static void
test_label_threads (void)
{
  g_autoptr (GHashTable) yes = labels_new ("app=web;tier=front");
  g_autoptr (GHashTable) no = labels_new ("app=db");
  SharedMatch shared = {
    .selector = label_parse_ok ("app in (web,api),tier"),
    .yes = yes,
    .no = no,
  };
  GThread *threads[4];

  for (size_t i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("match", match_many, &shared);
  for (size_t i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (shared.mismatches, ==, 0);
  timon_label_selector_unref (shared.selector);
}

/* ------------------------------------------------------------------ */
/* Field selectors */

static const char *const pod_fields[] = { "metadata.name", "metadata.namespace", "spec.nodeName",
                                          "status.phase", NULL };

static const ValidCase field_valid[] = {
  { "", "" },
  { ",", "" },
  { "metadata.name=foo", "metadata.name=foo" },
  { "metadata.name==foo", "metadata.name=foo" },
  { "status.phase!=Running,metadata.name=a", "metadata.name=a,status.phase!=Running" },
  { "metadata.name!=b,metadata.name=a,metadata.name=0", "metadata.name=0,metadata.name=a,"
                                                        "metadata.name!=b" },
  { "metadata.name=", "metadata.name=" },
  { "metadata.name!=", "metadata.name!=" },
  { "metadata.name=b\\,c", "metadata.name=b\\,c" },
  { "metadata.name=b\\=c\\\\", "metadata.name=b\\=c\\\\" },
  { "metadata.name= a b ", "metadata.name= a b " },
  { "metadata.name=a,,spec.nodeName=n1,", "metadata.name=a,spec.nodeName=n1" },
  { "metadata.name=!x", "metadata.name=!x" },
};

typedef struct {
  const char *text;
  const char *const *allowed;
  const char *message;
} FieldInvalidCase;

static const FieldInvalidCase field_invalid[] = {
  { "a", NULL, "at column 1: can't understand 'a'" },
  { "a=b,c", NULL, "at column 5: can't understand 'c'" },
  { "a!b", NULL, "can't understand 'a!b'" },
  { " ", NULL, "can't understand ' '" },
  { "=b", NULL, "the field name before '=' is empty" },
  { "!=b", NULL, "the field name before '!=' is empty" },
  { "a=b=c", NULL, "at column 4: unescaped character in value: '='" },
  { "a==b=c", NULL, "unescaped character in value: '='" },
  { "a=b\\", NULL, "a value cannot end in a lone '\\'" },
  { "a=b\\n", NULL, "at column 4: invalid escape sequence: '\\n'" },
  { "metadata.name=a,spec.host=b", pod_fields, "field label not supported: spec.host" },
  { "metadata.name=a,Metadata.name=b", pod_fields, "at column 17: field label not supported" },
  { "metadata.name =a", pod_fields, "field label not supported: metadata.name " },
  { "\xff=a", pod_fields, "field label not supported: \\377" },
};

/* An object for the field getter: NULL-terminated name, value pairs. */
typedef struct {
  const char *fields[7];
} Object;

static const char *
object_get (const char *field, gpointer user_data)
{
  const Object *object = user_data;

  for (size_t i = 0; object->fields[i] != NULL; i += 2) {
    if (strcmp (object->fields[i], field) == 0)
      return object->fields[i + 1];
  }
  return NULL;
}

typedef struct {
  const char *text;
  Object object;
  gboolean match;
} FieldMatchCase;

static const FieldMatchCase field_match[] = {
  { "", { { NULL } }, TRUE },
  { "", { { "a", "b", NULL } }, TRUE },
  { "metadata.name=foo", { { "metadata.name", "foo", NULL } }, TRUE },
  { "metadata.name==foo", { { "metadata.name", "foo", NULL } }, TRUE },
  { "metadata.name=foo", { { "metadata.name", "bar", NULL } }, FALSE },
  { "metadata.name=foo", { { NULL } }, FALSE },
  { "metadata.name!=foo", { { NULL } }, TRUE },
  { "metadata.name!=foo", { { "metadata.name", "foo", NULL } }, FALSE },
  { "metadata.name=", { { NULL } }, TRUE },
  { "metadata.name=", { { "metadata.name", "", NULL } }, TRUE },
  { "metadata.name!=", { { NULL } }, FALSE },
  { "metadata.name=a\\,b\\=c\\\\", { { "metadata.name", "a,b=c\\", NULL } }, TRUE },
  { "metadata.name=a\\,b", { { "metadata.name", "a\\,b", NULL } }, FALSE },
  { "spec.nodeName=n1,status.phase!=Failed",
    { { "spec.nodeName", "n1", "status.phase", "Running", NULL } },
    TRUE },
  { "spec.nodeName=n1,status.phase!=Failed",
    { { "spec.nodeName", "n1", "status.phase", "Failed", NULL } },
    FALSE },
  { "spec.nodeName=n1,status.phase!=Failed",
    { { "spec.nodeName", "n2", "status.phase", "Running", NULL } },
    FALSE },
  { "metadata.name=a,metadata.name=b", { { "metadata.name", "a", NULL } }, FALSE },
};

static TimonFieldSelector *
field_parse_ok (const char *text, const char *const *allowed)
{
  g_autoptr (GError) error = NULL;
  TimonFieldSelector *selector = timon_field_selector_parse (text, allowed, &error);

  if (error != NULL)
    g_test_message ("field selector \"%s\": %s", text, error->message);
  g_assert_no_error (error);
  g_assert_nonnull (selector);
  return selector;
}

static void
test_field_parse_valid (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (field_valid); i++) {
    /* With no list, and with the pod's: every field above is a pod's. */
    for (int with_list = 0; with_list < 2; with_list++) {
      g_autoptr (TimonFieldSelector) selector =
        field_parse_ok (field_valid[i].text, with_list ? pod_fields : NULL);
      g_autofree char *text = timon_field_selector_to_string (selector);

      g_assert_cmpstr (text, ==, field_valid[i].canonical);
      g_assert_cmpint (timon_field_selector_is_empty (selector), ==,
                       field_valid[i].canonical[0] == '\0');
    }
  }
}

static void
test_field_parse_invalid (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (field_invalid); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonFieldSelector) selector =
      timon_field_selector_parse (field_invalid[i].text, field_invalid[i].allowed, &error);

    if (selector != NULL)
      g_test_message ("field selector \"%s\" parsed", field_invalid[i].text);
    g_assert_null (selector);
    g_assert_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID);
    assert_contains (error->message, field_invalid[i].message);
  }
}

static void
test_field_parse_too_long (void)
{
  g_autofree char *text = g_strnfill (TIMON_SELECTOR_MAX_LENGTH + 1, ',');
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonFieldSelector) selector = timon_field_selector_parse (text, NULL, &error);

  g_assert_null (selector);
  g_assert_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID);
  assert_contains (error->message, "longer than the limit of 65536 bytes");

  text[TIMON_SELECTOR_MAX_LENGTH] = '\0';
  g_autoptr (TimonFieldSelector) at_limit = field_parse_ok (text, NULL);
  g_assert_cmpint (timon_field_selector_is_empty (at_limit), ==, TRUE);
}

static void
test_field_match (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (field_match); i++) {
    const FieldMatchCase *row = &field_match[i];
    g_autoptr (TimonFieldSelector) selector = field_parse_ok (row->text, NULL);
    gboolean matched = timon_field_selector_matches (selector, object_get, (gpointer) &row->object);

    if (matched != row->match)
      g_test_message ("field selector \"%s\", case %zu", row->text, i);
    g_assert_cmpint (matched, ==, row->match);
  }
}

static void
test_field_round_trip (void)
{
  GPtrArray *texts = g_ptr_array_new ();
  for (size_t i = 0; i < G_N_ELEMENTS (field_valid); i++)
    g_ptr_array_add (texts, (gpointer) field_valid[i].text);
  for (size_t i = 0; i < G_N_ELEMENTS (field_match); i++)
    g_ptr_array_add (texts, (gpointer) field_match[i].text);

  for (guint i = 0; i < texts->len; i++) {
    g_autoptr (TimonFieldSelector) selector = field_parse_ok (texts->pdata[i], NULL);
    g_autofree char *canonical = timon_field_selector_to_string (selector);
    g_autoptr (TimonFieldSelector) again = field_parse_ok (canonical, NULL);
    g_autofree char *canonical_again = timon_field_selector_to_string (again);

    g_assert_cmpstr (canonical_again, ==, canonical);
    for (size_t j = 0; j < G_N_ELEMENTS (field_match); j++) {
      gpointer object = (gpointer) &field_match[j].object;
      g_assert_cmpint (timon_field_selector_matches (again, object_get, object), ==,
                       timon_field_selector_matches (selector, object_get, object));
    }
  }
  g_ptr_array_unref (texts);
}

static void
test_field_exact (void)
{
  static const struct {
    const char *text;
    const char *field;
    const char *exact;
  } cases[] = {
    { "", "metadata.name", NULL },
    { "metadata.name=a", "metadata.name", "a" },
    { "metadata.name==a", "metadata.name", "a" },
    { "metadata.name=", "metadata.name", "" },
    { "metadata.name=a\\,b", "metadata.name", "a,b" },
    { "metadata.name!=a", "metadata.name", NULL },
    { "metadata.name!=a,metadata.name=b", "metadata.name", "b" },
    { "spec.nodeName=n1,status.phase!=Failed", "spec.nodeName", "n1" },
    { "spec.nodeName=n1,status.phase!=Failed", "status.phase", NULL },
    { "spec.nodeName=n1", "metadata.name", NULL },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (TimonFieldSelector) selector = field_parse_ok (cases[i].text, NULL);
    g_assert_cmpstr (timon_field_selector_get_exact (selector, cases[i].field), ==, cases[i].exact);
  }
}

/* ------------------------------------------------------------------ */
/* Random input */

#define FUZZ_ROUNDS 20000

/* Random text: mostly the grammar's own characters, so that the parser
 * gets deep, with now and then any byte but NUL. */
static char *
random_text (const char *alphabet)
{
  size_t len = (size_t) g_test_rand_int_range (0, 48);
  size_t n = strlen (alphabet);
  char *text = g_malloc (len + 1);

  for (size_t i = 0; i < len; i++) {
    if (g_test_rand_int_range (0, 8) == 0)
      text[i] = (char) g_test_rand_int_range (1, 256);
    else
      text[i] = alphabet[g_test_rand_int_range (0, (gint32) n)];
  }
  text[len] = '\0';
  return text;
}

/* @text with one byte changed, inserted or removed. */
static char *
mutate (const char *text)
{
  GString *out = g_string_new (text);
  size_t at = out->len > 0 ? (size_t) g_test_rand_int_range (0, (gint32) out->len) : 0;
  char byte = (char) g_test_rand_int_range (1, 256);

  switch (out->len > 0 ? g_test_rand_int_range (0, 3) : 0) {
  case 0:
    g_string_insert_c (out, (gssize) at, byte);
    break;
  case 1:
    out->str[at] = byte;
    break;
  default:
    g_string_erase (out, (gssize) at, 1);
    break;
  }
  return g_string_free (out, FALSE);
}

static void
check_error (const GError *error)
{
  g_assert_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID);
  g_assert_cmpint (g_utf8_validate (error->message, -1, NULL), ==, TRUE);
  g_assert_cmpuint (strlen (error->message), <, 1024);
}

static void
fuzz_label_one (const char *text, guint *parsed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonLabelSelector) selector = timon_label_selector_parse (text, &error);

  if (selector == NULL) {
    check_error (error);
    return;
  }
  g_assert_no_error (error);
  (*parsed)++;
  g_autofree char *canonical = timon_label_selector_to_string (selector);
  g_autoptr (TimonLabelSelector) again = label_parse_ok (canonical);
  g_autofree char *canonical_again = timon_label_selector_to_string (again);
  g_assert_cmpstr (canonical_again, ==, canonical);
  /* The selector's own text, as labels, matches the same both ways. */
  g_autoptr (GHashTable) labels = labels_new ("a=b;x=1;in=");
  g_assert_cmpint (timon_label_selector_matches (again, labels), ==,
                   timon_label_selector_matches (selector, labels));
}

static void
test_label_fuzz (void)
{
  guint parsed = 0;

  for (int i = 0; i < FUZZ_ROUNDS; i++) {
    g_autofree char *text = random_text ("ax1=!(),<> \tin/._-");
    fuzz_label_one (text, &parsed);
  }
  for (int i = 0; i < FUZZ_ROUNDS; i++) {
    g_autofree char *text =
      mutate (label_valid[g_test_rand_int_range (0, G_N_ELEMENTS (label_valid))].text);
    fuzz_label_one (text, &parsed);
  }
  /* Random text that never parses tests nothing but the errors. */
  g_test_message ("%u of %d random label selectors parsed", parsed, 2 * FUZZ_ROUNDS);
  g_assert_cmpuint (parsed, >, 100);
}

static void
fuzz_field_one (const char *text, guint *parsed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonFieldSelector) selector = timon_field_selector_parse (text, NULL, &error);

  if (selector == NULL) {
    check_error (error);
    return;
  }
  g_assert_no_error (error);
  (*parsed)++;
  g_autofree char *canonical = timon_field_selector_to_string (selector);
  g_autoptr (TimonFieldSelector) again = field_parse_ok (canonical, NULL);
  g_autofree char *canonical_again = timon_field_selector_to_string (again);
  g_assert_cmpstr (canonical_again, ==, canonical);
  Object object = { { "a", "b", "x", "", NULL } };
  g_assert_cmpint (timon_field_selector_matches (again, object_get, &object), ==,
                   timon_field_selector_matches (selector, object_get, &object));
}

static void
test_field_fuzz (void)
{
  guint parsed = 0;

  for (int i = 0; i < FUZZ_ROUNDS; i++) {
    g_autofree char *text = random_text ("ax=!,\\ ");
    fuzz_field_one (text, &parsed);
  }
  for (int i = 0; i < FUZZ_ROUNDS; i++) {
    g_autofree char *text =
      mutate (field_valid[g_test_rand_int_range (0, G_N_ELEMENTS (field_valid))].text);
    fuzz_field_one (text, &parsed);
  }
  g_test_message ("%u of %d random field selectors parsed", parsed, 2 * FUZZ_ROUNDS);
  g_assert_cmpuint (parsed, >, 100);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/selector/label/parse/valid", test_label_parse_valid);
  g_test_add_func ("/selector/label/parse/invalid", test_label_parse_invalid);
  g_test_add_func ("/selector/label/parse/too-long", test_label_parse_too_long);
  g_test_add_func ("/selector/label/match", test_label_match);
  g_test_add_func ("/selector/label/round-trip", test_label_round_trip);
  g_test_add_func ("/selector/label/threads", test_label_threads);
  g_test_add_func ("/selector/label/fuzz", test_label_fuzz);
  g_test_add_func ("/selector/field/parse/valid", test_field_parse_valid);
  g_test_add_func ("/selector/field/parse/invalid", test_field_parse_invalid);
  g_test_add_func ("/selector/field/parse/too-long", test_field_parse_too_long);
  g_test_add_func ("/selector/field/match", test_field_match);
  g_test_add_func ("/selector/field/round-trip", test_field_round_trip);
  g_test_add_func ("/selector/field/exact", test_field_exact);
  g_test_add_func ("/selector/field/fuzz", test_field_fuzz);

  return g_test_run ();
}
