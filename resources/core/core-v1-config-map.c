/* core-v1-config-map.c: ConfigMap, as Kubernetes' core/v1 validates it
 * (ValidateConfigMap, ValidateConfigMapUpdate).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "core-v1-private.h"

static void
config_map_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  gsize total = 0;
  gboolean immutable;

  JsonObject *data = core_v1_validate_data_map (object, "data", FALSE, &total, errors);
  JsonObject *binary = core_v1_validate_data_map (object, "binaryData", TRUE, &total, errors);

  /* Both maps become files of one folder when mounted: a key in both
   * would be two files of one name. Kubernetes reports the data key. */
  if (data != NULL && binary != NULL) {
    JsonObjectIter iter; /* ordered: causes follow the client's order */
    const char *key;
    JsonNode *node;

    json_object_iter_init_ordered (&iter, data);
    while (json_object_iter_next_ordered (&iter, &key, &node)) {
      if (json_object_has_member (binary, key)) {
        g_autofree char *field = core_v1_key_path ("data", key);
        timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, key,
                                "duplicate of key present in binaryData");
      }
    }
  }
  /* The object must fit in one etcd value. */
  if (total > CORE_V1_MAX_DATA_SIZE)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_TOO_LONG, "data", NULL,
                            "may not be more than %zu bytes", CORE_V1_MAX_DATA_SIZE);
  timon_resource_get_boolean (object, "immutable", NULL, errors, &immutable);
}

static void
config_map_validate_update (JsonObject *object,
                            JsonObject *old,
                            TimonFieldErrors *errors,
                            gpointer user_data)
{
  static const char *const data_members[] = { "data", "binaryData", NULL };

  core_v1_validate_immutable_flag (object, old, data_members, errors);
  config_map_validate (object, errors, user_data);
}

static char *
config_map_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "DATA"))
    return g_strdup_printf ("%u", core_v1_count_members (object, "data") +
                                    core_v1_count_members (object, "binaryData"));
  return NULL;
}

TimonResourceType *
core_v1_config_map_new (void)
{
  static const char *const short_names[] = { "cm", NULL };
  static const TimonResourceHooks hooks = {
    .validate_create = config_map_validate,
    .validate_update = config_map_validate_update,
    .print_column = config_map_print_column,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "ConfigMap", "configmaps", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_add_column (type, "DATA", "string", NULL,
                                  "The number of keys in data and binaryData", 0, NULL);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
