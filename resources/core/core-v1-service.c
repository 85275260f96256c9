/* core-v1-service.c: Service, as Kubernetes' core/v1 defaults and
 * validates it (SetDefaults_Service, ValidateService,
 * ValidateServiceUpdate) and as kubectl prints it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"

#define NODE_PORT_MIN 30000
#define NODE_PORT_MAX 32767

static const char *
type_of (JsonObject *spec)
{
  const char *type = timon_resource_get_string (spec, "type", NULL, NULL);
  return type != NULL && type[0] != '\0' ? type : "ClusterIP";
}

static gboolean
uses_node_ports (const char *type)
{
  return g_str_equal (type, "NodePort") || g_str_equal (type, "LoadBalancer");
}

static void
service_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = timon_resource_ensure_object (object, "spec");

  if (spec == NULL)
    return;
  timon_resource_default_string (spec, "type", "ClusterIP");
  timon_resource_default_string (spec, "sessionAffinity", "None");
  const char *type = type_of (spec);
  if (!g_str_equal (type, "ExternalName")) {
    timon_resource_default_string (spec, "internalTrafficPolicy", "Cluster");
    timon_resource_default_string (spec, "ipFamilyPolicy", "SingleStack");
  }
  if (uses_node_ports (type))
    timon_resource_default_string (spec, "externalTrafficPolicy", "Cluster");

  g_autoptr (GPtrArray) ports = core_v1_dup_object_list (spec, "ports");
  for (guint i = 0; i < ports->len; i++) {
    JsonObject *port = ports->pdata[i];
    JsonNode *number = json_object_get_member (port, "port");
    JsonNode *target = json_object_get_member (port, "targetPort");

    timon_resource_default_string (port, "protocol", "TCP");
    /* A missing target is the port itself (0 and "" are missing too). */
    gboolean target_unset =
      target == NULL || JSON_NODE_HOLDS_NULL (target) ||
      (timon_resource_node_is_string (target) && json_node_get_string (target)[0] == '\0') ||
      (JSON_NODE_HOLDS_VALUE (target) && json_node_get_value_type (target) == G_TYPE_INT64 &&
       json_node_get_int (target) == 0);
    if (target_unset && number != NULL && JSON_NODE_HOLDS_VALUE (number) &&
        json_node_get_value_type (number) == G_TYPE_INT64)
      json_object_set_int_member (port, "targetPort", json_node_get_int (number));
  }
}

/* targetPort is an IntOrString: a port number or a container port's
 * name. */
static void
validate_target_port (JsonObject *port, const char *path, TimonFieldErrors *errors)
{
  JsonNode *node = json_object_get_member (port, "targetPort");
  g_autofree char *field = timon_resource_path (path, "targetPort");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node)) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, field, NULL, NULL);
  } else if (timon_resource_node_is_string (node)) {
    core_v1_validate_port_name (json_node_get_string (node), field, errors);
  } else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64) {
    core_v1_validate_port_number (json_node_get_int (node), field, errors);
  } else {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL,
                            "must be an integer or a string");
  }
}

