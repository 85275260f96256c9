/* core-v1-util.c: the checks several core/v1 types share (typed JSON
 * access is in ../common/timon-resource-util.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"

/* A map entry as Kubernetes' field.Path.Key() writes it: "data[key]". */
char *
core_v1_key_path (const char *parent, const char *key)
{
  return g_strdup_printf ("%s[%s]", parent, key);
}

/* Absent, null, or an empty map, which Kubernetes does not store
 * (omitempty): all mean "none". */
static gboolean
is_none (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node) ||
         (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (json_node_get_object (node)) == 0);
}

/* Whether @member is the same in @a and @b, every kind of none being the
 * same: a client that drops an empty map has not changed it. */
gboolean
core_v1_members_equal (JsonObject *a, JsonObject *b, const char *member)
{
  JsonNode *na = json_object_get_member (a, member);
  JsonNode *nb = json_object_get_member (b, member);
  gboolean a_none = is_none (na);
  gboolean b_none = is_none (nb);

  if (a_none || b_none)
    return a_none && b_none;
  return json_node_equal (na, nb);
}

/* How many entries the object member @member of @object has: 0 when it
 * is no object. */
guint
core_v1_count_members (JsonObject *object, const char *member)
{
  JsonObject *map = timon_resource_get_object (object, member, NULL, NULL);
  return map != NULL ? json_object_get_size (map) : 0;
}

#define CONFIG_KEY_FMT "[-._a-zA-Z0-9]+"
#define CONFIG_KEY_ERR_MSG \
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

/* Kubernetes' IsConfigMapKey(), with its messages: a key names a file
 * when the map is mounted, so it may not be a path or leave the folder. */
void
core_v1_validate_config_key (const char *key, const char *field, TimonFieldErrors *errors)
{
  size_t len = strlen (key);
  static const char allowed[] = "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  if (len > TIMON_DNS1123_SUBDOMAIN_MAX_LENGTH)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key,
                            "must be no more than %d characters",
                            TIMON_DNS1123_SUBDOMAIN_MAX_LENGTH);
  if (len == 0 || strspn (key, allowed) != len)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key,
                            "%s (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                            "validation is '%s')",
                            CONFIG_KEY_ERR_MSG, CONFIG_KEY_FMT);
  if (g_str_equal (key, "."))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key, "must not be '.'");
  else if (g_str_equal (key, ".."))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key, "must not be '..'");
  else if (g_str_has_prefix (key, ".."))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key,
                            "must not start with '..'");
}

static int
base64_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

/* Whether @text is standard, padded base64 as Go's StdEncoding reads
 * []byte fields of JSON (line breaks ignored), and how many bytes it
 * decodes to. g_base64_decode() skips what it does not understand, so it
 * cannot tell. */
gboolean
core_v1_base64_check (const char *text, gsize *decoded_length)
{
  gsize n = 0, padding = 0;

  for (const char *p = text; *p != '\0'; p++) {
    if (*p == '\r' || *p == '\n')
      continue;
    if (*p == '=') {
      padding++;
    } else if (padding > 0 || base64_value (*p) < 0) {
      return FALSE; /* data after padding, or not in the alphabet */
    }
    n++;
  }
  if (n % 4 != 0 || padding > 2)
    return FALSE;
  if (decoded_length != NULL)
    *decoded_length = n / 4 * 3 - padding;
  return TRUE;
}

/* Kubernetes' rule for `immutable` on ConfigMaps and Secrets: once it is
 * true, it stays true and @data_members keep their values. */
void
core_v1_validate_immutable_flag (JsonObject *object,
                                 JsonObject *old,
                                 const char *const *data_members,
                                 TimonFieldErrors *errors)
{
  gboolean was_immutable, is_immutable;

  timon_resource_get_boolean (old, "immutable", NULL, NULL, &was_immutable);
  if (!was_immutable)
    return;
  /* A wrong type is reported by the validation of the new object. */
  timon_resource_get_boolean (object, "immutable", NULL, NULL, &is_immutable);
  if (!is_immutable)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, "immutable", NULL,
                            CORE_V1_IMMUTABLE_SET);
  for (const char *const *m = data_members; *m != NULL; m++) {
    if (!core_v1_members_equal (object, old, *m))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, *m, NULL, CORE_V1_IMMUTABLE_SET);
  }
}

/* Checks the map @member of @object, as ConfigMap.data (@base64 FALSE:
 * string values) or Secret.data and ConfigMap.binaryData (@base64 TRUE:
 * base64 values, as Go encodes []byte): config keys, values of the right
 * type. Adds the bytes the values hold to @total. Returns the map, or
 * NULL when there is none or it is no object. */
