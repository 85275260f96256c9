/* timon-label-selector.h: Kubernetes label selectors (?labelSelector=),
 * parsed once and matched against the labels of many objects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include <timon/timon.h>

G_BEGIN_DECLS

/**
 * TIMON_SELECTOR_ERROR:
 *
 * The error domain of label and field selectors.
 *
 * Since: 0.1
 */
#define TIMON_SELECTOR_ERROR (timon_selector_error_quark ())
TIMON_API GQuark timon_selector_error_quark (void);

/**
 * TimonSelectorError:
 * @TIMON_SELECTOR_ERROR_INVALID: the selector does not parse, or names
 *   something it may not (a Kubernetes "BadRequest")
 *
 * Why a label or field selector was refused.
 *
 * Since: 0.1
 */
typedef enum {
  TIMON_SELECTOR_ERROR_INVALID,
} TimonSelectorError;

/**
 * TIMON_SELECTOR_MAX_LENGTH:
 *
 * The longest label or field selector accepted, in bytes (64 KiB).
 *
 * Since: 0.1
 */
#define TIMON_SELECTOR_MAX_LENGTH ((gsize) 65536)

/**
 * TimonLabelSelector:
 *
 * A parsed Kubernetes label selector: requirements that must all hold.
 * Immutable and reference-counted, so one selector may be shared between
 * threads.
 *
 * Since: 0.1
 */
typedef struct _TimonLabelSelector TimonLabelSelector;

#define TIMON_TYPE_LABEL_SELECTOR (timon_label_selector_get_type ())
TIMON_API GType timon_label_selector_get_type (void);

TIMON_API TimonLabelSelector *timon_label_selector_parse (const char *text, GError **error);
TIMON_API TimonLabelSelector *timon_label_selector_ref (TimonLabelSelector *selector);
TIMON_API void timon_label_selector_unref (TimonLabelSelector *selector);

TIMON_API gboolean timon_label_selector_matches (TimonLabelSelector *selector, GHashTable *labels);
TIMON_API gboolean timon_label_selector_is_empty (TimonLabelSelector *selector);
TIMON_API char *timon_label_selector_to_string (TimonLabelSelector *selector);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimonLabelSelector, timon_label_selector_unref)

G_END_DECLS
