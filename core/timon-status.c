/* timon-status.c: the one table from Timon errors to HTTP codes and
 * Kubernetes Status reasons (k8s.io/apimachinery/pkg/api/errors), and
 * the metav1.Status objects the API answers failures with.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-status.h"

G_DEFINE_QUARK (timon_api_error_quark, timon_api_error)

/* Every error the API can answer with, and how. An error not in the
 * table is a 500 InternalError. @cause, if set, is the type of the one
 * cause the Status carries, as Kubernetes adds for some reasons. */
static const struct {
  GQuark (*domain) (void);
  int code;
  int http;
  const char *reason;
  const char *cause;
} status_table[] = {
  { timon_store_error_quark, TIMON_STORE_ERROR_NOT_FOUND, 404, "NotFound", NULL },
  { timon_store_error_quark, TIMON_STORE_ERROR_EXISTS, 409, "AlreadyExists", NULL },
  { timon_store_error_quark, TIMON_STORE_ERROR_CONFLICT, 409, "Conflict", NULL },
  { timon_store_error_quark, TIMON_STORE_ERROR_COMPACTED, 410, "Expired", NULL },
  /* Kubernetes' "Too large resource version": retry once the store
   * catches up. */
  { timon_store_error_quark, TIMON_STORE_ERROR_FUTURE_REVISION, 504, "Timeout",
    "ResourceVersionTooLarge" },
  { timon_store_error_quark, TIMON_STORE_ERROR_VALUE_TOO_LARGE, 413, "RequestEntityTooLarge",
    NULL },
  { timon_store_error_quark, TIMON_STORE_ERROR_INVALID_KEY, 400, "BadRequest", NULL },
  { timon_store_error_quark, TIMON_STORE_ERROR_INVALID_CONTINUE, 400, "BadRequest", NULL },
  { timon_store_error_quark, TIMON_STORE_ERROR_CLOSED, 503, "ServiceUnavailable", NULL },
  { timon_store_error_quark, TIMON_STORE_ERROR_FAILED, 500, "InternalError", NULL },

  { timon_api_error_quark, TIMON_API_ERROR_BAD_REQUEST, 400, "BadRequest", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_UNAUTHORIZED, 401, "Unauthorized", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_FORBIDDEN, 403, "Forbidden", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_NOT_FOUND, 404, "NotFound", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_METHOD_NOT_ALLOWED, 405, "MethodNotAllowed", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_NOT_ACCEPTABLE, 406, "NotAcceptable", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_CONFLICT, 409, "Conflict", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_ALREADY_EXISTS, 409, "AlreadyExists", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_GONE, 410, "Gone", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_EXPIRED, 410, "Expired", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE, 413, "RequestEntityTooLarge",
    NULL },
  { timon_api_error_quark, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE, 415, "UnsupportedMediaType",
    NULL },
  { timon_api_error_quark, TIMON_API_ERROR_INVALID, 422, "Invalid", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_TOO_MANY_REQUESTS, 429, "TooManyRequests", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_INTERNAL, 500, "InternalError", NULL },
  { timon_api_error_quark, TIMON_API_ERROR_TIMEOUT, 504, "Timeout", NULL },
};

#define INTERNAL_HTTP 500
#define INTERNAL_REASON "InternalError"

/* The row of @error, or -1. */
static int
find_row (const GError *error)
{
  for (size_t i = 0; i < G_N_ELEMENTS (status_table); i++) {
    if (error->domain == status_table[i].domain () && error->code == status_table[i].code)
      return (int) i;
  }
  return -1;
}

/**
 * timon_status_code_for_error:
 * @error: an error
 * @out_reason: (out) (optional) (transfer none): where to store the
 *   Status reason, such as "NotFound", or %NULL
 *
 * Looks @error up in the one table of Timon errors: the store's
 * (%TIMON_STORE_ERROR) and the API's (%TIMON_API_ERROR). Any other error
 * is a 500 InternalError.
 *
 * Returns: the HTTP status code the API answers @error with
 */
int
timon_status_code_for_error (const GError *error, const char **out_reason)
{
  g_return_val_if_fail (error != NULL, INTERNAL_HTTP);

  int row = find_row (error);
  if (out_reason != NULL)
    *out_reason = row >= 0 ? status_table[row].reason : INTERNAL_REASON;
  return row >= 0 ? status_table[row].http : INTERNAL_HTTP;
}

/* A Status ("Success" or "Failure"); @details is taken, and left out if
 * empty, as are a %NULL @message and @reason. */
static JsonNode *
build_status (const char *status,
              const char *message,
              const char *reason,
              int http,
              JsonObject *details)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "Status");
  json_builder_set_member_name (builder, "apiVersion");
  json_builder_add_string_value (builder, "v1");
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  if (message != NULL) {
    json_builder_set_member_name (builder, "message");
    json_builder_add_string_value (builder, message);
  }
  if (reason != NULL) {
    json_builder_set_member_name (builder, "reason");
    json_builder_add_string_value (builder, reason);
  }
  if (json_object_get_size (details) > 0) {
    g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), details);
    json_builder_set_member_name (builder, "details");
    json_builder_add_value (builder, g_steal_pointer (&node));
  }
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, http);
  json_builder_end_object (builder);
  json_object_unref (details);
  return json_builder_get_root (builder);
}

