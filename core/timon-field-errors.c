/* timon-field-errors.c: field errors and the messages Kubernetes builds
 * from them (k8s.io/apimachinery/pkg/util/validation/field).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <timon/timon.h>

typedef struct {
  TimonFieldErrorType type;
  char *field;
  char *value;
  char *detail;
} FieldError;

struct _TimonFieldErrors {
  gatomicrefcount ref_count;
  GArray *items; /* of FieldError */
};

G_DEFINE_BOXED_TYPE (TimonFieldErrors,
                     timon_field_errors,
                     timon_field_errors_ref,
                     timon_field_errors_unref)

/* The cause reason of each type, and the words its messages start with. */
static const struct {
  const char *reason;
  const char *words;
} error_types[] = {
  [TIMON_FIELD_ERROR_REQUIRED] = { "FieldValueRequired", "Required value" },
  [TIMON_FIELD_ERROR_INVALID] = { "FieldValueInvalid", "Invalid value" },
  [TIMON_FIELD_ERROR_NOT_SUPPORTED] = { "FieldValueNotSupported", "Unsupported value" },
  [TIMON_FIELD_ERROR_DUPLICATE] = { "FieldValueDuplicate", "Duplicate value" },
  [TIMON_FIELD_ERROR_FORBIDDEN] = { "FieldValueForbidden", "Forbidden" },
  [TIMON_FIELD_ERROR_TOO_LONG] = { "FieldValueTooLong", "Too long" },
  [TIMON_FIELD_ERROR_TOO_MANY] = { "FieldValueTooMany", "Too many" },
};

static gboolean
type_is_valid (TimonFieldErrorType type)
{
  return (guint) type < G_N_ELEMENTS (error_types);
}

static void
field_error_clear (gpointer data)
{
  FieldError *item = data;

  g_free (item->field);
  g_free (item->value);
  g_free (item->detail);
}

static const FieldError *
item_at (const TimonFieldErrors *errors, guint index)
{
  return &g_array_index (errors->items, FieldError, index);
}

/**
 * timon_field_error_type_to_reason:
 * @type: a field error type
 *
 * Returns: the Kubernetes cause reason of @type, such as
 *   "FieldValueInvalid"
 *
 * Since: 0.1
 */
const char *
timon_field_error_type_to_reason (TimonFieldErrorType type)
{
  g_return_val_if_fail (type_is_valid (type), NULL);
  return error_types[type].reason;
}

/**
 * timon_field_errors_new:
 *
 * Returns: (transfer full): an empty list
 *
 * Since: 0.1
 */
TimonFieldErrors *
timon_field_errors_new (void)
{
  TimonFieldErrors *errors = g_new0 (TimonFieldErrors, 1);

  g_atomic_ref_count_init (&errors->ref_count);
  errors->items = g_array_new (FALSE, FALSE, sizeof (FieldError));
  g_array_set_clear_func (errors->items, field_error_clear);
  return errors;
}

/**
 * timon_field_errors_ref:
 * @errors: a list of field errors
 *
 * Returns: (transfer full): @errors
 *
 * Since: 0.1
 */
TimonFieldErrors *
timon_field_errors_ref (TimonFieldErrors *errors)
{
  g_return_val_if_fail (errors != NULL, NULL);

  g_atomic_ref_count_inc (&errors->ref_count);
  return errors;
}

/**
 * timon_field_errors_unref:
 * @errors: (transfer full): a list of field errors
 *
 * Since: 0.1
 */
void
timon_field_errors_unref (TimonFieldErrors *errors)
{
  g_return_if_fail (errors != NULL);

  if (!g_atomic_ref_count_dec (&errors->ref_count))
    return;
  g_array_unref (errors->items);
  g_free (errors);
}

/**
 * timon_field_errors_add:
 * @errors: a list of field errors
 * @type: what is wrong
 * @field: the path of the field, such as "metadata.labels"
 * @value: (nullable): the offending value, or %NULL to leave it out
 * @format: (nullable): a printf() format for the detail, or %NULL for none
 * @...: the arguments of @format
 *
 * Appends one error. The messages quote @value, except for
 * %TIMON_FIELD_ERROR_REQUIRED, %TIMON_FIELD_ERROR_FORBIDDEN and
 * %TIMON_FIELD_ERROR_TOO_LONG, whose messages never show the value, as
 * in Kubernetes.
 *
 * Since: 0.1
 */
void
timon_field_errors_add (TimonFieldErrors *errors,
                        TimonFieldErrorType type,
                        const char *field,
                        const char *value,
                        const char *format,
                        ...)
{
  g_return_if_fail (errors != NULL);
  g_return_if_fail (type_is_valid (type));
  g_return_if_fail (field != NULL);

  FieldError item = {
    .type = type,
    .field = g_strdup (field),
    .value = g_strdup (value),
  };
  if (format != NULL) {
    va_list args;
    va_start (args, format);
    item.detail = g_strdup_vprintf (format, args);
    va_end (args);
  } else {
    item.detail = g_strdup ("");
  }
  g_array_append_val (errors->items, item);
}

/**
 * timon_field_errors_get_length:
 * @errors: a list of field errors
 *
 * Returns: how many errors @errors holds
 *
 * Since: 0.1
 */
guint
timon_field_errors_get_length (const TimonFieldErrors *errors)
{
  g_return_val_if_fail (errors != NULL, 0);
  return errors->items->len;
}

/**
 * timon_field_errors_get_error_type:
 * @errors: a list of field errors
 * @index: an index below timon_field_errors_get_length()
 *
 * Returns: the type of the error at @index
 *
 * Since: 0.1
 */
