/* test-core-v1.c: the core/v1 resource types, loaded through the
 * registry as timond loads them: their descriptions, and each hook,
 * table-driven, with the causes Kubernetes gives.
 *
 * JSON in the tables is written with single quotes, turned into double
 * quotes before parsing, so that it reads as it would in a manifest.
 *
 * Validation cases run the default hook first, as the API server does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "test-utils.h"
#include "timon-registry.h"

/* Plugins stay resident: one registry serves every test. */
static TimonRegistry *registry;

static TimonResourceType *
lookup (const char *feature_name)
{
  TimonFeature *feature =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, feature_name);

  if (feature == NULL) {
    g_autofree char *m = g_strdup_printf ("%s is not registered", feature_name);
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m);
    return NULL;
  }
  g_assert_cmpint (timon_feature_get_kind (feature), ==, TIMON_FEATURE_RESOURCE_TYPE);
  return timon_feature_get_resource_type (feature);
}

static JsonNode *
parse_node (const char *quoted)
{
  g_autofree char *text = g_strdelimit (g_strdup (quoted), "'", '"');
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* A new object from @quoted JSON. */
static JsonObject *
parse (const char *quoted)
{
  g_autoptr (JsonNode) node = parse_node (quoted);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static char *
to_string (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  return json_to_string (node, FALSE);
}

static void
run_default (TimonResourceType *type, JsonObject *object)
{
  gpointer data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);

  if (hooks->default_object != NULL)
    hooks->default_object (object, data);
}

/* The causes @object gets on create, or on update from @old. */
static TimonFieldErrors *
run_validate (TimonResourceType *type, JsonObject *object, JsonObject *old)
{
  gpointer data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);
  TimonFieldErrors *errors = timon_field_errors_new ();

  run_default (type, object);
  if (old == NULL) {
    g_assert_nonnull (hooks->validate_create);
    hooks->validate_create (object, errors, data);
  } else {
    run_default (type, old);
    g_assert_nonnull (hooks->validate_update);
    hooks->validate_update (object, old, errors, data);
  }
  return errors;
}

typedef struct {
  const char *reason;
  const char *field;
  const char *detail; /* a substring of the detail */
} Cause;

#define MAX_CAUSES 4

static char *
describe_errors (TimonFieldErrors *errors)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < timon_field_errors_get_length (errors); i++)
    g_string_append_printf (out, "\n  %s %s: %s", timon_field_errors_get_reason (errors, i),
                            timon_field_errors_get_field (errors, i),
                            timon_field_errors_get_detail (errors, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* @errors holds exactly @expected (up to one with a NULL reason), in
 * order. */
static void
assert_causes (TimonFieldErrors *errors, const Cause *expected)
{
  guint n = 0;
  g_autofree char *got = describe_errors (errors);

  while (n < MAX_CAUSES && expected[n].reason != NULL)
    n++;
  if (timon_field_errors_get_length (errors) != n)
    g_test_message ("causes:%s", got);
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, n);
  for (guint i = 0; i < n; i++) {
    g_assert_cmpstr (timon_field_errors_get_reason (errors, i), ==, expected[i].reason);
    g_assert_cmpstr (timon_field_errors_get_field (errors, i), ==, expected[i].field);
    assert_contains (timon_field_errors_get_detail (errors, i), expected[i].detail);
  }
}

/* Descriptions */

typedef struct {
  const char *feature;
  const char *kind;
  const char *plural;
  const char *singular;
  TimonResourceScope scope;
  const char *short_names;  /* joined by ',' */
  const char *subresources; /* joined by ',' */
  const char *fields;       /* joined by ',' */
  const char *columns;      /* NAME:type:json path (or "-" for a hook), joined by ',' */
  gboolean has_default;
  gboolean has_get_field;
  gboolean has_print_column;
} Description;

static const Description descriptions[] = {
  { "namespaces.v1", "Namespace", "namespaces", "namespace", TIMON_RESOURCE_CLUSTER, "ns", "status",
    "status.phase", "STATUS:string:.status.phase", TRUE, TRUE, FALSE },
  { "configmaps.v1", "ConfigMap", "configmaps", "configmap", TIMON_RESOURCE_NAMESPACED, "cm", "",
    "", "DATA:string:-", FALSE, FALSE, TRUE },
  { "secrets.v1", "Secret", "secrets", "secret", TIMON_RESOURCE_NAMESPACED, "", "", "type",
    "TYPE:string:.type,DATA:string:-", TRUE, TRUE, TRUE },
  { "serviceaccounts.v1", "ServiceAccount", "serviceaccounts", "serviceaccount",
    TIMON_RESOURCE_NAMESPACED, "sa", "", "", "SECRETS:string:-", FALSE, FALSE, TRUE },
  { "events.v1", "Event", "events", "event", TIMON_RESOURCE_NAMESPACED, "ev", "",
    "involvedObject.kind,involvedObject.namespace,involvedObject.name,involvedObject.uid,"
    "involvedObject.apiVersion,involvedObject.resourceVersion,involvedObject.fieldPath,reason,"
    "reportingComponent,source,type",
    "TYPE:string:.type,REASON:string:.reason,OBJECT:string:-,MESSAGE:string:.message", FALSE, TRUE,
    TRUE },
};

static char *
join (const char *const *strv)
{
  return g_strjoinv (",", (char **) strv);
}

static void
test_describe (gconstpointer data)
{
  const Description *d = data;
  TimonResourceType *type = lookup (d->feature);
  g_autoptr (GString) columns = g_string_new (NULL);

  g_assert_cmpstr (timon_resource_type_get_group (type), ==, "");
  g_assert_cmpstr (timon_resource_type_get_version (type), ==, "v1");
  g_assert_cmpstr (timon_resource_type_get_kind (type), ==, d->kind);
  g_assert_cmpstr (timon_resource_type_get_plural (type), ==, d->plural);
  g_assert_cmpstr (timon_resource_type_get_singular (type), ==, d->singular);
  g_assert_cmpint (timon_resource_type_get_scope (type), ==, d->scope);

  g_autofree char *short_names = join (timon_resource_type_get_short_names (type));
  g_assert_cmpstr (short_names, ==, d->short_names);
  g_autofree char *subresources = join (timon_resource_type_get_subresources (type));
  g_assert_cmpstr (subresources, ==, d->subresources);
  g_autofree char *fields = join (timon_resource_type_get_selectable_fields (type));
  g_assert_cmpstr (fields, ==, d->fields);
  /* Kubernetes lists only workloads under "all". */
  g_assert_null (timon_resource_type_get_categories (type)[0]);

  for (guint i = 0; i < timon_resource_type_get_n_columns (type); i++) {
    const char *name, *column_type, *format, *description, *json_path;
    int priority;

    timon_resource_type_get_column (type, i, &name, &column_type, &format, &description, &priority,
                                    &json_path);
    g_assert_cmpint (priority, ==, 0);
    g_assert_cmpstr (format, ==, "");
    g_assert_cmpuint (strlen (description), >, 0);
    g_string_append_printf (columns, "%s%s:%s:%s", i > 0 ? "," : "", name, column_type,
                            json_path != NULL ? json_path : "-");
  }
  g_assert_cmpstr (columns->str, ==, d->columns);

  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, NULL);
  g_assert_true (hooks->validate_create != NULL);
  g_assert_true (hooks->validate_update != NULL);
  g_assert_cmpint (hooks->default_object != NULL, ==, d->has_default);
  g_assert_cmpint (hooks->get_field != NULL, ==, d->has_get_field);
  g_assert_cmpint (hooks->print_column != NULL, ==, d->has_print_column);
}

