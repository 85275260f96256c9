/* timon-sqlite-store.c: the default store, in one SQLite database file.
 *
 * Layout (as kine's): every acknowledged write is one row of `kv`, keyed
 * by its revision, with the revision of the row it replaced (prev_rev);
 * a delete is a row too (a tombstone). `latest` maps each live key to the
 * revision of its current row, so reads at the latest revision never scan
 * history. `meta` holds the revision counter, the compact revision and
 * how far compaction has purged rows, each updated in the transaction
 * that changes it, so a revision is never handed out twice, whatever was
 * compacted or deleted before a restart.
 *
 * Writes: one writer thread owns the read-write connection. write_async()
 * queues an operation; the writer takes everything queued (up to
 * MAX_BATCH_OPS operations or MAX_BATCH_BYTES of values), applies each
 * in one transaction (an operation whose check fails fails alone), commits
 * once (WAL, synchronous=FULL: the commit is durable when it returns),
 * then publishes the new revision, pushes the events to the watches and
 * completes the tasks with one idle per main context and batch.
 *
 * Reads: get(), range() and watch catch-up use a pool of read-only
 * connections, opened on demand, each with its statements prepared once.
 * get_revision() and get_compact_revision() read atomics.
 *
 * Bounded growth: the writer compacts by itself, keeping the history of
 * the last "history-seconds" (default 900) but never more than
 * "history-revisions" (default 100,000) revisions behind the head; it
 * moves the compact revision by steps of a sixteenth of that window, and
 * purges the rows a compaction made useless in chunks of a few thousand
 * revisions, one chunk in each write transaction (or on its own when no
 * write is waiting), so no batch waits long on compaction. Purging walks
 * only the compacted revisions: a row goes when the row that replaced it,
 * or its own tombstone, is at or before the compact revision.
 *
 * The WAL: SQLite's automatic checkpoint (which runs inside a COMMIT,
 * before the write is acknowledged) is replaced by the writer's own,
 * between batches: a PASSIVE checkpoint once the WAL holds 4 MiB, a
 * TRUNCATE one once it holds 16 MiB (when readers kept the passive ones
 * from finishing), and journal_size_limit trims the file when SQLite
 * rewinds it. With batches capped at 8 MiB the WAL stays far below 64 MiB.
 *
 * One store per database file: the file is flock()ed, so that a second
 * timond cannot hand out the same revisions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-sqlite-store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Kubernetes' continue tokens live at least 15 minutes; a token names a
 * revision, which must still be there. */
#define DEFAULT_HISTORY_SECONDS 900
#define DEFAULT_HISTORY_REVISIONS 100000

#define MAX_BATCH_OPS 1024
#define MAX_BATCH_BYTES ((gsize) 8 * 1024 * 1024)

/* Revisions purged per chunk, at least; a batch of n writes purges 2n, so
 * that purging keeps up with any write rate. */
#define PURGE_CHUNK 2048

#define WAL_PASSIVE_BYTES ((gint64) 4 * 1024 * 1024)
#define WAL_TRUNCATE_BYTES ((gint64) 16 * 1024 * 1024)
#define JOURNAL_SIZE_LIMIT WAL_TRUNCATE_BYTES

/* A writer that cannot finish its own maintenance (a full disk) retries
 * after this long instead of spinning. */
#define MAINTENANCE_BACKOFF_US (G_USEC_PER_SEC)

#define SCHEMA_VERSION 1

/* SQLite's page cache of the writer connection, in KiB. */
#define WRITER_CACHE_KIB (16 * 1024)

typedef enum {
  OP_WRITE,
  OP_COMPACT,
} OpKind;

typedef struct {
  OpKind kind;

  /* OP_WRITE */
  TimonStoreWriteType type;
  char *key;
  GBytes *value;
  gint64 expected_revision;
  GTask *task;
  TimonStoreEvent *event; /* the result, once applied */

  /* OP_COMPACT: on the caller's stack; it waits for done */
  gint64 compact_revision;
  gboolean done; /* under queue_lock */

  GError *error;
} WriteOp;

typedef enum {
  READ_GET,
  READ_BEGIN,
  READ_END,
  READ_META,
  READ_RANGE_LATEST,
  READ_RANGE_LATEST_TO,
  READ_CHANGED,
  READ_CHANGED_TO,
  READ_ROW,
  READ_HISTORY,
  READ_HISTORY_TO,
  N_READ_STMTS
} ReadStmt;

/* Keys are bound as BLOBs everywhere: BLOBs compare with memcmp(), the
 * byte order of the interface, whatever bytes a key holds. */
static const char *const read_sql[N_READ_STMTS] = {
  [READ_GET] = "SELECT kv.create_rev, kv.rev, kv.value FROM latest CROSS JOIN kv"
               " ON kv.rev = latest.rev WHERE latest.key = ?1",
  [READ_BEGIN] = "BEGIN",
  [READ_END] = "ROLLBACK",
  [READ_META] = "SELECT (SELECT value FROM meta WHERE name = 'revision'),"
                " (SELECT value FROM meta WHERE name = 'compact')",
  [READ_RANGE_LATEST] =
    "SELECT latest.key, kv.create_rev, kv.rev, kv.value FROM latest CROSS JOIN kv"
    " ON kv.rev = latest.rev WHERE latest.key >= ?1"
    " ORDER BY latest.key LIMIT ?3",
  [READ_RANGE_LATEST_TO] =
    "SELECT latest.key, kv.create_rev, kv.rev, kv.value FROM latest CROSS JOIN"
    " kv ON kv.rev = latest.rev WHERE latest.key >= ?1 AND latest.key < ?2"
    " ORDER BY latest.key LIMIT ?3",
  /* The rows written after ?3 in the range, oldest first: the first row
   * of a key names, as prev_rev, the row that was current at ?3. Walks
   * revisions, not keys, so it costs what changed since ?3. */
  [READ_CHANGED] = "SELECT key, prev_rev FROM kv WHERE rev > ?3 AND key >= ?1 ORDER BY rev",
  [READ_CHANGED_TO] =
    "SELECT key, prev_rev FROM kv WHERE rev > ?3 AND key >= ?1 AND key < ?2 ORDER BY rev",
  [READ_ROW] = "SELECT create_rev, deleted, value FROM kv WHERE rev = ?1",
  [READ_HISTORY] = "SELECT c.rev, c.key, c.create_rev, c.deleted, c.value, p.rev, p.create_rev,"
                   " p.value FROM kv AS c LEFT JOIN kv AS p ON p.rev = c.prev_rev"
                   " WHERE c.rev > ?3 AND c.rev <= ?4 AND c.key >= ?1 ORDER BY c.rev",
  [READ_HISTORY_TO] = "SELECT c.rev, c.key, c.create_rev, c.deleted, c.value, p.rev, p.create_rev,"
                      " p.value FROM kv AS c LEFT JOIN kv AS p ON p.rev = c.prev_rev"
                      " WHERE c.rev > ?3 AND c.rev <= ?4 AND c.key >= ?1 AND c.key < ?2"
                      " ORDER BY c.rev",
};

typedef enum {
  WRITE_BEGIN,
  WRITE_COMMIT,
  WRITE_ROLLBACK,
  WRITE_CURRENT,
  WRITE_INSERT,
  WRITE_LATEST_SET,
  WRITE_LATEST_DELETE,
  WRITE_META_SET,
  WRITE_PURGE_REPLACED,
  WRITE_PURGE_TOMBSTONES,
  N_WRITE_STMTS
} WriteStmt;

