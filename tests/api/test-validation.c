/* test-validation.c: the name, label and metadata checks, and the field
 * errors they report, against Kubernetes' rules and messages.
 *
 * Values in the tables may hold "{c*N}", which stands for the character
 * c repeated N times, to spell long values.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <timon/timon.h>

#include "test-utils.h"

/* Kubernetes' messages, spelt out here rather than taken from the code
 * under test. */
#define MSG_LABEL                                                                                 \
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "    \
  "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used " \
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define MSG_SUBDOMAIN                                                                           \
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "  \
  "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used " \
  "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define MSG_QNAME_RULE                                                                        \
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an " \
  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "      \
  "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define MSG_NAME_PART "name part " MSG_QNAME_RULE
#define MSG_QNAME_SLASHES                                                      \
  "a qualified name " MSG_QNAME_RULE " with an optional DNS subdomain prefix " \
  "and '/' (e.g. 'example.com/MyName')"
#define MSG_LABEL_VALUE                                                                          \
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "    \
  "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value', " \
  " or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define MAX_63 "must be no more than 63 characters"
#define MAX_253 "must be no more than 253 characters"

/* @spec with every "{c*N}" replaced by N times c. */
static char *
expand (const char *spec)
{
  GString *out = g_string_new (NULL);

  for (const char *p = spec; *p != '\0'; p++) {
    char c;
    unsigned n;
    int used = 0;
    if (p[0] == '{' && sscanf (p, "{%c*%u}%n", &c, &n, &used) == 2 && used > 0) {
      for (unsigned i = 0; i < n; i++)
        g_string_append_c (out, c);
      p += used - 1;
    } else {
      g_string_append_c (out, *p);
    }
  }
  return g_string_free (out, FALSE);
}

typedef gboolean (*Validator) (const char *value, char **out_message);

typedef struct {
  const char *value;
  const char *message; /* NULL: valid */
} ValueCase;

static const ValueCase dns1123_label_cases[] = {
  { "a", NULL },
  { "0", NULL },
  { "my-name", NULL },
  { "123-abc", NULL },
  { "a--b", NULL },
  { "{a*63}", NULL },
  { "{1*63}", NULL },
  { "", MSG_LABEL },
  { "{a*64}", MAX_63 },
  { "{a*63}-", MAX_63 "; " MSG_LABEL },
  { "-a", MSG_LABEL },
  { "a-", MSG_LABEL },
  { "-", MSG_LABEL },
  { "A", MSG_LABEL },
  { "myName", MSG_LABEL },
  { "a_b", MSG_LABEL },
  { "a b", MSG_LABEL },
  { "caf\xc3\xa9", MSG_LABEL },
  { "a.b", "must not contain dots" },
  { "{a*32}.{a*32}", MAX_63 "; must not contain dots" },
  { ".a", MSG_LABEL },
};

static const ValueCase dns1123_subdomain_cases[] = {
  { "a", NULL },
  { "example.com", NULL },
  { "a.b.c", NULL },
  { "1.2.3", NULL },
  { "a-b.c-d", NULL },
  { "{a*253}", NULL },
  { "{a*63}.{a*63}.{a*63}.{a*61}", NULL },
  /* As in Kubernetes, the labels of a subdomain may be longer than 63. */
  { "{a*100}.b", NULL },
  { "", MSG_SUBDOMAIN },
  { "{a*254}", MAX_253 },
  { "{a*253}.", MAX_253 "; " MSG_SUBDOMAIN },
  { ".a", MSG_SUBDOMAIN },
  { "a.", MSG_SUBDOMAIN },
  { "a..b", MSG_SUBDOMAIN },
  { "-a.b", MSG_SUBDOMAIN },
  { "a.-b", MSG_SUBDOMAIN },
  { "a-.b", MSG_SUBDOMAIN },
  { "Example.com", MSG_SUBDOMAIN },
  { "a_b", MSG_SUBDOMAIN },
  { "a/b", MSG_SUBDOMAIN },
  { "\xc3\xbc.com", MSG_SUBDOMAIN },
};

