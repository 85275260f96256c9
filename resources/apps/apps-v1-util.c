/* apps-v1-util.c: typed JSON access for the apps/v1 resource types.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

/* "spec" + "replicas" = "spec.replicas"; a NULL or empty parent is the
 * object itself. */
char *
apps_v1_path (const char *parent, const char *member)
{
  if (parent == NULL || parent[0] == '\0')
    return g_strdup (member);
  return g_strconcat (parent, ".", member, NULL);
}

/* The member @member of @object when it holds what @holds accepts: NULL
 * when it is absent or null; NULL, reporting "must be @what" on @path's
 * @member, when it holds something else. */
static JsonNode *
get_typed (JsonObject *object,
           const char *member,
           const char *path,
           TimonFieldErrors *errors,
           gboolean (*holds) (JsonNode *node),
           const char *what)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (holds (node))
    return node;
  if (errors != NULL) {
    g_autofree char *field = apps_v1_path (path, member);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be %s", what);
  }
  return NULL;
}

static gboolean
holds_object (JsonNode *node)
{
  return JSON_NODE_HOLDS_OBJECT (node);
}

static gboolean
holds_array (JsonNode *node)
{
  return JSON_NODE_HOLDS_ARRAY (node);
}

gboolean
apps_v1_node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
apps_v1_node_is_integer (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

/* The object member @member of @object (which may be NULL): NULL when
 * absent, null or, reported in @errors (which may be NULL), of another
 * type. @path is where @object is, for the error's field. */
JsonObject *
apps_v1_get_object (JsonObject *object,
                    const char *member,
                    const char *path,
                    TimonFieldErrors *errors)
{
  JsonNode *node = get_typed (object, member, path, errors, holds_object, "an object");
  return node != NULL ? json_node_get_object (node) : NULL;
}

/* As apps_v1_get_object(), for a list. */
JsonArray *
apps_v1_get_array (JsonObject *object,
                   const char *member,
                   const char *path,
                   TimonFieldErrors *errors)
{
  JsonNode *node = get_typed (object, member, path, errors, holds_array, "a list");
  return node != NULL ? json_node_get_array (node) : NULL;
}

/* As apps_v1_get_object(), for a string. */
const char *
apps_v1_get_string (JsonObject *object,
                    const char *member,
                    const char *path,
                    TimonFieldErrors *errors)
{
  JsonNode *node = get_typed (object, member, path, errors, apps_v1_node_is_string, "a string");
  return node != NULL ? json_node_get_string (node) : NULL;
}

static gboolean
holds_boolean (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

/* As apps_v1_get_object(), for a boolean: FALSE when there is none. */
gboolean
apps_v1_get_boolean (JsonObject *object,
                     const char *member,
                     const char *path,
                     TimonFieldErrors *errors,
                     gboolean *value)
{
  JsonNode *node = get_typed (object, member, path, errors, holds_boolean, "a boolean");

  *value = node != NULL && json_node_get_boolean (node);
  return node != NULL;
}

/* As apps_v1_get_object(), for an int32 as Go decodes it: a fraction or a
 * number out of range is reported too. FALSE when there is none. */
gboolean
apps_v1_get_int32 (JsonObject *object,
                   const char *member,
                   const char *path,
                   TimonFieldErrors *errors,
                   gint64 *value)
{
  JsonNode *node = get_typed (object, member, path, errors, apps_v1_node_is_integer, "an integer");

  *value = 0;
  if (node == NULL)
    return FALSE;
  if (json_node_get_int (node) < G_MININT32 || json_node_get_int (node) > G_MAXINT32) {
    if (errors != NULL) {
      g_autofree char *field = apps_v1_path (path, member);
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL,
                              "must be a 32-bit integer");
    }
    return FALSE;
  }
  *value = json_node_get_int (node);
  return TRUE;
}

gboolean
apps_v1_member_is_unset (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* The object member @member of @object, made an empty object when it is
 * absent or null; NULL when it holds something else, which validation
 * reports. */
JsonObject *
apps_v1_ensure_object (JsonObject *object, const char *member)
{
  if (object == NULL)
    return NULL;
  if (apps_v1_member_is_unset (object, member))
    json_object_set_object_member (object, member, json_object_new ());
  return apps_v1_get_object (object, member, NULL, NULL);
}

/* Sets @member of @object (which may be NULL) to @value when it is absent
 * or null; what is there otherwise stays, for validation to judge. */
void
apps_v1_default_int (JsonObject *object, const char *member, gint64 value)
{
  if (object != NULL && apps_v1_member_is_unset (object, member))
    json_object_set_int_member (object, member, value);
}

/* As apps_v1_default_int(); an empty string counts as unset, as Go's
 * defaulting sees it. */
void
apps_v1_default_string (JsonObject *object, const char *member, const char *value)
{
  const char *current;

  if (object == NULL)
    return;
  current = apps_v1_get_string (object, member, NULL, NULL);
  if (apps_v1_member_is_unset (object, member) || (current != NULL && current[0] == '\0'))
    json_object_set_string_member (object, member, value);
}

/* Reports @member of @object, an int32, when it is negative or no int32. */
void
apps_v1_validate_nonnegative (JsonObject *object,
                              const char *member,
                              const char *path,
                              TimonFieldErrors *errors)
{
  gint64 value;

  if (apps_v1_get_int32 (object, member, path, errors, &value) && value < 0) {
    g_autofree char *field = apps_v1_path (path, member);
    g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, value);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, shown, APPS_V1_NONNEGATIVE);
  }
}

