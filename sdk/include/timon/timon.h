/* timon.h: the one header a Timon plugin includes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __TIMON_H_INSIDE__

#include <timon/timon-version.h>
#include <timon/timon-field-errors.h>
#include <timon/timon-resource-type.h>
#include <timon/timon-plugin.h>
#include <timon/timon-store-item.h>
#include <timon/timon-store-event.h>
#include <timon/timon-store-watch.h>
#include <timon/timon-store.h>
#include <timon/timon-validation.h>

#undef __TIMON_H_INSIDE__
