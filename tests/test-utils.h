/* test-utils.h: what several test binaries need.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <string.h>

G_BEGIN_DECLS

/* Fails the test, showing both strings, unless @haystack contains
 * @needle. */
#define assert_contains(haystack, needle)                                               \
  G_STMT_START                                                                          \
  {                                                                                     \
    const char *h_ = (haystack), *n_ = (needle);                                        \
    if (h_ == NULL || strstr (h_, n_) == NULL) {                                        \
      g_autofree char *m_ = g_strdup_printf ("\"%s\" does not contain \"%s\"", h_, n_); \
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m_);            \
    }                                                                                   \
  }                                                                                     \
  G_STMT_END

/* What a finished command left. */
typedef struct {
  int status;
  char *out;
  char *err;
} TestRun;

void test_run_clear (TestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TestRun, test_run_clear)

void test_run (TestRun *run, GSubprocessLauncher *launcher, const char *const *argv);

G_END_DECLS
