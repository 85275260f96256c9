/* test-apps-v1.c: the apps/v1 resource types, loaded through the
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

typedef struct {
  const char *feature;
  const char *kind;
  const char *plural;
  const char *singular;
  const char *short_names;  /* joined by ',' */
  const char *subresources; /* joined by ',' */
  const char *fields;       /* joined by ',' */
  const char *columns;      /* NAME:type:priority:json path (or "-" for a hook), joined by ',' */
  gboolean has_get_field;
} Description;

#define WIDE_COLUMNS "CONTAINERS:string:1:-,IMAGES:string:1:-"

static const Description descriptions[] = {
  { "deployments.v1.apps", "Deployment", "deployments", "deployment", "deploy", "status,scale", "",
    "READY:string:0:-,UP-TO-DATE:integer:0:.status.updatedReplicas,"
    "AVAILABLE:integer:0:.status.availableReplicas," WIDE_COLUMNS ",SELECTOR:string:1:-",
    FALSE },
  { "replicasets.v1.apps", "ReplicaSet", "replicasets", "replicaset", "rs", "status,scale",
    "status.replicas",
    "DESIRED:integer:0:.spec.replicas,CURRENT:integer:0:.status.replicas,"
    "READY:integer:0:.status.readyReplicas," WIDE_COLUMNS ",SELECTOR:string:1:-",
    TRUE },
  { "daemonsets.v1.apps", "DaemonSet", "daemonsets", "daemonset", "ds", "status", "",
    "DESIRED:integer:0:.status.desiredNumberScheduled,"
    "CURRENT:integer:0:.status.currentNumberScheduled,READY:integer:0:.status.numberReady,"
    "UP-TO-DATE:integer:0:.status.updatedNumberScheduled,"
    "AVAILABLE:integer:0:.status.numberAvailable,NODE SELECTOR:string:0:-," WIDE_COLUMNS
    ",SELECTOR:string:1:-",
    FALSE },
  { "statefulsets.v1.apps", "StatefulSet", "statefulsets", "statefulset", "sts", "status,scale", "",
    "READY:string:0:-," WIDE_COLUMNS, FALSE },
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

  g_assert_cmpstr (timon_resource_type_get_group (type), ==, "apps");
  g_assert_cmpstr (timon_resource_type_get_version (type), ==, "v1");
  g_assert_cmpstr (timon_resource_type_get_kind (type), ==, d->kind);
  g_assert_cmpstr (timon_resource_type_get_plural (type), ==, d->plural);
  g_assert_cmpstr (timon_resource_type_get_singular (type), ==, d->singular);
  g_assert_cmpint (timon_resource_type_get_scope (type), ==, TIMON_RESOURCE_NAMESPACED);

  g_autofree char *short_names = join (timon_resource_type_get_short_names (type));
  g_assert_cmpstr (short_names, ==, d->short_names);
  g_autofree char *subresources = join (timon_resource_type_get_subresources (type));
  g_assert_cmpstr (subresources, ==, d->subresources);
  g_autofree char *fields = join (timon_resource_type_get_selectable_fields (type));
  g_assert_cmpstr (fields, ==, d->fields);
  /* Workloads are what `kubectl get all` lists. */
  g_autofree char *categories = join (timon_resource_type_get_categories (type));
  g_assert_cmpstr (categories, ==, "all");

  for (guint i = 0; i < timon_resource_type_get_n_columns (type); i++) {
    const char *name, *column_type, *format, *description, *json_path;
    int priority;

    timon_resource_type_get_column (type, i, &name, &column_type, &format, &description, &priority,
                                    &json_path);
    g_assert_cmpstr (format, ==, "");
    g_assert_cmpuint (strlen (description), >, 0);
    g_string_append_printf (columns, "%s%s:%s:%d:%s", i > 0 ? "," : "", name, column_type, priority,
                            json_path != NULL ? json_path : "-");
  }
  g_assert_cmpstr (columns->str, ==, d->columns);

  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, NULL);
  g_assert_true (hooks->default_object != NULL);
  g_assert_true (hooks->validate_create != NULL);
  g_assert_true (hooks->validate_update != NULL);
  g_assert_true (hooks->print_column != NULL);
  g_assert_cmpint (hooks->get_field != NULL, ==, d->has_get_field);
}

static void
test_plugin (void)
{
  TimonFeature *feature =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, "deployments.v1.apps");
  TimonPlugin *plugin = timon_feature_get_plugin (feature);
  GPtrArray *features = timon_plugin_get_features (plugin);
  g_autoptr (GString) names = g_string_new (NULL);

  g_assert_cmpuint (timon_registry_get_failures (registry)->len, ==, 0);
  g_assert_cmpstr (timon_plugin_get_name (plugin), ==, "apps-v1");
  g_assert_cmpstr (timon_plugin_get_description (plugin), ==, "Kubernetes apps/v1 resource types");
  g_assert_cmpstr (timon_plugin_get_version (plugin), ==, "0.1.0");
  g_assert_cmpstr (timon_plugin_get_license (plugin), ==, "LGPL-2.1-or-later");
  for (guint i = 0; i < features->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            timon_feature_get_name (features->pdata[i]));
  g_assert_cmpstr (names->str, ==,
                   "deployments.v1.apps,replicasets.v1.apps,daemonsets.v1.apps,"
                   "statefulsets.v1.apps");
}

/* Defaults */

typedef struct {
  const char *name;
  const char *feature;
  const char *input;
  const char *expected;
} DefaultCase;

/* What every pod template gets. */
#define POD_DEFAULTS                                        \
  "'restartPolicy': 'Always', 'dnsPolicy': 'ClusterFirst'," \
  " 'terminationGracePeriodSeconds': 30, 'schedulerName': 'default-scheduler'"
#define TEMPLATE_DEFAULTS "'template': {'spec': {" POD_DEFAULTS "}}"

