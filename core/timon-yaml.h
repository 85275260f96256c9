/* timon-yaml.h: YAML request bodies as JSON, read as Kubernetes reads
 * them (sigs.k8s.io/yaml over go-yaml v2). Internal to libtimon.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The deepest nesting a YAML document may have: Kubernetes' decoders
 * stop at the same depth. */
#define TIMON_YAML_MAX_DEPTH 10000

char *timon_yaml_to_json (const char *yaml, gsize length, gsize *out_length, GError **error);

G_END_DECLS
