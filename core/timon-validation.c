/* timon-validation.c: Kubernetes' checks of names, label keys and values
 * and object metadata (k8s.io/apimachinery/pkg/util/validation and
 * pkg/api/validation), with the same messages, so that clients see what
 * a Kubernetes API server would answer.
 *
 * Each check collects every message that applies, as Kubernetes does; the
 * metadata checks turn each into one field error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>
#include <timon/timon.h>

#define DNS1123_LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_LABEL_ERR_MSG                                                                  \
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and " \
  "must start and end with an alphanumeric character"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define DNS1123_SUBDOMAIN_ERR_MSG                                                           \
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' " \
  "or '.', and must start and end with an alphanumeric character"
#define QUALIFIED_NAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QUALIFIED_NAME_ERR_MSG                                                        \
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end " \
  "with an alphanumeric character"
#define LABEL_VALUE_FMT "(" QUALIFIED_NAME_FMT ")?"
#define LABEL_VALUE_ERR_MSG                                                                        \
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', " \
  "and must start and end with an alphanumeric character"

/* Kubernetes' RegexError(): the rule, examples, and the regex. */
#define REGEX_ERROR_1(msg, fmt, ex1) msg " (e.g. '" ex1 "', regex used for validation is '" fmt "')"
#define REGEX_ERROR_2(msg, fmt, ex1, ex2) \
  msg " (e.g. '" ex1 "',  or '" ex2 "', regex used for validation is '" fmt "')"
#define REGEX_ERROR_3(msg, fmt, ex1, ex2, ex3) \
  msg " (e.g. '" ex1 "',  or '" ex2 "',  or '" ex3 "', regex used for validation is '" fmt "')"