static const DefaultCase default_cases[] = {
  { "deployment/filled", "deployments.v1.apps", "{}",
    "{'spec': {'replicas': 1, 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '25%', 'maxSurge': '25%'}}, 'revisionHistoryLimit': 10,"
    " 'progressDeadlineSeconds': 600, " TEMPLATE_DEFAULTS "}}" },
  { "deployment/kept", "deployments.v1.apps",
    "{'spec': {'replicas': 0, 'strategy': {'rollingUpdate': {'maxSurge': 0}},"
    " 'revisionHistoryLimit': 0, 'progressDeadlineSeconds': 30, 'template': {'metadata':"
    " {'labels': {'a': 'b'}}, 'spec': {'restartPolicy': 'Never', 'dnsPolicy': 'Default',"
    " 'terminationGracePeriodSeconds': 0, 'schedulerName': 'mine', 'containers': []}}}}",
    "{'spec': {'replicas': 0, 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '25%', 'maxSurge': 0}}, 'revisionHistoryLimit': 0,"
    " 'progressDeadlineSeconds': 30, 'template': {'metadata': {'labels': {'a': 'b'}}, 'spec':"
    " {'restartPolicy': 'Never', 'dnsPolicy': 'Default', 'terminationGracePeriodSeconds': 0,"
    " 'schedulerName': 'mine', 'containers': []}}}}" },
  { "deployment/recreate", "deployments.v1.apps",
    "{'spec': {'strategy': {'type': 'Recreate'}, 'template': null}}",
    "{'spec': {'replicas': 1, 'strategy': {'type': 'Recreate'}, 'revisionHistoryLimit': 10,"
    " 'progressDeadlineSeconds': 600, " TEMPLATE_DEFAULTS "}}" },
  { "deployment/nulls", "deployments.v1.apps",
    "{'spec': {'replicas': null, 'strategy': null, 'template': {'spec': {'restartPolicy': ''}}}}",
    "{'spec': {'replicas': 1, 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '25%', 'maxSurge': '25%'}}, 'revisionHistoryLimit': 10,"
    " 'progressDeadlineSeconds': 600, " TEMPLATE_DEFAULTS "}}" },
  { "deployment/malformed-left", "deployments.v1.apps",
    "{'spec': {'strategy': [], 'template': {'spec': 'x'}, 'replicas': 'two'}}",
    "{'spec': {'strategy': [], 'template': {'spec': 'x'}, 'replicas': 'two',"
    " 'revisionHistoryLimit': 10, 'progressDeadlineSeconds': 600}}" },
  { "deployment/spec-list", "deployments.v1.apps", "{'spec': []}", "{'spec': []}" },
  { "replicaset/filled", "replicasets.v1.apps", "{}",
    "{'spec': {'replicas': 1, " TEMPLATE_DEFAULTS "}}" },
  { "replicaset/kept", "replicasets.v1.apps", "{'spec': {'replicas': 5}}",
    "{'spec': {'replicas': 5, " TEMPLATE_DEFAULTS "}}" },
  { "daemonset/filled", "daemonsets.v1.apps", "{}",
    "{'spec': {'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': 1, 'maxSurge': 0}}, 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
  { "daemonset/on-delete", "daemonsets.v1.apps",
    "{'spec': {'updateStrategy': {'type': 'OnDelete'}}}",
    "{'spec': {'updateStrategy': {'type': 'OnDelete'}, 'revisionHistoryLimit': "
    "10, " TEMPLATE_DEFAULTS "}}" },
  { "daemonset/percent-kept", "daemonsets.v1.apps",
    "{'spec': {'updateStrategy': {'rollingUpdate': {'maxUnavailable': '10%'}}}}",
    "{'spec': {'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '10%', 'maxSurge': 0}}, 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS
    "}}" },
  { "statefulset/filled", "statefulsets.v1.apps", "{}",
    "{'spec': {'podManagementPolicy': 'OrderedReady', 'updateStrategy': {'type':"
    " 'RollingUpdate', 'rollingUpdate': {'partition': 0}}, 'replicas': 1,"
    " 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
  { "statefulset/kept", "statefulsets.v1.apps",
    "{'spec': {'podManagementPolicy': 'Parallel', 'updateStrategy': {'type': 'OnDelete'},"
    " 'replicas': 3, 'serviceName': ''}}",
    "{'spec': {'podManagementPolicy': 'Parallel', 'updateStrategy': {'type': 'OnDelete'},"
    " 'replicas': 3, 'serviceName': '', 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
  { "statefulset/partition-kept", "statefulsets.v1.apps",
    "{'spec': {'updateStrategy': {'rollingUpdate': {'partition': 2}}}}",
    "{'spec': {'podManagementPolicy': 'OrderedReady', 'updateStrategy': {'type':"
    " 'RollingUpdate', 'rollingUpdate': {'partition': 2}}, 'replicas': 1,"
    " 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
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
#define NOT_SUPPORTED "FieldValueNotSupported"
#define DUPLICATE "FieldValueDuplicate"
#define MISMATCH "`selector` does not match template `labels`"
#define NONNEGATIVE "must be greater than or equal to 0"
#define PERCENT "a valid percent string must be a numeric string followed by an ending '%'"
#define IMMUTABLE "field is immutable"

/* A workload's selector, and a pod template it selects. */
#define SELECTOR "'selector': {'matchLabels': {'app': 'web'}}"
#define CONTAINERS "'containers': [{'name': 'web', 'image': 'nginx'}]"
#define TEMPLATE "'template': {'metadata': {'labels': {'app': 'web'}}, 'spec': {" CONTAINERS "}}"
#define WORKLOAD(extra) "{'spec': {" SELECTOR ", " TEMPLATE extra "}}"
#define WITH_SELECTOR(selector) "{'spec': {'selector': " selector ", " TEMPLATE "}}"
#define WITH_POD(pod)                                                                              \
  "{'spec': {" SELECTOR ", 'template': {'metadata': {'labels': {'app': 'web'}}, 'spec': " pod "}}" \
  "}"
#define ROLLING(unavailable, surge)                                           \
  WORKLOAD (", 'strategy': {'rollingUpdate': {'maxUnavailable': " unavailable \
            ", 'maxSurge': " surge "}}")
#define DS_ROLLING(unavailable, surge)                                              \
  WORKLOAD (", 'updateStrategy': {'rollingUpdate': {'maxUnavailable': " unavailable \
            ", 'maxSurge': " surge "}}")
#define EXPRESSION "spec.selector.matchExpressions"

static const CreateCase create_cases[] = {
  { "deployment/valid", "deployments.v1.apps", WORKLOAD (""), { { NULL } } },
  { "deployment/full",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 0, 'minReadySeconds': 5, 'paused': true, 'strategy': {'type':"
              " 'Recreate'}, 'revisionHistoryLimit': 0, 'progressDeadlineSeconds': 6"),
    { { NULL } } },
  { "deployment/selector-missing",
    "deployments.v1.apps",
    "{'spec': {" TEMPLATE "}}",
    { { REQUIRED, "spec.selector", "" } } },
  { "deployment/selector-empty",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {}, 'matchExpressions': []}"),
    { { INVALID, "spec.selector", "empty selector is invalid for deployment" } } },
  { "deployment/selector-list",
    "deployments.v1.apps",
    WITH_SELECTOR ("['app']"),
    { { INVALID, "spec.selector", "must be an object" } } },
  { "deployment/selector-mismatch",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'db'}}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/selector-expressions",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'In', 'values': ['api',"
                   " 'web']}, {'key': 'tier', 'operator': 'DoesNotExist'}, {'key': 'app',"
                   " 'operator': 'Exists', 'values': null}, {'key': 'example.com/x', 'operator':"
                   " 'NotIn', 'values': ['y']}]}"),
    { { NULL } } },
  { "deployment/selector-not-in",
    "deployments.v1.apps",
    WITH_SELECTOR (
      "{'matchExpressions': [{'key': 'app', 'operator': 'NotIn', 'values': ['web']}]}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/selector-exists",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'tier', 'operator': 'Exists'}]}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/selector-does-not-exist",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web'}, 'matchExpressions': [{'key': 'app',"
                   " 'operator': 'DoesNotExist'}]}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/in-without-values",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'In', 'values': []}]}"),
    { { REQUIRED, EXPRESSION "[0].values",
        "must be specified when `operator` is 'In' or 'NotIn'" } } },
  { "deployment/exists-with-values",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'Exists', 'values': ['a']}]}"),
    { { FORBIDDEN, EXPRESSION "[0].values",
        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" } } },
  { "deployment/bad-operator",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'in', 'values': ['web']}]}"),
    { { INVALID, EXPRESSION "[0].operator", "not a valid selector operator" } } },
  { "deployment/bad-key-and-value",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'a b', 'operator': 'In', 'values': ['-x']}]}"),
    { { INVALID, EXPRESSION "[0].key", "must consist of alphanumeric characters" },
      { INVALID, EXPRESSION "[0].values[0]", "a valid label must be an empty string" } } },
  { "deployment/expression-shapes",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [5, {'key': 1, 'operator': 'In', 'values': 'x'},"
                   " {'key': 'a', 'values': [2]}]}"),
    { { INVALID, EXPRESSION "[0]", "must be an object" },
      { INVALID, EXPRESSION "[1].key", "must be a string" },
      { INVALID, EXPRESSION "[1].values", "must be a list" },
      { REQUIRED, EXPRESSION "[1].values", "must be specified" },
      { INVALID, EXPRESSION "[2].operator", "not a valid selector operator" },
      { INVALID, EXPRESSION "[2].values[0]", "must be a string" } } },
  { "deployment/expression-no-key",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'operator': 'Exists'}]}"),
    { { INVALID, EXPRESSION "[0].key", "name part must be non-empty" },
      { INVALID, EXPRESSION "[0].key", "name part must consist of alphanumeric characters" } } },
  { "deployment/operator-number",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 1}]}"),
    { { INVALID, EXPRESSION "[0].operator", "must be a string" } } },
  { "deployment/selector-members-malformed",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': ['app'], 'matchExpressions': {}}"),
    { { INVALID, "spec.selector.matchLabels", "must be an object" },
      { INVALID, "spec.selector.matchExpressions", "must be a list" } } },
  { "deployment/match-labels-bad",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web', 'x': 1}}"),
    { { INVALID, "spec.selector.matchLabels[x]", "must be a string" } } },
  { "deployment/replicas-negative",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': -1"),
    { { INVALID, "spec.replicas", NONNEGATIVE } } },
  { "deployment/replicas-fraction",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 1.5"),
    { { INVALID, "spec.replicas", "must be an integer" } } },
  { "deployment/replicas-too-big",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 2147483648"),
    { { INVALID, "spec.replicas", "must be a 32-bit integer" } } },
  { "deployment/strategy-unknown",
    "deployments.v1.apps",
    WORKLOAD (", 'strategy': {'type': 'BlueGreen'}"),
    { { NOT_SUPPORTED, "spec.strategy.type",
        "supported values: \"Recreate\", \"RollingUpdate\"" } } },
  { "deployment/recreate-rolling",
    "deployments.v1.apps",
    WORKLOAD (", 'strategy': {'type': 'Recreate', 'rollingUpdate': {}}"),
    { { FORBIDDEN, "spec.strategy.rollingUpdate",
        "may not be specified when strategy `type` is 'Recreate'" } } },
  { "deployment/rolling-ints", "deployments.v1.apps", ROLLING ("0", "1"), { { NULL } } },
  { "deployment/rolling-percents",
    "deployments.v1.apps",
    ROLLING ("'100%'", "'200%'"),
    { { NULL } } },
  { "deployment/both-zero",
    "deployments.v1.apps",
    ROLLING ("0", "0"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "may not be 0 when `maxSurge` is 0" } } },
  { "deployment/both-zero-percent",
    "deployments.v1.apps",
    ROLLING ("'0%'", "0"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "may not be 0 when `maxSurge` is 0" } } },
  { "deployment/not-percent",
    "deployments.v1.apps",
    ROLLING ("'25'", "'%'"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable", PERCENT },
      { INVALID, "spec.strategy.rollingUpdate.maxSurge",
        "regex used for validation is '[0-9]+%'" } } },
  { "deployment/over-100",
    "deployments.v1.apps",
    ROLLING ("'101%'", "1"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "must not be greater than 100%" } } },
  { "deployment/negative-surge",
    "deployments.v1.apps",
    ROLLING ("1", "-1"),
    { { INVALID, "spec.strategy.rollingUpdate.maxSurge", NONNEGATIVE } } },
  { "deployment/int-or-string-types",
    "deployments.v1.apps",
    ROLLING ("true", "2.5"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "must be an integer or a percent string" },
      { INVALID, "spec.strategy.rollingUpdate.maxSurge",
        "must be an integer or a percent string" } } },
  { "deployment/progress-deadline",
    "deployments.v1.apps",
    WORKLOAD (", 'minReadySeconds': 600"),
    { { INVALID, "spec.progressDeadlineSeconds", "must be greater than minReadySeconds" } } },
  { "deployment/negatives",
    "deployments.v1.apps",
    WORKLOAD (", 'minReadySeconds': -1, 'revisionHistoryLimit': -1, 'progressDeadlineSeconds': -5"),
    { { INVALID, "spec.minReadySeconds", NONNEGATIVE },
      { INVALID, "spec.revisionHistoryLimit", NONNEGATIVE },
      { INVALID, "spec.progressDeadlineSeconds", NONNEGATIVE },
      { INVALID, "spec.progressDeadlineSeconds", "must be greater than minReadySeconds" } } },
  { "deployment/paused-string",
    "deployments.v1.apps",
    WORKLOAD (", 'paused': 'yes'"),
    { { INVALID, "spec.paused", "must be a boolean" } } },
  { "deployment/no-template",
    "deployments.v1.apps",
    "{'spec': {" SELECTOR "}}",
    { { INVALID, "spec.template.metadata.labels", MISMATCH },
      { REQUIRED, "spec.template.spec.containers", "" } } },
  { "deployment/no-containers",
    "deployments.v1.apps",
    WITH_POD ("{'containers': []}"),
    { { REQUIRED, "spec.template.spec.containers", "" } } },
  { "deployment/containers",
    "deployments.v1.apps",
    WITH_POD ("{'containers': [{'name': 'Web_1', 'image': ''}, {'name': 'a'}, {'name': 'a',"
              " 'image': 'x'}, 7, {'image': 'y'}]}"),
    { { INVALID, "spec.template.spec.containers[0].name", "RFC 1123 label" },
      { REQUIRED, "spec.template.spec.containers[0].image", "" },
      { REQUIRED, "spec.template.spec.containers[1].image", "" },
      { DUPLICATE, "spec.template.spec.containers[2].name", "must be unique" },
      { INVALID, "spec.template.spec.containers[3]", "must be an object" },
      { REQUIRED, "spec.template.spec.containers[4].name", "" } } },
  { "deployment/container-types",
    "deployments.v1.apps",
    WITH_POD ("{'containers': [{'name': 1, 'image': []}]}"),
    { { INVALID, "spec.template.spec.containers[0].name", "must be a string" },
      { INVALID, "spec.template.spec.containers[0].image", "must be a string" } } },
  { "deployment/restart-never",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'restartPolicy': 'Never'}"),
    { { NOT_SUPPORTED, "spec.template.spec.restartPolicy", "supported values: \"Always\"" } } },
  { "deployment/pod-fields",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'dnsPolicy': 'Google', 'schedulerName': 3,"
              " 'terminationGracePeriodSeconds': -1, 'nodeSelector': {'disk': 1}}"),
    { { NOT_SUPPORTED, "spec.template.spec.dnsPolicy", "supported values" },
      { INVALID, "spec.template.spec.schedulerName", "must be a string" },
      { INVALID, "spec.template.spec.nodeSelector[disk]", "must be a string" },
      { INVALID, "spec.template.spec.terminationGracePeriodSeconds", NONNEGATIVE } } },
  { "deployment/active-deadline",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds",
        "activeDeadlineSeconds in ReplicaSet is not Supported" } } },
  { "deployment/active-deadline-null",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': null}"),
    { { NULL } } },
  { "deployment/template-metadata",
    "deployments.v1.apps",
    "{'spec': {" SELECTOR ", 'template': {'metadata': {'labels': {'app': 'web', 'a b': 'c'},"
    " 'annotations': {'x': 1}}, 'spec': {" CONTAINERS "}}}}",
    { { INVALID, "spec.template.metadata.labels", "must consist of alphanumeric characters" },
      { INVALID, "spec.template.metadata.annotations[x]", "must be a string" } } },
  { "deployment/status",
    "deployments.v1.apps",
    WORKLOAD ("}, 'status': {'replicas': 2, 'readyReplicas': -1, 'observedGeneration': 'x'"),
    { { INVALID, "status.readyReplicas", NONNEGATIVE },
      { INVALID, "status.observedGeneration", "must be an integer" } } },

  { "replicaset/valid", "replicasets.v1.apps", WORKLOAD (", 'replicas': 3"), { { NULL } } },
  { "replicaset/empty-selector",
    "replicasets.v1.apps",
    WITH_SELECTOR ("{}"),
    { { INVALID, "spec.selector", "empty selector is invalid for deployment" } } },
  { "replicaset/negatives",
    "replicasets.v1.apps",
    WORKLOAD (", 'replicas': -1, 'minReadySeconds': -2"),
    { { INVALID, "spec.replicas", NONNEGATIVE },
      { INVALID, "spec.minReadySeconds", NONNEGATIVE } } },
  { "replicaset/mismatch",
    "replicasets.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web', 'tier': 'x'}}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "replicaset/restart-on-failure",
    "replicasets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'restartPolicy': 'OnFailure'}"),
    { { NOT_SUPPORTED, "spec.template.spec.restartPolicy", "supported values: \"Always\"" } } },

  { "daemonset/valid", "daemonsets.v1.apps", WORKLOAD (""), { { NULL } } },
  { "daemonset/empty-selector",
    "daemonsets.v1.apps",
    WITH_SELECTOR ("{'matchLabels': null}"),
    { { INVALID, "spec.selector", "empty selector is invalid for daemonset" } } },
  { "daemonset/surge", "daemonsets.v1.apps", DS_ROLLING ("0", "'10%'"), { { NULL } } },
  { "daemonset/both-set",
    "daemonsets.v1.apps",
    DS_ROLLING ("1", "1"),
    { { INVALID, "spec.updateStrategy.rollingUpdate.maxSurge",
        "may not be set when maxUnavailable is non-zero" } } },
  { "daemonset/both-zero",
    "daemonsets.v1.apps",
    DS_ROLLING ("'0%'", "0"),
    { { REQUIRED, "spec.updateStrategy.rollingUpdate.maxUnavailable",
        "cannot be 0 when maxSurge is 0" } } },
  { "daemonset/surge-over-100",
    "daemonsets.v1.apps",
    DS_ROLLING ("0", "'101%'"),
    { { INVALID, "spec.updateStrategy.rollingUpdate.maxSurge",
        "must not be greater than 100%" } } },
  { "daemonset/on-delete",
    "daemonsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'OnDelete'}"),
    { { NULL } } },
  { "daemonset/strategy-unknown",
    "daemonsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'Surge'}"),
    { { NOT_SUPPORTED, "spec.updateStrategy.type",
        "supported values: \"OnDelete\", \"RollingUpdate\"" } } },
  { "daemonset/negatives",
    "daemonsets.v1.apps",
    WORKLOAD (", 'minReadySeconds': -1, 'templateGeneration': -1, 'revisionHistoryLimit': -1"),
    { { INVALID, "spec.minReadySeconds", NONNEGATIVE },
      { INVALID, "spec.templateGeneration", NONNEGATIVE },
      { INVALID, "spec.revisionHistoryLimit", NONNEGATIVE } } },
  { "daemonset/active-deadline",
    "daemonsets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds",
        "activeDeadlineSeconds in DaemonSet is not Supported" } } },
  { "daemonset/mismatch",
    "daemonsets.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'db'}}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },

  { "statefulset/valid",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'web'"),
    { { NULL } } },
  { "statefulset/no-service", "statefulsets.v1.apps", WORKLOAD (""), { { NULL } } },
  { "statefulset/service-name",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'Web'"),
    { { INVALID, "spec.serviceName", "RFC 1123 label" } } },
  { "statefulset/parallel",
    "statefulsets.v1.apps",
    WORKLOAD (", 'podManagementPolicy': 'Parallel', 'updateStrategy': {'type': 'OnDelete'}"),
    { { NULL } } },
  { "statefulset/policy",
    "statefulsets.v1.apps",
    WORKLOAD (", 'podManagementPolicy': 'Random'"),
    { { INVALID, "spec.podManagementPolicy", "must be 'OrderedReady' or 'Parallel'" } } },
  { "statefulset/strategy-unknown",
    "statefulsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'Blue'}"),
    { { INVALID, "spec.updateStrategy", "must be 'RollingUpdate' or 'OnDelete'" } } },
  { "statefulset/on-delete-rolling",
    "statefulsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'OnDelete', 'rollingUpdate': {'partition': 1}}"),
    { { INVALID, "spec.updateStrategy.rollingUpdate",
        "only allowed for updateStrategy 'RollingUpdate'" } } },
  { "statefulset/partition",
    "statefulsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'rollingUpdate': {'partition': -1}}"),
    { { INVALID, "spec.updateStrategy.rollingUpdate.partition", NONNEGATIVE } } },
  { "statefulset/empty-selector",
    "statefulsets.v1.apps",
    WITH_SELECTOR ("{}"),
    { { INVALID, "spec.selector", "empty selector is not valid for statefulset." } } },
  { "statefulset/shapes",
    "statefulsets.v1.apps",
    WORKLOAD (", 'replicas': -3, 'volumeClaimTemplates': {}, 'serviceName': 5"),
    { { INVALID, "spec.replicas", NONNEGATIVE },
      { INVALID, "spec.serviceName", "must be a string" },
      { INVALID, "spec.volumeClaimTemplates", "must be a list" } } },
  { "statefulset/active-deadline",
    "statefulsets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds", "must not be specified" } } },
  { "replicaset/active-deadline",
    "replicasets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds",
        "activeDeadlineSeconds in ReplicaSet is not Supported" } } },
  { "statefulset/restart",
    "statefulsets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'restartPolicy': 'Never'}"),
    { { NOT_SUPPORTED, "spec.template.spec.restartPolicy", "supported values: \"Always\"" } } },
};

