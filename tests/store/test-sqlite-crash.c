/* test-sqlite-crash.c: what the sqlite store promises beyond the
 * conformance suite: acknowledged writes survive kill -9, revisions never
 * go back or repeat across reopens, closing completes pending writes and
 * closes watches, blocking writes from many threads are safe, and the
 * files stay bounded under a steady load.
 *
 * The kill -9 case re-executes this binary as a writer child
 * (--crash-child DBPATH SEED), which reports each acknowledged write on
 * stdout as "REV KEYINDEX OP SUM": OP is C, U or D, SUM the checksum
 * embedded in the value ("-" for a delete).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "timon-registry.h"

#define CRASH_PREFIX "crash/"
#define CRASH_KEYS 48
#define CRASH_IN_FLIGHT 48
#define CRASH_ROUNDS 40
#define SUM_LEN 64 /* SHA-256 in hex */

static TimonRegistry *registry;

static TimonStore *
open_store (const char *path, GError **error)
{
  return timon_registry_open_store (registry, "sqlite", path, error);
}

static char *
test_dir (void)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own cache folder. */
  char *dir = g_build_filename (g_get_user_cache_dir (), "sqlite", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

/* Keys with bytes that trip up string handling; each starts with a
 * distinct two-digit number, so none is a prefix of another. */
static char *
crash_key (guint index)
{
  static const char *const tails[] = {
    "plain",   "with space",   "quote'\"", "percent%_", "\xc3\xa9t\xc3\xa9",
    "\x01low", "\xff\xfehigh", "a/b/c"
  };
  return g_strdup_printf (CRASH_PREFIX "k%02u %s", index, tails[index % G_N_ELEMENTS (tails)]);
}

/* A value that proves itself whole: the SHA-256 of the payload in hex, a
 * newline, the payload. */
static GBytes *
make_value (GRand *rand, gsize payload_size)
{
  g_autofree guint8 *payload = g_malloc (payload_size + 4);
  for (gsize i = 0; i < payload_size; i += 4) {
    guint32 r = g_rand_int (rand);
    memcpy (payload + i, &r, 4);
  }
  g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, payload, payload_size);
  GByteArray *out = g_byte_array_sized_new (SUM_LEN + 1 + payload_size);
  g_byte_array_append (out, (const guint8 *) sum, SUM_LEN);
  g_byte_array_append (out, (const guint8 *) "\n", 1);
  g_byte_array_append (out, payload, payload_size);
  return g_byte_array_free_to_bytes (out);
}

/* The checksum the value carries, or NULL if the value is torn. */
static char *
value_sum (GBytes *value)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (value, &size);

  if (size < SUM_LEN + 1 || data[SUM_LEN] != '\n')
    return NULL;
  g_autofree char *sum =
    g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) data + SUM_LEN + 1,
                                 size - SUM_LEN - 1);
  if (memcmp (sum, data, SUM_LEN) != 0)
    return NULL;
  return g_strndup (data, SUM_LEN);
}

/* -- the writer child ------------------------------------------------------ */

typedef struct {
  TimonStore *store;
  GRand *rand;
  gint64 revs[CRASH_KEYS]; /* mod revision, 0 when absent */
  gboolean busy[CRASH_KEYS];
  char *keys[CRASH_KEYS];
  guint in_flight;
} Child;

typedef struct {
  Child *child;
  guint index;
  char op;          /* C, U, D */
  int expect_error; /* a TimonStoreError, or -1 */
  char *sum;
} ChildOp;

static void child_fill (Child *child);

