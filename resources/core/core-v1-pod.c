/* core-v1-pod.c: Pod, as Kubernetes' core/v1 defaults and validates it
 * (SetDefaults_Pod, SetDefaults_PodSpec, SetDefaults_Container,
 * ValidatePodCreate, ValidatePodUpdate) and as kubectl prints it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"

#define DEFAULT_GRACE_PERIOD 30
#define UPDATE_FORBIDDEN                                                                  \
  "pod updates may not change fields other than `spec.containers[*].image`,"              \
  "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only " \
  "additions to existing tolerations),`spec.terminationGracePeriodSeconds`"
#define ENV_NAME_MSG                                                                         \
  "a valid environment variable name must consist only of printable ASCII characters other " \
  "than '='"

/* The sources a volume may take its data from. */
static const char *const volume_sources[] = {
  "emptyDir",  "configMap",   "secret", "hostPath", "persistentVolumeClaim",
  "projected", "downwardAPI", NULL,
};

static const char *const container_lists[] = { "initContainers", "containers", NULL };

/* Kubernetes pulls an image whose tag may move: ":latest", or no tag
 * (which means latest). A digest pins the image. An image Kubernetes
 * cannot parse, as an empty one, has no tag: IfNotPresent. */
static const char *
pull_policy_for (const char *image)
{
  if (image == NULL || image[0] == '\0')
    return "IfNotPresent";
  const char *last = strrchr (image, '/');
  const char *name = last != NULL ? last + 1 : image;
  const char *colon = strchr (name, ':');

  if (strchr (name, '@') != NULL)
    return "IfNotPresent";
  if (colon == NULL || g_str_equal (colon + 1, "latest"))
    return "Always";
  return "IfNotPresent";
}

static void
default_container (JsonObject *container)
{
  const char *image = timon_resource_get_string (container, "image", NULL, NULL);

  timon_resource_default_string (container, "imagePullPolicy", pull_policy_for (image));
  timon_resource_default_string (container, "terminationMessagePath", "/dev/termination-log");
  timon_resource_default_string (container, "terminationMessagePolicy", "File");

  g_autoptr (GPtrArray) ports = core_v1_dup_object_list (container, "ports");
  for (guint i = 0; i < ports->len; i++)
    timon_resource_default_string (ports->pdata[i], "protocol", "TCP");

  /* A limit without a request is also the request (SetDefaults_Pod). */
  JsonObject *resources = timon_resource_get_object (container, "resources", NULL, NULL);
  JsonObject *limits = timon_resource_get_object (resources, "limits", NULL, NULL);
  if (limits == NULL || json_object_get_size (limits) == 0)
    return;
  JsonObject *requests = timon_resource_ensure_object (resources, "requests");
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;
  json_object_iter_init_ordered (&iter, limits);
  while (requests != NULL && json_object_iter_next_ordered (&iter, &key, &node)) {
    if (!json_object_has_member (requests, key))
      json_object_set_member (requests, key, json_node_copy (node));
  }
}

/* The quantity of @resource in the map @member of a container's
 * resources, or FALSE. */
static gboolean
container_quantity (JsonObject *container, const char *member, const char *resource, double *value)
{
  JsonObject *resources = timon_resource_get_object (container, "resources", NULL, NULL);
  JsonObject *map = timon_resource_get_object (resources, member, NULL, NULL);

  *value = 0;
  return map != NULL && core_v1_quantity_value (json_object_get_member (map, resource), value);
}

/* The QoS class of the pod (GetPodQOS): BestEffort without requests nor
 * limits of cpu and memory, Guaranteed when every container limits both
 * and requests what it limits, Burstable otherwise. */
