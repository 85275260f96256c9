/* timonctl-table.c: columns padded to their widest cell, two spaces
 * apart, the last one unpadded, as kubectl prints them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timonctl-table.h"

struct _TimonctlTable {
  guint n_columns;
  GPtrArray *rows; /* GStrv of n_columns cells */
};

/* A table with headers starts with them as its first row. */
TimonctlTable *
timonctl_table_new (guint n_columns)
{
  TimonctlTable *table = g_new0 (TimonctlTable, 1);

  table->n_columns = n_columns;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  return table;
}

/* Text from a plugin is whatever its author wrote: it must not break the
 * table (a newline) or the terminal (an escape sequence). */
char *
timonctl_display_string (const char *text)
{
  char *out = g_utf8_make_valid (text, -1);

  for (char *p = out; *p != '\0'; p++) {
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  }
  return out;
}

/* Cells past the row's end are empty, so that a short row cannot read
 * out of bounds. */
void
timonctl_table_add_row (TimonctlTable *table, const char *const *cells)
{
  char **row = g_new0 (char *, table->n_columns + 1);
  gboolean ended = FALSE;

  for (guint i = 0; i < table->n_columns; i++) {
    ended = ended || cells[i] == NULL;
    row[i] = timonctl_display_string (ended ? "" : cells[i]);
  }
  g_ptr_array_add (table->rows, row);
}

char *
timonctl_table_render (TimonctlTable *table, guint indent)
{
  g_autofree size_t *widths = g_new0 (size_t, table->n_columns);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint r = 0; r < table->rows->len; r++) {
    char **row = table->rows->pdata[r];
    for (guint c = 0; c < table->n_columns; c++)
      widths[c] = MAX (widths[c], (size_t) g_utf8_strlen (row[c], -1));
  }

  for (guint r = 0; r < table->rows->len; r++) {
    char **row = table->rows->pdata[r];
    for (guint i = 0; i < indent; i++)
      g_string_append_c (out, ' ');
    for (guint c = 0; c < table->n_columns; c++) {
      g_string_append (out, row[c]);
      if (c + 1 == table->n_columns)
        break;
      size_t pad = widths[c] - (size_t) g_utf8_strlen (row[c], -1) + 2;
      for (size_t i = 0; i < pad; i++)
        g_string_append_c (out, ' ');
    }
    /* An empty last cell would leave the padding of the one before. */
    while (out->len > 0 && out->str[out->len - 1] == ' ')
      g_string_truncate (out, out->len - 1);
    g_string_append_c (out, '\n');
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
timonctl_table_free (TimonctlTable *table)
{
  g_ptr_array_unref (table->rows);
  g_free (table);
}
