/* apps-v1-selector.c: spec.selector of the workloads, a label selector
 * of matchLabels and matchExpressions, as Kubernetes validates
 * (ValidateLabelSelector), matches and prints it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "apps-v1-private.h"

static gboolean
operator_takes_values (const char *op)
{
  return g_str_equal (op, "In") || g_str_equal (op, "NotIn");
}

static gboolean
operator_is_known (const char *op)
{
  return operator_takes_values (op) || g_str_equal (op, "Exists") ||
         g_str_equal (op, "DoesNotExist");
}

/* One of matchExpressions, at @path ("spec.selector.matchExpressions[0]"). */
static void
validate_requirement (JsonObject *requirement, const char *path, TimonFieldErrors *errors)
{
  const char *key = timon_resource_get_string (requirement, "key", path, errors);
  const char *op = timon_resource_get_string (requirement, "operator", path, errors);
  JsonArray *values = timon_resource_get_array (requirement, "values", path, errors);
  guint n_values = values != NULL ? json_array_get_length (values) : 0;
  g_autofree char *values_field = timon_resource_path (path, "values");
  g_autofree char *message = NULL;

  if (op != NULL && operator_takes_values (op) && n_values == 0) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, values_field, NULL,
                            "must be specified when `operator` is 'In' or 'NotIn'");
  } else if (op != NULL && operator_is_known (op) && !operator_takes_values (op) && n_values > 0) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, values_field, NULL,
                            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  } else if (op != NULL ? !operator_is_known (op)
                        : timon_resource_member_is_unset (requirement, "operator")) {
    g_autofree char *field = timon_resource_path (path, "operator");
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, op != NULL ? op : "",
                            "not a valid selector operator");
  }
  /* A missing key is checked as the empty string, as Go decodes it; one
   * of the wrong type was reported. */
  if ((key != NULL || timon_resource_member_is_unset (requirement, "key")) &&
      !timon_validate_qualified_name (key != NULL ? key : "", &message)) {
    g_autofree char *field = timon_resource_path (path, "key");
    timon_resource_add_invalid_messages (errors, field, key != NULL ? key : "", message);
  }
  for (guint i = 0; i < n_values; i++) {
    JsonNode *node = json_array_get_element (values, i);
    g_autofree char *field = g_strdup_printf ("%s[%u]", values_field, i);
    g_autofree char *value_message = NULL;

    if (!timon_resource_node_is_string (node))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, NULL, "must be a string");
    else if (!timon_validate_label_value (json_node_get_string (node), &value_message))
      timon_resource_add_invalid_messages (errors, field, json_node_get_string (node),
                                           value_message);
  }
}

/* Checks spec.selector of @spec (which may be NULL): required, and not
 * empty, which would select every pod of the namespace (@empty_message
 * says so as Kubernetes does for the kind). Returns TRUE when the
 * selector is valid, so that matching it means something. Kubernetes
 * adds a cause "invalid label selector" on top of those of an invalid
 * one; that would say nothing new, and is left out. */
gboolean
apps_v1_validate_selector (JsonObject *spec, const char *empty_message, TimonFieldErrors *errors)
{
  JsonObject *selector = timon_resource_get_object (spec, "selector", "spec", errors);
  guint before = timon_field_errors_get_length (errors);

  if (selector == NULL) {
    /* Not when it is there, of the wrong type: that is reported. */
    if (spec == NULL || timon_resource_member_is_unset (spec, "selector"))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.selector", NULL, NULL);
    return FALSE;
  }

  JsonObject *labels = timon_resource_get_object (selector, "matchLabels", "spec.selector", errors);
  if (labels != NULL)
    timon_validate_labels (labels, "spec.selector.matchLabels", errors);
  JsonArray *expressions =
    timon_resource_get_array (selector, "matchExpressions", "spec.selector", errors);
  for (guint i = 0; expressions != NULL && i < json_array_get_length (expressions); i++) {
    JsonNode *node = json_array_get_element (expressions, i);
    g_autofree char *path = g_strdup_printf ("spec.selector.matchExpressions[%u]", i);

    if (JSON_NODE_HOLDS_OBJECT (node))
      validate_requirement (json_node_get_object (node), path, errors);
    else
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, path, NULL, "must be an object");
  }

  /* A malformed member was reported: it is not empty, it is wrong. */
  if (timon_field_errors_get_length (errors) == before &&
      (labels == NULL || json_object_get_size (labels) == 0) &&
      (expressions == NULL || json_array_get_length (expressions) == 0))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.selector", NULL, "%s",
                            empty_message);
  return timon_field_errors_get_length (errors) == before;
}

/* The key, operator and values of the matchExpressions element @element,
 * read without reporting (validation did): FALSE when it has no key or
 * no operator. */
static gboolean
read_requirement (JsonNode *element, const char **key, const char **op, JsonArray **values)
{
  JsonObject *requirement =
    JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;

  *key = timon_resource_get_string (requirement, "key", NULL, NULL);
  *op = timon_resource_get_string (requirement, "operator", NULL, NULL);
  *values = timon_resource_get_array (requirement, "values", NULL, NULL);
  return *key != NULL && *op != NULL;
}

static const char *
label_of (JsonObject *labels, const char *key)
{
  return timon_resource_get_string (labels, key, NULL, NULL);
}