static void
test_plugin (void)
{
  TimonFeature *feature =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, "namespaces.v1");
  TimonPlugin *plugin = timon_feature_get_plugin (feature);
  GPtrArray *features = timon_plugin_get_features (plugin);
  g_autoptr (GString) names = g_string_new (NULL);

  g_assert_cmpuint (timon_registry_get_failures (registry)->len, ==, 0);
  g_assert_cmpstr (timon_plugin_get_name (plugin), ==, "core-v1");
  g_assert_cmpstr (timon_plugin_get_description (plugin), ==, "Kubernetes core/v1 resource types");
  g_assert_cmpstr (timon_plugin_get_version (plugin), ==, "0.1.0");
  g_assert_cmpstr (timon_plugin_get_license (plugin), ==, "LGPL-2.1-or-later");
  for (guint i = 0; i < features->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            timon_feature_get_name (features->pdata[i]));
  g_assert_cmpstr (names->str, ==,
                   "namespaces.v1,configmaps.v1,secrets.v1,serviceaccounts.v1,events.v1");
}

/* Defaults */

typedef struct {
  const char *name;
  const char *feature;
  const char *input;
  const char *expected;
} DefaultCase;

static const DefaultCase default_cases[] = {
  { "namespace/filled", "namespaces.v1", "{'metadata': {'name': 'team-a'}}",
    "{'metadata': {'name': 'team-a', 'labels': {'kubernetes.io/metadata.name': 'team-a'}},"
    " 'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}" },
  { "namespace/name-label-wins", "namespaces.v1",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'b', 'x': 'y'}}}",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'a', 'x': 'y'}},"
    " 'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}" },
  { "namespace/kept", "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': []}, 'status': {'phase': 'Terminating'}}",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'a'}},"
    " 'spec': {'finalizers': []}, 'status': {'phase': 'Terminating'}}" },
  { "namespace/null-and-empty", "namespaces.v1",
    "{'metadata': {'name': 'a', 'labels': null}, 'spec': {'finalizers': null},"
    " 'status': {'phase': ''}}",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'a'}},"
    " 'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}" },
  { "namespace/generate-name", "namespaces.v1", "{'metadata': {'generateName': 'a-'}}",
    "{'metadata': {'generateName': 'a-'}, 'spec': {'finalizers': ['kubernetes']},"
    " 'status': {'phase': 'Active'}}" },
  { "namespace/malformed-left", "namespaces.v1",
    "{'metadata': {'name': 'a', 'labels': []}, 'spec': [], 'status': 'x'}",
    "{'metadata': {'name': 'a', 'labels': []}, 'spec': [], 'status': 'x'}" },
  { "secret/type", "secrets.v1", "{}", "{'type': 'Opaque'}" },
  { "secret/empty-type", "secrets.v1", "{'type': ''}", "{'type': 'Opaque'}" },
  { "secret/type-kept", "secrets.v1", "{'type': 'kubernetes.io/tls'}",
    "{'type': 'kubernetes.io/tls'}" },
  { "secret/string-data", "secrets.v1",
    "{'type': 'Opaque', 'data': {'a': 'b2xk', 'b': 'eA=='}, 'stringData': {'a': 'hello', 'c': ''}}",
    "{'type': 'Opaque', 'data': {'a': 'aGVsbG8=', 'b': 'eA==', 'c': ''}}" },
  { "secret/string-data-only", "secrets.v1", "{'stringData': {'a': 'hello'}}",
    "{'type': 'Opaque', 'data': {'a': 'aGVsbG8='}}" },
  { "secret/string-data-null", "secrets.v1", "{'stringData': null}", "{'type': 'Opaque'}" },
  { "secret/string-data-malformed", "secrets.v1", "{'stringData': {'a': 'x', 'b': 1}}",
    "{'type': 'Opaque', 'stringData': {'a': 'x', 'b': 1}}" },
  { "secret/data-malformed", "secrets.v1", "{'data': [], 'stringData': {'a': 'x'}}",
    "{'type': 'Opaque', 'data': [], 'stringData': {'a': 'x'}}" },
  { "configmap/none", "configmaps.v1", "{'data': {'a': 'b'}}", "{'data': {'a': 'b'}}" },
};

static void
test_default (gconstpointer data)
{
  const DefaultCase *c = data;
  g_autoptr (JsonObject) object = parse (c->input);
  g_autoptr (JsonObject) expected = parse (c->expected);

  run_default (lookup (c->feature), object);
  g_autoptr (JsonNode) got_node = json_node_init_object (json_node_alloc (), object);
  g_autoptr (JsonNode) expected_node = json_node_init_object (json_node_alloc (), expected);
  if (!json_node_equal (got_node, expected_node)) {
    g_autofree char *got = to_string (object);
    g_autofree char *want = to_string (expected);
    g_assert_cmpstr (got, ==, want);
  }
}

/* Validation on create */

typedef struct {
  const char *name;
  const char *feature;
  const char *object;
  Cause causes[MAX_CAUSES];
} CreateCase;

#define INVALID "FieldValueInvalid"
#define REQUIRED "FieldValueRequired"
#define FORBIDDEN "FieldValueForbidden"
#define TOO_LONG "FieldValueTooLong"
#define CONFIG_KEY "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
#define IMMUTABLE_SET "field is immutable when `immutable` is set"

