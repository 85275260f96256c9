/* timon-resource-type.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <timon/timon.h>

#include "timon-resource-type-private.h"

typedef struct {
  char *name;
  char *type;
  char *format;
  char *description;
  int priority;
  char *json_path;
} Column;

struct _TimonResourceType {
  gatomicrefcount ref_count;
  gboolean frozen; /* registered: shared between threads, no more changes */

  char *group;
  char *version;
  char *kind;
  char *plural;
  char *singular;
  TimonResourceScope scope;
  GStrv short_names;
  GStrv categories;
  GPtrArray *subresources; /* char*, NULL-terminated */
  GStrv selectable_fields;
  GArray *columns; /* Column */

  TimonResourceHooks hooks;
  gpointer hooks_data;
  GDestroyNotify hooks_destroy;

  JsonObject *schemas; /* OpenAPI v3 schemas by name, shared; or NULL */
  char *schema_name;   /* the type's own among them */
};

G_DEFINE_BOXED_TYPE (TimonResourceType,
                     timon_resource_type,
                     timon_resource_type_ref,
                     timon_resource_type_unref)

static void
column_clear (Column *column)
{
  g_free (column->name);
  g_free (column->type);
  g_free (column->format);
  g_free (column->description);
  g_free (column->json_path);
}

static const char *const empty_strv[] = { NULL };

/**
 * timon_resource_type_new:
 * @group: the API group ("" for the core group, "apps", "example.com")
 * @version: the version ("v1", "v1beta1")
 * @kind: the kind, in CamelCase ("Pod")
 * @plural: the resource name in URLs, lower case ("pods")
 * @scope: namespaced or cluster-wide
 *
 * Starts the description of a resource type. The singular name defaults
 * to the kind in lower case; every list is empty.
 *
 * Returns: (transfer full): a new resource type
 *
 * Since: 0.1
 */
TimonResourceType *
timon_resource_type_new (const char *group,
                         const char *version,
                         const char *kind,
                         const char *plural,
                         TimonResourceScope scope)
{
  g_return_val_if_fail (group != NULL, NULL);
  g_return_val_if_fail (version != NULL && version[0] != '\0', NULL);
  g_return_val_if_fail (kind != NULL && kind[0] != '\0', NULL);
  g_return_val_if_fail (plural != NULL && plural[0] != '\0', NULL);

  TimonResourceType *type = g_new0 (TimonResourceType, 1);
  g_atomic_ref_count_init (&type->ref_count);
  type->group = g_strdup (group);
  type->version = g_strdup (version);
  type->kind = g_strdup (kind);
  type->plural = g_strdup (plural);
  type->singular = g_ascii_strdown (kind, -1);
  type->scope = scope;
  type->short_names = g_strdupv ((char **) empty_strv);
  type->categories = g_strdupv ((char **) empty_strv);
  type->subresources = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (type->subresources, NULL);
  type->selectable_fields = g_strdupv ((char **) empty_strv);
  type->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (type->columns, (GDestroyNotify) column_clear);
  return type;
}

/**
 * timon_resource_type_ref:
 * @type: a resource type
 *
 * Returns: (transfer full): @type
 *
 * Since: 0.1
 */
TimonResourceType *
timon_resource_type_ref (TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);

  g_atomic_ref_count_inc (&type->ref_count);
  return type;
}

/**
 * timon_resource_type_unref:
 * @type: (transfer full): a resource type
 *
 * Since: 0.1
 */
void
timon_resource_type_unref (TimonResourceType *type)
{
  g_return_if_fail (type != NULL);

  if (!g_atomic_ref_count_dec (&type->ref_count))
    return;
  if (type->hooks_destroy != NULL)
    type->hooks_destroy (type->hooks_data);
  g_free (type->group);
  g_free (type->version);
  g_free (type->kind);
  g_free (type->plural);
  g_free (type->singular);
  g_strfreev (type->short_names);
  g_strfreev (type->categories);
  g_ptr_array_unref (type->subresources);
  g_strfreev (type->selectable_fields);
  g_array_unref (type->columns);
  g_clear_pointer (&type->schemas, json_object_unref);
  g_free (type->schema_name);
  g_free (type);
}

void
timon_resource_type_freeze (TimonResourceType *type)
{
  type->frozen = TRUE;
}

#define RETURN_IF_FROZEN(type)                                                      \
  G_STMT_START                                                                      \
  {                                                                                 \
    g_return_if_fail ((type) != NULL);                                              \
    g_return_if_fail (!(type)->frozen); /* registered types are shared: no edits */ \
  }                                                                                 \
  G_STMT_END