static void
validate_ports (JsonObject *spec, const char *type, TimonFieldErrors *errors)
{
  JsonArray *ports = timon_resource_get_array (spec, "ports", "spec", errors);
  guint n = ports != NULL ? json_array_get_length (ports) : 0;
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *cluster_ip = timon_resource_get_string (spec, "clusterIP", NULL, NULL);
  gboolean headless = cluster_ip != NULL && g_str_equal (cluster_ip, "None");

  if (n == 0 && !headless && !g_str_equal (type, "ExternalName") &&
      (ports != NULL || timon_resource_member_is_unset (spec, "ports")))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.ports", NULL, NULL);
  for (guint i = 0; i < n; i++) {
    g_autofree char *path = g_strdup_printf ("spec.ports[%u]", i);
    JsonObject *port = core_v1_array_get_object (ports, i, "spec.ports", errors);
    gint64 number = 0, node_port;

    if (port == NULL)
      continue;
    g_autofree char *name_field = timon_resource_path (path, "name");
    const char *name = timon_resource_get_string (port, "name", path, errors);
    if (name == NULL || name[0] == '\0') {
      if (n > 1 && (name != NULL || timon_resource_member_is_unset (port, "name")))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, name_field, NULL, NULL);
    } else {
      g_autofree char *message = NULL;
      if (!timon_validate_dns1123_label (name, &message))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, name_field, name, "%s", message);
      if (!g_hash_table_add (names, (gpointer) name))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_DUPLICATE, name_field, name, "%s",
                                "port names must be unique");
    }

    g_autofree char *port_field = timon_resource_path (path, "port");
    if (timon_resource_get_int (port, "port", path, errors, &number))
      core_v1_validate_port_number (number, port_field, errors);
    else if (timon_resource_member_is_unset (port, "port"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, port_field, NULL, NULL);
    core_v1_validate_protocol (port, path, errors);
    validate_target_port (port, path, errors);

    const char *protocol = timon_resource_get_string (port, "protocol", NULL, NULL);
    if (number != 0 && protocol != NULL) {
      char *pair = g_strdup_printf ("%" G_GINT64_FORMAT "/%s", number, protocol);
      if (!g_hash_table_add (pairs, pair))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_DUPLICATE, path, pair, "%s",
                                "ports must be unique by port and protocol");
    }

    g_autofree char *node_port_field = timon_resource_path (path, "nodePort");
    if (timon_resource_get_int (port, "nodePort", path, errors, &node_port) && node_port != 0) {
      if (!uses_node_ports (type))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, node_port_field, NULL,
                                "may not be used when `type` is '%s'", type);
      else if (node_port < NODE_PORT_MIN || node_port > NODE_PORT_MAX) {
        g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, node_port);
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, node_port_field, value,
                                "provided port is not in the valid range. The range of valid "
                                "ports is %d-%d",
                                NODE_PORT_MIN, NODE_PORT_MAX);
      }
    }
  }
}