/* The integer at the path of members from @first to NULL ("status",
 * "replicas"), printed; NULL where any step is missing or of another
 * type. */
char *
apps_v1_dup_int_at (JsonObject *object, const char *first, ...)
{
  va_list args;
  JsonNode *node = NULL;

  va_start (args, first);
  for (const char *member = first; member != NULL;) {
    if (object == NULL) {
      node = NULL; /* a step on the way is no object */
      break;
    }
    node = json_object_get_member (object, member);
    member = va_arg (args, const char *);
    object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  }
  va_end (args);
  if (!apps_v1_node_is_integer (node))
    return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
}

/* Absent and null are the same: a client that drops a null member has
 * not changed it. */
static gboolean
nodes_equal (JsonNode *a, JsonNode *b)
{
  gboolean a_none = a == NULL || JSON_NODE_HOLDS_NULL (a);
  gboolean b_none = b == NULL || JSON_NODE_HOLDS_NULL (b);

  if (a_none || b_none)
    return a_none && b_none;
  return json_node_equal (a, b);
}

/* Reports @member of @object (at @path) as Kubernetes'
 * ValidateImmutableField does when it differs from @old's. */
void
apps_v1_validate_immutable (JsonObject *object,
                            JsonObject *old,
                            const char *member,
                            const char *path,
                            TimonFieldErrors *errors)
{
  JsonNode *a = object != NULL ? json_object_get_member (object, member) : NULL;
  JsonNode *b = old != NULL ? json_object_get_member (old, member) : NULL;

  if (!nodes_equal (a, b)) {
    g_autofree char *field = apps_v1_path (path, member);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, APPS_V1_IMMUTABLE);
  }
}

/* Sets the IntOrString @member of @object (which may be NULL) to the
 * string @value when it is absent or null. */
void
apps_v1_default_int_or_string (JsonObject *object, const char *member, const char *value)
{
  if (object != NULL && apps_v1_member_is_unset (object, member))
    json_object_set_string_member (object, member, value);
}

/* The READY column of Deployments and StatefulSets, as kubectl prints
 * it: ready pods of those wanted, "2/3"; what is missing or malformed
 * counts 0. */
char *
apps_v1_print_ready (JsonObject *object)
{
  JsonObject *spec = apps_v1_get_object (object, "spec", NULL, NULL);
  JsonObject *status = apps_v1_get_object (object, "status", NULL, NULL);
  gint64 ready, desired;

  apps_v1_get_int32 (status, "readyReplicas", NULL, NULL, &ready);
  apps_v1_get_int32 (spec, "replicas", NULL, NULL, &desired);
  return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, ready, desired);
}

/* Checks the status a controller writes: an object whose @counters (and
 * observedGeneration, collisionCount) are non-negative int32s. */
void
apps_v1_validate_status (JsonObject *object, const char *const *counters, TimonFieldErrors *errors)
{
  JsonObject *status = apps_v1_get_object (object, "status", NULL, errors);

  if (status == NULL)
    return;
  for (const char *const *c = counters; *c != NULL; c++)
    apps_v1_validate_nonnegative (status, *c, "status", errors);
  apps_v1_validate_nonnegative (status, "observedGeneration", "status", errors);
  apps_v1_validate_nonnegative (status, "collisionCount", "status", errors);
}
