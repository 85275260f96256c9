/* core-v1-service-account.c: ServiceAccount. Kubernetes validates only
 * its metadata, which the core does; the hooks check the shape of the
 * lists the token machinery reads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "core-v1-private.h"

/* @member, when set, is a list of object references. */
static void
validate_references (JsonObject *object, const char *member, TimonFieldErrors *errors)
{
  JsonArray *list = timon_resource_get_array (object, member, NULL, errors);

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
    JsonNode *node = json_array_get_element (list, i);
    g_autofree char *field = g_strdup_printf ("%s[%u]", member, i);

    if (!JSON_NODE_HOLDS_OBJECT (node)) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be an object");
      continue;
    }
    timon_resource_get_string (json_node_get_object (node), "name", field, errors);
  }
}

static void
service_account_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  gboolean automount;

  validate_references (object, "secrets", errors);
  validate_references (object, "imagePullSecrets", errors);
  timon_resource_get_boolean (object, "automountServiceAccountToken", NULL, errors, &automount);
}

static void
service_account_validate_update (JsonObject *object,
                                 JsonObject *old,
                                 TimonFieldErrors *errors,
                                 gpointer user_data)
{
  service_account_validate (object, errors, user_data);
}

static char *
service_account_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "SECRETS")) {
    JsonArray *secrets = timon_resource_get_array (object, "secrets", NULL, NULL);
    return g_strdup_printf ("%u", secrets != NULL ? json_array_get_length (secrets) : 0);
  }
  return NULL;
}

TimonResourceType *
core_v1_service_account_new (void)
{
  static const char *const short_names[] = { "sa", NULL };
  static const TimonResourceHooks hooks = {
    .validate_create = service_account_validate,
    .validate_update = service_account_validate_update,
    .print_column = service_account_print_column,
  };
  TimonResourceType *type = timon_resource_type_new ("", "v1", "ServiceAccount", "serviceaccounts",
                                                     TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_column (type, "SECRETS", "string", NULL,
                                  "The number of secrets the account may use", 0, NULL);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