static const char *
qos_class (JsonObject *spec)
{
  static const char *const compute[] = { "cpu", "memory", NULL };
  gboolean best_effort = TRUE, guaranteed = TRUE;

  for (const char *const *list = container_lists; *list != NULL; list++) {
    g_autoptr (GPtrArray) containers = core_v1_dup_object_list (spec, *list);
    for (guint i = 0; i < containers->len; i++) {
      for (const char *const *r = compute; *r != NULL; r++) {
        double request, limit;
        gboolean has_request = container_quantity (containers->pdata[i], "requests", *r, &request);
        gboolean has_limit = container_quantity (containers->pdata[i], "limits", *r, &limit);

        if ((has_request && request > 0) || (has_limit && limit > 0))
          best_effort = FALSE;
        if (!has_limit || (has_request && request != limit))
          guaranteed = FALSE;
      }
    }
  }
  if (best_effort)
    return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

static void
pod_default (JsonObject *object, gpointer user_data)
{
  JsonObject *spec = timon_resource_ensure_object (object, "spec");

  if (spec != NULL) {
    timon_resource_default_string (spec, "restartPolicy", "Always");
    timon_resource_default_string (spec, "dnsPolicy", "ClusterFirst");
    timon_resource_default_string (spec, "schedulerName", "default-scheduler");
    timon_resource_default_string (spec, "serviceAccountName", "default");
    if (timon_resource_member_is_unset (spec, "terminationGracePeriodSeconds"))
      json_object_set_int_member (spec, "terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD);
    if (timon_resource_member_is_unset (spec, "enableServiceLinks"))
      json_object_set_boolean_member (spec, "enableServiceLinks", TRUE);
    timon_resource_ensure_object (spec, "securityContext");
    for (const char *const *list = container_lists; *list != NULL; list++) {
      g_autoptr (GPtrArray) containers = core_v1_dup_object_list (spec, *list);
      for (guint i = 0; i < containers->len; i++)
        default_container (containers->pdata[i]);
    }
  }

  JsonObject *status = timon_resource_ensure_object (object, "status");
  timon_resource_default_string (status, "phase", "Pending");
  if (status != NULL && spec != NULL)
    timon_resource_default_string (status, "qosClass", qos_class (spec));
}

/* Validation */

static void
validate_env (JsonObject *container, const char *path, TimonFieldErrors *errors)
{
  JsonArray *env = timon_resource_get_array (container, "env", path, errors);
  g_autofree char *env_path = timon_resource_path (path, "env");

  for (guint i = 0; env != NULL && i < json_array_get_length (env); i++) {
    g_autofree char *item_path = g_strdup_printf ("%s[%u]", env_path, i);
    JsonObject *var = core_v1_array_get_object (env, i, env_path, errors);
    g_autofree char *field = timon_resource_path (item_path, "name");
    const char *name = timon_resource_get_string (var, "name", item_path, errors);

    if (var == NULL)
      continue;
    if (name == NULL || name[0] == '\0') {
      if (timon_resource_member_is_unset (var, "name") || name != NULL)
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, field, NULL, NULL);
    } else {
      gboolean printable = TRUE;
      for (const char *p = name; *p != '\0'; p++)
        printable = printable && *p >= ' ' && *p <= '~' && *p != '=';
      if (!printable)
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, name, ENV_NAME_MSG);
    }
    timon_resource_get_string (var, "value", item_path, errors);
    timon_resource_get_object (var, "valueFrom", item_path, errors);
  }
}

static void
validate_ports (JsonObject *container, const char *path, TimonFieldErrors *errors)
{
  JsonArray *ports = timon_resource_get_array (container, "ports", path, errors);
  g_autofree char *ports_path = timon_resource_path (path, "ports");
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; ports != NULL && i < json_array_get_length (ports); i++) {
    g_autofree char *item_path = g_strdup_printf ("%s[%u]", ports_path, i);
    JsonObject *port = core_v1_array_get_object (ports, i, ports_path, errors);
    gint64 number;

    if (port == NULL)
      continue;
    const char *name = timon_resource_get_string (port, "name", item_path, errors);
    if (name != NULL && name[0] != '\0') {
      g_autofree char *field = timon_resource_path (item_path, "name");
      core_v1_validate_port_name (name, field, errors);
      if (g_hash_table_contains (names, name))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_DUPLICATE, field, name, "%s",
                                "port names must be unique");
      g_hash_table_add (names, (gpointer) name);
    }
    g_autofree char *container_port = timon_resource_path (item_path, "containerPort");
    gboolean has_port = timon_resource_get_int (port, "containerPort", item_path, errors, &number);
    if (has_port && number != 0)
      core_v1_validate_port_number (number, container_port, errors);
    else if (has_port || timon_resource_member_is_unset (port, "containerPort"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, container_port, NULL, NULL);
    if (timon_resource_get_int (port, "hostPort", item_path, errors, &number) && number != 0) {
      g_autofree char *field = timon_resource_path (item_path, "hostPort");
      core_v1_validate_port_number (number, field, errors);
    }
    core_v1_validate_protocol (port, item_path, errors);
    core_v1_validate_ip_member (port, "hostIP", item_path, FALSE, errors);
  }
}

/* Requests are quantities, and none is above its limit. */
static void
validate_resources (JsonObject *container, const char *path, TimonFieldErrors *errors)
{
  JsonObject *resources = timon_resource_get_object (container, "resources", path, errors);
  g_autofree char *resources_path = timon_resource_path (path, "resources");
  JsonObject *limits = core_v1_validate_resource_list (resources, "limits", resources_path, errors);
  JsonObject *requests =
    core_v1_validate_resource_list (resources, "requests", resources_path, errors);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (limits == NULL || requests == NULL)
    return;
  json_object_iter_init_ordered (&iter, requests);
  while (json_object_iter_next_ordered (&iter, &key, &node)) {
    JsonNode *limit_node = json_object_get_member (limits, key);
    double request, limit;

    if (limit_node == NULL || !core_v1_quantity_value (node, &request) ||
        !core_v1_quantity_value (limit_node, &limit) || request <= limit)
      continue;
    g_autofree char *requests_path = timon_resource_path (resources_path, "requests");
    g_autofree char *field = core_v1_key_path (requests_path, key);
    g_autofree char *text = core_v1_quantity_dup_text (node);
    g_autofree char *limit_text = core_v1_quantity_dup_text (limit_node);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, text,
                            "must be less than or equal to %s limit of %s", key, limit_text);
  }
}

