/* timon-resource-type.h: how a plugin describes a kind of object the API
 * serves.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <json-glib/json-glib.h>
#include <timon/timon-field-errors.h>
#include <timon/timon-types.h>

G_BEGIN_DECLS

/**
 * TimonResourceScope:
 * @TIMON_RESOURCE_NAMESPACED: objects live in a namespace (Pods)
 * @TIMON_RESOURCE_CLUSTER: objects belong to the cluster (Nodes)
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_RESOURCE_NAMESPACED,
  TIMON_RESOURCE_CLUSTER,
} TimonResourceScope;

/**
 * TimonResourceHooks:
 * @default_object: fills in the defaults of a new or updated object,
 *   before validation (restartPolicy: Always, protocol: TCP, ...)
 * @validate_create: adds the field errors of a new object; the core has
 *   checked apiVersion, kind and metadata already
 * @validate_update: adds the field errors of an update of @old into
 *   @object: what the type checks on create, and what may not change
 * @get_field: the value of a field-selector field the type declared
 *   ("spec.nodeName"), as a new string, or %NULL if the object has none
 * @print_column: the cell of a printed column declared without a JSON
 *   path ("READY" 1/2), as a new string
 * @check_graceful_delete: for a type with graceful deletion (Pods,
 *   Kubernetes' CheckGracefulDelete): the grace period, in seconds, a
 *   DELETE of @object gives it, from @requested, the DeleteOptions'
 *   gracePeriodSeconds, or -1 when they have none (the core makes a
 *   negative one 1 first, as Kubernetes does). Above 0, the object is
 *   not removed: it gets metadata.deletionTimestamp (now + the grace
 *   period) and deletionGracePeriodSeconds, and stays until a DELETE
 *   with a grace period of 0; 0 removes it at once (finalizers still
 *   hold it). Called only for an object that is not terminating yet:
 *   the core shortens a running grace period itself, never lengthens
 *   it. A negative result is taken as 0. %NULL: the type has no
 *   graceful deletion, and ignores gracePeriodSeconds. It took a slot
 *   of the padding: the structure keeps its size, and a plugin built
 *   before it has %NULL there.
 *
 * What a resource type does beyond its description. Every hook may be
 * %NULL. Hooks run in the API server's thread, may be called for many
 * objects at once, and must not block. The core does what every type
 * shares: metadata (name, namespace, uid, resourceVersion, generation,
 * timestamps, labels), that a main update keeps the status and a status
 * update keeps everything else, and that generation grows when the spec
 * changes.
 *
 * Since: 0.1
 */
typedef struct {
  void (*default_object) (JsonObject *object, gpointer user_data);
  void (*validate_create) (JsonObject *object, TimonFieldErrors *errors, gpointer user_data);
  void (*validate_update) (JsonObject *object,
                           JsonObject *old,
                           TimonFieldErrors *errors,
                           gpointer user_data);
  char *(*get_field) (JsonObject *object, const char *field, gpointer user_data);
  char *(*print_column) (JsonObject *object, const char *column, gpointer user_data);
  gint64 (*check_graceful_delete) (JsonObject *object, gint64 requested, gpointer user_data);

  /*< private >*/
  gpointer padding[10];
} TimonResourceHooks;

/**
 * TimonResourceType:
 *
 * A kind the API serves: its group, version, kind and plural, its scope,
 * names for kubectl, subresources, printed columns, selectable fields and
 * hooks. A plugin builds one with timon_resource_type_new() and the
 * setters, then registers it with timon_plugin_add_resource_type(), after
 * which it is immutable and shared between threads.
 *
 * Since: 0.1
 */
typedef struct _TimonResourceType TimonResourceType;

#define TIMON_TYPE_RESOURCE_TYPE (timon_resource_type_get_type ())
TIMON_API GType timon_resource_type_get_type (void);

TIMON_API TimonResourceType *timon_resource_type_new (const char *group,
                                                      const char *version,
                                                      const char *kind,
                                                      const char *plural,
                                                      TimonResourceScope scope);
TIMON_API TimonResourceType *timon_resource_type_ref (TimonResourceType *type);
TIMON_API void timon_resource_type_unref (TimonResourceType *type);

TIMON_API void timon_resource_type_set_singular (TimonResourceType *type, const char *singular);
TIMON_API void timon_resource_type_set_short_names (TimonResourceType *type,
                                                    const char *const *short_names);
TIMON_API void timon_resource_type_set_categories (TimonResourceType *type,
                                                   const char *const *categories);
TIMON_API void timon_resource_type_add_subresource (TimonResourceType *type, const char *name);
TIMON_API void timon_resource_type_set_selectable_fields (TimonResourceType *type,
                                                          const char *const *fields);
TIMON_API void timon_resource_type_add_column (TimonResourceType *type,
                                               const char *name,
                                               const char *column_type,
                                               const char *format,
                                               const char *description,
                                               int priority,
                                               const char *json_path);
TIMON_API void timon_resource_type_set_hooks (TimonResourceType *type,
                                              const TimonResourceHooks *hooks,
                                              gpointer user_data,
                                              GDestroyNotify destroy);
TIMON_API void timon_resource_type_set_schema (TimonResourceType *type,
                                               JsonObject *schemas,
                                               const char *name);

TIMON_API const char *timon_resource_type_get_group (const TimonResourceType *type);
TIMON_API const char *timon_resource_type_get_version (const TimonResourceType *type);
TIMON_API const char *timon_resource_type_get_kind (const TimonResourceType *type);
TIMON_API const char *timon_resource_type_get_plural (const TimonResourceType *type);
TIMON_API const char *timon_resource_type_get_singular (const TimonResourceType *type);
TIMON_API TimonResourceScope timon_resource_type_get_scope (const TimonResourceType *type);
TIMON_API const char *const *timon_resource_type_get_short_names (const TimonResourceType *type);
TIMON_API const char *const *timon_resource_type_get_categories (const TimonResourceType *type);
TIMON_API gboolean timon_resource_type_has_subresource (const TimonResourceType *type,
                                                        const char *name);
TIMON_API const char *const *timon_resource_type_get_subresources (const TimonResourceType *type);
TIMON_API const char *const *timon_resource_type_get_selectable_fields (
  const TimonResourceType *type);
TIMON_API guint timon_resource_type_get_n_columns (const TimonResourceType *type);
TIMON_API void timon_resource_type_get_column (const TimonResourceType *type,
                                               guint index,
                                               const char **name,
                                               const char **column_type,
                                               const char **format,
                                               const char **description,
                                               int *priority,
                                               const char **json_path);
TIMON_API const TimonResourceHooks *timon_resource_type_get_hooks (const TimonResourceType *type,
                                                                   gpointer *user_data);
TIMON_API JsonObject *timon_resource_type_get_schema (const TimonResourceType *type,
                                                      const char **name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimonResourceType, timon_resource_type_unref)

G_END_DECLS
