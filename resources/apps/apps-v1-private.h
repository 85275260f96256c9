/* apps-v1-private.h: what the apps/v1 resource types share.
 *
 * Hooks get whatever JSON a client sent: they read it through the typed
 * accessors of timon-resource-util.h (resources/common), shared with the
 * other resource-type plugins, so that a hook never trusts a shape it
 * did not check.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "timon-resource-util.h"

G_BEGIN_DECLS

/* Kubernetes' message for a field that may not change. */
#define APPS_V1_IMMUTABLE "field is immutable"

/* The rollout strategy every workload defaults to. */
#define APPS_V1_STRATEGY_ROLLING_UPDATE "RollingUpdate"

TimonResourceType *apps_v1_deployment_new (void);
TimonResourceType *apps_v1_replica_set_new (void);
TimonResourceType *apps_v1_daemon_set_new (void);
TimonResourceType *apps_v1_stateful_set_new (void);

/* apps-v1-util.c: what the workloads share */
TimonResourceType *apps_v1_workload_type_new (const char *kind,
                                              const char *plural,
                                              const char *const *short_names,
                                              gboolean scale);
void apps_v1_default_int (JsonObject *object, const char *member, gint64 value);
void apps_v1_default_int_or_string (JsonObject *object, const char *member, const char *value);
char *apps_v1_print_ready (JsonObject *object);
void apps_v1_validate_status (JsonObject *object,
                              const char *const *counters,
                              TimonFieldErrors *errors);
void apps_v1_validate_immutable (JsonObject *object,
                                 JsonObject *old,
                                 const char *member,
                                 const char *path,
                                 TimonFieldErrors *errors);
gboolean apps_v1_members_equal (JsonObject *a, JsonObject *b, const char *member);
void apps_v1_validate_selector_unchanged (JsonObject *object,
                                          JsonObject *old,
                                          TimonFieldErrors *errors);
JsonObject *apps_v1_default_strategy (JsonObject *spec, const char *member);
const char *apps_v1_get_strategy (JsonObject *spec,
                                  const char *member,
                                  JsonObject **strategy,
                                  JsonObject **rolling,
                                  TimonFieldErrors *errors);
char *apps_v1_print_ready_column (JsonObject *object, const char *column, gpointer user_data);

/* apps-v1-intstr.c: IntOrString values such as maxUnavailable */
gboolean apps_v1_validate_int_or_percent (JsonObject *object,
                                          const char *member,
                                          const char *path,
                                          gboolean at_most_100,
                                          TimonFieldErrors *errors,
                                          gint64 *value);
gboolean apps_v1_validate_rolling_update (JsonObject *rolling,
                                          const char *path,
                                          gboolean surge_at_most_100,
                                          TimonFieldErrors *errors,
                                          gint64 *unavailable,
                                          gint64 *surge);

/* apps-v1-selector.c: spec.selector, a metav1.LabelSelector */
gboolean apps_v1_validate_selector (JsonObject *spec,
                                    const char *empty_message,
                                    TimonFieldErrors *errors);
gboolean apps_v1_selector_matches (JsonObject *selector, JsonObject *labels);
char *apps_v1_selector_to_string (JsonObject *selector);
int apps_v1_compare_strings (gconstpointer a, gconstpointer b);

/* apps-v1-template.c: spec.template, a pod template */
void apps_v1_default_template (JsonObject *spec);
void apps_v1_validate_template (JsonObject *spec,
                                gboolean selector_valid,
                                const char *deadline_message,
                                TimonFieldErrors *errors);
char *apps_v1_dup_containers (JsonObject *object, const char *member);
char *apps_v1_print_column (JsonObject *object, const char *column, gpointer user_data);
void apps_v1_add_wide_columns (TimonResourceType *type, gboolean with_selector);

G_END_DECLS
