/* apps-v1-private.h: what the apps/v1 resource types share.
 *
 * Hooks get whatever JSON a client sent: every accessor here checks the
 * JSON type of what it reads, treats null as absent (as Go decodes it),
 * and reports a wrong type as an invalid value when given a list of
 * errors, so that a hook never trusts a shape it did not check.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

/* Kubernetes' message for a field that may not change. */
#define APPS_V1_IMMUTABLE "field is immutable"
#define APPS_V1_NONNEGATIVE "must be greater than or equal to 0"

TimonResourceType *apps_v1_deployment_new (void);
TimonResourceType *apps_v1_replica_set_new (void);
TimonResourceType *apps_v1_daemon_set_new (void);
TimonResourceType *apps_v1_stateful_set_new (void);

/* apps-v1-util.c: typed JSON access */
char *apps_v1_path (const char *parent, const char *member);
JsonObject *apps_v1_get_object (JsonObject *object,
                                const char *member,
                                const char *path,
                                TimonFieldErrors *errors);
JsonArray *apps_v1_get_array (JsonObject *object,
                              const char *member,
                              const char *path,
                              TimonFieldErrors *errors);
const char *apps_v1_get_string (JsonObject *object,
                                const char *member,
                                const char *path,
                                TimonFieldErrors *errors);
gboolean apps_v1_get_int32 (JsonObject *object,
                            const char *member,
                            const char *path,
                            TimonFieldErrors *errors,
                            gint64 *value);
gboolean apps_v1_get_boolean (JsonObject *object,
                              const char *member,
                              const char *path,
                              TimonFieldErrors *errors,
                              gboolean *value);
gboolean apps_v1_node_is_string (JsonNode *node);
gboolean apps_v1_node_is_integer (JsonNode *node);
gboolean apps_v1_member_is_unset (JsonObject *object, const char *member);
JsonObject *apps_v1_ensure_object (JsonObject *object, const char *member);
void apps_v1_default_int (JsonObject *object, const char *member, gint64 value);
void apps_v1_default_string (JsonObject *object, const char *member, const char *value);
void apps_v1_validate_nonnegative (JsonObject *object,
                                   const char *member,
                                   const char *path,
                                   TimonFieldErrors *errors);
void apps_v1_default_int_or_string (JsonObject *object, const char *member, const char *value);
char *apps_v1_print_ready (JsonObject *object);
void apps_v1_validate_status (JsonObject *object,
                              const char *const *counters,
                              TimonFieldErrors *errors);
char *apps_v1_dup_int_at (JsonObject *object, const char *first, ...) G_GNUC_NULL_TERMINATED;
void apps_v1_validate_immutable (JsonObject *object,
                                 JsonObject *old,
                                 const char *member,
                                 const char *path,
                                 TimonFieldErrors *errors);

/* apps-v1-intstr.c: IntOrString values such as maxUnavailable */
gboolean apps_v1_validate_int_or_percent (JsonObject *object,
                                          const char *member,
                                          const char *path,
                                          gboolean at_most_100,
                                          TimonFieldErrors *errors,
                                          gint64 *value);

/* apps-v1-selector.c: spec.selector, a metav1.LabelSelector */
gboolean apps_v1_validate_selector (JsonObject *spec,
                                    const char *empty_message,
                                    TimonFieldErrors *errors);
gboolean apps_v1_selector_matches (JsonObject *selector, JsonObject *labels);
char *apps_v1_selector_to_string (JsonObject *selector);

/* apps-v1-template.c: spec.template, a pod template */
void apps_v1_default_template (JsonObject *spec);
void apps_v1_validate_template (JsonObject *spec,
                                gboolean selector_valid,
                                const char *deadline_message,
                                TimonFieldErrors *errors);
char *apps_v1_dup_containers (JsonObject *object, const char *member);
char *apps_v1_print_column (JsonObject *object, const char *column);
void apps_v1_add_wide_columns (TimonResourceType *type, gboolean with_selector);

G_END_DECLS
