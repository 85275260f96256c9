/* timon-field-selector.c: Kubernetes field selectors, with the grammar,
 * escaping, matching and canonical form of k8s.io/apimachinery's
 * pkg/fields.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <string.h>

#include "timon-field-selector.h"

/* Longest piece of the user's text an error message quotes. */
#define QUOTE_MAX 64

typedef struct {
  char *field;
  char *value; /* unescaped */
  gboolean negated;
} Term;

struct _TimonFieldSelector {
  gatomicrefcount ref_count;
  GPtrArray *terms; /* of Term, sorted */
};

G_DEFINE_BOXED_TYPE (TimonFieldSelector,
                     timon_field_selector,
                     timon_field_selector_ref,
                     timon_field_selector_unref)

static void
term_free (Term *term)
{
  g_free (term->field);
  g_free (term->value);
  g_free (term);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Term, term_free)

/* @s (of @len bytes) for an error message: cut short, non-ASCII bytes
 * and control characters escaped, so that a message is always short
 * UTF-8 whatever the text was. */
static char *
quote (const char *s, size_t len)
{
  g_autofree char *cut = g_strndup (s, MIN (len, QUOTE_MAX));
  g_autofree char *escaped = g_strescape (cut, NULL);
  return g_strconcat (escaped, len > QUOTE_MAX ? "..." : "", NULL);
}

static gboolean G_GNUC_PRINTF (4, 5)
  fail (const char *text, const char *at, GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID,
               "invalid field selector at column %zu: %s", (size_t) (at - text) + 1, message);
  return FALSE;
}

/* The end of the term that starts at @s: the first comma that no
 * backslash escapes, or the end of the text. */
static const char *
term_end (const char *s)
{
  for (; *s != '\0' && *s != ','; s++) {
    if (*s == '\\' && s[1] != '\0')
      s++;
  }
  return s;
}

/* Where the operator of the term [@s, @end) is: the first "!=", "==" or
 * "=" that no backslash escapes. Sets @op_len; NULL if there is none. */
static const char *
find_operator (const char *s, const char *end, size_t *op_len)
{
  for (; s < end; s++) {
    if (*s == '\\') {
      s++;
      continue;
    }
    if (*s == '!' && s + 1 < end && s[1] == '=') {
      *op_len = 2;
      return s;
    }
    if (*s == '=') {
      *op_len = s + 1 < end && s[1] == '=' ? 2 : 1;
      return s;
    }
  }
  return NULL;
}

/* Unescapes the value [@s, @end): `\\`, `\,` and `\=` stand for the
 * character; any other escape, a lone backslash at the end, or a bare
 * ',' or '=' is an error. */
static char *
unescape_value (const char *text, const char *s, const char *end, GError **error)
{
  GString *value = g_string_sized_new ((size_t) (end - s));

  for (const char *c = s; c < end; c++) {
    if (*c == '\\') {
      if (c + 1 == end) {
        fail (text, c, error, "invalid escape sequence: a value cannot end in a lone '\\'");
        g_string_free (value, TRUE);
        return NULL;
      }
      c++;
      if (*c != '\\' && *c != ',' && *c != '=') {
        g_autofree char *quoted = quote (c, 1);
        fail (text, c - 1, error,
              "invalid escape sequence: '\\%s' (only '\\\\', '\\,' and '\\=' are)", quoted);
        g_string_free (value, TRUE);
        return NULL;
      }
    } else if (*c == '=' || *c == ',') {
      fail (text, c, error, "unescaped character in value: '%c' (write '\\%c')", *c, *c);
      g_string_free (value, TRUE);
      return NULL;
    }
    g_string_append_c (value, *c);
  }
  return g_string_free (value, FALSE);
}

static int
compare_terms (gconstpointer a, gconstpointer b)
{
  const Term *ta = *(const Term *const *) a;
  const Term *tb = *(const Term *const *) b;
  int cmp = strcmp (ta->field, tb->field);

  if (cmp != 0)
    return cmp;
  if (ta->negated != tb->negated)
    return ta->negated ? 1 : -1;
  return strcmp (ta->value, tb->value);
}

/**
 * timon_field_selector_parse:
 * @text: a field selector, as `?fieldSelector=` carries it (already
 *   percent-decoded)
 * @allowed_fields: (nullable) (array zero-terminated=1): the fields the
 *   resource supports, or %NULL to accept any
 * @error: return location for an error
 *
 * Parses a Kubernetes field selector: comma-separated terms, each
 * `field=value`, `field==value` (the same) or `field!=value`. In a value,
 * `\,`, `\=` and `\\` stand for ',', '=' and '\'. Empty terms are
 * skipped, and an empty @text selects everything. As in Kubernetes,
 * whitespace is part of the field or value, not around it.
 *
 * Returns: (transfer full) (nullable): the selector, or %NULL with
 *   %TIMON_SELECTOR_ERROR_INVALID, whose message says what is wrong and
 *   at which column (1-based, in bytes); a field not in @allowed_fields
 *   gives "field label not supported: field"
 *
 * Since: 0.1
 */