/* The details of a Status about one object; empty strings are left out,
 * as Kubernetes' omitempty does. */
static JsonObject *
new_details (const char *group, const char *kind, const char *name)
{
  JsonObject *details = json_object_new ();

  if (name != NULL && name[0] != '\0')
    json_object_set_string_member (details, "name", name);
  if (group != NULL && group[0] != '\0')
    json_object_set_string_member (details, "group", group);
  if (kind != NULL && kind[0] != '\0')
    json_object_set_string_member (details, "kind", kind);
  return details;
}

static JsonObject *
new_cause (const char *reason, const char *message, const char *field)
{
  JsonObject *cause = json_object_new ();

  if (reason != NULL)
    json_object_set_string_member (cause, "reason", reason);
  json_object_set_string_member (cause, "message", message);
  if (field != NULL)
    json_object_set_string_member (cause, "field", field);
  return cause;
}

/**
 * timon_status_new_from_error:
 * @error: an error
 * @group: (nullable): the API group of the object concerned ("" or %NULL
 *   for the core group)
 * @kind: (nullable): the kind of the object concerned
 * @name: (nullable): the name of the object concerned
 *
 * Builds the metav1.Status the API answers @error with: status "Failure",
 * @error's message, the reason and code of timon_status_code_for_error(),
 * and details naming the object (members left out when empty, the whole
 * details when all are). A %TIMON_STORE_ERROR_FUTURE_REVISION carries a
 * "ResourceVersionTooLarge" cause and retryAfterSeconds 1, as Kubernetes'
 * "Too large resource version".
 *
 * Returns: (transfer full): the Status
 */
JsonNode *
timon_status_new_from_error (const GError *error,
                             const char *group,
                             const char *kind,
                             const char *name)
{
  g_return_val_if_fail (error != NULL, NULL);

  int row = find_row (error);
  JsonObject *details = new_details (group, kind, name);
  if (row >= 0 && status_table[row].cause != NULL) {
    JsonArray *causes = json_array_new ();
    json_array_add_object_element (causes,
                                   new_cause (status_table[row].cause, error->message, NULL));
    json_object_set_array_member (details, "causes", causes);
    json_object_set_int_member (details, "retryAfterSeconds", 1);
  }
  return build_status ("Failure", error->message,
                       row >= 0 ? status_table[row].reason : INTERNAL_REASON,
                       row >= 0 ? status_table[row].http : INTERNAL_HTTP, details);
}

/**
 * timon_status_new_invalid:
 * @group: (nullable): the API group of the invalid object ("" or %NULL
 *   for the core group)
 * @kind: the kind of the invalid object
 * @name: (nullable): the name of the invalid object
 * @errors: what is wrong with it
 *
 * Builds the 422 Invalid Status of an object, as Kubernetes' NewInvalid():
 * the message `Kind.group "name" is invalid: <timon_field_errors_to_message()>`
 * and one cause {reason, message, field} per field error.
 *
 * Returns: (transfer full): the Status
 */
JsonNode *
timon_status_new_invalid (const char *group,
                          const char *kind,
                          const char *name,
                          const TimonFieldErrors *errors)
{
  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (errors != NULL, NULL);

  guint n = timon_field_errors_get_length (errors);
  JsonObject *details = new_details (group, kind, name);
  if (n > 0) {
    JsonArray *causes = json_array_new ();
    for (guint i = 0; i < n; i++) {
      g_autofree char *message = timon_field_errors_dup_message (errors, i);
      json_array_add_object_element (causes,
                                     new_cause (timon_field_errors_get_reason (errors, i), message,
                                                timon_field_errors_get_field (errors, i)));
    }
    json_object_set_array_member (details, "causes", causes);
  }

  g_autoptr (GString) message = g_string_new (kind);
  if (group != NULL && group[0] != '\0')
    g_string_append_printf (message, ".%s", group);
  g_string_append_printf (message, " \"%s\" is invalid", name != NULL ? name : "");
  if (n > 0) {
    g_autofree char *aggregate = timon_field_errors_to_message (errors);
    g_string_append_printf (message, ": %s", aggregate);
  }
  return build_status ("Failure", message->str, "Invalid", 422, details);
}

/**
 * timon_status_new_success:
 * @code: the HTTP status it answers with
 *
 * Returns: (transfer full): a metav1.Status of a success, as Kubernetes
 *   answers a deletion or an eviction
 */
JsonNode *
timon_status_new_success (int code)
{
  return build_status ("Success", NULL, NULL, code, json_object_new ());
}
