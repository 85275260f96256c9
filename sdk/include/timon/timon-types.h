/* timon-types.h: macros shared by the SDK headers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(__TIMON_H_INSIDE__) && !defined(TIMON_COMPILATION)
#error "Only <timon/timon.h> can be included directly."
#endif

#include <glib.h>

/* libtimon is built with -fvisibility=hidden: only what carries TIMON_API
 * is part of the SDK. */
#define TIMON_API __attribute__ ((visibility ("default"))) extern
