/* timonctl-table.h: the aligned text tables timonctl prints.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TimonctlTable TimonctlTable;

TimonctlTable *timonctl_table_new (guint n_columns);
void timonctl_table_add_row (TimonctlTable *table, const char *const *cells);
char *timonctl_table_render (TimonctlTable *table, guint indent);
void timonctl_table_free (TimonctlTable *table);

char *timonctl_display_string (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TimonctlTable, timonctl_table_free)

G_END_DECLS