TimonFieldErrorType
timon_field_errors_get_error_type (const TimonFieldErrors *errors, guint index)
{
  g_return_val_if_fail (errors != NULL, TIMON_FIELD_ERROR_INVALID);
  g_return_val_if_fail (index < errors->items->len, TIMON_FIELD_ERROR_INVALID);
  return item_at (errors, index)->type;
}

/**
 * timon_field_errors_get_reason:
 * @errors: a list of field errors
 * @index: an index below timon_field_errors_get_length()
 *
 * Returns: the cause reason of the error at @index, such as
 *   "FieldValueRequired"
 *
 * Since: 0.1
 */
const char *
timon_field_errors_get_reason (const TimonFieldErrors *errors, guint index)
{
  g_return_val_if_fail (errors != NULL, NULL);
  g_return_val_if_fail (index < errors->items->len, NULL);
  return error_types[item_at (errors, index)->type].reason;
}

/**
 * timon_field_errors_get_field:
 * @errors: a list of field errors
 * @index: an index below timon_field_errors_get_length()
 *
 * Returns: the field path of the error at @index
 *
 * Since: 0.1
 */
const char *
timon_field_errors_get_field (const TimonFieldErrors *errors, guint index)
{
  g_return_val_if_fail (errors != NULL, NULL);
  g_return_val_if_fail (index < errors->items->len, NULL);
  return item_at (errors, index)->field;
}

/**
 * timon_field_errors_get_value:
 * @errors: a list of field errors
 * @index: an index below timon_field_errors_get_length()
 *
 * Returns: (nullable): the offending value of the error at @index
 *
 * Since: 0.1
 */
const char *
timon_field_errors_get_value (const TimonFieldErrors *errors, guint index)
{
  g_return_val_if_fail (errors != NULL, NULL);
  g_return_val_if_fail (index < errors->items->len, NULL);
  return item_at (errors, index)->value;
}

/**
 * timon_field_errors_get_detail:
 * @errors: a list of field errors
 * @index: an index below timon_field_errors_get_length()
 *
 * Returns: the detail of the error at @index, as given to
 *   timon_field_errors_add() ("" for none)
 *
 * Since: 0.1
 */
const char *
timon_field_errors_get_detail (const TimonFieldErrors *errors, guint index)
{
  g_return_val_if_fail (errors != NULL, NULL);
  g_return_val_if_fail (index < errors->items->len, NULL);
  return item_at (errors, index)->detail;
}

/* Appends @value in double quotes, escaped as Go's %q does for valid
 * UTF-8. */
static void
append_quoted (GString *out, const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++) {
    unsigned char c = (unsigned char) *p;
    switch (c) {
    case '"':
      g_string_append (out, "\\\"");
      break;
    case '\\':
      g_string_append (out, "\\\\");
      break;
    case '\n':
      g_string_append (out, "\\n");
      break;
    case '\r':
      g_string_append (out, "\\r");
      break;
    case '\t':
      g_string_append (out, "\\t");
      break;
    default:
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  }
  g_string_append_c (out, '"');
}

static void
append_body (GString *out, const FieldError *item)
{
  g_string_append (out, error_types[item->type].words);
  if (item->value != NULL && item->type != TIMON_FIELD_ERROR_REQUIRED &&
      item->type != TIMON_FIELD_ERROR_FORBIDDEN && item->type != TIMON_FIELD_ERROR_TOO_LONG) {
    g_string_append (out, ": ");
    append_quoted (out, item->value);
  }
  if (item->detail[0] != '\0')
    g_string_append_printf (out, ": %s", item->detail);
}

/**
 * timon_field_errors_dup_message:
 * @errors: a list of field errors
 * @index: an index below timon_field_errors_get_length()
 *
 * The message of one error without its field, as the message of a
 * Status cause: `Invalid value: "Foo": a lowercase RFC 1123 ...`,
 * `Required value`.
 *
 * Returns: (transfer full): the message of the error at @index
 *
 * Since: 0.1
 */
char *
timon_field_errors_dup_message (const TimonFieldErrors *errors, guint index)
{
  g_return_val_if_fail (errors != NULL, NULL);
  g_return_val_if_fail (index < errors->items->len, NULL);

  GString *out = g_string_new (NULL);
  append_body (out, item_at (errors, index));
  return g_string_free (out, FALSE);
}

/**
 * timon_field_errors_to_message:
 * @errors: a list of field errors
 *
 * The message of the whole list, as Kubernetes aggregates field errors:
 * each error as "field: message", repeated messages once, joined by ", ",
 * and in brackets when there are several:
 * `[spec.containers[0].name: Required value, metadata.name: Invalid value: "Foo": ...]`.
 *
 * Returns: (transfer full): the message, "" for an empty list
 *
 * Since: 0.1
 */
char *
timon_field_errors_to_message (const TimonFieldErrors *errors)
{
  g_return_val_if_fail (errors != NULL, NULL);

  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GString) joined = g_string_new (NULL);
  for (guint i = 0; i < errors->items->len; i++) {
    const FieldError *item = item_at (errors, i);
    g_autoptr (GString) one = g_string_new (item->field);
    g_string_append (one, ": ");
    append_body (one, item);
    if (g_hash_table_contains (seen, one->str))
      continue;
    if (g_hash_table_size (seen) > 0)
      g_string_append (joined, ", ");
    g_string_append (joined, one->str);
    g_hash_table_add (seen, g_string_free (g_steal_pointer (&one), FALSE));
  }
  if (g_hash_table_size (seen) > 1) {
    g_string_prepend_c (joined, '[');
    g_string_append_c (joined, ']');
  }
  return g_string_free (g_steal_pointer (&joined), FALSE);
}