/**
 * timon_resource_type_set_singular:
 * @type: a resource type being described
 * @singular: the singular resource name ("pod")
 *
 * Since: 0.1
 */
void
timon_resource_type_set_singular (TimonResourceType *type, const char *singular)
{
  RETURN_IF_FROZEN (type);
  g_return_if_fail (singular != NULL && singular[0] != '\0');

  g_free (type->singular);
  type->singular = g_strdup (singular);
}

/**
 * timon_resource_type_set_short_names:
 * @type: a resource type being described
 * @short_names: (array zero-terminated=1): what kubectl also accepts
 *   ("po")
 *
 * Since: 0.1
 */
void
timon_resource_type_set_short_names (TimonResourceType *type, const char *const *short_names)
{
  RETURN_IF_FROZEN (type);

  g_strfreev (type->short_names);
  type->short_names = g_strdupv ((char **) (short_names ? short_names : empty_strv));
}

/**
 * timon_resource_type_set_categories:
 * @type: a resource type being described
 * @categories: (array zero-terminated=1): the categories the type is
 *   listed under ("all" makes `kubectl get all` show it)
 *
 * Since: 0.1
 */
void
timon_resource_type_set_categories (TimonResourceType *type, const char *const *categories)
{
  RETURN_IF_FROZEN (type);

  g_strfreev (type->categories);
  type->categories = g_strdupv ((char **) (categories ? categories : empty_strv));
}

/**
 * timon_resource_type_add_subresource:
 * @type: a resource type being described
 * @name: a subresource the core serves for the type: "status", "scale",
 *   or one a later SDK names ("log", "exec", "binding", "eviction")
 *
 * Since: 0.1
 */
void
timon_resource_type_add_subresource (TimonResourceType *type, const char *name)
{
  RETURN_IF_FROZEN (type);
  g_return_if_fail (name != NULL && name[0] != '\0');

  if (timon_resource_type_has_subresource (type, name))
    return;
  type->subresources->pdata[type->subresources->len - 1] = g_strdup (name);
  g_ptr_array_add (type->subresources, NULL);
}

/**
 * timon_resource_type_set_selectable_fields:
 * @type: a resource type being described
 * @fields: (array zero-terminated=1): the fields a field selector may
 *   name besides metadata.name and metadata.namespace, which every type
 *   has ("spec.nodeName", "status.phase"); the get_field hook gives their
 *   values
 *
 * Since: 0.1
 */
void
timon_resource_type_set_selectable_fields (TimonResourceType *type, const char *const *fields)
{
  RETURN_IF_FROZEN (type);

  g_strfreev (type->selectable_fields);
  type->selectable_fields = g_strdupv ((char **) (fields ? fields : empty_strv));
}

/**
 * timon_resource_type_add_column:
 * @type: a resource type being described
 * @name: the column's header ("STATUS")
 * @column_type: "string", "integer", "number", "boolean" or "date", as in
 *   a Kubernetes Table
 * @format: (nullable): the Table column format: "name" for the name
 *   column; "age" to show the time since the timestamp at @json_path,
 *   as AGE does
 * @description: (nullable): what the column shows
 * @priority: 0 for `kubectl get`, more for `-o wide`
 * @json_path: (nullable): where the value is (".status.phase"); %NULL to
 *   have the print_column hook compute it
 *
 * Adds a column to what `kubectl get` prints. NAME comes first and AGE
 * after the columns of priority 0 without being declared, as in
 * Kubernetes' own printers; `-o wide` adds the others after AGE. A type
 * that prints them elsewhere (Events: LAST SEEN first, NAME only with
 * `-o wide`) declares them: a column of format "name" replaces NAME, a
 * column on ".metadata.creationTimestamp" replaces AGE. A value that is
 * missing prints as "<none>"; a column that should show 0 computes
 * itself in the print_column hook.
 *
 * Since: 0.1
 */
void
timon_resource_type_add_column (TimonResourceType *type,
                                const char *name,
                                const char *column_type,
                                const char *format,
                                const char *description,
                                int priority,
                                const char *json_path)
{
  RETURN_IF_FROZEN (type);
  g_return_if_fail (name != NULL && name[0] != '\0');
  g_return_if_fail (column_type != NULL);
  g_return_if_fail (priority >= 0);

  Column column = {
    .name = g_strdup (name),
    .type = g_strdup (column_type),
    .format = g_strdup (format ? format : ""),
    .description = g_strdup (description ? description : ""),
    .priority = priority,
    .json_path = g_strdup (json_path),
  };
  g_array_append_val (type->columns, column);
}

