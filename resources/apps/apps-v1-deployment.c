/* apps-v1-deployment.c: Deployment, as Kubernetes' apps/v1 defaults and
 * validates it (pkg/apis/apps/v1/defaults.go, pkg/apis/apps/validation,
 * pkg/registry/apps/deployment).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

#define STRATEGY_ROLLING_UPDATE APPS_V1_STRATEGY_ROLLING_UPDATE
#define STRATEGY_RECREATE "Recreate"
#define ROLLING_UPDATE "spec.strategy.rollingUpdate"

static void
deployment_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = timon_resource_ensure_object (object, "spec");
  JsonObject *rolling = apps_v1_default_strategy (spec, "strategy");

  apps_v1_default_int (spec, "replicas", 1);
  apps_v1_default_int_or_string (rolling, "maxUnavailable", "25%");
  apps_v1_default_int_or_string (rolling, "maxSurge", "25%");
  apps_v1_default_int (spec, "revisionHistoryLimit", 10);
  apps_v1_default_int (spec, "progressDeadlineSeconds", 600);
  apps_v1_default_template (spec);
}

static void
validate_rolling_update (JsonObject *rolling, TimonFieldErrors *errors)
{
  gint64 unavailable, surge;

  /* A rollout that may neither stop a pod nor start one more never
   * moves. */
  if (apps_v1_validate_rolling_update (rolling, ROLLING_UPDATE, FALSE, errors, &unavailable,
                                       &surge) &&
      unavailable == 0 && surge == 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, ROLLING_UPDATE ".maxUnavailable",
                            "0", "may not be 0 when `maxSurge` is 0");
}

static void
validate_strategy (JsonObject *spec, TimonFieldErrors *errors)
{
  JsonObject *strategy, *rolling;
  const char *type = apps_v1_get_strategy (spec, "strategy", &strategy, &rolling, errors);

  if (type == NULL)
    return; /* not defaulted: of the wrong type, reported */
  if (g_str_equal (type, STRATEGY_RECREATE)) {
    if (!timon_resource_member_is_unset (strategy, "rollingUpdate"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, ROLLING_UPDATE, NULL,
                              "may not be specified when strategy `type` is '%s'",
                              STRATEGY_RECREATE);
  } else if (g_str_equal (type, STRATEGY_ROLLING_UPDATE)) {
    if (rolling != NULL)
      validate_rolling_update (rolling, errors);
    else if (timon_resource_member_is_unset (strategy, "rollingUpdate"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, ROLLING_UPDATE, NULL,
                              "this should be defaulted and never be nil");
  } else {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, "spec.strategy.type", type,
                            "supported values: \"%s\", \"%s\"", STRATEGY_RECREATE,
                            STRATEGY_ROLLING_UPDATE);
  }
}

/* The counts the controller reports in the status. */
static const char *const status_counters[] = {
  "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", NULL
};

static void
deployment_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);
  gint64 min_ready, deadline;
  gboolean paused;

  timon_resource_validate_nonnegative (spec, "replicas", "spec", errors);
  gboolean selector_valid =
    apps_v1_validate_selector (spec, "empty selector is invalid for deployment", errors);
  /* Kubernetes checks the template as its ReplicaSets', and says so. */
  apps_v1_validate_template (spec, selector_valid,
                             "activeDeadlineSeconds in ReplicaSet is not Supported", errors);
  validate_strategy (spec, errors);
  timon_resource_validate_nonnegative (spec, "minReadySeconds", "spec", errors);
  timon_resource_validate_nonnegative (spec, "revisionHistoryLimit", "spec", errors);
  timon_resource_validate_nonnegative (spec, "progressDeadlineSeconds", "spec", errors);
  timon_resource_get_int32 (spec, "minReadySeconds", "spec", NULL, &min_ready);
  if (timon_resource_get_int32 (spec, "progressDeadlineSeconds", "spec", NULL, &deadline) &&
      deadline <= min_ready)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.progressDeadlineSeconds", NULL,
                            "must be greater than minReadySeconds");
  timon_resource_get_boolean (spec, "paused", "spec", errors, &paused);
  apps_v1_validate_status (object, status_counters, errors);
}

static void
deployment_validate_update (JsonObject *object,
                            JsonObject *old,
                            TimonFieldErrors *errors,
                            gpointer user_data)
{
  deployment_validate (object, errors, user_data);
  apps_v1_validate_selector_unchanged (object, old, errors);
}

TimonResourceType *
apps_v1_deployment_new (void)
{
  static const char *const short_names[] = { "deploy", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = deployment_default,
    .validate_create = deployment_validate,
    .validate_update = deployment_validate_update,
    .print_column = apps_v1_print_ready_column,
  };
  TimonResourceType *type =
    apps_v1_workload_type_new ("Deployment", "deployments", short_names, TRUE);

  timon_resource_type_add_column (type, "READY", "string", NULL,
                                  "Ready pods of those wanted (readyReplicas/replicas)", 0, NULL);
  timon_resource_type_add_column (type, "UP-TO-DATE", "integer", NULL,
                                  "Pods that run the latest template", 0,
                                  ".status.updatedReplicas");
  timon_resource_type_add_column (type, "AVAILABLE", "integer", NULL,
                                  "Pods ready for at least minReadySeconds", 0,
                                  ".status.availableReplicas");
  apps_v1_add_wide_columns (type, TRUE);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
