/* timon-apps-v1-plugin.c: the resource types of Kubernetes' apps group,
 * version v1, that Timon serves: the controllers of pods. All are in the
 * "all" category, as Kubernetes lists workloads there.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "apps-v1-private.h"

static gboolean
add (TimonPlugin *plugin, TimonResourceType *type, JsonObject *schemas, GError **error)
{
  g_autoptr (TimonResourceType) owned = type;
  timon_resource_set_schema (owned, schemas, "io.k8s.api.apps.v1");
  return timon_plugin_add_resource_type (plugin, owned, error);
}

static gboolean
apps_v1_init (TimonPlugin *plugin, GError **error)
{
  static const char *const schema_files[] = { "/io/timon/resources/apps/apps-v1-schemas.json",
                                              NULL };
  g_autoptr (JsonObject) schemas = timon_resource_load_schemas (schema_files, error);
  if (schemas == NULL)
    return FALSE;
  return add (plugin, apps_v1_deployment_new (), schemas, error) &&
         add (plugin, apps_v1_replica_set_new (), schemas, error) &&
         add (plugin, apps_v1_daemon_set_new (), schemas, error) &&
         add (plugin, apps_v1_stateful_set_new (), schemas, error);
}

TIMON_PLUGIN_DEFINE (apps_v1,
                     "Kubernetes apps/v1 resource types",
                     "0.1.0",
                     "LGPL-2.1-or-later",
                     apps_v1_init)
