/* core-v1-limit-range.c: LimitRange, as Kubernetes' core/v1 validates it
 * (ValidateLimitRange): each limit's quantities, in the order
 * min <= defaultRequest <= default <= max.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "core-v1-private.h"

/* The quantity of @resource in @map, or FALSE when it has none or it was
 * reported malformed. */
static gboolean
lookup (JsonObject *map, const char *resource, double *value)
{
  return map != NULL && core_v1_quantity_value (json_object_get_member (map, resource), value);
}

/* Reports, on @map_name[@resource] of @path, that @low_name's @low is
 * above @high_name's @high. */
static void
check_order (JsonObject *low_map,
             const char *low_name,
             JsonObject *high_map,
             const char *high_name,
             const char *resource,
             const char *path,
             const char *field_map,
             TimonFieldErrors *errors)
{
  double low, high;

  if (!lookup (low_map, resource, &low) || !lookup (high_map, resource, &high) || low <= high)
    return;
  g_autofree char *map_path = timon_resource_path (path, field_map);
  g_autofree char *field = core_v1_key_path (map_path, resource);
  g_autofree char *low_text =
    core_v1_quantity_dup_text (json_object_get_member (low_map, resource));
  g_autofree char *high_text =
    core_v1_quantity_dup_text (json_object_get_member (high_map, resource));
  timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, low_text,
                          "%s value %s is greater than %s value %s", low_name, low_text, high_name,
                          high_text);
}

/* Every resource any of the maps names, once. */
static GPtrArray *
resource_names (JsonObject *const *maps, size_t n)
{
  GPtrArray *names = g_ptr_array_new ();

  for (size_t i = 0; i < n; i++) {
    if (maps[i] == NULL)
      continue;
    g_autoptr (GList) members = json_object_get_members (maps[i]);
    for (GList *l = members; l != NULL; l = l->next) {
      if (!g_ptr_array_find_with_equal_func (names, l->data, g_str_equal, NULL))
        g_ptr_array_add (names, l->data);
    }
  }
  return names;
}

static void
validate_limit (JsonObject *limit, const char *path, TimonFieldErrors *errors)
{
  static const char *const types[] = { "Pod", "Container", "PersistentVolumeClaim", NULL };
  g_autofree char *type_field = timon_resource_path (path, "type");
  const char *type = timon_resource_get_string (limit, "type", path, errors);

  if (type != NULL || timon_resource_member_is_unset (limit, "type"))
    core_v1_validate_enum (type != NULL ? type : "", types, TRUE, type_field, errors);

  JsonObject *max = core_v1_validate_resource_list (limit, "max", path, errors);
  JsonObject *min = core_v1_validate_resource_list (limit, "min", path, errors);
  JsonObject *deflt = core_v1_validate_resource_list (limit, "default", path, errors);
  JsonObject *request = core_v1_validate_resource_list (limit, "defaultRequest", path, errors);
  JsonObject *ratio = core_v1_validate_resource_list (limit, "maxLimitRequestRatio", path, errors);

  /* A pod gets no defaults: its containers do. */
  if (type != NULL && g_str_equal (type, "Pod")) {
    if (deflt != NULL && json_object_get_size (deflt) > 0) {
      g_autofree char *field = timon_resource_path (path, "default");
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, field, NULL,
                              "may not be specified when `type` is 'Pod'");
    }
    if (request != NULL && json_object_get_size (request) > 0) {
      g_autofree char *field = timon_resource_path (path, "defaultRequest");
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, field, NULL,
                              "may not be specified when `type` is 'Pod'");
    }
  }

  /* A limit may be a multiple of its request, not a fraction. */
  if (ratio != NULL) {
    g_autoptr (GList) resources = json_object_get_members (ratio);
    for (GList *l = resources; l != NULL; l = l->next) {
      double value;
      if (!lookup (ratio, l->data, &value) || value >= 1)
        continue;
      g_autofree char *ratio_path = timon_resource_path (path, "maxLimitRequestRatio");
      g_autofree char *field = core_v1_key_path (ratio_path, l->data);
      g_autofree char *text = core_v1_quantity_dup_text (json_object_get_member (ratio, l->data));
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, text,
                              "ratio %s is less than 1", text);
    }
  }

  JsonObject *const maps[] = { max, min, deflt, request };
  g_autoptr (GPtrArray) names = resource_names (maps, G_N_ELEMENTS (maps));
  for (guint i = 0; i < names->len; i++) {
    const char *r = names->pdata[i];
    check_order (min, "min", max, "max", r, path, "min", errors);
    check_order (min, "min", request, "default request", r, path, "defaultRequest", errors);
    check_order (request, "default request", max, "max", r, path, "defaultRequest", errors);
    check_order (request, "default request", deflt, "default limit", r, path, "defaultRequest",
                 errors);
    check_order (min, "min", deflt, "default", r, path, "default", errors);
    check_order (deflt, "default", max, "max", r, path, "default", errors);
  }
}

static void
limit_range_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *spec = timon_resource_get_object (object, "spec", NULL, errors);
  JsonArray *limits = timon_resource_get_array (spec, "limits", "spec", errors);

  for (guint i = 0; limits != NULL && i < json_array_get_length (limits); i++) {
    g_autofree char *path = g_strdup_printf ("spec.limits[%u]", i);
    JsonObject *limit = core_v1_array_get_object (limits, i, "spec.limits", errors);
    if (limit != NULL)
      validate_limit (limit, path, errors);
  }
}

static void
limit_range_validate_update (JsonObject *object,
                             JsonObject *old,
                             TimonFieldErrors *errors,
                             gpointer user_data)
{
  limit_range_validate (object, errors, user_data);
}

TimonResourceType *
core_v1_limit_range_new (void)
{
  static const char *const short_names[] = { "limits", NULL };
  static const TimonResourceHooks hooks = {
    .validate_create = limit_range_validate,
    .validate_update = limit_range_validate_update,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "LimitRange", "limitranges", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  /* As Kubernetes' printer: the creation time itself, in place of AGE. */
  timon_resource_type_add_column (type, "CREATED AT", "date", NULL, "When the object was created",
                                  0, ".metadata.creationTimestamp");
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