static void
validate_volume_mounts (JsonObject *container,
                        const char *path,
                        GHashTable *volumes,
                        TimonFieldErrors *errors)
{
  JsonArray *mounts = timon_resource_get_array (container, "volumeMounts", path, errors);
  g_autofree char *mounts_path = timon_resource_path (path, "volumeMounts");
  g_autoptr (GHashTable) paths = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; mounts != NULL && i < json_array_get_length (mounts); i++) {
    g_autofree char *item_path = g_strdup_printf ("%s[%u]", mounts_path, i);
    JsonObject *mount = core_v1_array_get_object (mounts, i, mounts_path, errors);
    gboolean read_only;

    if (mount == NULL)
      continue;
    g_autofree char *name_field = timon_resource_path (item_path, "name");
    const char *name = timon_resource_get_string (mount, "name", item_path, errors);
    if (name == NULL || name[0] == '\0') {
      if (name != NULL || timon_resource_member_is_unset (mount, "name"))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, name_field, NULL, NULL);
    } else if (!g_hash_table_contains (volumes, name)) {
      /* Kubernetes says NotFound, a reason the SDK does not have. */
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, name_field, name,
                              "not found: must be the name of a volume of the pod");
    }
    g_autofree char *path_field = timon_resource_path (item_path, "mountPath");
    const char *mount_path = timon_resource_get_string (mount, "mountPath", item_path, errors);
    if ((mount_path == NULL && timon_resource_member_is_unset (mount, "mountPath")) ||
        (mount_path != NULL && mount_path[0] == '\0'))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, path_field, NULL, NULL);
    else if (mount_path != NULL && !g_hash_table_add (paths, (gpointer) mount_path))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, path_field, mount_path,
                              "must be unique");
    timon_resource_get_boolean (mount, "readOnly", item_path, errors, &read_only);
    timon_resource_get_string (mount, "subPath", item_path, errors);
  }
}

static void
validate_container (JsonObject *container,
                    const char *path,
                    GHashTable *names,
                    GHashTable *volumes,
                    TimonFieldErrors *errors)
{
  static const char *const pull_policies[] = { "Always", "IfNotPresent", "Never", NULL };
  static const char *const message_policies[] = { "File", "FallbackToLogsOnError", NULL };
  g_autofree char *name_field = timon_resource_path (path, "name");
  const char *name = timon_resource_get_string (container, "name", path, errors);

  if (name == NULL || name[0] == '\0') {
    if (name != NULL || timon_resource_member_is_unset (container, "name"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, name_field, NULL, NULL);
  } else {
    g_autofree char *message = NULL;
    if (!timon_validate_dns1123_label (name, &message))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, name_field, name, "%s", message);
    if (g_hash_table_contains (names, name))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_DUPLICATE, name_field, name, "%s",
                              "container names must be unique");
    g_hash_table_add (names, (gpointer) name);
  }

  g_autofree char *image_field = timon_resource_path (path, "image");
  const char *image = timon_resource_get_string (container, "image", path, errors);
  if ((image == NULL && timon_resource_member_is_unset (container, "image")) ||
      (image != NULL && image[0] == '\0'))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, image_field, NULL, NULL);
  else if (image != NULL &&
           (g_ascii_isspace (image[0]) || g_ascii_isspace (image[strlen (image) - 1])))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, image_field, image,
                            "must not have leading or trailing whitespace");

  g_autofree char *pull_field = timon_resource_path (path, "imagePullPolicy");
  core_v1_validate_enum (timon_resource_get_string (container, "imagePullPolicy", path, errors),
                         pull_policies, FALSE, pull_field, errors);
  g_autofree char *message_field = timon_resource_path (path, "terminationMessagePolicy");
  core_v1_validate_enum (timon_resource_get_string (container, "terminationMessagePolicy", path,
                                                    errors),
                         message_policies, FALSE, message_field, errors);
  timon_resource_get_string (container, "terminationMessagePath", path, errors);
  timon_resource_get_array (container, "command", path, errors);
  timon_resource_get_array (container, "args", path, errors);
  timon_resource_get_string (container, "workingDir", path, errors);

  validate_ports (container, path, errors);
  validate_env (container, path, errors);
  validate_resources (container, path, errors);
  validate_volume_mounts (container, path, volumes, errors);
}

