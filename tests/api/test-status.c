/* test-status.c: the table from Timon errors to HTTP codes and Status
 * reasons, and the metav1.Status objects built from it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-utils.h"
#include "timon-status.h"

typedef struct {
  GQuark domain;
  int code;
  int http;
  const char *reason;
} StatusCase;

static void
check_cases (const StatusCase *cases, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    g_autoptr (GError) error = g_error_new (cases[i].domain, cases[i].code, "case %zu", i);
    const char *reason = NULL;

    g_test_message ("%s %d", g_quark_to_string (cases[i].domain), cases[i].code);
    g_assert_cmpint (timon_status_code_for_error (error, &reason), ==, cases[i].http);
    g_assert_cmpstr (reason, ==, cases[i].reason);
    g_assert_cmpint (timon_status_code_for_error (error, NULL), ==, cases[i].http);

    g_autoptr (JsonNode) status = timon_status_new_from_error (error, NULL, NULL, NULL);
    JsonObject *object = json_node_get_object (status);
    g_assert_cmpint (json_object_get_int_member (object, "code"), ==, cases[i].http);
    g_assert_cmpstr (json_object_get_string_member (object, "reason"), ==, cases[i].reason);
    g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, error->message);
  }
}

static void
test_store_errors (void)
{
  const StatusCase cases[] = {
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, 404, "NotFound" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS, 409, "AlreadyExists" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT, 409, "Conflict" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED, 410, "Expired" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION, 504, "Timeout" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_VALUE_TOO_LARGE, 413, "RequestEntityTooLarge" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_INVALID_KEY, 400, "BadRequest" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_INVALID_CONTINUE, 400, "BadRequest" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_CLOSED, 503, "ServiceUnavailable" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED, 500, "InternalError" },
  };

  /* Every code of the enum, and no more. */
  g_assert_cmpuint (G_N_ELEMENTS (cases), ==, TIMON_STORE_ERROR_FAILED + 1);
  check_cases (cases, G_N_ELEMENTS (cases));
}

static void
test_api_errors (void)
{
  const StatusCase cases[] = {
    { TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST, 400, "BadRequest" },
    { TIMON_API_ERROR, TIMON_API_ERROR_UNAUTHORIZED, 401, "Unauthorized" },
    { TIMON_API_ERROR, TIMON_API_ERROR_FORBIDDEN, 403, "Forbidden" },
    { TIMON_API_ERROR, TIMON_API_ERROR_NOT_FOUND, 404, "NotFound" },
    { TIMON_API_ERROR, TIMON_API_ERROR_METHOD_NOT_ALLOWED, 405, "MethodNotAllowed" },
    { TIMON_API_ERROR, TIMON_API_ERROR_NOT_ACCEPTABLE, 406, "NotAcceptable" },
    { TIMON_API_ERROR, TIMON_API_ERROR_CONFLICT, 409, "Conflict" },
    { TIMON_API_ERROR, TIMON_API_ERROR_ALREADY_EXISTS, 409, "AlreadyExists" },
    { TIMON_API_ERROR, TIMON_API_ERROR_GONE, 410, "Gone" },
    { TIMON_API_ERROR, TIMON_API_ERROR_EXPIRED, 410, "Expired" },
    { TIMON_API_ERROR, TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE, 413, "RequestEntityTooLarge" },
    { TIMON_API_ERROR, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE, 415, "UnsupportedMediaType" },
    { TIMON_API_ERROR, TIMON_API_ERROR_INVALID, 422, "Invalid" },
    { TIMON_API_ERROR, TIMON_API_ERROR_TOO_MANY_REQUESTS, 429, "TooManyRequests" },
    { TIMON_API_ERROR, TIMON_API_ERROR_INTERNAL, 500, "InternalError" },
    { TIMON_API_ERROR, TIMON_API_ERROR_TIMEOUT, 504, "Timeout" },
  };

  g_assert_cmpuint (G_N_ELEMENTS (cases), ==, TIMON_API_ERROR_TIMEOUT + 1);
  check_cases (cases, G_N_ELEMENTS (cases));
}