static const CreateCase create_cases[] = {
  { "namespace/valid", "namespaces.v1", "{'metadata': {'name': 'team-a'}}", { { NULL } } },
  { "namespace/dots",
    "namespaces.v1",
    "{'metadata': {'name': 'team.a'}}",
    { { INVALID, "metadata.name", "must not contain dots" } } },
  /* Not a subdomain either: the core reports it, once. */
  { "namespace/not-subdomain", "namespaces.v1", "{'metadata': {'name': 'Team'}}", { { NULL } } },
  { "namespace/finalizers",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['kubernetes', 'orphan',"
    " 'foregroundDeletion', 'example.com/x', 'custom']}}",
    { { INVALID, "spec.finalizers",
        "name is neither a standard finalizer name nor is it fully qualified" } } },
  { "namespace/finalizer-malformed",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['a b', 42]}}",
    { { INVALID, "spec.finalizers", "must consist of alphanumeric characters" },
      { INVALID, "spec.finalizers", "name is neither a standard finalizer name" },
      { INVALID, "spec.finalizers[1]", "must be a string" } } },
  { "namespace/finalizers-object",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': {}}}",
    { { INVALID, "spec.finalizers", "must be a list" } } },
  { "namespace/terminating-not-deleted",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'status': {'phase': 'Terminating'}}",
    { { INVALID, "status.Phase", "may only be 'Active' if `deletionTimestamp` is empty" } } },
  { "namespace/active-deleted",
    "namespaces.v1",
    "{'metadata': {'name': 'a', 'deletionTimestamp': '2026-01-01T00:00:00Z'},"
    " 'status': {'phase': 'Active'}}",
    { { INVALID, "status.Phase",
        "may only be 'Terminating' if `deletionTimestamp` is not empty" } } },
  { "namespace/terminating-deleted",
    "namespaces.v1",
    "{'metadata': {'name': 'a', 'deletionTimestamp': '2026-01-01T00:00:00Z'},"
    " 'status': {'phase': 'Terminating'}}",
    { { NULL } } },
  { "namespace/phase-number",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'status': {'phase': 1}}",
    { { INVALID, "status.phase", "must be a string" } } },

  { "configmap/valid",
    "configmaps.v1",
    "{'data': {'a.b': 'x', 'KEY_1': 'y', '-x': ''}, 'binaryData': {'bin': 'aGVsbG8='},"
    " 'immutable': true}",
    { { NULL } } },
  { "configmap/empty", "configmaps.v1", "{'data': null, 'binaryData': {}}", { { NULL } } },
  { "configmap/key-slash",
    "configmaps.v1",
    "{'data': {'a/b': 'x'}}",
    { { INVALID, "data[a/b]", CONFIG_KEY } } },
  { "configmap/key-empty",
    "configmaps.v1",
    "{'data': {'': 'x'}}",
    { { INVALID, "data[]", "regex used for validation is '[-._a-zA-Z0-9]+'" } } },
  { "configmap/key-dot",
    "configmaps.v1",
    "{'binaryData': {'.': ''}}",
    { { INVALID, "binaryData[.]", "must not be '.'" } } },
  { "configmap/key-dot-dot",
    "configmaps.v1",
    "{'data': {'..': ''}}",
    { { INVALID, "data[..]", "must not be '..'" } } },
  { "configmap/key-dot-dot-prefix",
    "configmaps.v1",
    "{'data': {'..x': ''}}",
    { { INVALID, "data[..x]", "must not start with '..'" } } },
  { "configmap/duplicate",
    "configmaps.v1",
    "{'data': {'k': 'v'}, 'binaryData': {'k': 'dg=='}}",
    { { INVALID, "data[k]", "duplicate of key present in binaryData" } } },
  { "configmap/binary-not-base64",
    "configmaps.v1",
    "{'binaryData': {'a': 'abc', 'b': 'a$==',"
    " 'c': 'YQ==YQ=='}}",
    { { INVALID, "binaryData[a]", "must be base64-encoded" },
      { INVALID, "binaryData[b]", "must be base64-encoded" },
      { INVALID, "binaryData[c]", "must be base64-encoded" } } },
  { "configmap/binary-line-breaks",
    "configmaps.v1",
    "{'binaryData': {'a': 'aGVs\\nbG8='}}",
    { { NULL } } },
  { "configmap/value-types",
    "configmaps.v1",
    "{'data': {'a': 1, 'b': null},"
    " 'binaryData': {'c': []}}",
    { { INVALID, "data[a]", "must be a string" },
      { INVALID, "data[b]", "must be a string" },
      { INVALID, "binaryData[c]", "must be a string" } } },
  { "configmap/data-list",
    "configmaps.v1",
    "{'data': ['a'], 'binaryData': 'x'}",
    { { INVALID, "data", "must be an object" }, { INVALID, "binaryData", "must be an object" } } },
  { "configmap/immutable-string",
    "configmaps.v1",
    "{'immutable': 'yes'}",
    { { INVALID, "immutable", "must be a boolean" } } },

  { "secret/valid", "secrets.v1", "{'data': {'a': 'aGVsbG8=', 'b': ''}}", { { NULL } } },
  { "secret/string-data", "secrets.v1", "{'stringData': {'a.b': 'x'}}", { { NULL } } },
  { "secret/string-data-key",
    "secrets.v1",
    "{'stringData': {'a b': 'x'}}",
    { { INVALID, "data[a b]", CONFIG_KEY } } },
  { "secret/not-base64",
    "secrets.v1",
    "{'data': {'a': 'hello!'}}",
    { { INVALID, "data[a]", "must be base64-encoded" } } },
  { "secret/bad-key",
    "secrets.v1",
    "{'data': {'a b': 'eA=='}}",
    { { INVALID, "data[a b]", CONFIG_KEY } } },
  { "secret/string-data-malformed",
    "secrets.v1",
    "{'stringData': {'a': 1}}",
    { { INVALID, "stringData[a]", "must be a string" } } },
  { "secret/string-data-list",
    "secrets.v1",
    "{'stringData': ['a']}",
    { { INVALID, "stringData", "must be an object" } } },
  { "secret/type-number",
    "secrets.v1",
    "{'type': 5}",
    { { INVALID, "type", "must be a string" } } },
  { "secret/unknown-type", "secrets.v1", "{'type': 'example.com/mine'}", { { NULL } } },
  { "secret/sa-token-unnamed",
    "secrets.v1",
    "{'type': 'kubernetes.io/service-account-token'}",
    { { REQUIRED, "metadata.annotations[kubernetes.io/service-account.name]", "" } } },
  { "secret/sa-token-empty-name",
    "secrets.v1",
    "{'type': 'kubernetes.io/service-account-token',"
    " 'metadata': {'annotations': {'kubernetes.io/service-account.name': ''}}}",
    { { REQUIRED, "metadata.annotations[kubernetes.io/service-account.name]", "" } } },
  { "secret/sa-token",
    "secrets.v1",
    "{'type': 'kubernetes.io/service-account-token',"
    " 'metadata': {'annotations': {'kubernetes.io/service-account.name': 'default'}}}",
    { { NULL } } },
  { "secret/dockerconfigjson-missing",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson'}",
    { { REQUIRED, "data[.dockerconfigjson]", "" } } },
  { "secret/dockerconfigjson-not-json",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson', 'data': {'.dockerconfigjson': 'bm90IGpzb24='}}",
    { { INVALID, "data[.dockerconfigjson]", "" } } },
  { "secret/dockerconfigjson-list",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson', 'data': {'.dockerconfigjson': 'W10='}}",
    { { INVALID, "data[.dockerconfigjson]", "must be a JSON object" } } },
  { "secret/dockerconfigjson-not-base64",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson', 'data': {'.dockerconfigjson': '{}'}}",
    { { INVALID, "data[.dockerconfigjson]", "must be base64-encoded" } } },
  { "secret/dockerconfigjson",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson',"
    " 'data': {'.dockerconfigjson': 'eyJhdXRocyI6e319'}}",
    { { NULL } } },
  { "secret/dockercfg-missing",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockercfg'}",
    { { REQUIRED, "data[.dockercfg]", "" } } },
  { "secret/basic-auth-empty",
    "secrets.v1",
    "{'type': 'kubernetes.io/basic-auth'}",
    { { REQUIRED, "data[username]", "" }, { REQUIRED, "data[password]", "" } } },
  { "secret/basic-auth-password",
    "secrets.v1",
    "{'type': 'kubernetes.io/basic-auth', 'data': {'password': ''}}",
    { { NULL } } },
  { "secret/ssh-auth-empty",
    "secrets.v1",
    "{'type': 'kubernetes.io/ssh-auth', 'data': {'ssh-privatekey': ''}}",
    { { REQUIRED, "data[ssh-privatekey]", "" } } },
  { "secret/tls-no-key",
    "secrets.v1",
    "{'type': 'kubernetes.io/tls', 'data': {'tls.crt': ''}}",
    { { REQUIRED, "data[tls.key]", "" } } },
  { "secret/immutable-number",
    "secrets.v1",
    "{'immutable': 1}",
    { { INVALID, "immutable", "must be a boolean" } } },

  { "serviceaccount/valid",
    "serviceaccounts.v1",
    "{'secrets': [{'name': 's'}], 'imagePullSecrets': [{'name': 'r'}],"
    " 'automountServiceAccountToken': false}",
    { { NULL } } },
  { "serviceaccount/secrets-object",
    "serviceaccounts.v1",
    "{'secrets': {}}",
    { { INVALID, "secrets", "must be a list" } } },
  { "serviceaccount/secret-items",
    "serviceaccounts.v1",
    "{'secrets': [1, {'name': 2}], 'imagePullSecrets': [null]}",
    { { INVALID, "secrets[0]", "must be an object" },
      { INVALID, "secrets[1].name", "must be a string" },
      { INVALID, "imagePullSecrets[0]", "must be an object" } } },
  { "serviceaccount/automount-string",
    "serviceaccounts.v1",
    "{'automountServiceAccountToken': 'no'}",
    { { INVALID, "automountServiceAccountToken", "must be a boolean" } } },

  { "event/valid",
    "events.v1",
    "{'metadata': {'name': 'e', 'namespace': 'a'}, 'involvedObject': {'kind': 'Pod',"
    " 'namespace': 'a', 'name': 'web'}, 'reason': 'Started', 'type': 'Normal', 'count': 2}",
    { { NULL } } },
  { "event/namespace-mismatch",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'b'}}",
    { { INVALID, "involvedObject.namespace", "does not match event.namespace" } } },
  { "event/cluster-object-default",
    "events.v1",
    "{'metadata': {'namespace': 'default'}, 'involvedObject': {'kind': 'Node'}}",
    { { NULL } } },
  { "event/cluster-object-elsewhere",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'kind': 'Node'}}",
    { { INVALID, "involvedObject.namespace", "does not match event.namespace" } } },
  { "event/new-style-incomplete",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'a'},"
    " 'eventTime': '2026-01-01T00:00:00.000000Z'}",
    { { REQUIRED, "reportingComponent", "" },
      { REQUIRED, "reportingInstance", "" },
      { REQUIRED, "action", "" },
      { REQUIRED, "reason", "" } } },
  { "event/new-style",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'a'},"
    " 'eventTime': '2026-01-01T00:00:00.000000Z', 'reportingComponent': 'example.com/ctl',"
    " 'reportingInstance': 'ctl-1', 'action': 'Bind', 'reason': 'Scheduled'}",
    { { NULL } } },
  { "event/new-style-bad-controller",
    "events.v1",
    "{'metadata': {'namespace': 'kube-system'}, 'eventTime': '2026-01-01T00:00:00.000000Z',"
    " 'reportingComponent': 'a b', 'reportingInstance': 'i', 'action': 'A', 'reason': 'R'}",
    { { INVALID, "reportingComponent", "must consist of alphanumeric characters" } } },
  { "event/types",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'a', 'kind': 1},"
    " 'reason': [], 'count': 'many', 'source': {'component': {}}}",
    { { INVALID, "involvedObject.kind", "must be a string" },
      { INVALID, "reason", "must be a string" },
      { INVALID, "count", "must be an integer" },
      { INVALID, "source.component", "must be a string" } } },
};