static void
write_all (const char *line)
{
  gsize len = strlen (line);
  while (len > 0) {
    gssize n = write (STDOUT_FILENO, line, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      _exit (4);
    line += n;
    len -= (gsize) n;
  }
}

static void
child_write_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree ChildOp *op = user_data;
  g_autofree char *sum = op->sum;
  Child *child = op->child;
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = NULL;
  gint64 rev = 0;

  switch (op->op) {
  case 'C':
    item = timon_store_create_finish (child->store, result, &error);
    break;
  case 'U':
    item = timon_store_update_finish (child->store, result, &error);
    break;
  default:
    item = timon_store_delete_finish (child->store, result, &rev, &error);
    break;
  }

  if (op->expect_error >= 0) {
    if (!g_error_matches (error, TIMON_STORE_ERROR, op->expect_error)) {
      g_printerr ("crash child: %c on key %u: expected error %d, got %s\n", op->op, op->index,
                  op->expect_error, error ? error->message : "success");
      _exit (2);
    }
  } else if (item == NULL) {
    g_printerr ("crash child: %c on key %u failed: %s\n", op->op, op->index, error->message);
    _exit (2);
  } else {
    if (op->op != 'D')
      rev = timon_store_item_get_mod_revision (item);
    g_autofree char *line =
      g_strdup_printf ("%" G_GINT64_FORMAT " %u %c %s\n", rev, op->index, op->op, sum ? sum : "-");
    write_all (line);
    child->revs[op->index] = op->op == 'D' ? 0 : rev;
  }

  child->busy[op->index] = FALSE;
  child->in_flight--;
  child_fill (child);
}

static gsize
child_payload_size (Child *child)
{
  int dice = g_rand_int_range (child->rand, 0, 1000);
  if (dice < 3)
    return TIMON_STORE_MAX_VALUE_SIZE - SUM_LEN - 1;
  if (dice < 30)
    return (gsize) g_rand_int_range (child->rand, 16 * 1024, 256 * 1024);
  return (gsize) g_rand_int_range (child->rand, 0, 4096);
}

static void
child_start_one (Child *child, guint index)
{
  ChildOp *op = g_new0 (ChildOp, 1);
  g_autoptr (GBytes) value = NULL;
  gint64 rev = child->revs[index];
  int dice = g_rand_int_range (child->rand, 0, 100);
  const char *key = child->keys[index];

  op->child = child;
  op->index = index;
  op->expect_error = -1;
  child->busy[index] = TRUE;
  child->in_flight++;

  /* A few writes that must fail, so that batches mix failures with
   * commits. */
  if (rev == 0 && dice < 5) {
    op->op = 'U';
    op->expect_error = TIMON_STORE_ERROR_NOT_FOUND;
    value = make_value (child->rand, 8);
    timon_store_update_async (child->store, key, value, 1, NULL, child_write_done, op);
  } else if (rev == 0) {
    op->op = 'C';
    value = make_value (child->rand, child_payload_size (child));
    op->sum = value_sum (value);
    timon_store_create_async (child->store, key, value, NULL, child_write_done, op);
  } else if (dice < 4) {
    op->op = 'C';
    op->expect_error = TIMON_STORE_ERROR_EXISTS;
    value = make_value (child->rand, 8);
    timon_store_create_async (child->store, key, value, NULL, child_write_done, op);
  } else if (dice < 8) {
    op->op = 'U';
    op->expect_error = TIMON_STORE_ERROR_CONFLICT;
    value = make_value (child->rand, 8);
    timon_store_update_async (child->store, key, value, rev + 1000000, NULL, child_write_done, op);
  } else if (dice < 70) {
    op->op = 'U';
    value = make_value (child->rand, child_payload_size (child));
    op->sum = value_sum (value);
    timon_store_update_async (child->store, key, value, rev, NULL, child_write_done, op);
  } else {
    op->op = 'D';
    /* Conditional or not. */
    timon_store_delete_async (child->store, key, dice < 85 ? rev : 0, NULL, child_write_done, op);
  }
}

static void
child_fill (Child *child)
{
  while (child->in_flight < CRASH_IN_FLIGHT) {
    guint index = (guint) g_rand_int_range (child->rand, 0, CRASH_KEYS);
    for (guint tries = 0; child->busy[index] && tries < CRASH_KEYS; tries++)
      index = (index + 1) % CRASH_KEYS;
    if (child->busy[index])
      return;
    child_start_one (child, index);
  }
}