static const ValueCase qualified_name_cases[] = {
  { "a", NULL },
  { "A", NULL },
  { "MyName", NULL },
  { "my.name", NULL },
  { "123-abc", NULL },
  { "a_b-c.d", NULL },
  { "example.com/MyName", NULL },
  { "k8s.io/app", NULL },
  { "{a*63}", NULL },
  { "{a*253}/{a*63}", NULL },
  { "", "name part must be non-empty; " MSG_NAME_PART },
  { "{a*64}", "name part " MAX_63 },
  { "{a*63}_", "name part " MAX_63 "; " MSG_NAME_PART },
  { "-a", MSG_NAME_PART },
  { "a-", MSG_NAME_PART },
  { "_a", MSG_NAME_PART },
  { "a.", MSG_NAME_PART },
  { "a b", MSG_NAME_PART },
  { "caf\xc3\xa9", MSG_NAME_PART },
  { "/a", "prefix part must be non-empty" },
  { "a/", "name part must be non-empty; " MSG_NAME_PART },
  { "example.com/", "name part must be non-empty; " MSG_NAME_PART },
  { "Example.com/a", "prefix part " MSG_SUBDOMAIN },
  { "example_com/a", "prefix part " MSG_SUBDOMAIN },
  { "{a*254}/a", "prefix part " MAX_253 },
  { "/", "prefix part must be non-empty; name part must be non-empty; " MSG_NAME_PART },
  { "a/b/c", MSG_QNAME_SLASHES },
  { "example.com/a/b", MSG_QNAME_SLASHES },
};

static const ValueCase label_value_cases[] = {
  { "", NULL },
  { "a", NULL },
  { "MyValue", NULL },
  { "my_value", NULL },
  { "12345", NULL },
  { "a.b-c_d", NULL },
  { "{a*63}", NULL },
  { "{a*64}", MAX_63 },
  { "{a*63}-", MAX_63 "; " MSG_LABEL_VALUE },
  { "-a", MSG_LABEL_VALUE },
  { "a-", MSG_LABEL_VALUE },
  { "_", MSG_LABEL_VALUE },
  { ".", MSG_LABEL_VALUE },
  { "a b", MSG_LABEL_VALUE },
  { "a/b", MSG_LABEL_VALUE },
  { "caf\xc3\xa9", MSG_LABEL_VALUE },
};

typedef struct {
  Validator validator;
  const ValueCase *cases;
  size_t n_cases;
} ValueTable;

static void
test_value_table (gconstpointer data)
{
  const ValueTable *table = data;

  for (size_t i = 0; i < table->n_cases; i++) {
    const ValueCase *c = &table->cases[i];
    g_autofree char *value = expand (c->value);
    static char unset[] = "(not set)";
    char *out = unset;

    g_test_message ("value \"%s\"", c->value);
    gboolean valid = table->validator (value, &out);
    g_assert_true (out != unset);
    g_autofree char *message = out;
    if (c->message == NULL) {
      g_assert_true (valid);
      g_assert_null (message);
    } else {
      g_assert_false (valid);
      g_assert_cmpstr (message, ==, c->message);
    }
    /* The message is optional. */
    g_assert_cmpint (table->validator (value, NULL), ==, valid);
  }
}

#define VALUE_TABLE(validator, cases)      \
  {                                        \
    validator, cases, G_N_ELEMENTS (cases) \
  }

static const ValueTable dns1123_label_table =
  VALUE_TABLE (timon_validate_dns1123_label, dns1123_label_cases);
static const ValueTable dns1123_subdomain_table =
  VALUE_TABLE (timon_validate_dns1123_subdomain, dns1123_subdomain_cases);
