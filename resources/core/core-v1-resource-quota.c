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

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* REQUEST and LIMIT, as Kubernetes prints them: "name: used/hard" for
 * each hard limit, in name order; limits.* go to LIMIT. */
static char *
resource_quota_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  JsonObject *status = timon_resource_get_object (object, "status", NULL, NULL);
  JsonObject *hard = timon_resource_get_object (status, "hard", NULL, NULL);
  JsonObject *used = timon_resource_get_object (status, "used", NULL, NULL);
  gboolean limits = g_str_equal (column, "LIMIT");
  g_autoptr (GString) out = g_string_new (NULL);

  if (hard == NULL)
    return g_strdup ("");
  g_autoptr (GList) members = json_object_get_members (hard);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (GList *l = members; l != NULL; l = l->next)
    g_ptr_array_add (names, l->data);
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++) {
    const char *name = names->pdata[i];
    if (g_str_has_prefix (name, "limits.") != limits)
      continue;
    const char *h = timon_resource_get_string (hard, name, NULL, NULL);
    const char *u = used ? timon_resource_get_string (used, name, NULL, NULL) : NULL;
    g_string_append_printf (out, "%s%s: %s/%s", out->len > 0 ? ", " : "", name, u ? u : "0",
                            h ? h : "0");
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

TimonResourceType *
core_v1_resource_quota_new (void)
{
  static const char *const short_names[] = { "quota", NULL };
  static const TimonResourceHooks hooks = {
    .validate_create = resource_quota_validate,
    .validate_update = resource_quota_validate_update,
    .print_column = resource_quota_print_column,
  };
  TimonResourceType *type = timon_resource_type_new ("", "v1", "ResourceQuota", "resourcequotas",
                                                     TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_subresource (type, "status");
  /* As Kubernetes' printer: AGE before the usage. */
  timon_resource_type_add_column (type, "AGE", "string", "age", "How long ago it was created", 0,
                                  ".metadata.creationTimestamp");
  timon_resource_type_add_column (type, "REQUEST", "string", NULL,
                                  "Usage of the quota's requests, used/hard", 0, NULL);
  timon_resource_type_add_column (type, "LIMIT", "string", NULL,
                                  "Usage of the quota's limits, used/hard", 0, NULL);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
