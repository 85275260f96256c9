/* timon-label-selector.c: Kubernetes label selectors, with the grammar,
 * validation, matching and canonical form of k8s.io/apimachinery's
 * pkg/labels. Also the TIMON_SELECTOR_ERROR domain, which field
 * selectors share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "timon-label-selector.h"

G_DEFINE_QUARK (timon_selector_error_quark, timon_selector_error)

/* Longest piece of the user's text an error message quotes. */
#define QUOTE_MAX 64

/* Kubernetes' limits (k8s.io/apimachinery/pkg/util/validation). */
#define QUALIFIED_NAME_MAX 63
#define DNS1123_SUBDOMAIN_MAX 253
#define LABEL_VALUE_MAX 63

typedef enum {
  OP_EXISTS,
  OP_DOES_NOT_EXIST,
  OP_EQUALS,
  OP_DOUBLE_EQUALS,
  OP_NOT_EQUALS,
  OP_IN,
  OP_NOT_IN,
  OP_GREATER_THAN,
  OP_LESS_THAN,
} Operator;

typedef struct {
  char *key;
  Operator op;
  /* Sorted and without duplicates, as Kubernetes keeps them: one for
   * =, ==, !=, > and <, at least one for in and notin, none otherwise. */
  GPtrArray *values;
  gint64 number; /* the value of > and < */
  guint index;   /* where it was in the text, to keep the sort stable */
} Requirement;

struct _TimonLabelSelector {
  gatomicrefcount ref_count;
  GPtrArray *requirements; /* of Requirement, sorted by key */
};

G_DEFINE_BOXED_TYPE (TimonLabelSelector,
                     timon_label_selector,
                     timon_label_selector_ref,
                     timon_label_selector_unref)

static void
requirement_free (Requirement *requirement)
{
  g_free (requirement->key);
  g_clear_pointer (&requirement->values, g_ptr_array_unref);
  g_free (requirement);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Requirement, requirement_free)

/* ------------------------------------------------------------------ */
/* Validation, as k8s.io/apimachinery/pkg/util/validation */

static gboolean
is_alnum (char c)
{
  return g_ascii_isalnum (c);
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], the shape of a qualified
 * name's name part and of a non-empty label value. */