static const char *const write_sql[N_WRITE_STMTS] = {
  [WRITE_BEGIN] = "BEGIN IMMEDIATE",
  [WRITE_COMMIT] = "COMMIT",
  [WRITE_ROLLBACK] = "ROLLBACK",
  [WRITE_CURRENT] = "SELECT latest.rev, kv.create_rev, kv.value FROM latest CROSS JOIN kv"
                    " ON kv.rev = latest.rev WHERE latest.key = ?1",
  [WRITE_INSERT] = "INSERT INTO kv (rev, key, create_rev, prev_rev, deleted, value)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [WRITE_LATEST_SET] = "INSERT INTO latest (key, rev) VALUES (?1, ?2)"
                       " ON CONFLICT (key) DO UPDATE SET rev = excluded.rev",
  [WRITE_LATEST_DELETE] = "DELETE FROM latest WHERE key = ?1",
  [WRITE_META_SET] = "UPDATE meta SET value = ?2 WHERE name = ?1",
  /* A row is useless at compact revision C once the row that replaced it
   * is at or before C: walking the rows of (?1, ?2] finds every row they
   * replaced. */
  [WRITE_PURGE_REPLACED] =
    "DELETE FROM kv WHERE rev IN"
    " (SELECT prev_rev FROM kv WHERE rev > ?1 AND rev <= ?2 AND prev_rev > 0)",
  [WRITE_PURGE_TOMBSTONES] = "DELETE FROM kv WHERE rev > ?1 AND rev <= ?2 AND deleted = 1",
};

static const char schema_sql[] =
  "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
  "INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compact', 0), ('purged', 0);"
  "CREATE TABLE IF NOT EXISTS kv (rev INTEGER PRIMARY KEY, key BLOB NOT NULL,"
  " create_rev INTEGER NOT NULL, prev_rev INTEGER NOT NULL, deleted INTEGER NOT NULL, value BLOB);"
  /* No index on (key, rev): updating it at as many places as there are
   * keys written halved the write rate; nothing needs it (see
   * range_at). */
  "DROP INDEX IF EXISTS kv_key_rev;"
  /* What a list at a past revision scans, without the values: appended
   * at its end by every write, so it costs one page a batch. */
  "CREATE INDEX IF NOT EXISTS kv_changes ON kv (rev, key, prev_rev);"
  "CREATE TABLE IF NOT EXISTS latest (key BLOB PRIMARY KEY, rev INTEGER NOT NULL) WITHOUT ROWID;";

typedef struct {
  sqlite3 *db;
  sqlite3_stmt *stmts[N_READ_STMTS];
} ReadConn;

typedef struct {
  TimonStoreWatch *watch;
  gint64 since; /* events at or before it are not pushed */
} Watcher;

typedef struct {
  gint64 time;     /* monotonic, in µs */
  gint64 revision; /* the head then */
} Sample;

struct _TimonSqliteStore {
  GObject parent_instance;

  char *location;
  int history_seconds;   /* atomic */
  int history_revisions; /* atomic */

  _Atomic gint64 revision; /* published: durable, and pushed to the watches */
  _Atomic gint64 compact_revision;

  int lock_fd;
  sqlite3 *wdb;
  sqlite3_stmt *wstmts[N_WRITE_STMTS];
  GThread *writer;

  GMutex queue_lock;
  GCond queue_cond;   /* the writer waits for work */
  GCond compact_cond; /* compact() waits for its operation */
  GQueue queue;       /* WriteOp */
  gboolean stopping;
  gboolean kick; /* the history window changed: re-plan compaction */

  /* Owned by the writer thread. */
  gint64 head;
  gint64 compact;    /* committed compact revision */
  gint64 purged;     /* rows replaced at or before this are gone */
  GQueue samples;    /* Sample, oldest first */
  gint64 time_floor; /* every revision up to it is older than history-seconds */
  gint64 backoff_until;
  int wal_frames;     /* set by the WAL hook after each commit */
  gboolean wal_grown; /* set by the WAL hook: a commit since the last checkpoint */
  int truncate_retry_frames;
  gint64 page_size;

  GAsyncQueue *readers; /* idle ReadConn */

  GMutex watch_lock;
  GPtrArray *watchers;       /* Watcher, under watch_lock */
  gint64 committed_revision; /* under watch_lock: events up to it were pushed */
  GPtrArray *scratch;        /* the writer's, under watch_lock */
  gboolean closed;           /* under watch_lock */
};

static void timon_sqlite_store_iface_init (TimonStoreInterface *iface);
static void timon_sqlite_store_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TimonSqliteStore,
                               timon_sqlite_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TIMON_TYPE_STORE,
                                                      timon_sqlite_store_iface_init)
                                 G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                        timon_sqlite_store_initable_init))

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_HISTORY_SECONDS,
  PROP_HISTORY_REVISIONS,
};

static void
write_op_free (WriteOp *op)
{
  g_free (op->key);
  g_clear_pointer (&op->value, g_bytes_unref);
  g_clear_object (&op->task);
  g_clear_pointer (&op->event, timon_store_event_unref);
  g_clear_error (&op->error);
  g_free (op);
}

static void
watcher_free (Watcher *w)
{
  g_object_unref (w->watch);
  g_free (w);
}

static void
set_sql_error (TimonSqliteStore *self, sqlite3 *db, const char *what, GError **error)
{
  g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED, "%s: %s: %s", self->location,
               what, sqlite3_errmsg (db));
}

static GBytes *
column_bytes (sqlite3_stmt *stmt, int col)
{
  /* The blob first, then its size, as SQLite asks. A zero-length blob is
   * a NULL pointer, which g_bytes_new() takes. */
  const void *data = sqlite3_column_blob (stmt, col);
  int len = sqlite3_column_bytes (stmt, col);
  return g_bytes_new (data, (gsize) len);
}

static char *
column_key (sqlite3_stmt *stmt, int col)
{
  const char *data = sqlite3_column_blob (stmt, col);
  int len = sqlite3_column_bytes (stmt, col);
  return g_strndup (data, (gsize) len);
}

static void
bind_key (sqlite3_stmt *stmt, int param, const char *key)
{
  sqlite3_bind_blob64 (stmt, param, key, strlen (key), SQLITE_STATIC);
}

/* -- read connections ---------------------------------------------------- */

static void
read_conn_free (ReadConn *conn)
{
  for (int i = 0; i < N_READ_STMTS; i++)
    sqlite3_finalize (conn->stmts[i]);
  sqlite3_close (conn->db);
  g_free (conn);
}

static ReadConn *
reader_acquire (TimonSqliteStore *self, GError **error)
{
  ReadConn *conn = g_async_queue_try_pop (self->readers);
  if (conn != NULL)
    return conn;

  conn = g_new0 (ReadConn, 1);
  int rc =
    sqlite3_open_v2 (self->location, &conn->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    set_sql_error (self, conn->db, "cannot open a read connection", error);
    read_conn_free (conn);
    return NULL;
  }
  /* Readers only wait while the writer truncates the WAL. */
  sqlite3_busy_timeout (conn->db, 5000);
  return conn;
}

static void
reader_release (TimonSqliteStore *self, ReadConn *conn)
{
  g_async_queue_push (self->readers, conn);
}

static sqlite3_stmt *
reader_stmt (TimonSqliteStore *self, ReadConn *conn, ReadStmt which, GError **error)
{
  if (conn->stmts[which] == NULL &&
      sqlite3_prepare_v3 (conn->db, read_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                          &conn->stmts[which], NULL) != SQLITE_OK) {
    set_sql_error (self, conn->db, "cannot prepare a read", error);
    return NULL;
  }
  return conn->stmts[which];
}

static void
read_end (TimonSqliteStore *self, ReadConn *conn)
{
  sqlite3_stmt *end = reader_stmt (self, conn, READ_END, NULL);
  if (end != NULL) {
    sqlite3_step (end);
    sqlite3_reset (end);
  }
}

/* Starts a read transaction: what follows sees one snapshot, whose
 * revision and compact revision it returns. */