static void
service_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  static const char *const types[] = { "ClusterIP", "NodePort", "LoadBalancer", "ExternalName",
                                       NULL };
  static const char *const affinities[] = { "ClientIP", "None", NULL };
  static const char *const traffic_policies[] = { "Cluster", "Local", NULL };
  static const char *const family_policies[] = { "SingleStack", "PreferDualStack",
                                                 "RequireDualStack", NULL };
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);

  if (spec == NULL)
    return;
  const char *type = timon_resource_get_string (spec, "type", "spec", errors);
  core_v1_validate_enum (type, types, FALSE, "spec.type", errors);
  type = type != NULL && g_strv_contains (types, type) ? type : "ClusterIP";

  core_v1_validate_enum (timon_resource_get_string (spec, "sessionAffinity", "spec", errors),
                         affinities, FALSE, "spec.sessionAffinity", errors);
  core_v1_validate_enum (timon_resource_get_string (spec, "internalTrafficPolicy", "spec", errors),
                         traffic_policies, FALSE, "spec.internalTrafficPolicy", errors);
  core_v1_validate_enum (timon_resource_get_string (spec, "externalTrafficPolicy", "spec", errors),
                         traffic_policies, FALSE, "spec.externalTrafficPolicy", errors);
  core_v1_validate_enum (timon_resource_get_string (spec, "ipFamilyPolicy", "spec", errors),
                         family_policies, FALSE, "spec.ipFamilyPolicy", errors);

  const char *cluster_ip = timon_resource_get_string (spec, "clusterIP", "spec", errors);
  if (cluster_ip != NULL && cluster_ip[0] != '\0' && !g_str_equal (cluster_ip, "None") &&
      !core_v1_is_ip (cluster_ip))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.clusterIP", cluster_ip,
                            "must be empty, 'None', or a valid IP address");
  else if (cluster_ip != NULL && g_str_equal (cluster_ip, "None") && uses_node_ports (type))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.clusterIP", cluster_ip,
                            "may not be set to 'None' for %s services", type);

  if (g_str_equal (type, "ExternalName")) {
    const char *name = core_v1_validate_dns_member (spec, "externalName", "spec", FALSE, errors);
    if (name == NULL && timon_resource_member_is_unset (spec, "externalName"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.externalName", NULL, NULL);
    else if (name != NULL && name[0] == '\0')
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.externalName", NULL, NULL);
  } else {
    timon_resource_get_string (spec, "externalName", "spec", errors);
  }
  validate_ports (spec, type, errors);

  JsonObject *selector = timon_resource_get_object (spec, "selector", "spec", errors);
  if (selector != NULL)
    timon_validate_labels (selector, "spec.selector", errors);
  JsonArray *external_ips = timon_resource_get_array (spec, "externalIPs", "spec", errors);
  for (guint i = 0; external_ips != NULL && i < json_array_get_length (external_ips); i++) {
    JsonNode *node = json_array_get_element (external_ips, i);
    g_autofree char *field = g_strdup_printf ("spec.externalIPs[%u]", i);
    if (!timon_resource_node_is_string (node) || !core_v1_is_ip (json_node_get_string (node)))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field,
                              timon_resource_node_is_string (node) ? json_node_get_string (node)
                                                                   : NULL,
                              "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
  }
  JsonObject *status = timon_resource_get_object (object, "status", NULL, errors);
  JsonObject *load_balancer = timon_resource_get_object (status, "loadBalancer", "status", errors);
  timon_resource_get_array (load_balancer, "ingress", "status.loadBalancer", errors);
}

static void
service_validate_update (JsonObject *object,
                         JsonObject *old,
                         TimonFieldErrors *errors,
                         gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *old_spec = timon_resource_get_object (old, "spec", NULL, NULL);

  service_validate (object, errors, user_data);
  if (spec == NULL || old_spec == NULL)
    return;
  /* An allocated address stays, unless the service becomes or stops
   * being an ExternalName one (which has none). */
  const char *ip = timon_resource_get_string (spec, "clusterIP", NULL, NULL);
  const char *old_ip = timon_resource_get_string (old_spec, "clusterIP", NULL, NULL);
  if (old_ip != NULL && old_ip[0] != '\0' && !g_str_equal (type_of (spec), "ExternalName") &&
      !g_str_equal (type_of (old_spec), "ExternalName") &&
      (ip == NULL || !g_str_equal (ip, old_ip)))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.clusterIP",
                            ip != NULL ? ip : "", CORE_V1_IMMUTABLE);
}

static char *
service_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  if (g_str_equal (field, "spec.clusterIP"))
    return timon_resource_dup_string_at (object, "spec", "clusterIP", NULL);
  if (g_str_equal (field, "spec.type"))
    return timon_resource_dup_string_at (object, "spec", "type", NULL);
  return NULL;
}

/* Appends the strings of the list @member of @object to @out. */
static void
append_strings (GPtrArray *out, JsonObject *object, const char *member)
{
  JsonArray *list = timon_resource_get_array (object, member, NULL, NULL);

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
    JsonNode *node = json_array_get_element (list, i);
    if (timon_resource_node_is_string (node))
      g_ptr_array_add (out, g_strdup (json_node_get_string (node)));
  }
}

static char *
join_or (GPtrArray *items, const char *none)
{
  if (items->len == 0)
    return g_strdup (none);
  g_ptr_array_add (items, NULL);
  return g_strjoinv (",", (char **) items->pdata);
}

