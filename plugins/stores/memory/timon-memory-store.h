/* timon-memory-store.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

#define TIMON_TYPE_MEMORY_STORE (timon_memory_store_get_type ())
G_DECLARE_FINAL_TYPE (TimonMemoryStore, timon_memory_store, TIMON, MEMORY_STORE, GObject)

G_END_DECLS
