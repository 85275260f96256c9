/* core-v1-resource-quota.c: ResourceQuota, as Kubernetes' core/v1
 * validates it (ValidateResourceQuota, ValidateResourceQuotaUpdate): the
 * limits and the usage are quantities.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "core-v1-private.h"

static void
resource_quota_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  static const char *const scopes[] = { "Terminating",
                                        "NotTerminating",
                                        "BestEffort",
                                        "NotBestEffort",
                                        "PriorityClass",
                                        "CrossNamespacePodAffinity",
                                        NULL };
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);
  JsonObject *status = timon_resource_get_object (object, "status", NULL, errors);
  JsonArray *list = timon_resource_get_array (spec, "scopes", "spec", errors);

  core_v1_validate_resource_list (spec, "hard", "spec", errors);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
    JsonNode *node = json_array_get_element (list, i);
    g_autofree char *field = g_strdup_printf ("spec.scopes[%u]", i);

    if (!timon_resource_node_is_string (node))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
    else
      core_v1_validate_enum (json_node_get_string (node), scopes, TRUE, field, errors);
  }
  timon_resource_get_object (spec, "scopeSelector", "spec", errors);
  core_v1_validate_resource_list (status, "hard", "status", errors);
  core_v1_validate_resource_list (status, "used", "status", errors);
}

static void
resource_quota_validate_update (JsonObject *object,
                                JsonObject *old,
                                TimonFieldErrors *errors,
                                gpointer user_data)
{
  resource_quota_validate (object, errors, user_data);
}

TimonResourceType *
core_v1_resource_quota_new (void)
{
  static const char *const short_names[] = { "quota", NULL };
  static const TimonResourceHooks hooks = {
    .validate_create = resource_quota_validate,
    .validate_update = resource_quota_validate_update,
  };
  TimonResourceType *type = timon_resource_type_new ("", "v1", "ResourceQuota", "resourcequotas",
                                                     TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_subresource (type, "status");
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
