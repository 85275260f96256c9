/* core-v1-node.c: Node, as Kubernetes' core/v1 defaults and validates it
 * (SetDefaults_NodeStatus, ValidateNode, ValidateNodeUpdate) and as
 * kubectl prints it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"

#define ROLE_LABEL_PREFIX "node-role.kubernetes.io/"
#define ROLE_LABEL "kubernetes.io/role"

static void
node_default (JsonObject *object, gpointer user_data)
{
  /* What a node can give is, unless it says otherwise, all it has. */
  JsonObject *status = timon_resource_get_object (object, "status", NULL, NULL);
  JsonNode *capacity = status != NULL ? json_object_get_member (status, "capacity") : NULL;

  if (capacity != NULL && JSON_NODE_HOLDS_OBJECT (capacity) &&
      timon_resource_member_is_unset (status, "allocatable"))
    json_object_set_member (status, "allocatable", json_node_copy (capacity));
}

/* A node's pod CIDRs: at most one of each IP family. */
static void
validate_pod_cidrs (JsonObject *spec, TimonFieldErrors *errors)
{
  const char *cidr = timon_resource_get_string (spec, "podCIDR", "spec", errors);
  JsonArray *cidrs = timon_resource_get_array (spec, "podCIDRs", "spec", errors);
  gboolean has_v4 = FALSE, has_v6 = FALSE;

  if (cidr != NULL && cidr[0] != '\0' && !core_v1_is_cidr (cidr))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.podCIDR", cidr,
                            "must be a valid CIDR");
  for (guint i = 0; cidrs != NULL && i < json_array_get_length (cidrs); i++) {
    JsonNode *node = json_array_get_element (cidrs, i);
    g_autofree char *field = g_strdup_printf ("spec.podCIDRs[%u]", i);

    if (!timon_resource_node_is_string (node)) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
      continue;
    }
    const char *value = json_node_get_string (node);
    if (!core_v1_is_cidr (value)) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, value,
                              "must be a valid CIDR");
      continue;
    }
    gboolean *seen = core_v1_is_ipv6 (value) ? &has_v6 : &has_v4;
    if (*seen)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.podCIDRs", NULL,
                              "may specify no more than one CIDR for each IP family");
    *seen = TRUE;
  }
}

static void
validate_taints (JsonObject *spec, TimonFieldErrors *errors)
{
  static const char *const effects[] = { "NoSchedule", "PreferNoSchedule", "NoExecute", NULL };
  JsonArray *taints = timon_resource_get_array (spec, "taints", "spec", errors);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; taints != NULL && i < json_array_get_length (taints); i++) {
    g_autofree char *path = g_strdup_printf ("spec.taints[%u]", i);
    JsonObject *taint = core_v1_array_get_object (taints, i, "spec.taints", errors);
    g_autofree char *message = NULL;

    if (taint == NULL)
      continue;
    g_autofree char *key_field = timon_resource_path (path, "key");
    const char *key = timon_resource_get_string (taint, "key", path, errors);
    if (key == NULL && timon_resource_member_is_unset (taint, "key"))
      key = "";
    if (key != NULL && !timon_validate_qualified_name (key, &message))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, key_field, key, "%s", message);

    g_autofree char *value_field = timon_resource_path (path, "value");
    const char *value = timon_resource_get_string (taint, "value", path, errors);
    g_clear_pointer (&message, g_free);
    if (value != NULL && !timon_validate_label_value (value, &message))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, value_field, value, "%s", message);

    g_autofree char *effect_field = timon_resource_path (path, "effect");
    const char *effect = timon_resource_get_string (taint, "effect", path, errors);
    if (effect != NULL || timon_resource_member_is_unset (taint, "effect"))
      core_v1_validate_enum (effect != NULL ? effect : "", effects, TRUE, effect_field, errors);

    if (key != NULL && effect != NULL) {
      char *pair = g_strconcat (key, ":", effect, NULL);
      if (!g_hash_table_add (seen, pair))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_DUPLICATE, "spec.taints", pair,
                                "taints must be unique by key and effect pair");
    }
  }
}

