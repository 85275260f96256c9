/* core-v1-endpoints.c: Endpoints, as Kubernetes' core/v1 defaults and
 * validates them (SetDefaults_EndpointPort, ValidateEndpoints) and as
 * kubectl prints them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "core-v1-private.h"

/* kubectl shows this many addresses, then how many more there are. */
#define PRINTED_ENDPOINTS_MAX 3

static const char *const address_lists[] = { "addresses", "notReadyAddresses", NULL };

static void
endpoints_default (JsonObject *object, gpointer user_data)
{
  g_autoptr (GPtrArray) subsets = core_v1_dup_object_list (object, "subsets");

  for (guint i = 0; i < subsets->len; i++) {
    g_autoptr (GPtrArray) ports = core_v1_dup_object_list (subsets->pdata[i], "ports");
    for (guint j = 0; j < ports->len; j++)
      timon_resource_default_string (ports->pdata[j], "protocol", "TCP");
  }
}

static void
validate_subset (JsonObject *subset, const char *path, TimonFieldErrors *errors)
{
  for (const char *const *list = address_lists; *list != NULL; list++) {
    JsonArray *addresses = timon_resource_get_array (subset, *list, path, errors);
    g_autofree char *list_path = timon_resource_path (path, *list);

    for (guint i = 0; addresses != NULL && i < json_array_get_length (addresses); i++) {
      g_autofree char *item_path = g_strdup_printf ("%s[%u]", list_path, i);
      JsonObject *address = core_v1_array_get_object (addresses, i, list_path, errors);

      if (address == NULL)
        continue;
      core_v1_validate_ip_member (address, "ip", item_path, TRUE, errors);
      core_v1_validate_dns_member (address, "hostname", item_path, TRUE, errors);
      timon_resource_get_string (address, "nodeName", item_path, errors);
      timon_resource_get_object (address, "targetRef", item_path, errors);
    }
  }

  JsonArray *ports = timon_resource_get_array (subset, "ports", path, errors);
  g_autofree char *ports_path = timon_resource_path (path, "ports");
  guint n = ports != NULL ? json_array_get_length (ports) : 0;
  for (guint i = 0; i < n; i++) {
    g_autofree char *item_path = g_strdup_printf ("%s[%u]", ports_path, i);
    JsonObject *port = core_v1_array_get_object (ports, i, ports_path, errors);
    gint64 number;

    if (port == NULL)
      continue;
    g_autofree char *name_field = timon_resource_path (item_path, "name");
    const char *name = timon_resource_get_string (port, "name", item_path, errors);
    if (name != NULL && name[0] != '\0') {
      g_autofree char *message = NULL;
      if (!timon_validate_dns1123_label (name, &message))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, name_field, name, "%s", message);
    } else if (n > 1 && (name != NULL || timon_resource_member_is_unset (port, "name"))) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, name_field, NULL, NULL);
    }
    g_autofree char *port_field = timon_resource_path (item_path, "port");
    if (timon_resource_get_int (port, "port", item_path, errors, &number))
      core_v1_validate_port_number (number, port_field, errors);
    else if (timon_resource_member_is_unset (port, "port"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, port_field, NULL, NULL);
    core_v1_validate_protocol (port, item_path, errors);
  }
}

static void
endpoints_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonArray *subsets = timon_resource_get_array (object, "subsets", NULL, errors);

  for (guint i = 0; subsets != NULL && i < json_array_get_length (subsets); i++) {
    g_autofree char *path = g_strdup_printf ("subsets[%u]", i);
    JsonObject *subset = core_v1_array_get_object (subsets, i, "subsets", errors);
    if (subset != NULL)
      validate_subset (subset, path, errors);
  }
}

static void
endpoints_validate_update (JsonObject *object,
                           JsonObject *old,
                           TimonFieldErrors *errors,
                           gpointer user_data)
{
  endpoints_validate (object, errors, user_data);
}

/* kubectl's ENDPOINTS: ip:port of the ready addresses, the first few. */
static char *
dup_endpoints (JsonObject *object)
{
  g_autoptr (GPtrArray) subsets = core_v1_dup_object_list (object, "subsets");
  g_autoptr (GString) out = g_string_new (NULL);
  guint count = 0;

  for (guint i = 0; i < subsets->len; i++) {
    g_autoptr (GPtrArray) addresses = core_v1_dup_object_list (subsets->pdata[i], "addresses");
    g_autoptr (GPtrArray) ports = core_v1_dup_object_list (subsets->pdata[i], "ports");

    for (guint a = 0; a < addresses->len; a++) {
      const char *ip = timon_resource_get_string (addresses->pdata[a], "ip", NULL, NULL);
      for (guint p = 0; p < MAX (ports->len, 1); p++) {
        gint64 port = 0;

        if (ports->len > 0)
          timon_resource_get_int (ports->pdata[p], "port", NULL, NULL, &port);
        if (count++ >= PRINTED_ENDPOINTS_MAX)
          continue;
        g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "", ip != NULL ? ip : "");
        if (ports->len > 0)
          g_string_append_printf (out, ":%" G_GINT64_FORMAT, port);
      }
    }
  }
  if (count == 0)
    return g_strdup ("<none>");
  if (count > PRINTED_ENDPOINTS_MAX)
    g_string_append_printf (out, " + %u more...", count - PRINTED_ENDPOINTS_MAX);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
endpoints_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "ENDPOINTS"))
    return dup_endpoints (object);
  return NULL;
}

TimonResourceType *
core_v1_endpoints_new (void)
{
  static const char *const short_names[] = { "ep", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = endpoints_default,
    .validate_create = endpoints_validate,
    .validate_update = endpoints_validate_update,
    .print_column = endpoints_print_column,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "Endpoints", "endpoints", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_singular (type, "endpoints");
  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_column (type, "ENDPOINTS", "string", NULL,
                                  "The ready addresses and ports, the first few", 0, NULL);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
