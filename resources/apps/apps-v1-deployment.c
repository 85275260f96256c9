/* apps-v1-deployment.c: Deployment, as Kubernetes' apps/v1 defaults and
 * validates it (pkg/apis/apps/v1/defaults.go, pkg/apis/apps/validation,
 * pkg/registry/apps/deployment).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

#define STRATEGY_ROLLING_UPDATE "RollingUpdate"
#define STRATEGY_RECREATE "Recreate"
#define ROLLING_UPDATE "spec.strategy.rollingUpdate"

static void
deployment_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = apps_v1_ensure_object (object, "spec");
  JsonObject *strategy = apps_v1_ensure_object (spec, "strategy");

  apps_v1_default_int (spec, "replicas", 1);
  apps_v1_default_string (strategy, "type", STRATEGY_ROLLING_UPDATE);
  const char *type = apps_v1_get_string (strategy, "type", NULL, NULL);
  if (type != NULL && g_str_equal (type, STRATEGY_ROLLING_UPDATE)) {
    JsonObject *rolling = apps_v1_ensure_object (strategy, "rollingUpdate");
    apps_v1_default_int_or_string (rolling, "maxUnavailable", "25%");
    apps_v1_default_int_or_string (rolling, "maxSurge", "25%");
  }
  apps_v1_default_int (spec, "revisionHistoryLimit", 10);
  apps_v1_default_int (spec, "progressDeadlineSeconds", 600);
  apps_v1_default_template (spec);
}

static void
validate_rolling_update (JsonObject *rolling, TimonFieldErrors *errors)
{
  gint64 unavailable, surge;
  gboolean has_unavailable =
    apps_v1_validate_int_or_percent (rolling, "maxUnavailable", ROLLING_UPDATE, TRUE, errors,
                                     &unavailable);
  gboolean has_surge =
    apps_v1_validate_int_or_percent (rolling, "maxSurge", ROLLING_UPDATE, FALSE, errors, &surge);

  /* A rollout that may neither stop a pod nor start one more never
   * moves. */
  if (has_unavailable && has_surge && unavailable == 0 && surge == 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, ROLLING_UPDATE ".maxUnavailable",
                            "0", "may not be 0 when `maxSurge` is 0");
}

static void
validate_strategy (JsonObject *spec, TimonFieldErrors *errors)
{
  JsonObject *strategy = apps_v1_get_object (spec, "strategy", "spec", errors);
  const char *type = apps_v1_get_string (strategy, "type", "spec.strategy", errors);
  JsonObject *rolling = apps_v1_get_object (strategy, "rollingUpdate", "spec.strategy", errors);

  if (type == NULL)
    return; /* not defaulted: of the wrong type, reported */
  if (g_str_equal (type, STRATEGY_RECREATE)) {
    if (!apps_v1_member_is_unset (strategy, "rollingUpdate"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, ROLLING_UPDATE, NULL,
                              "may not be specified when strategy `type` is '%s'",
                              STRATEGY_RECREATE);
  } else if (g_str_equal (type, STRATEGY_ROLLING_UPDATE)) {
    if (rolling != NULL)
      validate_rolling_update (rolling, errors);
    else if (apps_v1_member_is_unset (strategy, "rollingUpdate"))
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
  JsonObject *spec = apps_v1_get_object (object, "spec", NULL, errors);
  gint64 min_ready, deadline;
  gboolean paused;

  apps_v1_validate_nonnegative (spec, "replicas", "spec", errors);
  gboolean selector_valid =
    apps_v1_validate_selector (spec, "empty selector is invalid for deployment", errors);
  /* Kubernetes checks the template as its ReplicaSets', and says so. */
  apps_v1_validate_template (spec, selector_valid,
                             "activeDeadlineSeconds in ReplicaSet is not Supported", errors);
  validate_strategy (spec, errors);
  apps_v1_validate_nonnegative (spec, "minReadySeconds", "spec", errors);
  apps_v1_validate_nonnegative (spec, "revisionHistoryLimit", "spec", errors);
  apps_v1_validate_nonnegative (spec, "progressDeadlineSeconds", "spec", errors);
  apps_v1_get_int32 (spec, "minReadySeconds", "spec", NULL, &min_ready);
  if (apps_v1_get_int32 (spec, "progressDeadlineSeconds", "spec", NULL, &deadline) &&
      deadline <= min_ready)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.progressDeadlineSeconds", NULL,
                            "must be greater than minReadySeconds");
  apps_v1_get_boolean (spec, "paused", "spec", errors, &paused);
  apps_v1_validate_status (object, status_counters, errors);
}

static void
deployment_validate_update (JsonObject *object,
                            JsonObject *old,
                            TimonFieldErrors *errors,
                            gpointer user_data)
{
  deployment_validate (object, errors, user_data);
  /* apps/v1 pins the selector: pods it once selected would be orphaned. */
  apps_v1_validate_immutable (apps_v1_get_object (object, "spec", NULL, NULL),
                              apps_v1_get_object (old, "spec", NULL, NULL), "selector", "spec",
                              errors);
}

static char *
deployment_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "READY"))
    return apps_v1_print_ready (object);
  return apps_v1_print_column (object, column);
}

TimonResourceType *
apps_v1_deployment_new (void)
{
  static const char *const short_names[] = { "deploy", NULL };
  static const char *const categories[] = { "all", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = deployment_default,
    .validate_create = deployment_validate,
    .validate_update = deployment_validate_update,
    .print_column = deployment_print_column,
  };
  TimonResourceType *type =
    timon_resource_type_new ("apps", "v1", "Deployment", "deployments", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_set_categories (type, categories);
  timon_resource_type_add_subresource (type, "status");
  timon_resource_type_add_subresource (type, "scale");
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