static void
test_validate_create (gconstpointer data)
{
  const CreateCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup (c->feature), object, NULL);

  assert_causes (errors, c->causes);
}

/* A ConfigMap or Secret over 1 MiB, counted in bytes of the values
 * (decoded for base64), is too long; one of exactly 1 MiB is not. */
static void
test_validate_size (void)
{
  const gsize mib = 1024 * 1024;
  g_autofree char *exact = g_strnfill (mib, 'x');
  g_autofree char *encoded = g_base64_encode ((const guchar *) exact, mib);
  const Cause none[] = { { NULL } };
  const Cause too_long[] = { { TOO_LONG, "data", "may not be more than 1048576 bytes" }, { NULL } };
  struct {
    const char *feature;
    const char *member;
    const char *value;
    const char *extra;
    const Cause *causes;
  } cases[] = {
    { "configmaps.v1", "data", exact, NULL, none },
    { "configmaps.v1", "data", exact, "aGVsbG8=", too_long }, /* + 5 bytes of binaryData */
    { "secrets.v1", "data", encoded, NULL, none },
    { "secrets.v1", "data", encoded, "eA==", too_long }, /* + 1 byte */
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonObject) object = json_object_new ();
    JsonObject *map = json_object_new ();

    json_object_set_string_member (map, "big", cases[i].value);
    json_object_set_object_member (object, cases[i].member, map);
    if (cases[i].extra != NULL && g_str_equal (cases[i].feature, "configmaps.v1")) {
      JsonObject *binary = json_object_new ();
      json_object_set_string_member (binary, "small", cases[i].extra);
      json_object_set_object_member (object, "binaryData", binary);
    } else if (cases[i].extra != NULL) {
      json_object_set_string_member (map, "small", cases[i].extra);
    }
    g_autoptr (TimonFieldErrors) errors = run_validate (lookup (cases[i].feature), object, NULL);
    assert_causes (errors, cases[i].causes);
  }
}