/* Volumes: unique DNS label names, one source each. Fills @names. */
static void
validate_volumes (JsonObject *spec, GHashTable *names, TimonFieldErrors *errors)
{
  JsonArray *volumes = timon_resource_get_array (spec, "volumes", "spec", errors);

  for (guint i = 0; volumes != NULL && i < json_array_get_length (volumes); i++) {
    g_autofree char *path = g_strdup_printf ("spec.volumes[%u]", i);
    JsonObject *volume = core_v1_array_get_object (volumes, i, "spec.volumes", errors);
    const char *first = NULL;

    if (volume == NULL)
      continue;
    g_autofree char *name_field = timon_resource_path (path, "name");
    const char *name = timon_resource_get_string (volume, "name", path, errors);
    if (name == NULL || name[0] == '\0') {
      if (name != NULL || timon_resource_member_is_unset (volume, "name"))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, name_field, NULL, NULL);
    } else {
      g_autofree char *message = NULL;
      if (!timon_validate_dns1123_label (name, &message))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, name_field, name, "%s", message);
      if (g_hash_table_contains (names, name))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_DUPLICATE, name_field, name, "%s",
                                "volume names must be unique");
      g_hash_table_add (names, (gpointer) name);
    }

    for (const char *const *s = volume_sources; *s != NULL; s++) {
      if (timon_resource_member_is_unset (volume, *s))
        continue;
      g_autofree char *field = timon_resource_path (path, *s);
      JsonObject *source = timon_resource_get_object (volume, *s, path, errors);
      if (first != NULL) {
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, field, NULL,
                                "may not specify more than 1 volume type");
        continue;
      }
      first = *s;
      if (g_str_equal (*s, "hostPath")) {
        const char *host_path = timon_resource_get_string (source, "path", field, errors);
        if (source != NULL && (host_path == NULL || host_path[0] == '\0')) {
          g_autofree char *path_field = timon_resource_path (field, "path");
          timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, path_field, NULL, NULL);
        }
      } else if (g_str_equal (*s, "persistentVolumeClaim")) {
        const char *claim = timon_resource_get_string (source, "claimName", field, errors);
        if (source != NULL && (claim == NULL || claim[0] == '\0')) {
          g_autofree char *claim_field = timon_resource_path (field, "claimName");
          timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, claim_field, NULL, NULL);
        }
      } else if (g_str_equal (*s, "configMap")) {
        timon_resource_get_string (source, "name", field, errors);
      } else if (g_str_equal (*s, "secret")) {
        timon_resource_get_string (source, "secretName", field, errors);
      }
    }
    if (first == NULL)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, path, NULL,
                              "must specify a volume type");
  }
}

static void
validate_tolerations (JsonObject *spec, TimonFieldErrors *errors)
{
  static const char *const operators[] = { "Equal", "Exists", NULL };
  static const char *const effects[] = { "NoSchedule", "PreferNoSchedule", "NoExecute", NULL };
  JsonArray *tolerations = timon_resource_get_array (spec, "tolerations", "spec", errors);

  for (guint i = 0; tolerations != NULL && i < json_array_get_length (tolerations); i++) {
    g_autofree char *path = g_strdup_printf ("spec.tolerations[%u]", i);
    JsonObject *toleration = core_v1_array_get_object (tolerations, i, "spec.tolerations", errors);
    gint64 seconds;

    if (toleration == NULL)
      continue;
    const char *key = timon_resource_get_string (toleration, "key", path, errors);
    if (key != NULL && key[0] != '\0') {
      g_autofree char *message = NULL;
      g_autofree char *field = timon_resource_path (path, "key");
      if (!timon_validate_qualified_name (key, &message))
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key, "%s", message);
    }
    g_autofree char *operator_field = timon_resource_path (path, "operator");
    core_v1_validate_enum (timon_resource_get_string (toleration, "operator", path, errors),
                           operators, FALSE, operator_field, errors);
    g_autofree char *effect_field = timon_resource_path (path, "effect");
    const char *effect = timon_resource_get_string (toleration, "effect", path, errors);
    if (effect != NULL && effect[0] != '\0')
      core_v1_validate_enum (effect, effects, FALSE, effect_field, errors);
    timon_resource_get_string (toleration, "value", path, errors);
    timon_resource_get_int (toleration, "tolerationSeconds", path, errors, &seconds);
  }
}

