/* timon-etcd-store.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

#define TIMON_TYPE_ETCD_STORE (timon_etcd_store_get_type ())
G_DECLARE_FINAL_TYPE (TimonEtcdStore, timon_etcd_store, TIMON, ETCD_STORE, GObject)

G_END_DECLS
