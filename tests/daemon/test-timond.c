/* test-timond.c: the real timond, started and stopped as a user would.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include <signal.h>
#include <timon/timon.h>

#include "test-utils.h"
#include "timon-registry.h"

typedef struct {
  GSubprocess *process;
  GString *output; /* what timond printed, stdout and stderr together */
  GDataInputStream *lines;
} Daemon;

static void
daemon_free (Daemon *d)
{
  if (d->process != NULL && !g_subprocess_get_if_exited (d->process) &&
      !g_subprocess_get_if_signaled (d->process)) {
    g_subprocess_force_exit (d->process);
    g_subprocess_wait (d->process, NULL, NULL);
  }
  g_clear_object (&d->lines);
  g_clear_object (&d->process);
  g_string_free (d->output, TRUE);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Daemon, daemon_free)

static Daemon *
daemon_start (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  Daemon *d = g_new0 (Daemon, 1);

  d->output = g_string_new (NULL);
  d->process =
    g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                       &error);
  g_assert_no_error (error);
  d->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->process));
  return d;
}

/* Reads timond's output until a line holds @needle; fails at end of
 * output. */
static void
daemon_wait_for (Daemon *d, const char *needle)
{
  for (;;) {
    g_autoptr (GError) error = NULL;
    g_autofree char *line = g_data_input_stream_read_line_utf8 (d->lines, NULL, NULL, &error);
    g_assert_no_error (error);
    if (line == NULL)
      g_error ("timond ended without printing \"%s\"; it printed:\n%s", needle, d->output->str);
    g_string_append_printf (d->output, "%s\n", line);
    if (strstr (line, needle) != NULL)
      return;
  }
}

/* Reads what is left of timond's output and waits for it to exit. */
static int
daemon_finish (Daemon *d)
{
  g_autoptr (GError) error = NULL;
  char *line;

  while ((line = g_data_input_stream_read_line_utf8 (d->lines, NULL, NULL, &error)) != NULL) {
    g_string_append_printf (d->output, "%s\n", line);
    g_free (line);
  }
  g_assert_no_error (error);
  g_subprocess_wait (d->process, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (d->process))
    return 128 + g_subprocess_get_term_sig (d->process);
  return g_subprocess_get_exit_status (d->process);
}

static char *
make_data_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("timond-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static void
remove_data_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_remove (path);
  }
  g_rmdir (dir);
}

/* timond on sqlite starts, stops cleanly on SIGTERM, and finds its store
 * again, at the revision it left, on the next start. */
static void
test_sqlite_start_stop (void)
{
  g_autofree char *dir = make_data_dir ();
  const char *argv[] = { TIMOND, "--listen", "127.0.0.1:0", "--data-dir", dir, NULL };

  {
    g_autoptr (Daemon) d = daemon_start (argv);
    daemon_wait_for (d, "store sqlite open");
    g_subprocess_send_signal (d->process, SIGTERM);
    g_assert_cmpint (daemon_finish (d), ==, 0);
    assert_contains (d->output->str, "shutting down");
  }

  /* Write through the store, as the API server does, then start again.
   * The first start may have written already (the initial namespaces,
   * when a namespaces type is loaded). */
  gint64 revision = 0;
  {
    g_autoptr (TimonRegistry) registry = timon_registry_new ();
    timon_registry_load_default (registry, NULL);
    g_autofree char *db = g_build_filename (dir, "timon.db", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonStore) store = timon_registry_open_store (registry, "sqlite", db, &error);
    g_assert_no_error (error);
    g_autoptr (GBytes) value = g_bytes_new_static ("{}", 2);
    gint64 first = timon_store_get_revision (store);
    for (int i = 0; i < 3; i++) {
      g_autofree char *key = g_strdup_printf ("/registry/namespaces/ns%d", i);
      g_autoptr (TimonStoreItem) item = timon_store_create (store, key, value, &error);
      g_assert_no_error (error);
    }
    revision = timon_store_get_revision (store);
    g_assert_cmpint (revision, ==, first + 3);
  }

  {
    g_autoptr (Daemon) d = daemon_start (argv);
    daemon_wait_for (d, "store sqlite open");
    g_autofree char *expected = g_strdup_printf ("revision %" G_GINT64_FORMAT, revision);
    assert_contains (d->output->str, expected);
    g_subprocess_send_signal (d->process, SIGINT);
    g_assert_cmpint (daemon_finish (d), ==, 0);
  }
  remove_data_dir (dir);
}

