/* test-utils.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-utils.h"

void
test_run_clear (TestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/* Runs @argv to its end, with @launcher's environment if one is given,
 * and keeps its exit status and output. A crash (a critical under
 * G_DEBUG=fatal-warnings) fails the test: it has no exit status. */
void
test_run (TestRun *run, GSubprocessLauncher *launcher, const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) own = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *shown = g_strjoinv (" ", (char **) argv);

  if (launcher == NULL)
    launcher = own = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_flags (launcher,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_test_message ("running: %s", shown);
  g_autoptr (GSubprocess) proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
  if (run->status != 0)
    g_test_message ("%s: exit status %d\n%s%s", shown, run->status, run->out, run->err);
}
