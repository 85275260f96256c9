/* apps-v1-intstr.c: the IntOrString members of rollout strategies
 * (maxUnavailable, maxSurge): a count, or a percent string such as
 * "25%", as Kubernetes' ValidatePositiveIntOrPercent reads them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "apps-v1-private.h"

#define PERCENT_FMT "[0-9]+%"
#define PERCENT_ERR_MSG "a valid percent string must be a numeric string followed by an ending '%'"

/* Whether @text matches [0-9]+%, and the number before the '%'. */
static gboolean
parse_percent (const char *text, gint64 *value)
{
  size_t len = strlen (text);
  size_t digits = strspn (text, "0123456789");

  if (len < 2 || digits != len - 1 || text[len - 1] != '%')
    return FALSE;
  /* More digits than fit in an int are read as the most there can be:
   * far over 100%, reported as such. */
  *value = digits > 9 ? G_MAXINT32 : g_ascii_strtoll (text, NULL, 10);
  return TRUE;
}

/* Checks @member of @object (at @path): a non-negative integer or a
 * percent string, of at most 100% when @at_most_100 (maxSurge may be
 * more). Sets @value to the count or percent
 * and returns TRUE when it is valid and set; FALSE when absent or
 * reported. */
gboolean
apps_v1_validate_int_or_percent (JsonObject *object,
                                 const char *member,
                                 const char *path,
                                 gboolean at_most_100,
                                 TimonFieldErrors *errors,
                                 gint64 *value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  g_autofree char *field = timon_resource_path (path, member);

  *value = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return FALSE;
  if (timon_resource_node_is_string (node)) {
    const char *text = json_node_get_string (node);
    if (!parse_percent (text, value)) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, text,
                              "%s (e.g. '1%%',  or '93%%', regex used for validation is '%s')",
                              PERCENT_ERR_MSG, PERCENT_FMT);
      return FALSE;
    }
    if (at_most_100 && *value > 100) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, text,
                              "must not be greater than 100%%");
      return FALSE;
    }
    return TRUE;
  }
  if (!timon_resource_get_int32 (object, member, path, NULL, value)) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL,
                            "must be an integer or a percent string");
    return FALSE;
  }
  if (*value < 0) {
    g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, *value);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, shown,
                            TIMON_RESOURCE_NONNEGATIVE);
    return FALSE;
  }
  return TRUE;
}

/* Checks maxUnavailable and maxSurge of the rollingUpdate @rolling (at
 * @path): each an integer or a percent, of at most 100% for maxUnavailable
 * and, when @surge_at_most_100, for maxSurge. Returns TRUE when both are
 * set and valid, their values in @unavailable and @surge. */
gboolean
apps_v1_validate_rolling_update (JsonObject *rolling,
                                 const char *path,
                                 gboolean surge_at_most_100,
                                 TimonFieldErrors *errors,
                                 gint64 *unavailable,
                                 gint64 *surge)
{
  gboolean has_unavailable =
    apps_v1_validate_int_or_percent (rolling, "maxUnavailable", path, TRUE, errors, unavailable);
  gboolean has_surge =
    apps_v1_validate_int_or_percent (rolling, "maxSurge", path, surge_at_most_100, errors, surge);

  return has_unavailable && has_surge;
}
