/* timon-validation.h: the checks of names, labels and object metadata
 * that Kubernetes makes, for resource types to validate their objects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include <timon/timon-types.h>
#include <timon/timon-field-errors.h>

G_BEGIN_DECLS

/**
 * TIMON_DNS1123_LABEL_MAX_LENGTH:
 *
 * The longest RFC 1123 label, in bytes: 63.
 *
 * Since: 0.1
 */
#define TIMON_DNS1123_LABEL_MAX_LENGTH 63

/**
 * TIMON_DNS1123_SUBDOMAIN_MAX_LENGTH:
 *
 * The longest RFC 1123 subdomain, in bytes: 253.
 *
 * Since: 0.1
 */
#define TIMON_DNS1123_SUBDOMAIN_MAX_LENGTH 253

/**
 * TIMON_QUALIFIED_NAME_MAX_LENGTH:
 *
 * The longest name part of a qualified name, in bytes: 63.
 *
 * Since: 0.1
 */
#define TIMON_QUALIFIED_NAME_MAX_LENGTH 63

/**
 * TIMON_LABEL_VALUE_MAX_LENGTH:
 *
 * The longest label value, in bytes: 63.
 *
 * Since: 0.1
 */
#define TIMON_LABEL_VALUE_MAX_LENGTH 63

/**
 * TIMON_ANNOTATIONS_MAX_SIZE:
 *
 * The most bytes the keys and values of an object's annotations may
 * hold together: 256 KiB, as Kubernetes.
 *
 * Since: 0.1
 */
#define TIMON_ANNOTATIONS_MAX_SIZE ((gsize) 256 * 1024)

TIMON_API gboolean timon_validate_dns1123_label (const char *value, char **out_message);
TIMON_API gboolean timon_validate_dns1123_subdomain (const char *value, char **out_message);
TIMON_API gboolean timon_validate_qualified_name (const char *value, char **out_message);
TIMON_API gboolean timon_validate_label_value (const char *value, char **out_message);

TIMON_API gboolean timon_validate_labels (JsonObject *labels,
                                          const char *field_path,
                                          TimonFieldErrors *errors);
TIMON_API gboolean timon_validate_annotations (JsonObject *annotations,
                                               const char *field_path,
                                               TimonFieldErrors *errors);
TIMON_API gboolean timon_validate_object_meta (JsonObject *metadata,
                                               gboolean namespaced,
                                               TimonFieldErrors *errors);

G_END_DECLS
