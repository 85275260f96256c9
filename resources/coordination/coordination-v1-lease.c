/* coordination-v1-lease.c: Lease, as Kubernetes' coordination.k8s.io/v1
 * validates it (pkg/apis/coordination/validation).
 *
 * Hooks get whatever JSON a client sent: every member read here has its
 * JSON type checked, null counting as absent (as Go decodes it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coordination-v1-private.h"

/* The member @member of @object (which may be NULL) when it holds a value
 * of @gtype: NULL when absent or null; NULL, reporting "must be @what" on
 * @path's @member, when it holds something else. */
static JsonNode *
get_value (JsonObject *object,
           const char *member,
           const char *path,
           GType gtype,
           const char *what,
           TimonFieldErrors *errors)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == gtype)
    return node;
  g_autofree char *field = g_strconcat (path, ".", member, NULL);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be %s", what);
  return NULL;
}

static const char *
get_string (JsonObject *spec, const char *member, TimonFieldErrors *errors)
{
  JsonNode *node = get_value (spec, member, "spec", G_TYPE_STRING, "a string", errors);
  return node != NULL ? json_node_get_string (node) : NULL;
}

/* An int32 member of the spec: FALSE when absent or reported. */
static gboolean
get_int32 (JsonObject *spec, const char *member, TimonFieldErrors *errors, gint64 *value)
{
  JsonNode *node = get_value (spec, member, "spec", G_TYPE_INT64, "an integer", errors);

  *value = node != NULL ? json_node_get_int (node) : 0;
  if (node != NULL && (*value < G_MININT32 || *value > G_MAXINT32)) {
    g_autofree char *field = g_strconcat ("spec.", member, NULL);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL,
                            "must be a 32-bit integer");
    return FALSE;
  }
  return node != NULL;
}

/* acquireTime and renewTime are MicroTimes: RFC 3339 with a zone. */
static void
validate_time (JsonObject *spec, const char *member, TimonFieldErrors *errors)
{
  const char *text = get_string (spec, member, errors);

  if (text == NULL)
    return;
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (text, NULL);
  if (time == NULL) {
    g_autofree char *field = g_strconcat ("spec.", member, NULL);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, text,
                            "must be a time in RFC 3339 format, with a time zone");
  }
}

static void
lease_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonNode *spec_node = json_object_get_member (object, "spec");
  JsonObject *spec = NULL;
  gint64 value;

  if (spec_node != NULL && JSON_NODE_HOLDS_OBJECT (spec_node))
    spec = json_node_get_object (spec_node);
  else if (spec_node != NULL && !JSON_NODE_HOLDS_NULL (spec_node))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec", NULL, "must be an object");
  if (spec == NULL)
    return;

  get_string (spec, "holderIdentity", errors);
  /* A lease of no duration could never be held. */
  if (get_int32 (spec, "leaseDurationSeconds", errors, &value) && value <= 0) {
    g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, value);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.leaseDurationSeconds", shown,
                            "must be greater than 0");
  }
  validate_time (spec, "acquireTime", errors);
  validate_time (spec, "renewTime", errors);
  if (get_int32 (spec, "leaseTransitions", errors, &value) && value < 0) {
    g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, value);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.leaseTransitions", shown,
                            "must be greater than or equal to 0");
  }
  /* Coordinated leader election: a preferred holder means something
   * only to a strategy that picks holders. */
  const char *strategy = get_string (spec, "strategy", errors);
  const char *preferred = get_string (spec, "preferredHolder", errors);
  if (preferred != NULL && preferred[0] != '\0' && (strategy == NULL || strategy[0] == '\0'))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, "spec.preferredHolder", NULL,
                            "may only be specified if `strategy` is defined");
}

static void
lease_validate_update (JsonObject *object,
                       JsonObject *old,
                       TimonFieldErrors *errors,
                       gpointer user_data)
{
  lease_validate (object, errors, user_data);
}

TimonResourceType *
coordination_v1_lease_new (void)
{
  static const TimonResourceHooks hooks = {
    .validate_create = lease_validate,
    .validate_update = lease_validate_update,
  };
  TimonResourceType *type = timon_resource_type_new ("coordination.k8s.io", "v1", "Lease", "leases",
                                                     TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_add_column (type, "HOLDER", "string", NULL,
                                  "Who holds the lease (spec.holderIdentity)", 0,
                                  ".spec.holderIdentity");
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
