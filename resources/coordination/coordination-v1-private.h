/* coordination-v1-private.h: the coordination.k8s.io/v1 resource types.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "timon-resource-util.h"

G_BEGIN_DECLS

TimonResourceType *coordination_v1_lease_new (void);

G_END_DECLS
