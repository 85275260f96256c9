/* apps-v1-stateful-set.c: StatefulSet, as Kubernetes' apps/v1 defaults
 * and validates it (pkg/apis/apps/v1/defaults.go,
 * pkg/apis/apps/validation, pkg/registry/apps/statefulset).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

#define STRATEGY_ROLLING_UPDATE "RollingUpdate"
#define STRATEGY_ON_DELETE "OnDelete"
#define POLICY_ORDERED_READY "OrderedReady"
#define POLICY_PARALLEL "Parallel"

/* What an update may change of the spec; the rest is fixed at create. */
static const char *const mutable_members[] = {
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "revisionHistoryLimit",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
  NULL,
};

static void
stateful_set_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = apps_v1_ensure_object (object, "spec");
  JsonObject *strategy = apps_v1_ensure_object (spec, "updateStrategy");

  apps_v1_default_string (spec, "podManagementPolicy", POLICY_ORDERED_READY);
  apps_v1_default_string (strategy, "type", STRATEGY_ROLLING_UPDATE);
  const char *type = apps_v1_get_string (strategy, "type", NULL, NULL);
  if (type != NULL && g_str_equal (type, STRATEGY_ROLLING_UPDATE)) {
    JsonObject *rolling = apps_v1_ensure_object (strategy, "rollingUpdate");
    apps_v1_default_int (rolling, "partition", 0);
  }
  apps_v1_default_int (spec, "replicas", 1);
  apps_v1_default_int (spec, "revisionHistoryLimit", 10);
  apps_v1_default_template (spec);
}

static void
validate_update_strategy (JsonObject *spec, TimonFieldErrors *errors)
{
  JsonObject *strategy = apps_v1_get_object (spec, "updateStrategy", "spec", errors);
  const char *type = apps_v1_get_string (strategy, "type", "spec.updateStrategy", errors);
  JsonObject *rolling =
    apps_v1_get_object (strategy, "rollingUpdate", "spec.updateStrategy", errors);

  if (type == NULL)
    return; /* not defaulted: of the wrong type, reported */
  if (type[0] == '\0') {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.updateStrategy", NULL, NULL);
  } else if (g_str_equal (type, STRATEGY_ON_DELETE)) {
    if (!apps_v1_member_is_unset (strategy, "rollingUpdate"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID,
                              "spec.updateStrategy.rollingUpdate", NULL,
                              "only allowed for updateStrategy '%s'", STRATEGY_ROLLING_UPDATE);
  } else if (g_str_equal (type, STRATEGY_ROLLING_UPDATE)) {
    apps_v1_validate_nonnegative (rolling, "partition", "spec.updateStrategy.rollingUpdate",
                                  errors);
  } else {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.updateStrategy", type,
                            "must be '%s' or '%s'", STRATEGY_ROLLING_UPDATE, STRATEGY_ON_DELETE);
  }
}

/* The counts the controller reports in the status. */
static const char *const status_counters[] = { "replicas",          "readyReplicas",
                                               "currentReplicas",   "updatedReplicas",
                                               "availableReplicas", NULL };

