/* timon-resource-util.h: what the resource-type plugins share.
 *
 * Hooks get whatever JSON a client sent: every accessor here checks the
 * JSON type of what it reads, treats null as absent (as Go decodes it),
 * and reports a wrong type as an invalid value when given a list of
 * errors, so that a hook never trusts a shape it did not check.
 *
 * A static library, linked into each plugin: nothing here is exported.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

/* Kubernetes' message for a number that may not be negative. */
#define TIMON_RESOURCE_NONNEGATIVE "must be greater than or equal to 0"

char *timon_resource_path (const char *parent, const char *member);

gboolean timon_resource_node_is_string (JsonNode *node);
gboolean timon_resource_node_is_integer (JsonNode *node);

JsonObject *timon_resource_get_object (JsonObject *object,
                                       const char *member,
                                       const char *path,
                                       TimonFieldErrors *errors);
JsonArray *timon_resource_get_array (JsonObject *object,
                                     const char *member,
                                     const char *path,
                                     TimonFieldErrors *errors);
const char *timon_resource_get_string (JsonObject *object,
                                       const char *member,
                                       const char *path,
                                       TimonFieldErrors *errors);
gboolean timon_resource_get_boolean (JsonObject *object,
                                     const char *member,
                                     const char *path,
                                     TimonFieldErrors *errors,
                                     gboolean *value);
gboolean timon_resource_get_int (JsonObject *object,
                                 const char *member,
                                 const char *path,
                                 TimonFieldErrors *errors,
                                 gint64 *value);
gboolean timon_resource_get_int32 (JsonObject *object,
                                   const char *member,
                                   const char *path,
                                   TimonFieldErrors *errors,
                                   gint64 *value);

char *timon_resource_dup_string_at (JsonObject *object,
                                    const char *first,
                                    ...) G_GNUC_NULL_TERMINATED;
char *timon_resource_dup_int_at (JsonObject *object, const char *first, ...) G_GNUC_NULL_TERMINATED;

gboolean timon_resource_member_is_unset (JsonObject *object, const char *member);
JsonObject *timon_resource_ensure_object (JsonObject *object, const char *member);
void timon_resource_default_string (JsonObject *object, const char *member, const char *value);

void timon_resource_add_invalid_messages (TimonFieldErrors *errors,
                                          const char *field,
                                          const char *value,
                                          const char *message);
void timon_resource_validate_nonnegative (JsonObject *object,
                                          const char *member,
                                          const char *path,
                                          TimonFieldErrors *errors);

/* The OpenAPI schemas of the GResources at @paths (each a JSON object
 * of schemas by name), in one object: what timon_resource_type_set_schema()
 * takes. */
JsonObject *timon_resource_load_schemas (const char *const *paths, GError **error);
/* Gives @type the schema Kubernetes names "@prefix.KIND" in @schemas. */
void timon_resource_set_schema (TimonResourceType *type, JsonObject *schemas, const char *prefix);

G_END_DECLS