static void
validate_spec (JsonObject *spec, TimonFieldErrors *errors)
{
  static const char *const restart_policies[] = { "Always", "OnFailure", "Never", NULL };
  static const char *const dns_policies[] = { "ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                              "None", NULL };
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) volumes = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 seconds;
  gboolean flag;

  validate_volumes (spec, volumes, errors);
  /* Init containers first: a name they take is a duplicate in containers
   * too, as Kubernetes reports it. */
  JsonArray *init = timon_resource_get_array (spec, "initContainers", "spec", errors);
  for (guint i = 0; init != NULL && i < json_array_get_length (init); i++) {
    g_autofree char *path = g_strdup_printf ("spec.initContainers[%u]", i);
    JsonObject *container = core_v1_array_get_object (init, i, "spec.initContainers", errors);
    if (container != NULL)
      validate_container (container, path, names, volumes, errors);
  }
  JsonArray *containers = timon_resource_get_array (spec, "containers", "spec", errors);
  if (containers == NULL && timon_resource_member_is_unset (spec, "containers"))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.containers", NULL, NULL);
  else if (containers != NULL && json_array_get_length (containers) == 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.containers", NULL, NULL);
  for (guint i = 0; containers != NULL && i < json_array_get_length (containers); i++) {
    g_autofree char *path = g_strdup_printf ("spec.containers[%u]", i);
    JsonObject *container = core_v1_array_get_object (containers, i, "spec.containers", errors);
    if (container != NULL)
      validate_container (container, path, names, volumes, errors);
  }

  core_v1_validate_enum (timon_resource_get_string (spec, "restartPolicy", "spec", errors),
                         restart_policies, TRUE, "spec.restartPolicy", errors);
  const char *dns_policy = timon_resource_get_string (spec, "dnsPolicy", "spec", errors);
  core_v1_validate_enum (dns_policy, dns_policies, TRUE, "spec.dnsPolicy", errors);
  JsonObject *dns_config = timon_resource_get_object (spec, "dnsConfig", "spec", errors);
  if (dns_policy != NULL && g_str_equal (dns_policy, "None") && dns_config == NULL)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.dnsConfig", NULL,
                            "must provide `dnsConfig` when `dnsPolicy` is None");

  if (timon_resource_get_int (spec, "terminationGracePeriodSeconds", "spec", errors, &seconds) &&
      seconds < 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.terminationGracePeriodSeconds",
                            NULL, "must be greater than or equal to 0");
  if (timon_resource_get_int (spec, "activeDeadlineSeconds", "spec", errors, &seconds) &&
      (seconds < 1 || seconds > G_MAXINT32))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.activeDeadlineSeconds", NULL,
                            "must be between 1 and 2147483647, inclusive");
  timon_resource_get_boolean (spec, "enableServiceLinks", "spec", errors, &flag);
  timon_resource_get_boolean (spec, "hostNetwork", "spec", errors, &flag);
  timon_resource_get_object (spec, "securityContext", "spec", errors);
  timon_resource_get_string (spec, "schedulerName", "spec", errors);
  core_v1_validate_dns_member (spec, "serviceAccountName", "spec", FALSE, errors);
  core_v1_validate_dns_member (spec, "nodeName", "spec", FALSE, errors);
  core_v1_validate_dns_member (spec, "hostname", "spec", TRUE, errors);
  JsonObject *node_selector = timon_resource_get_object (spec, "nodeSelector", "spec", errors);
  if (node_selector != NULL)
    timon_validate_labels (node_selector, "spec.nodeSelector", errors);
  validate_tolerations (spec, errors);
}

static void
pod_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);

  if (spec != NULL)
    validate_spec (spec, errors);
  else if (timon_resource_member_is_unset (object, "spec"))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.containers", NULL, NULL);

  JsonObject *status = timon_resource_get_object (object, "status", NULL, errors);
  timon_resource_get_string (status, "phase", "status", errors);
  core_v1_validate_ip_member (status, "podIP", "status", FALSE, errors);
  timon_resource_get_array (status, "containerStatuses", "status", errors);
  timon_resource_get_array (status, "initContainerStatuses", "status", errors);
}

/* Makes the image of each container of @to's list @member that of the
 * same container in @from, so that an image change compares equal. */
static void
copy_images (JsonObject *to, JsonObject *from, const char *member)
{
  JsonArray *to_list = timon_resource_get_array (to, member, NULL, NULL);
  JsonArray *from_list = timon_resource_get_array (from, member, NULL, NULL);

  if (to_list == NULL || from_list == NULL ||
      json_array_get_length (to_list) != json_array_get_length (from_list))
    return;
  for (guint i = 0; i < json_array_get_length (to_list); i++) {
    JsonObject *a = core_v1_array_get_object (to_list, i, NULL, NULL);
    JsonObject *b = core_v1_array_get_object (from_list, i, NULL, NULL);
    if (a == NULL || b == NULL)
      continue;
    if (json_object_has_member (b, "image"))
      json_object_set_member (a, "image", json_node_copy (json_object_get_member (b, "image")));
    else
      json_object_remove_member (a, "image");
  }
}