/* Errors outside the table: other domains and codes no enum has. */
static void
test_other_errors (void)
{
  const StatusCase cases[] = {
    { G_IO_ERROR, G_IO_ERROR_NOT_FOUND, 500, "InternalError" },
    { G_IO_ERROR, G_IO_ERROR_FAILED, 500, "InternalError" },
    { G_FILE_ERROR, G_FILE_ERROR_NOENT, 500, "InternalError" },
    { TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED + 1, 500, "InternalError" },
    { TIMON_API_ERROR, TIMON_API_ERROR_TIMEOUT + 1, 500, "InternalError" },
    { TIMON_API_ERROR, -1, 500, "InternalError" },
  };

  check_cases (cases, G_N_ELEMENTS (cases));
}

static char *
to_json (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static void
test_shape_not_found (void)
{
  g_autoptr (GError) error = g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND,
                                                  "deployments.apps \"web\" not found");
  g_autoptr (JsonNode) status = timon_status_new_from_error (error, "apps", "Deployment", "web");
  g_autofree char *json = to_json (status);

  g_assert_cmpstr (json, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                   "\"status\":\"Failure\",\"message\":\"deployments.apps \\\"web\\\" not found\","
                   "\"reason\":\"NotFound\",\"details\":{\"name\":\"web\",\"group\":\"apps\","
                   "\"kind\":\"Deployment\"},\"code\":404}");
}

/* The core group is "": Kubernetes leaves it out, as every empty member
 * of details, and details itself when it is empty. */
static void
test_shape_omit_empty (void)
{
  g_autoptr (GError) error = g_error_new_literal (TIMON_API_ERROR, TIMON_API_ERROR_ALREADY_EXISTS,
                                                  "pods \"p\" already exists");
  g_autoptr (JsonNode) with_kind = timon_status_new_from_error (error, "", "Pod", "p");
  g_autofree char *with_kind_json = to_json (with_kind);
  g_assert_cmpstr (with_kind_json, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                   "\"status\":\"Failure\",\"message\":\"pods \\\"p\\\" already exists\","
                   "\"reason\":\"AlreadyExists\",\"details\":{\"name\":\"p\",\"kind\":\"Pod\"},"
                   "\"code\":409}");

  g_autoptr (GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "pipe");
  g_autoptr (JsonNode) bare = timon_status_new_from_error (other, NULL, NULL, NULL);
  g_autofree char *bare_json = to_json (bare);
  g_assert_cmpstr (bare_json, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                   "\"status\":\"Failure\",\"message\":\"pipe\",\"reason\":\"InternalError\","
                   "\"code\":500}");
}

/* Kubernetes' "Too large resource version": a Timeout with a cause that
 * says which, and when to retry. */
static void
test_shape_future_revision (void)
{
  g_autoptr (GError) error =
    g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION,
                         "Too large resource version: 20, current: 10");
  g_autoptr (JsonNode) status = timon_status_new_from_error (error, NULL, "Pod", NULL);
  g_autofree char *json = to_json (status);

  g_assert_cmpstr (json, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                   "\"status\":\"Failure\",\"message\":\"Too large resource version: 20, "
                   "current: 10\",\"reason\":\"Timeout\",\"details\":{\"kind\":\"Pod\","
                   "\"causes\":[{\"reason\":\"ResourceVersionTooLarge\",\"message\":\"Too large "
                   "resource version: 20, current: 10\"}],\"retryAfterSeconds\":1},"
                   "\"code\":504}");
}

static void
test_shape_invalid (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "spec.containers[0].name", NULL,
                          NULL);
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "metadata.name", "Foo", "bad name");
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, "metadata.namespace", "ns",
                          "not allowed on this type");

  g_autoptr (JsonNode) status = timon_status_new_invalid ("", "Pod", "Foo", errors);
  g_autofree char *json = to_json (status);
  g_assert_cmpstr (
    json, ==,
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
    "\"message\":\"Pod \\\"Foo\\\" is invalid: [spec.containers[0].name: Required value, "
    "metadata.name: Invalid value: \\\"Foo\\\": bad name, metadata.namespace: Forbidden: not "
    "allowed on this type]\",\"reason\":\"Invalid\",\"details\":{\"name\":\"Foo\",\"kind\":\"Pod\","
    "\"causes\":[{\"reason\":\"FieldValueRequired\",\"message\":\"Required value\","
    "\"field\":\"spec.containers[0].name\"},{\"reason\":\"FieldValueInvalid\",\"message\":"
    "\"Invalid value: \\\"Foo\\\": bad name\",\"field\":\"metadata.name\"},{\"reason\":"
    "\"FieldValueForbidden\",\"message\":\"Forbidden: not allowed on this type\",\"field\":"
    "\"metadata.namespace\"}]},\"code\":422}");
}