static gboolean
child_timeout (gpointer user_data)
{
  g_printerr ("crash child: nobody killed me\n");
  _exit (3);
}

static int
crash_child_main (const char *path, const char *seed)
{
  g_autoptr (GError) error = NULL;
  Child child = { NULL };

  registry = timon_registry_new ();
  timon_registry_load_default (registry, NULL);
  child.store = open_store (path, &error);
  if (child.store == NULL) {
    g_printerr ("crash child: %s\n", error->message);
    return 1;
  }
  child.rand = g_rand_new_with_seed ((guint32) g_ascii_strtoull (seed, NULL, 10));
  for (guint i = 0; i < CRASH_KEYS; i++) {
    child.keys[i] = crash_key (i);
    g_autoptr (TimonStoreItem) item = timon_store_get (child.store, child.keys[i], NULL);
    child.revs[i] = item ? timon_store_item_get_mod_revision (item) : 0;
  }

  g_autofree char *ready =
    g_strdup_printf ("ready %" G_GINT64_FORMAT "\n", timon_store_get_revision (child.store));
  write_all (ready);

  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_timeout_add_seconds (60, child_timeout, NULL);
  child_fill (&child);
  g_main_loop_run (loop);
  return 3;
}

/* -- kill -9 --------------------------------------------------------------- */

typedef struct {
  gint64 rev;
  guint index;
  char op;
  char sum[SUM_LEN + 1];
} Ack;

static int
compare_acks (gconstpointer a, gconstpointer b)
{
  gint64 ra = ((const Ack *) a)->rev, rb = ((const Ack *) b)->rev;
  return ra < rb ? -1 : ra > rb;
}

static void
parse_ack (const char *line, Ack *ack)
{
  g_auto (GStrv) parts = g_strsplit (line, " ", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);
  ack->rev = g_ascii_strtoll (parts[0], NULL, 10);
  ack->index = (guint) g_ascii_strtoull (parts[1], NULL, 10);
  ack->op = parts[2][0];
  g_assert_cmpint (ack->rev, >, 0);
  g_assert_cmpuint (ack->index, <, CRASH_KEYS);
  g_assert_true (ack->op == 'C' || ack->op == 'U' || ack->op == 'D');
  g_strlcpy (ack->sum, parts[3], sizeof ack->sum);
}