/* kubectl's EXTERNAL-IP. */
static char *
dup_external_ip (JsonObject *object)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  const char *type = type_of (spec);
  g_autoptr (GPtrArray) ips = g_ptr_array_new_with_free_func (g_free);

  if (g_str_equal (type, "ExternalName")) {
    const char *name = timon_resource_get_string (spec, "externalName", NULL, NULL);
    return g_strdup (name != NULL && name[0] != '\0' ? name : "<none>");
  }
  if (g_str_equal (type, "LoadBalancer")) {
    JsonObject *status = timon_resource_get_object (object, "status", NULL, NULL);
    JsonObject *load_balancer = timon_resource_get_object (status, "loadBalancer", NULL, NULL);
    g_autoptr (GPtrArray) ingress = core_v1_dup_object_list (load_balancer, "ingress");
    for (guint i = 0; i < ingress->len; i++) {
      const char *ip = timon_resource_get_string (ingress->pdata[i], "ip", NULL, NULL);
      const char *host = timon_resource_get_string (ingress->pdata[i], "hostname", NULL, NULL);
      if (ip != NULL && ip[0] != '\0')
        g_ptr_array_add (ips, g_strdup (ip));
      else if (host != NULL && host[0] != '\0')
        g_ptr_array_add (ips, g_strdup (host));
    }
    append_strings (ips, spec, "externalIPs");
    return join_or (ips, "<pending>");
  }
  append_strings (ips, spec, "externalIPs");
  return join_or (ips, "<none>");
}

/* kubectl's PORT(S): port[:nodePort]/protocol, by commas. */
static char *
dup_ports (JsonObject *object)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  g_autoptr (GPtrArray) ports = core_v1_dup_object_list (spec, "ports");
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < ports->len; i++) {
    const char *protocol = timon_resource_get_string (ports->pdata[i], "protocol", NULL, NULL);
    gint64 port, node_port;

    timon_resource_get_int (ports->pdata[i], "port", NULL, NULL, &port);
    timon_resource_get_int (ports->pdata[i], "nodePort", NULL, NULL, &node_port);
    protocol = protocol != NULL ? protocol : "TCP";
    if (node_port != 0)
      g_ptr_array_add (cells, g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT "/%s", port,
                                               node_port, protocol));
    else
      g_ptr_array_add (cells, g_strdup_printf ("%" G_GINT64_FORMAT "/%s", port, protocol));
  }
  return join_or (cells, "<none>");
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* kubectl's SELECTOR: key=value, sorted by key. */
static char *
dup_selector (JsonObject *object)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *selector = timon_resource_get_object (spec, "selector", NULL, NULL);
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (selector != NULL) {
    json_object_iter_init_ordered (&iter, selector);
    while (json_object_iter_next_ordered (&iter, &key, &node)) {
      if (timon_resource_node_is_string (node))
        g_ptr_array_add (pairs, g_strconcat (key, "=", json_node_get_string (node), NULL));
    }
  }
  g_ptr_array_sort (pairs, compare_strings);
  return join_or (pairs, "<none>");
}

static char *
service_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "EXTERNAL-IP"))
    return dup_external_ip (object);
  if (g_str_equal (column, "PORT(S)"))
    return dup_ports (object);
  if (g_str_equal (column, "SELECTOR"))
    return dup_selector (object);
  return NULL;
}

TimonResourceType *
core_v1_service_new (void)
{
  static const char *const short_names[] = { "svc", NULL };
  static const char *const categories[] = { "all", NULL };
  static const char *const fields[] = { "spec.clusterIP", "spec.type", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = service_default,
    .validate_create = service_validate,
    .validate_update = service_validate_update,
    .get_field = service_get_field,
    .print_column = service_print_column,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "Service", "services", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_set_categories (type, categories);
  timon_resource_type_add_subresource (type, "status");
  timon_resource_type_set_selectable_fields (type, fields);
  timon_resource_type_add_column (type, "TYPE", "string", NULL, "The type of the service", 0,
                                  ".spec.type");
  timon_resource_type_add_column (type, "CLUSTER-IP", "string", NULL,
                                  "The address of the service in the cluster", 0,
                                  ".spec.clusterIP");
  timon_resource_type_add_column (type, "EXTERNAL-IP", "string", NULL,
                                  "The addresses of the service outside the cluster", 0, NULL);
  timon_resource_type_add_column (type, "PORT(S)", "string", NULL, "The ports of the service", 0,
                                  NULL);
  timon_resource_type_add_column (type, "SELECTOR", "string", NULL,
                                  "The labels of the pods the service sends to", 1, NULL);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