static void
test_validate_create (gconstpointer data)
{
  const CreateCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup (c->feature), object, NULL);

  assert_causes (errors, c->causes);
}

/* Validation on update */

typedef struct {
  const char *name;
  const char *feature;
  const char *old;
  const char *object;
  Cause causes[MAX_CAUSES];
} UpdateCase;

#define OTHER_SELECTOR "{'matchExpressions': [{'key': 'app', 'operator': 'Exists'}]}"

static const UpdateCase update_cases[] = {
  { "deployment/scaled",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 1"),
    WORKLOAD (", 'replicas': 5, 'strategy': {'type': 'Recreate'}"),
    { { NULL } } },
  { "deployment/selector-changed",
    "deployments.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "deployment/selector-reordered",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web'}, 'matchExpressions': []}"),
    WITH_SELECTOR ("{'matchExpressions': [], 'matchLabels': {'app': 'web'}}"),
    { { NULL } } },
  { "deployment/still-checked",
    "deployments.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'replicas': -1"),
    { { INVALID, "spec.replicas", NONNEGATIVE } } },
  { "deployment/malformed-old",
    "deployments.v1.apps",
    "{'spec': 'x'}",
    WORKLOAD (""),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "replicaset/selector-changed",
    "replicasets.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "replicaset/scaled",
    "replicasets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'replicas': 0"),
    { { NULL } } },
  { "daemonset/selector-changed",
    "daemonsets.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "daemonset/strategy-changed",
    "daemonsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'updateStrategy': {'type': 'OnDelete'}"),
    { { NULL } } },
  { "statefulset/mutable",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'web'"),
    "{'spec': {" SELECTOR ", 'serviceName': 'web', 'replicas': 4, 'minReadySeconds': 3,"
    " 'revisionHistoryLimit': 2, 'updateStrategy': {'type': 'OnDelete'}, 'ordinals': {'start':"
    " 1}, 'persistentVolumeClaimRetentionPolicy': {'whenDeleted': 'Delete'}, 'template':"
    " {'metadata': {'labels': {'app': 'web', 'v': '2'}}, 'spec': {" CONTAINERS "}}}}",
    { { NULL } } },
  { "statefulset/service-changed",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'web'"),
    WORKLOAD (", 'serviceName': 'db'"),
    { { FORBIDDEN, "spec", "updates to statefulset spec for fields other than 'replicas'" } } },
  { "statefulset/service-added",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'serviceName': 'db'"),
    { { FORBIDDEN, "spec", "are forbidden" } } },
  { "statefulset/selector-changed",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { FORBIDDEN, "spec", "are forbidden" } } },
  { "statefulset/policy-changed",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'podManagementPolicy': 'Parallel'"),
    { { FORBIDDEN, "spec", "are forbidden" } } },
  { "statefulset/null-is-absent",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'volumeClaimTemplates': null"),
    { { NULL } } },
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
  { "replicaset/replicas", "replicasets.v1.apps", "{'status': {'replicas': 3}}", "status.replicas",
    "3" },
  { "replicaset/replicas-missing", "replicasets.v1.apps", "{}", "status.replicas", "0" },
  { "replicaset/replicas-string", "replicasets.v1.apps", "{'status': {'replicas': '3'}}",
    "status.replicas", "0" },
  { "replicaset/status-list", "replicasets.v1.apps", "{'status': []}", "status.replicas", "0" },
  { "replicaset/unknown", "replicasets.v1.apps", "{'spec': {'replicas': 1}}", "spec.replicas",
    NULL },
};