static void
node_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);
  JsonObject *status = timon_resource_get_object (object, "status", NULL, errors);
  gboolean unschedulable;

  validate_pod_cidrs (spec, errors);
  validate_taints (spec, errors);
  timon_resource_get_boolean (spec, "unschedulable", "spec", errors, &unschedulable);
  timon_resource_get_string (spec, "providerID", "spec", errors);
  core_v1_validate_resource_list (status, "capacity", "status", errors);
  core_v1_validate_resource_list (status, "allocatable", "status", errors);
  timon_resource_get_array (status, "conditions", "status", errors);
  timon_resource_get_array (status, "addresses", "status", errors);
  timon_resource_get_object (status, "nodeInfo", "status", errors);
}

/* @member of both specs, when it was set: it may not change. */
static void
validate_set_once (JsonObject *spec,
                   JsonObject *old_spec,
                   const char *member,
                   const char *what,
                   TimonFieldErrors *errors)
{
  JsonNode *old_node = old_spec != NULL ? json_object_get_member (old_spec, member) : NULL;

  if (old_node == NULL || JSON_NODE_HOLDS_NULL (old_node) ||
      (timon_resource_node_is_string (old_node) && json_node_get_string (old_node)[0] == '\0') ||
      (JSON_NODE_HOLDS_ARRAY (old_node) &&
       json_array_get_length (json_node_get_array (old_node)) == 0))
    return;
  if (spec != NULL && core_v1_members_equal (spec, old_spec, member))
    return;
  g_autofree char *field = timon_resource_path ("spec", member);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, field, NULL,
                          "node updates may not change %s except from \"\" to valid", what);
}

static void
node_validate_update (JsonObject *object,
                      JsonObject *old,
                      TimonFieldErrors *errors,
                      gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *old_spec = timon_resource_get_object (old, "spec", NULL, NULL);

  node_validate (object, errors, user_data);
  validate_set_once (spec, old_spec, "podCIDR", "podCIDR", errors);
  validate_set_once (spec, old_spec, "podCIDRs", "podCIDR", errors);
  validate_set_once (spec, old_spec, "providerID", "providerID", errors);
}

static char *
node_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  if (g_str_equal (field, "spec.unschedulable")) {
    gboolean unschedulable;
    timon_resource_get_boolean (timon_resource_get_object (object, "spec", NULL, NULL),
                                "unschedulable", NULL, NULL, &unschedulable);
    return g_strdup (unschedulable ? "true" : "false");
  }
  return NULL;
}

