/* timon-status.h: the API's errors, and the one table that maps every
 * Timon error to an HTTP code and a Kubernetes metav1.Status reason.
 * Used by the API server and the tests; plugins never see it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <timon/timon.h>

G_BEGIN_DECLS

/**
 * TIMON_API_ERROR:
 *
 * The error domain of the API server.
 */
#define TIMON_API_ERROR (timon_api_error_quark ())
TIMON_API GQuark timon_api_error_quark (void);

/**
 * TimonApiError:
 * @TIMON_API_ERROR_BAD_REQUEST: 400 BadRequest
 * @TIMON_API_ERROR_UNAUTHORIZED: 401 Unauthorized
 * @TIMON_API_ERROR_FORBIDDEN: 403 Forbidden
 * @TIMON_API_ERROR_NOT_FOUND: 404 NotFound
 * @TIMON_API_ERROR_METHOD_NOT_ALLOWED: 405 MethodNotAllowed
 * @TIMON_API_ERROR_NOT_ACCEPTABLE: 406 NotAcceptable
 * @TIMON_API_ERROR_CONFLICT: 409 Conflict
 * @TIMON_API_ERROR_ALREADY_EXISTS: 409 AlreadyExists
 * @TIMON_API_ERROR_GONE: 410 Gone
 * @TIMON_API_ERROR_EXPIRED: 410 Expired (a resourceVersion or continue
 *   token older than the history)
 * @TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE: 413 RequestEntityTooLarge
 * @TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE: 415 UnsupportedMediaType
 * @TIMON_API_ERROR_INVALID: 422 Invalid; a Status with the field errors
 *   as causes comes from timon_status_new_invalid()
 * @TIMON_API_ERROR_TOO_MANY_REQUESTS: 429 TooManyRequests
 * @TIMON_API_ERROR_INTERNAL: 500 InternalError
 * @TIMON_API_ERROR_TIMEOUT: 504 Timeout
 *
 * The errors of the API server, each named after the Status reason it
 * answers with.
 */
typedef enum {
  TIMON_API_ERROR_BAD_REQUEST,
  TIMON_API_ERROR_UNAUTHORIZED,
  TIMON_API_ERROR_FORBIDDEN,
  TIMON_API_ERROR_NOT_FOUND,
  TIMON_API_ERROR_METHOD_NOT_ALLOWED,
  TIMON_API_ERROR_NOT_ACCEPTABLE,
  TIMON_API_ERROR_CONFLICT,
  TIMON_API_ERROR_ALREADY_EXISTS,
  TIMON_API_ERROR_GONE,
  TIMON_API_ERROR_EXPIRED,
  TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE,
  TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
  TIMON_API_ERROR_INVALID,
  TIMON_API_ERROR_TOO_MANY_REQUESTS,
  TIMON_API_ERROR_INTERNAL,
  TIMON_API_ERROR_TIMEOUT,
} TimonApiError;

TIMON_API int timon_status_code_for_error (const GError *error, const char **out_reason);

TIMON_API JsonNode *timon_status_new_from_error (const GError *error,
                                                 const char *group,
                                                 const char *kind,
                                                 const char *name);
TIMON_API JsonNode *timon_status_new_success (int code);
TIMON_API JsonNode *timon_status_new_invalid (const char *group,
                                              const char *kind,
                                              const char *name,
                                              const TimonFieldErrors *errors);

G_END_DECLS
