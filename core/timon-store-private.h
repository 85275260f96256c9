/* timon-store-private.h: what the core knows of the store beyond the
 * SDK: the form of continue tokens, which the API server makes for the
 * lists its watch cache answers, and the latency of its operations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL char *timon_store_continue_token_new (gint64 revision, const char *last_key);
G_GNUC_INTERNAL char *timon_store_continue_token_get_key (const char *token);

G_GNUC_INTERNAL void timon_store_append_metrics (TimonStore *store,
                                                 const char *store_name,
                                                 GString *out);

G_END_DECLS