/* Two timond on one data folder: the second says why it cannot start. */
static void
test_sqlite_in_use (void)
{
  g_autofree char *dir = make_data_dir ();
  const char *argv[] = { TIMOND, "--listen", "127.0.0.1:0", "--data-dir", dir, NULL };

  g_autoptr (Daemon) first = daemon_start (argv);
  daemon_wait_for (first, "store sqlite open");

  g_autoptr (Daemon) second = daemon_start (argv);
  g_assert_cmpint (daemon_finish (second), ==, 1);
  assert_contains (second->output->str, "in use by another store");

  g_subprocess_send_signal (first->process, SIGTERM);
  g_assert_cmpint (daemon_finish (first), ==, 0);
  remove_data_dir (dir);
}

static void
test_memory_store (void)
{
  g_autofree char *dir = make_data_dir ();
  const char *argv[] = { TIMOND, "--listen", "127.0.0.1:0", "--data-dir",
                         dir,    "--store",  "memory",      NULL };

  g_autoptr (Daemon) d = daemon_start (argv);
  daemon_wait_for (d, "store memory open");
  g_subprocess_send_signal (d->process, SIGTERM);
  g_assert_cmpint (daemon_finish (d), ==, 0);
  remove_data_dir (dir);
}

static void
test_unknown_store (void)
{
  g_autofree char *dir = make_data_dir ();
  const char *argv[] = { TIMOND, "--listen", "127.0.0.1:0", "--data-dir",
                         dir,    "--store",  "nosuch",      NULL };

  g_autoptr (Daemon) d = daemon_start (argv);
  g_assert_cmpint (daemon_finish (d), ==, 1);
  assert_contains (d->output->str, "no plugin provides the store \"nosuch\"");
  assert_contains (d->output->str, "sqlite");
  remove_data_dir (dir);
}

static void
test_bad_option (void)
{
  const char *argv[] = { TIMOND, "--no-such-option", NULL };

  g_autoptr (Daemon) d = daemon_start (argv);
  g_assert_cmpint (daemon_finish (d), ==, 2);
  assert_contains (d->output->str, "timond: Unknown option --no-such-option");
}

/* A folder of broken plugins next to the good ones: timond says what
 * failed and why, and starts all the same. */
static void
test_broken_plugins_reported (void)
{
  g_autofree char *dir = make_data_dir ();
  g_autofree char *broken =
    g_build_filename (g_getenv ("MESON_BUILD_ROOT"), "tests", "plugins", "init-fails", NULL);
  const char *argv[] = { TIMOND, "--listen",     "127.0.0.1:0", "--data-dir",
                         dir,    "--plugin-dir", broken,        NULL };

  g_autoptr (Daemon) d = daemon_start (argv);
  daemon_wait_for (d, "store sqlite open");
  assert_contains (d->output->str, "libtest-init-fails.so not loaded");
  assert_contains (d->output->str, "gives up on purpose");
  g_subprocess_send_signal (d->process, SIGTERM);
  g_assert_cmpint (daemon_finish (d), ==, 0);
  remove_data_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/daemon/timond/sqlite/start-stop", test_sqlite_start_stop);
  g_test_add_func ("/daemon/timond/sqlite/in-use", test_sqlite_in_use);
  g_test_add_func ("/daemon/timond/memory", test_memory_store);
  g_test_add_func ("/daemon/timond/unknown-store", test_unknown_store);
  g_test_add_func ("/daemon/timond/bad-option", test_bad_option);
  g_test_add_func ("/daemon/timond/broken-plugins-reported", test_broken_plugins_reported);

  return g_test_run ();
}