/* kubectl's STATUS: the Ready condition, then whether pods may come. */
static char *
dup_status (JsonObject *object)
{
  JsonObject *status = timon_resource_get_object (object, "status", NULL, NULL);
  g_autoptr (GPtrArray) conditions = core_v1_dup_object_list (status, "conditions");
  const char *ready = "Unknown";
  gboolean unschedulable;

  for (guint i = 0; i < conditions->len; i++) {
    const char *type = timon_resource_get_string (conditions->pdata[i], "type", NULL, NULL);
    const char *value = timon_resource_get_string (conditions->pdata[i], "status", NULL, NULL);

    if (type == NULL || !g_str_equal (type, "Ready"))
      continue;
    if (value != NULL && g_str_equal (value, "True"))
      ready = "Ready";
    else if (value != NULL && g_str_equal (value, "False"))
      ready = "NotReady";
  }
  timon_resource_get_boolean (timon_resource_get_object (object, "spec", NULL, NULL),
                              "unschedulable", NULL, NULL, &unschedulable);
  return g_strconcat (ready, unschedulable ? ",SchedulingDisabled" : "", NULL);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* kubectl's ROLES: node-role.kubernetes.io/<role> labels and the older
 * kubernetes.io/role, sorted. */
static char *
dup_roles (JsonObject *object)
{
  JsonObject *metadata = timon_resource_get_object (object, "metadata", NULL, NULL);
  JsonObject *labels = timon_resource_get_object (metadata, "labels", NULL, NULL);
  g_autoptr (GPtrArray) roles = g_ptr_array_new_with_free_func (g_free);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (labels != NULL) {
    json_object_iter_init_ordered (&iter, labels);
    while (json_object_iter_next_ordered (&iter, &key, &node)) {
      if (g_str_has_prefix (key, ROLE_LABEL_PREFIX) && key[strlen (ROLE_LABEL_PREFIX)] != '\0')
        g_ptr_array_add (roles, g_strdup (key + strlen (ROLE_LABEL_PREFIX)));
      else if (g_str_equal (key, ROLE_LABEL) && timon_resource_node_is_string (node) &&
               json_node_get_string (node)[0] != '\0')
        g_ptr_array_add (roles, g_strdup (json_node_get_string (node)));
    }
  }
  if (roles->len == 0)
    return g_strdup ("<none>");
  g_ptr_array_sort (roles, compare_strings);
  g_ptr_array_add (roles, NULL);
  return g_strjoinv (",", (char **) roles->pdata);
}

static char *
node_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "STATUS"))
    return dup_status (object);
  if (g_str_equal (column, "ROLES"))
    return dup_roles (object);
  if (g_str_equal (column, "INTERNAL-IP") || g_str_equal (column, "EXTERNAL-IP")) {
    /* The first address of that type, as Kubernetes prints it. */
    const char *wanted = g_str_equal (column, "INTERNAL-IP") ? "InternalIP" : "ExternalIP";
    JsonArray *addresses =
      timon_resource_get_array (timon_resource_get_object (object, "status", NULL, NULL),
                                "addresses", NULL, NULL);
    for (guint i = 0; addresses != NULL && i < json_array_get_length (addresses); i++) {
      JsonNode *a = json_array_get_element (addresses, i);
      if (!JSON_NODE_HOLDS_OBJECT (a))
        continue;
      g_autofree char *type = timon_resource_dup_string_at (json_node_get_object (a), "type", NULL);
      if (g_strcmp0 (type, wanted) == 0)
        return timon_resource_dup_string_at (json_node_get_object (a), "address", NULL);
    }
    return g_strdup ("<none>");
  }
  return NULL;
}

TimonResourceType *
core_v1_node_new (void)
{
  static const char *const short_names[] = { "no", NULL };
  static const char *const fields[] = { "spec.unschedulable", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = node_default,
    .validate_create = node_validate,
    .validate_update = node_validate_update,
    .get_field = node_get_field,
    .print_column = node_print_column,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "Node", "nodes", TIMON_RESOURCE_CLUSTER);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_subresource (type, "status");
  timon_resource_type_set_selectable_fields (type, fields);
  timon_resource_type_add_column (type, "STATUS", "string", NULL,
                                  "Whether the node is ready and schedulable", 0, NULL);
  timon_resource_type_add_column (type, "ROLES", "string", NULL, "The roles of the node", 0, NULL);
  timon_resource_type_add_column (type, "VERSION", "string", NULL,
                                  "The version of the node's kubelet", 0,
                                  ".status.nodeInfo.kubeletVersion");
  timon_resource_type_add_column (type, "INTERNAL-IP", "string", NULL,
                                  "The node's address inside the cluster", 1, NULL);
  timon_resource_type_add_column (type, "EXTERNAL-IP", "string", NULL,
                                  "The node's address outside the cluster", 1, NULL);
  timon_resource_type_add_column (type, "OS-IMAGE", "string", NULL, "The node's operating system",
                                  1, ".status.nodeInfo.osImage");
  timon_resource_type_add_column (type, "KERNEL-VERSION", "string", NULL,
                                  "The node's kernel version", 1, ".status.nodeInfo.kernelVersion");
  timon_resource_type_add_column (type, "CONTAINER-RUNTIME", "string", NULL,
                                  "The node's container runtime and its version", 1,
                                  ".status.nodeInfo.containerRuntimeVersion");
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
