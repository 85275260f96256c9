/* test-coordination-v1.c: the coordination.k8s.io/v1 resource types,
 * loaded through the registry as timond loads them: their descriptions,
 * and each hook, table-driven, with the causes Kubernetes gives.
 *
 * JSON in the tables is written with single quotes, turned into double
 * quotes before parsing, so that it reads as it would in a manifest.
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

#define MAX_CAUSES 6

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

static void
test_describe (void)
{
  TimonResourceType *type = lookup ("leases.v1.coordination.k8s.io");
  const char *name, *column_type, *format, *description, *json_path;
  int priority;

  g_assert_cmpstr (timon_resource_type_get_group (type), ==, "coordination.k8s.io");
  g_assert_cmpstr (timon_resource_type_get_version (type), ==, "v1");
  g_assert_cmpstr (timon_resource_type_get_kind (type), ==, "Lease");
  g_assert_cmpstr (timon_resource_type_get_plural (type), ==, "leases");
  g_assert_cmpstr (timon_resource_type_get_singular (type), ==, "lease");
  g_assert_cmpint (timon_resource_type_get_scope (type), ==, TIMON_RESOURCE_NAMESPACED);
  g_assert_null (timon_resource_type_get_short_names (type)[0]);
  g_assert_null (timon_resource_type_get_subresources (type)[0]);
  g_assert_null (timon_resource_type_get_selectable_fields (type)[0]);
  /* Leases coordinate controllers; they are no workload. */
  g_assert_null (timon_resource_type_get_categories (type)[0]);

  g_assert_cmpuint (timon_resource_type_get_n_columns (type), ==, 1);
  timon_resource_type_get_column (type, 0, &name, &column_type, &format, &description, &priority,
                                  &json_path);
  g_assert_cmpstr (name, ==, "HOLDER");
  g_assert_cmpstr (column_type, ==, "string");
  g_assert_cmpstr (format, ==, "");
  g_assert_cmpuint (strlen (description), >, 0);
  g_assert_cmpint (priority, ==, 0);
  g_assert_cmpstr (json_path, ==, ".spec.holderIdentity");

  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, NULL);
  g_assert_true (hooks->default_object == NULL);
  g_assert_true (hooks->validate_create != NULL);
  g_assert_true (hooks->validate_update != NULL);
  g_assert_true (hooks->get_field == NULL);
  g_assert_true (hooks->print_column == NULL);
}

static void
test_plugin (void)
{
  TimonFeature *feature =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, "leases.v1.coordination.k8s.io");
  TimonPlugin *plugin = timon_feature_get_plugin (feature);
  GPtrArray *features = timon_plugin_get_features (plugin);

  g_assert_cmpuint (timon_registry_get_failures (registry)->len, ==, 0);
  g_assert_cmpstr (timon_plugin_get_name (plugin), ==, "coordination-v1");
  g_assert_cmpstr (timon_plugin_get_description (plugin), ==,
                   "Kubernetes coordination.k8s.io/v1 resource types");
  g_assert_cmpstr (timon_plugin_get_version (plugin), ==, "0.1.0");
  g_assert_cmpstr (timon_plugin_get_license (plugin), ==, "LGPL-2.1-or-later");
  g_assert_cmpuint (features->len, ==, 1);
  g_assert_cmpstr (timon_feature_get_name (features->pdata[0]), ==,
                   "leases.v1.coordination.k8s.io");
}

/* Validation */

typedef struct {
  const char *name;
  const char *old; /* NULL on create */
  const char *object;
  Cause causes[MAX_CAUSES];
} ValidateCase;

#define INVALID "FieldValueInvalid"
#define REQUIRED "FieldValueRequired"
#define FORBIDDEN "FieldValueForbidden"
#define HELD                                                                         \
  "{'spec': {'holderIdentity': 'node-1', 'leaseDurationSeconds': 40, 'acquireTime':" \
  " '2026-01-01T00:00:00.000000Z', 'renewTime': '2026-01-01T00:00:10.123456+02:00'," \
  " 'leaseTransitions': 3}}"