#define TWO_CONTAINERS                                                                  \
  "{'spec': {'template': {'spec': {'containers': [{'name': 'web', 'image': 'nginx:1'}," \
  " {'name': 'log', 'image': 'busybox'}]}}}}"
#define NODE_SELECTOR(selector) "{'spec': {'template': {'spec': {'nodeSelector': " selector "}}}}"

static const ValueCase column_cases[] = {
  { "deployment/ready", "deployments.v1.apps",
    "{'spec': {'replicas': 3}, 'status': {'readyReplicas': 2}}", "READY", "2/3" },
  { "deployment/ready-none", "deployments.v1.apps", "{}", "READY", "0/0" },
  { "deployment/ready-malformed", "deployments.v1.apps",
    "{'spec': {'replicas': '3'}, 'status': {'readyReplicas': 1.5}}", "READY", "0/0" },
  { "deployment/containers", "deployments.v1.apps", TWO_CONTAINERS, "CONTAINERS", "web,log" },
  { "deployment/images", "deployments.v1.apps", TWO_CONTAINERS, "IMAGES", "nginx:1,busybox" },
  { "deployment/containers-malformed", "deployments.v1.apps",
    "{'spec': {'template': {'spec': {'containers': [1, {'name': 2}, {'name': 'a'}]}}}}",
    "CONTAINERS", "a" },
  { "deployment/containers-none", "deployments.v1.apps", "{'spec': {'template': []}}", "CONTAINERS",
    "" },
  { "deployment/selector", "deployments.v1.apps",
    "{'spec': {'selector': {'matchLabels': {'b': '2', 'a': '1'}, 'matchExpressions': [{'key':"
    " 'tier', 'operator': 'In', 'values': ['y', 'x']}, {'key': 'legacy', 'operator':"
    " 'DoesNotExist'}, {'key': 'a0', 'operator': 'Exists'}, {'key': 'z', 'operator': 'NotIn',"
    " 'values': ['q']}]}}}",
    "SELECTOR", "a=1,a0,b=2,!legacy,tier in (x,y),z notin (q)" },
  { "deployment/selector-none", "deployments.v1.apps", "{'spec': {}}", "SELECTOR", "<none>" },
  { "deployment/selector-malformed", "deployments.v1.apps",
    "{'spec': {'selector': {'matchLabels': {'a': 1, 'b': 'c'}, 'matchExpressions': [3, {'key':"
    " 'x', 'operator': 'Near'}, {'key': 'y'}, {'key': 'z', 'operator': 'In', 'values': 'w'}]}}}",
    "SELECTOR", "b=c,z in ()" },
  { "deployment/unknown", "deployments.v1.apps", "{}", "AGE", NULL },
  { "replicaset/selector", "replicasets.v1.apps",
    "{'spec': {'selector': {'matchLabels': {'app': 'web'}}}}", "SELECTOR", "app=web" },
  { "replicaset/images", "replicasets.v1.apps", TWO_CONTAINERS, "IMAGES", "nginx:1,busybox" },
  { "daemonset/node-selector", "daemonsets.v1.apps",
    NODE_SELECTOR ("{'disk': 'ssd', 'arch': 'amd64'}"), "NODE SELECTOR", "arch=amd64,disk=ssd" },
  { "daemonset/node-selector-none", "daemonsets.v1.apps", NODE_SELECTOR ("{}"), "NODE SELECTOR",
    "<none>" },
  { "daemonset/node-selector-malformed", "daemonsets.v1.apps", NODE_SELECTOR ("['a']"),
    "NODE SELECTOR", "<none>" },
  { "daemonset/node-selector-values", "daemonsets.v1.apps", NODE_SELECTOR ("{'a': 1, 'b': 'c'}"),
    "NODE SELECTOR", "b=c" },
  { "daemonset/containers", "daemonsets.v1.apps", TWO_CONTAINERS, "CONTAINERS", "web,log" },
  { "statefulset/ready", "statefulsets.v1.apps",
    "{'spec': {'replicas': 2}, 'status': {'readyReplicas': 2}}", "READY", "2/2" },
  { "statefulset/ready-status-null", "statefulsets.v1.apps",
    "{'spec': {'replicas': 1}, 'status': null}", "READY", "0/1" },
  { "statefulset/images", "statefulsets.v1.apps", TWO_CONTAINERS, "IMAGES", "nginx:1,busybox" },
  { "statefulset/no-selector-column", "statefulsets.v1.apps", "{}", "NODE SELECTOR", NULL },
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
  const char *holds;  /* "object", "array", "string", "boolean", "integer", "int-or-string" or
                         NULL: any */
} Member;