/* Config keys are limited to 253 characters, as subdomains. */
static void
test_validate_key_length (void)
{
  g_autofree char *ok = g_strnfill (253, 'k');
  g_autofree char *long_key = g_strnfill (254, 'k');
  g_autofree char *field = g_strdup_printf ("data[%s]", long_key);
  const Cause too_long[] = { { INVALID, field, "must be no more than 253 characters" }, { NULL } };
  const Cause none[] = { { NULL } };
  const char *const features[] = { "configmaps.v1", "secrets.v1" };

  for (size_t i = 0; i < G_N_ELEMENTS (features); i++) {
    g_autoptr (JsonObject) good = json_object_new ();
    g_autoptr (JsonObject) bad = json_object_new ();
    JsonObject *good_data = json_object_new ();
    JsonObject *bad_data = json_object_new ();

    json_object_set_string_member (good_data, ok, "");
    json_object_set_object_member (good, "data", good_data);
    json_object_set_string_member (bad_data, long_key, "");
    json_object_set_object_member (bad, "data", bad_data);
    g_autoptr (TimonFieldErrors) good_errors = run_validate (lookup (features[i]), good, NULL);
    g_autoptr (TimonFieldErrors) bad_errors = run_validate (lookup (features[i]), bad, NULL);
    assert_causes (good_errors, none);
    assert_causes (bad_errors, too_long);
  }
}

/* Events of the new style limit their strings. */
static void
test_validate_event_lengths (void)
{
  g_autofree char *long_reason = g_strnfill (129, 'r');
  g_autofree char *long_message = g_strnfill (1025, 'm');
  g_autoptr (JsonObject) event =
    parse ("{'metadata': {'namespace': 'default'}, 'eventTime': '2026-01-01T00:00:00.000000Z',"
           " 'reportingComponent': 'ctl', 'reportingInstance': 'i', 'action': 'A'}");
  const Cause causes[] = { { INVALID, "reason", "can have at most 128 characters" },
                           { INVALID, "message", "can have at most 1024 characters" },
                           { NULL } };

  json_object_set_string_member (event, "reason", long_reason);
  json_object_set_string_member (event, "message", long_message);
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup ("events.v1"), event, NULL);
  assert_causes (errors, causes);
}

/* Validation on update */

typedef struct {
  const char *name;
  const char *feature;
  const char *old;
  const char *object;
  Cause causes[MAX_CAUSES];
} UpdateCase;

static const UpdateCase update_cases[] = {
  { "configmap/mutable",
    "configmaps.v1",
    "{'data': {'a': 'x'}}",
    "{'data': {'a': 'y'}, 'binaryData': {'b': ''}}",
    { { NULL } } },
  { "configmap/immutable-metadata",
    "configmaps.v1",
    "{'data': {'a': 'x'}, 'immutable': true}",
    "{'metadata': {'labels': {'l': 'v'}}, 'data': {'a': 'x'}, 'immutable': true}",
    { { NULL } } },
  { "configmap/immutable-data",
    "configmaps.v1",
    "{'data': {'a': 'x'}, 'immutable': true}",
    "{'data': {'a': 'y'}, 'immutable': true}",
    { { FORBIDDEN, "data", IMMUTABLE_SET } } },
  { "configmap/immutable-binary-data",
    "configmaps.v1",
    "{'binaryData': {'a': 'eA=='}, 'immutable': true}",
    "{'binaryData': {'a': 'eQ=='}, 'immutable': true}",
    { { FORBIDDEN, "binaryData", IMMUTABLE_SET } } },
  { "configmap/immutable-unset",
    "configmaps.v1",
    "{'data': {'a': 'x'}, 'immutable': true}",
    "{'data': {'a': 'x'}}",
    { { FORBIDDEN, "immutable", IMMUTABLE_SET } } },
  { "configmap/immutable-false",
    "configmaps.v1",
    "{'immutable': true}",
    "{'immutable': false}",
    { { FORBIDDEN, "immutable", IMMUTABLE_SET } } },
  { "configmap/immutable-empty-map",
    "configmaps.v1",
    "{'data': {}, 'immutable': true}",
    "{'data': null, 'immutable': true}",
    { { NULL } } },
  { "configmap/made-immutable",
    "configmaps.v1",
    "{'data': {'a': 'x'}}",
    "{'data': {'a': 'y'}, 'immutable': true}",
    { { NULL } } },
  { "configmap/new-still-checked",
    "configmaps.v1",
    "{}",
    "{'data': {'a/b': ''}}",
    { { INVALID, "data[a/b]", CONFIG_KEY } } },
  { "configmap/malformed-old",
    "configmaps.v1",
    "{'data': 7, 'immutable': 'yes'}",
    "{'data': {'a': 'x'}}",
    { { NULL } } },

  { "secret/type-kept",
    "secrets.v1",
    "{}",
    "{'type': 'Opaque', 'data': {'a': 'eA=='}}",
    { { NULL } } },
  { "secret/type-changed",
    "secrets.v1",
    "{'type': 'Opaque'}",
    "{'type': 'kubernetes.io/tls', 'data': {'tls.crt': '', 'tls.key': ''}}",
    { { INVALID, "type", "field is immutable" } } },
  { "secret/immutable-data",
    "secrets.v1",
    "{'data': {'a': 'eA=='}, 'immutable': true}",
    "{'stringData': {'a': 'y'}, 'immutable': true}",
    { { FORBIDDEN, "data", IMMUTABLE_SET } } },
  { "secret/immutable-same",
    "secrets.v1",
    "{'data': {'a': 'eA=='}, 'immutable': true}",
    "{'stringData': {'a': 'x'}, 'immutable': true}",
    { { NULL } } },
  { "secret/immutable-unset",
    "secrets.v1",
    "{'immutable': true}",
    "{}",
    { { FORBIDDEN, "immutable", IMMUTABLE_SET } } },

  { "namespace/finalized",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['kubernetes']}}",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': []}}",
    { { NULL } } },
  { "namespace/still-checked",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}}",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['custom']}}",
    { { INVALID, "spec.finalizers", "name is neither a standard finalizer name" } } },
  { "namespace/terminating",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}}",
    "{'metadata': {'name': 'a', 'deletionTimestamp': '2026-01-01T00:00:00Z'},"
    " 'status': {'phase': 'Terminating'}}",
    { { NULL } } },

  { "serviceaccount/secrets",
    "serviceaccounts.v1",
    "{}",
    "{'secrets': [{'name': 'a'}, 3]}",
    { { INVALID, "secrets[1]", "must be an object" } } },
  { "event/namespace",
    "events.v1",
    "{'metadata': {'namespace': 'a'}}",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'b'}}",
    { { INVALID, "involvedObject.namespace", "does not match event.namespace" } } },
};

