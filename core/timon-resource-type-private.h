/* timon-resource-type-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

void timon_resource_type_freeze (TimonResourceType *type);
char *timon_resource_type_dup_feature_name (const TimonResourceType *type);

G_END_DECLS