static gboolean
read_begin (TimonSqliteStore *self,
            ReadConn *conn,
            gint64 *out_head,
            gint64 *out_compact,
            GError **error)
{
  sqlite3_stmt *begin = reader_stmt (self, conn, READ_BEGIN, error);
  sqlite3_stmt *meta = begin ? reader_stmt (self, conn, READ_META, error) : NULL;
  if (meta == NULL)
    return FALSE;

  int rc = sqlite3_step (begin);
  if (rc != SQLITE_DONE)
    set_sql_error (self, conn->db, "cannot start a read", error);
  sqlite3_reset (begin);
  if (rc != SQLITE_DONE)
    return FALSE;

  rc = sqlite3_step (meta);
  if (rc == SQLITE_ROW) {
    *out_head = sqlite3_column_int64 (meta, 0);
    *out_compact = sqlite3_column_int64 (meta, 1);
  } else {
    set_sql_error (self, conn->db, "cannot read the revision", error);
  }
  sqlite3_reset (meta);
  if (rc != SQLITE_ROW) {
    read_end (self, conn);
    return FALSE;
  }
  return TRUE;
}

/* Appends to @events the events of [@start, @end) with a revision in
 * (@after, @upto], each with the item it replaced. Fails with
 * %TIMON_STORE_ERROR_COMPACTED when compaction passed @after: the rows
 * those events replaced may be gone. */
static gboolean
read_history (TimonSqliteStore *self,
              const char *start,
              const char *end,
              gint64 after,
              gint64 upto,
              GPtrArray *events,
              GError **error)
{
  ReadConn *conn = reader_acquire (self, error);
  if (conn == NULL)
    return FALSE;

  gint64 head = 0, compact = 0;
  sqlite3_stmt *stmt = reader_stmt (self, conn, end ? READ_HISTORY_TO : READ_HISTORY, error);
  if (stmt == NULL || !read_begin (self, conn, &head, &compact, error)) {
    reader_release (self, conn);
    return FALSE;
  }
  if (after < compact) {
    read_end (self, conn);
    reader_release (self, conn);
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED,
                 "revision %" G_GINT64_FORMAT " has been compacted (oldest kept: %" G_GINT64_FORMAT
                 ")",
                 after, compact);
    return FALSE;
  }

  bind_key (stmt, 1, start);
  if (end != NULL)
    bind_key (stmt, 2, end);
  sqlite3_bind_int64 (stmt, 3, after);
  sqlite3_bind_int64 (stmt, 4, upto);

  gboolean ok = TRUE;
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    gint64 rev = sqlite3_column_int64 (stmt, 0);
    g_autofree char *key = column_key (stmt, 1);
    gint64 create_rev = sqlite3_column_int64 (stmt, 2);
    gboolean deleted = sqlite3_column_int (stmt, 3) != 0;
    gboolean has_prev = sqlite3_column_type (stmt, 5) != SQLITE_NULL;
    g_autoptr (TimonStoreItem) prev = NULL;
    g_autoptr (TimonStoreItem) item = NULL;
    TimonStoreEventType type;

    if (has_prev)
      prev =
        timon_store_item_new_take (g_strdup (key), column_bytes (stmt, 7),
                                   sqlite3_column_int64 (stmt, 6), sqlite3_column_int64 (stmt, 5));
    if (deleted) {
      type = TIMON_STORE_EVENT_DELETE;
      item = timon_store_item_new_take (g_steal_pointer (&key), NULL, create_rev, rev);
    } else {
      type = create_rev == rev ? TIMON_STORE_EVENT_CREATE : TIMON_STORE_EVENT_UPDATE;
      item =
        timon_store_item_new_take (g_steal_pointer (&key), column_bytes (stmt, 4), create_rev, rev);
    }
    if (type != TIMON_STORE_EVENT_CREATE && prev == NULL) {
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                   "%s: the row replaced at revision %" G_GINT64_FORMAT " is missing",
                   self->location, rev);
      ok = FALSE;
      break;
    }
    g_ptr_array_add (events, timon_store_event_new (type, item, prev));
  }
  if (ok && rc != SQLITE_DONE) {
    set_sql_error (self, conn->db, "cannot read the history", error);
    ok = FALSE;
  }
  sqlite3_reset (stmt);
  read_end (self, conn);
  reader_release (self, conn);
  return ok;
}

/* -- the writer ---------------------------------------------------------- */

/* Runs a statement that returns no row; the writer's statements keep
 * their bindings, which each caller sets first. */
