/* timon-sqlite-store.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

#define TIMON_TYPE_SQLITE_STORE (timon_sqlite_store_get_type ())
G_DECLARE_FINAL_TYPE (TimonSqliteStore, timon_sqlite_store, TIMON, SQLITE_STORE, GObject)

G_END_DECLS
