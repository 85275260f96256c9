/* apps-v1-util.c: what the apps/v1 workloads share: defaults, rollout
 * strategies, status and columns. Typed JSON access is in
 * ../common/timon-resource-util.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

/* Sets @member of @object (which may be NULL) to @value when it is absent
 * or null; what is there otherwise stays, for validation to judge. */
void
apps_v1_default_int (JsonObject *object, const char *member, gint64 value)
{
  if (object != NULL && timon_resource_member_is_unset (object, member))
    json_object_set_int_member (object, member, value);
}

/* Whether @member is the same in @a and @b (either of which may be
 * NULL). Absent and null are the same: a client that drops a null member
 * has not changed it. */
gboolean
apps_v1_members_equal (JsonObject *a, JsonObject *b, const char *member)
{
  JsonNode *na = a != NULL ? json_object_get_member (a, member) : NULL;
  JsonNode *nb = b != NULL ? json_object_get_member (b, member) : NULL;
  gboolean a_none = na == NULL || JSON_NODE_HOLDS_NULL (na);
  gboolean b_none = nb == NULL || JSON_NODE_HOLDS_NULL (nb);

  if (a_none || b_none)
    return a_none && b_none;
  return json_node_equal (na, nb);
}

/* Reports @member of @object (at @path) as Kubernetes'
 * ValidateImmutableField does when it differs from @old's. */
void
apps_v1_validate_immutable (JsonObject *object,
                            JsonObject *old,
                            const char *member,
                            const char *path,
                            TimonFieldErrors *errors)
{
  if (!apps_v1_members_equal (object, old, member)) {
    g_autofree char *field = timon_resource_path (path, member);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, APPS_V1_IMMUTABLE);
  }
}

/* Reports spec.selector of @object when it differs from @old's: apps/v1
 * fixes it at create, as pods it once selected would be orphaned. */
void
apps_v1_validate_selector_unchanged (JsonObject *object, JsonObject *old, TimonFieldErrors *errors)
{
  apps_v1_validate_immutable (timon_resource_get_object (object, "spec", NULL, NULL),
                              timon_resource_get_object (old, "spec", NULL, NULL), "selector",
                              "spec", errors);
}

/* Defaults the rollout strategy @member ("strategy", "updateStrategy") of
 * @spec (which may be NULL) to a rolling update. Returns its rollingUpdate,
 * made an object, for the kind to default; NULL when the strategy is of
 * another type or malformed. */
JsonObject *
apps_v1_default_strategy (JsonObject *spec, const char *member)
{
  JsonObject *strategy = timon_resource_ensure_object (spec, member);

  timon_resource_default_string (strategy, "type", APPS_V1_STRATEGY_ROLLING_UPDATE);
  const char *type = timon_resource_get_string (strategy, "type", NULL, NULL);
  if (type == NULL || !g_str_equal (type, APPS_V1_STRATEGY_ROLLING_UPDATE))
    return NULL;
  return timon_resource_ensure_object (strategy, "rollingUpdate");
}

/* Reads the rollout strategy @member of @spec for validation, reporting
 * what is of the wrong type: the strategy in @strategy, its rollingUpdate
 * in @rolling (either NULL when there is none); returns its type. */
const char *
apps_v1_get_strategy (JsonObject *spec,
                      const char *member,
                      JsonObject **strategy,
                      JsonObject **rolling,
                      TimonFieldErrors *errors)
{
  g_autofree char *path = timon_resource_path ("spec", member);
  const char *type;

  *strategy = timon_resource_get_object (spec, member, "spec", errors);
  type = timon_resource_get_string (*strategy, "type", path, errors);
  *rolling = timon_resource_get_object (*strategy, "rollingUpdate", path, errors);
  return type;
}

/* Sets the IntOrString @member of @object (which may be NULL) to the
 * string @value when it is absent or null. */
void
apps_v1_default_int_or_string (JsonObject *object, const char *member, const char *value)
{
  if (object != NULL && timon_resource_member_is_unset (object, member))
    json_object_set_string_member (object, member, value);
}

/* The READY column of Deployments and StatefulSets, as kubectl prints
 * it: ready pods of those wanted, "2/3"; what is missing or malformed
 * counts 0. */
char *
apps_v1_print_ready (JsonObject *object)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *status = timon_resource_get_object (object, "status", NULL, NULL);
  gint64 ready, desired;

  timon_resource_get_int32 (status, "readyReplicas", NULL, NULL, &ready);
  timon_resource_get_int32 (spec, "replicas", NULL, NULL, &desired);
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, ready, desired);
}

/* Checks the status a controller writes: an object whose @counters (and
 * observedGeneration, collisionCount) are non-negative int32s. */
void
apps_v1_validate_status (JsonObject *object, const char *const *counters, TimonFieldErrors *errors)
{
  JsonObject *status = timon_resource_get_object (object, "status", NULL, errors);

  if (status == NULL)
    return;
  for (const char *const *c = counters; *c != NULL; c++)
    timon_resource_validate_nonnegative (status, *c, "status", errors);
  timon_resource_validate_nonnegative (status, "observedGeneration", "status", errors);
  timon_resource_validate_nonnegative (status, "collisionCount", "status", errors);
}

/* The print_column hook of Deployments and StatefulSets: READY, then the
 * wide columns. */
char *
apps_v1_print_ready_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "READY"))
    return apps_v1_print_ready (object);
  return apps_v1_print_column (object, column, user_data);
}

/* A workload type of apps/v1: namespaced, in the "all" category, with a
 * status subresource and, when @scale, a scale one. */
TimonResourceType *
apps_v1_workload_type_new (const char *kind,
                           const char *plural,
                           const char *const *short_names,
                           gboolean scale)
{
  static const char *const categories[] = { "all", NULL };
  TimonResourceType *type =
    timon_resource_type_new ("apps", "v1", kind, plural, TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_set_categories (type, categories);
  timon_resource_type_add_subresource (type, "status");
  if (scale)
    timon_resource_type_add_subresource (type, "scale");
  return type;
}
