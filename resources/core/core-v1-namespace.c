/* core-v1-namespace.c: Namespace, as Kubernetes' core/v1 defines,
 * defaults and validates it (pkg/apis/core/v1/defaults.go,
 * pkg/apis/core/validation, pkg/registry/core/namespace).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"

#define PHASE_ACTIVE "Active"
#define PHASE_TERMINATING "Terminating"
#define FINALIZER_KUBERNETES "kubernetes"
#define LABEL_METADATA_NAME "kubernetes.io/metadata.name"

static void
namespace_default (JsonObject *object, gpointer user_data)
{
  /* Every namespace carries its name as a label, so that a label
   * selector can pick namespaces by name (SetDefaults_Namespace). The
   * name may be absent while generateName is still pending. */
  JsonObject *metadata = timon_resource_get_object (object, "metadata", NULL, NULL);
  const char *name = timon_resource_get_string (metadata, "name", NULL, NULL);
  if (name != NULL && name[0] != '\0') {
    JsonObject *labels = timon_resource_ensure_object (metadata, "labels");
    if (labels != NULL)
      json_object_set_string_member (labels, LABEL_METADATA_NAME, name);
  }

  /* Kubernetes adds the finalizer in its create strategy; the hook does
   * not know create from update, so it fills in only a missing list: an
   * explicit [] (the finalizer removed over the namespace's life) stays. */
  JsonObject *spec = timon_resource_ensure_object (object, "spec");
  if (spec != NULL && timon_resource_member_is_unset (spec, "finalizers")) {
    JsonArray *finalizers = json_array_new ();
    json_array_add_string_element (finalizers, FINALIZER_KUBERNETES);
    json_object_set_array_member (spec, "finalizers", finalizers);
  }

  JsonObject *status = timon_resource_ensure_object (object, "status");
  timon_resource_default_string (status, "phase", PHASE_ACTIVE);
}

/* "kubernetes", "orphan" and "foregroundDeletion" are Kubernetes' own
 * finalizers; any other must be qualified by a domain ("example.com/x"). */
static void
validate_finalizer (const char *name, TimonFieldErrors *errors)
{
  static const char *const standard[] = { FINALIZER_KUBERNETES, "orphan", "foregroundDeletion",
                                          NULL };
  g_autofree char *message = NULL;

  if (!timon_validate_qualified_name (name, &message))
    timon_resource_add_invalid_messages (errors, "spec.finalizers", name, message);
  if (strchr (name, '/') == NULL && !g_strv_contains (standard, name))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.finalizers", name,
                            "name is neither a standard finalizer name nor is it fully qualified");
}

static void
namespace_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *metadata = timon_resource_get_object (object, "metadata", NULL, NULL);
  const char *name = timon_resource_get_string (metadata, "name", NULL, NULL);
  g_autofree char *message = NULL;

  /* A namespace name is a DNS label, as it becomes part of DNS names.
   * The core has reported a name that is not even a subdomain: only the
   * subdomains that are no labels are left to report here. */
  if (name != NULL && name[0] != '\0' && timon_validate_dns1123_subdomain (name, NULL) &&
      !timon_validate_dns1123_label (name, &message))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "metadata.name", name, "%s",
                            message);

  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);
  JsonArray *finalizers = timon_resource_get_array (spec, "finalizers", "spec", errors);
  for (guint i = 0; finalizers != NULL && i < json_array_get_length (finalizers); i++) {
    JsonNode *node = json_array_get_element (finalizers, i);
    if (timon_resource_node_is_string (node)) {
      validate_finalizer (json_node_get_string (node), errors);
    } else {
      g_autofree char *field = g_strdup_printf ("spec.finalizers[%u]", i);
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
    }
  }

  /* The phase follows the deletion: Kubernetes' status update rule, which
   * holds for every write since the core keeps the status of main
   * updates. Kubernetes names the field by its Go name here,
   * "status.Phase": kept, so that clients see the same cause. */
  JsonObject *status = timon_resource_get_object (object, "status", NULL, errors);
  const char *phase = timon_resource_get_string (status, "phase", "status", errors);
  JsonNode *deletion =
    metadata != NULL ? json_object_get_member (metadata, "deletionTimestamp") : NULL;
  gboolean deleting = deletion != NULL && !JSON_NODE_HOLDS_NULL (deletion);
  if (phase != NULL && !deleting && !g_str_equal (phase, PHASE_ACTIVE))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "status.Phase", phase,
                            "may only be '%s' if `deletionTimestamp` is empty", PHASE_ACTIVE);
  else if (phase != NULL && deleting && !g_str_equal (phase, PHASE_TERMINATING))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "status.Phase", phase,
                            "may only be '%s' if `deletionTimestamp` is not empty",
                            PHASE_TERMINATING);
}

static void
namespace_validate_update (JsonObject *object,
                           JsonObject *old,
                           TimonFieldErrors *errors,
                           gpointer user_data)
{
  namespace_validate (object, errors, user_data);
}

static char *
namespace_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  if (g_str_equal (field, "status.phase"))
    return timon_resource_dup_string_at (object, "status", "phase", NULL);
  return NULL;
}

TimonResourceType *
core_v1_namespace_new (void)
{
  static const char *const short_names[] = { "ns", NULL };
  static const char *const fields[] = { "status.phase", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = namespace_default,
    .validate_create = namespace_validate,
    .validate_update = namespace_validate_update,
    .get_field = namespace_get_field,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "Namespace", "namespaces", TIMON_RESOURCE_CLUSTER);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_subresource (type, "status");
  timon_resource_type_set_selectable_fields (type, fields);
  timon_resource_type_add_column (type, "STATUS", "string", NULL, "The status of the namespace", 0,
                                  ".status.phase");
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
