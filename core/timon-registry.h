/* timon-registry.h: the plugins a process loaded and the features they
 * provide. Used by timond, timonctl and the tests; plugins never see it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

#define TIMON_TYPE_REGISTRY (timon_registry_get_type ())
TIMON_API
G_DECLARE_FINAL_TYPE (TimonRegistry, timon_registry, TIMON, REGISTRY, GObject)

/**
 * TimonPluginFailure:
 * @filename: the shared object
 * @error: why it did not load
 *
 * A plugin that did not load.
 */
typedef struct {
  char *filename;
  GError *error;
} TimonPluginFailure;

TIMON_API TimonRegistry *timon_registry_new (void);

TIMON_API gboolean timon_registry_load_file (TimonRegistry *registry,
                                             const char *filename,
                                             GError **error);
TIMON_API void timon_registry_load_dir (TimonRegistry *registry, const char *dir);
TIMON_API void timon_registry_load_default (TimonRegistry *registry, const char *const *extra_dirs);
TIMON_API GStrv timon_registry_dup_default_dirs (const char *const *extra_dirs);

TIMON_API GPtrArray *timon_registry_get_plugins (TimonRegistry *registry);
TIMON_API GPtrArray *timon_registry_get_failures (TimonRegistry *registry);
TIMON_API TimonFeature *timon_registry_lookup (TimonRegistry *registry,
                                               TimonFeatureKind kind,
                                               const char *name);
TIMON_API GPtrArray *timon_registry_list_features (TimonRegistry *registry, TimonFeatureKind kind);

TIMON_API TimonStore *timon_registry_open_store (TimonRegistry *registry,
                                                 const char *name,
                                                 const char *location,
                                                 GError **error);

G_END_DECLS
