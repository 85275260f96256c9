/* timon-resource-util.c: typed JSON access and the checks several
 * resource-type plugins share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-resource-util.h"

/* "spec" + "replicas" = "spec.replicas"; a NULL or empty parent is the
 * object itself. */
char *
timon_resource_path (const char *parent, const char *member)
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
    g_autofree char *field = timon_resource_path (path, member);
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

static gboolean
holds_boolean (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
}

/* Whether @node (which may be NULL) holds a string. */
gboolean
timon_resource_node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Whether @node (which may be NULL) holds an integer, no fraction. */
gboolean
timon_resource_node_is_integer (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

/* The object member @member of @object (which may be NULL): NULL when
 * absent, null or, reported in @errors (which may be NULL), of another
 * type. @path is where @object is, for the error's field. */
JsonObject *
timon_resource_get_object (JsonObject *object,
                           const char *member,
                           const char *path,
                           TimonFieldErrors *errors)
{
  JsonNode *node = get_typed (object, member, path, errors, holds_object, "an object");
  return node != NULL ? json_node_get_object (node) : NULL;
}

/* As timon_resource_get_object(), for a list. */
JsonArray *
timon_resource_get_array (JsonObject *object,
                          const char *member,
                          const char *path,
                          TimonFieldErrors *errors)
{
  JsonNode *node = get_typed (object, member, path, errors, holds_array, "a list");
  return node != NULL ? json_node_get_array (node) : NULL;
}

/* As timon_resource_get_object(), for a string. */
const char *
timon_resource_get_string (JsonObject *object,
                           const char *member,
                           const char *path,
                           TimonFieldErrors *errors)
{
  JsonNode *node =
    get_typed (object, member, path, errors, timon_resource_node_is_string, "a string");
  return node != NULL ? json_node_get_string (node) : NULL;
}

/* As timon_resource_get_object(), for a boolean: FALSE when there is
 * none. */
gboolean
timon_resource_get_boolean (JsonObject *object,
                            const char *member,
                            const char *path,
                            TimonFieldErrors *errors,
                            gboolean *value)
{
  JsonNode *node = get_typed (object, member, path, errors, holds_boolean, "a boolean");

  *value = node != NULL && json_node_get_boolean (node);
  return node != NULL;
}

/* As timon_resource_get_object(), for an integer: FALSE, and 0 in
 * @value, when there is none. */
gboolean
timon_resource_get_int (JsonObject *object,
                        const char *member,
                        const char *path,
                        TimonFieldErrors *errors,
                        gint64 *value)
{
  JsonNode *node =
    get_typed (object, member, path, errors, timon_resource_node_is_integer, "an integer");

  *value = node != NULL ? json_node_get_int (node) : 0;
  return node != NULL;
}

/* As timon_resource_get_int(), for an int32 as Go decodes it: a number
 * out of range is reported too, and counts as none. */
gboolean
timon_resource_get_int32 (JsonObject *object,
                          const char *member,
                          const char *path,
                          TimonFieldErrors *errors,
                          gint64 *value)
{
  if (!timon_resource_get_int (object, member, path, errors, value))
    return FALSE;
  if (*value < G_MININT32 || *value > G_MAXINT32) {
    *value = 0;
    if (errors != NULL) {
      g_autofree char *field = timon_resource_path (path, member);
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL,
                              "must be a 32-bit integer");
    }
    return FALSE;
  }
  return TRUE;
}

/* The node at the path of members from @first to NULL: NULL where any
 * step is missing or no object. */
static JsonNode *
lookup_valist (JsonObject *object, const char *first, va_list args)
{
  JsonNode *node = NULL;

  for (const char *member = first; member != NULL;) {
    if (object == NULL)
      return NULL; /* a step on the way is no object */
    node = json_object_get_member (object, member);
    member = va_arg (args, const char *);
    object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  }
  return node;
}

/* The string at the path of members from @first to NULL ("status",
 * "phase"), as a new string; NULL where any step is missing or of
 * another type. */
char *
timon_resource_dup_string_at (JsonObject *object, const char *first, ...)
{
  va_list args;
  JsonNode *node;

  va_start (args, first);
  node = lookup_valist (object, first, args);
  va_end (args);
  if (!timon_resource_node_is_string (node))
    return NULL;
  return g_strdup (json_node_get_string (node));
}

/* As timon_resource_dup_string_at(), for an integer, printed. */
char *
timon_resource_dup_int_at (JsonObject *object, const char *first, ...)
{
  va_list args;
  JsonNode *node;

  va_start (args, first);
  node = lookup_valist (object, first, args);
  va_end (args);
  if (!timon_resource_node_is_integer (node))
    return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
}

/* Whether @member of @object (which may be NULL) is absent or null. */
gboolean
timon_resource_member_is_unset (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* The object member @member of @object (which may be NULL), made an
 * empty object when it is absent or null; NULL when it holds something
 * else, which validation reports. */
JsonObject *
timon_resource_ensure_object (JsonObject *object, const char *member)
{
  if (object == NULL)
    return NULL;
  if (timon_resource_member_is_unset (object, member))
    json_object_set_object_member (object, member, json_object_new ());
  return timon_resource_get_object (object, member, NULL, NULL);
}

/* Sets the string @member of @object (which may be NULL) to @value when
 * it is absent, null or empty, as Go's defaulting of string fields; what
 * is there otherwise stays, for validation to judge. */
void
timon_resource_default_string (JsonObject *object, const char *member, const char *value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (object == NULL)
    return;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node) ||
      (timon_resource_node_is_string (node) && json_node_get_string (node)[0] == '\0'))
    json_object_set_string_member (object, member, value);
}

/* Adds one invalid cause on @field per message of an SDK validator
 * (timon_validate_*), which joins them with "; ". */
void
timon_resource_add_invalid_messages (TimonFieldErrors *errors,
                                     const char *field,
                                     const char *value,
                                     const char *message)
{
  g_auto (GStrv) messages = g_strsplit (message, "; ", -1);

  for (char **m = messages; *m != NULL; m++)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, value, "%s", *m);
}

/* Reports @member of @object (at @path), an int32, when it is negative or
 * no int32. */
void
timon_resource_validate_nonnegative (JsonObject *object,
                                     const char *member,
                                     const char *path,
                                     TimonFieldErrors *errors)
{
  gint64 value;

  if (timon_resource_get_int32 (object, member, path, errors, &value) && value < 0) {
    g_autofree char *field = timon_resource_path (path, member);
    g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, value);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, shown,
                            TIMON_RESOURCE_NONNEGATIVE);
  }
}

JsonObject *
timon_resource_load_schemas (const char *const *paths, GError **error)
{
  g_autoptr (JsonObject) schemas = json_object_new ();

  for (const char *const *p = paths; *p != NULL; p++) {
    g_autoptr (GBytes) bytes = g_resources_lookup_data (*p, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
    if (bytes == NULL)
      return NULL;
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                     (gssize) g_bytes_get_size (bytes), error))
      return NULL;
    JsonNode *root = json_parser_get_root (parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s is not a JSON object", *p);
      return NULL;
    }
    JsonObject *object = json_node_get_object (root);
    g_autoptr (GList) names = json_object_get_members (object);
    for (GList *l = names; l != NULL; l = l->next)
      json_object_set_member (schemas, l->data,
                              json_node_copy (json_object_get_member (object, l->data)));
  }
  return g_steal_pointer (&schemas);
}

void
timon_resource_set_schema (TimonResourceType *type, JsonObject *schemas, const char *prefix)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", prefix, timon_resource_type_get_kind (type));
  timon_resource_type_set_schema (type, schemas, name);
}
