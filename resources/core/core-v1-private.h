/* core-v1-private.h: what the core/v1 resource types share.
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

/* The total size Kubernetes allows the data of a ConfigMap or Secret
 * (core.MaxSecretSize). */
#define CORE_V1_MAX_DATA_SIZE ((gsize) 1024 * 1024)

/* Kubernetes' message for a field that may not change. */
#define CORE_V1_IMMUTABLE "field is immutable"
/* ... and for data that may not change once `immutable` is set. */
#define CORE_V1_IMMUTABLE_SET "field is immutable when `immutable` is set"

TimonResourceType *core_v1_namespace_new (void);
TimonResourceType *core_v1_config_map_new (void);
TimonResourceType *core_v1_secret_new (void);
TimonResourceType *core_v1_service_account_new (void);
TimonResourceType *core_v1_event_new (void);
TimonResourceType *core_v1_pod_new (void);
TimonResourceType *core_v1_node_new (void);
TimonResourceType *core_v1_service_new (void);
TimonResourceType *core_v1_endpoints_new (void);
TimonResourceType *core_v1_resource_quota_new (void);
TimonResourceType *core_v1_limit_range_new (void);

char *core_v1_key_path (const char *parent, const char *key);

gboolean core_v1_members_equal (JsonObject *a, JsonObject *b, const char *member);
guint core_v1_count_members (JsonObject *object, const char *member);

void core_v1_validate_config_key (const char *key, const char *field, TimonFieldErrors *errors);
gboolean core_v1_base64_check (const char *text, gsize *decoded_length);
JsonObject *core_v1_validate_data_map (JsonObject *object,
                                       const char *member,
                                       gboolean base64,
                                       gsize *total,
                                       TimonFieldErrors *errors);
void core_v1_validate_immutable_flag (JsonObject *object,
                                      JsonObject *old,
                                      const char *const *data_members,
                                      TimonFieldErrors *errors);

JsonObject *core_v1_array_get_object (JsonArray *array,
                                      guint index,
                                      const char *path,
                                      TimonFieldErrors *errors);
GPtrArray *core_v1_dup_object_list (JsonObject *object, const char *member);
JsonNode *core_v1_deep_copy (JsonNode *node);
void core_v1_prune_empty (JsonNode *node);
const char *core_v1_validate_dns_member (JsonObject *object,
                                         const char *member,
                                         const char *path,
                                         gboolean label,
                                         TimonFieldErrors *errors);

/* core-v1-quantity.c */
gboolean core_v1_quantity_parse (const char *text, double *value);
gboolean core_v1_validate_quantity (JsonNode *node,
                                    const char *field,
                                    TimonFieldErrors *errors,
                                    double *value);
gboolean core_v1_quantity_value (JsonNode *node, double *value);
char *core_v1_quantity_dup_text (JsonNode *node);
JsonObject *core_v1_validate_resource_list (JsonObject *object,
                                            const char *member,
                                            const char *path,
                                            TimonFieldErrors *errors);

/* core-v1-net.c */
gboolean core_v1_is_ip (const char *text);
gboolean core_v1_is_cidr (const char *text);
gboolean core_v1_is_ipv6 (const char *text);
void core_v1_validate_port_number (gint64 port, const char *field, TimonFieldErrors *errors);
void core_v1_validate_port_name (const char *name, const char *field, TimonFieldErrors *errors);
void core_v1_validate_enum (const char *value,
                            const char *const *supported,
                            gboolean required,
                            const char *field,
                            TimonFieldErrors *errors);
void core_v1_validate_protocol (JsonObject *port, const char *path, TimonFieldErrors *errors);
void core_v1_validate_ip_member (JsonObject *object,
                                 const char *member,
                                 const char *path,
                                 gboolean required,
                                 TimonFieldErrors *errors);

G_END_DECLS
