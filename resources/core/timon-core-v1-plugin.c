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
add (TimonPlugin *plugin, TimonResourceType *type, GError **error)
{
  g_autoptr (TimonResourceType) owned = type;
  return timon_plugin_add_resource_type (plugin, owned, error);
}

static gboolean
core_v1_init (TimonPlugin *plugin, GError **error)
{
  /* One line per type, which clang-format would pack. */
  /* clang-format off */
  return add (plugin, core_v1_namespace_new (), error) &&
         add (plugin, core_v1_config_map_new (), error) &&
         add (plugin, core_v1_secret_new (), error) &&
         add (plugin, core_v1_service_account_new (), error) &&
         add (plugin, core_v1_event_new (), error) &&
         add (plugin, core_v1_pod_new (), error) &&
         add (plugin, core_v1_node_new (), error) &&
         add (plugin, core_v1_service_new (), error) &&
         add (plugin, core_v1_endpoints_new (), error) &&
         add (plugin, core_v1_resource_quota_new (), error) &&
         add (plugin, core_v1_limit_range_new (), error);
  /* clang-format on */
}

TIMON_PLUGIN_DEFINE (core_v1,
                     "Kubernetes core/v1 resource types",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     core_v1_init)
