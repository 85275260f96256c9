/* timon-api-server.h: the Kubernetes REST API over HTTP, serving the
 * resource types plugins register, with objects kept in a TimonStore.
 * Part of libtimon's core API (timond starts it; the in-process client
 * of the scheduler and controllers will call its pipeline); plugins never
 * see it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

#include "timon-registry.h"

G_BEGIN_DECLS

/**
 * TIMON_API_MAX_BODY_SIZE:
 *
 * The largest request body the API reads: 3 MiB, as Kubernetes. Larger
 * bodies are refused with 413 RequestEntityTooLarge.
 */
#define TIMON_API_MAX_BODY_SIZE ((gsize) 3 * 1024 * 1024)

#define TIMON_TYPE_API_SERVER (timon_api_server_get_type ())
TIMON_API
G_DECLARE_FINAL_TYPE (TimonApiServer, timon_api_server, TIMON, API_SERVER, GObject)

TIMON_API TimonApiServer *timon_api_server_new (TimonRegistry *registry, TimonStore *store);
TIMON_API gboolean timon_api_server_listen (TimonApiServer *server,
                                            const char *address,
                                            GError **error);
TIMON_API const char *timon_api_server_get_address (TimonApiServer *server);
TIMON_API void timon_api_server_shutdown (TimonApiServer *server, guint timeout_ms);
TIMON_API gboolean timon_api_server_ensure_namespaces (TimonApiServer *server,
                                                       const char *const *names,
                                                       GError **error);

G_END_DECLS