static const ValueTable qualified_name_table =
  VALUE_TABLE (timon_validate_qualified_name, qualified_name_cases);
static const ValueTable label_value_table =
  VALUE_TABLE (timon_validate_label_value, label_value_cases);

/* Field errors */

static void
test_field_errors_reasons (void)
{
  static const struct {
    TimonFieldErrorType type;
    const char *reason;
  } cases[] = {
    { TIMON_FIELD_ERROR_REQUIRED, "FieldValueRequired" },
    { TIMON_FIELD_ERROR_INVALID, "FieldValueInvalid" },
    { TIMON_FIELD_ERROR_NOT_SUPPORTED, "FieldValueNotSupported" },
    { TIMON_FIELD_ERROR_DUPLICATE, "FieldValueDuplicate" },
    { TIMON_FIELD_ERROR_FORBIDDEN, "FieldValueForbidden" },
    { TIMON_FIELD_ERROR_TOO_LONG, "FieldValueTooLong" },
    { TIMON_FIELD_ERROR_TOO_MANY, "FieldValueTooMany" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (timon_field_error_type_to_reason (cases[i].type), ==, cases[i].reason);
}

static void
test_field_errors_messages (void)
{
  /* Required, Forbidden and TooLong never show the value. */
  static const struct {
    TimonFieldErrorType type;
    const char *value;
    const char *detail;
    const char *message;
  } cases[] = {
    { TIMON_FIELD_ERROR_REQUIRED, NULL, NULL, "Required value" },
    { TIMON_FIELD_ERROR_REQUIRED, "x", "set it", "Required value: set it" },
    { TIMON_FIELD_ERROR_INVALID, "Foo", "bad", "Invalid value: \"Foo\": bad" },
    { TIMON_FIELD_ERROR_INVALID, NULL, "bad", "Invalid value: bad" },
    { TIMON_FIELD_ERROR_INVALID, "", NULL, "Invalid value: \"\"" },
    { TIMON_FIELD_ERROR_INVALID, "a\"b\\c\nd\te\x01", NULL,
      "Invalid value: \"a\\\"b\\\\c\\nd\\te\\x01\"" },
    { TIMON_FIELD_ERROR_INVALID, "caf\xc3\xa9", NULL, "Invalid value: \"caf\xc3\xa9\"" },
    { TIMON_FIELD_ERROR_NOT_SUPPORTED, "Sometimes",
      "supported values: \"Always\", \"IfNotPresent\", \"Never\"",
      "Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", "
      "\"Never\"" },
    { TIMON_FIELD_ERROR_DUPLICATE, "80", NULL, "Duplicate value: \"80\"" },
    { TIMON_FIELD_ERROR_FORBIDDEN, "x", "not allowed", "Forbidden: not allowed" },
    { TIMON_FIELD_ERROR_TOO_LONG, "xxxx", "may not be longer than 3",
      "Too long: may not be longer than 3" },
    { TIMON_FIELD_ERROR_TOO_MANY, "5", "must have at most 3 items",
      "Too many: \"5\": must have at most 3 items" },
  };
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *field = g_strdup_printf ("spec.items[%zu]", i);
    if (cases[i].detail != NULL)
      timon_field_errors_add (errors, cases[i].type, field, cases[i].value, "%s", cases[i].detail);
    else
      timon_field_errors_add (errors, cases[i].type, field, cases[i].value, NULL);
  }

  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *field = g_strdup_printf ("spec.items[%u]", i);
    g_autofree char *message = timon_field_errors_dup_message (errors, i);
    g_assert_cmpint (timon_field_errors_get_error_type (errors, i), ==, cases[i].type);
    g_assert_cmpstr (timon_field_errors_get_reason (errors, i), ==,
                     timon_field_error_type_to_reason (cases[i].type));
    g_assert_cmpstr (timon_field_errors_get_field (errors, i), ==, field);
    g_assert_cmpstr (timon_field_errors_get_value (errors, i), ==, cases[i].value);
    g_assert_cmpstr (timon_field_errors_get_detail (errors, i), ==,
                     cases[i].detail != NULL ? cases[i].detail : "");
    g_assert_cmpstr (message, ==, cases[i].message);
  }
}