/* What every workload reads of its selector, pod template and status. */
#define WORKLOAD_MEMBERS(feature)                                                               \
  { feature, "metadata", NULL }, { feature, "spec", "object" },                                 \
    { feature, "spec.selector", "object" }, { feature, "spec.selector.matchLabels", "object" }, \
    { feature, "spec.selector.matchExpressions", "array" },                                     \
    { feature, "spec.template", "object" }, { feature, "spec.template.metadata", "object" },    \
    { feature, "spec.template.metadata.labels", "object" },                                     \
    { feature, "spec.template.metadata.annotations", "object" },                                \
    { feature, "spec.template.spec", "object" },                                                \
    { feature, "spec.template.spec.containers", "array" },                                      \
    { feature, "spec.template.spec.restartPolicy", "string" },                                  \
    { feature, "spec.template.spec.dnsPolicy", "string" },                                      \
    { feature, "spec.template.spec.schedulerName", "string" },                                  \
    { feature, "spec.template.spec.terminationGracePeriodSeconds", "integer" },                 \
    { feature, "spec.template.spec.nodeSelector", "object" },                                   \
    { feature, "spec.template.spec.activeDeadlineSeconds", NULL },                              \
    { feature, "spec.minReadySeconds", "integer" }, { feature, "status", "object" },            \
  {                                                                                             \
    feature, "status.observedGeneration", "integer"                                             \
  }