static gboolean
wstep (TimonSqliteStore *self, WriteStmt which, const char *what, GError **error)
{
  sqlite3_stmt *stmt = self->wstmts[which];
  int rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    set_sql_error (self, self->wdb, what, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static gboolean
meta_set (TimonSqliteStore *self, const char *name, gint64 value, GError **error)
{
  sqlite3_stmt *stmt = self->wstmts[WRITE_META_SET];
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, value);
  return wstep (self, WRITE_META_SET, "cannot update the metadata", error);
}

/* Applies one write inside the batch's transaction. A failed check sets
 * op->error and returns TRUE: the batch goes on without it. FALSE means
 * SQLite failed, and the whole batch with it. */
static gboolean
apply_write (TimonSqliteStore *self, WriteOp *op, GError **error)
{
  sqlite3_stmt *current = self->wstmts[WRITE_CURRENT];
  g_autoptr (GBytes) current_value = NULL;
  gint64 current_rev = 0;
  gint64 create_rev = 0;
  gint64 rev = self->head + 1;

  bind_key (current, 1, op->key);
  int rc = sqlite3_step (current);
  if (rc == SQLITE_ROW) {
    current_rev = sqlite3_column_int64 (current, 0);
    create_rev = sqlite3_column_int64 (current, 1);
    current_value = column_bytes (current, 2);
  } else if (rc != SQLITE_DONE) {
    set_sql_error (self, self->wdb, "cannot read the current value", error);
  }
  sqlite3_reset (current);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return FALSE;

  if (op->type == TIMON_STORE_WRITE_CREATE) {
    if (current_rev != 0) {
      g_set_error (&op->error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS, "%s already exists",
                   op->key);
      return TRUE;
    }
    create_rev = rev;
  } else if (current_rev == 0) {
    g_set_error (&op->error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found",
                 op->key);
    return TRUE;
  } else if (op->expected_revision != 0 && op->expected_revision != current_rev) {
    g_set_error (&op->error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT,
                 "%s was modified at revision %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT, op->key,
                 current_rev, op->expected_revision);
    return TRUE;
  }

  gboolean is_delete = op->type == TIMON_STORE_WRITE_DELETE;
  sqlite3_stmt *insert = self->wstmts[WRITE_INSERT];
  sqlite3_bind_int64 (insert, 1, rev);
  bind_key (insert, 2, op->key);
  sqlite3_bind_int64 (insert, 3, create_rev);
  sqlite3_bind_int64 (insert, 4, current_rev);
  sqlite3_bind_int (insert, 5, is_delete);
  if (is_delete) {
    sqlite3_bind_null (insert, 6);
  } else {
    gsize size = 0;
    const void *data = g_bytes_get_data (op->value, &size);
    /* A NULL pointer would bind SQL NULL, not an empty value. */
    sqlite3_bind_blob64 (insert, 6, data ? data : "", size, SQLITE_STATIC);
  }
  if (!wstep (self, WRITE_INSERT, "cannot insert", error))
    return FALSE;

  if (is_delete) {
    bind_key (self->wstmts[WRITE_LATEST_DELETE], 1, op->key);
    if (!wstep (self, WRITE_LATEST_DELETE, "cannot update the index", error))
      return FALSE;
  } else {
    bind_key (self->wstmts[WRITE_LATEST_SET], 1, op->key);
    sqlite3_bind_int64 (self->wstmts[WRITE_LATEST_SET], 2, rev);
    if (!wstep (self, WRITE_LATEST_SET, "cannot update the index", error))
      return FALSE;
  }

  g_autoptr (TimonStoreItem) prev = NULL;
  if (current_rev != 0)
    prev = timon_store_item_new (op->key, current_value, create_rev, current_rev);
  g_autoptr (TimonStoreItem) item = timon_store_item_new (op->key, op->value, create_rev, rev);
  TimonStoreEventType type = op->type == TIMON_STORE_WRITE_CREATE   ? TIMON_STORE_EVENT_CREATE
                             : op->type == TIMON_STORE_WRITE_UPDATE ? TIMON_STORE_EVENT_UPDATE
                                                                    : TIMON_STORE_EVENT_DELETE;
  op->event = timon_store_event_new (type, item, prev);
  self->head = rev;
  return TRUE;
}

/* The revision automatic compaction may reach: history-seconds behind
 * now, but never more than history-revisions behind the head. 0 when
 * neither bound is set. */
static gint64
auto_compact_target (TimonSqliteStore *self)
{
  int revisions = g_atomic_int_get (&self->history_revisions);
  int seconds = g_atomic_int_get (&self->history_seconds);
  gint64 target = 0;

  if (revisions > 0)
    target = MAX (0, self->head - revisions);
  if (seconds > 0) {
    gint64 horizon = g_get_monotonic_time () - (gint64) seconds * G_USEC_PER_SEC;
    Sample *s;
    while ((s = g_queue_peek_head (&self->samples)) != NULL && s->time <= horizon) {
      self->time_floor = MAX (self->time_floor, s->revision);
      g_free (g_queue_pop_head (&self->samples));
    }
    target = MAX (target, self->time_floor);
  }
  return MIN (target, self->head);
}

/* Automatic compaction moves by steps, so that each purge pass has some
 * work to batch. */
static gint64
compact_step (TimonSqliteStore *self)
{
  int revisions = g_atomic_int_get (&self->history_revisions);
  return revisions > 0 ? CLAMP (revisions / 16, 1, 4096) : 1024;
}

static void
record_sample (TimonSqliteStore *self)
{
  if (g_atomic_int_get (&self->history_seconds) <= 0)
    return;
  /* One sample a second: revisions up to a sample's are at least as old
   * as the sample. */
  gint64 now = g_get_monotonic_time ();
  Sample *last = g_queue_peek_tail (&self->samples);
  if (last != NULL && now - last->time < G_USEC_PER_SEC)
    return;
  Sample *s = g_new (Sample, 1);
  s->time = now;
  s->revision = self->head;
  g_queue_push_tail (&self->samples, s);
}

/* When the writer has maintenance to do without a write: 0 for now, -1
 * for never, else a monotonic time. */
static gint64
maintenance_deadline (TimonSqliteStore *self)
{
  gint64 now = g_get_monotonic_time ();

  if (now < self->backoff_until)
    return self->backoff_until;
  if (self->purged < self->compact)
    return 0;
  gint64 target = auto_compact_target (self);
  if (target > self->compact && target - self->compact >= compact_step (self))
    return 0;
  int seconds = g_atomic_int_get (&self->history_seconds);
  Sample *s = g_queue_peek_head (&self->samples);
  if (seconds > 0 && s != NULL)
    return s->time + (gint64) seconds * G_USEC_PER_SEC;
  return -1;
}

static gboolean
purge (TimonSqliteStore *self, gint64 from, gint64 to, GError **error)
{
  for (WriteStmt which = WRITE_PURGE_REPLACED; which <= WRITE_PURGE_TOMBSTONES; which++) {
    sqlite3_bind_int64 (self->wstmts[which], 1, from);
    sqlite3_bind_int64 (self->wstmts[which], 2, to);
    if (!wstep (self, which, "cannot purge compacted rows", error))
      return FALSE;
  }
  return meta_set (self, "purged", to, error);
}

typedef struct {
  GMainContext *context; /* the writer's reference, while it groups and attaches */
  GPtrArray *ops;        /* WriteOp */
} Completion;

static void
completion_free (gpointer data)
{
  Completion *c = data;
  g_ptr_array_unref (c->ops);
  g_free (c);
}

/* Runs in the tasks' context, in an iteration after they were created:
 * g_task_return_*() then calls back at once instead of scheduling an idle
 * of its own for each task. */
static gboolean
completion_dispatch (gpointer data)
{
  Completion *c = data;

  for (guint i = 0; i < c->ops->len; i++) {
    WriteOp *op = c->ops->pdata[i];
    g_autoptr (GTask) task = g_steal_pointer (&op->task);
    if (op->event != NULL)
      g_task_return_pointer (task, g_steal_pointer (&op->event),
                             (GDestroyNotify) timon_store_event_unref);
    else
      g_task_return_error (task, g_steal_pointer (&op->error));
  }
  return G_SOURCE_REMOVE;
}

/* Hands every operation of @batch back to its caller: one idle per main
 * context for the writes, a signal for the compactions. */
static void
complete (TimonSqliteStore *self, GPtrArray *batch)
{
  g_autoptr (GPtrArray) completions = g_ptr_array_new ();
  gboolean compacted = FALSE;

  for (guint i = 0; i < batch->len; i++) {
    WriteOp *op = batch->pdata[i];
    if (op->kind == OP_COMPACT) {
      compacted = TRUE;
      continue;
    }
    GMainContext *context = g_task_get_context (op->task);
    Completion *c = NULL;
    for (guint j = 0; j < completions->len && c == NULL; j++) {
      if (((Completion *) completions->pdata[j])->context == context)
        c = completions->pdata[j];
    }
    if (c == NULL) {
      c = g_new (Completion, 1);
      c->context = g_main_context_ref (context);
      c->ops = g_ptr_array_new_with_free_func ((GDestroyNotify) write_op_free);
      g_ptr_array_add (completions, c);
    }
    g_ptr_array_add (c->ops, op);
  }

  if (compacted) {
    g_mutex_lock (&self->queue_lock);
    for (guint i = 0; i < batch->len; i++) {
      WriteOp *op = batch->pdata[i];
      if (op->kind == OP_COMPACT)
        op->done = TRUE;
    }
    g_cond_broadcast (&self->compact_cond);
    g_mutex_unlock (&self->queue_lock);
  }

  for (guint i = 0; i < completions->len; i++) {
    Completion *c = completions->pdata[i];
    GMainContext *context = g_steal_pointer (&c->context);
    GSource *source = g_idle_source_new ();
    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_static_name (source, "[timon-sqlite] write completion");
    g_source_set_callback (source, completion_dispatch, c, completion_free);
    g_source_attach (source, context);
    /* The source may have run, and its caller freed the context (a
     * private one, for a blocking write), before this thread drops its
     * reference to the source: that needs the context, so the reference
     * to the context goes last. c is not ours any more. */
    g_source_unref (source);
    g_main_context_unref (context);
  }
}

/* Called with watch_lock held. */
static void
dispatch_locked (TimonSqliteStore *self, GPtrArray *events)
{
  GPtrArray *matching = self->scratch;

  for (guint i = 0; i < self->watchers->len;) {
    Watcher *w = self->watchers->pdata[i];
    gboolean alive = !timon_store_watch_is_cancelled (w->watch);

    g_ptr_array_set_size (matching, 0);
    for (guint j = 0; alive && j < events->len; j++) {
      TimonStoreEvent *event = events->pdata[j];
      if (timon_store_event_get_revision (event) > w->since &&
          timon_store_watch_matches (w->watch, timon_store_event_get_key (event)))
        g_ptr_array_add (matching, event);
    }
    if (alive && matching->len > 0)
      alive = timon_store_watch_push_many (w->watch, matching);
    if (alive)
      i++;
    else
      g_ptr_array_remove_index_fast (self->watchers, i);
  }
  g_ptr_array_set_size (matching, 0);
}

/* After a commit: the revision becomes visible, the watches get the
 * events, and the callers their results, in that order, so a caller that
 * got revision r reads at least r everywhere. */
static void
publish (TimonSqliteStore *self, GPtrArray *batch)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new ();

  for (guint i = 0; i < batch->len; i++) {
    WriteOp *op = batch->pdata[i];
    if (op->kind == OP_WRITE && op->event != NULL)
      g_ptr_array_add (events, op->event);
  }

  g_mutex_lock (&self->watch_lock);
  atomic_store (&self->revision, self->head);
  atomic_store (&self->compact_revision, self->compact);
  self->committed_revision = self->head;
  if (events->len > 0 && self->watchers->len > 0)
    dispatch_locked (self, events);
  g_mutex_unlock (&self->watch_lock);

  complete (self, batch);
}

