/* timon-coordination-v1-plugin.c: the resource types of Kubernetes'
 * coordination.k8s.io group, version v1, that Timon serves: Lease, which
 * leader election and node heartbeats use.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coordination-v1-private.h"

static gboolean
coordination_v1_init (TimonPlugin *plugin, GError **error)
{
  static const char *const schema_files[] = {
    "/io/timon/resources/coordination/coordination-v1-schemas.json", NULL
  };
  g_autoptr (JsonObject) schemas = timon_resource_load_schemas (schema_files, error);
  if (schemas == NULL)
    return FALSE;
  g_autoptr (TimonResourceType) lease = coordination_v1_lease_new ();
  timon_resource_set_schema (lease, schemas, "io.k8s.api.coordination.v1");
  return timon_plugin_add_resource_type (plugin, lease, error);
}

TIMON_PLUGIN_DEFINE (coordination_v1,
                     "Kubernetes coordination.k8s.io/v1 resource types",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     coordination_v1_init)
