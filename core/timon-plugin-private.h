/* timon-plugin-private.h: what the registry needs of plugins and
 * features, and plugin authors must not see.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gmodule.h>
#include <timon/timon.h>

#include "timon-registry.h"

G_BEGIN_DECLS

TimonPlugin *timon_plugin_new (TimonRegistry *registry,
                               const char *filename,
                               GModule *module,
                               const TimonPluginDescriptor *descriptor,
                               const char *name);
GPtrArray *timon_plugin_steal_pending (TimonPlugin *plugin);
void timon_plugin_set_loading (TimonPlugin *plugin, gboolean loading);

TimonFeature *timon_feature_new (TimonPlugin *plugin,
                                 TimonFeatureKind kind,
                                 const char *name,
                                 GType type,
                                 TimonResourceType *resource_type);

gboolean timon_registry_check_feature (TimonRegistry *registry,
                                       TimonFeatureKind kind,
                                       const char *name,
                                       GError **error);

G_END_DECLS