/* What a reopened store must show for the acknowledged writes. */
static void
verify_after_crash (TimonStore *store, GArray *acks, Ack *model, gint64 previous_revision)
{
  g_autoptr (GError) error = NULL;
  gint64 revision = timon_store_get_revision (store);
  gint64 compact = timon_store_get_compact_revision (store);

  g_assert_cmpint (revision, >=, previous_revision);
  g_array_sort (acks, compare_acks);
  if (acks->len > 0)
    g_assert_cmpint (revision, >=, g_array_index (acks, Ack, acks->len - 1).rev);

  /* Each acknowledged write, at its own revision. */
  for (guint i = 0; i < acks->len; i++) {
    const Ack *ack = &g_array_index (acks, Ack, i);
    g_autofree char *key = crash_key (ack->index);
    if (i > 0)
      g_assert_cmpint (ack->rev, >, g_array_index (acks, Ack, i - 1).rev);
    if (ack->rev < compact)
      continue;
    g_autoptr (GPtrArray) items =
      timon_store_list (store, key, ack->rev, 0, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    if (ack->op == 'D') {
      g_assert_cmpuint (items->len, ==, 0);
    } else {
      g_assert_cmpuint (items->len, ==, 1);
      g_assert_cmpint (timon_store_item_get_mod_revision (items->pdata[0]), ==, ack->rev);
      g_autofree char *sum = value_sum (timon_store_item_get_value (items->pdata[0]));
      g_assert_cmpstr (sum, ==, ack->sum);
    }
    model[ack->index] = *ack;
  }

  /* The last acknowledged state of each key, or a later one. */
  for (guint i = 0; i < CRASH_KEYS; i++) {
    if (model[i].rev == 0)
      continue;
    g_autofree char *key = crash_key (i);
    g_autoptr (TimonStoreItem) item = timon_store_get (store, key, &error);
    if (item == NULL) {
      g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
      g_clear_error (&error);
      continue;
    }
    gint64 mod = timon_store_item_get_mod_revision (item);
    if (model[i].op == 'D') {
      g_assert_cmpint (mod, >, model[i].rev);
    } else {
      g_assert_cmpint (mod, >=, model[i].rev);
      if (mod == model[i].rev) {
        g_autofree char *sum = value_sum (timon_store_item_get_value (item));
        g_assert_cmpstr (sum, ==, model[i].sum);
      }
    }
  }

  /* No torn value anywhere. */
  g_autoptr (GPtrArray) all = timon_store_list (store, CRASH_PREFIX, TIMON_STORE_REVISION_LATEST, 0,
                                                NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, <=, CRASH_KEYS);
  for (guint i = 0; i < all->len; i++) {
    g_autofree char *sum = value_sum (timon_store_item_get_value (all->pdata[i]));
    g_assert_nonnull (sum);
    g_assert_cmpint (timon_store_item_get_mod_revision (all->pdata[i]), <=, revision);
  }
}

/* Writing goes on where it stopped. */
static gint64
write_after_crash (TimonStore *store, guint round)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = g_strdup_printf ("check/round-%02u", round);
  g_autoptr (GBytes) value = g_bytes_new_static ("after", 5);
  gint64 before = timon_store_get_revision (store);
  gint64 rev = 0;

  g_autoptr (TimonStoreItem) created = timon_store_create (store, key, value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (created), ==, before + 1);
  g_autoptr (TimonStoreItem) updated =
    timon_store_update (store, key, value, timon_store_item_get_mod_revision (created), &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (updated), ==, before + 2);
  g_autoptr (TimonStoreItem) deleted =
    timon_store_delete (store, key, timon_store_item_get_mod_revision (updated), &rev, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rev, ==, before + 3);
  g_assert_cmpint (timon_store_get_revision (store), ==, before + 3);
  return before + 3;
}

static void
test_crash_kill9 (void)
{
  g_autofree char *dir = test_dir ();
  g_autofree char *path = g_build_filename (dir, "crash.db", NULL);
  Ack model[CRASH_KEYS] = { { 0 } };
  gint64 previous_revision = 0;
  guint total_acks = 0;

  for (guint round = 0; round < CRASH_ROUNDS; round++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *seed = g_strdup_printf ("%u", (guint) g_test_rand_int ());
    g_autoptr (GSubprocess) child =
      g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/proc/self/exe", "--crash-child",
                        path, seed, NULL);
    g_assert_no_error (error);
    g_autoptr (GDataInputStream) in =
      g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
    g_autoptr (GArray) acks = g_array_new (FALSE, FALSE, sizeof (Ack));

    /* Kill early now and then, so that crashes hit the first batches and
     * the open itself too. */
    guint target = round % 4 == 0 ? (guint) g_test_rand_int_range (0, 40)
                                  : (guint) g_test_rand_int_range (40, 3000);
    gboolean killed = FALSE;
    char *line;
    while ((line = g_data_input_stream_read_line (in, NULL, NULL, &error)) != NULL) {
      g_autofree char *owned = line;
      if (g_str_has_prefix (line, "ready ")) {
        g_assert_cmpint (g_ascii_strtoll (line + 6, NULL, 10), >=, previous_revision);
      } else {
        Ack ack;
        parse_ack (line, &ack);
        g_array_append_val (acks, ack);
      }
      if (!killed && acks->len >= target) {
        g_usleep ((gulong) g_test_rand_int_range (0, 3000));
        g_subprocess_send_signal (child, SIGKILL);
        killed = TRUE;
      }
    }
    g_assert_no_error (error);
    /* Killed before its first line: the store may not even be open. */
    if (!killed)
      g_subprocess_send_signal (child, SIGKILL);
    g_assert_true (g_subprocess_wait (child, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_if_signaled (child));
    g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);

    g_autoptr (TimonStore) store = open_store (path, &error);
    g_assert_no_error (error);
    verify_after_crash (store, acks, model, previous_revision);
    previous_revision = write_after_crash (store, round);
    total_acks += acks->len;
    g_test_message ("round %u: %u writes acknowledged, revision %" G_GINT64_FORMAT, round,
                    acks->len, previous_revision);
  }
  g_test_message ("%u writes acknowledged in %u rounds", total_acks, CRASH_ROUNDS);
}

