/* core-v1-quantity.c: Kubernetes resource quantities ("500m", "1Gi",
 * "1e3"), parsed as resource.ParseQuantity reads them, and the checks of
 * the maps of them that pods, quotas and limit ranges carry.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <string.h>

#include "core-v1-private.h"

/* The longest quantity read: a number longer is no resource amount. */
#define QUANTITY_MAX_LENGTH 64

static const struct {
  const char *suffix;
  int exponent; /* a power of 10, or of 1024 when binary */
  gboolean binary;
} suffixes[] = {
  { "Ki", 1, TRUE }, { "Mi", 2, TRUE },  { "Gi", 3, TRUE },  { "Ti", 4, TRUE },  { "Pi", 5, TRUE },
  { "Ei", 6, TRUE }, { "n", -9, FALSE }, { "u", -6, FALSE }, { "m", -3, FALSE }, { "k", 3, FALSE },
  { "M", 6, FALSE }, { "G", 9, FALSE },  { "T", 12, FALSE }, { "P", 15, FALSE }, { "E", 18, FALSE },
};

/* Whether @text is a quantity: a signed decimal number ("1", "1.5", ".5",
 * "5.") then nothing, a suffix of the decimal (n u m k M G T P E) or
 * binary (Ki Mi Gi Ti Pi Ei) system, or a decimal exponent ("e3",
 * "E-2"). Stores its value in @value (which may be NULL). The decimal
 * part is read by strtod in one go, so "100m" and "0.1" are the same
 * double, and binary multiples are exact. */
gboolean
core_v1_quantity_parse (const char *text, double *value)
{
  const char *p = text;
  g_autoptr (GString) number = g_string_new (NULL);
  size_t digits = 0;
  long exponent = 0;
  int binary = 0;

  if (text == NULL || strlen (text) > QUANTITY_MAX_LENGTH)
    return FALSE;
  if (*p == '+' || *p == '-')
    g_string_append_c (number, *p++);
  for (; g_ascii_isdigit (*p); p++, digits++)
    g_string_append_c (number, *p);
  if (*p == '.') {
    g_string_append_c (number, *p++);
    for (; g_ascii_isdigit (*p); p++, digits++)
      g_string_append_c (number, *p);
  }
  if (digits == 0)
    return FALSE;

  if (*p == 'e' || (*p == 'E' && p[1] != '\0' && p[1] != 'i')) {
    /* An exponent: "E" alone is exa, "Ei" exbi, "E3" times a thousand. */
    const char *q = p + 1;
    if (*q == '+' || *q == '-')
      q++;
    if (!g_ascii_isdigit (*q) || strspn (q, "0123456789") != strlen (q) || strlen (q) > 4)
      return FALSE;
    exponent = strtol (p + 1, NULL, 10);
  } else if (*p != '\0') {
    size_t i;
    for (i = 0; i < G_N_ELEMENTS (suffixes); i++) {
      if (g_str_equal (p, suffixes[i].suffix))
        break;
    }
    if (i == G_N_ELEMENTS (suffixes))
      return FALSE;
    if (suffixes[i].binary)
      binary = suffixes[i].exponent;
    else
      exponent = suffixes[i].exponent;
  }

  g_string_append_printf (number, "e%ld", exponent);
  double v = g_ascii_strtod (number->str, NULL);
  if (binary > 0)
    v = ldexp (v, 10 * binary);
  if (!isfinite (v))
    return FALSE;
  if (value != NULL)
    *value = v;
  return TRUE;
}

/* Kubernetes' message for what is no quantity. */
#define QUANTITY_ERR_MSG                          \
  "quantities must match the regular expression " \
  "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"

/* Checks @node, at @field, as a quantity, which JSON may hold as a string
 * or a number, and which may not be negative. Stores its value in @value
 * and returns TRUE when it is valid. */
gboolean
core_v1_validate_quantity (JsonNode *node,
                           const char *field,
                           TimonFieldErrors *errors,
                           double *value)
{
  double v = 0;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_INT64 ||
       json_node_get_value_type (node) == G_TYPE_DOUBLE)) {
    v = json_node_get_double (node);
  } else if (!timon_resource_node_is_string (node)) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL,
                            "must be a quantity (a string or a number)");
    return FALSE;
  } else if (!core_v1_quantity_parse (json_node_get_string (node), &v)) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, json_node_get_string (node),
                            QUANTITY_ERR_MSG);
    return FALSE;
  }
  if (v < 0) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field,
                            timon_resource_node_is_string (node) ? json_node_get_string (node)
                                                                 : NULL,
                            "must be greater than or equal to 0");
    return FALSE;
  }
  if (value != NULL)
    *value = v;
  return TRUE;
}

/* The value of @node as a quantity without reporting: FALSE when it is
 * none or negative. */
gboolean
core_v1_quantity_value (JsonNode *node, double *value)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      (json_node_get_value_type (node) == G_TYPE_INT64 ||
       json_node_get_value_type (node) == G_TYPE_DOUBLE)) {
    *value = json_node_get_double (node);
    return *value >= 0;
  }
  return timon_resource_node_is_string (node) &&
         core_v1_quantity_parse (json_node_get_string (node), value) && *value >= 0;
}

/* @node as a quantity for messages: the string as written, or the
 * number. */
char *
core_v1_quantity_dup_text (JsonNode *node)
{
  if (timon_resource_node_is_string (node))
    return g_strdup (json_node_get_string (node));
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return g_strdup_printf ("%g", json_node_get_double (node));
  return g_strdup ("");
}

/* Checks the map @member of @object (at @path) as a resource list:
 * qualified resource names, quantities as values. Returns the map, or
 * NULL when there is none or it is no object. */
JsonObject *
core_v1_validate_resource_list (JsonObject *object,
                                const char *member,
                                const char *path,
                                TimonFieldErrors *errors)
{
  JsonObject *map = timon_resource_get_object (object, member, path, errors);
  g_autofree char *map_path = timon_resource_path (path, member);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (map == NULL)
    return NULL;
  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &key, &node)) {
    g_autofree char *field = core_v1_key_path (map_path, key);
    g_autofree char *message = NULL;

    if (!timon_validate_qualified_name (key, &message))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key, "%s", message);
    core_v1_validate_quantity (node, field, errors, NULL);
  }
  return map;
}
