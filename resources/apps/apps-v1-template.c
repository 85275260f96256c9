/* apps-v1-template.c: spec.template of the workloads, the pod each
 * controller makes.
 *
 * The checks here are deliberately light: that the pod has containers,
 * named by unique DNS labels, each with an image, and that it restarts
 * Always and has no deadline, as a controller's pods must. Full pod
 * validation lives with Pod in the core-v1 plugin; this plugin does not
 * depend on it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

#define TEMPLATE_SPEC "spec.template.spec"

/* Kubernetes' pod defaults (SetDefaults_PodSpec) that matter for what a
 * controller makes; @spec may be NULL. */
void
apps_v1_default_template (JsonObject *spec)
{
  JsonObject *template = timon_resource_ensure_object (spec, "template");
  JsonObject *pod_spec = timon_resource_ensure_object (template, "spec");

  timon_resource_default_string (pod_spec, "restartPolicy", "Always");
  timon_resource_default_string (pod_spec, "dnsPolicy", "ClusterFirst");
  apps_v1_default_int (pod_spec, "terminationGracePeriodSeconds", 30);
  timon_resource_default_string (pod_spec, "schedulerName", "default-scheduler");
}

static void
validate_container (JsonObject *container,
                    const char *path,
                    GHashTable *names,
                    TimonFieldErrors *errors)
{
  const char *name = timon_resource_get_string (container, "name", path, errors);
  const char *image = timon_resource_get_string (container, "image", path, errors);
  g_autofree char *name_field = timon_resource_path (path, "name");
  g_autofree char *image_field = timon_resource_path (path, "image");
  g_autofree char *message = NULL;

  if (name == NULL || name[0] == '\0') {
    if (timon_resource_member_is_unset (container, "name") || name != NULL)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, name_field, NULL, NULL);
  } else if (!timon_validate_dns1123_label (name, &message)) {
    timon_resource_add_invalid_messages (errors, name_field, name, message);
  } else if (!g_hash_table_add (names, (gpointer) name)) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_DUPLICATE, name_field, name,
                            "must be unique among the containers");
  }
  if ((image == NULL && timon_resource_member_is_unset (container, "image")) ||
      (image != NULL && image[0] == '\0'))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, image_field, NULL, NULL);
}

static void
validate_pod_spec (JsonObject *pod_spec, TimonFieldErrors *errors)
{
  static const char *const dns_policies[] = { "ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                              "None", NULL };
  JsonArray *containers = timon_resource_get_array (pod_spec, "containers", TEMPLATE_SPEC, errors);
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 grace;

  if (containers == NULL &&
      (pod_spec == NULL || timon_resource_member_is_unset (pod_spec, "containers")))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, TEMPLATE_SPEC ".containers", NULL,
                            NULL);
  else if (containers != NULL && json_array_get_length (containers) == 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, TEMPLATE_SPEC ".containers", NULL,
                            NULL);
  for (guint i = 0; containers != NULL && i < json_array_get_length (containers); i++) {
    JsonNode *node = json_array_get_element (containers, i);
    g_autofree char *path = g_strdup_printf (TEMPLATE_SPEC ".containers[%u]", i);

    if (JSON_NODE_HOLDS_OBJECT (node))
      validate_container (json_node_get_object (node), path, names, errors);
    else
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, path, NULL, "must be an object");
  }

  /* A controller replaces the pods that end: they must not end by
   * themselves. */
  const char *restart =
    timon_resource_get_string (pod_spec, "restartPolicy", TEMPLATE_SPEC, errors);
  if (restart != NULL && !g_str_equal (restart, "Always"))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, TEMPLATE_SPEC ".restartPolicy",
                            restart, "supported values: \"Always\"");
  const char *dns = timon_resource_get_string (pod_spec, "dnsPolicy", TEMPLATE_SPEC, errors);
  if (dns != NULL && !g_strv_contains (dns_policies, dns))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, TEMPLATE_SPEC ".dnsPolicy",
                            dns,
                            "supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", "
                            "\"Default\", \"None\"");
  timon_resource_get_string (pod_spec, "schedulerName", TEMPLATE_SPEC, errors);
  JsonObject *node_selector =
    timon_resource_get_object (pod_spec, "nodeSelector", TEMPLATE_SPEC, errors);
  if (node_selector != NULL) {
    JsonObjectIter iter;
    const char *key;
    JsonNode *node;

    json_object_iter_init_ordered (&iter, node_selector);
    while (json_object_iter_next_ordered (&iter, &key, &node)) {
      g_autofree char *field = g_strdup_printf (TEMPLATE_SPEC ".nodeSelector[%s]", key);
      if (!timon_resource_node_is_string (node))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
    }
  }
  if (timon_resource_get_int32 (pod_spec, "terminationGracePeriodSeconds", TEMPLATE_SPEC, errors,
                                &grace) &&
      grace < 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID,
                            TEMPLATE_SPEC ".terminationGracePeriodSeconds", NULL,
                            TIMON_RESOURCE_NONNEGATIVE);
}