static void
test_validate_update (gconstpointer data)
{
  const UpdateCase *c = data;
  g_autoptr (JsonObject) old = parse (c->old);
  g_autoptr (JsonObject) object = parse (c->object);
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup (c->feature), object, old);

  assert_causes (errors, c->causes);
}

/* Field selectors and printed columns */

typedef struct {
  const char *name;
  const char *feature;
  const char *object;
  const char *field; /* or column, for print_column */
  const char *expected;
} ValueCase;

static const ValueCase field_cases[] = {
  { "namespace/phase", "namespaces.v1", "{'status': {'phase': 'Terminating'}}", "status.phase",
    "Terminating" },
  { "namespace/phase-missing", "namespaces.v1", "{'status': {}}", "status.phase", NULL },
  { "namespace/phase-number", "namespaces.v1", "{'status': {'phase': 3}}", "status.phase", NULL },
  { "namespace/status-list", "namespaces.v1", "{'status': []}", "status.phase", NULL },
  { "namespace/unknown", "namespaces.v1", "{'spec': {'x': 'y'}}", "spec.x", NULL },
  { "secret/type", "secrets.v1", "{'type': 'kubernetes.io/tls'}", "type", "kubernetes.io/tls" },
  { "secret/type-list", "secrets.v1", "{'type': ['a']}", "type", NULL },
  { "event/kind", "events.v1", "{'involvedObject': {'kind': 'Pod'}}", "involvedObject.kind",
    "Pod" },
  { "event/field-path", "events.v1", "{'involvedObject': {'fieldPath': 'spec.containers{a}'}}",
    "involvedObject.fieldPath", "spec.containers{a}" },
  { "event/uid-missing", "events.v1", "{'involvedObject': null}", "involvedObject.uid", NULL },
  { "event/source", "events.v1", "{'source': {'component': 'kubelet', 'host': 'n1'}}", "source",
    "kubelet" },
  { "event/reason", "events.v1", "{'reason': 'Started'}", "reason", "Started" },
  { "event/type", "events.v1", "{'type': 'Warning'}", "type", "Warning" },
  { "event/reporting", "events.v1", "{'reportingComponent': 'ctl'}", "reportingComponent", "ctl" },
  { "event/unknown", "events.v1", "{'message': 'm'}", "message", NULL },
};

static const ValueCase column_cases[] = {
  { "configmap/data", "configmaps.v1", "{'data': {'a': '', 'b': ''}, 'binaryData': {'c': ''}}",
    "DATA", "3" },
  { "configmap/none", "configmaps.v1", "{}", "DATA", "0" },
  { "configmap/malformed", "configmaps.v1", "{'data': ['a', 'b'], 'binaryData': {'c': ''}}", "DATA",
    "1" },
  { "configmap/unknown", "configmaps.v1", "{}", "KEYS", NULL },
  { "secret/data", "secrets.v1", "{'data': {'a': '', 'b': ''}}", "DATA", "2" },
  { "secret/malformed", "secrets.v1", "{'data': 'x'}", "DATA", "0" },
  { "serviceaccount/secrets", "serviceaccounts.v1", "{'secrets': [{'name': 'a'}, {}]}", "SECRETS",
    "2" },
  { "serviceaccount/malformed", "serviceaccounts.v1", "{'secrets': {'name': 'a'}}", "SECRETS",
    "0" },
  { "event/object", "events.v1", "{'involvedObject': {'kind': 'ReplicaSet', 'name': 'web'}}",
    "OBJECT", "replicaset/web" },
  { "event/object-missing", "events.v1", "{'involvedObject': 5}", "OBJECT", "/" },
};

static void
test_get_field (gconstpointer data)
{
  const ValueCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  gpointer hook_data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (lookup (c->feature), &hook_data);
  g_autofree char *value = hooks->get_field (object, c->field, hook_data);

  g_assert_cmpstr (value, ==, c->expected);
}

static void
test_print_column (gconstpointer data)
{
  const ValueCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  gpointer hook_data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (lookup (c->feature), &hook_data);
  g_autofree char *value = hooks->print_column (object, c->field, hook_data);

  g_assert_cmpstr (value, ==, c->expected);
}

/* Robustness: every member a type reads, given every JSON shape. */

typedef struct {
  const char *feature;
  const char *member; /* a path of members joined by '.' */
  const char *holds;  /* "object", "array", "string", "boolean", "integer" or NULL: any */
} Member;

static const Member members[] = {
  { "namespaces.v1", "metadata", NULL },
  { "namespaces.v1", "metadata.name", NULL },
  { "namespaces.v1", "metadata.labels", NULL },
  { "namespaces.v1", "metadata.deletionTimestamp", NULL },
  { "namespaces.v1", "spec", "object" },
  { "namespaces.v1", "spec.finalizers", "array" },
  { "namespaces.v1", "status", "object" },
  { "namespaces.v1", "status.phase", "string" },
  { "configmaps.v1", "data", "object" },
  { "configmaps.v1", "binaryData", "object" },
  { "configmaps.v1", "immutable", "boolean" },
  { "secrets.v1", "metadata", NULL },
  { "secrets.v1", "metadata.annotations", NULL },
  { "secrets.v1", "data", "object" },
  { "secrets.v1", "stringData", "object" },
  { "secrets.v1", "type", "string" },
  { "secrets.v1", "immutable", "boolean" },
  { "serviceaccounts.v1", "secrets", "array" },
  { "serviceaccounts.v1", "imagePullSecrets", "array" },
  { "serviceaccounts.v1", "automountServiceAccountToken", "boolean" },
  { "events.v1", "metadata", NULL },
  { "events.v1", "metadata.namespace", NULL },
  { "events.v1", "involvedObject", "object" },
  { "events.v1", "involvedObject.namespace", "string" },
  { "events.v1", "involvedObject.kind", "string" },
  { "events.v1", "involvedObject.name", "string" },
  { "events.v1", "source", "object" },
  { "events.v1", "source.component", "string" },
  { "events.v1", "eventTime", "string" },
  { "events.v1", "reason", "string" },
  { "events.v1", "message", "string" },
  { "events.v1", "reportingComponent", "string" },
  { "events.v1", "count", "integer" },
};

