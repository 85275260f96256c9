/* coordination-v1-lease.c: Lease, as Kubernetes' coordination.k8s.io/v1
 * validates it (pkg/apis/coordination/validation).
 *
 * Hooks get whatever JSON a client sent: every member read here has its
 * JSON type checked (timon-resource-util.h), null counting as absent (as
 * Go decodes it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coordination-v1-private.h"

/* A string member of the spec. */
static const char *
get_string (JsonObject *spec, const char *member, TimonFieldErrors *errors)
{
  return timon_resource_get_string (spec, member, "spec", errors);
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
    g_autofree char *field = timon_resource_path ("spec", member);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, text,
                            "must be a time in RFC 3339 format, with a time zone");
  }
}

static void
lease_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);
  gint64 value;

  if (spec == NULL)
    return;

  get_string (spec, "holderIdentity", errors);
  /* A lease of no duration could never be held. */
  if (timon_resource_get_int32 (spec, "leaseDurationSeconds", "spec", errors, &value) &&
      value <= 0) {
    g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, value);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.leaseDurationSeconds", shown,
                            "must be greater than 0");
  }
  validate_time (spec, "acquireTime", errors);
  validate_time (spec, "renewTime", errors);
  timon_resource_validate_nonnegative (spec, "leaseTransitions", "spec", errors);
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