static void
fail_batch (TimonSqliteStore *self, GPtrArray *batch, const GError *error)
{
  for (guint i = 0; i < batch->len; i++) {
    WriteOp *op = batch->pdata[i];
    g_clear_pointer (&op->event, timon_store_event_unref);
    g_clear_error (&op->error);
    op->error = g_error_copy (error);
  }
  complete (self, batch);
}

/* One transaction: the batch's writes and compactions, then a chunk of
 * purging. */
static void
run_batch (TimonSqliteStore *self, GPtrArray *batch)
{
  g_autoptr (GError) error = NULL;
  gint64 start_head = self->head;
  gint64 compact = self->compact;
  gint64 purge_to = self->purged;

  for (guint i = 0; i < batch->len; i++) {
    WriteOp *op = batch->pdata[i];
    if (op->kind == OP_COMPACT)
      compact = MAX (compact, MIN (op->compact_revision, self->head));
  }
  gint64 target = auto_compact_target (self);
  if (target > compact && target - compact >= compact_step (self))
    compact = target;
  if (self->purged < compact)
    purge_to = MIN (compact, self->purged + MAX (PURGE_CHUNK, 2 * (gint64) batch->len));

  if (batch->len == 0 && compact == self->compact && purge_to == self->purged)
    return;

  if (!wstep (self, WRITE_BEGIN, "cannot begin a transaction", &error))
    goto failed;
  for (guint i = 0; i < batch->len; i++) {
    WriteOp *op = batch->pdata[i];
    if (op->kind == OP_WRITE && !apply_write (self, op, &error))
      goto failed;
  }
  if (self->head != start_head && !meta_set (self, "revision", self->head, &error))
    goto failed;
  if (compact != self->compact && !meta_set (self, "compact", compact, &error))
    goto failed;
  if (purge_to != self->purged && !purge (self, self->purged, purge_to, &error))
    goto failed;
  if (!wstep (self, WRITE_COMMIT, "cannot commit", &error))
    goto failed;

  self->compact = compact;
  self->purged = purge_to;
  record_sample (self);
  publish (self, batch);
  return;

failed:
  /* SQLite may have rolled back already; then this fails, harmlessly. */
  sqlite3_step (self->wstmts[WRITE_ROLLBACK]);
  sqlite3_reset (self->wstmts[WRITE_ROLLBACK]);
  self->head = start_head;
  self->backoff_until = g_get_monotonic_time () + MAINTENANCE_BACKOFF_US;
  fail_batch (self, batch, error);
}

static int
wal_hook (void *data, sqlite3 *db, const char *name, int frames)
{
  TimonSqliteStore *self = data;
  self->wal_frames = frames;
  self->wal_grown = TRUE;
  return SQLITE_OK;
}

/* Between batches, so that no acknowledgement waits for a checkpoint. */
static void
maybe_checkpoint (TimonSqliteStore *self)
{
  gint64 wal_bytes = (gint64) self->wal_frames * self->page_size;
  int log = 0, done = 0;

  if (wal_bytes >= WAL_TRUNCATE_BYTES && self->wal_frames >= self->truncate_retry_frames) {
    /* Waits (busy_timeout) for the readers still on old frames. */
    if (sqlite3_wal_checkpoint_v2 (self->wdb, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done) ==
        SQLITE_OK) {
      self->wal_frames = 0;
      self->truncate_retry_frames = 0;
    } else {
      /* A long reader: let the WAL grow a little before waiting again. */
      self->truncate_retry_frames = self->wal_frames + (int) (WAL_PASSIVE_BYTES / self->page_size);
    }
  } else if (wal_bytes >= WAL_PASSIVE_BYTES && self->wal_grown) {
    /* Copies what no reader needs; once all is copied, the next write
     * rewinds the WAL. */
    sqlite3_wal_checkpoint_v2 (self->wdb, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    self->wal_grown = FALSE;
  }
}

static gpointer
writer_thread (gpointer data)
{
  TimonSqliteStore *self = data;
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();

  for (;;) {
    gint64 deadline = maintenance_deadline (self);
    gsize bytes = 0;
    WriteOp *op;

    g_mutex_lock (&self->queue_lock);
    while (g_queue_is_empty (&self->queue) && !self->stopping && deadline != 0 && !self->kick) {
      if (deadline < 0)
        g_cond_wait (&self->queue_cond, &self->queue_lock);
      else if (!g_cond_wait_until (&self->queue_cond, &self->queue_lock, deadline))
        break;
    }
    self->kick = FALSE;
    if (g_queue_is_empty (&self->queue) && self->stopping) {
      g_mutex_unlock (&self->queue_lock);
      break;
    }
    while (batch->len < MAX_BATCH_OPS && (op = g_queue_peek_head (&self->queue)) != NULL) {
      gsize size = op->value != NULL ? g_bytes_get_size (op->value) : 0;
      if (batch->len > 0 && bytes + size > MAX_BATCH_BYTES)
        break;
      g_ptr_array_add (batch, g_queue_pop_head (&self->queue));
      bytes += size;
    }
    g_mutex_unlock (&self->queue_lock);

    run_batch (self, batch);
    g_ptr_array_set_size (batch, 0);
    maybe_checkpoint (self);
  }
  return NULL;
}

/* Queues @op for the writer; FALSE once the store is closing. */
static gboolean
enqueue (TimonSqliteStore *self, WriteOp *op)
{
  g_mutex_lock (&self->queue_lock);
  if (self->stopping) {
    g_mutex_unlock (&self->queue_lock);
    return FALSE;
  }
  /* The writer waits only on an empty queue. */
  if (g_queue_is_empty (&self->queue))
    g_cond_signal (&self->queue_cond);
  g_queue_push_tail (&self->queue, op);
  g_mutex_unlock (&self->queue_lock);
  return TRUE;
}

static void
set_closed_error (GError **error)
{
  g_set_error_literal (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CLOSED, "the store is closed");
}

/* -- the store interface -------------------------------------------------- */

static gint64
sqlite_get_revision (TimonStore *store)
{
  return atomic_load (&TIMON_SQLITE_STORE (store)->revision);
}

static gint64
sqlite_get_compact_revision (TimonStore *store)
{
  return atomic_load (&TIMON_SQLITE_STORE (store)->compact_revision);
}

static TimonStoreItem *
sqlite_get (TimonStore *store, const char *key, GError **error)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (store);
  TimonStoreItem *item = NULL;

  ReadConn *conn = reader_acquire (self, error);
  if (conn == NULL)
    return NULL;
  sqlite3_stmt *stmt = reader_stmt (self, conn, READ_GET, error);
  if (stmt == NULL) {
    reader_release (self, conn);
    return NULL;
  }

  bind_key (stmt, 1, key);
  int rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    item =
      timon_store_item_new_take (g_strdup (key), column_bytes (stmt, 2),
                                 sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));
  else if (rc == SQLITE_DONE)
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found", key);
  else
    set_sql_error (self, conn->db, "cannot read", error);
  sqlite3_reset (stmt);
  reader_release (self, conn);
  return item;
}