/**
 * timon_resource_type_set_hooks:
 * @type: a resource type being described
 * @hooks: the hooks; copied
 * @user_data: passed to each hook
 * @destroy: (nullable): frees @user_data with the type
 *
 * Since: 0.1
 */
void
timon_resource_type_set_hooks (TimonResourceType *type,
                               const TimonResourceHooks *hooks,
                               gpointer user_data,
                               GDestroyNotify destroy)
{
  RETURN_IF_FROZEN (type);
  g_return_if_fail (hooks != NULL);

  if (type->hooks_destroy != NULL)
    type->hooks_destroy (type->hooks_data);
  type->hooks = *hooks;
  type->hooks_data = user_data;
  type->hooks_destroy = destroy;
}

/**
 * timon_resource_type_set_schema:
 * @type: a resource type being described
 * @schemas: OpenAPI v3 schemas by name, as the `components.schemas` of
 *   a Kubernetes `/openapi/v3` document holds them, with references
 *   written `#/components/schemas/NAME`; a reference is taken, and the
 *   object must not change afterwards (the types of a plugin may share
 *   one)
 * @name: the name of @type's own schema in @schemas
 *   ("io.k8s.api.core.v1.Pod")
 *
 * Describes the type's fields. The API server publishes the schema
 * under `/openapi/v3` (what `kubectl explain` prints and what kubectl
 * checks before `create -f` and `apply -f`), refuses or drops the
 * fields it does not declare as `fieldValidation` asks, and merges
 * lists in strategic merge patches and server-side apply by the
 * `x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`,
 * `x-kubernetes-list-type` and `x-kubernetes-list-map-keys` it gives.
 *
 * A schema may refer to the schemas of other plugins' types and to
 * the API machinery's, which the core provides:
 * `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, `ListMeta`,
 * `LabelSelector`, `Time`, `MicroTime`, `OwnerReference`,
 * `io.k8s.apimachinery.pkg.api.resource.Quantity` and
 * `io.k8s.apimachinery.pkg.util.intstr.IntOrString`. A schema with
 * `x-kubernetes-preserve-unknown-fields` takes any field, as does a
 * type without a schema.
 *
 * Since: 0.1
 */
void
timon_resource_type_set_schema (TimonResourceType *type, JsonObject *schemas, const char *name)
{
  RETURN_IF_FROZEN (type);
  g_return_if_fail (schemas != NULL);
  g_return_if_fail (name != NULL);

  g_clear_pointer (&type->schemas, json_object_unref);
  type->schemas = json_object_ref (schemas);
  g_free (type->schema_name);
  type->schema_name = g_strdup (name);
}

/**
 * timon_resource_type_get_schema:
 * @type: a resource type
 * @name: (out) (optional) (transfer none): the name of the type's own
 *   schema
 *
 * Returns: (transfer none) (nullable): the schemas given to
 *   timon_resource_type_set_schema(), or %NULL
 *
 * Since: 0.1
 */
JsonObject *
timon_resource_type_get_schema (const TimonResourceType *type, const char **name)
{
  g_return_val_if_fail (type != NULL, NULL);

  if (name != NULL)
    *name = type->schema_name;
  return type->schemas;
}

/**
 * timon_resource_type_get_group:
 * @type: a resource type
 *
 * Returns: the API group, "" for the core group
 *
 * Since: 0.1
 */
const char *
timon_resource_type_get_group (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return type->group;
}

/**
 * timon_resource_type_get_version:
 * @type: a resource type
 *
 * Returns: the version
 *
 * Since: 0.1
 */
const char *
timon_resource_type_get_version (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return type->version;
}

/**
 * timon_resource_type_get_kind:
 * @type: a resource type
 *
 * Returns: the kind
 *
 * Since: 0.1
 */
const char *
timon_resource_type_get_kind (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return type->kind;
}

/**
 * timon_resource_type_get_plural:
 * @type: a resource type
 *
 * Returns: the resource name in URLs
 *
 * Since: 0.1
 */
const char *
timon_resource_type_get_plural (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return type->plural;
}

/**
 * timon_resource_type_get_singular:
 * @type: a resource type
 *
 * Returns: the singular resource name
 *
 * Since: 0.1
 */