TimonFieldSelector *
timon_field_selector_parse (const char *text, const char *const *allowed_fields, GError **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size_t len = strnlen (text, TIMON_SELECTOR_MAX_LENGTH + 1);
  if (len > TIMON_SELECTOR_MAX_LENGTH) {
    g_set_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID,
                 "the field selector is longer than the limit of %zu bytes",
                 TIMON_SELECTOR_MAX_LENGTH);
    return NULL;
  }

  g_autoptr (GPtrArray) terms = g_ptr_array_new_with_free_func ((GDestroyNotify) term_free);
  const char *start = text;
  for (;;) {
    const char *end = term_end (start);

    if (end > start) {
      size_t op_len = 0;
      const char *op = find_operator (start, end, &op_len);
      if (op == NULL) {
        g_autofree char *quoted = quote (start, (size_t) (end - start));
        fail (text, start, error,
              "can't understand '%s': expected field=value, "
              "field==value or field!=value",
              quoted);
        return NULL;
      }
      if (op == start) {
        fail (text, start, error, "the field name before '%.*s' is empty", (int) op_len, op);
        return NULL;
      }

      g_autoptr (Term) term = g_new0 (Term, 1);
      term->field = g_strndup (start, (size_t) (op - start));
      term->negated = *op == '!';
      term->value = unescape_value (text, op + op_len, end, error);
      if (term->value == NULL)
        return NULL;
      if (allowed_fields != NULL && !g_strv_contains (allowed_fields, term->field)) {
        g_autofree char *quoted = quote (term->field, strlen (term->field));
        fail (text, start, error, "field label not supported: %s", quoted);
        return NULL;
      }
      g_ptr_array_add (terms, g_steal_pointer (&term));
    }
    if (*end == '\0')
      break;
    start = end + 1;
  }
  g_ptr_array_sort (terms, compare_terms);

  TimonFieldSelector *selector = g_new0 (TimonFieldSelector, 1);
  g_atomic_ref_count_init (&selector->ref_count);
  selector->terms = g_steal_pointer (&terms);
  return selector;
}

/**
 * timon_field_selector_ref:
 * @selector: a selector
 *
 * Returns: (transfer full): @selector
 *
 * Since: 0.1
 */
TimonFieldSelector *
timon_field_selector_ref (TimonFieldSelector *selector)
{
  g_return_val_if_fail (selector != NULL, NULL);

  g_atomic_ref_count_inc (&selector->ref_count);
  return selector;
}

/**
 * timon_field_selector_unref:
 * @selector: (transfer full): a selector
 *
 * Drops a reference, freeing @selector with the last one.
 *
 * Since: 0.1
 */
void
timon_field_selector_unref (TimonFieldSelector *selector)
{
  g_return_if_fail (selector != NULL);

  if (g_atomic_ref_count_dec (&selector->ref_count)) {
    g_ptr_array_unref (selector->terms);
    g_free (selector);
  }
}

/**
 * timon_field_selector_matches:
 * @selector: a selector
 * @get: (scope call): reads a field of the object
 * @user_data: passed to @get
 *
 * Whether the object @get reads is selected: every term holds. A field
 * the object lacks (@get returns %NULL) compares as the empty string, as
 * in Kubernetes.
 *
 * Returns: %TRUE if it is
 *
 * Since: 0.1
 */
gboolean
timon_field_selector_matches (TimonFieldSelector *selector,
                              TimonFieldGetter get,
                              gpointer user_data)
{
  g_return_val_if_fail (selector != NULL, FALSE);
  g_return_val_if_fail (get != NULL, FALSE);

  for (guint i = 0; i < selector->terms->len; i++) {
    const Term *term = selector->terms->pdata[i];
    const char *value = get (term->field, user_data);
    gboolean equal = g_strcmp0 (value != NULL ? value : "", term->value) == 0;

    if (equal == term->negated)
      return FALSE;
  }
  return TRUE;
}

/**
 * timon_field_selector_is_empty:
 * @selector: a selector
 *
 * Returns: %TRUE if @selector has no term, and so selects everything
 *
 * Since: 0.1
 */
gboolean
timon_field_selector_is_empty (TimonFieldSelector *selector)
{
  g_return_val_if_fail (selector != NULL, FALSE);

  return selector->terms->len == 0;
}

/**
 * timon_field_selector_to_string:
 * @selector: a selector
 *
 * The canonical form of @selector: terms sorted, `==` written `=`, and
 * ',', '=' and '\' escaped in values (`metadata.name=a\,b,spec.x!=y`).
 * Parsing it gives a selector that selects the same objects.
 *
 * Returns: (transfer full): the text; empty for an empty selector
 *
 * Since: 0.1
 */
char *
timon_field_selector_to_string (TimonFieldSelector *selector)
{
  g_return_val_if_fail (selector != NULL, NULL);

  GString *out = g_string_new (NULL);
  for (guint i = 0; i < selector->terms->len; i++) {
    const Term *term = selector->terms->pdata[i];

    if (i > 0)
      g_string_append_c (out, ',');
    g_string_append (out, term->field);
    g_string_append (out, term->negated ? "!=" : "=");
    for (const char *c = term->value; *c != '\0'; c++) {
      if (*c == '\\' || *c == ',' || *c == '=')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *c);
    }
  }
  return g_string_free (out, FALSE);
}

/**
 * timon_field_selector_get_exact:
 * @selector: a selector
 * @field: a field name
 *
 * The value @selector requires @field to have, when it has a
 * `field=value` term for it, so that a cache indexed by @field can look
 * the candidates up instead of scanning (they must still be matched).
 * As Kubernetes' `RequiresExactMatch()`.
 *
 * Returns: (nullable) (transfer none): the value, valid as long as
 *   @selector, or %NULL
 *
 * Since: 0.1
 */
const char *
timon_field_selector_get_exact (TimonFieldSelector *selector, const char *field)
{
  g_return_val_if_fail (selector != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < selector->terms->len; i++) {
    const Term *term = selector->terms->pdata[i];
    if (!term->negated && strcmp (term->field, field) == 0)
      return term->value;
  }
  return NULL;
}
