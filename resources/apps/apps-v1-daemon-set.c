/* apps-v1-daemon-set.c: DaemonSet, as Kubernetes' apps/v1 defaults and
 * validates it (pkg/apis/apps/v1/defaults.go, pkg/apis/apps/validation,
 * pkg/registry/apps/daemonset).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

#define STRATEGY_ROLLING_UPDATE APPS_V1_STRATEGY_ROLLING_UPDATE
#define STRATEGY_ON_DELETE "OnDelete"
#define ROLLING_UPDATE "spec.updateStrategy.rollingUpdate"

static void
daemon_set_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = timon_resource_ensure_object (object, "spec");
  JsonObject *rolling = apps_v1_default_strategy (spec, "updateStrategy");

  apps_v1_default_int (rolling, "maxUnavailable", 1);
  apps_v1_default_int (rolling, "maxSurge", 0);
  apps_v1_default_int (spec, "revisionHistoryLimit", 10);
  apps_v1_default_template (spec);
}

static void
validate_rolling_update (JsonObject *rolling, TimonFieldErrors *errors)
{
  gint64 unavailable, surge;

  /* A node's pod is either stopped before its new one starts, or started
   * alongside it: exactly one of the two. */
  if (!apps_v1_validate_rolling_update (rolling, ROLLING_UPDATE, TRUE, errors, &unavailable,
                                        &surge))
    return;
  if (unavailable != 0 && surge != 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, ROLLING_UPDATE ".maxSurge", NULL,
                            "may not be set when maxUnavailable is non-zero");
  else if (unavailable == 0 && surge == 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, ROLLING_UPDATE ".maxUnavailable",
                            NULL, "cannot be 0 when maxSurge is 0");
}

static void
validate_update_strategy (JsonObject *spec, TimonFieldErrors *errors)
{
  JsonObject *strategy, *rolling;
  const char *type = apps_v1_get_strategy (spec, "updateStrategy", &strategy, &rolling, errors);

  if (type == NULL || g_str_equal (type, STRATEGY_ON_DELETE))
    return; /* not defaulted: of the wrong type, reported */
  if (g_str_equal (type, STRATEGY_ROLLING_UPDATE)) {
    if (rolling != NULL)
      validate_rolling_update (rolling, errors);
    else if (timon_resource_member_is_unset (strategy, "rollingUpdate"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, ROLLING_UPDATE, NULL, NULL);
  } else {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, "spec.updateStrategy.type",
                            type, "supported values: \"%s\", \"%s\"", STRATEGY_ON_DELETE,
                            STRATEGY_ROLLING_UPDATE);
  }
}

/* The counts the controller reports in the status. */
static const char *const status_counters[] = { "currentNumberScheduled", "numberMisscheduled",
                                               "desiredNumberScheduled", "numberReady",
                                               "updatedNumberScheduled", "numberAvailable",
                                               "numberUnavailable",      NULL };

static void
daemon_set_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);

  gboolean selector_valid =
    apps_v1_validate_selector (spec, "empty selector is invalid for daemonset", errors);
  apps_v1_validate_template (spec, selector_valid,
                             "activeDeadlineSeconds in DaemonSet is not Supported", errors);
  timon_resource_validate_nonnegative (spec, "minReadySeconds", "spec", errors);
  timon_resource_validate_nonnegative (spec, "templateGeneration", "spec", errors);
  validate_update_strategy (spec, errors);
  timon_resource_validate_nonnegative (spec, "revisionHistoryLimit", "spec", errors);
  apps_v1_validate_status (object, status_counters, errors);
}

static void
daemon_set_validate_update (JsonObject *object,
                            JsonObject *old,
                            TimonFieldErrors *errors,
                            gpointer user_data)
{
  daemon_set_validate (object, errors, user_data);
  apps_v1_validate_selector_unchanged (object, old, errors);
}

/* The node selector of the pod template as kubectl prints labels: sorted
 * "key=value" pairs, "<none>" when there are none. */
static char *
print_node_selector (JsonObject *object)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *template = timon_resource_get_object (spec, "template", NULL, NULL);
  JsonObject *pod_spec = timon_resource_get_object (template, "spec", NULL, NULL);
  JsonObject *selector = timon_resource_get_object (pod_spec, "nodeSelector", NULL, NULL);
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (selector != NULL) {
    json_object_iter_init (&iter, selector);
    while (json_object_iter_next (&iter, &key, &node)) {
      if (timon_resource_node_is_string (node))
        g_ptr_array_add (pairs, g_strdup_printf ("%s=%s", key, json_node_get_string (node)));
    }
  }
  if (pairs->len == 0)
    return g_strdup ("<none>");
  g_ptr_array_sort (pairs, apps_v1_compare_strings);
  g_ptr_array_add (pairs, NULL);
  return g_strjoinv (",", (char **) pairs->pdata);
}

static char *
daemon_set_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "NODE SELECTOR"))
    return print_node_selector (object);
  return apps_v1_print_column (object, column, user_data);
}

TimonResourceType *
apps_v1_daemon_set_new (void)
{
  static const char *const short_names[] = { "ds", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = daemon_set_default,
    .validate_create = daemon_set_validate,
    .validate_update = daemon_set_validate_update,
    .print_column = daemon_set_print_column,
  };
  TimonResourceType *type =
    apps_v1_workload_type_new ("DaemonSet", "daemonsets", short_names, FALSE);

  timon_resource_type_add_column (type, "DESIRED", "integer", NULL,
                                  "The nodes that should run the pod", 0,
                                  ".status.desiredNumberScheduled");
  timon_resource_type_add_column (type, "CURRENT", "integer", NULL, "The nodes that run the pod", 0,
                                  ".status.currentNumberScheduled");
  timon_resource_type_add_column (type, "READY", "integer", NULL, "The nodes whose pod is ready", 0,
                                  ".status.numberReady");
  timon_resource_type_add_column (type, "UP-TO-DATE", "integer", NULL,
                                  "The nodes that run the latest template", 0,
                                  ".status.updatedNumberScheduled");
  timon_resource_type_add_column (type, "AVAILABLE", "integer", NULL,
                                  "The nodes whose pod is available", 0, ".status.numberAvailable");
  timon_resource_type_add_column (type, "NODE SELECTOR", "string", NULL,
                                  "The node selector of the pod template", 0, NULL);
  apps_v1_add_wide_columns (type, TRUE);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
