/* test-store.h: the smallest store a test plugin can register.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <timon/timon.h>

G_BEGIN_DECLS

#define TEST_TYPE_STORE (test_store_get_type ())
GType test_store_get_type (void);

G_END_DECLS