/* The live items of [start, end) at the latest revision, in key order;
 * at most @limit (0: all). */
static GPtrArray *
range_latest (TimonSqliteStore *self,
              ReadConn *conn,
              const char *start,
              const char *end,
              guint limit,
              gboolean *out_more,
              GError **error)
{
  sqlite3_stmt *stmt =
    reader_stmt (self, conn, end ? READ_RANGE_LATEST_TO : READ_RANGE_LATEST, error);
  if (stmt == NULL)
    return NULL;

  bind_key (stmt, 1, start);
  if (end != NULL)
    bind_key (stmt, 2, end);
  /* One more than asked, to learn whether more follow. */
  sqlite3_bind_int64 (stmt, 3, limit > 0 ? (gint64) limit + 1 : -1);

  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    if (limit > 0 && items->len == limit) {
      *out_more = TRUE;
      rc = SQLITE_DONE;
      break;
    }
    g_ptr_array_add (items, timon_store_item_new_take (column_key (stmt, 0), column_bytes (stmt, 3),
                                                       sqlite3_column_int64 (stmt, 1),
                                                       sqlite3_column_int64 (stmt, 2)));
  }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE) {
    set_sql_error (self, conn->db, "cannot list", error);
    return NULL;
  }
  return g_steal_pointer (&items);
}

static int
compare_items (gconstpointer a, gconstpointer b)
{
  return strcmp (timon_store_item_get_key (*(TimonStoreItem *const *) a),
                 timon_store_item_get_key (*(TimonStoreItem *const *) b));
}

/* The items of the keys in [start, end) that changed after @revision, as
 * they were at @revision (those live then), in key order; @changed gets
 * every key that changed, so the caller can tell the rest from the
 * latest state. */
static GPtrArray *
changed_since (TimonSqliteStore *self,
               ReadConn *conn,
               const char *start,
               const char *end,
               gint64 revision,
               GHashTable *changed,
               GError **error)
{
  sqlite3_stmt *stmt = reader_stmt (self, conn, end ? READ_CHANGED_TO : READ_CHANGED, error);
  sqlite3_stmt *row = reader_stmt (self, conn, READ_ROW, error);
  if (stmt == NULL || row == NULL)
    return NULL;

  g_autoptr (GArray) prevs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();
  bind_key (stmt, 1, start);
  if (end != NULL)
    bind_key (stmt, 2, end);
  sqlite3_bind_int64 (stmt, 3, revision);
  int rc;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
    char *key = column_key (stmt, 0);
    if (g_hash_table_contains (changed, key)) {
      g_free (key);
      continue;
    }
    g_hash_table_add (changed, key);
    g_ptr_array_add (keys, key);
    gint64 prev = sqlite3_column_int64 (stmt, 1);
    g_array_append_val (prevs, prev);
  }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE) {
    set_sql_error (self, conn->db, "cannot list", error);
    return NULL;
  }

  /* The row each key replaced after @revision was its row at @revision:
   * compaction keeps it, since what replaced it is newer than the compact
   * revision. A tombstone, or no row (0: created later), means the key
   * did not exist then. */
  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  for (guint i = 0; i < keys->len; i++) {
    gint64 prev = g_array_index (prevs, gint64, i);
    if (prev == 0)
      continue;
    sqlite3_bind_int64 (row, 1, prev);
    rc = sqlite3_step (row);
    if (rc == SQLITE_ROW && sqlite3_column_int (row, 1) == 0)
      g_ptr_array_add (items,
                       timon_store_item_new_take (g_strdup (keys->pdata[i]), column_bytes (row, 2),
                                                  sqlite3_column_int64 (row, 0), prev));
    sqlite3_reset (row);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      set_sql_error (self, conn->db, "cannot list", error);
      return NULL;
    }
  }
  g_ptr_array_sort (items, compare_items);
  return g_steal_pointer (&items);
}

/* The live items of [start, end) as they were at @revision, in key
 * order: the keys that did not change since are as they are now, the
 * others as the rows they replaced. What it reads grows with the keys
 * listed and the writes since @revision, never with the length of the
 * keys' histories. */
static GPtrArray *
range_at (TimonSqliteStore *self,
          ReadConn *conn,
          const char *start,
          const char *end,
          gint64 revision,
          guint limit,
          gboolean *out_more,
          GError **error)
{
  g_autoptr (GHashTable) changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) then = changed_since (self, conn, start, end, revision, changed, error);
  if (then == NULL)
    return NULL;

  sqlite3_stmt *stmt =
    reader_stmt (self, conn, end ? READ_RANGE_LATEST_TO : READ_RANGE_LATEST, error);
  if (stmt == NULL)
    return NULL;
  bind_key (stmt, 1, start);
  if (end != NULL)
    bind_key (stmt, 2, end);
  sqlite3_bind_int64 (stmt, 3, -1);

  /* Merges the unchanged keys, from the latest state, with @then. */
  g_autoptr (GPtrArray) items =
    g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  g_autoptr (TimonStoreItem) current = NULL;
  guint next_then = 0;
  int rc = SQLITE_ROW;
  for (;;) {
    while (current == NULL && rc == SQLITE_ROW) {
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        break;
      g_autofree char *key = column_key (stmt, 0);
      if (!g_hash_table_contains (changed, key))
        current = timon_store_item_new_take (g_steal_pointer (&key), column_bytes (stmt, 3),
                                             sqlite3_column_int64 (stmt, 1),
                                             sqlite3_column_int64 (stmt, 2));
    }
    TimonStoreItem *from_then = next_then < then->len ? then->pdata[next_then] : NULL;
    TimonStoreItem *next = NULL;
    if (current != NULL && (from_then == NULL || compare_items (&current, &from_then) < 0)) {
      next = g_steal_pointer (&current);
    } else if (from_then != NULL) {
      next = timon_store_item_ref (from_then);
      next_then++;
    } else {
      break;
    }
    if (limit > 0 && items->len == limit) {
      timon_store_item_unref (next);
      *out_more = TRUE;
      break;
    }
    g_ptr_array_add (items, next);
  }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    set_sql_error (self, conn->db, "cannot list", error);
    return NULL;
  }
  return g_steal_pointer (&items);
}

static GPtrArray *
sqlite_range (TimonStore *store,
              const char *start,
              const char *end,
              gint64 revision,
              guint limit,
              gint64 *out_revision,
              gboolean *out_more,
              GError **error)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (store);
  g_autoptr (GPtrArray) items = NULL;
  gint64 head = 0, compact = 0;
  gboolean more = FALSE;

  ReadConn *conn = reader_acquire (self, error);
  if (conn == NULL)
    return NULL;
  if (!read_begin (self, conn, &head, &compact, error)) {
    reader_release (self, conn);
    return NULL;
  }

  /* Checked in the snapshot that is read: a compaction that purged rows
   * this list would need has moved the compact revision there too. */
  if (revision != TIMON_STORE_REVISION_LATEST && revision < compact) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED,
                 "revision %" G_GINT64_FORMAT " has been compacted (oldest kept: %" G_GINT64_FORMAT
                 ")",
                 revision, compact);
    goto out;
  }
  if (revision > head) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION,
                 "revision %" G_GINT64_FORMAT
                 " is newer than the current revision %" G_GINT64_FORMAT,
                 revision, head);
    goto out;
  }

  gboolean latest = revision == TIMON_STORE_REVISION_LATEST || revision == head;
  if (latest)
    revision = head;
  items = latest ? range_latest (self, conn, start, end, limit, &more, error)
                 : range_at (self, conn, start, end, revision, limit, &more, error);

out:
  read_end (self, conn);
  reader_release (self, conn);
  if (items != NULL) {
    *out_revision = revision;
    *out_more = more;
  }
  return g_steal_pointer (&items);
}