static void
stateful_set_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = apps_v1_get_object (object, "spec", NULL, errors);
  const char *policy = apps_v1_get_string (spec, "podManagementPolicy", "spec", errors);
  g_autofree char *message = NULL;

  if (policy != NULL && policy[0] == '\0')
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.podManagementPolicy", NULL,
                            NULL);
  else if (policy != NULL && !g_str_equal (policy, POLICY_ORDERED_READY) &&
           !g_str_equal (policy, POLICY_PARALLEL))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.podManagementPolicy", policy,
                            "must be '%s' or '%s'", POLICY_ORDERED_READY, POLICY_PARALLEL);
  validate_update_strategy (spec, errors);
  apps_v1_validate_nonnegative (spec, "replicas", "spec", errors);
  apps_v1_validate_nonnegative (spec, "minReadySeconds", "spec", errors);
  apps_v1_validate_nonnegative (spec, "revisionHistoryLimit", "spec", errors);

  /* The pods' DNS names live under the governing service: a label.
   * Newer Kubernetes lets it be empty, for sets that need no names. */
  const char *service = apps_v1_get_string (spec, "serviceName", "spec", errors);
  if (service != NULL && service[0] != '\0' && !timon_validate_dns1123_label (service, &message)) {
    g_auto (GStrv) messages = g_strsplit (message, "; ", -1);
    for (char **m = messages; *m != NULL; m++)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.serviceName", service, "%s",
                              *m);
  }
  apps_v1_get_array (spec, "volumeClaimTemplates", "spec", errors);

  gboolean selector_valid =
    apps_v1_validate_selector (spec, "empty selector is not valid for statefulset.", errors);
  apps_v1_validate_template (spec, selector_valid, "must not be specified", errors);
  apps_v1_validate_status (object, status_counters, errors);
}

static gboolean
member_changed (JsonObject *spec, JsonObject *old_spec, const char *member)
{
  JsonNode *a = spec != NULL ? json_object_get_member (spec, member) : NULL;
  JsonNode *b = old_spec != NULL ? json_object_get_member (old_spec, member) : NULL;
  gboolean a_none = a == NULL || JSON_NODE_HOLDS_NULL (a);
  gboolean b_none = b == NULL || JSON_NODE_HOLDS_NULL (b);

  if (a_none || b_none)
    return a_none != b_none;
  return !json_node_equal (a, b);
}

/* Whether a member of @spec other than the mutable ones differs from
 * @old_spec, or is there in only one of them. */
static gboolean
fixed_members_changed (JsonObject *spec, JsonObject *old_spec)
{
  JsonObject *both[] = { spec, old_spec };

  for (size_t i = 0; i < G_N_ELEMENTS (both); i++) {
    JsonObjectIter iter;
    const char *member;

    if (both[i] == NULL)
      continue;
    json_object_iter_init (&iter, both[i]);
    while (json_object_iter_next (&iter, &member, NULL)) {
      if (!g_strv_contains (mutable_members, member) && member_changed (spec, old_spec, member))
        return TRUE;
    }
  }
  return FALSE;
}

static void
stateful_set_validate_update (JsonObject *object,
                              JsonObject *old,
                              TimonFieldErrors *errors,
                              gpointer user_data)
{
  JsonObject *spec = apps_v1_get_object (object, "spec", NULL, NULL);
  JsonObject *old_spec = apps_v1_get_object (old, "spec", NULL, NULL);

  stateful_set_validate (object, errors, user_data);
  /* The pods' names, volumes and selector follow from the rest: it stays
   * as created. */
  if (fixed_members_changed (spec, old_spec))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, "spec", NULL,
                            "updates to statefulset spec for fields other than 'replicas', "
                            "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                            "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
                            "forbidden");
}

static char *
stateful_set_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "READY"))
    return apps_v1_print_ready (object);
  return apps_v1_print_column (object, column);
}

TimonResourceType *
apps_v1_stateful_set_new (void)
{
  static const char *const short_names[] = { "sts", NULL };
  static const char *const categories[] = { "all", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = stateful_set_default,
    .validate_create = stateful_set_validate,
    .validate_update = stateful_set_validate_update,
    .print_column = stateful_set_print_column,
  };
  TimonResourceType *type = timon_resource_type_new ("apps", "v1", "StatefulSet", "statefulsets",
                                                     TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_set_categories (type, categories);
  timon_resource_type_add_subresource (type, "status");
  timon_resource_type_add_subresource (type, "scale");
  timon_resource_type_add_column (type, "READY", "string", NULL,
                                  "Ready pods of those wanted (readyReplicas/replicas)", 0, NULL);
  apps_v1_add_wide_columns (type, FALSE);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