/* -- reopen ---------------------------------------------------------------- */

static gint64
kv_count (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_reopen (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = test_dir ();
  g_autofree char *path = g_build_filename (dir, "reopen.db", NULL);
  g_autoptr (GBytes) value = g_bytes_new_static ("v", 1);
  g_autoptr (TimonStore) store = open_store (path, &error);
  gint64 rev = 0;

  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_revision (store), ==, 0);
  for (guint i = 0; i < 3; i++) {
    g_autofree char *key = g_strdup_printf ("k%u", i);
    g_autoptr (TimonStoreItem) item = timon_store_create (store, key, value, &error);
    g_assert_no_error (error);
  }
  g_clear_object (&store);

  /* Plain reopen. */
  store = open_store (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_revision (store), ==, 3);
  g_autoptr (TimonStoreItem) k0 = timon_store_get (store, "k0", &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (k0), ==, 1);
  g_autoptr (TimonStoreItem) k0b = timon_store_update (store, "k0", value, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (k0b), ==, 4);
  g_autoptr (TimonStoreItem) k1 = timon_store_delete (store, "k1", 0, &rev, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rev, ==, 5);

  /* The newest rows go: a key created and deleted, then compacted away. */
  g_autoptr (TimonStoreItem) x = timon_store_create (store, "x", value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (x), ==, 6);
  g_autoptr (TimonStoreItem) x2 = timon_store_delete (store, "x", 6, &rev, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rev, ==, 7);
  g_assert_true (timon_store_compact (store, 7, &error));
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_compact_revision (store), ==, 7);
  g_clear_object (&store);
  g_assert_cmpint (kv_count (path, "SELECT coalesce(max(rev), 0) FROM kv"), <, 7);

  store = open_store (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_revision (store), ==, 7);
  g_assert_cmpint (timon_store_get_compact_revision (store), ==, 7);
  g_autoptr (GPtrArray) old = timon_store_list (store, "", 6, 0, NULL, NULL, NULL, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED);
  g_assert_null (old);
  g_clear_error (&error);
  g_autoptr (TimonStoreWatch) watch = timon_store_watch (store, "", 6, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED);
  g_assert_null (watch);
  g_clear_error (&error);
  gint64 at = 0;
  g_autoptr (GPtrArray) now = timon_store_list (store, "", 7, 0, NULL, &at, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (at, ==, 7);
  g_assert_cmpuint (now->len, ==, 2); /* k0, k2 */

  g_autoptr (TimonStoreItem) y = timon_store_create (store, "y", value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (y), ==, 8);

  /* Deleting the newest key, without compaction. */
  g_autoptr (TimonStoreItem) y2 = timon_store_delete (store, "y", 8, &rev, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rev, ==, 9);
  g_clear_object (&store);
  store = open_store (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_revision (store), ==, 9);
  g_autoptr (TimonStoreItem) z = timon_store_create (store, "y", value, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_item_get_mod_revision (z), ==, 10);
  g_assert_cmpint (timon_store_item_get_create_revision (z), ==, 10);
}

/* -- closing --------------------------------------------------------------- */

#define CLOSE_WRITES 200

