/* timon-field-selector.h: Kubernetes field selectors (?fieldSelector=),
 * parsed once and matched against many objects.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include <timon/timon.h>

#include "timon-label-selector.h" /* TIMON_SELECTOR_ERROR */

G_BEGIN_DECLS

/**
 * TimonFieldSelector:
 *
 * A parsed Kubernetes field selector: `field=value` and `field!=value`
 * terms that must all hold. Immutable and reference-counted, so one
 * selector may be shared between threads.
 *
 * Since: 0.1
 */
typedef struct _TimonFieldSelector TimonFieldSelector;

/**
 * TimonFieldGetter:
 * @field: a field name the selector tests, such as `metadata.name`
 * @user_data: what was given to timon_field_selector_matches()
 *
 * Reads one field of the object being matched, as text.
 *
 * Returns: (nullable) (transfer none): the field's value, which must stay
 *   valid until the match returns; %NULL when the object has no such
 *   field, which compares as the empty string
 *
 * Since: 0.1
 */
typedef const char *(*TimonFieldGetter) (const char *field, gpointer user_data);

#define TIMON_TYPE_FIELD_SELECTOR (timon_field_selector_get_type ())
TIMON_API GType timon_field_selector_get_type (void);

TIMON_API TimonFieldSelector *timon_field_selector_parse (const char *text,
                                                          const char *const *allowed_fields,
                                                          GError **error);
TIMON_API TimonFieldSelector *timon_field_selector_ref (TimonFieldSelector *selector);
TIMON_API void timon_field_selector_unref (TimonFieldSelector *selector);

TIMON_API gboolean timon_field_selector_matches (TimonFieldSelector *selector,
                                                 TimonFieldGetter get,
                                                 gpointer user_data);
TIMON_API gboolean timon_field_selector_is_empty (TimonFieldSelector *selector);
TIMON_API char *timon_field_selector_to_string (TimonFieldSelector *selector);
TIMON_API const char *timon_field_selector_get_exact (TimonFieldSelector *selector,
                                                      const char *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimonFieldSelector, timon_field_selector_unref)

G_END_DECLS