static gboolean
array_contains (JsonArray *array, JsonNode *node)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    if (json_node_equal (json_array_get_element (array, i), node))
      return TRUE;
  }
  return FALSE;
}

static void
validate_spec_update (JsonObject *spec, JsonObject *old_spec, TimonFieldErrors *errors)
{
  static const char *const mutable[] = { "activeDeadlineSeconds", "terminationGracePeriodSeconds",
                                         "tolerations", "nodeName", NULL };
  gint64 deadline, old_deadline;

  /* The node is set once, by binding. */
  const char *node = timon_resource_get_string (spec, "nodeName", NULL, NULL);
  const char *old_node = timon_resource_get_string (old_spec, "nodeName", NULL, NULL);
  if (old_node != NULL && old_node[0] != '\0' && (node == NULL || !g_str_equal (node, old_node)))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.nodeName",
                            node != NULL ? node : "", CORE_V1_IMMUTABLE);

  /* The deadline may only come closer. */
  gboolean has_old =
    timon_resource_get_int (old_spec, "activeDeadlineSeconds", NULL, NULL, &old_deadline);
  gboolean has_new = timon_resource_get_int (spec, "activeDeadlineSeconds", NULL, NULL, &deadline);
  if (has_old && !has_new && timon_resource_member_is_unset (spec, "activeDeadlineSeconds"))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.activeDeadlineSeconds", NULL,
                            "must not update from a positive integer to nil value");
  else if (has_old && has_new && deadline > old_deadline)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.activeDeadlineSeconds", NULL,
                            "must be less than or equal to previous value");

  /* Tolerations may be added, not changed or removed. */
  JsonArray *tolerations = timon_resource_get_array (spec, "tolerations", NULL, NULL);
  JsonArray *old_tolerations = timon_resource_get_array (old_spec, "tolerations", NULL, NULL);
  for (guint i = 0; old_tolerations != NULL && i < json_array_get_length (old_tolerations); i++) {
    if (array_contains (tolerations, json_array_get_element (old_tolerations, i)))
      continue;
    g_autofree char *field = g_strdup_printf ("spec.tolerations[%u]", i);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, field, NULL,
                            "existing toleration can not be modified or removed");
  }

  /* Anything else is the pod's identity. Compared on copies that share
   * nothing with the pod: the comparison edits them. */
  g_autoptr (JsonNode) a = json_node_init_object (json_node_alloc (), spec);
  g_autoptr (JsonNode) b = json_node_init_object (json_node_alloc (), old_spec);
  g_autoptr (JsonNode) a_copy = core_v1_deep_copy (a);
  g_autoptr (JsonNode) b_copy = core_v1_deep_copy (b);
  JsonObject *na = json_node_get_object (a_copy);
  JsonObject *nb = json_node_get_object (b_copy);
  for (const char *const *m = mutable; *m != NULL; m++) {
    json_object_remove_member (na, *m);
    json_object_remove_member (nb, *m);
  }
  for (const char *const *list = container_lists; *list != NULL; list++)
    copy_images (na, nb, *list);
  core_v1_prune_empty (a_copy);
  core_v1_prune_empty (b_copy);
  if (!json_node_equal (a_copy, b_copy))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, "spec", NULL, UPDATE_FORBIDDEN);
}

static void
pod_validate_update (JsonObject *object,
                     JsonObject *old,
                     TimonFieldErrors *errors,
                     gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  JsonObject *old_spec = timon_resource_get_object (old, "spec", NULL, NULL);

  pod_validate (object, errors, user_data);
  if (spec != NULL && old_spec != NULL)
    validate_spec_update (spec, old_spec, errors);
}

/* Reading */

static char *
pod_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  static const char *const fields[] = { "spec.nodeName",
                                        "spec.schedulerName",
                                        "spec.serviceAccountName",
                                        "status.phase",
                                        "status.podIP",
                                        "status.nominatedNodeName",
                                        NULL };

  if (!g_strv_contains (fields, field))
    return NULL;
  g_auto (GStrv) steps = g_strsplit (field, ".", 2);
  return timon_resource_dup_string_at (object, steps[0], steps[1], NULL);
}

/* The statuses of @member of the pod's status, as objects. */
static GPtrArray *
statuses (JsonObject *object, const char *member)
{
  return core_v1_dup_object_list (timon_resource_get_object (object, "status", NULL, NULL), member);
}

static JsonObject *
state_of (JsonObject *container_status, const char *state)
{
  return timon_resource_get_object (timon_resource_get_object (container_status, "state", NULL,
                                                               NULL),
                                    state, NULL, NULL);
}

