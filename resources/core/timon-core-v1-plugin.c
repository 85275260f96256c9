/* timon-core-v1-plugin.c: the resource types of Kubernetes' core group,
 * version v1, that Timon serves.
 *
 * Only Pod and Service are in the "all" category: Kubernetes lists there
 * only what runs workloads (pods, services, controllers), not
 * configuration.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "core-v1-private.h"

static gboolean
add (TimonPlugin *plugin, TimonResourceType *type, JsonObject *schemas, GError **error)
{
  g_autoptr (TimonResourceType) owned = type;
  timon_resource_set_schema (owned, schemas, "io.k8s.api.core.v1");
  return timon_plugin_add_resource_type (plugin, owned, error);
}

static gboolean
core_v1_init (TimonPlugin *plugin, GError **error)
{
  static const char *const schema_files[] = { "/io/timon/resources/core/core-v1-schemas.json",
                                              "/io/timon/resources/core/core-v1-pod-schemas.json",
                                              NULL };
  g_autoptr (JsonObject) schemas = timon_resource_load_schemas (schema_files, error);
  if (schemas == NULL)
    return FALSE;
  /* One line per type, which clang-format would pack. */
  /* clang-format off */
  return add (plugin, core_v1_namespace_new (), schemas, error) &&
         add (plugin, core_v1_config_map_new (), schemas, error) &&
         add (plugin, core_v1_secret_new (), schemas, error) &&
         add (plugin, core_v1_service_account_new (), schemas, error) &&
         add (plugin, core_v1_event_new (), schemas, error) &&
         add (plugin, core_v1_pod_new (), schemas, error) &&
         add (plugin, core_v1_node_new (), schemas, error) &&
         add (plugin, core_v1_service_new (), schemas, error) &&
         add (plugin, core_v1_endpoints_new (), schemas, error) &&
         add (plugin, core_v1_resource_quota_new (), schemas, error) &&
         add (plugin, core_v1_limit_range_new (), schemas, error);
  /* clang-format on */
}

TIMON_PLUGIN_DEFINE (core_v1,
                     "Kubernetes core/v1 resource types",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     core_v1_init)