static const ValidateCase validate_cases[] = {
  { "create/held", NULL, HELD, { { NULL } } },
  { "create/empty", NULL, "{}", { { NULL } } },
  { "create/spec-null", NULL, "{'spec': null}", { { NULL } } },
  { "create/released",
    NULL,
    "{'spec': {'holderIdentity': null, 'leaseTransitions': 0}}",
    { { NULL } } },
  { "create/spec-list", NULL, "{'spec': []}", { { INVALID, "spec", "must be an object" } } },
  { "create/duration-zero",
    NULL,
    "{'spec': {'leaseDurationSeconds': 0}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be greater than 0" } } },
  { "create/duration-negative",
    NULL,
    "{'spec': {'leaseDurationSeconds': -15}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be greater than 0" } } },
  { "create/transitions-negative",
    NULL,
    "{'spec': {'leaseTransitions': -1}}",
    { { INVALID, "spec.leaseTransitions", "must be greater than or equal to 0" } } },
  { "create/too-big",
    NULL,
    "{'spec': {'leaseDurationSeconds': 2147483648, 'leaseTransitions': -2147483649}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be a 32-bit integer" },
      { INVALID, "spec.leaseTransitions", "must be a 32-bit integer" } } },
  { "create/types",
    NULL,
    "{'spec': {'holderIdentity': 1, 'leaseDurationSeconds': '15', 'acquireTime': 0,"
    " 'leaseTransitions': 1.5}}",
    { { INVALID, "spec.holderIdentity", "must be a string" },
      { INVALID, "spec.leaseDurationSeconds", "must be an integer" },
      { INVALID, "spec.acquireTime", "must be a string" },
      { INVALID, "spec.leaseTransitions", "must be an integer" } } },
  { "create/times",
    NULL,
    "{'spec': {'acquireTime': 'yesterday', 'renewTime': '2026-01-01T00:00:00'}}",
    { { INVALID, "spec.acquireTime", "must be a time in RFC 3339 format" },
      { INVALID, "spec.renewTime", "must be a time in RFC 3339 format" } } },
  { "create/preferred-holder",
    NULL,
    "{'spec': {'preferredHolder': 'node-2'}}",
    { { FORBIDDEN, "spec.preferredHolder", "may only be specified if `strategy` is defined" } } },
  { "create/preferred-holder-strategy",
    NULL,
    "{'spec': {'preferredHolder': 'node-2', 'strategy': 'OldestEmulationVersion'}}",
    { { NULL } } },
  { "create/strategy-types",
    NULL,
    "{'spec': {'preferredHolder': [], 'strategy': {}}}",
    { { INVALID, "spec.strategy", "must be a string" },
      { INVALID, "spec.preferredHolder", "must be a string" } } },
  { "update/renewed",
    HELD,
    "{'spec': {'holderIdentity': 'node-2', 'leaseDurationSeconds': 15, 'leaseTransitions': 4}}",
    { { NULL } } },
  { "update/still-checked",
    HELD,
    "{'spec': {'leaseDurationSeconds': 0}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be greater than 0" } } },
  { "update/malformed-old", "{'spec': 'x'}", HELD, { { NULL } } },
};

static void
test_validate (gconstpointer data)
{
  const ValidateCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  g_autoptr (JsonObject) old = c->old != NULL ? parse (c->old) : NULL;
  g_autoptr (TimonFieldErrors) errors =
    run_validate (lookup ("leases.v1.coordination.k8s.io"), object, old);

  assert_causes (errors, c->causes);
}

/* Robustness: every member the type reads, given every JSON shape. */

typedef struct {
  const char *feature;
  const char *member; /* a path of members joined by '.' */
  const char *holds;  /* "object", "array", "string", "boolean", "integer" or NULL: any */
} Member;

#define LEASE "leases.v1.coordination.k8s.io"

static const Member members[] = {
  { LEASE, "metadata", NULL },
  { LEASE, "spec", "object" },
  { LEASE, "spec.holderIdentity", "string" },
  { LEASE, "spec.leaseDurationSeconds", "integer" },
  { LEASE, "spec.acquireTime", "string" },
  { LEASE, "spec.renewTime", "string" },
  { LEASE, "spec.leaseTransitions", "integer" },
  { LEASE, "spec.strategy", "string" },
  { LEASE, "spec.preferredHolder", "string" },
};