/* A valid object of each type, for the shapes to be put into. */
static const char *
valid_object (const char *feature)
{
  if (g_str_equal (feature, "namespaces.v1"))
    return "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['kubernetes']},"
           " 'status': {'phase': 'Active'}}";
  if (g_str_equal (feature, "configmaps.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'data': {'a': 'x'},"
           " 'binaryData': {'b': 'eA=='}, 'immutable': true}";
  if (g_str_equal (feature, "secrets.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n', 'annotations':"
           " {'kubernetes.io/service-account.name': 'sa'}}, 'type':"
           " 'kubernetes.io/service-account-token', 'data': {'a': 'eA=='}, 'immutable': true}";
  if (g_str_equal (feature, "serviceaccounts.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'secrets': [{'name': 's'}],"
           " 'imagePullSecrets': [{'name': 'r'}], 'automountServiceAccountToken': true}";
  return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'involvedObject': {'kind': 'Pod',"
         " 'namespace': 'n', 'name': 'p'}, 'source': {'component': 'c'}, 'reason': 'R',"
         " 'message': 'M', 'count': 1}";
}

static const char *const shapes[] = {
  "null", "0",  "1.5",           "-1", "true",     "''",
  "'x'",  "[]", "[1, null, {}]", "{}", "{'a': 1}", "{'a': null, 'b': [], 'c': {'d': true}}",
};

static gboolean
shape_holds (JsonNode *node, const char *holds)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE; /* null is absent */
  if (g_str_equal (holds, "object"))
    return JSON_NODE_HOLDS_OBJECT (node);
  if (g_str_equal (holds, "array"))
    return JSON_NODE_HOLDS_ARRAY (node);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (g_str_equal (holds, "string"))
    return json_node_get_value_type (node) == G_TYPE_STRING;
  if (g_str_equal (holds, "boolean"))
    return json_node_get_value_type (node) == G_TYPE_BOOLEAN;
  return json_node_get_value_type (node) == G_TYPE_INT64;
}

/* What the hooks say of a member holding another JSON type than @holds. */
static const char *
wrong_type_detail (const char *holds)
{
  static const char *const details[][2] = {
    { "object", "must be an object" },   { "array", "must be a list" },
    { "string", "must be a string" },    { "boolean", "must be a boolean" },
    { "integer", "must be an integer" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (details); i++) {
    if (g_str_equal (details[i][0], holds))
      return details[i][1];
  }
  g_assert_not_reached ();
}

/* Puts @shape at @path in @object, making the objects on the way. */
static void
set_path (JsonObject *object, const char *path, const char *shape)
{
  g_auto (GStrv) steps = g_strsplit (path, ".", -1);
  guint n = g_strv_length (steps);

  for (guint i = 0; i + 1 < n; i++) {
    JsonNode *node = json_object_get_member (object, steps[i]);
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
      json_object_set_object_member (object, steps[i], json_object_new ());
    object = json_object_get_object_member (object, steps[i]);
  }
  json_object_set_member (object, steps[n - 1], parse_node (shape));
}

/* Every cause is well-formed: a known reason, a field, a detail. */
static void
assert_sensible (TimonFieldErrors *errors)
{
  static const char *const reasons[] = {
    "FieldValueRequired",  "FieldValueInvalid", "FieldValueNotSupported", "FieldValueDuplicate",
    "FieldValueForbidden", "FieldValueTooLong", "FieldValueTooMany",      NULL,
  };

  for (guint i = 0; i < timon_field_errors_get_length (errors); i++) {
    g_assert_true (g_strv_contains (reasons, timon_field_errors_get_reason (errors, i)));
    g_assert_cmpuint (strlen (timon_field_errors_get_field (errors, i)), >, 0);
    if (!g_str_equal (timon_field_errors_get_reason (errors, i), REQUIRED))
      g_assert_cmpuint (strlen (timon_field_errors_get_detail (errors, i)), >, 0);
  }
}

static gboolean
has_cause_on (TimonFieldErrors *errors, const char *field, const char *detail)
{
  for (guint i = 0; i < timon_field_errors_get_length (errors); i++) {
    if (g_str_equal (timon_field_errors_get_field (errors, i), field) &&
        strstr (timon_field_errors_get_detail (errors, i), detail) != NULL)
      return TRUE;
  }
  return FALSE;
}

/* Every hook of @type on @object, which must not crash it. */
static void
run_read_hooks (TimonResourceType *type, JsonObject *object)
{
  gpointer data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);

  for (const char *const *f = timon_resource_type_get_selectable_fields (type); *f != NULL; f++) {
    g_autofree char *value = hooks->get_field (object, *f, data);
    g_assert_true (value == NULL || g_utf8_validate (value, -1, NULL));
  }
  for (guint i = 0; i < timon_resource_type_get_n_columns (type); i++) {
    const char *name, *json_path;
    timon_resource_type_get_column (type, i, &name, NULL, NULL, NULL, NULL, &json_path);
    if (json_path == NULL) {
      g_autofree char *cell = hooks->print_column (object, name, data);
      g_assert_nonnull (cell);
    }
  }
}

static void
test_robustness (gconstpointer data)
{
  const Member *m = data;
  TimonResourceType *type = lookup (m->feature);

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++) {
    g_autoptr (JsonNode) shape = parse_node (shapes[s]);
    g_autoptr (JsonObject) created = parse (valid_object (m->feature));
    g_autoptr (JsonObject) updated = parse (valid_object (m->feature));
    g_autoptr (JsonObject) as_old = parse (valid_object (m->feature));
    g_autoptr (JsonObject) good = parse (valid_object (m->feature));
    const char *detail = m->holds != NULL ? wrong_type_detail (m->holds) : NULL;

    g_test_message ("%s = %s", m->member, shapes[s]);
    set_path (created, m->member, shapes[s]);
    set_path (updated, m->member, shapes[s]);
    set_path (as_old, m->member, shapes[s]);

    g_autoptr (TimonFieldErrors) create_errors = run_validate (type, created, NULL);
    g_autoptr (TimonFieldErrors) update_errors = run_validate (type, updated, good);
    g_autoptr (TimonFieldErrors) old_errors = run_validate (type, good, as_old);
    assert_sensible (create_errors);
    assert_sensible (update_errors);
    assert_sensible (old_errors);
    run_read_hooks (type, created);
    run_read_hooks (type, as_old);

    /* A shape the member cannot hold is reported on the member itself. */
    if (m->holds != NULL && !shape_holds (shape, m->holds)) {
      if (!has_cause_on (create_errors, m->member, detail)) {
        g_autofree char *got = describe_errors (create_errors);
        g_autofree char *m_ = g_strdup_printf ("%s = %s: no \"%s\" cause on create:%s", m->member,
                                               shapes[s], detail, got);
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m_);
      }
      g_assert_true (has_cause_on (update_errors, m->member, detail));
    }
  }
}

/* The object itself of the wrong shape cannot reach a hook (the core
 * parses objects), but empty ones can. */
static void
test_robustness_empty (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (descriptions); i++) {
    TimonResourceType *type = lookup (descriptions[i].feature);
    g_autoptr (JsonObject) object = json_object_new ();
    g_autoptr (JsonObject) old = json_object_new ();
    g_autoptr (TimonFieldErrors) create_errors = run_validate (type, object, NULL);
    g_autoptr (TimonFieldErrors) update_errors = run_validate (type, object, old);

    assert_sensible (create_errors);
    assert_sensible (update_errors);
    run_read_hooks (type, object);
  }
}

/* timonctl */

static void
test_timonctl_list (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL,           "plugins", "--plugin-dir",
                               CORE_V1_PLUGIN_DIR, "--json",  NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);

  g_autoptr (JsonNode) root = json_from_string (run.out, NULL);
  g_assert_nonnull (root);
  JsonArray *plugins = json_object_get_array_member (json_node_get_object (root), "plugins");
  JsonObject *core_v1 = NULL;
  for (guint i = 0; i < json_array_get_length (plugins); i++) {
    JsonObject *plugin = json_array_get_object_element (plugins, i);
    if (g_str_equal (json_object_get_string_member (plugin, "name"), "core-v1"))
      core_v1 = plugin;
  }
  g_assert_nonnull (core_v1);
  g_assert_cmpstr (json_object_get_string_member (core_v1, "description"), ==,
                   "Kubernetes core/v1 resource types");
  JsonArray *features = json_object_get_array_member (core_v1, "features");
  g_autoptr (GString) names = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (features); i++) {
    JsonObject *feature = json_array_get_object_element (features, i);
    g_string_append_printf (names, "%s%s:%s", i > 0 ? "," : "",
                            json_object_get_string_member (feature, "kind"),
                            json_object_get_string_member (feature, "name"));
  }
  g_assert_cmpstr (names->str, ==,
                   "resource-type:namespaces.v1,resource-type:configmaps.v1,"
                   "resource-type:secrets.v1,resource-type:serviceaccounts.v1,"
                   "resource-type:events.v1");
  JsonArray *failures = json_object_get_array_member (json_node_get_object (root), "failures");
  g_assert_cmpuint (json_array_get_length (failures), ==, 0);
}

static void
test_timonctl_table (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL, "plugins", "--plugin-dir", CORE_V1_PLUGIN_DIR, NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);
  g_auto (GStrv) lines = g_strsplit (run.out, "\n", -1);
  const char *row = NULL;
  for (char **l = lines; *l != NULL; l++) {
    if (g_str_has_prefix (*l, "core-v1 "))
      row = *l;
  }
  g_assert_nonnull (row);
  assert_contains (row, "0.1.0");
  assert_contains (row, "LGPL-2.1-or-later");
  assert_contains (row, "resource-type:namespaces.v1,resource-type:configmaps.v1,");
  assert_contains (row, "libtimon-resources-core-v1.so");
}