typedef struct {
  guint done;
  guint events;
  gboolean closed;
  GError *closed_error;
} CloseState;

static void
on_close_write (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CloseState *state = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item =
    timon_store_create_finish (TIMON_STORE (source), result, &error);

  g_assert_no_error (error);
  state->done++;
}

static void
on_close_events (TimonStoreWatch *watch, GPtrArray *events, gpointer user_data)
{
  CloseState *state = user_data;

  g_assert_false (state->closed);
  state->events += events->len;
}

static void
on_close_closed (TimonStoreWatch *watch, GError *error, gpointer user_data)
{
  CloseState *state = user_data;

  state->closed = TRUE;
  state->closed_error = error ? g_error_copy (error) : NULL;
}

/* Dropping the store with writes in flight: they complete (each holds a
 * reference), then the store closes its watches with
 * TIMON_STORE_ERROR_CLOSED, after their last events. */
static void
test_close (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = test_dir ();
  g_autofree char *path = g_build_filename (dir, "close.db", NULL);
  g_autoptr (GBytes) value = g_bytes_new_static ("v", 1);
  CloseState state = { 0 };
  TimonStore *store = open_store (path, &error);

  g_assert_no_error (error);
  g_autoptr (TimonStoreWatch) watch =
    timon_store_watch (store, "", TIMON_STORE_REVISION_LATEST, &error);
  g_assert_no_error (error);
  g_signal_connect (watch, "events", G_CALLBACK (on_close_events), &state);
  g_signal_connect (watch, "closed", G_CALLBACK (on_close_closed), &state);

  for (guint i = 0; i < CLOSE_WRITES; i++) {
    g_autofree char *key = g_strdup_printf ("close/%04u", i);
    timon_store_create_async (store, key, value, NULL, on_close_write, &state);
  }
  g_object_unref (store);

  while (state.done < CLOSE_WRITES || !state.closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (state.events, ==, CLOSE_WRITES);
  g_assert_error (state.closed_error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CLOSED);
  g_clear_error (&state.closed_error);

  store = open_store (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_revision (store), ==, CLOSE_WRITES);
  g_object_unref (store);
}

/* -- opening --------------------------------------------------------------- */

static void
test_open_bad_path (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = test_dir ();
  const char *missing = "/nonexistent-timon-dir/sub/store.db";

  g_autoptr (TimonStore) store = open_store (missing, &error);
  g_assert_null (store);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_autoptr (TimonStore) store2 = open_store (dir, &error);
  g_assert_null (store2);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);

  g_autofree char *junk = g_build_filename (dir, "junk.db", NULL);
  g_assert_true (g_file_set_contents (junk,
                                      "this is not a database, not at all.\n"
                                      "this is not a database, not at all.\n"
                                      "this is not a database, not at all.\n",
                                      -1, &error));
  g_autoptr (TimonStore) store3 = open_store (junk, &error);
  g_assert_null (store3);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, junk));
  g_clear_error (&error);

  g_autoptr (TimonStore) store4 = open_store (NULL, &error);
  g_assert_null (store4);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED);
}

static void
test_open_in_use (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = test_dir ();
  g_autofree char *path = g_build_filename (dir, "busy.db", NULL);

  g_autoptr (TimonStore) first = open_store (path, &error);
  g_assert_no_error (error);
  g_autoptr (TimonStore) second = open_store (path, &error);
  g_assert_null (second);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_clear_object (&first);
  second = open_store (path, &error);
  g_assert_no_error (error);
}

/* -- blocking writes from many threads --------------------------------------- */

#define THREADS 8
#define THREAD_WRITES 300

typedef struct {
  TimonStore *store;
  guint index;
} ThreadData;

/* Each blocking write runs on a private main context that is freed as
 * soon as the write returns, while the writer thread may still hold the
 * completion it attached there. */