/* Checks spec.template of @spec (which may be NULL): its labels and
 * annotations, that the selector (when @selector_valid) matches its
 * labels, and its pod, lightly. A pod of a controller has no deadline,
 * which would end it only to have it replaced: @deadline_message says
 * so, as Kubernetes does for the kind. */
void
apps_v1_validate_template (JsonObject *spec,
                           gboolean selector_valid,
                           const char *deadline_message,
                           TimonFieldErrors *errors)
{
  JsonObject *template = timon_resource_get_object (spec, "template", "spec", errors);
  JsonObject *metadata = timon_resource_get_object (template, "metadata", "spec.template", errors);
  JsonObject *labels =
    timon_resource_get_object (metadata, "labels", "spec.template.metadata", errors);
  JsonObject *annotations =
    timon_resource_get_object (metadata, "annotations", "spec.template.metadata", errors);

  if (labels != NULL)
    timon_validate_labels (labels, "spec.template.metadata.labels", errors);
  if (annotations != NULL)
    timon_validate_annotations (annotations, "spec.template.metadata.annotations", errors);
  if (selector_valid &&
      !apps_v1_selector_matches (timon_resource_get_object (spec, "selector", NULL, NULL), labels))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.template.metadata.labels",
                            NULL, "`selector` does not match template `labels`");
  JsonObject *pod_spec = timon_resource_get_object (template, "spec", "spec.template", errors);
  validate_pod_spec (pod_spec, errors);
  if (pod_spec != NULL && !timon_resource_member_is_unset (pod_spec, "activeDeadlineSeconds"))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID,
                            TEMPLATE_SPEC ".activeDeadlineSeconds", NULL, "%s", deadline_message);
}

/* @member ("name", "image") of each container of the pod template,
 * joined by ',' as kubectl prints them. */
char *
apps_v1_dup_containers (JsonObject *object, const char *member)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *template = timon_resource_get_object (spec, "template", NULL, NULL);
  JsonObject *pod_spec = timon_resource_get_object (template, "spec", NULL, NULL);
  JsonArray *containers = timon_resource_get_array (pod_spec, "containers", NULL, NULL);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; containers != NULL && i < json_array_get_length (containers); i++) {
    JsonNode *node = json_array_get_element (containers, i);
    JsonObject *container = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    const char *value = timon_resource_get_string (container, member, NULL, NULL);

    if (value != NULL)
      g_string_append_printf (out, "%s%s", out->len > 0 ? "," : "", value);
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The wide columns every workload prints (kubectl get -o wide). */
char *
apps_v1_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "CONTAINERS"))
    return apps_v1_dup_containers (object, "name");
  if (g_str_equal (column, "IMAGES"))
    return apps_v1_dup_containers (object, "image");
  if (g_str_equal (column, "SELECTOR")) {
    JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
    return apps_v1_selector_to_string (timon_resource_get_object (spec, "selector", NULL, NULL));
  }
  return NULL;
}

void
apps_v1_add_wide_columns (TimonResourceType *type, gboolean with_selector)
{
  timon_resource_type_add_column (type, "CONTAINERS", "string", NULL,
                                  "The names of the containers of the pod template", 1, NULL);
  timon_resource_type_add_column (type, "IMAGES", "string", NULL,
                                  "The images of the containers of the pod template", 1, NULL);
  if (with_selector)
    timon_resource_type_add_column (type, "SELECTOR", "string", NULL,
                                    "The label selector of the pods", 1, NULL);
}