static void
sqlite_write_async (TimonStore *store,
                    TimonStoreWriteType type,
                    const char *key,
                    GBytes *value,
                    gint64 expected_revision,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (store);
  GTask *task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, sqlite_write_async);

  WriteOp *op = g_new0 (WriteOp, 1);
  op->kind = OP_WRITE;
  op->type = type;
  op->key = g_strdup (key);
  op->value = type != TIMON_STORE_WRITE_DELETE && value != NULL ? g_bytes_ref (value) : NULL;
  op->expected_revision = expected_revision;
  op->task = task;

  if (!enqueue (self, op)) {
    g_autoptr (GError) error = NULL;
    set_closed_error (&error);
    op->task = NULL;
    write_op_free (op);
    g_task_return_error (task, g_steal_pointer (&error));
    g_object_unref (task);
  }
}

static TimonStoreWatch *
sqlite_watch (TimonStore *store,
              const char *start,
              const char *end,
              gint64 since_revision,
              GError **error)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (store);
  g_autoptr (GPtrArray) backlog =
    g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_event_unref);
  gint64 published = atomic_load (&self->revision);
  gint64 compact = atomic_load (&self->compact_revision);

  if (since_revision == TIMON_STORE_REVISION_LATEST)
    since_revision = published;
  if (since_revision < compact) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED,
                 "revision %" G_GINT64_FORMAT " has been compacted (oldest kept: %" G_GINT64_FORMAT
                 ")",
                 since_revision, compact);
    return NULL;
  }

  /* Most of the backlog is read without holding up the writer; only
   * what it publishes meanwhile is read under the lock. */
  gint64 read_to = since_revision;
  if (since_revision < published) {
    if (!read_history (self, start, end, since_revision, published, backlog, error))
      return NULL;
    read_to = published;
  }

  g_mutex_lock (&self->watch_lock);
  if (self->closed) {
    g_mutex_unlock (&self->watch_lock);
    set_closed_error (error);
    return NULL;
  }
  if (since_revision > self->committed_revision) {
    /* A read may have seen a commit the writer has not published yet:
     * that revision is no future one. */
    gint64 head = 0;
    ReadConn *conn = reader_acquire (self, error);
    gboolean ok = conn != NULL && read_begin (self, conn, &head, &compact, error);
    if (ok)
      read_end (self, conn);
    if (conn != NULL)
      reader_release (self, conn);
    if (ok && since_revision > head) {
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION,
                   "revision %" G_GINT64_FORMAT
                   " is newer than the current revision %" G_GINT64_FORMAT,
                   since_revision, head);
      ok = FALSE;
    }
    if (!ok) {
      g_mutex_unlock (&self->watch_lock);
      return NULL;
    }
  } else if (read_to < self->committed_revision &&
             !read_history (self, start, end, read_to, self->committed_revision, backlog, error)) {
    g_mutex_unlock (&self->watch_lock);
    return NULL;
  }

  TimonStoreWatch *watch = timon_store_watch_new (start, end);
  if (backlog->len > 0)
    timon_store_watch_push_many (watch, backlog);
  Watcher *w = g_new (Watcher, 1);
  w->watch = g_object_ref (watch);
  w->since = MAX (since_revision, self->committed_revision);
  g_ptr_array_add (self->watchers, w);
  g_mutex_unlock (&self->watch_lock);
  return watch;
}

static gboolean
sqlite_compact (TimonStore *store, gint64 revision, GError **error)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (store);
  WriteOp op = { .kind = OP_COMPACT, .compact_revision = revision };

  if (!enqueue (self, &op)) {
    set_closed_error (error);
    return FALSE;
  }
  g_mutex_lock (&self->queue_lock);
  while (!op.done)
    g_cond_wait (&self->compact_cond, &self->queue_lock);
  g_mutex_unlock (&self->queue_lock);

  if (op.error != NULL) {
    g_propagate_error (error, op.error);
    return FALSE;
  }
  return TRUE;
}

static void
timon_sqlite_store_iface_init (TimonStoreInterface *iface)
{
  iface->get_revision = sqlite_get_revision;
  iface->get_compact_revision = sqlite_get_compact_revision;
  iface->get = sqlite_get;
  iface->range = sqlite_range;
  iface->write_async = sqlite_write_async;
  iface->watch = sqlite_watch;
  iface->compact = sqlite_compact;
}

/* -- opening and closing -------------------------------------------------- */

static gboolean
exec (TimonSqliteStore *self, const char *sql, const char *what, GError **error)
{
  if (sqlite3_exec (self->wdb, sql, NULL, NULL, NULL) != SQLITE_OK) {
    set_sql_error (self, self->wdb, what, error);
    return FALSE;
  }
  return TRUE;
}

/* Runs a one-row, one-column query on the write connection. */
static gboolean
query_int64 (TimonSqliteStore *self, const char *sql, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->wdb, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_ROW)
    set_sql_error (self, self->wdb, "cannot read the database", error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW;
}

static gboolean
check_journal_mode (TimonSqliteStore *self, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;
  int rc = sqlite3_prepare_v2 (self->wdb, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
  if (rc != SQLITE_ROW)
    set_sql_error (self, self->wdb, "cannot open", error);
  else if (!wal)
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "%s: cannot switch the database to WAL mode", self->location);
  sqlite3_finalize (stmt);
  return rc == SQLITE_ROW && wal;
}

static gboolean
open_schema (TimonSqliteStore *self, GError **error)
{
  gint64 version = 0;

  if (!query_int64 (self, "PRAGMA user_version", &version, error))
    return FALSE;
  if (version > SCHEMA_VERSION) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "%s: schema version %" G_GINT64_FORMAT " is newer than this Timon's (%d)",
                 self->location, version, SCHEMA_VERSION);
    return FALSE;
  }
  if (!exec (self, "BEGIN IMMEDIATE", "cannot create the schema", error))
    return FALSE;
  if (!exec (self, schema_sql, "cannot create the schema", error) ||
      !exec (self, "PRAGMA user_version = 1", "cannot create the schema", error) ||
      !exec (self, "COMMIT", "cannot create the schema", error)) {
    sqlite3_exec (self->wdb, "ROLLBACK", NULL, NULL, NULL);
    return FALSE;
  }

  gint64 max_rev = 0;
  if (!query_int64 (self, "SELECT value FROM meta WHERE name = 'revision'", &self->head, error) ||
      !query_int64 (self, "SELECT coalesce(max(rev), 0) FROM kv", &max_rev, error) ||
      !query_int64 (self, "SELECT value FROM meta WHERE name = 'compact'", &self->compact, error) ||
      !query_int64 (self, "SELECT value FROM meta WHERE name = 'purged'", &self->purged, error) ||
      !query_int64 (self, "PRAGMA page_size", &self->page_size, error))
    return FALSE;
  self->head = MAX (self->head, max_rev);
  self->compact = MIN (self->compact, self->head);
  self->purged = MIN (self->purged, self->compact);
  return TRUE;
}

