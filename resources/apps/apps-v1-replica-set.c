/* apps-v1-replica-set.c: ReplicaSet, as Kubernetes' apps/v1 defaults and
 * validates it (pkg/apis/apps/v1/defaults.go, pkg/apis/apps/validation,
 * pkg/registry/apps/replicaset).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

static void
replica_set_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = timon_resource_ensure_object (object, "spec");

  apps_v1_default_int (spec, "replicas", 1);
  apps_v1_default_template (spec);
}

/* The counts the controller reports in the status. */
static const char *const status_counters[] = { "replicas", "fullyLabeledReplicas", "readyReplicas",
                                               "availableReplicas", NULL };

static void
replica_set_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);

  timon_resource_validate_nonnegative (spec, "replicas", "spec", errors);
  timon_resource_validate_nonnegative (spec, "minReadySeconds", "spec", errors);
  /* Kubernetes says "deployment" for ReplicaSets too: kept, so that
   * clients see the same cause. */
  gboolean selector_valid =
    apps_v1_validate_selector (spec, "empty selector is invalid for deployment", errors);
  apps_v1_validate_template (spec, selector_valid,
                             "activeDeadlineSeconds in ReplicaSet is not Supported", errors);
  apps_v1_validate_status (object, status_counters, errors);
}

static void
replica_set_validate_update (JsonObject *object,
                             JsonObject *old,
                             TimonFieldErrors *errors,
                             gpointer user_data)
{
  replica_set_validate (object, errors, user_data);
  apps_v1_validate_selector_unchanged (object, old, errors);
}

static char *
replica_set_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  /* Go prints the int32, 0 when absent. */
  if (g_str_equal (field, "status.replicas")) {
    char *replicas = timon_resource_dup_int_at (object, "status", "replicas", NULL);
    return replicas != NULL ? replicas : g_strdup ("0");
  }
  return NULL;
}

TimonResourceType *
apps_v1_replica_set_new (void)
{
  static const char *const short_names[] = { "rs", NULL };
  static const char *const fields[] = { "status.replicas", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = replica_set_default,
    .validate_create = replica_set_validate,
    .validate_update = replica_set_validate_update,
    .get_field = replica_set_get_field,
    .print_column = apps_v1_print_column,
  };
  TimonResourceType *type =
    apps_v1_workload_type_new ("ReplicaSet", "replicasets", short_names, TRUE);

  timon_resource_type_set_selectable_fields (type, fields);
  timon_resource_type_add_column (type, "DESIRED", "integer", NULL, "The pods wanted", 0,
                                  ".spec.replicas");
  timon_resource_type_add_column (type, "CURRENT", "integer", NULL, "The pods there are", 0,
                                  ".status.replicas");
  timon_resource_type_add_column (type, "READY", "integer", NULL, "The pods that are ready", 0,
                                  ".status.readyReplicas");
  apps_v1_add_wide_columns (type, TRUE);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