static gpointer
blocking_writer (gpointer user_data)
{
  ThreadData *data = user_data;
  g_autoptr (GBytes) value = g_bytes_new_static ("v", 1);

  for (guint i = 0; i < THREAD_WRITES; i++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *key = g_strdup_printf ("threads/%u/%04u", data->index, i);
    g_autoptr (TimonStoreItem) created = timon_store_create (data->store, key, value, &error);
    g_assert_no_error (error);
    if (i % 2 == 0) {
      g_autoptr (TimonStoreItem) updated =
        timon_store_update (data->store, key, value, timon_store_item_get_mod_revision (created),
                            &error);
      g_assert_no_error (error);
    }
  }
  return NULL;
}

static void
on_thread_events (TimonStoreWatch *watch, GPtrArray *events, gpointer user_data)
{
  gint64 *last = user_data;

  for (guint i = 0; i < events->len; i++) {
    gint64 revision = timon_store_event_get_revision (events->pdata[i]);
    g_assert_cmpint (revision, ==, *last + 1);
    *last = revision;
  }
}

static void
test_threads_blocking_writes (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = test_dir ();
  g_autofree char *path = g_build_filename (dir, "threads.db", NULL);
  g_autoptr (TimonStore) store = open_store (path, &error);
  GThread *threads[THREADS];
  ThreadData data[THREADS];
  gint64 last = 0;

  g_assert_no_error (error);
  g_autoptr (TimonStoreWatch) watch =
    timon_store_watch (store, "threads/", TIMON_STORE_REVISION_LATEST, &error);
  g_assert_no_error (error);
  g_signal_connect (watch, "events", G_CALLBACK (on_thread_events), &last);

  for (guint i = 0; i < THREADS; i++) {
    data[i] = (ThreadData){ store, i };
    threads[i] = g_thread_new ("blocking-writer", blocking_writer, &data[i]);
  }
  for (guint i = 0; i < THREADS; i++)
    g_thread_join (threads[i]);

  gint64 expected = THREADS * (THREAD_WRITES + THREAD_WRITES / 2);
  g_assert_cmpint (timon_store_get_revision (store), ==, expected);
  while (last < expected)
    g_main_context_iteration (NULL, TRUE);
  timon_store_watch_cancel (watch);
}

/* -- bounded growth ---------------------------------------------------------- */

#define GROWTH_KEYS 20
#define GROWTH_UPDATES 200000
#define GROWTH_HISTORY 1000
#define GROWTH_VALUE_SIZE 1024
#define MAX_WAL_BYTES ((goffset) 64 * 1024 * 1024)

typedef struct {
  TimonStore *store;
  GBytes *value;
  char *keys[GROWTH_KEYS];
  guint started;
  guint done;
  char *wal_path;
  goffset max_wal;
  GError *error;
} Growth;

typedef struct {
  Growth *growth;
  guint index;
} GrowthOp;

static void growth_next (Growth *g, guint index, gint64 expected);

static void
growth_sample (Growth *g)
{
  GStatBuf st;
  if (g_stat (g->wal_path, &st) == 0)
    g->max_wal = MAX (g->max_wal, (goffset) st.st_size);
}

static void
growth_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree GrowthOp *op = user_data;
  Growth *g = op->growth;
  g_autoptr (TimonStoreItem) item = timon_store_update_finish (g->store, result, &g->error);

  g_assert_no_error (g->error);
  g->done++;
  if (g->done % 1000 == 0)
    growth_sample (g);
  growth_next (g, op->index, timon_store_item_get_mod_revision (item));
}

static void
growth_next (Growth *g, guint index, gint64 expected)
{
  if (g->started == GROWTH_UPDATES)
    return;
  g->started++;
  GrowthOp *op = g_new (GrowthOp, 1);
  op->growth = g;
  op->index = index;
  timon_store_update_async (g->store, g->keys[index], g->value, expected, NULL, growth_done, op);
}