static gboolean
values_contain (JsonArray *values, const char *value)
{
  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++) {
    JsonNode *node = json_array_get_element (values, i);
    if (timon_resource_node_is_string (node) && g_str_equal (json_node_get_string (node), value))
      return TRUE;
  }
  return FALSE;
}

/* Whether @selector, which apps_v1_validate_selector() found valid,
 * selects @labels (which may be NULL: no labels). */
gboolean
apps_v1_selector_matches (JsonObject *selector, JsonObject *labels)
{
  JsonObject *match_labels = timon_resource_get_object (selector, "matchLabels", NULL, NULL);
  JsonArray *expressions = timon_resource_get_array (selector, "matchExpressions", NULL, NULL);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  if (match_labels != NULL) {
    json_object_iter_init (&iter, match_labels);
    while (json_object_iter_next (&iter, &key, &node)) {
      const char *have = label_of (labels, key);
      if (have == NULL || !timon_resource_node_is_string (node) ||
          !g_str_equal (have, json_node_get_string (node)))
        return FALSE;
    }
  }
  for (guint i = 0; expressions != NULL && i < json_array_get_length (expressions); i++) {
    const char *req_key, *op;
    JsonArray *values;

    if (!read_requirement (json_array_get_element (expressions, i), &req_key, &op, &values))
      return FALSE;
    const char *have = label_of (labels, req_key);
    if ((g_str_equal (op, "In") && (have == NULL || !values_contain (values, have))) ||
        (g_str_equal (op, "NotIn") && have != NULL && values_contain (values, have)) ||
        (g_str_equal (op, "Exists") && have == NULL) ||
        (g_str_equal (op, "DoesNotExist") && have != NULL))
      return FALSE;
  }
  return TRUE;
}

typedef struct {
  char *key;
  char *text;
} Term;

static void
term_clear (gpointer data)
{
  Term *term = data;
  g_free (term->key);
  g_free (term->text);
}

static int
compare_terms (gconstpointer a, gconstpointer b)
{
  const Term *ta = a, *tb = b;
  int by_key = strcmp (ta->key, tb->key);

  /* g_array_sort() is not stable: equal keys are ordered by text. */
  return by_key != 0 ? by_key : strcmp (ta->text, tb->text);
}

/* Orders the strings of a GPtrArray, for g_ptr_array_sort(). */
int
apps_v1_compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* "in (a,b)": the values sorted, as kubectl prints a set. */
static char *
format_values (const char *op, JsonArray *values)
{
  g_autoptr (GPtrArray) strings = g_ptr_array_new ();

  for (guint i = 0; values != NULL && i < json_array_get_length (values); i++) {
    JsonNode *node = json_array_get_element (values, i);
    if (timon_resource_node_is_string (node))
      g_ptr_array_add (strings, (gpointer) json_node_get_string (node));
  }
  g_ptr_array_sort (strings, apps_v1_compare_strings);
  g_ptr_array_add (strings, NULL);
  g_autofree char *joined = g_strjoinv (",", (char **) strings->pdata);
  return g_strdup_printf ("%s (%s)", op, joined);
}

/* @selector as kubectl prints it (metav1.FormatLabelSelector): the terms
 * sorted by key, "app=web,tier in (a,b),!legacy"; "<none>" when it
 * selects by nothing. Terms of a malformed selector are skipped. */
char *
apps_v1_selector_to_string (JsonObject *selector)
{
  JsonObject *match_labels = timon_resource_get_object (selector, "matchLabels", NULL, NULL);
  JsonArray *expressions = timon_resource_get_array (selector, "matchExpressions", NULL, NULL);
  g_autoptr (GArray) terms = g_array_new (FALSE, FALSE, sizeof (Term));
  g_autoptr (GString) out = g_string_new (NULL);
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  g_array_set_clear_func (terms, term_clear);
  if (match_labels != NULL) {
    json_object_iter_init_ordered (&iter, match_labels);
    while (json_object_iter_next_ordered (&iter, &key, &node)) {
      if (!timon_resource_node_is_string (node))
        continue;
      Term term = { g_strdup (key), g_strdup_printf ("%s=%s", key, json_node_get_string (node)) };
      g_array_append_val (terms, term);
    }
  }
  for (guint i = 0; expressions != NULL && i < json_array_get_length (expressions); i++) {
    const char *req_key, *op;
    JsonArray *values;
    Term term = { NULL, NULL };

    if (!read_requirement (json_array_get_element (expressions, i), &req_key, &op, &values))
      continue;
    if (g_str_equal (op, "In") || g_str_equal (op, "NotIn")) {
      g_autofree char *set = format_values (g_str_equal (op, "In") ? "in" : "notin", values);
      term.text = g_strdup_printf ("%s %s", req_key, set);
    } else if (g_str_equal (op, "Exists")) {
      term.text = g_strdup (req_key);
    } else if (g_str_equal (op, "DoesNotExist")) {
      term.text = g_strdup_printf ("!%s", req_key);
    } else {
      continue;
    }
    term.key = g_strdup (req_key);
    g_array_append_val (terms, term);
  }
  if (terms->len == 0)
    return g_strdup ("<none>");
  g_array_sort (terms, compare_terms);
  for (guint i = 0; i < terms->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "", g_array_index (terms, Term, i).text);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
