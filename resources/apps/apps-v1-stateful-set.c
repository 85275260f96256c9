/* apps-v1-stateful-set.c: StatefulSet, as Kubernetes' apps/v1 defaults
 * and validates it (pkg/apis/apps/v1/defaults.go,
 * pkg/apis/apps/validation, pkg/registry/apps/statefulset).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

#define STRATEGY_ROLLING_UPDATE APPS_V1_STRATEGY_ROLLING_UPDATE
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
  JsonObject *spec = timon_resource_ensure_object (object, "spec");
  JsonObject *rolling = apps_v1_default_strategy (spec, "updateStrategy");

  timon_resource_default_string (spec, "podManagementPolicy", POLICY_ORDERED_READY);
  apps_v1_default_int (rolling, "partition", 0);
  apps_v1_default_int (spec, "replicas", 1);
  apps_v1_default_int (spec, "revisionHistoryLimit", 10);
  apps_v1_default_template (spec);
}

static void
validate_update_strategy (JsonObject *spec, TimonFieldErrors *errors)
{
  JsonObject *strategy, *rolling;
  const char *type = apps_v1_get_strategy (spec, "updateStrategy", &strategy, &rolling, errors);

  if (type == NULL)
    return; /* not defaulted: of the wrong type, reported */
  if (type[0] == '\0') {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.updateStrategy", NULL, NULL);
  } else if (g_str_equal (type, STRATEGY_ON_DELETE)) {
    if (!timon_resource_member_is_unset (strategy, "rollingUpdate"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID,
                              "spec.updateStrategy.rollingUpdate", NULL,
                              "only allowed for updateStrategy '%s'", STRATEGY_ROLLING_UPDATE);
  } else if (g_str_equal (type, STRATEGY_ROLLING_UPDATE)) {
    timon_resource_validate_nonnegative (rolling, "partition", "spec.updateStrategy.rollingUpdate",
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
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);
  const char *policy = timon_resource_get_string (spec, "podManagementPolicy", "spec", errors);
  g_autofree char *message = NULL;

  if (policy != NULL && policy[0] == '\0')
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.podManagementPolicy", NULL,
                            NULL);
  else if (policy != NULL && !g_str_equal (policy, POLICY_ORDERED_READY) &&
           !g_str_equal (policy, POLICY_PARALLEL))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.podManagementPolicy", policy,
                            "must be '%s' or '%s'", POLICY_ORDERED_READY, POLICY_PARALLEL);
  validate_update_strategy (spec, errors);
  timon_resource_validate_nonnegative (spec, "replicas", "spec", errors);
  timon_resource_validate_nonnegative (spec, "minReadySeconds", "spec", errors);
  timon_resource_validate_nonnegative (spec, "revisionHistoryLimit", "spec", errors);

  /* The pods' DNS names live under the governing service: a label.
   * Newer Kubernetes lets it be empty, for sets that need no names. */
  const char *service = timon_resource_get_string (spec, "serviceName", "spec", errors);
  if (service != NULL && service[0] != '\0' && !timon_validate_dns1123_label (service, &message))
    timon_resource_add_invalid_messages (errors, "spec.serviceName", service, message);
  timon_resource_get_array (spec, "volumeClaimTemplates", "spec", errors);

  gboolean selector_valid =
    apps_v1_validate_selector (spec, "empty selector is not valid for statefulset.", errors);
  apps_v1_validate_template (spec, selector_valid, "must not be specified", errors);
  apps_v1_validate_status (object, status_counters, errors);
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
      if (!g_strv_contains (mutable_members, member) &&
          !apps_v1_members_equal (spec, old_spec, member))
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
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *old_spec = timon_resource_get_object (old, "spec", NULL, NULL);

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

TimonResourceType *
apps_v1_stateful_set_new (void)
{
  static const char *const short_names[] = { "sts", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = stateful_set_default,
    .validate_create = stateful_set_validate,
    .validate_update = stateful_set_validate_update,
    .print_column = apps_v1_print_ready_column,
  };
  TimonResourceType *type =
    apps_v1_workload_type_new ("StatefulSet", "statefulsets", short_names, TRUE);

  timon_resource_type_add_column (type, "READY", "string", NULL,
                                  "Ready pods of those wanted (readyReplicas/replicas)", 0, NULL);
  apps_v1_add_wide_columns (type, FALSE);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