static const Member members[] = {
  WORKLOAD_MEMBERS ("deployments.v1.apps"),
  { "deployments.v1.apps", "spec.replicas", "integer" },
  { "deployments.v1.apps", "spec.strategy", "object" },
  { "deployments.v1.apps", "spec.strategy.type", "string" },
  { "deployments.v1.apps", "spec.strategy.rollingUpdate", "object" },
  { "deployments.v1.apps", "spec.strategy.rollingUpdate.maxUnavailable", "int-or-string" },
  { "deployments.v1.apps", "spec.strategy.rollingUpdate.maxSurge", "int-or-string" },
  { "deployments.v1.apps", "spec.revisionHistoryLimit", "integer" },
  { "deployments.v1.apps", "spec.progressDeadlineSeconds", "integer" },
  { "deployments.v1.apps", "spec.paused", "boolean" },
  { "deployments.v1.apps", "status.readyReplicas", "integer" },
  { "deployments.v1.apps", "status.updatedReplicas", "integer" },
  WORKLOAD_MEMBERS ("replicasets.v1.apps"),
  { "replicasets.v1.apps", "spec.replicas", "integer" },
  { "replicasets.v1.apps", "status.replicas", "integer" },
  { "replicasets.v1.apps", "status.readyReplicas", "integer" },
  WORKLOAD_MEMBERS ("daemonsets.v1.apps"),
  { "daemonsets.v1.apps", "spec.updateStrategy", "object" },
  { "daemonsets.v1.apps", "spec.updateStrategy.type", "string" },
  { "daemonsets.v1.apps", "spec.updateStrategy.rollingUpdate", "object" },
  { "daemonsets.v1.apps", "spec.updateStrategy.rollingUpdate.maxUnavailable", "int-or-string" },
  { "daemonsets.v1.apps", "spec.updateStrategy.rollingUpdate.maxSurge", "int-or-string" },
  { "daemonsets.v1.apps", "spec.templateGeneration", "integer" },
  { "daemonsets.v1.apps", "spec.revisionHistoryLimit", "integer" },
  { "daemonsets.v1.apps", "status.numberReady", "integer" },
  WORKLOAD_MEMBERS ("statefulsets.v1.apps"),
  { "statefulsets.v1.apps", "spec.replicas", "integer" },
  { "statefulsets.v1.apps", "spec.serviceName", "string" },
  { "statefulsets.v1.apps", "spec.podManagementPolicy", "string" },
  { "statefulsets.v1.apps", "spec.updateStrategy", "object" },
  { "statefulsets.v1.apps", "spec.updateStrategy.type", "string" },
  { "statefulsets.v1.apps", "spec.updateStrategy.rollingUpdate", "object" },
  { "statefulsets.v1.apps", "spec.updateStrategy.rollingUpdate.partition", "integer" },
  { "statefulsets.v1.apps", "spec.volumeClaimTemplates", "array" },
  { "statefulsets.v1.apps", "spec.revisionHistoryLimit", "integer" },
  { "statefulsets.v1.apps", "status.readyReplicas", "integer" },
};