static void
test_bounded_growth (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = test_dir ();
  g_autofree char *path = g_build_filename (dir, "growth.db", NULL);
  g_autofree char *payload = g_malloc (GROWTH_VALUE_SIZE);
  Growth g = { NULL };

  memset (payload, 'x', GROWTH_VALUE_SIZE);
  g.store = open_store (path, &error);
  g_assert_no_error (error);
  g_object_set (g.store, "history-revisions", GROWTH_HISTORY, NULL);
  g.value = g_bytes_new (payload, GROWTH_VALUE_SIZE);
  g.wal_path = g_strconcat (path, "-wal", NULL);

  gint64 start = g_get_monotonic_time ();
  for (guint i = 0; i < GROWTH_KEYS; i++) {
    g.keys[i] = g_strdup_printf ("growth/%02u", i);
    g_autoptr (TimonStoreItem) item = timon_store_create (g.store, g.keys[i], g.value, &error);
    g_assert_no_error (error);
    growth_next (&g, i, timon_store_item_get_mod_revision (item));
  }
  while (g.done < GROWTH_UPDATES)
    g_main_context_iteration (NULL, TRUE);
  gint64 elapsed = g_get_monotonic_time () - start;
  growth_sample (&g);

  gint64 head = timon_store_get_revision (g.store);
  gint64 rows = kv_count (path, "SELECT count(*) FROM kv");
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("%u updates in %.1f s (%.0f/s); %" G_GINT64_FORMAT
                  " rows; largest WAL %" G_GOFFSET_FORMAT " bytes; database %" G_GOFFSET_FORMAT
                  " bytes; compact revision %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
                  GROWTH_UPDATES, elapsed / 1e6, GROWTH_UPDATES / (elapsed / 1e6), rows, g.max_wal,
                  (goffset) st.st_size, timon_store_get_compact_revision (g.store), head);

  g_assert_cmpint (head, ==, GROWTH_KEYS + GROWTH_UPDATES);
  g_assert_cmpint (g.max_wal, <, MAX_WAL_BYTES);
  /* The window, a compaction step, and a purge chunk or two behind. */
  g_assert_cmpint (rows, <=, GROWTH_KEYS + GROWTH_HISTORY + 5000);
  g_assert_cmpint (timon_store_get_compact_revision (g.store), >=, head - GROWTH_HISTORY - 5000);
  g_assert_cmpint (st.st_size, <, (goffset) 32 * 1024 * 1024);

  /* Lists within the window still work; older ones say so. */
  g_autoptr (GPtrArray) recent =
    timon_store_list (g.store, "growth/", head - 10, 0, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recent->len, ==, GROWTH_KEYS);
  g_autoptr (GPtrArray) ancient =
    timon_store_list (g.store, "growth/", 5, 0, NULL, NULL, NULL, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED);
  g_assert_null (ancient);

  for (guint i = 0; i < GROWTH_KEYS; i++)
    g_free (g.keys[i]);
  g_free (g.wal_path);
  g_bytes_unref (g.value);
  g_object_unref (g.store);
}

int
main (int argc, char **argv)
{
  /* The writer child of the kill -9 case, before GTest sees the
   * arguments. */
  if (argc == 4 && g_str_equal (argv[1], "--crash-child"))
    return crash_child_main (argv[2], argv[3]);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  registry = timon_registry_new ();
  timon_registry_load_default (registry, NULL);

  g_test_add_func ("/store/sqlite/open/bad-path", test_open_bad_path);
  g_test_add_func ("/store/sqlite/open/in-use", test_open_in_use);
  g_test_add_func ("/store/sqlite/reopen", test_reopen);
  g_test_add_func ("/store/sqlite/close", test_close);
  g_test_add_func ("/store/sqlite/crash/kill-9", test_crash_kill9);
  g_test_add_func ("/store/sqlite/threads/blocking-writes", test_threads_blocking_writes);
  g_test_add_func ("/store/sqlite/bounded-growth", test_bounded_growth);

  int status = g_test_run ();
  g_object_unref (registry);
  return status;
}