/* A group qualifies the kind in the message; one error has no brackets. */
static void
test_shape_invalid_group (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.replicas", "-1",
                          "must be greater than or equal to 0");

  g_autoptr (JsonNode) status = timon_status_new_invalid ("apps", "Deployment", "web", errors);
  JsonObject *object = json_node_get_object (status);
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==,
                   "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: \"-1\": "
                   "must be greater than or equal to 0");
  g_assert_cmpint (json_object_get_int_member (object, "code"), ==, 422);
  JsonObject *details = json_object_get_object_member (object, "details");
  g_assert_cmpstr (json_object_get_string_member (details, "group"), ==, "apps");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (details, "causes")), ==,
                    1);
}

/* No field errors: the message alone, and no causes. */
static void
test_shape_invalid_empty (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  g_autoptr (JsonNode) status = timon_status_new_invalid (NULL, "Pod", "p", errors);
  g_autofree char *json = to_json (status);

  g_assert_cmpstr (json, ==,
                   "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                   "\"status\":\"Failure\",\"message\":\"Pod \\\"p\\\" is invalid\","
                   "\"reason\":\"Invalid\",\"details\":{\"name\":\"p\",\"kind\":\"Pod\"},"
                   "\"code\":422}");
}

/* The validators' errors, end to end. */
static void
test_shape_invalid_object_meta (void)
{
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  g_autoptr (JsonNode) metadata = json_from_string ("{\"namespace\": \"default\"}", NULL);
  g_assert_false (timon_validate_object_meta (json_node_get_object (metadata), FALSE, errors));

  g_autoptr (JsonNode) status = timon_status_new_invalid (NULL, "Node", "", errors);
  JsonObject *object = json_node_get_object (status);
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==,
                   "Node \"\" is invalid: [metadata.name: Required value: name or generateName "
                   "is required, metadata.namespace: Forbidden: not allowed on this type]");
  JsonObject *details = json_object_get_object_member (object, "details");
  g_assert_false (json_object_has_member (details, "name"));
  JsonArray *causes = json_object_get_array_member (details, "causes");
  g_assert_cmpuint (json_array_get_length (causes), ==, 2);
  JsonObject *first = json_array_get_object_element (causes, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "reason"), ==, "FieldValueRequired");
  g_assert_cmpstr (json_object_get_string_member (first, "field"), ==, "metadata.name");
  g_assert_cmpstr (json_object_get_string_member (first, "message"), ==,
                   "Required value: name or generateName is required");
  JsonObject *second = json_array_get_object_element (causes, 1);
  g_assert_cmpstr (json_object_get_string_member (second, "reason"), ==, "FieldValueForbidden");
  g_assert_cmpstr (json_object_get_string_member (second, "field"), ==, "metadata.namespace");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/api/status/code/store-errors", test_store_errors);
  g_test_add_func ("/api/status/code/api-errors", test_api_errors);
  g_test_add_func ("/api/status/code/other-errors", test_other_errors);
  g_test_add_func ("/api/status/shape/not-found", test_shape_not_found);
  g_test_add_func ("/api/status/shape/omit-empty", test_shape_omit_empty);
  g_test_add_func ("/api/status/shape/future-revision", test_shape_future_revision);
  g_test_add_func ("/api/status/shape/invalid", test_shape_invalid);
  g_test_add_func ("/api/status/shape/invalid-group", test_shape_invalid_group);
  g_test_add_func ("/api/status/shape/invalid-empty", test_shape_invalid_empty);
  g_test_add_func ("/api/status/shape/invalid-object-meta", test_shape_invalid_object_meta);

  return g_test_run ();
}
