/* timon-plugin.h: how a shared object declares itself a Timon plugin.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <glib-object.h>
#include <timon/timon-resource-type.h>
#include <timon/timon-types.h>
#include <timon/timon-version.h>

G_BEGIN_DECLS

/**
 * TimonFeatureKind:
 * @TIMON_FEATURE_STORE: a store backend, a #GType implementing #TimonStore
 * @TIMON_FEATURE_RESOURCE_TYPE: a kind of object the API serves, a
 *   #TimonResourceType, named as kubectl spells a fully qualified
 *   resource ("pods.v1", "deployments.v1.apps")
 *
 * What a feature provides. Each kind has its own name space: a store and
 * a scheduler may share a name, two stores may not.
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_FEATURE_STORE = 1,
  TIMON_FEATURE_RESOURCE_TYPE = 2,
} TimonFeatureKind;

TIMON_API const char *timon_feature_kind_to_string (TimonFeatureKind kind);

#define TIMON_TYPE_PLUGIN (timon_plugin_get_type ())
TIMON_API
G_DECLARE_FINAL_TYPE (TimonPlugin, timon_plugin, TIMON, PLUGIN, GObject)

#define TIMON_TYPE_FEATURE (timon_feature_get_type ())
TIMON_API
G_DECLARE_FINAL_TYPE (TimonFeature, timon_feature, TIMON, FEATURE, GObject)

/**
 * TimonPluginInitFunc:
 * @plugin: the plugin being loaded
 * @error: return location for an error
 *
 * A plugin's init function registers the features the plugin provides,
 * one call each, and does nothing else: work starts when the core starts
 * a feature, not when the plugin loads.
 *
 * Returns: %TRUE on success, %FALSE with @error set otherwise; the core
 *   then reports the plugin as failed and drops whatever it registered.
 *
 * Since: 0.1
 */
typedef gboolean (*TimonPluginInitFunc) (TimonPlugin *plugin, GError **error);

/**
 * TimonPluginDescriptor:
 * @abi_major: %TIMON_ABI_MAJOR the plugin was built with
 * @abi_minor: %TIMON_ABI_MINOR the plugin was built with
 * @size: sizeof (TimonPluginDescriptor) as the plugin saw it
 * @name: the plugin's name: lower case letters, digits and '-'
 * @description: one line saying what the plugin provides
 * @version: the plugin's own version
 * @license: an SPDX licence expression
 * @init: the function that registers the plugin's features
 *
 * What a plugin exports, under the one symbol name
 * `timon_plugin_descriptor`. Do not fill it in by hand: use
 * TIMON_PLUGIN_DEFINE(), which stamps the ABI version and size.
 *
 * Since: 0.1
 */
typedef struct {
  guint32 abi_major;
  guint32 abi_minor;
  guint32 size;
  const char *name;
  const char *description;
  const char *version;
  const char *license;
  TimonPluginInitFunc init;
  /*< private >*/
  gpointer reserved[8];
} TimonPluginDescriptor;

/**
 * TIMON_PLUGIN_DESCRIPTOR_SYMBOL:
 *
 * The name of the one symbol a plugin exports.
 *
 * Since: 0.1
 */
#define TIMON_PLUGIN_DESCRIPTOR_SYMBOL "timon_plugin_descriptor"

/**
 * TIMON_PLUGIN_DEFINE:
 * @name: the plugin's name, a C identifier (it becomes a string, with '_'
 *   turned into '-')
 * @description: a string: one line saying what the plugin provides
 * @version: a string: the plugin's version
 * @license: a string: an SPDX licence expression
 * @init: a #TimonPluginInitFunc
 *
 * Declares the shared object a Timon plugin. Use it once, in one source
 * file of the plugin:
 *
 * |[<!-- language="C" -->
 * static gboolean
 * hello_init (TimonPlugin *plugin, GError **error)
 * {
 *   return timon_plugin_add_store (plugin, "hello", HELLO_TYPE_STORE, error);
 * }
 *
 * TIMON_PLUGIN_DEFINE (hello, "A store that says hello", "1.0", "MIT", hello_init)
 * ]|
 *
 * Since: 0.1
 */
/* clang-format off */
#define TIMON_PLUGIN_DEFINE(name, description, version, license, init)                              \
  __attribute__ ((visibility ("default"))) const TimonPluginDescriptor timon_plugin_descriptor = { \
    TIMON_ABI_MAJOR, TIMON_ABI_MINOR, sizeof (TimonPluginDescriptor),                             \
    #name, (description), (version), (license), (init), { NULL }                                  \
  };
/* clang-format on */

TIMON_API const char *timon_plugin_get_name (TimonPlugin *plugin);
TIMON_API const char *timon_plugin_get_description (TimonPlugin *plugin);
TIMON_API const char *timon_plugin_get_version (TimonPlugin *plugin);
TIMON_API const char *timon_plugin_get_license (TimonPlugin *plugin);
TIMON_API const char *timon_plugin_get_filename (TimonPlugin *plugin);
TIMON_API guint32 timon_plugin_get_abi_major (TimonPlugin *plugin);
TIMON_API guint32 timon_plugin_get_abi_minor (TimonPlugin *plugin);
TIMON_API GPtrArray *timon_plugin_get_features (TimonPlugin *plugin);

TIMON_API gboolean timon_plugin_add_store (TimonPlugin *plugin,
                                           const char *name,
                                           GType type,
                                           GError **error);

TIMON_API gboolean timon_plugin_add_resource_type (TimonPlugin *plugin,
                                                   TimonResourceType *type,
                                                   GError **error);

TIMON_API TimonFeatureKind timon_feature_get_kind (TimonFeature *feature);
TIMON_API const char *timon_feature_get_name (TimonFeature *feature);
TIMON_API GType timon_feature_get_gtype (TimonFeature *feature);
TIMON_API TimonPlugin *timon_feature_get_plugin (TimonFeature *feature);
TIMON_API TimonResourceType *timon_feature_get_resource_type (TimonFeature *feature);

/**
 * TIMON_PLUGIN_ERROR:
 *
 * The error domain of plugin loading and registration.
 *
 * Since: 0.1
 */
#define TIMON_PLUGIN_ERROR (timon_plugin_error_quark ())
TIMON_API GQuark timon_plugin_error_quark (void);

/**
 * TimonPluginError:
 * @TIMON_PLUGIN_ERROR_OPEN: the shared object could not be opened
 * @TIMON_PLUGIN_ERROR_NO_DESCRIPTOR: the shared object exports no
 *   `timon_plugin_descriptor`
 * @TIMON_PLUGIN_ERROR_ABI: the plugin was built for an ABI this core does
 *   not provide
 * @TIMON_PLUGIN_ERROR_INVALID: the descriptor or a feature is malformed
 * @TIMON_PLUGIN_ERROR_DUPLICATE: a plugin or feature of that name is
 *   already registered
 * @TIMON_PLUGIN_ERROR_INIT: the plugin's init function failed
 *
 * Why a plugin did not load.
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_PLUGIN_ERROR_OPEN,
  TIMON_PLUGIN_ERROR_NO_DESCRIPTOR,
  TIMON_PLUGIN_ERROR_ABI,
  TIMON_PLUGIN_ERROR_INVALID,
  TIMON_PLUGIN_ERROR_DUPLICATE,
  TIMON_PLUGIN_ERROR_INIT,
} TimonPluginError;

G_END_DECLS