#define QUALIFIED_NAME_REGEX_ERROR \
  REGEX_ERROR_3 (QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")

#define EMPTY_ERROR "must be non-empty"

static gboolean
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static gboolean
is_alnum (char c)
{
  return g_ascii_isalnum (c);
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over @len bytes of @s. */
static gboolean
matches_dns1123_label (const char *s, size_t len)
{
  if (len == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[len - 1]))
    return FALSE;
  for (size_t i = 1; i + 1 < len; i++) {
    if (!is_lower_alnum (s[i]) && s[i] != '-')
      return FALSE;
  }
  return TRUE;
}

/* Labels joined by '.'; each label may be of any length. */
static gboolean
matches_dns1123_subdomain (const char *s)
{
  const char *start = s;

  for (;;) {
    const char *dot = strchr (start, '.');
    size_t len = dot != NULL ? (size_t) (dot - start) : strlen (start);
    if (!matches_dns1123_label (start, len))
      return FALSE;
    if (dot == NULL)
      return TRUE;
    start = dot + 1;
  }
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static gboolean
matches_qualified_name (const char *s)
{
  size_t len = strlen (s);

  if (len == 0 || !is_alnum (s[0]) || !is_alnum (s[len - 1]))
    return FALSE;
  for (size_t i = 1; i + 1 < len; i++) {
    if (!is_alnum (s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return FALSE;
  }
  return TRUE;
}

static void
add_max_length (GPtrArray *messages, const char *prefix, size_t max)
{
  g_ptr_array_add (messages,
                   g_strdup_printf ("%smust be no more than %zu characters", prefix, max));
}

static void
check_dns1123_label (const char *value, GPtrArray *messages)
{
  size_t len = strlen (value);

  if (len > TIMON_DNS1123_LABEL_MAX_LENGTH)
    add_max_length (messages, "", TIMON_DNS1123_LABEL_MAX_LENGTH);
  if (!matches_dns1123_label (value, len)) {
    /* A subdomain of the right length that is no label has dots. */
    if (matches_dns1123_subdomain (value))
      g_ptr_array_add (messages, g_strdup ("must not contain dots"));
    else
      g_ptr_array_add (messages, g_strdup (REGEX_ERROR_2 (DNS1123_LABEL_ERR_MSG, DNS1123_LABEL_FMT,
                                                          "my-name", "123-abc")));
  }
}

static void
check_dns1123_subdomain (const char *value, const char *prefix, GPtrArray *messages)
{
  if (strlen (value) > TIMON_DNS1123_SUBDOMAIN_MAX_LENGTH)
    add_max_length (messages, prefix, TIMON_DNS1123_SUBDOMAIN_MAX_LENGTH);
  if (!matches_dns1123_subdomain (value))
    g_ptr_array_add (messages, g_strconcat (prefix,
                                            REGEX_ERROR_1 (DNS1123_SUBDOMAIN_ERR_MSG,
                                                           DNS1123_SUBDOMAIN_FMT, "example.com"),
                                            NULL));
}

static void
check_qualified_name (const char *value, GPtrArray *messages)
{
  g_auto (GStrv) parts = g_strsplit (value, "/", -1);
  const char *name;

  switch (g_strv_length (parts)) {
  case 0: /* g_strsplit() splits "" into no parts */
  case 1:
    name = value;
    break;
  case 2:
    if (parts[0][0] == '\0')
      g_ptr_array_add (messages, g_strdup ("prefix part " EMPTY_ERROR));
    else
      check_dns1123_subdomain (parts[0], "prefix part ", messages);
    name = parts[1];
    break;
  default:
    g_ptr_array_add (messages, g_strdup ("a qualified name " QUALIFIED_NAME_REGEX_ERROR
                                         " with an optional DNS subdomain prefix and '/' "
                                         "(e.g. 'example.com/MyName')"));
    return;
  }

  if (name[0] == '\0')
    g_ptr_array_add (messages, g_strdup ("name part " EMPTY_ERROR));
  else if (strlen (name) > TIMON_QUALIFIED_NAME_MAX_LENGTH)
    add_max_length (messages, "name part ", TIMON_QUALIFIED_NAME_MAX_LENGTH);
  if (!matches_qualified_name (name))
    g_ptr_array_add (messages, g_strdup ("name part " QUALIFIED_NAME_REGEX_ERROR));
}

static void
check_label_value (const char *value, GPtrArray *messages)
{
  if (strlen (value) > TIMON_LABEL_VALUE_MAX_LENGTH)
    add_max_length (messages, "", TIMON_LABEL_VALUE_MAX_LENGTH);
  if (value[0] != '\0' && !matches_qualified_name (value))
    g_ptr_array_add (messages, g_strdup (REGEX_ERROR_3 (LABEL_VALUE_ERR_MSG, LABEL_VALUE_FMT,
                                                        "MyValue", "my_value", "12345")));
}

/* TRUE if @messages is empty; otherwise FALSE, and the messages joined
 * by "; " in @out_message. */
static gboolean
report (GPtrArray *messages, char **out_message)
{
  if (out_message != NULL)
    *out_message = NULL;
  if (messages->len == 0)
    return TRUE;
  if (out_message != NULL) {
    g_ptr_array_add (messages, NULL);
    *out_message = g_strjoinv ("; ", (char **) messages->pdata);
  }
  return FALSE;
}

/**
 * timon_validate_dns1123_label:
 * @value: the value to check
 * @out_message: (out) (optional) (nullable) (transfer full): where to
 *   store what is wrong, or %NULL; set to %NULL when @value is valid
 *
 * Checks that @value is a lowercase RFC 1123 label, such as a namespace
 * name: at most 63 characters of `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
 * Messages are Kubernetes' ("must be no more than 63 characters", "must
 * not contain dots", "a lowercase RFC 1123 label must consist of ...");
 * several are joined by "; ".
 *
 * Returns: %TRUE if @value is valid
 *
 * Since: 0.1
 */
gboolean
timon_validate_dns1123_label (const char *value, char **out_message)
{
  g_return_val_if_fail (value != NULL, FALSE);

  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  check_dns1123_label (value, messages);
  return report (messages, out_message);
}

/**
 * timon_validate_dns1123_subdomain:
 * @value: the value to check
 * @out_message: (out) (optional) (nullable) (transfer full): where to
 *   store what is wrong, or %NULL; set to %NULL when @value is valid
 *
 * Checks that @value is a lowercase RFC 1123 subdomain, such as an object
 * name: at most 253 characters, RFC 1123 labels joined by '.'. As in
 * Kubernetes, the labels themselves are not limited to 63 characters.
 *
 * Returns: %TRUE if @value is valid
 *
 * Since: 0.1
 */
gboolean
timon_validate_dns1123_subdomain (const char *value, char **out_message)
{
  g_return_val_if_fail (value != NULL, FALSE);

  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  check_dns1123_subdomain (value, "", messages);
  return report (messages, out_message);
}

/**
 * timon_validate_qualified_name:
 * @value: the value to check
 * @out_message: (out) (optional) (nullable) (transfer full): where to
 *   store what is wrong, or %NULL; set to %NULL when @value is valid
 *
 * Checks that @value is a qualified name, such as a label or annotation
 * key: an optional DNS-1123 subdomain prefix and '/', then a name part of
 * at most 63 alphanumeric characters, '-', '_' or '.', starting and ending
 * with an alphanumeric character ("app", "example.com/MyName").
 *
 * Returns: %TRUE if @value is valid
 *
 * Since: 0.1
 */
gboolean
timon_validate_qualified_name (const char *value, char **out_message)
{
  g_return_val_if_fail (value != NULL, FALSE);

  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  check_qualified_name (value, messages);
  return report (messages, out_message);
}

/**
 * timon_validate_label_value:
 * @value: the value to check
 * @out_message: (out) (optional) (nullable) (transfer full): where to
 *   store what is wrong, or %NULL; set to %NULL when @value is valid
 *
 * Checks that @value is a label value: empty, or at most 63 alphanumeric
 * characters, '-', '_' or '.', starting and ending with an alphanumeric
 * character.
 *
 * Returns: %TRUE if @value is valid
 *
 * Since: 0.1
 */
gboolean
timon_validate_label_value (const char *value, char **out_message)
{
  g_return_val_if_fail (value != NULL, FALSE);

  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  check_label_value (value, messages);
  return report (messages, out_message);
}

/* One invalid-value error on @field for each of @messages. */
static void
add_invalid (TimonFieldErrors *errors, const char *field, const char *value, GPtrArray *messages)
{
  for (guint i = 0; i < messages->len; i++)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, value, "%s",
                            (const char *) messages->pdata[i]);
}

/* The string value of the member @key of a JSON map, or %NULL, with an
 * error on "<field_path>[<key>]", if it is no string. */
static const char *
map_string_value (JsonObject *map,
                  const char *key,
                  const char *field_path,
                  TimonFieldErrors *errors)
{
  JsonNode *node = json_object_get_member (map, key);

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  g_autofree char *field = g_strdup_printf ("%s[%s]", field_path, key);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
  return NULL;
}

/**
 * timon_validate_labels:
 * @labels: a JSON object of label keys and values
 * @field_path: the path of @labels, such as "metadata.labels"
 * @errors: where to add what is wrong
 *
 * Checks every key of @labels as a qualified name and every value as a
 * label value, adding one %TIMON_FIELD_ERROR_INVALID error on @field_path
 * per message, with the key or the value as its value, as Kubernetes. A
 * value that is not a string is invalid on "@field_path[key]".
 *
 * Returns: %TRUE if @labels is valid, %FALSE if errors were added
 *
 * Since: 0.1
 */
gboolean
timon_validate_labels (JsonObject *labels, const char *field_path, TimonFieldErrors *errors)
{
  g_return_val_if_fail (labels != NULL, FALSE);
  g_return_val_if_fail (field_path != NULL, FALSE);
  g_return_val_if_fail (errors != NULL, FALSE);

  guint before = timon_field_errors_get_length (errors);
  JsonObjectIter iter;
  const char *key;
  json_object_iter_init (&iter, labels);
  while (json_object_iter_next (&iter, &key, NULL)) {
    g_autoptr (GPtrArray) key_messages = g_ptr_array_new_with_free_func (g_free);
    check_qualified_name (key, key_messages);
    add_invalid (errors, field_path, key, key_messages);

    const char *value = map_string_value (labels, key, field_path, errors);
    if (value == NULL)
      continue;
    g_autoptr (GPtrArray) value_messages = g_ptr_array_new_with_free_func (g_free);
    check_label_value (value, value_messages);
    add_invalid (errors, field_path, value, value_messages);
  }
  return timon_field_errors_get_length (errors) == before;
}

/**
 * timon_validate_annotations:
 * @annotations: a JSON object of annotation keys and values
 * @field_path: the path of @annotations, such as "metadata.annotations"
 * @errors: where to add what is wrong
 *
 * Checks every key of @annotations as a qualified name (ignoring case),
 * adding one %TIMON_FIELD_ERROR_INVALID error on @field_path per message,
 * and that keys and values together hold at most
 * %TIMON_ANNOTATIONS_MAX_SIZE bytes, adding a %TIMON_FIELD_ERROR_TOO_LONG
 * error on @field_path if not. A value that is not a string is invalid on
 * "@field_path[key]".
 *
 * Returns: %TRUE if @annotations is valid, %FALSE if errors were added
 *
 * Since: 0.1
 */
gboolean
timon_validate_annotations (JsonObject *annotations,
                            const char *field_path,
                            TimonFieldErrors *errors)
{
  g_return_val_if_fail (annotations != NULL, FALSE);
  g_return_val_if_fail (field_path != NULL, FALSE);
  g_return_val_if_fail (errors != NULL, FALSE);

  guint before = timon_field_errors_get_length (errors);
  guint64 size = 0;
  JsonObjectIter iter;
  const char *key;
  json_object_iter_init (&iter, annotations);
  while (json_object_iter_next (&iter, &key, NULL)) {
    g_autofree char *lower = g_ascii_strdown (key, -1);
    g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
    check_qualified_name (lower, messages);
    add_invalid (errors, field_path, key, messages);

    const char *value = map_string_value (annotations, key, field_path, errors);
    size += strlen (key) + (value != NULL ? strlen (value) : 0);
  }
  if (size > TIMON_ANNOTATIONS_MAX_SIZE)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_TOO_LONG, field_path, NULL,
                            "may not be longer than %zu", TIMON_ANNOTATIONS_MAX_SIZE);
  return timon_field_errors_get_length (errors) == before;
}

/* The string member @member of @metadata: "" if it is absent or null,
 * %NULL with an error if it is no string. */
static const char *
meta_string (JsonObject *metadata, const char *member, TimonFieldErrors *errors)
{
  JsonNode *node = json_object_get_member (metadata, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "";
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  g_autofree char *field = g_strconcat ("metadata.", member, NULL);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
  return NULL;
}

/* The object member @member of @metadata: %NULL if it is absent or null,
 * or, with an error, if it is no object. */
static JsonObject *
meta_object (JsonObject *metadata, const char *member, TimonFieldErrors *errors)
{
  JsonNode *node = json_object_get_member (metadata, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  g_autofree char *field = g_strconcat ("metadata.", member, NULL);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be an object");
  return NULL;
}

/**
 * timon_validate_object_meta:
 * @metadata: the "metadata" object of an API object
 * @namespaced: whether the object's type lives in namespaces
 * @errors: where to add what is wrong
 *
 * Checks an object's metadata as Kubernetes' ValidateObjectMeta(), adding
 * errors on paths under "metadata":
 *
 * - "name", a DNS-1123 subdomain, required (%TIMON_FIELD_ERROR_REQUIRED)
 *   unless "generateName" is set;
 * - "generateName", checked the same way, a trailing '-' allowed;
 * - "namespace", a DNS-1123 label, required if @namespaced and forbidden
 *   (%TIMON_FIELD_ERROR_FORBIDDEN) otherwise;
 * - "labels", see timon_validate_labels();
 * - "annotations", see timon_validate_annotations().
 *
 * Absent and null members count as empty.
 *
 * Returns: %TRUE if @metadata is valid, %FALSE if errors were added
 *
 * Since: 0.1
 */
gboolean
timon_validate_object_meta (JsonObject *metadata, gboolean namespaced, TimonFieldErrors *errors)
{
  g_return_val_if_fail (metadata != NULL, FALSE);
  g_return_val_if_fail (errors != NULL, FALSE);

  guint before = timon_field_errors_get_length (errors);

  const char *generate_name = meta_string (metadata, "generateName", errors);
  if (generate_name != NULL && generate_name[0] != '\0') {
    /* A prefix may end in '-': the generated suffix follows it. */
    g_autofree char *masked = g_strdup (generate_name);
    size_t len = strlen (masked);
    if (len > 1 && masked[len - 1] == '-')
      masked[len - 1] = 'a';
    g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
    check_dns1123_subdomain (masked, "", messages);
    add_invalid (errors, "metadata.generateName", generate_name, messages);
  }

  const char *name = meta_string (metadata, "name", errors);
  if (name != NULL && name[0] == '\0') {
    if (generate_name != NULL && generate_name[0] == '\0')
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "metadata.name", NULL,
                              "name or generateName is required");
  } else if (name != NULL) {
    g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
    check_dns1123_subdomain (name, "", messages);
    add_invalid (errors, "metadata.name", name, messages);
  }

  const char *namespace = meta_string (metadata, "namespace", errors);
  if (namespace != NULL && namespaced) {
    if (namespace[0] == '\0') {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "metadata.namespace", NULL, NULL);
    } else {
      g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
      check_dns1123_label (namespace, messages);
      add_invalid (errors, "metadata.namespace", namespace, messages);
    }
  } else if (namespace != NULL && namespace[0] != '\0') {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, "metadata.namespace", NULL,
                            "not allowed on this type");
  }

  JsonObject *labels = meta_object (metadata, "labels", errors);
  if (labels != NULL)
    timon_validate_labels (labels, "metadata.labels", errors);
  JsonObject *annotations = meta_object (metadata, "annotations", errors);
  if (annotations != NULL)
    timon_validate_annotations (annotations, "metadata.annotations", errors);

  return timon_field_errors_get_length (errors) == before;
}