JsonObject *
core_v1_validate_data_map (JsonObject *object,
                           const char *member,
                           gboolean base64,
                           gsize *total,
                           TimonFieldErrors *errors)
{
  JsonObject *map = timon_resource_get_object (object, member, NULL, errors);
  JsonObjectIter iter; /* ordered: causes and merges follow the client's order */
  const char *key;
  JsonNode *node;

  if (map == NULL)
    return NULL;
  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &key, &node)) {
    g_autofree char *field = core_v1_key_path (member, key);
    gsize size = 0;

    core_v1_validate_config_key (key, field, errors);
    if (!timon_resource_node_is_string (node)) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
      continue;
    }
    const char *value = json_node_get_string (node);
    if (!base64)
      size = strlen (value);
    else if (!core_v1_base64_check (value, &size))
      /* The value is secret or binary: the message does not repeat it. */
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL,
                              "must be base64-encoded (standard alphabet, with padding)");
    *total += size;
  }
  return map;
}

/* The element @index of @array as an object; NULL, reporting "must be an
 * object" on "@path[@index]" when @errors is given, for anything else. */
JsonObject *
core_v1_array_get_object (JsonArray *array, guint index, const char *path, TimonFieldErrors *errors)
{
  JsonNode *node = json_array_get_element (array, index);

  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  if (errors != NULL) {
    g_autofree char *field = g_strdup_printf ("%s[%u]", path, index);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be an object");
  }
  return NULL;
}

/* The objects of the list @member of @object (which may be NULL), for
 * defaulting: a new array of borrowed objects, skipping what is no
 * object. */
GPtrArray *
core_v1_dup_object_list (JsonObject *object, const char *member)
{
  JsonArray *list = timon_resource_get_array (object, member, NULL, NULL);
  GPtrArray *objects = g_ptr_array_new ();

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++) {
    JsonObject *item = core_v1_array_get_object (list, i, NULL, NULL);
    if (item != NULL)
      g_ptr_array_add (objects, item);
  }
  return objects;
}

/* A copy of @node that shares nothing with it: json_node_copy() shares
 * the objects and arrays it holds, and what is edited in such a copy is
 * edited in the original. */
JsonNode *
core_v1_deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *object = json_object_new ();
    JsonObjectIter iter;
    const char *member;
    JsonNode *value;
    json_object_iter_init_ordered (&iter, json_node_get_object (node));
    while (json_object_iter_next_ordered (&iter, &member, &value))
      json_object_set_member (object, member, core_v1_deep_copy (value));
    JsonNode *copy = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (copy, object);
    return copy;
  }
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *source = json_node_get_array (node);
    JsonArray *array = json_array_sized_new (json_array_get_length (source));
    for (guint i = 0; i < json_array_get_length (source); i++)
      json_array_add_element (array, core_v1_deep_copy (json_array_get_element (source, i)));
    JsonNode *copy = json_node_new (JSON_NODE_ARRAY);
    json_node_take_array (copy, array);
    return copy;
  }
  return json_node_copy (node);
}

/* Drops from @node, recursively, the members that are null, empty maps or
 * empty lists: what Go's omitempty leaves out, so that two objects
 * compare equal whichever way a client wrote "nothing". */
void
core_v1_prune_empty (JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);
    for (guint i = 0; i < json_array_get_length (array); i++)
      core_v1_prune_empty (json_array_get_element (array, i));
    return;
  }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return;

  JsonObject *object = json_node_get_object (node);
  g_autoptr (GList) names = json_object_get_members (object);
  for (GList *l = names; l != NULL; l = l->next) {
    JsonNode *member = json_object_get_member (object, l->data);
    core_v1_prune_empty (member);
    if (JSON_NODE_HOLDS_NULL (member) ||
        (JSON_NODE_HOLDS_OBJECT (member) &&
         json_object_get_size (json_node_get_object (member)) == 0) ||
        (JSON_NODE_HOLDS_ARRAY (member) &&
         json_array_get_length (json_node_get_array (member)) == 0))
      json_object_remove_member (object, l->data);
  }
}

/* Checks the string member @member of @object, when set, as a DNS-1123
 * subdomain (@label FALSE) or label (@label TRUE). Returns the string. */
const char *
core_v1_validate_dns_member (JsonObject *object,
                             const char *member,
                             const char *path,
                             gboolean label,
                             TimonFieldErrors *errors)
{
  const char *value = timon_resource_get_string (object, member, path, errors);
  g_autofree char *message = NULL;

  if (value == NULL || value[0] == '\0')
    return value;
  if (!(label ? timon_validate_dns1123_label (value, &message)
              : timon_validate_dns1123_subdomain (value, &message))) {
    g_autofree char *field = timon_resource_path (path, member);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, value, "%s", message);
  }
  return value;
}