/* How a terminated container ended, as kubectl writes it. */
static char *
dup_terminated_reason (JsonObject *terminated)
{
  const char *reason = timon_resource_get_string (terminated, "reason", NULL, NULL);
  gint64 signal, code;

  if (reason != NULL && reason[0] != '\0')
    return g_strdup (reason);
  if (timon_resource_get_int (terminated, "signal", NULL, NULL, &signal) && signal != 0)
    return g_strdup_printf ("Signal:%" G_GINT64_FORMAT, signal);
  timon_resource_get_int (terminated, "exitCode", NULL, NULL, &code);
  return g_strdup_printf ("ExitCode:%" G_GINT64_FORMAT, code);
}

/* kubectl's STATUS: the pod's reason or phase, unless an init container
 * is still at work or a container waits or ended with a reason. */
static char *
dup_status (JsonObject *object)
{
  g_autofree char *reason = timon_resource_dup_string_at (object, "status", "reason", NULL);
  g_autoptr (GPtrArray) init = statuses (object, "initContainerStatuses");
  g_autoptr (GPtrArray) main = statuses (object, "containerStatuses");
  JsonArray *init_specs =
    timon_resource_get_array (timon_resource_get_object (object, "spec", NULL, NULL),
                              "initContainers", NULL, NULL);
  gboolean initializing = FALSE;

  if (reason == NULL || reason[0] == '\0') {
    g_free (reason);
    reason = timon_resource_dup_string_at (object, "status", "phase", NULL);
  }
  for (guint i = 0; i < init->len && !initializing; i++) {
    JsonObject *terminated = state_of (init->pdata[i], "terminated");
    JsonObject *waiting = state_of (init->pdata[i], "waiting");
    const char *waiting_reason = timon_resource_get_string (waiting, "reason", NULL, NULL);
    gint64 code = 0;

    timon_resource_get_int (terminated, "exitCode", NULL, NULL, &code);
    if (terminated != NULL && code == 0)
      continue;
    initializing = TRUE;
    g_free (reason);
    if (terminated != NULL) {
      g_autofree char *ended = dup_terminated_reason (terminated);
      reason = g_strconcat ("Init:", ended, NULL);
    } else if (waiting_reason != NULL && waiting_reason[0] != '\0' &&
               !g_str_equal (waiting_reason, "PodInitializing")) {
      reason = g_strconcat ("Init:", waiting_reason, NULL);
    } else {
      reason =
        g_strdup_printf ("Init:%u/%u", i,
                         init_specs != NULL ? json_array_get_length (init_specs) : init->len);
    }
  }
  for (guint i = main->len; i > 0 && !initializing; i--) {
    JsonObject *terminated = state_of (main->pdata[i - 1], "terminated");
    JsonObject *waiting = state_of (main->pdata[i - 1], "waiting");
    const char *waiting_reason = timon_resource_get_string (waiting, "reason", NULL, NULL);

    if (waiting_reason != NULL && waiting_reason[0] != '\0') {
      g_free (reason);
      reason = g_strdup (waiting_reason);
    } else if (terminated != NULL) {
      g_free (reason);
      reason = dup_terminated_reason (terminated);
    }
  }
  JsonObject *metadata = timon_resource_get_object (object, "metadata", NULL, NULL);
  if (metadata != NULL && !timon_resource_member_is_unset (metadata, "deletionTimestamp")) {
    gboolean lost = reason != NULL && g_str_equal (reason, "NodeLost");
    g_free (reason);
    reason = g_strdup (lost ? "Unknown" : "Terminating");
  }
  return reason != NULL ? g_steal_pointer (&reason) : g_strdup ("");
}