static void
test_field_errors_format (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();

  timon_field_errors_add (errors, TIMON_FIELD_ERROR_TOO_MANY, "spec.ports", NULL,
                          "must have at most %d items", 3);
  g_assert_cmpstr (timon_field_errors_get_detail (errors, 0), ==, "must have at most 3 items");
}

static void
test_field_errors_aggregate (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  g_autofree char *empty = timon_field_errors_to_message (errors);
  g_assert_cmpstr (empty, ==, "");

  timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.containers[0].name", NULL,
                          NULL);
  g_autofree char *one = timon_field_errors_to_message (errors);
  g_assert_cmpstr (one, ==, "spec.containers[0].name: Required value");

  /* The same error twice counts once: still no brackets. */
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.containers[0].name", NULL,
                          NULL);
  g_autofree char *same = timon_field_errors_to_message (errors);
  g_assert_cmpstr (same, ==, "spec.containers[0].name: Required value");

  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "metadata.name", "Foo", "%s",
                          MSG_SUBDOMAIN);
  g_autofree char *two = timon_field_errors_to_message (errors);
  g_assert_cmpstr (two, ==,
                   "[spec.containers[0].name: Required value, metadata.name: Invalid value: "
                   "\"Foo\": " MSG_SUBDOMAIN "]");
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, 3);
}

static void
test_field_errors_ref (void)
{
  TimonFieldErrors *errors = timon_field_errors_new ();

  g_assert_true (timon_field_errors_ref (errors) == errors);
  timon_field_errors_unref (errors);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "metadata.name", NULL, NULL);
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, 1);
  timon_field_errors_unref (errors);
  g_assert_true (g_type_is_a (TIMON_TYPE_FIELD_ERRORS, G_TYPE_BOXED));
}

/* Object metadata */

typedef struct {
  TimonFieldErrorType type;
  const char *field;
  const char *value;
  const char *detail;
} Cause;

#define MAX_CAUSES 3

typedef struct {
  const char *path;
  gboolean namespaced;
  const char *metadata; /* JSON, expanded */
  const char *message;  /* NULL: valid */
  Cause causes[MAX_CAUSES];
} MetaCase;