static const char *
valid_object (const char *feature)
{
  return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'holderIdentity': 'h',"
         " 'leaseDurationSeconds': 15, 'acquireTime': '2026-01-01T00:00:00.000000Z',"
         " 'renewTime': '2026-01-01T00:00:00.000000Z', 'leaseTransitions': 0, 'strategy':"
         " 'OldestEmulationVersion', 'preferredHolder': 'h'}}";
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
  if (g_str_equal (holds, "int-or-string"))
    return json_node_get_value_type (node) == G_TYPE_STRING ||
           json_node_get_value_type (node) == G_TYPE_INT64;
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
    { "object", "must be an object" },
    { "array", "must be a list" },
    { "string", "must be a string" },
    { "boolean", "must be a boolean" },
    { "integer", "must be an integer" },
    { "int-or-string", "must be an integer or a percent string" },
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

static void
test_robustness_empty (void)
{
  TimonResourceType *type = lookup (LEASE);
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonObject) old = json_object_new ();
  g_autoptr (TimonFieldErrors) create_errors = run_validate (type, object, NULL);
  g_autoptr (TimonFieldErrors) update_errors = run_validate (type, object, old);

  assert_sensible (create_errors);
  assert_sensible (update_errors);
  run_read_hooks (type, object);
}

/* timonctl */

static void
test_timonctl_describe (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL,          "plugins",
                               "--plugin-dir",    COORDINATION_V1_PLUGIN_DIR,
                               "coordination-v1", NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);
  assert_contains (run.out, "Kubernetes coordination.k8s.io/v1 resource types");
  assert_contains (run.out, "1 feature");
  assert_contains (run.out, "leases.v1.coordination.k8s.io");
  assert_contains (run.out, "Lease coordination.k8s.io/v1");
  assert_contains (run.out, "libtimon-resources-coordination-v1.so");
}

static void
test_timonctl_list (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL, "plugins", "--plugin-dir", COORDINATION_V1_PLUGIN_DIR,
                               "--json", NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);
  g_autoptr (JsonNode) root = json_from_string (run.out, NULL);
  g_assert_nonnull (root);
  JsonArray *plugins = json_object_get_array_member (json_node_get_object (root), "plugins");
  JsonObject *found = NULL;
  for (guint i = 0; i < json_array_get_length (plugins); i++) {
    JsonObject *plugin = json_array_get_object_element (plugins, i);
    if (g_str_equal (json_object_get_string_member (plugin, "name"), "coordination-v1"))
      found = plugin;
  }
  g_assert_nonnull (found);
  JsonArray *features = json_object_get_array_member (found, "features");
  g_assert_cmpuint (json_array_get_length (features), ==, 1);
  JsonObject *feature = json_array_get_object_element (features, 0);
  g_assert_cmpstr (json_object_get_string_member (feature, "kind"), ==, "resource-type");
  g_assert_cmpstr (json_object_get_string_member (feature, "name"), ==,
                   "leases.v1.coordination.k8s.io");
  JsonArray *failures = json_object_get_array_member (json_node_get_object (root), "failures");
  g_assert_cmpuint (json_array_get_length (failures), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  registry = timon_registry_new ();
  timon_registry_load_dir (registry, COORDINATION_V1_PLUGIN_DIR);

  g_test_add_func ("/resources/coordination-v1/plugin", test_plugin);
  g_test_add_func ("/resources/coordination-v1/leases/describe", test_describe);
  for (size_t i = 0; i < G_N_ELEMENTS (validate_cases); i++) {
    const ValidateCase *c = &validate_cases[i];
    g_autofree char *path =
      g_strdup_printf ("/resources/coordination-v1/leases/validate-%s", c->name);
    g_test_add_data_func (path, c, test_validate);
  }
  for (size_t i = 0; i < G_N_ELEMENTS (members); i++) {
    g_autofree char *path =
      g_strdup_printf ("/resources/coordination-v1/leases/robustness/%s", members[i].member);
    g_test_add_data_func (path, &members[i], test_robustness);
  }
  g_test_add_func ("/resources/coordination-v1/robustness/empty", test_robustness_empty);
  g_test_add_func ("/resources/coordination-v1/timonctl/list", test_timonctl_list);
  g_test_add_func ("/resources/coordination-v1/timonctl/describe", test_timonctl_describe);

  int status = g_test_run ();
  g_object_unref (registry);
  return status;
}