static gboolean
is_name_shaped (const char *s, size_t len)
{
  if (len == 0 || !is_alnum (s[0]) || !is_alnum (s[len - 1]))
    return FALSE;
  for (size_t i = 0; i < len; i++) {
    if (!is_alnum (s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return FALSE;
  }
  return TRUE;
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* */
static gboolean
is_dns1123_subdomain_shaped (const char *s, size_t len)
{
  size_t start = 0;

  while (start <= len) {
    const char *dot = memchr (s + start, '.', len - start);
    size_t end = dot != NULL ? (size_t) (dot - s) : len;
    if (end == start)
      return FALSE;
    if (!g_ascii_islower (s[start]) && !g_ascii_isdigit (s[start]))
      return FALSE;
    if (!g_ascii_islower (s[end - 1]) && !g_ascii_isdigit (s[end - 1]))
      return FALSE;
    for (size_t i = start; i < end; i++) {
      if (!g_ascii_islower (s[i]) && !g_ascii_isdigit (s[i]) && s[i] != '-')
        return FALSE;
    }
    start = end + 1;
  }
  return TRUE;
}

/* Returns why @s (of @len bytes) is not a Kubernetes qualified name, as
 * IsQualifiedName says it, or NULL when it is one. */
static const char *
qualified_name_problem (const char *s, size_t len)
{
  const char *name = s;
  size_t name_len = len;
  const char *slash = memchr (s, '/', len);

  if (slash != NULL) {
    size_t prefix_len = (size_t) (slash - s);
    name = slash + 1;
    name_len = len - prefix_len - 1;
    if (memchr (name, '/', name_len) != NULL)
      return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
             "and must start and end with an alphanumeric character, with an optional "
             "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    if (prefix_len == 0)
      return "prefix part must be non-empty";
    if (prefix_len > DNS1123_SUBDOMAIN_MAX)
      return "prefix part must be no more than 253 characters";
    if (!is_dns1123_subdomain_shaped (s, prefix_len))
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case "
             "alphanumeric characters, '-' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'example.com')";
  }
  if (name_len == 0)
    return "name part must be non-empty";
  if (name_len > QUALIFIED_NAME_MAX)
    return "name part must be no more than 63 characters";
  if (!is_name_shaped (name, name_len))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
           "start and end with an alphanumeric character (e.g. 'MyName', 'my.name' or "
           "'123-abc')";
  return NULL;
}

/* Returns why @s is not a label value, as IsValidLabelValue says it, or
 * NULL when it is one. */
static const char *
label_value_problem (const char *s)
{
  size_t len = strlen (s);

  if (len > LABEL_VALUE_MAX)
    return "must be no more than 63 characters";
  if (len > 0 && !is_name_shaped (s, len))
    return "a valid label must be an empty string or consist of alphanumeric characters, "
           "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
           "'MyValue', 'my_value' or '12345')";
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The lexer, as Kubernetes' */

typedef enum {
  TOK_END,
  TOK_IDENTIFIER,
  TOK_IN,
  TOK_NOT_IN,
  TOK_NOT,
  TOK_EQUALS,
  TOK_DOUBLE_EQUALS,
  TOK_NOT_EQUALS,
  TOK_GREATER_THAN,
  TOK_LESS_THAN,
  TOK_OPEN,
  TOK_CLOSE,
  TOK_COMMA,
} TokenKind;

typedef struct {
  TokenKind kind;
  const char *start; /* in the text */
  size_t len;
} Token;

typedef struct {
  const char *text;
  size_t pos; /* where the lexer reads next */
  Token tok;  /* the token under consideration */
} Parser;

static gboolean
is_whitespace (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static gboolean
is_special (char c)
{
  return strchr ("=!(),<>", c) != NULL && c != '\0';
}

/* Reads the next token into p->tok. */
static void
next (Parser *p)
{
  const char *text = p->text;

  while (is_whitespace (text[p->pos]))
    p->pos++;

  Token *tok = &p->tok;
  tok->start = text + p->pos;
  tok->len = 1;
  switch (text[p->pos]) {
  case '\0':
    tok->kind = TOK_END;
    tok->len = 0;
    break;
  case '!':
    tok->kind = TOK_NOT;
    if (text[p->pos + 1] == '=') {
      tok->kind = TOK_NOT_EQUALS;
      tok->len = 2;
    }
    break;
  case '=':
    tok->kind = TOK_EQUALS;
    if (text[p->pos + 1] == '=') {
      tok->kind = TOK_DOUBLE_EQUALS;
      tok->len = 2;
    }
    break;
  case '(':
    tok->kind = TOK_OPEN;
    break;
  case ')':
    tok->kind = TOK_CLOSE;
    break;
  case ',':
    tok->kind = TOK_COMMA;
    break;
  case '>':
    tok->kind = TOK_GREATER_THAN;
    break;
  case '<':
    tok->kind = TOK_LESS_THAN;
    break;
  default:
    tok->kind = TOK_IDENTIFIER;
    tok->len = 0;
    while (tok->start[tok->len] != '\0' && !is_special (tok->start[tok->len]) &&
           !is_whitespace (tok->start[tok->len]))
      tok->len++;
    if (tok->len == 2 && memcmp (tok->start, "in", 2) == 0)
      tok->kind = TOK_IN;
    else if (tok->len == 5 && memcmp (tok->start, "notin", 5) == 0)
      tok->kind = TOK_NOT_IN;
    break;
  }
  p->pos += tok->len;
}

/* The token's kind where a key or a value may stand: there "in" and
 * "notin" are names like any other ("x in (in)"). */
static TokenKind
value_kind (const Token *tok)
{
  if (tok->kind == TOK_IN || tok->kind == TOK_NOT_IN)
    return TOK_IDENTIFIER;
  return tok->kind;
}

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

/* The token as error messages show it. */
static char *
describe (const Token *tok)
{
  if (tok->kind == TOK_END)
    return g_strdup ("end of string");
  g_autofree char *quoted = quote (tok->start, tok->len);
  return g_strdup_printf ("'%s'", quoted);
}

/* 1-based, as an editor counts columns. */
static size_t
column (Parser *p, const char *at)
{
  return (size_t) (at - p->text) + 1;
}

static gboolean G_GNUC_PRINTF (4, 5)
  fail (Parser *p, const char *at, GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID,
               "unable to parse requirement at column %zu: %s", column (p, at), message);
  return FALSE;
}

static gboolean
fail_found (Parser *p, const char *expected, GError **error)
{
  g_autofree char *found = describe (&p->tok);
  return fail (p, p->tok.start, error, "found %s, expected: %s", found, expected);
}

/* ------------------------------------------------------------------ */
/* The parser */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorts @values and drops duplicates, as Kubernetes' sets.String. */
static void
normalize_values (GPtrArray *values)
{
  g_ptr_array_sort (values, compare_strings);
  guint kept = 0;
  for (guint i = 0; i < values->len; i++) {
    if (kept > 0 && strcmp (values->pdata[kept - 1], values->pdata[i]) == 0) {
      g_free (values->pdata[i]);
      continue;
    }
    values->pdata[kept++] = values->pdata[i];
  }
  /* The duplicates are freed already: drop them without the free func. */
  g_ptr_array_set_free_func (values, NULL);
  g_ptr_array_set_size (values, kept);
  g_ptr_array_set_free_func (values, g_free);
}

/* The value list of in and notin, from the '(' on: comma-separated
 * values, each of them possibly empty ("(a,)" holds "a" and ""). */
static gboolean
parse_value_set (Parser *p, GPtrArray *values, GError **error)
{
  if (p->tok.kind != TOK_OPEN)
    return fail_found (p, "'('", error);
  const char *open = p->tok.start;
  next (p);
  if (p->tok.kind == TOK_CLOSE)
    return fail (p, open, error, "for 'in', 'notin' operators, values set can't be empty");

  for (;;) {
    if (value_kind (&p->tok) == TOK_IDENTIFIER) {
      g_ptr_array_add (values, g_strndup (p->tok.start, p->tok.len));
      next (p);
    } else if (p->tok.kind == TOK_COMMA || p->tok.kind == TOK_CLOSE) {
      g_ptr_array_add (values, g_strdup (""));
    } else {
      return fail_found (p, "',', ')' or identifier", error);
    }

    if (p->tok.kind == TOK_CLOSE) {
      next (p);
      return TRUE;
    }
    if (p->tok.kind != TOK_COMMA)
      return fail_found (p, "',' or ')'", error);
    next (p);
  }
}

/* One requirement, from its first token on; leaves p->tok on the token
 * after it. */
static Requirement *
parse_requirement (Parser *p, guint index, GError **error)
{
  g_autoptr (Requirement) requirement = g_new0 (Requirement, 1);
  gboolean negated = FALSE;

  requirement->index = index;
  requirement->values = g_ptr_array_new_with_free_func (g_free);

  if (p->tok.kind == TOK_NOT) {
    negated = TRUE;
    next (p);
  }
  if (value_kind (&p->tok) != TOK_IDENTIFIER) {
    fail_found (p, "identifier", error);
    return NULL;
  }
  const char *key_at = p->tok.start;
  const char *problem = qualified_name_problem (p->tok.start, p->tok.len);
  if (problem != NULL) {
    g_autofree char *quoted = quote (p->tok.start, p->tok.len);
    fail (p, key_at, error, "invalid label key \"%s\": %s", quoted, problem);
    return NULL;
  }
  requirement->key = g_strndup (p->tok.start, p->tok.len);
  next (p);

  if (negated) {
    requirement->op = OP_DOES_NOT_EXIST;
    return g_steal_pointer (&requirement);
  }
  if (p->tok.kind == TOK_END || p->tok.kind == TOK_COMMA) {
    requirement->op = OP_EXISTS;
    return g_steal_pointer (&requirement);
  }

  switch (p->tok.kind) {
  case TOK_IN:
    requirement->op = OP_IN;
    break;
  case TOK_NOT_IN:
    requirement->op = OP_NOT_IN;
    break;
  case TOK_EQUALS:
    requirement->op = OP_EQUALS;
    break;
  case TOK_DOUBLE_EQUALS:
    requirement->op = OP_DOUBLE_EQUALS;
    break;
  case TOK_NOT_EQUALS:
    requirement->op = OP_NOT_EQUALS;
    break;
  case TOK_GREATER_THAN:
    requirement->op = OP_GREATER_THAN;
    break;
  case TOK_LESS_THAN:
    requirement->op = OP_LESS_THAN;
    break;
  case TOK_END:
  case TOK_IDENTIFIER:
  case TOK_NOT:
  case TOK_OPEN:
  case TOK_CLOSE:
  case TOK_COMMA:
  default:
    fail_found (p, "in, notin, =, ==, !=, >, <, ',' or end of string", error);
    return NULL;
  }
  next (p);

  const char *values_at = p->tok.start;
  if (requirement->op == OP_IN || requirement->op == OP_NOT_IN) {
    if (!parse_value_set (p, requirement->values, error))
      return NULL;
  } else if (p->tok.kind == TOK_END || p->tok.kind == TOK_COMMA) {
    /* "x=" requires an empty value. */
    g_ptr_array_add (requirement->values, g_strdup (""));
  } else if (value_kind (&p->tok) == TOK_IDENTIFIER) {
    g_ptr_array_add (requirement->values, g_strndup (p->tok.start, p->tok.len));
    next (p);
  } else {
    fail_found (p, "identifier", error);
    return NULL;
  }

  for (guint i = 0; i < requirement->values->len; i++) {
    const char *value = requirement->values->pdata[i];
    problem = label_value_problem (value);
    if (problem != NULL) {
      g_autofree char *quoted_value = quote (value, strlen (value));
      g_autofree char *quoted_key = quote (requirement->key, strlen (requirement->key));
      fail (p, values_at, error, "invalid value \"%s\" for label key \"%s\": %s", quoted_value,
            quoted_key, problem);
      return NULL;
    }
  }
  if (requirement->op == OP_GREATER_THAN || requirement->op == OP_LESS_THAN) {
    const char *value = requirement->values->pdata[0];
    if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &requirement->number, NULL)) {
      g_autofree char *quoted = quote (value, strlen (value));
      fail (p, values_at, error, "for '>', '<' operators, the value must be an integer, not \"%s\"",
            quoted);
      return NULL;
    }
  }
  normalize_values (requirement->values);
  return g_steal_pointer (&requirement);
}

static int
compare_requirements (gconstpointer a, gconstpointer b)
{
  const Requirement *ra = *(const Requirement *const *) a;
  const Requirement *rb = *(const Requirement *const *) b;
  int cmp = strcmp (ra->key, rb->key);

  if (cmp != 0)
    return cmp;
  return ra->index < rb->index ? -1 : ra->index > rb->index ? 1 : 0;
}

/**
 * timon_label_selector_parse:
 * @text: a label selector, as `?labelSelector=` carries it (already
 *   percent-decoded)
 * @error: return location for an error
 *
 * Parses a Kubernetes label selector: comma-separated requirements, each
 * `key`, `!key`, `key=value`, `key==value`, `key!=value`,
 * `key in (v1,v2)`, `key notin (v1,v2)`, `key>n` or `key<n`, with
 * whitespace allowed around the tokens. Keys must be qualified names
 * (`[prefix/]name`), values label values. An empty @text selects
 * everything.
 *
 * Unlike Kubernetes, which reads `key in ()` as a set holding the empty
 * value, an empty set is refused; `key in (,)` selects the empty value.
 *
 * Returns: (transfer full) (nullable): the selector, or %NULL with
 *   %TIMON_SELECTOR_ERROR_INVALID, whose message says what is wrong and
 *   at which column (1-based, in bytes)
 *
 * Since: 0.1
 */
TimonLabelSelector *
timon_label_selector_parse (const char *text, GError **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size_t len = strnlen (text, TIMON_SELECTOR_MAX_LENGTH + 1);
  if (len > TIMON_SELECTOR_MAX_LENGTH) {
    g_set_error (error, TIMON_SELECTOR_ERROR, TIMON_SELECTOR_ERROR_INVALID,
                 "the label selector is longer than the limit of %zu bytes",
                 TIMON_SELECTOR_MAX_LENGTH);
    return NULL;
  }

  g_autoptr (GPtrArray) requirements =
    g_ptr_array_new_with_free_func ((GDestroyNotify) requirement_free);
  Parser p = { .text = text };
  next (&p);
  if (p.tok.kind != TOK_END) {
    for (;;) {
      if (p.tok.kind != TOK_NOT && value_kind (&p.tok) != TOK_IDENTIFIER) {
        fail_found (&p,
                    requirements->len == 0 ? "!, identifier or end of string"
                                           : "identifier after ','",
                    error);
        return NULL;
      }
      Requirement *requirement = parse_requirement (&p, requirements->len, error);
      if (requirement == NULL)
        return NULL;
      g_ptr_array_add (requirements, requirement);
      if (p.tok.kind == TOK_END)
        break;
      if (p.tok.kind != TOK_COMMA) {
        fail_found (&p, "',' or end of string", error);
        return NULL;
      }
      next (&p);
    }
  }
  /* Kubernetes sorts by key, for a canonical form. */
  g_ptr_array_sort (requirements, compare_requirements);

  TimonLabelSelector *selector = g_new0 (TimonLabelSelector, 1);
  g_atomic_ref_count_init (&selector->ref_count);
  selector->requirements = g_steal_pointer (&requirements);
  return selector;
}

/**
 * timon_label_selector_ref:
 * @selector: a selector
 *
 * Returns: (transfer full): @selector
 *
 * Since: 0.1
 */
TimonLabelSelector *
timon_label_selector_ref (TimonLabelSelector *selector)
{
  g_return_val_if_fail (selector != NULL, NULL);

  g_atomic_ref_count_inc (&selector->ref_count);
  return selector;
}

/**
 * timon_label_selector_unref:
 * @selector: (transfer full): a selector
 *
 * Drops a reference, freeing @selector with the last one.
 *
 * Since: 0.1
 */
void
timon_label_selector_unref (TimonLabelSelector *selector)
{
  g_return_if_fail (selector != NULL);

  if (g_atomic_ref_count_dec (&selector->ref_count)) {
    g_ptr_array_unref (selector->requirements);
    g_free (selector);
  }
}

static gboolean
has_value (const Requirement *requirement, const char *value)
{
  return bsearch (&value, requirement->values->pdata, requirement->values->len, sizeof (char *),
                  compare_strings) != NULL;
}

static gboolean
requirement_matches (const Requirement *requirement, GHashTable *labels)
{
  gpointer found = NULL;
  gboolean has =
    labels != NULL && g_hash_table_lookup_extended (labels, requirement->key, NULL, &found);
  const char *value = found != NULL ? found : "";
  gint64 number;

  switch (requirement->op) {
  case OP_EXISTS:
    return has;
  case OP_DOES_NOT_EXIST:
    return !has;
  case OP_EQUALS:
  case OP_DOUBLE_EQUALS:
  case OP_IN:
    return has && has_value (requirement, value);
  case OP_NOT_EQUALS:
  case OP_NOT_IN:
    return !has || !has_value (requirement, value);
  case OP_GREATER_THAN:
  case OP_LESS_THAN:
    if (!has || !g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL))
      return FALSE;
    return requirement->op == OP_GREATER_THAN ? number > requirement->number
                                              : number < requirement->number;
  default:
    g_assert_not_reached ();
  }
  return FALSE;
}

/**
 * timon_label_selector_matches:
 * @selector: a selector
 * @labels: (nullable) (element-type utf8 utf8): an object's labels, in a
 *   table made with g_str_hash() and g_str_equal(); %NULL for none
 *
 * Whether an object with @labels is selected: every requirement holds.
 * As in Kubernetes, `key!=value`, `key notin (...)` and `!key` hold for
 * an object without the key; `key>n` and `key<n` need a label that is an
 * integer.
 *
 * Returns: %TRUE if it is
 *
 * Since: 0.1
 */
gboolean
timon_label_selector_matches (TimonLabelSelector *selector, GHashTable *labels)
{
  g_return_val_if_fail (selector != NULL, FALSE);

  for (guint i = 0; i < selector->requirements->len; i++) {
    if (!requirement_matches (selector->requirements->pdata[i], labels))
      return FALSE;
  }
  return TRUE;
}

/**
 * timon_label_selector_is_empty:
 * @selector: a selector
 *
 * Returns: %TRUE if @selector has no requirement, and so selects
 *   everything
 *
 * Since: 0.1
 */
gboolean
timon_label_selector_is_empty (TimonLabelSelector *selector)
{
  g_return_val_if_fail (selector != NULL, FALSE);

  return selector->requirements->len == 0;
}

/**
 * timon_label_selector_to_string:
 * @selector: a selector
 *
 * The canonical form of @selector, as Kubernetes' `String()`:
 * requirements sorted by key, values sorted and without duplicates, no
 * whitespace but around `in` and `notin` (`a=b,c in (d,e),!f`). Parsing
 * it gives a selector that selects the same objects. The one difference
 * from Kubernetes: the set holding only the empty value is written
 * `(,)`, not `()`, which timon_label_selector_parse() refuses.
 *
 * Returns: (transfer full): the text; empty for an empty selector
 *
 * Since: 0.1
 */
char *
timon_label_selector_to_string (TimonLabelSelector *selector)
{
  g_return_val_if_fail (selector != NULL, NULL);

  static const char *const operators[] = {
    [OP_EXISTS] = "",          [OP_DOES_NOT_EXIST] = "", [OP_EQUALS] = "=",
    [OP_DOUBLE_EQUALS] = "==", [OP_NOT_EQUALS] = "!=",   [OP_IN] = " in ",
    [OP_NOT_IN] = " notin ",   [OP_GREATER_THAN] = ">",  [OP_LESS_THAN] = "<",
  };
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < selector->requirements->len; i++) {
    const Requirement *requirement = selector->requirements->pdata[i];
    gboolean set = requirement->op == OP_IN || requirement->op == OP_NOT_IN;

    if (i > 0)
      g_string_append_c (out, ',');
    if (requirement->op == OP_DOES_NOT_EXIST)
      g_string_append_c (out, '!');
    g_string_append (out, requirement->key);
    g_string_append (out, operators[requirement->op]);
    if (set)
      g_string_append_c (out, '(');
    for (guint j = 0; j < requirement->values->len; j++) {
      if (j > 0)
        g_string_append_c (out, ',');
      g_string_append (out, requirement->values->pdata[j]);
    }
    /* Kubernetes writes the set of the empty value "()", which it reads
     * back as that set but we refuse; "(,)" means the same to both. */
    if (set && requirement->values->len == 1 && *(char *) requirement->values->pdata[0] == '\0')
      g_string_append_c (out, ',');
    if (set)
      g_string_append_c (out, ')');
  }
  return g_string_free (out, FALSE);
}