static char *
pod_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "READY")) {
    g_autoptr (GPtrArray) main = statuses (object, "containerStatuses");
    JsonArray *containers =
      timon_resource_get_array (timon_resource_get_object (object, "spec", NULL, NULL),
                                "containers", NULL, NULL);
    guint ready = 0;

    for (guint i = 0; i < main->len; i++) {
      gboolean is_ready;
      timon_resource_get_boolean (main->pdata[i], "ready", NULL, NULL, &is_ready);
      ready += is_ready ? 1 : 0;
    }
    return g_strdup_printf ("%u/%u", ready,
                            containers != NULL ? json_array_get_length (containers) : main->len);
  }
  if (g_str_equal (column, "STATUS"))
    return dup_status (object);
  if (g_str_equal (column, "READINESS GATES")) {
    /* As Kubernetes: "<none>" without gates, else how many have a
     * condition of their type that is True. */
    JsonArray *gates =
      timon_resource_get_array (timon_resource_get_object (object, "spec", NULL, NULL),
                                "readinessGates", NULL, NULL);
    JsonArray *conditions =
      timon_resource_get_array (timon_resource_get_object (object, "status", NULL, NULL),
                                "conditions", NULL, NULL);
    guint n = gates != NULL ? json_array_get_length (gates) : 0;
    guint met = 0;
    if (n == 0)
      return g_strdup ("<none>");
    for (guint i = 0; i < n; i++) {
      JsonNode *gate = json_array_get_element (gates, i);
      if (!JSON_NODE_HOLDS_OBJECT (gate))
        continue;
      g_autofree char *wanted =
        timon_resource_dup_string_at (json_node_get_object (gate), "conditionType", NULL);
      for (guint j = 0; conditions != NULL && j < json_array_get_length (conditions); j++) {
        JsonNode *c = json_array_get_element (conditions, j);
        if (!JSON_NODE_HOLDS_OBJECT (c))
          continue;
        g_autofree char *type =
          timon_resource_dup_string_at (json_node_get_object (c), "type", NULL);
        g_autofree char *status =
          timon_resource_dup_string_at (json_node_get_object (c), "status", NULL);
        if (wanted != NULL && g_strcmp0 (type, wanted) == 0 && g_strcmp0 (status, "True") == 0) {
          met++;
          break;
        }
      }
    }
    return g_strdup_printf ("%u/%u", met, n);
  }
  if (g_str_equal (column, "RESTARTS")) {
    const char *const lists[] = { "initContainerStatuses", "containerStatuses", NULL };
    gint64 total = 0;

    for (const char *const *l = lists; *l != NULL; l++) {
      g_autoptr (GPtrArray) list = statuses (object, *l);
      for (guint i = 0; i < list->len; i++) {
        gint64 count;
        if (timon_resource_get_int (list->pdata[i], "restartCount", NULL, NULL, &count) &&
            count > 0)
          total += count;
      }
    }
    return g_strdup_printf ("%" G_GINT64_FORMAT, total);
  }
  return NULL;
}

/* Deleting */

/* Kubernetes' podStrategy.CheckGracefulDelete: the grace period asked
 * for, else the pod's own (30 s by default); none for a pod that no
 * node runs (unscheduled) or that has ended, since nothing needs to
 * stop it. */
static gint64
pod_check_graceful_delete (JsonObject *object, gint64 requested, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, NULL);
  gint64 period = DEFAULT_GRACE_PERIOD, own;

  if (requested >= 0)
    period = requested;
  else if (timon_resource_get_int (spec, "terminationGracePeriodSeconds", NULL, NULL, &own))
    period = own;
  const char *node = timon_resource_get_string (spec, "nodeName", NULL, NULL);
  if (node == NULL || node[0] == '\0')
    period = 0;
  g_autofree char *phase = timon_resource_dup_string_at (object, "status", "phase", NULL);
  if (g_strcmp0 (phase, "Succeeded") == 0 || g_strcmp0 (phase, "Failed") == 0)
    period = 0;
  /* As Kubernetes: a negative period is the shortest one. */
  return period < 0 ? 1 : period;
}

TimonResourceType *
core_v1_pod_new (void)
{
  static const char *const short_names[] = { "po", NULL };
  static const char *const categories[] = { "all", NULL };
  static const char *const subresources[] = {
    "status", "binding", "eviction", "log", "exec", NULL
  };
  static const char *const fields[] = {
    "spec.nodeName",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
    NULL,
  };
  static const TimonResourceHooks hooks = {
    .default_object = pod_default,
    .validate_create = pod_validate,
    .validate_update = pod_validate_update,
    .get_field = pod_get_field,
    .print_column = pod_print_column,
    .check_graceful_delete = pod_check_graceful_delete,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "Pod", "pods", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_set_categories (type, categories);
  for (const char *const *s = subresources; *s != NULL; s++)
    timon_resource_type_add_subresource (type, *s);
  timon_resource_type_set_selectable_fields (type, fields);
  timon_resource_type_add_column (type, "READY", "string", NULL,
                                  "The number of containers ready, of all", 0, NULL);
  timon_resource_type_add_column (type, "STATUS", "string", NULL, "The status of the pod", 0, NULL);
  timon_resource_type_add_column (type, "RESTARTS", "integer", NULL,
                                  "How many times the containers restarted", 0, NULL);
  timon_resource_type_add_column (type, "IP", "string", NULL, "The IP address of the pod", 1,
                                  ".status.podIP");
  timon_resource_type_add_column (type, "NODE", "string", NULL, "The node the pod runs on", 1,
                                  ".spec.nodeName");
  timon_resource_type_add_column (type, "NOMINATED NODE", "string", NULL,
                                  "The node the scheduler means to preempt pods on for it", 1,
                                  ".status.nominatedNodeName");
  timon_resource_type_add_column (type, "READINESS GATES", "string", NULL,
                                  "How many of its readiness gates are met", 1, NULL);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
