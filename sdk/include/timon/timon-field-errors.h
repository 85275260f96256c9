/* timon-field-errors.h: what is wrong with an object, field by field, as
 * the API returns it in the causes of a 422 Invalid Status.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <glib-object.h>
#include <timon/timon-types.h>

G_BEGIN_DECLS

/**
 * TimonFieldErrorType:
 * @TIMON_FIELD_ERROR_REQUIRED: a required field is missing or empty
 *   ("FieldValueRequired")
 * @TIMON_FIELD_ERROR_INVALID: the value is malformed ("FieldValueInvalid")
 * @TIMON_FIELD_ERROR_NOT_SUPPORTED: the value is not one of those
 *   supported ("FieldValueNotSupported")
 * @TIMON_FIELD_ERROR_DUPLICATE: the value must be unique and is not
 *   ("FieldValueDuplicate")
 * @TIMON_FIELD_ERROR_FORBIDDEN: the field may not be set here
 *   ("FieldValueForbidden")
 * @TIMON_FIELD_ERROR_TOO_LONG: the value is too long ("FieldValueTooLong")
 * @TIMON_FIELD_ERROR_TOO_MANY: the list has too many items
 *   ("FieldValueTooMany")
 *
 * The kinds of field error, as Kubernetes' field.ErrorType. Each has the
 * cause reason given in brackets, see timon_field_error_type_to_reason().
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_FIELD_ERROR_REQUIRED,
  TIMON_FIELD_ERROR_INVALID,
  TIMON_FIELD_ERROR_NOT_SUPPORTED,
  TIMON_FIELD_ERROR_DUPLICATE,
  TIMON_FIELD_ERROR_FORBIDDEN,
  TIMON_FIELD_ERROR_TOO_LONG,
  TIMON_FIELD_ERROR_TOO_MANY,
} TimonFieldErrorType;

/**
 * TimonFieldErrors:
 *
 * A reference-counted list of field errors, each a type, the path of the
 * field ("metadata.name", "spec.containers[0].image"), the offending value
 * (or %NULL) and a detail saying what is wrong. Validators add to it; the
 * API server turns it into a 422 Invalid Status.
 *
 * Since: 0.1
 */
typedef struct _TimonFieldErrors TimonFieldErrors;

#define TIMON_TYPE_FIELD_ERRORS (timon_field_errors_get_type ())
TIMON_API GType timon_field_errors_get_type (void);

TIMON_API const char *timon_field_error_type_to_reason (TimonFieldErrorType type);

TIMON_API TimonFieldErrors *timon_field_errors_new (void);
TIMON_API TimonFieldErrors *timon_field_errors_ref (TimonFieldErrors *errors);
TIMON_API void timon_field_errors_unref (TimonFieldErrors *errors);

TIMON_API void timon_field_errors_add (TimonFieldErrors *errors,
                                       TimonFieldErrorType type,
                                       const char *field,
                                       const char *value,
                                       const char *format,
                                       ...) G_GNUC_PRINTF (5, 6);

TIMON_API guint timon_field_errors_get_length (const TimonFieldErrors *errors);
TIMON_API TimonFieldErrorType timon_field_errors_get_error_type (const TimonFieldErrors *errors,
                                                                 guint index);
TIMON_API const char *timon_field_errors_get_reason (const TimonFieldErrors *errors, guint index);
TIMON_API const char *timon_field_errors_get_field (const TimonFieldErrors *errors, guint index);
TIMON_API const char *timon_field_errors_get_value (const TimonFieldErrors *errors, guint index);
TIMON_API const char *timon_field_errors_get_detail (const TimonFieldErrors *errors, guint index);
TIMON_API char *timon_field_errors_dup_message (const TimonFieldErrors *errors, guint index);

TIMON_API char *timon_field_errors_to_message (const TimonFieldErrors *errors);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimonFieldErrors, timon_field_errors_unref)

G_END_DECLS