/* A valid object of each type, for the shapes to be put into. */
static const char *
valid_object (const char *feature)
{
  if (g_str_equal (feature, "deployments.v1.apps"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'replicas': 2, " SELECTOR ","
           " " TEMPLATE ", 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
           " {'maxUnavailable': 1, 'maxSurge': '10%'}}, 'minReadySeconds': 1, 'paused': false},"
           " 'status': {'replicas': 2, 'readyReplicas': 1, 'updatedReplicas': 2,"
           " 'observedGeneration': 1}}";
  if (g_str_equal (feature, "daemonsets.v1.apps"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {" SELECTOR ", " TEMPLATE ","
           " 'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxUnavailable':"
           " '10%', 'maxSurge': 0}}, 'templateGeneration': 1}, 'status': {'numberReady': 1,"
           " 'observedGeneration': 1}}";
  if (g_str_equal (feature, "statefulsets.v1.apps"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'replicas': 2, " SELECTOR ","
           " " TEMPLATE ", 'serviceName': 'a', 'podManagementPolicy': 'Parallel',"
           " 'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate': {'partition': 1}},"
           " 'volumeClaimTemplates': []}, 'status': {'readyReplicas': 1, 'observedGeneration':"
           " 1}}";
  return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'replicas': 2, " SELECTOR
         ", " TEMPLATE "}, 'status': {'replicas': 2, 'readyReplicas': 1, 'observedGeneration': 1}}";
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

/* The valid objects of the sweep are valid. */
static void
test_robustness_valid (void)
{
  const Cause none[] = { { NULL } };

  for (size_t i = 0; i < G_N_ELEMENTS (descriptions); i++) {
    TimonResourceType *type = lookup (descriptions[i].feature);
    g_autoptr (JsonObject) object = parse (valid_object (descriptions[i].feature));
    g_autoptr (JsonObject) updated = parse (valid_object (descriptions[i].feature));
    g_autoptr (JsonObject) old = parse (valid_object (descriptions[i].feature));
    g_autoptr (TimonFieldErrors) create_errors = run_validate (type, object, NULL);
    g_autoptr (TimonFieldErrors) update_errors = run_validate (type, updated, old);

    assert_causes (create_errors, none);
    assert_causes (update_errors, none);
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
    g_autoptr (JsonObject) bare = json_object_new ();
    g_autoptr (TimonFieldErrors) create_errors = run_validate (type, object, NULL);
    g_autoptr (TimonFieldErrors) update_errors = run_validate (type, object, old);

    assert_sensible (create_errors);
    assert_sensible (update_errors);
    run_read_hooks (type, object);
    run_read_hooks (type, bare);
  }
}

/* timonctl */

static void
test_timonctl_list (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL,           "plugins", "--plugin-dir",
                               APPS_V1_PLUGIN_DIR, "--json",  NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);

  g_autoptr (JsonNode) root = json_from_string (run.out, NULL);
  g_assert_nonnull (root);
  JsonArray *plugins = json_object_get_array_member (json_node_get_object (root), "plugins");
  JsonObject *apps_v1 = NULL;
  for (guint i = 0; i < json_array_get_length (plugins); i++) {
    JsonObject *plugin = json_array_get_object_element (plugins, i);
    if (g_str_equal (json_object_get_string_member (plugin, "name"), "apps-v1"))
      apps_v1 = plugin;
  }
  g_assert_nonnull (apps_v1);
  g_assert_cmpstr (json_object_get_string_member (apps_v1, "description"), ==,
                   "Kubernetes apps/v1 resource types");
  JsonArray *features = json_object_get_array_member (apps_v1, "features");
  g_autoptr (GString) names = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (features); i++) {
    JsonObject *feature = json_array_get_object_element (features, i);
    g_string_append_printf (names, "%s%s:%s", i > 0 ? "," : "",
                            json_object_get_string_member (feature, "kind"),
                            json_object_get_string_member (feature, "name"));
  }
  g_assert_cmpstr (names->str, ==,
                   "resource-type:deployments.v1.apps,resource-type:replicasets.v1.apps,"
                   "resource-type:daemonsets.v1.apps,resource-type:statefulsets.v1.apps");
  JsonArray *failures = json_object_get_array_member (json_node_get_object (root), "failures");
  g_assert_cmpuint (json_array_get_length (failures), ==, 0);
}

static void
test_timonctl_describe (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL,           "plugins", "--plugin-dir",
                               APPS_V1_PLUGIN_DIR, "apps-v1", NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);
  assert_contains (run.out, "Kubernetes apps/v1 resource types");
  assert_contains (run.out, "4 features:");
  assert_contains (run.out, "libtimon-resources-apps-v1.so");
  const char *const expected[] = {
    "deployments.v1.apps",  "Deployment apps/v1",  "replicasets.v1.apps",
    "ReplicaSet apps/v1",   "daemonsets.v1.apps",  "DaemonSet apps/v1",
    "statefulsets.v1.apps", "StatefulSet apps/v1", NULL
  };
  for (const char *const *e = expected; *e != NULL; e++)
    assert_contains (run.out, *e);
}

/* "/resources/apps-v1/<plural>/<group>/<case>" from "kind/case". */
static void
add_named (const char *group,
           const char *feature,
           const char *name,
           gconstpointer data,
           GTestDataFunc func)
{
  g_autofree char *plural = g_strndup (feature, strcspn (feature, "."));
  g_autofree char *path =
    g_strdup_printf ("/resources/apps-v1/%s/%s/%s", plural, group, strchr (name, '/') + 1);
  g_test_add_data_func (path, data, func);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  registry = timon_registry_new ();
  timon_registry_load_dir (registry, APPS_V1_PLUGIN_DIR);

  g_test_add_func ("/resources/apps-v1/plugin", test_plugin);
  for (size_t i = 0; i < G_N_ELEMENTS (descriptions); i++) {
    g_autofree char *path =
      g_strdup_printf ("/resources/apps-v1/%s/describe", descriptions[i].plural);
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
  for (size_t i = 0; i < G_N_ELEMENTS (members); i++) {
    g_autofree char *plural = g_strndup (members[i].feature, strcspn (members[i].feature, "."));
    g_autofree char *path =
      g_strdup_printf ("/resources/apps-v1/%s/robustness/%s", plural, members[i].member);
    g_test_add_data_func (path, &members[i], test_robustness);
  }
  g_test_add_func ("/resources/apps-v1/robustness/valid", test_robustness_valid);
  g_test_add_func ("/resources/apps-v1/robustness/empty", test_robustness_empty);
  g_test_add_func ("/resources/apps-v1/timonctl/list", test_timonctl_list);
  g_test_add_func ("/resources/apps-v1/timonctl/describe", test_timonctl_describe);

  int status = g_test_run ();
  g_object_unref (registry);
  return status;
}