static void
test_timonctl_describe (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL,           "plugins", "--plugin-dir",
                               CORE_V1_PLUGIN_DIR, "core-v1", NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);
  assert_contains (run.out, "Kubernetes core/v1 resource types");
  assert_contains (run.out, "5 features:");
  const char *const expected[] = { "namespaces.v1",
                                   "Namespace v1",
                                   "configmaps.v1",
                                   "ConfigMap v1",
                                   "secrets.v1",
                                   "Secret v1",
                                   "serviceaccounts.v1",
                                   "ServiceAccount v1",
                                   "events.v1",
                                   "Event v1",
                                   NULL };
  for (const char *const *e = expected; *e != NULL; e++)
    assert_contains (run.out, *e);
}

static void
add_named (const char *group,
           const char *feature,
           const char *name,
           gconstpointer data,
           GTestDataFunc func)
{
  const char *plural = feature;
  g_autofree char *short_plural = g_strndup (plural, strcspn (plural, "."));
  g_autofree char *path =
    g_strdup_printf ("/resources/core-v1/%s/%s/%s", short_plural, group, strchr (name, '/') + 1);
  g_test_add_data_func (path, data, func);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  registry = timon_registry_new ();
  timon_registry_load_dir (registry, CORE_V1_PLUGIN_DIR);

  g_test_add_func ("/resources/core-v1/plugin", test_plugin);
  for (size_t i = 0; i < G_N_ELEMENTS (descriptions); i++) {
    g_autofree char *path =
      g_strdup_printf ("/resources/core-v1/%s/describe", descriptions[i].plural);
    g_test_add_data_func (path, &descriptions[i], test_describe);
  }
  for (size_t i = 0; i < G_N_ELEMENTS (default_cases); i++)
    add_named ("default", default_cases[i].feature, default_cases[i].name, &default_cases[i],
               test_default);
  for (size_t i = 0; i < G_N_ELEMENTS (create_cases); i++)
    add_named ("validate-create", create_cases[i].feature, create_cases[i].name, &create_cases[i],
               test_validate_create);
  for (size_t i = 0; i < G_N_ELEMENTS (update_cases); i++)
    add_named ("validate-update", update_cases[i].feature, update_cases[i].name, &update_cases[i],
               test_validate_update);
  for (size_t i = 0; i < G_N_ELEMENTS (field_cases); i++)
    add_named ("get-field", field_cases[i].feature, field_cases[i].name, &field_cases[i],
               test_get_field);
  for (size_t i = 0; i < G_N_ELEMENTS (column_cases); i++)
    add_named ("print-column", column_cases[i].feature, column_cases[i].name, &column_cases[i],
               test_print_column);
  g_test_add_func ("/resources/core-v1/validate-create/size", test_validate_size);
  g_test_add_func ("/resources/core-v1/validate-create/key-length", test_validate_key_length);
  g_test_add_func ("/resources/core-v1/events/validate-create/lengths",
                   test_validate_event_lengths);
  for (size_t i = 0; i < G_N_ELEMENTS (members); i++) {
    g_autofree char *plural = g_strndup (members[i].feature, strcspn (members[i].feature, "."));
    g_autofree char *path =
      g_strdup_printf ("/resources/core-v1/%s/robustness/%s", plural, members[i].member);
    g_test_add_data_func (path, &members[i], test_robustness);
  }
  g_test_add_func ("/resources/core-v1/robustness/empty", test_robustness_empty);
  g_test_add_func ("/resources/core-v1/timonctl/list", test_timonctl_list);
  g_test_add_func ("/resources/core-v1/timonctl/table", test_timonctl_table);
  g_test_add_func ("/resources/core-v1/timonctl/describe", test_timonctl_describe);

  int status = g_test_run ();
  g_object_unref (registry);
  return status;
}