const char *
timon_resource_type_get_singular (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return type->singular;
}

/**
 * timon_resource_type_get_scope:
 * @type: a resource type
 *
 * Returns: whether objects live in namespaces
 *
 * Since: 0.1
 */
TimonResourceScope
timon_resource_type_get_scope (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, TIMON_RESOURCE_NAMESPACED);
  return type->scope;
}

/**
 * timon_resource_type_get_short_names:
 * @type: a resource type
 *
 * Returns: (array zero-terminated=1) (transfer none): the short names
 *
 * Since: 0.1
 */
const char *const *
timon_resource_type_get_short_names (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return (const char *const *) type->short_names;
}

/**
 * timon_resource_type_get_categories:
 * @type: a resource type
 *
 * Returns: (array zero-terminated=1) (transfer none): the categories
 *
 * Since: 0.1
 */
const char *const *
timon_resource_type_get_categories (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return (const char *const *) type->categories;
}

/**
 * timon_resource_type_get_subresources:
 * @type: a resource type
 *
 * Returns: (array zero-terminated=1) (transfer none): the subresources
 *
 * Since: 0.1
 */
const char *const *
timon_resource_type_get_subresources (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return (const char *const *) type->subresources->pdata;
}

/**
 * timon_resource_type_has_subresource:
 * @type: a resource type
 * @name: a subresource name
 *
 * Returns: whether the type has it
 *
 * Since: 0.1
 */
gboolean
timon_resource_type_has_subresource (const TimonResourceType *type, const char *name)
{
  g_return_val_if_fail (type != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return g_strv_contains ((const char *const *) type->subresources->pdata, name);
}

/**
 * timon_resource_type_get_selectable_fields:
 * @type: a resource type
 *
 * Returns: (array zero-terminated=1) (transfer none): the fields a field
 *   selector may name besides metadata.name and metadata.namespace
 *
 * Since: 0.1
 */
const char *const *
timon_resource_type_get_selectable_fields (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, NULL);
  return (const char *const *) type->selectable_fields;
}

/**
 * timon_resource_type_get_n_columns:
 * @type: a resource type
 *
 * Returns: how many columns were declared
 *
 * Since: 0.1
 */
guint
timon_resource_type_get_n_columns (const TimonResourceType *type)
{
  g_return_val_if_fail (type != NULL, 0);
  return type->columns->len;
}

/**
 * timon_resource_type_get_column:
 * @type: a resource type
 * @index: a column, below timon_resource_type_get_n_columns()
 * @name: (out) (optional): its header
 * @column_type: (out) (optional): its Table type
 * @format: (out) (optional): its Table format ("" for none)
 * @description: (out) (optional): its description ("" for none)
 * @priority: (out) (optional): its priority
 * @json_path: (out) (optional) (nullable): where its value is, or %NULL
 *
 * Since: 0.1
 */
void
timon_resource_type_get_column (const TimonResourceType *type,
                                guint index,
                                const char **name,
                                const char **column_type,
                                const char **format,
                                const char **description,
                                int *priority,
                                const char **json_path)
{
  g_return_if_fail (type != NULL);
  g_return_if_fail (index < type->columns->len);

  const Column *column = &g_array_index (type->columns, Column, index);
  if (name != NULL)
    *name = column->name;
  if (column_type != NULL)
    *column_type = column->type;
  if (format != NULL)
    *format = column->format;
  if (description != NULL)
    *description = column->description;
  if (priority != NULL)
    *priority = column->priority;
  if (json_path != NULL)
    *json_path = column->json_path;
}

/**
 * timon_resource_type_get_hooks:
 * @type: a resource type
 * @user_data: (out) (optional): the data to pass each hook
 *
 * Returns: (transfer none): the hooks (all %NULL when none were set)
 *
 * Since: 0.1
 */
const TimonResourceHooks *
timon_resource_type_get_hooks (const TimonResourceType *type, gpointer *user_data)
{
  g_return_val_if_fail (type != NULL, NULL);

  if (user_data != NULL)
    *user_data = type->hooks_data;
  return &type->hooks;
}

/* The feature name of a resource type, as kubectl spells a fully
 * qualified resource: "pods.v1", "deployments.v1.apps". */
char *
timon_resource_type_dup_feature_name (const TimonResourceType *type)
{
  if (type->group[0] == '\0')
    return g_strdup_printf ("%s.%s", type->plural, type->version);
  return g_strdup_printf ("%s.%s.%s", type->plural, type->version, type->group);
}