static gboolean
timon_sqlite_store_initable_init_impl (GInitable *initable,
                                       GCancellable *cancellable,
                                       GError **error)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (initable);

  if (self->location == NULL || self->location[0] == '\0') {
    g_set_error_literal (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                         "the sqlite store needs the path of its database file as its location");
    return FALSE;
  }
  /* Every connection must reach the same file: no in-memory or URI
   * databases. */
  if (g_str_equal (self->location, ":memory:") || g_str_has_prefix (self->location, "file:")) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "%s: the sqlite store's location must be a file path", self->location);
    return FALSE;
  }
  if (!sqlite3_threadsafe ()) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "%s: this SQLite library is built without thread support", self->location);
    return FALSE;
  }

  int rc = sqlite3_open_v2 (self->location, &self->wdb,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED, "cannot open %s: %s",
                 self->location, self->wdb ? sqlite3_errmsg (self->wdb) : sqlite3_errstr (rc));
    return FALSE;
  }

  /* flock() and SQLite's POSIX locks do not interact; the descriptor stays
   * open until every connection is closed, since closing any descriptor
   * of the file would drop SQLite's locks. */
  self->lock_fd = open (self->location, O_RDWR | O_CLOEXEC);
  if (self->lock_fd < 0) {
    int saved = errno;
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED, "cannot open %s: %s",
                 self->location, g_strerror (saved));
    return FALSE;
  }
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    if (saved == EWOULDBLOCK)
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                   "%s is in use by another store", self->location);
    else
      g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED, "cannot lock %s: %s",
                   self->location, g_strerror (saved));
    return FALSE;
  }

  sqlite3_busy_timeout (self->wdb, 100);
  /* The writer's cache holds the hot part of the tables and indexes, so
   * that a batch's inserts, index updates and purges rarely read pages
   * back from the file. */
  g_autofree char *pragmas = g_strdup_printf ("PRAGMA synchronous = FULL;"
                                              "PRAGMA cache_size = -%d;"
                                              "PRAGMA journal_size_limit = %" G_GINT64_FORMAT ";",
                                              WRITER_CACHE_KIB, JOURNAL_SIZE_LIMIT);
  if (!check_journal_mode (self, error) || !exec (self, pragmas, "cannot open", error) ||
      !open_schema (self, error))
    return FALSE;

  for (int i = 0; i < N_WRITE_STMTS; i++) {
    if (sqlite3_prepare_v3 (self->wdb, write_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                            &self->wstmts[i], NULL) != SQLITE_OK) {
      set_sql_error (self, self->wdb, "cannot prepare a write", error);
      return FALSE;
    }
  }

  /* Our hook replaces SQLite's automatic checkpoint, which would run
   * inside COMMIT: the writer checkpoints between batches instead. */
  sqlite3_wal_hook (self->wdb, wal_hook, self);

  atomic_store (&self->revision, self->head);
  atomic_store (&self->compact_revision, self->compact);
  self->committed_revision = self->head;
  record_sample (self);

  self->writer = g_thread_try_new ("timon-sqlite", writer_thread, self, error);
  return self->writer != NULL;
}

static void
timon_sqlite_store_initable_init (GInitableIface *iface)
{
  iface->init = timon_sqlite_store_initable_init_impl;
}

static void
timon_sqlite_store_dispose (GObject *object)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (object);
  g_autoptr (GError) error = NULL;

  /* Pending writes hold a reference: the queue is empty unless someone
   * ran dispose by hand, and then the writer drains it first. */
  if (self->writer != NULL) {
    g_mutex_lock (&self->queue_lock);
    self->stopping = TRUE;
    g_cond_signal (&self->queue_cond);
    g_mutex_unlock (&self->queue_lock);
    g_thread_join (g_steal_pointer (&self->writer));
  } else {
    g_mutex_lock (&self->queue_lock);
    self->stopping = TRUE;
    g_mutex_unlock (&self->queue_lock);
  }

  set_closed_error (&error);
  g_mutex_lock (&self->watch_lock);
  self->closed = TRUE;
  for (guint i = 0; i < self->watchers->len; i++)
    timon_store_watch_close (((Watcher *) self->watchers->pdata[i])->watch, error);
  g_ptr_array_set_size (self->watchers, 0);
  g_mutex_unlock (&self->watch_lock);

  /* The write connection closes last: the last connection to close
   * checkpoints and removes the WAL. */
  ReadConn *conn;
  while ((conn = g_async_queue_try_pop (self->readers)) != NULL)
    read_conn_free (conn);
  for (int i = 0; i < N_WRITE_STMTS; i++)
    g_clear_pointer (&self->wstmts[i], sqlite3_finalize);
  g_clear_pointer (&self->wdb, sqlite3_close);
  if (self->lock_fd >= 0) {
    close (self->lock_fd);
    self->lock_fd = -1;
  }

  G_OBJECT_CLASS (timon_sqlite_store_parent_class)->dispose (object);
}

static void
timon_sqlite_store_finalize (GObject *object)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (object);

  g_queue_clear_full (&self->samples, g_free);
  g_async_queue_unref (self->readers);
  g_ptr_array_unref (self->watchers);
  g_ptr_array_unref (self->scratch);
  g_mutex_clear (&self->queue_lock);
  g_cond_clear (&self->queue_cond);
  g_cond_clear (&self->compact_cond);
  g_mutex_clear (&self->watch_lock);
  g_free (self->location);

  G_OBJECT_CLASS (timon_sqlite_store_parent_class)->finalize (object);
}

static void
timon_sqlite_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    g_value_set_string (value, self->location);
    break;
  case PROP_HISTORY_SECONDS:
    g_value_set_uint (value, (guint) g_atomic_int_get (&self->history_seconds));
    break;
  case PROP_HISTORY_REVISIONS:
    g_value_set_uint (value, (guint) g_atomic_int_get (&self->history_revisions));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
set_history (TimonSqliteStore *self, int *field, guint value)
{
  if ((guint) g_atomic_int_get (field) == value)
    return;
  g_atomic_int_set (field, (int) value);
  /* The writer re-plans compaction now rather than at the next write. */
  g_mutex_lock (&self->queue_lock);
  self->kick = TRUE;
  g_cond_signal (&self->queue_cond);
  g_mutex_unlock (&self->queue_lock);
}

static void
timon_sqlite_store_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  TimonSqliteStore *self = TIMON_SQLITE_STORE (object);

  switch (prop_id) {
  case PROP_LOCATION:
    self->location = g_value_dup_string (value);
    break;
  case PROP_HISTORY_SECONDS:
    set_history (self, &self->history_seconds, g_value_get_uint (value));
    break;
  case PROP_HISTORY_REVISIONS:
    set_history (self, &self->history_revisions, g_value_get_uint (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
timon_sqlite_store_class_init (TimonSqliteStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = timon_sqlite_store_get_property;
  object_class->set_property = timon_sqlite_store_set_property;
  object_class->dispose = timon_sqlite_store_dispose;
  object_class->finalize = timon_sqlite_store_finalize;

  g_object_class_override_property (object_class, PROP_LOCATION, "location");

  /**
   * TimonSqliteStore:history-seconds:
   *
   * How long the store keeps the history of its keys, in seconds, for
   * lists at past revisions and watches that resume; 0 sets no limit by
   * time. The writer compacts older revisions by itself.
   */
  g_object_class_install_property (object_class, PROP_HISTORY_SECONDS,
                                   g_param_spec_uint ("history-seconds", NULL, NULL, 0, G_MAXINT,
                                                      DEFAULT_HISTORY_SECONDS,
                                                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                                                        G_PARAM_STATIC_STRINGS));

  /**
   * TimonSqliteStore:history-revisions:
   *
   * The most revisions of history the store keeps behind its head,
   * whatever "history-seconds" says; 0 sets no limit by count.
   */
  g_object_class_install_property (object_class, PROP_HISTORY_REVISIONS,
                                   g_param_spec_uint ("history-revisions", NULL, NULL, 0, G_MAXINT,
                                                      DEFAULT_HISTORY_REVISIONS,
                                                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                                                        G_PARAM_STATIC_STRINGS));
}

static void
timon_sqlite_store_init (TimonSqliteStore *self)
{
  self->lock_fd = -1;
  g_mutex_init (&self->queue_lock);
  g_cond_init (&self->queue_cond);
  g_cond_init (&self->compact_cond);
  g_queue_init (&self->queue);
  g_queue_init (&self->samples);
  g_mutex_init (&self->watch_lock);
  self->readers = g_async_queue_new ();
  self->watchers = g_ptr_array_new_with_free_func ((GDestroyNotify) watcher_free);
  self->scratch = g_ptr_array_new ();
}