static const MetaCase meta_cases[] = {
  { "valid/namespaced",
    TRUE,
    "{\"name\": \"web-1\", \"namespace\": \"default\","
    " \"labels\": {\"app\": \"web\", \"example.com/tier\": \"\", \"k8s.io/x\": \"a.b_c-d\"},"
    " \"annotations\": {\"Example.com/Note\": \"anything at all: \\\"/\\\"\"}}",
    NULL,
    { { 0 } } },
  { "valid/cluster-scoped", FALSE, "{\"name\": \"node-1.example.com\"}", NULL, { { 0 } } },
  { "valid/generate-name", FALSE, "{\"generateName\": \"web-\"}", NULL, { { 0 } } },
  { "valid/name-and-generate-name",
    TRUE,
    "{\"name\": \"web-x1\", \"generateName\": \"web-\", \"namespace\": \"kube-system\"}",
    NULL,
    { { 0 } } },
  { "valid/nulls",
    FALSE,
    "{\"name\": \"a\", \"namespace\": null, \"labels\": null, \"annotations\": null}",
    NULL,
    { { 0 } } },
  { "valid/annotations-at-limit",
    FALSE,
    "{\"name\": \"a\", \"annotations\": {\"a\": \"{x*262143}\"}}",
    NULL,
    { { 0 } } },
  { "valid/unknown-members",
    FALSE,
    "{\"name\": \"a\", \"uid\": \"1234\", \"resourceVersion\": \"5\"}",
    NULL,
    { { 0 } } },
  { "name/missing",
    FALSE,
    "{}",
    "metadata.name: Required value: name or generateName is required",
    { { TIMON_FIELD_ERROR_REQUIRED, "metadata.name", NULL, "name or generateName is required" } } },
  { "name/empty",
    FALSE,
    "{\"name\": \"\", \"generateName\": \"\"}",
    "metadata.name: Required value: name or generateName is required",
    { { TIMON_FIELD_ERROR_REQUIRED, "metadata.name", NULL, "name or generateName is required" } } },
  { "name/uppercase",
    FALSE,
    "{\"name\": \"Foo\"}",
    "metadata.name: Invalid value: \"Foo\": " MSG_SUBDOMAIN,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.name", "Foo", MSG_SUBDOMAIN } } },
  { "name/too-long",
    FALSE,
    "{\"name\": \"{a*254}\"}",
    NULL /* checked by causes only: the message repeats the value */,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.name", "{a*254}", MAX_253 } } },
  { "name/not-a-string",
    FALSE,
    "{\"name\": 5}",
    "metadata.name: Invalid value: must be a string",
    { { TIMON_FIELD_ERROR_INVALID, "metadata.name", NULL, "must be a string" } } },
  { "generate-name/invalid",
    FALSE,
    "{\"generateName\": \"Web-\"}",
    "metadata.generateName: Invalid value: \"Web-\": " MSG_SUBDOMAIN,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.generateName", "Web-", MSG_SUBDOMAIN } } },
  { "generate-name/only-dash",
    FALSE,
    "{\"generateName\": \"-\"}",
    "metadata.generateName: Invalid value: \"-\": " MSG_SUBDOMAIN,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.generateName", "-", MSG_SUBDOMAIN } } },
  { "namespace/missing",
    TRUE,
    "{\"name\": \"a\"}",
    "metadata.namespace: Required value",
    { { TIMON_FIELD_ERROR_REQUIRED, "metadata.namespace", NULL, "" } } },
  { "namespace/forbidden",
    FALSE,
    "{\"name\": \"a\", \"namespace\": \"default\"}",
    "metadata.namespace: Forbidden: not allowed on this type",
    { { TIMON_FIELD_ERROR_FORBIDDEN, "metadata.namespace", NULL, "not allowed on this type" } } },
  { "namespace/dots",
    TRUE,
    "{\"name\": \"a\", \"namespace\": \"a.b\"}",
    "metadata.namespace: Invalid value: \"a.b\": must not contain dots",
    { { TIMON_FIELD_ERROR_INVALID, "metadata.namespace", "a.b", "must not contain dots" } } },
  { "namespace/too-long",
    TRUE,
    "{\"name\": \"a\", \"namespace\": \"{n*64}\"}",
    NULL,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.namespace", "{n*64}", MAX_63 } } },
  { "required/both",
    TRUE,
    "{\"labels\": {\"app\": \"web\"}}",
    "[metadata.name: Required value: name or generateName is required, metadata.namespace: "
    "Required value]",
    { { TIMON_FIELD_ERROR_REQUIRED, "metadata.name", NULL, "name or generateName is required" },
      { TIMON_FIELD_ERROR_REQUIRED, "metadata.namespace", NULL, "" } } },
  { "labels/bad-key-and-value",
    FALSE,
    "{\"name\": \"a\", \"labels\": {\"-bad\": \"ok\", \"good\": \"bad value\"}}",
    "[metadata.labels: Invalid value: \"-bad\": " MSG_NAME_PART
    ", metadata.labels: Invalid value: \"bad value\": " MSG_LABEL_VALUE "]",
    { { TIMON_FIELD_ERROR_INVALID, "metadata.labels", "-bad", MSG_NAME_PART },
      { TIMON_FIELD_ERROR_INVALID, "metadata.labels", "bad value", MSG_LABEL_VALUE } } },
  { "labels/bad-prefix",
    FALSE,
    "{\"name\": \"a\", \"labels\": {\"Example.com/app\": \"x\"}}",
    "metadata.labels: Invalid value: \"Example.com/app\": prefix part " MSG_SUBDOMAIN,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.labels", "Example.com/app",
        "prefix part " MSG_SUBDOMAIN } } },
  { "labels/empty-key",
    FALSE,
    "{\"name\": \"a\", \"labels\": {\"\": \"x\"}}",
    "[metadata.labels: Invalid value: \"\": name part must be non-empty, metadata.labels: "
    "Invalid value: \"\": " MSG_NAME_PART "]",
    { { TIMON_FIELD_ERROR_INVALID, "metadata.labels", "", "name part must be non-empty" },
      { TIMON_FIELD_ERROR_INVALID, "metadata.labels", "", MSG_NAME_PART } } },
  { "labels/value-too-long",
    FALSE,
    "{\"name\": \"a\", \"labels\": {\"app\": \"{v*64}\"}}",
    NULL,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.labels", "{v*64}", MAX_63 } } },
  { "labels/value-not-a-string",
    FALSE,
    "{\"name\": \"a\", \"labels\": {\"app\": 1}}",
    "metadata.labels[app]: Invalid value: must be a string",
    { { TIMON_FIELD_ERROR_INVALID, "metadata.labels[app]", NULL, "must be a string" } } },
  { "labels/not-an-object",
    FALSE,
    "{\"name\": \"a\", \"labels\": [\"app\"]}",
    "metadata.labels: Invalid value: must be an object",
    { { TIMON_FIELD_ERROR_INVALID, "metadata.labels", NULL, "must be an object" } } },
  { "annotations/bad-key",
    FALSE,
    "{\"name\": \"a\", \"annotations\": {\"a/b/c\": \"x\"}}",
    "metadata.annotations: Invalid value: \"a/b/c\": " MSG_QNAME_SLASHES,
    { { TIMON_FIELD_ERROR_INVALID, "metadata.annotations", "a/b/c", MSG_QNAME_SLASHES } } },
  { "annotations/too-large",
    FALSE,
    "{\"name\": \"a\", \"annotations\": {\"a\": \"{x*262144}\"}}",
    "metadata.annotations: Too long: may not be longer than 262144",
    { { TIMON_FIELD_ERROR_TOO_LONG, "metadata.annotations", NULL,
        "may not be longer than 262144" } } },
  { "annotations/too-large-together",
    FALSE,
    "{\"name\": \"a\", \"annotations\": {\"k1\": \"{x*131070}\", \"k2\": \"{y*131071}\"}}",
    "metadata.annotations: Too long: may not be longer than 262144",
    { { TIMON_FIELD_ERROR_TOO_LONG, "metadata.annotations", NULL,
        "may not be longer than 262144" } } },
  { "all-at-once",
    FALSE,
    "{\"name\": \"a_b\", \"namespace\": \"ns\", \"labels\": {\"a\": \"-\"}}",
    "[metadata.name: Invalid value: \"a_b\": " MSG_SUBDOMAIN
    ", metadata.namespace: Forbidden: not allowed on this type, metadata.labels: Invalid value: "
    "\"-\": " MSG_LABEL_VALUE "]",
    { { TIMON_FIELD_ERROR_INVALID, "metadata.name", "a_b", MSG_SUBDOMAIN },
      { TIMON_FIELD_ERROR_FORBIDDEN, "metadata.namespace", NULL, "not allowed on this type" },
      { TIMON_FIELD_ERROR_INVALID, "metadata.labels", "-", MSG_LABEL_VALUE } } },
};

static void
test_object_meta (gconstpointer data)
{
  const MetaCase *c = data;
  g_autofree char *json = expand (c->metadata);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = json_from_string (json, &error);
  g_assert_no_error (error);
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();

  gboolean valid = timon_validate_object_meta (json_node_get_object (node), c->namespaced, errors);

  guint n_causes = 0;
  while (n_causes < MAX_CAUSES && c->causes[n_causes].field != NULL)
    n_causes++;
  g_assert_cmpint (valid, ==, n_causes == 0);
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, n_causes);
  for (guint i = 0; i < n_causes; i++) {
    const Cause *cause = &c->causes[i];
    g_autofree char *value = cause->value != NULL ? expand (cause->value) : NULL;
    g_assert_cmpint (timon_field_errors_get_error_type (errors, i), ==, cause->type);
    g_assert_cmpstr (timon_field_errors_get_field (errors, i), ==, cause->field);
    g_assert_cmpstr (timon_field_errors_get_value (errors, i), ==, value);
    g_assert_cmpstr (timon_field_errors_get_detail (errors, i), ==, cause->detail);
  }
  g_autofree char *message = timon_field_errors_to_message (errors);
  if (n_causes == 0)
    g_assert_cmpstr (message, ==, "");
  else if (c->message != NULL)
    g_assert_cmpstr (message, ==, c->message);
}

/* The errors of a second object add to those already in the list. */
static void
test_object_meta_appends (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  g_autoptr (JsonNode) good = json_from_string ("{\"name\": \"a\"}", NULL);
  g_autoptr (JsonNode) bad = json_from_string ("{}", NULL);

  timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.replicas", NULL, NULL);
  g_assert_true (timon_validate_object_meta (json_node_get_object (good), FALSE, errors));
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, 1);
  g_assert_false (timon_validate_object_meta (json_node_get_object (bad), FALSE, errors));
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, 2);
  g_assert_cmpstr (timon_field_errors_get_field (errors, 1), ==, "metadata.name");
}

/* Labels checked on their own, under another path. */
static void
test_labels_path (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  g_autoptr (JsonNode) good = json_from_string ("{\"app\": \"web\", \"tier\": \"\"}", NULL);
  g_autoptr (JsonNode) bad = json_from_string ("{\"app\": \"web!\"}", NULL);

  g_assert_true (timon_validate_labels (json_node_get_object (good), "spec.selector", errors));
  g_assert_false (timon_validate_labels (json_node_get_object (bad), "spec.selector", errors));
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, 1);
  g_assert_cmpstr (timon_field_errors_get_field (errors, 0), ==, "spec.selector");
  g_assert_cmpstr (timon_field_errors_get_value (errors, 0), ==, "web!");
  g_assert_cmpstr (timon_field_errors_get_detail (errors, 0), ==, MSG_LABEL_VALUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_data_func ("/api/validation/dns1123-label", &dns1123_label_table, test_value_table);
  g_test_add_data_func ("/api/validation/dns1123-subdomain", &dns1123_subdomain_table,
                        test_value_table);
  g_test_add_data_func ("/api/validation/qualified-name", &qualified_name_table, test_value_table);
  g_test_add_data_func ("/api/validation/label-value", &label_value_table, test_value_table);
  g_test_add_func ("/api/validation/labels/path", test_labels_path);
  g_test_add_func ("/api/field-errors/reasons", test_field_errors_reasons);
  g_test_add_func ("/api/field-errors/messages", test_field_errors_messages);
  g_test_add_func ("/api/field-errors/format", test_field_errors_format);
  g_test_add_func ("/api/field-errors/aggregate", test_field_errors_aggregate);
  g_test_add_func ("/api/field-errors/ref", test_field_errors_ref);
  for (size_t i = 0; i < G_N_ELEMENTS (meta_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/api/validation/object-meta/%s", meta_cases[i].path);
    g_test_add_data_func (path, &meta_cases[i], test_object_meta);
  }
  g_test_add_func ("/api/validation/object-meta/appends", test_object_meta_appends);

  return g_test_run ();
}
