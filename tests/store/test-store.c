/* test-store.c: the store conformance suite. One set of cases, registered
 * once per backend: /store/<backend>/<area>/<case>.
 *
 * Every case works under the fixture's key prefix (empty for a fresh
 * memory or sqlite store, unique per test for the one etcd the binary
 * shares) and counts revisions from the fixture's base revision. The
 * writes a case makes through the fx_create/fx_update/fx_delete helpers
 * are kept in a journal; lists and watches are checked against the state
 * and the events the journal says they must give.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "store-test-utils.h"

/* The fixture */

typedef struct {
  TimonStoreEventType type;
  char *key;
  GBytes *value; /* NULL for a delete */
  gint64 create_revision;
  gint64 revision;
  TimonStoreItem *prev; /* NULL for a create */
} Change;

typedef struct {
  const StoreTestBackend *backend;
  GMainContext *context;
  TimonStore *store;
  char *dir;
  char *prefix;
  gint64 base;

  GMutex lock;
  GPtrArray *changes;    /* Change, in revision order, under lock */
  GHashTable *live;      /* key -> Change: the last write of each existing key, under lock */
  GStringChunk *strings; /* under lock */
} Fixture;

static void
change_free (Change *change)
{
  g_free (change->key);
  g_clear_pointer (&change->value, g_bytes_unref);
  g_clear_pointer (&change->prev, timon_store_item_unref);
  g_free (change);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  static guint counter;
  g_autoptr (GError) error = NULL;
  g_autofree char *location = NULL;

  fx->backend = data;
  fx->context = g_main_context_new ();
  g_main_context_push_thread_default (fx->context);
  g_mutex_init (&fx->lock);
  fx->changes = g_ptr_array_new_with_free_func ((GDestroyNotify) change_free);
  fx->live = g_hash_table_new (g_str_hash, g_str_equal);
  fx->strings = g_string_chunk_new (4096);

  if (fx->backend->shared) {
    location = g_strdup (store_test_etcd_url ());
    fx->prefix = g_strdup_printf ("t%04u/", ++counter);
  } else if (g_str_equal (fx->backend->name, "memory")) {
    fx->prefix = g_strdup ("");
  } else {
    fx->dir = g_dir_make_tmp ("timon-store-test-XXXXXX", &error);
    g_assert_no_error (error);
    location = g_build_filename (fx->dir, "store.db", NULL);
    fx->prefix = g_strdup ("");
  }

  fx->store = timon_store_new (fx->backend->type, location, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->store);
  fx->base = timon_store_get_revision (fx->store);
  g_assert_cmpint (fx->base, >=, 0);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->store);
  while (g_main_context_iteration (fx->context, FALSE))
    ;
  g_main_context_pop_thread_default (fx->context);
  g_main_context_unref (fx->context);
  if (fx->dir != NULL)
    store_test_rm_rf (fx->dir);
  g_free (fx->dir);
  g_free (fx->prefix);
  g_hash_table_unref (fx->live);
  g_ptr_array_unref (fx->changes);
  g_string_chunk_free (fx->strings);
  g_mutex_clear (&fx->lock);
}

/* A key under the fixture's prefix, valid until teardown. */
G_GNUC_PRINTF (2, 3)
static const char *
fx_key (Fixture *fx, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_autofree char *name = g_strdup_vprintf (format, args);
  va_end (args);
  g_autofree char *key = g_strconcat (fx->prefix, name, NULL);
  g_mutex_lock (&fx->lock);
  const char *interned = g_string_chunk_insert_const (fx->strings, key);
  g_mutex_unlock (&fx->lock);
  return interned;
}

static gint64
fx_revision (Fixture *fx)
{
  return timon_store_get_revision (fx->store);
}

/* The journal */

static void
record (Fixture *fx,
        TimonStoreEventType type,
        const char *key,
        GBytes *value,
        gint64 create_revision,
        gint64 revision)
{
  Change *change = g_new0 (Change, 1);

  change->type = type;
  change->key = g_strdup (key);
  change->value = value != NULL ? g_bytes_ref (value) : NULL;
  change->create_revision = create_revision;
  change->revision = revision;

  g_mutex_lock (&fx->lock);
  Change *prev = g_hash_table_lookup (fx->live, key);
  if (type == TIMON_STORE_EVENT_CREATE) {
    g_assert_null (prev);
  } else {
    g_assert_nonnull (prev);
    change->prev =
      timon_store_item_new (prev->key, prev->value, prev->create_revision, prev->revision);
  }
  if (type == TIMON_STORE_EVENT_DELETE)
    g_hash_table_remove (fx->live, key);
  else
    g_hash_table_insert (fx->live, change->key, change);
  /* In revision order, whichever thread wrote first. */
  guint at = fx->changes->len;
  while (at > 0 && ((Change *) fx->changes->pdata[at - 1])->revision > revision)
    at--;
  if (at > 0)
    g_assert_cmpint (((Change *) fx->changes->pdata[at - 1])->revision, <, revision);
  g_ptr_array_insert (fx->changes, (int) at, change);
  g_mutex_unlock (&fx->lock);
}

static TimonStoreItem *
fx_create (Fixture *fx, const char *key, GBytes *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = timon_store_create (fx->store, key, value, &error);

  g_assert_no_error (error);
  g_assert_nonnull (item);
  gint64 revision = timon_store_item_get_mod_revision (item);
  g_assert_cmpint (revision, >, fx->base);
  store_test_assert_item (item, key, value, revision, revision);
  record (fx, TIMON_STORE_EVENT_CREATE, key, value, revision, revision);
  return g_steal_pointer (&item);
}

static gint64
fx_create_s (Fixture *fx, const char *key, const char *value)
{
  g_autoptr (GBytes) bytes = store_test_bytes (value);
  g_autoptr (TimonStoreItem) item = fx_create (fx, key, bytes);
  return timon_store_item_get_mod_revision (item);
}

static TimonStoreItem *
fx_update (Fixture *fx, const char *key, GBytes *value, gint64 expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = timon_store_update (fx->store, key, value, expected, &error);

  g_assert_no_error (error);
  g_assert_nonnull (item);
  gint64 revision = timon_store_item_get_mod_revision (item);
  g_assert_cmpint (revision, >, expected);
  store_test_assert_item (item, key, value, -1, revision);
  record (fx, TIMON_STORE_EVENT_UPDATE, key, value, timon_store_item_get_create_revision (item),
          revision);
  return g_steal_pointer (&item);
}

static gint64
fx_update_s (Fixture *fx, const char *key, const char *value, gint64 expected)
{
  g_autoptr (GBytes) bytes = store_test_bytes (value);
  g_autoptr (TimonStoreItem) item = fx_update (fx, key, bytes, expected);
  return timon_store_item_get_mod_revision (item);
}

/* Deletes @key and checks that the item returned is the one deleted.
 * Returns the revision of the delete. */
static gint64
fx_delete (Fixture *fx, const char *key, gint64 expected)
{
  g_autoptr (GError) error = NULL;
  gint64 revision = -1;
  g_autoptr (TimonStoreItem) item =
    timon_store_delete (fx->store, key, expected, &revision, &error);

  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_cmpint (revision, >, fx->base);

  g_mutex_lock (&fx->lock);
  Change *prev = g_hash_table_lookup (fx->live, key);
  g_assert_nonnull (prev);
  store_test_assert_item (item, key, prev->value, prev->create_revision, prev->revision);
  gint64 create_revision = prev->create_revision;
  g_mutex_unlock (&fx->lock);

  record (fx, TIMON_STORE_EVENT_DELETE, key, NULL, create_revision, revision);
  return revision;
}

static void
assert_get (Fixture *fx, const char *key, const char *value, gint64 create, gint64 mod)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = timon_store_get (fx->store, key, &error);
  g_autoptr (GBytes) bytes = store_test_bytes (value);

  g_assert_no_error (error);
  store_test_assert_item (item, key, bytes, create, mod);
}

static void
assert_get_missing (Fixture *fx, const char *key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = timon_store_get (fx->store, key, &error);

  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
  g_assert_null (item);
}

static int
compare_changes_by_key (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(Change *const *) a)->key, (*(Change *const *) b)->key);
}

/* The journal's state at @revision: the live changes under @prefix, in
 * key order. */
static GPtrArray *
model_at (Fixture *fx, const char *prefix, gint64 revision)
{
  g_autoptr (GHashTable) state = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *out = g_ptr_array_new ();

  g_mutex_lock (&fx->lock);
  for (guint i = 0; i < fx->changes->len; i++) {
    Change *change = fx->changes->pdata[i];
    if (change->revision > revision)
      break;
    if (change->type == TIMON_STORE_EVENT_DELETE)
      g_hash_table_remove (state, change->key);
    else
      g_hash_table_insert (state, change->key, change);
  }
  g_mutex_unlock (&fx->lock);

  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, state);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Change *change = value;
    if (g_str_has_prefix (change->key, prefix))
      g_ptr_array_add (out, change);
  }
  g_ptr_array_sort (out, compare_changes_by_key);
  return out;
}

/* The keys of @items, escaped, one a line: a failed comparison shows the
 * two lists whole. */
static char *
describe_items (GPtrArray *items)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < items->len; i++) {
    g_autofree char *escaped = g_strescape (timon_store_item_get_key (items->pdata[i]), NULL);
    g_string_append_printf (s, "%s@%" G_GINT64_FORMAT "\n", escaped,
                            timon_store_item_get_mod_revision (items->pdata[i]));
  }
  return g_string_free (s, FALSE);
}

static char *
describe_changes (GPtrArray *changes)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < changes->len; i++) {
    Change *change = changes->pdata[i];
    g_autofree char *escaped = g_strescape (change->key, NULL);
    g_string_append_printf (s, "%s@%" G_GINT64_FORMAT "\n", escaped, change->revision);
  }
  return g_string_free (s, FALSE);
}

/* Asserts that @items are exactly the journal's state under @prefix at
 * @revision, in key order, with their values and revisions. */
static void
assert_items_match_model (Fixture *fx, GPtrArray *items, const char *prefix, gint64 revision)
{
  g_autoptr (GPtrArray) expected = model_at (fx, prefix, revision);
  g_autofree char *got_keys = describe_items (items);
  g_autofree char *expected_keys = describe_changes (expected);

  g_assert_cmpstr (got_keys, ==, expected_keys);
  g_assert_cmpuint (items->len, ==, expected->len);
  for (guint i = 0; i < items->len; i++) {
    Change *change = expected->pdata[i];
    store_test_assert_item (items->pdata[i], change->key, change->value, change->create_revision,
                            change->revision);
  }
}

static const char *
event_type_name (TimonStoreEventType type)
{
  switch (type) {
  case TIMON_STORE_EVENT_CREATE:
    return "CREATE";
  case TIMON_STORE_EVENT_UPDATE:
    return "UPDATE";
  case TIMON_STORE_EVENT_DELETE:
    return "DELETE";
  default:
    return "?";
  }
}

static char *
describe_events (GPtrArray *events, guint from)
{
  GString *s = g_string_new (NULL);

  for (guint i = from; i < events->len; i++) {
    TimonStoreEvent *event = events->pdata[i];
    g_autofree char *escaped = g_strescape (timon_store_event_get_key (event), NULL);
    g_string_append_printf (s, "%s %s@%" G_GINT64_FORMAT "\n",
                            event_type_name (timon_store_event_get_event_type (event)), escaped,
                            timon_store_event_get_revision (event));
  }
  return g_string_free (s, FALSE);
}

/* Asserts that @events, from index @from on, are exactly the journal's
 * changes under @prefix with a revision in (@since, @until]: each once, in
 * order, with its type, item and previous item. */
static void
assert_events_match_journal (Fixture *fx,
                             GPtrArray *events,
                             guint from,
                             const char *prefix,
                             gint64 since,
                             gint64 until)
{
  g_autoptr (GPtrArray) expected = g_ptr_array_new ();
  GString *s = g_string_new (NULL);

  g_mutex_lock (&fx->lock);
  for (guint i = 0; i < fx->changes->len; i++) {
    Change *change = fx->changes->pdata[i];
    if (change->revision > since && change->revision <= until &&
        g_str_has_prefix (change->key, prefix)) {
      g_autofree char *escaped = g_strescape (change->key, NULL);
      g_ptr_array_add (expected, change);
      g_string_append_printf (s, "%s %s@%" G_GINT64_FORMAT "\n", event_type_name (change->type),
                              escaped, change->revision);
    }
  }
  g_mutex_unlock (&fx->lock);

  g_autofree char *expected_text = g_string_free (s, FALSE);
  g_autofree char *got_text = describe_events (events, from);
  g_assert_cmpstr (got_text, ==, expected_text);
  g_assert_cmpuint (events->len - from, ==, expected->len);

  for (guint i = 0; i < expected->len; i++) {
    Change *change = expected->pdata[i];
    TimonStoreEvent *event = events->pdata[from + i];
    g_assert_cmpint (timon_store_event_get_event_type (event), ==, change->type);
    g_assert_cmpstr (timon_store_event_get_key (event), ==, change->key);
    g_assert_cmpint (timon_store_event_get_revision (event), ==, change->revision);

    TimonStoreItem *item = timon_store_event_get_item (event);
    TimonStoreItem *prev = timon_store_event_get_prev_item (event);
    if (change->type == TIMON_STORE_EVENT_DELETE) {
      /* A tombstone: the key, no value, the delete's revision. */
      store_test_assert_item (item, change->key, NULL, -1, change->revision);
    } else {
      store_test_assert_item (item, change->key, change->value, change->create_revision,
                              change->revision);
    }
    if (change->type == TIMON_STORE_EVENT_CREATE) {
      g_assert_null (prev);
    } else {
      store_test_assert_item (prev, change->key, timon_store_item_get_value (change->prev),
                              timon_store_item_get_create_revision (change->prev),
                              timon_store_item_get_mod_revision (change->prev));
    }
  }
}

/* A revision to watch from: the current one. */
static gint64
fx_mark (Fixture *fx)
{
  return fx_revision (fx);
}

/* Lists and pages */

static GPtrArray *
fx_list (Fixture *fx,
         const char *prefix,
         gint64 revision,
         guint limit,
         const char *token,
         gint64 *out_revision,
         char **out_continue)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *items = timon_store_list (fx->store, prefix, revision, limit, token, out_revision,
                                       out_continue, &error);

  g_assert_no_error (error);
  g_assert_nonnull (items);
  if (limit > 0)
    g_assert_cmpuint (items->len, <=, limit);
  return items;
}

static void
assert_list_fails (Fixture *fx,
                   const char *prefix,
                   gint64 revision,
                   guint limit,
                   const char *token,
                   TimonStoreError code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *next = NULL;
  g_autoptr (GPtrArray) items =
    timon_store_list (fx->store, prefix, revision, limit, token, NULL, &next, &error);

  g_assert_error (error, TIMON_STORE_ERROR, (int) code);
  g_assert_null (items);
}

/* Walks every page of a list, asserting that every page reads the first
 * one's revision and that only the last has no continue token. */
static GPtrArray *
fx_list_pages (Fixture *fx,
               const char *prefix,
               gint64 revision,
               guint limit,
               gint64 *out_revision,
               guint *out_pages)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  g_autofree char *token = NULL;
  gint64 first_revision = 0;
  guint pages = 0;

  do {
    gint64 page_revision = 0;
    g_autofree char *next = NULL;
    g_autoptr (GPtrArray) page =
      fx_list (fx, prefix, revision, limit, token, &page_revision, &next);
    if (pages == 0)
      first_revision = page_revision;
    else
      g_assert_cmpint (page_revision, ==, first_revision);
    if (next != NULL)
      g_assert_cmpuint (page->len, >, 0);
    for (guint i = 0; i < page->len; i++)
      g_ptr_array_add (all, timon_store_item_ref (page->pdata[i]));
    g_free (token);
    token = g_steal_pointer (&next);
    pages++;
    g_assert_cmpuint (pages, <=, 100000);
  } while (token != NULL);

  if (out_revision != NULL)
    *out_revision = first_revision;
  if (out_pages != NULL)
    *out_pages = pages;
  return all;
}

/* create */

static void
test_create_basic (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *key = fx_key (fx, "pods/default/web");
  g_autoptr (GBytes) value = store_test_bytes ("{\"kind\":\"Pod\"}");

  g_autoptr (TimonStoreItem) item = timon_store_create (fx->store, key, value, &error);
  g_assert_no_error (error);
  store_test_assert_item (item, key, value, fx->base + 1, fx->base + 1);
  g_assert_cmpint (fx_revision (fx), ==, fx->base + 1);

  g_autoptr (TimonStoreItem) got = timon_store_get (fx->store, key, &error);
  g_assert_no_error (error);
  store_test_assert_item (got, key, value, fx->base + 1, fx->base + 1);

  gint64 revision = 0;
  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, &revision, NULL);
  g_assert_cmpint (revision, ==, fx->base + 1);
  g_assert_cmpuint (items->len, ==, 1);
  store_test_assert_item (items->pdata[0], key, value, fx->base + 1, fx->base + 1);
}

static void
test_create_exists (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *key = fx_key (fx, "a");
  gint64 r1 = fx_create_s (fx, key, "first");
  g_autoptr (GBytes) other = store_test_bytes ("second");

  g_autoptr (TimonStoreItem) item = timon_store_create (fx->store, key, other, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_EXISTS);
  g_assert_null (item);

  assert_get (fx, key, "first", r1, r1);
  g_assert_cmpint (fx_revision (fx), ==, r1);
}

static void
test_create_after_delete (Fixture *fx, gconstpointer data)
{
  const char *key = fx_key (fx, "again");
  gint64 r1 = fx_create_s (fx, key, "one");
  gint64 r2 = fx_delete (fx, key, r1);
  g_assert_cmpint (r2, ==, r1 + 1);
  assert_get_missing (fx, key);

  gint64 r3 = fx_create_s (fx, key, "two");
  g_assert_cmpint (r3, ==, r2 + 1);
  assert_get (fx, key, "two", r3, r3);

  /* The key's earlier life is still in the history. */
  for (gint64 r = r1; r <= r3; r++) {
    g_autoptr (GPtrArray) items = fx_list (fx, fx->prefix, r, 0, NULL, NULL, NULL);
    assert_items_match_model (fx, items, fx->prefix, r);
  }
}

/* get */

static void
test_get_not_found (Fixture *fx, gconstpointer data)
{
  assert_get_missing (fx, fx_key (fx, "missing"));

  /* Neither a prefix of an existing key nor a key it is a prefix of. */
  gint64 r1 = fx_create_s (fx, fx_key (fx, "ab"), "x");
  assert_get_missing (fx, fx_key (fx, "a"));
  assert_get_missing (fx, fx_key (fx, "abc"));
  assert_get_missing (fx, fx_key (fx, "ab/"));
  assert_get (fx, fx_key (fx, "ab"), "x", r1, r1);
}

/* update */

static void
test_update_basic (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a");
  gint64 r1 = fx_create_s (fx, a, "v1");
  gint64 r2 = fx_create_s (fx, fx_key (fx, "b"), "other");
  g_assert_cmpint (r2, ==, r1 + 1);

  g_autoptr (GBytes) v2 = store_test_bytes ("v2");
  g_autoptr (TimonStoreItem) item = fx_update (fx, a, v2, r1);
  store_test_assert_item (item, a, v2, r1, r2 + 1);
  g_assert_cmpint (fx_revision (fx), ==, r2 + 1);
  assert_get (fx, a, "v2", r1, r2 + 1);

  g_autoptr (GBytes) v3 = store_test_bytes ("v3");
  g_autoptr (TimonStoreItem) item3 = fx_update (fx, a, v3, r2 + 1);
  store_test_assert_item (item3, a, v3, r1, r2 + 2);
  assert_get (fx, a, "v3", r1, r2 + 2);
  g_assert_cmpint (fx_revision (fx), ==, r2 + 2);
}

static void
test_update_conflict (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a");
  gint64 r1 = fx_create_s (fx, a, "v1");
  gint64 r2 = fx_update_s (fx, a, "v2", r1);
  g_autoptr (GBytes) v3 = store_test_bytes ("v3");
  gint64 stale[] = { r1, r2 + 1, r2 + 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (stale); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonStoreItem) item = timon_store_update (fx->store, a, v3, stale[i], &error);
    g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT);
    g_assert_null (item);
    assert_get (fx, a, "v2", r1, r2);
    g_assert_cmpint (fx_revision (fx), ==, r2);
  }
}

static void
test_update_not_found (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;
  g_autoptr (GBytes) value = store_test_bytes ("v");
  const char *missing = fx_key (fx, "missing");

  g_autoptr (TimonStoreItem) item = timon_store_update (fx->store, missing, value, 1, &error);
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
  g_assert_null (item);
  assert_get_missing (fx, missing);
  g_assert_cmpint (fx_revision (fx), ==, fx->base);

  /* A deleted key, with the revision it had. */
  const char *gone = fx_key (fx, "gone");
  gint64 r1 = fx_create_s (fx, gone, "v");
  gint64 r2 = fx_delete (fx, gone, r1);
  g_autoptr (TimonStoreItem) item2 = timon_store_update (fx->store, gone, value, r1, &error2);
  g_assert_error (error2, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
  g_assert_null (item2);
  assert_get_missing (fx, gone);
  g_assert_cmpint (fx_revision (fx), ==, r2);
}

/* delete */

static void
test_delete_basic (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a");
  gint64 r1 = fx_create_s (fx, a, "v1");
  gint64 r2 = fx_update_s (fx, a, "v2", r1);

  /* fx_delete checks the item returned is the one deleted: v2, r1, r2. */
  gint64 r3 = fx_delete (fx, a, r2);
  g_assert_cmpint (r3, ==, r2 + 1);
  g_assert_cmpint (fx_revision (fx), ==, r3);
  assert_get_missing (fx, a);

  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (items->len, ==, 0);

  /* Deleting again finds nothing, conditionally or not. */
  gint64 expected[] = { 0, r2, r3 };
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++) {
    g_autoptr (GError) error = NULL;
    gint64 revision = -1;
    g_autoptr (TimonStoreItem) item =
      timon_store_delete (fx->store, a, expected[i], &revision, &error);
    g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
    g_assert_null (item);
    g_assert_cmpint (fx_revision (fx), ==, r3);
  }
}

static void
test_delete_conflict (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a");
  gint64 r1 = fx_create_s (fx, a, "v1");
  gint64 r2 = fx_update_s (fx, a, "v2", r1);
  gint64 stale[] = { r1, r2 + 1 };

  for (guint i = 0; i < G_N_ELEMENTS (stale); i++) {
    g_autoptr (GError) error = NULL;
    gint64 revision = -1;
    g_autoptr (TimonStoreItem) item =
      timon_store_delete (fx->store, a, stale[i], &revision, &error);
    g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT);
    g_assert_null (item);
    assert_get (fx, a, "v2", r1, r2);
    g_assert_cmpint (fx_revision (fx), ==, r2);
  }
}

static void
test_delete_unconditional (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a");
  gint64 r1 = fx_create_s (fx, a, "v1");
  gint64 r2 = fx_update_s (fx, a, "v2", r1);

  gint64 r3 = fx_delete (fx, a, 0);
  g_assert_cmpint (r3, ==, r2 + 1);
  assert_get_missing (fx, a);
  g_assert_cmpint (fx_revision (fx), ==, r3);
}

static void
test_delete_not_found (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 revision = -1;
  g_autoptr (TimonStoreItem) item =
    timon_store_delete (fx->store, fx_key (fx, "never"), 0, &revision, &error);

  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND);
  g_assert_null (item);
  g_assert_cmpint (fx_revision (fx), ==, fx->base);
}

/* revision */

static void
test_revision_initial (Fixture *fx, gconstpointer data)
{
  g_autofree char *next = NULL;
  gint64 revision = -1;
  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 10, NULL, &revision, &next);

  g_assert_cmpuint (items->len, ==, 0);
  g_assert_null (next);
  g_assert_cmpint (revision, ==, fx->base);
  g_assert_cmpint (fx_revision (fx), ==, fx->base);
  g_assert_cmpint (timon_store_get_compact_revision (fx->store), <=, fx->base);

  if (fx->backend->shared) {
    g_test_message ("the etcd server is shared by all tests: not checking for a fresh store");
    return;
  }
  g_assert_cmpint (fx->base, ==, 0);
  g_assert_cmpint (timon_store_get_compact_revision (fx->store), ==, 0);
  g_autoptr (GPtrArray) all =
    fx_list (fx, "", TIMON_STORE_REVISION_LATEST, 0, NULL, &revision, NULL);
  g_assert_cmpuint (all->len, ==, 0);
  g_assert_cmpint (revision, ==, 0);
}

static void
assert_write_fails (Fixture *fx,
                    TimonStoreWriteType type,
                    const char *key,
                    GBytes *value,
                    gint64 expected,
                    TimonStoreError code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = NULL;
  gint64 before = fx_revision (fx);
  gint64 revision = -1;

  switch (type) {
  case TIMON_STORE_WRITE_CREATE:
    item = timon_store_create (fx->store, key, value, &error);
    break;
  case TIMON_STORE_WRITE_UPDATE:
    item = timon_store_update (fx->store, key, value, expected, &error);
    break;
  case TIMON_STORE_WRITE_DELETE:
    item = timon_store_delete (fx->store, key, expected, &revision, &error);
    break;
  default:
    g_assert_not_reached ();
  }
  g_assert_error (error, TIMON_STORE_ERROR, (int) code);
  g_assert_null (item);
  g_assert_cmpint (fx_revision (fx), ==, before);
}

static void
test_revision_sequence (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a");
  const char *b = fx_key (fx, "b");
  g_autoptr (GBytes) v = store_test_bytes ("v");
  g_autoptr (GBytes) huge = store_test_pattern_bytes (TIMON_STORE_MAX_VALUE_SIZE + 1, 0);
  gint64 r = fx->base;

  g_assert_cmpint (fx_create_s (fx, a, "1"), ==, ++r);
  g_assert_cmpint (fx_revision (fx), ==, r);
  assert_write_fails (fx, TIMON_STORE_WRITE_CREATE, a, v, 0, TIMON_STORE_ERROR_EXISTS);
  assert_write_fails (fx, TIMON_STORE_WRITE_UPDATE, a, v, r + 5, TIMON_STORE_ERROR_CONFLICT);
  assert_write_fails (fx, TIMON_STORE_WRITE_UPDATE, b, v, r, TIMON_STORE_ERROR_NOT_FOUND);
  assert_write_fails (fx, TIMON_STORE_WRITE_DELETE, b, NULL, 0, TIMON_STORE_ERROR_NOT_FOUND);
  assert_write_fails (fx, TIMON_STORE_WRITE_DELETE, a, NULL, r + 5, TIMON_STORE_ERROR_CONFLICT);
  assert_write_fails (fx, TIMON_STORE_WRITE_CREATE, b, huge, 0, TIMON_STORE_ERROR_VALUE_TOO_LARGE);
  assert_write_fails (fx, TIMON_STORE_WRITE_CREATE, "", v, 0, TIMON_STORE_ERROR_INVALID_KEY);

  g_assert_cmpint (fx_create_s (fx, b, "1"), ==, ++r);
  g_assert_cmpint (fx_update_s (fx, a, "2", r - 1), ==, ++r);
  g_assert_cmpint (fx_revision (fx), ==, r);
  g_assert_cmpint (fx_update_s (fx, b, "2", r - 1), ==, ++r);
  g_assert_cmpint (fx_delete (fx, a, r - 1), ==, ++r);
  g_assert_cmpint (fx_revision (fx), ==, r);
  assert_write_fails (fx, TIMON_STORE_WRITE_DELETE, a, NULL, 0, TIMON_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (fx_create_s (fx, a, "3"), ==, ++r);
  g_assert_cmpint (fx_delete (fx, b, 0), ==, ++r);
  g_assert_cmpint (fx_revision (fx), ==, r);
  g_assert_cmpint (r, ==, fx->base + 7);
}

/* list */

static void
test_list_pagination (Fixture *fx, gconstpointer data)
{
  const guint n = 23;
  const char *prefix = fx_key (fx, "items/");

  /* Written out of key order. */
  for (guint i = 0; i < n; i++) {
    guint j = (i * 7) % n;
    g_autofree char *value = g_strdup_printf ("value %u", j);
    fx_create_s (fx, fx_key (fx, "items/%02u", j), value);
  }
  fx_create_s (fx, fx_key (fx, "itemz"), "not in the prefix");
  gint64 now = fx_revision (fx);

  struct {
    guint limit;
    guint pages;
  } cases[] = { { 5, 5 }, { 1, 23 }, { 22, 2 }, { 23, 1 }, { 24, 1 }, { 0, 1 }, { 1000, 1 } };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    gint64 revision = 0;
    guint pages = 0;
    g_test_message ("limit %u", cases[c].limit);
    g_autoptr (GPtrArray) all =
      fx_list_pages (fx, prefix, TIMON_STORE_REVISION_LATEST, cases[c].limit, &revision, &pages);
    g_assert_cmpint (revision, ==, now);
    assert_items_match_model (fx, all, prefix, now);
    g_assert_cmpuint (all->len, ==, n);
    g_assert_cmpuint (pages, ==, cases[c].pages);
  }
}

static void
test_list_pagination_snapshot (Fixture *fx, gconstpointer data)
{
  const char *prefix = fx->prefix;
  g_autofree char *token = NULL;
  gint64 revision = 0;
  gint64 mods[20];

  for (guint i = 0; i < G_N_ELEMENTS (mods); i++) {
    g_autofree char *value = g_strdup_printf ("v%02u", i);
    mods[i] = fx_create_s (fx, fx_key (fx, "k%02u", i), value);
  }

  g_autoptr (GPtrArray) all =
    g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
  g_autoptr (GPtrArray) first =
    fx_list (fx, prefix, TIMON_STORE_REVISION_LATEST, 8, NULL, &revision, &token);
  gint64 snapshot = revision;
  g_assert_cmpint (snapshot, ==, fx_revision (fx));
  g_assert_cmpuint (first->len, ==, 8);
  g_assert_nonnull (token);
  g_assert_cmpstr (timon_store_item_get_key (first->pdata[7]), ==, fx_key (fx, "k07"));
  for (guint i = 0; i < first->len; i++)
    g_ptr_array_add (all, timon_store_item_ref (first->pdata[i]));

  /* Writes before the cursor (k07), on it, just after it and past it. */
  fx_create_s (fx, fx_key (fx, "k03a"), "new before");
  fx_create_s (fx, fx_key (fx, "k15a"), "new after");
  fx_create_s (fx, fx_key (fx, "k07a"), "new just after");
  fx_create_s (fx, fx_key (fx, "k99"), "new at the end");
  fx_update_s (fx, fx_key (fx, "k02"), "updated before", mods[2]);
  fx_update_s (fx, fx_key (fx, "k12"), "updated after", mods[12]);
  fx_update_s (fx, fx_key (fx, "k08"), "updated just after", mods[8]);
  fx_delete (fx, fx_key (fx, "k05"), mods[5]);
  fx_delete (fx, fx_key (fx, "k07"), mods[7]);
  fx_delete (fx, fx_key (fx, "k17"), 0);
  fx_delete (fx, fx_key (fx, "k19"), 0);
  g_assert_cmpint (fx_revision (fx), ==, snapshot + 11);

  guint pages = 1;
  while (token != NULL) {
    g_autofree char *next = NULL;
    g_autoptr (GPtrArray) page =
      fx_list (fx, prefix, TIMON_STORE_REVISION_LATEST, 8, token, &revision, &next);
    g_assert_cmpint (revision, ==, snapshot);
    for (guint i = 0; i < page->len; i++)
      g_ptr_array_add (all, timon_store_item_ref (page->pdata[i]));
    g_free (token);
    token = g_steal_pointer (&next);
    pages++;
    g_assert_cmpuint (pages, <=, 20);
  }
  g_assert_cmpuint (all->len, ==, 20);
  assert_items_match_model (fx, all, prefix, snapshot);

  /* A new list sees the writes. */
  gint64 now = 0;
  g_autoptr (GPtrArray) latest =
    fx_list_pages (fx, prefix, TIMON_STORE_REVISION_LATEST, 8, &now, NULL);
  g_assert_cmpint (now, ==, snapshot + 11);
  g_assert_cmpuint (latest->len, ==, 20);
  assert_items_match_model (fx, latest, prefix, now);
}

static char *
make_token (const char *raw)
{
  return g_base64_encode ((const guchar *) raw, strlen (raw));
}

static void
test_list_invalid_continue (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a/");
  const char *b = fx_key (fx, "b/");
  g_autofree char *token = NULL;
  g_autofree char *b_token = NULL;

  for (guint i = 0; i < 5; i++) {
    fx_create_s (fx, fx_key (fx, "a/%u", i), "a");
    fx_create_s (fx, fx_key (fx, "b/%u", i), "b");
  }
  gint64 now = fx_revision (fx);
  g_autoptr (GPtrArray) page = fx_list (fx, a, TIMON_STORE_REVISION_LATEST, 2, NULL, NULL, &token);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_nonnull (token);
  g_autoptr (GPtrArray) b_page =
    fx_list (fx, b, TIMON_STORE_REVISION_LATEST, 2, NULL, NULL, &b_token);
  g_assert_nonnull (b_token);

  g_autofree char *truncated = g_strndup (token, strlen (token) / 2);
  g_autofree char *raw_no_key = g_strdup_printf ("1\n%" G_GINT64_FORMAT "\n", now);
  g_autofree char *no_key = make_token (raw_no_key);
  g_autofree char *raw_version = g_strdup_printf ("2\n%" G_GINT64_FORMAT "\n%s1", now, a);
  g_autofree char *version = make_token (raw_version);
  g_autofree char *raw_negative = g_strdup_printf ("1\n-4\n%s1", a);
  g_autofree char *negative = make_token (raw_negative);
  g_autofree char *raw_word = g_strdup_printf ("1\nten\n%s1", a);
  g_autofree char *word = make_token (raw_word);
  g_autofree char *raw_zero = g_strdup_printf ("1\n0\n%s1", a);
  g_autofree char *zero = make_token (raw_zero);
  const char *garbage[] = {
    "",        "garbage", "!!!!",  "AAAA",   "====", "not a token at all",
    truncated, no_key,    version, negative, word,   zero,
  };
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++) {
    g_test_message ("token \"%s\"", garbage[i]);
    assert_list_fails (fx, a, 0, 2, garbage[i], TIMON_STORE_ERROR_INVALID_CONTINUE);
  }

  /* Another prefix's token. */
  assert_list_fails (fx, a, 0, 2, b_token, TIMON_STORE_ERROR_INVALID_CONTINUE);
  assert_list_fails (fx, b, 0, 2, token, TIMON_STORE_ERROR_INVALID_CONTINUE);
  assert_list_fails (fx, fx_key (fx, "c/"), 0, 2, token, TIMON_STORE_ERROR_INVALID_CONTINUE);

  /* The good token still works after all that. */
  g_autoptr (GPtrArray) rest = fx_list (fx, a, TIMON_STORE_REVISION_LATEST, 10, token, NULL, NULL);
  g_assert_cmpuint (rest->len, ==, 3);
  g_assert_cmpstr (timon_store_item_get_key (rest->pdata[0]), ==, fx_key (fx, "a/2"));
}

/* A scripted history over a few keys, for reads at past revisions. */
static void
write_history (Fixture *fx)
{
  const char *a = fx_key (fx, "a");
  const char *b = fx_key (fx, "b");
  const char *c = fx_key (fx, "c");
  const char *d = fx_key (fx, "d");

  gint64 ra = fx_create_s (fx, a, "a1");
  gint64 rb = fx_create_s (fx, b, "b1");
  ra = fx_update_s (fx, a, "a2", ra);
  gint64 rc = fx_create_s (fx, c, "c1");
  fx_delete (fx, b, rb);
  rc = fx_update_s (fx, c, "c2", rc);
  gint64 rd = fx_create_s (fx, d, "d1");
  rb = fx_create_s (fx, b, "b2");
  fx_delete (fx, a, ra);
  rc = fx_update_s (fx, c, "c3", rc);
  rd = fx_update_s (fx, d, "d2", rd);
  fx_delete (fx, c, 0);
  ra = fx_create_s (fx, a, "a3");
  fx_update_s (fx, b, "b3", rb);
}

static void
test_list_past_revision (Fixture *fx, gconstpointer data)
{
  write_history (fx);
  gint64 now = fx_revision (fx);
  g_assert_cmpint (now, ==, fx->base + 14);

  for (gint64 r = MAX (fx->base, 1); r <= now; r++) {
    gint64 revision = 0;
    g_autofree char *next = NULL;
    g_autoptr (GPtrArray) items = fx_list (fx, fx->prefix, r, 0, NULL, &revision, &next);
    g_assert_cmpint (revision, ==, r);
    g_assert_null (next);
    assert_items_match_model (fx, items, fx->prefix, r);

    /* Pages of a past revision stay at it. */
    gint64 paged_revision = 0;
    g_autoptr (GPtrArray) paged = fx_list_pages (fx, fx->prefix, r, 1, &paged_revision, NULL);
    g_assert_cmpint (paged_revision, ==, r);
    assert_items_match_model (fx, paged, fx->prefix, r);
  }

  /* Latest is now. */
  gint64 revision = 0;
  g_autoptr (GPtrArray) latest =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, &revision, NULL);
  g_assert_cmpint (revision, ==, now);
  assert_items_match_model (fx, latest, fx->prefix, now);
}

static void
test_list_future_revision (Fixture *fx, gconstpointer data)
{
  assert_list_fails (fx, fx->prefix, fx_revision (fx) + 1, 0, NULL,
                     TIMON_STORE_ERROR_FUTURE_REVISION);

  fx_create_s (fx, fx_key (fx, "a"), "v");
  gint64 now = fx_revision (fx);
  assert_list_fails (fx, fx->prefix, now + 1, 0, NULL, TIMON_STORE_ERROR_FUTURE_REVISION);
  assert_list_fails (fx, fx->prefix, now + 1000, 5, NULL, TIMON_STORE_ERROR_FUTURE_REVISION);

  gint64 revision = 0;
  g_autoptr (GPtrArray) items = fx_list (fx, fx->prefix, now, 0, NULL, &revision, NULL);
  g_assert_cmpint (revision, ==, now);
  g_assert_cmpuint (items->len, ==, 1);
}

static void
test_list_prefix_isolation (Fixture *fx, gconstpointer data)
{
  const char *names[] = { "a",   "a/", "a/x", "a/y/z", "a0", "a.",  "a/\xff",
                          "A/x", "b/", "b/x", "ba/",   "`",  "a//", "a/x/" };
  struct {
    const char *prefix;
    guint count;
  } cases[] = {
    { "a/", 6 },     { "a", 9 }, { "b/", 2 }, { "a/x", 2 }, { "a/y/", 1 },
    { "a/\xff", 1 }, { "c", 0 }, { "A", 1 },  { "`", 1 },   { "a//", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    fx_create_s (fx, fx_key (fx, "%s", names[i]), names[i]);
  gint64 now = fx_revision (fx);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const char *prefix = fx_key (fx, "%s", cases[i].prefix);
    g_autoptr (GPtrArray) items =
      fx_list (fx, prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
    g_assert_cmpuint (items->len, ==, cases[i].count);
    assert_items_match_model (fx, items, prefix, now);
    for (guint j = 0; j < items->len; j++)
      g_assert_true (g_str_has_prefix (timon_store_item_get_key (items->pdata[j]), prefix));
    g_autoptr (GPtrArray) paged =
      fx_list_pages (fx, prefix, TIMON_STORE_REVISION_LATEST, 2, NULL, NULL);
    assert_items_match_model (fx, paged, prefix, now);
  }
}

static void
test_list_empty (Fixture *fx, gconstpointer data)
{
  fx_create_s (fx, fx_key (fx, "full/a"), "v");
  fx_create_s (fx, fx_key (fx, "emptx"), "v");
  gint64 now = fx_revision (fx);
  guint limits[] = { 0, 1, 5 };

  for (guint i = 0; i < G_N_ELEMENTS (limits); i++) {
    gint64 revision = 0;
    g_autofree char *next = NULL;
    g_autoptr (GPtrArray) items = fx_list (fx, fx_key (fx, "empty/"), TIMON_STORE_REVISION_LATEST,
                                           limits[i], NULL, &revision, &next);
    g_assert_cmpuint (items->len, ==, 0);
    g_assert_null (next);
    g_assert_cmpint (revision, ==, now);
  }

  /* Empty at a past revision too: before anything was written. */
  if (fx->base > 0) {
    g_autoptr (GPtrArray) past = fx_list (fx, fx->prefix, fx->base, 0, NULL, NULL, NULL);
    g_assert_cmpuint (past->len, ==, 0);
  }
  fx_delete (fx, fx_key (fx, "full/a"), 0);
  g_autoptr (GPtrArray) deleted =
    fx_list (fx, fx_key (fx, "full/"), TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (deleted->len, ==, 0);
}

/* Joins a thread that sets *@finished as it ends, failing rather than
 * hanging when a blocking write it made never completes. */
static void
join_thread (GThread *thread, int *finished, gint64 deadline)
{
  while (!g_atomic_int_get (finished) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  if (!g_atomic_int_get (finished))
    g_test_message ("a writing thread is stuck: a blocking write never completed");
  g_assert_cmpint (g_atomic_int_get (finished), ==, TRUE);
  g_thread_join (thread);
}

#define JOIN_TIMEOUT_US (30 * G_USEC_PER_SEC)

/* watch */

static void
test_watch_from_revision (Fixture *fx, gconstpointer data)
{
  write_history (fx);
  gint64 now = fx_revision (fx);
  gint64 sinces[] = { fx->base, fx->base + 2, fx->base + 5, now - 1, now };

  for (guint i = 0; i < G_N_ELEMENTS (sinces); i++) {
    gint64 since = sinces[i];
    g_test_message ("since %" G_GINT64_FORMAT, since);
    g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, since);
    if (now > since)
      store_test_watch_wait (sw, (guint) (now - since));
    store_test_iterate_for (fx->context, 20);
    assert_events_match_journal (fx, sw->events, 0, fx->prefix, since, now);
  }

  /* Catch-up, then live events, on one watch. */
  gint64 since = fx->base + 3;
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, since);
  store_test_watch_wait (sw, (guint) (now - since));
  const char *e = fx_key (fx, "e");
  gint64 re = fx_create_s (fx, e, "e1");
  re = fx_update_s (fx, e, "e2", re);
  fx_delete (fx, e, re);
  fx_delete (fx, fx_key (fx, "a"), 0);
  gint64 end = fx_revision (fx);
  g_assert_cmpint (end, ==, now + 4);
  store_test_watch_wait (sw, (guint) (end - since));
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, since, end);
  g_assert_cmpint (timon_store_watch_get_revision (sw->watch), ==, end);
}

typedef struct {
  Fixture *fx;
  int written;  /* atomic */
  int watching; /* atomic: the writes done when the watch was made, + 1 */
  int finished; /* atomic */
  guint max_before;
  guint after;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GArray) revisions = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_main_context_push_thread_default (context);
  for (guint i = 0;; i++) {
    /* A create, then updates and deletes of earlier keys. */
    const char *key = fx_key (w->fx, "w/%05u", i);
    gint64 revision = fx_create_s (w->fx, key, "created");
    g_array_append_val (revisions, revision);
    g_atomic_int_inc (&w->written);
    if (i % 3 == 2) {
      guint j = i - 1;
      g_autofree char *value = g_strdup_printf ("updated by %u", i);
      g_array_index (revisions, gint64, j) = fx_update_s (w->fx, fx_key (w->fx, "w/%05u", j), value,
                                                          g_array_index (revisions, gint64, j));
      g_atomic_int_inc (&w->written);
    }
    if (i % 5 == 4) {
      fx_delete (w->fx, fx_key (w->fx, "w/%05u", i - 4), g_array_index (revisions, gint64, i - 4));
      g_atomic_int_inc (&w->written);
    }

    int watching = g_atomic_int_get (&w->watching);
    if (watching > 0 && g_atomic_int_get (&w->written) >= watching - 1 + (int) w->after)
      break;
    /* Do not run away before the watch is there. */
    while (g_atomic_int_get (&w->watching) == 0 &&
           g_atomic_int_get (&w->written) >= (int) w->max_before)
      g_usleep (500);
  }
  g_main_context_pop_thread_default (context);
  g_atomic_int_set (&w->finished, TRUE);
  return NULL;
}

static void
test_watch_catch_up_live (Fixture *fx, gconstpointer data)
{
  Writer w = { .fx = fx, .max_before = 2000, .after = 60 };

  /* Three rounds, since the race is between the watch's catch-up and the
   * writes landing as it is made. */
  for (guint round = 0; round < 3; round++) {
    const char *prefix = fx_key (fx, "w/");
    gint64 start = fx_revision (fx);
    g_atomic_int_set (&w.written, 0);
    g_atomic_int_set (&w.watching, 0);
    g_atomic_int_set (&w.finished, FALSE);
    GThread *thread = g_thread_new ("writer", writer_thread, &w);

    gint64 deadline = g_get_monotonic_time () + STORE_TEST_TIMEOUT_MS * 1000;
    while (g_atomic_int_get (&w.written) < 20 && g_get_monotonic_time () < deadline)
      g_usleep (100);
    g_assert_cmpint (g_atomic_int_get (&w.written), >=, 20);

    /* Made while the writer writes: every revision after since must come
     * exactly once, whether from the history or live. */
    gint64 since = start + 10;
    g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, prefix, since);
    g_atomic_int_set (&w.watching, g_atomic_int_get (&w.written) + 1);
    join_thread (thread, &w.finished, g_get_monotonic_time () + JOIN_TIMEOUT_US);

    gint64 end = fx_revision (fx);
    g_test_message ("round %u: watch from %" G_GINT64_FORMAT
                    " made after %d writes, end %" G_GINT64_FORMAT,
                    round, since, g_atomic_int_get (&w.watching) - 1, end);
    store_test_watch_wait (sw, (guint) (end - since));
    for (guint i = 0; i < sw->events->len; i++)
      g_assert_cmpint (timon_store_event_get_revision (sw->events->pdata[i]), ==, since + 1 + i);
    assert_events_match_journal (fx, sw->events, 0, prefix, since, end);

    /* Nothing more comes: a fence write, then exactly one more event. */
    const char *fence = fx_key (fx, "w/fence%u", round);
    gint64 rf = fx_create_s (fx, fence, "fence");
    store_test_watch_wait (sw, (guint) (rf - since));
    store_test_iterate_for (fx->context, 20);
    assert_events_match_journal (fx, sw->events, 0, prefix, since, rf);

    /* Clean up for the next round. */
    g_autoptr (GPtrArray) left =
      fx_list (fx, prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
    for (guint i = 0; i < left->len; i++)
      fx_delete (fx, timon_store_item_get_key (left->pdata[i]),
                 timon_store_item_get_mod_revision (left->pdata[i]));
  }
}

static void
test_watch_since_latest (Fixture *fx, gconstpointer data)
{
  const char *a = fx_key (fx, "a");
  gint64 ra = fx_create_s (fx, a, "1");
  fx_create_s (fx, fx_key (fx, "b"), "1");
  gint64 before = fx_update_s (fx, a, "2", ra);

  g_autoptr (StoreTestWatch) sw =
    store_test_watch_new (fx->store, fx->prefix, TIMON_STORE_REVISION_LATEST);
  store_test_iterate_for (fx->context, 50);
  g_assert_cmpuint (sw->events->len, ==, 0);

  gint64 r = fx_delete (fx, a, before);
  g_assert_cmpint (r, ==, before + 1);
  fx_create_s (fx, fx_key (fx, "c"), "1");
  store_test_watch_wait (sw, 2);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, before, before + 2);
}

/* Revision 0 is the store before its first write: a watch since 0 gets
 * every event there is, the first one included, and a list at 0 is
 * empty. */
static void
test_watch_since_zero (Fixture *fx, gconstpointer data)
{
  if (timon_store_get_compact_revision (fx->store) > 0) {
    g_test_skip ("the history of this backend's shared server was compacted by an earlier test");
    return;
  }
  fx_create_s (fx, fx_key (fx, "first"), "1");
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, 0);
  gint64 last = fx_create_s (fx, fx_key (fx, "second"), "2");
  store_test_watch_wait (sw, 2);
  store_test_iterate_for (fx->context, 20);
  g_assert_cmpuint (sw->events->len, ==, 2);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, 0, last);

  g_autoptr (GPtrArray) items = fx_list (fx, fx->prefix, 0, 0, NULL, NULL, NULL);
  g_assert_cmpuint (items->len, ==, 0);
}

static void
test_watch_prefix (Fixture *fx, gconstpointer data)
{
  const char *prefix = fx_key (fx, "a/");
  gint64 since = fx_mark (fx);
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, prefix, since);

  fx_create_s (fx, fx_key (fx, "a0"), "no");
  fx_create_s (fx, fx_key (fx, "b/x"), "no");
  fx_create_s (fx, fx_key (fx, "a"), "no");
  fx_create_s (fx, fx_key (fx, "a."), "no");
  gint64 rx = fx_create_s (fx, fx_key (fx, "a/x"), "yes");
  store_test_watch_wait (sw, 1);
  fx_create_s (fx, fx_key (fx, "b/y"), "no");
  fx_update_s (fx, fx_key (fx, "a/x"), "yes again", rx);
  fx_delete (fx, fx_key (fx, "a0"), 0);
  fx_create_s (fx, fx_key (fx, "a/"), "yes");
  store_test_watch_wait (sw, 3);
  store_test_iterate_for (fx->context, 20);

  /* Events are in revision order: once a/ came, the others had their
   * chance. */
  assert_events_match_journal (fx, sw->events, 0, prefix, since, fx_revision (fx));
  g_assert_cmpuint (sw->events->len, ==, 3);

  /* A watch of everything under the fixture's prefix sees all. */
  g_autoptr (StoreTestWatch) all = store_test_watch_new (fx->store, fx->prefix, since);
  store_test_watch_wait (all, 9);
  assert_events_match_journal (fx, all->events, 0, fx->prefix, since, fx_revision (fx));
}

static void
test_watch_cancel (Fixture *fx, gconstpointer data)
{
  gint64 since = fx_revision (fx);
  g_autoptr (StoreTestWatch) cancelled = store_test_watch_new (fx->store, fx->prefix, since);
  g_autoptr (StoreTestWatch) control = store_test_watch_new (fx->store, fx->prefix, since);

  fx_create_s (fx, fx_key (fx, "k1"), "1");
  store_test_watch_wait (cancelled, 1);
  store_test_watch_wait (control, 1);

  /* Events written, perhaps queued, but not dispatched before the cancel
   * must not be delivered, nor any after it. */
  fx_create_s (fx, fx_key (fx, "k2"), "2");
  fx_create_s (fx, fx_key (fx, "k3"), "3");
  timon_store_watch_cancel (cancelled->watch);
  fx_create_s (fx, fx_key (fx, "k4"), "4");
  store_test_watch_wait (control, 4);
  store_test_iterate_for (fx->context, 50);

  g_assert_cmpuint (cancelled->events->len, ==, 1);
  g_assert_false (cancelled->closed);
  assert_events_match_journal (fx, cancelled->events, 0, fx->prefix, since, since + 1);
  assert_events_match_journal (fx, control->events, 0, fx->prefix, since, since + 4);

  /* Dropping a cancelled watch while writes go on is fine. */
  g_clear_pointer (&cancelled, store_test_watch_free);
  fx_create_s (fx, fx_key (fx, "k5"), "5");
  store_test_watch_wait (control, 5);
  assert_events_match_journal (fx, control->events, 0, fx->prefix, since, since + 5);
}

static void
test_watch_future_revision (Fixture *fx, gconstpointer data)
{
  fx_create_s (fx, fx_key (fx, "a"), "1");
  gint64 now = fx_revision (fx);
  gint64 futures[] = { now + 1, now + 1000 };

  for (guint i = 0; i < G_N_ELEMENTS (futures); i++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonStoreWatch) watch =
      timon_store_watch (fx->store, fx->prefix, futures[i], &error);
    g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION);
    g_assert_null (watch);
  }

  /* Since now is fine, and gives only what comes next. */
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, now);
  fx_create_s (fx, fx_key (fx, "b"), "1");
  store_test_watch_wait (sw, 1);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, now, now + 1);
}

/* compact */

static void
test_compact_basic (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) watch_error = NULL;

  write_history (fx);
  /* b was deleted at base + 5 and made again at base + 8; c deleted at
   * base + 12. Compact at base + 10: c's last value is kept, a's
   * deletion at base + 9 drops it. */
  gint64 at = fx->base + 10;
  g_assert_true (timon_store_compact (fx->store, at, &error));
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_compact_revision (fx->store), ==, at);
  gint64 now = fx_revision (fx);
  g_assert_cmpint (now, ==, fx->base + 14);

  assert_list_fails (fx, fx->prefix, at - 1, 0, NULL, TIMON_STORE_ERROR_COMPACTED);
  assert_list_fails (fx, fx->prefix, fx->base + 1, 0, NULL, TIMON_STORE_ERROR_COMPACTED);
  g_autoptr (TimonStoreWatch) old = timon_store_watch (fx->store, fx->prefix, at - 1, &watch_error);
  g_assert_error (watch_error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_COMPACTED);
  g_assert_null (old);

  for (gint64 r = at; r <= now; r++) {
    gint64 revision = 0;
    g_autoptr (GPtrArray) items = fx_list (fx, fx->prefix, r, 0, NULL, &revision, NULL);
    g_assert_cmpint (revision, ==, r);
    assert_items_match_model (fx, items, fx->prefix, r);
  }
  g_autoptr (GPtrArray) at_items = fx_list (fx, fx->prefix, at, 0, NULL, NULL, NULL);
  g_assert_cmpuint (at_items->len, ==, 3); /* b, c, d */

  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, at);
  store_test_watch_wait (sw, (guint) (now - at));
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, at, now);

  /* Compacting at or before the compact revision does nothing. */
  g_assert_true (timon_store_compact (fx->store, at - 2, &error));
  g_assert_no_error (error);
  g_assert_true (timon_store_compact (fx->store, at, &error));
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_compact_revision (fx->store), ==, at);
  g_assert_false (timon_store_compact (fx->store, now + 1, &error));
  g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FUTURE_REVISION);
  g_clear_error (&error);
  g_assert_cmpint (timon_store_get_compact_revision (fx->store), ==, at);

  /* The store goes on after it: writes, a watch's live events, and a
   * second compaction at the latest revision. */
  gint64 re = fx_create_s (fx, fx_key (fx, "e"), "e1");
  g_assert_cmpint (re, ==, now + 1);
  store_test_watch_wait (sw, (guint) (re - at));
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, at, re);

  g_assert_true (timon_store_compact (fx->store, re, &error));
  g_assert_no_error (error);
  g_assert_cmpint (timon_store_get_compact_revision (fx->store), ==, re);
  assert_list_fails (fx, fx->prefix, re - 1, 0, NULL, TIMON_STORE_ERROR_COMPACTED);
  g_autoptr (GPtrArray) items = fx_list (fx, fx->prefix, re, 0, NULL, NULL, NULL);
  assert_items_match_model (fx, items, fx->prefix, re);
  g_autoptr (StoreTestWatch) late = store_test_watch_new (fx->store, fx->prefix, re);
  gint64 rf = fx_update_s (fx, fx_key (fx, "e"), "e2", re);
  store_test_watch_wait (late, 1);
  store_test_watch_wait (sw, (guint) (rf - at));
  assert_events_match_journal (fx, late->events, 0, fx->prefix, re, rf);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, at, rf);
}

static void
test_compact_deleted_keys (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const char *gone = fx_key (fx, "gone");
  const char *kept = fx_key (fx, "kept");

  gint64 r1 = fx_create_s (fx, gone, "1");
  gint64 r2 = fx_create_s (fx, kept, "1");
  gint64 r3 = fx_delete (fx, gone, r1);
  gint64 r4 = fx_update_s (fx, kept, "2", r2);
  g_assert_true (timon_store_compact (fx->store, r4, &error));
  g_assert_no_error (error);

  /* The key deleted before the compaction is gone from every readable
   * revision, and comes back as a new key. */
  g_autoptr (GBytes) two = store_test_bytes ("2");
  g_autoptr (GPtrArray) items = fx_list (fx, fx->prefix, r4, 0, NULL, NULL, NULL);
  g_assert_cmpuint (items->len, ==, 1);
  store_test_assert_item (items->pdata[0], kept, two, r2, r4);
  assert_get_missing (fx, gone);
  gint64 r5 = fx_create_s (fx, gone, "again");
  g_assert_cmpint (r5, ==, r4 + 1);
  assert_get (fx, gone, "again", r5, r5);
  g_assert_cmpint (r3, ==, r2 + 1);

  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, r4);
  store_test_watch_wait (sw, 1);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, r4, r5);
}

static void
test_compact_continue (Fixture *fx, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 revision = 0;

  gint64 r4 = 0;
  for (guint i = 0; i < 6; i++) {
    gint64 r = fx_create_s (fx, fx_key (fx, "k%u", i), "v");
    if (i == 4)
      r4 = r;
  }
  g_autoptr (GPtrArray) page =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 2, NULL, &revision, &token);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_nonnull (token);
  fx_update_s (fx, fx_key (fx, "k4"), "w", r4);
  g_assert_true (timon_store_compact (fx->store, fx_revision (fx), &error));
  g_assert_no_error (error);

  /* The list's snapshot is gone: the next page says so (410 Gone). */
  assert_list_fails (fx, fx->prefix, 0, 2, token, TIMON_STORE_ERROR_COMPACTED);
}

/* concurrency */

#define N_THREADS 16
#define N_COUNTERS 4
#define INCREMENTS 25

typedef struct {
  TimonStore *store;
  const char *keys[N_COUNTERS];
  guint index;
  GArray *revisions; /* gint64 */
  guint conflicts;
  int finished; /* atomic */
} Incrementer;

static gint64
parse_counter (TimonStoreItem *item)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (timon_store_item_get_value (item), &size);
  g_autofree char *text = g_strndup (data, size);
  char *end = NULL;
  gint64 n = g_ascii_strtoll (text, &end, 10);

  g_assert_cmpstr (end, ==, "");
  return n;
}

static gpointer
incrementer_thread (gpointer data)
{
  Incrementer *inc = data;
  g_autoptr (GMainContext) context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  for (guint done = 0, attempts = 0; done < INCREMENTS; attempts++) {
    g_autoptr (GError) error = NULL;
    const char *key = inc->keys[(inc->index + done) % N_COUNTERS];
    g_assert_cmpuint (attempts, <, 100000);

    g_autoptr (TimonStoreItem) current = timon_store_get (inc->store, key, &error);
    g_assert_no_error (error);
    gint64 n = parse_counter (current);
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, n + 1);
    g_autoptr (GBytes) next = store_test_bytes (text);
    g_autoptr (TimonStoreItem) updated =
      timon_store_update (inc->store, key, next, timon_store_item_get_mod_revision (current),
                          &error);
    if (updated == NULL) {
      g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT);
      inc->conflicts++;
      continue;
    }
    g_assert_no_error (error);
    store_test_assert_item (updated, key, next, timon_store_item_get_create_revision (current),
                            timon_store_item_get_mod_revision (updated));
    g_assert_cmpint (timon_store_item_get_mod_revision (updated), >,
                     timon_store_item_get_mod_revision (current));
    gint64 revision = timon_store_item_get_mod_revision (updated);
    g_array_append_val (inc->revisions, revision);
    done++;
  }
  g_main_context_pop_thread_default (context);
  g_atomic_int_set (&inc->finished, TRUE);
  return NULL;
}

static int
compare_revisions (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static void
test_concurrency_cas_counters (Fixture *fx, gconstpointer data)
{
  Incrementer incs[N_THREADS];
  GThread *threads[N_THREADS];
  guint expected[N_COUNTERS] = { 0 };
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint conflicts = 0;

  const char *keys[N_COUNTERS];
  for (guint k = 0; k < N_COUNTERS; k++) {
    keys[k] = fx_key (fx, "counter/%u", k);
    fx_create_s (fx, keys[k], "0");
  }
  gint64 start = fx_revision (fx);

  for (guint t = 0; t < N_THREADS; t++) {
    incs[t] = (Incrementer){ .store = fx->store, .index = t };
    memcpy (incs[t].keys, keys, sizeof keys);
    incs[t].revisions = g_array_new (FALSE, FALSE, sizeof (gint64));
    for (guint done = 0; done < INCREMENTS; done++)
      expected[(t + done) % N_COUNTERS]++;
  }
  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("incrementer", incrementer_thread, &incs[t]);
  gint64 deadline = g_get_monotonic_time () + JOIN_TIMEOUT_US;
  for (guint t = 0; t < N_THREADS; t++) {
    join_thread (threads[t], &incs[t].finished, deadline);
    g_assert_cmpuint (incs[t].revisions->len, ==, INCREMENTS);
    g_array_append_vals (all, incs[t].revisions->data, incs[t].revisions->len);
    conflicts += incs[t].conflicts;
    g_array_unref (incs[t].revisions);
  }
  g_test_message ("%u conflicts", conflicts);

  /* Every successful update got its own revision, one after another. */
  g_array_sort (all, compare_revisions);
  g_assert_cmpuint (all->len, ==, N_THREADS * INCREMENTS);
  for (guint i = 0; i < all->len; i++)
    g_assert_cmpint (g_array_index (all, gint64, i), ==, start + 1 + i);
  g_assert_cmpint (fx_revision (fx), ==, start + N_THREADS * INCREMENTS);

  /* No update was lost. */
  gint64 sum = 0;
  for (guint k = 0; k < N_COUNTERS; k++) {
    g_autoptr (GError) error = NULL;
    g_autoptr (TimonStoreItem) item = timon_store_get (fx->store, keys[k], &error);
    g_assert_no_error (error);
    g_assert_cmpint (parse_counter (item), ==, expected[k]);
    sum += parse_counter (item);
  }
  g_assert_cmpint (sum, ==, N_THREADS * INCREMENTS);
}

#define N_ASYNC 1000

typedef struct {
  Fixture *fx;
  guint done;
  TimonStoreItem *items[N_ASYNC];
  gint64 revisions[N_ASYNC];
} AsyncWrites;

typedef struct {
  AsyncWrites *writes;
  guint index;
} AsyncOp;

static void
create_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree AsyncOp *op = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_main_context_is_owner (op->writes->fx->context));
  TimonStoreItem *item = timon_store_create_finish (TIMON_STORE (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_null (op->writes->items[op->index]);
  op->writes->items[op->index] = item;
  op->writes->revisions[op->index] = timon_store_item_get_mod_revision (item);
  op->writes->done++;
}

static void
delete_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree AsyncOp *op = user_data;
  g_autoptr (GError) error = NULL;
  gint64 revision = -1;

  g_assert_true (g_main_context_is_owner (op->writes->fx->context));
  g_autoptr (TimonStoreItem) item =
    timon_store_delete_finish (TIMON_STORE (source), result, &revision, &error);
  g_assert_no_error (error);
  TimonStoreItem *created = op->writes->items[op->index];
  store_test_assert_item (item, timon_store_item_get_key (created),
                          timon_store_item_get_value (created),
                          timon_store_item_get_create_revision (created),
                          timon_store_item_get_mod_revision (created));
  op->writes->revisions[op->index] = revision;
  op->writes->done++;
}

static gboolean
all_done (gpointer user_data)
{
  AsyncWrites *writes = user_data;
  return writes->done == N_ASYNC;
}

static void
assert_consecutive (gint64 *revisions, guint n, gint64 first)
{
  g_autoptr (GArray) sorted = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_array_append_vals (sorted, revisions, n);
  g_array_sort (sorted, compare_revisions);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (sorted, gint64, i), ==, first + i);
}

static void
test_concurrency_async_writes (Fixture *fx, gconstpointer data)
{
  g_autofree AsyncWrites *writes = g_new0 (AsyncWrites, 1);
  const char *prefix = fx_key (fx, "async/");

  writes->fx = fx;
  for (guint i = 0; i < N_ASYNC; i++) {
    AsyncOp *op = g_new0 (AsyncOp, 1);
    g_autofree char *text = g_strdup_printf ("value %u", i);
    g_autoptr (GBytes) value = store_test_bytes (text);
    op->writes = writes;
    op->index = i;
    timon_store_create_async (fx->store, fx_key (fx, "async/%04u", i), value, NULL, create_done,
                              op);
  }
  g_assert_true (store_test_iterate_until (fx->context, all_done, writes, 60000));
  g_assert_cmpuint (writes->done, ==, N_ASYNC);
  assert_consecutive (writes->revisions, N_ASYNC, fx->base + 1);
  g_assert_cmpint (fx_revision (fx), ==, fx->base + N_ASYNC);

  for (guint i = 0; i < N_ASYNC; i++) {
    g_autofree char *text = g_strdup_printf ("value %u", i);
    g_autoptr (GBytes) value = store_test_bytes (text);
    store_test_assert_item (writes->items[i], fx_key (fx, "async/%04u", i), value,
                            writes->revisions[i], writes->revisions[i]);
  }
  g_autoptr (GPtrArray) items =
    fx_list (fx, prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (items->len, ==, N_ASYNC);
  for (guint i = 0; i < N_ASYNC; i++)
    store_test_assert_item (items->pdata[i], timon_store_item_get_key (writes->items[i]),
                            timon_store_item_get_value (writes->items[i]), writes->revisions[i],
                            writes->revisions[i]);

  /* And as many conditional deletes at once. */
  writes->done = 0;
  for (guint i = 0; i < N_ASYNC; i++) {
    AsyncOp *op = g_new0 (AsyncOp, 1);
    op->writes = writes;
    op->index = i;
    timon_store_delete_async (fx->store, timon_store_item_get_key (writes->items[i]),
                              writes->revisions[i], NULL, delete_done, op);
  }
  g_assert_true (store_test_iterate_until (fx->context, all_done, writes, 60000));
  assert_consecutive (writes->revisions, N_ASYNC, fx->base + N_ASYNC + 1);
  g_assert_cmpint (fx_revision (fx), ==, fx->base + 2 * N_ASYNC);
  g_autoptr (GPtrArray) none =
    fx_list (fx, prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (none->len, ==, 0);

  for (guint i = 0; i < N_ASYNC; i++)
    timon_store_item_unref (writes->items[i]);
}

/* value */

static void
assert_value (Fixture *fx, const char *key, GBytes *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = timon_store_get (fx->store, key, &error);

  g_assert_no_error (error);
  store_test_assert_item (item, key, value, -1, timon_store_item_get_mod_revision (item));
}

static void
test_value_max_size (Fixture *fx, gconstpointer data)
{
  const char *key = fx_key (fx, "big");
  g_autoptr (GBytes) big = store_test_pattern_bytes (TIMON_STORE_MAX_VALUE_SIZE, 1);
  g_autoptr (GBytes) big2 = store_test_pattern_bytes (TIMON_STORE_MAX_VALUE_SIZE, 2);
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, fx_revision (fx));
  gint64 since = fx_revision (fx);

  g_autoptr (TimonStoreItem) created = fx_create (fx, key, big);
  assert_value (fx, key, big);
  g_autoptr (TimonStoreItem) updated =
    fx_update (fx, key, big2, timon_store_item_get_mod_revision (created));
  assert_value (fx, key, big2);

  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  assert_items_match_model (fx, items, fx->prefix, fx_revision (fx));
  g_autoptr (GPtrArray) past = fx_list (fx, fx->prefix, since + 1, 0, NULL, NULL, NULL);
  assert_items_match_model (fx, past, fx->prefix, since + 1);

  store_test_watch_wait (sw, 2);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, since, since + 2);
}

static void
test_value_too_large (Fixture *fx, gconstpointer data)
{
  const char *key = fx_key (fx, "big");
  const char *small = fx_key (fx, "small");
  g_autoptr (GBytes) huge = store_test_pattern_bytes (TIMON_STORE_MAX_VALUE_SIZE + 1, 3);
  g_autoptr (GBytes) huger = store_test_pattern_bytes (4 * TIMON_STORE_MAX_VALUE_SIZE, 3);

  assert_write_fails (fx, TIMON_STORE_WRITE_CREATE, key, huge, 0,
                      TIMON_STORE_ERROR_VALUE_TOO_LARGE);
  assert_write_fails (fx, TIMON_STORE_WRITE_CREATE, key, huger, 0,
                      TIMON_STORE_ERROR_VALUE_TOO_LARGE);
  assert_get_missing (fx, key);

  gint64 r = fx_create_s (fx, small, "small");
  assert_write_fails (fx, TIMON_STORE_WRITE_UPDATE, small, huge, r,
                      TIMON_STORE_ERROR_VALUE_TOO_LARGE);
  assert_get (fx, small, "small", r, r);
  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  assert_items_match_model (fx, items, fx->prefix, r);
  g_assert_cmpint (fx_revision (fx), ==, fx->base + 1);
}

static void
test_value_empty (Fixture *fx, gconstpointer data)
{
  const char *key = fx_key (fx, "empty");
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr (GBytes) x = store_test_bytes ("x");
  gint64 since = fx_revision (fx);
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, since);

  /* An empty value is a value, not a deletion: never NULL. */
  g_autoptr (TimonStoreItem) created = fx_create (fx, key, empty);
  assert_value (fx, key, empty);
  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (items->len, ==, 1);
  assert_items_match_model (fx, items, fx->prefix, fx_revision (fx));

  g_autoptr (TimonStoreItem) updated =
    fx_update (fx, key, x, timon_store_item_get_mod_revision (created));
  g_autoptr (TimonStoreItem) emptied =
    fx_update (fx, key, empty, timon_store_item_get_mod_revision (updated));
  assert_value (fx, key, empty);
  fx_delete (fx, key, timon_store_item_get_mod_revision (emptied));
  assert_get_missing (fx, key);

  for (gint64 r = since + 1; r <= since + 4; r++) {
    g_autoptr (GPtrArray) past = fx_list (fx, fx->prefix, r, 0, NULL, NULL, NULL);
    assert_items_match_model (fx, past, fx->prefix, r);
  }
  store_test_watch_wait (sw, 4);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, since, since + 4);
}

static void
test_value_binary (Fixture *fx, gconstpointer data)
{
  const char *key = fx_key (fx, "binary");
  g_autoptr (GBytes) bytes = store_test_pattern_bytes (4096, 5);
  guint8 nul_only[16] = { 0 };
  g_autoptr (GBytes) nuls = g_bytes_new (nul_only, sizeof nul_only);
  gint64 since = fx_mark (fx);

  g_autoptr (TimonStoreItem) created = fx_create (fx, key, bytes);
  assert_value (fx, key, bytes);
  g_autoptr (TimonStoreItem) updated =
    fx_update (fx, key, nuls, timon_store_item_get_mod_revision (created));
  assert_value (fx, key, nuls);

  g_autoptr (GPtrArray) past = fx_list (fx, fx->prefix, since + 1, 0, NULL, NULL, NULL);
  assert_items_match_model (fx, past, fx->prefix, since + 1);
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, since);
  store_test_watch_wait (sw, 2);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, since, since + 2);
}

/* key */

static const char *const odd_keys[] = {
  "with space",
  " leading space",
  "quote\"d",
  "single'quote",
  "percent%20%",
  "%",
  "%00",
  "slash/in/key",
  "trailing/",
  "//double",
  "back\\slash",
  "?query&x=y#frag",
  "+plus=",
  "tab\there",
  "newline\nkey",
  "ctl",
  "ctl\x01",
  "ctl\x01\x01",
  "ctl\x01x",
  "\x01",
  "\x7f",
  "high\xff",
  "high\xff\xfe",
  "\xff",
  "\xc3\x28 invalid utf-8",
  "unicode-\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x98\x80",
  "..",
  ".",
  "{json}",
  "~",
};

static void
test_key_odd_characters (Fixture *fx, gconstpointer data)
{
  gint64 since = fx_revision (fx);
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, since);
  gint64 revisions[G_N_ELEMENTS (odd_keys)];

  for (guint i = 0; i < G_N_ELEMENTS (odd_keys); i++) {
    const char *key = fx_key (fx, "%s", odd_keys[i]);
    revisions[i] = fx_create_s (fx, key, odd_keys[i]);
    assert_get (fx, key, odd_keys[i], revisions[i], revisions[i]);
  }
  gint64 now = fx_revision (fx);

  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (odd_keys));
  assert_items_match_model (fx, items, fx->prefix, now);
  g_autoptr (GPtrArray) paged =
    fx_list_pages (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 1, NULL, NULL);
  assert_items_match_model (fx, paged, fx->prefix, now);
  g_autoptr (GPtrArray) ctl =
    fx_list (fx, fx_key (fx, "ctl"), TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (ctl->len, ==, 4);
  assert_items_match_model (fx, ctl, fx_key (fx, "ctl"), now);
  g_autoptr (GPtrArray) ctl1 =
    fx_list_pages (fx, fx_key (fx, "ctl\x01"), TIMON_STORE_REVISION_LATEST, 1, NULL, NULL);
  g_assert_cmpuint (ctl1->len, ==, 3);
  assert_items_match_model (fx, ctl1, fx_key (fx, "ctl\x01"), now);
  g_autoptr (GPtrArray) pct =
    fx_list (fx, fx_key (fx, "%%"), TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (pct->len, ==, 2);
  assert_items_match_model (fx, pct, fx_key (fx, "%%"), now);

  for (guint i = 0; i < G_N_ELEMENTS (odd_keys); i++) {
    const char *key = fx_key (fx, "%s", odd_keys[i]);
    gint64 r = fx_update_s (fx, key, "updated", revisions[i]);
    fx_delete (fx, key, r);
    assert_get_missing (fx, key);
  }
  g_autoptr (GPtrArray) none =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (none->len, ==, 0);

  store_test_watch_wait (sw, 3 * G_N_ELEMENTS (odd_keys));
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, since, fx_revision (fx));
}

static void
test_key_max_size (Fixture *fx, gconstpointer data)
{
  gsize room = TIMON_STORE_MAX_KEY_SIZE - strlen (fx->prefix);
  g_autofree char *fill = g_strnfill (room, 'k');
  g_autofree char *fill_ff = g_strnfill (room, '\xff');
  const char *longest = fx_key (fx, "%s", fill);
  const char *longest_ff = fx_key (fx, "%s", fill_ff);

  g_assert_cmpuint (strlen (longest), ==, TIMON_STORE_MAX_KEY_SIZE);
  g_assert_cmpuint (strlen (longest_ff), ==, TIMON_STORE_MAX_KEY_SIZE);
  gint64 since = fx_revision (fx);
  g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, fx->prefix, since);

  gint64 r1 = fx_create_s (fx, longest, "long");
  assert_get (fx, longest, "long", r1, r1);
  gint64 r2 = fx_create_s (fx, longest_ff, "long ff");
  gint64 r3 = fx_update_s (fx, longest, "longer", r1);
  assert_get (fx, longest, "longer", r1, r3);
  g_autoptr (GPtrArray) items =
    fx_list_pages (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 1, NULL, NULL);
  assert_items_match_model (fx, items, fx->prefix, r3);
  fx_delete (fx, longest, r3);
  fx_delete (fx, longest_ff, r2);
  store_test_watch_wait (sw, 5);
  assert_events_match_journal (fx, sw->events, 0, fx->prefix, since, fx_revision (fx));
}

static void
test_key_invalid (Fixture *fx, gconstpointer data)
{
  gsize room = TIMON_STORE_MAX_KEY_SIZE + 1 - strlen (fx->prefix);
  g_autofree char *fill = g_strnfill (room, 'k');
  const char *too_long = fx_key (fx, "%s", fill);
  const char *invalid[] = { "", too_long };
  g_autoptr (GBytes) v = store_test_bytes ("v");

  g_assert_cmpuint (strlen (too_long), ==, TIMON_STORE_MAX_KEY_SIZE + 1);
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++) {
    g_autoptr (GError) error = NULL;
    assert_write_fails (fx, TIMON_STORE_WRITE_CREATE, invalid[i], v, 0,
                        TIMON_STORE_ERROR_INVALID_KEY);
    assert_write_fails (fx, TIMON_STORE_WRITE_UPDATE, invalid[i], v, 1,
                        TIMON_STORE_ERROR_INVALID_KEY);
    assert_write_fails (fx, TIMON_STORE_WRITE_DELETE, invalid[i], NULL, 0,
                        TIMON_STORE_ERROR_INVALID_KEY);
    g_autoptr (TimonStoreItem) item = timon_store_get (fx->store, invalid[i], &error);
    g_assert_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_INVALID_KEY);
    g_assert_null (item);
  }
  g_autoptr (GPtrArray) items =
    fx_list (fx, fx->prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
  g_assert_cmpuint (items->len, ==, 0);
  g_assert_cmpint (fx_revision (fx), ==, fx->base);
}

static void
test_key_prefix_ff (Fixture *fx, gconstpointer data)
{
  const char *names[] = {
    "x",         "x\xfe",      "x\xfe\xff", "x\xff",         "x\xff\x01",
    "x\xff\xff", "x\xff\xffz", "y",         "x\xff\xff\xff",
  };
  struct {
    const char *prefix;
    guint count;
  } cases[] = {
    { "x\xff", 5 }, { "x\xff\xff", 3 }, { "x\xfe", 2 }, { "x", 8 }, { "x\xff\xff\xff", 1 }
  };
  gint64 since = fx_mark (fx);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    fx_create_s (fx, fx_key (fx, "%s", names[i]), "v");
  gint64 now = fx_revision (fx);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const char *prefix = fx_key (fx, "%s", cases[i].prefix);
    g_autoptr (GPtrArray) items =
      fx_list (fx, prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
    g_assert_cmpuint (items->len, ==, cases[i].count);
    assert_items_match_model (fx, items, prefix, now);
    g_autoptr (GPtrArray) paged =
      fx_list_pages (fx, prefix, TIMON_STORE_REVISION_LATEST, 1, NULL, NULL);
    assert_items_match_model (fx, paged, prefix, now);

    g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, prefix, since);
    store_test_watch_wait (sw, cases[i].count);
    assert_events_match_journal (fx, sw->events, 0, prefix, since, now);
  }
}

/* Prefixes of 0xff bytes only have no end: the range runs to the last
 * key there is. */
static void
test_key_prefix_unbounded (Fixture *fx, gconstpointer data)
{
  /* Unique to this test, even on a shared etcd. */
  const char *k1 = g_string_chunk_insert_const (fx->strings, "\xff");
  g_autofree char *raw2 = g_strconcat ("\xff\xff", fx->prefix, "a", NULL);
  g_autofree char *raw3 = g_strconcat ("\xff\xff\xff", fx->prefix, "b", NULL);
  const char *k2 = g_string_chunk_insert_const (fx->strings, raw2);
  const char *k3 = g_string_chunk_insert_const (fx->strings, raw3);
  fx_create_s (fx, fx_key (fx, "before"), "v");
  gint64 since = fx_revision (fx);
  fx_create_s (fx, k1, "1");
  fx_create_s (fx, k3, "3");
  fx_create_s (fx, k2, "2");
  gint64 now = fx_revision (fx);

  struct {
    const char *prefix;
    guint count;
  } cases[] = { { "\xff", 3 }, { "\xff\xff", 2 }, { "\xff\xff\xff", 1 } };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GPtrArray) items =
      fx_list (fx, cases[i].prefix, TIMON_STORE_REVISION_LATEST, 0, NULL, NULL, NULL);
    g_assert_cmpuint (items->len, ==, cases[i].count);
    assert_items_match_model (fx, items, cases[i].prefix, now);
    g_autoptr (GPtrArray) paged =
      fx_list_pages (fx, cases[i].prefix, TIMON_STORE_REVISION_LATEST, 1, NULL, NULL);
    assert_items_match_model (fx, paged, cases[i].prefix, now);
    g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, cases[i].prefix, since);
    store_test_watch_wait (sw, cases[i].count);
    assert_events_match_journal (fx, sw->events, 0, cases[i].prefix, since, now);
  }

  if (!fx->backend->shared) {
    /* The empty prefix: everything. */
    g_autoptr (GPtrArray) all = fx_list_pages (fx, "", TIMON_STORE_REVISION_LATEST, 2, NULL, NULL);
    g_assert_cmpuint (all->len, ==, 4);
    assert_items_match_model (fx, all, "", now);
    g_autoptr (StoreTestWatch) sw = store_test_watch_new (fx->store, "", since);
    store_test_watch_wait (sw, 3);
    assert_events_match_journal (fx, sw->events, 0, "", since, now);
  }

  /* Leave nothing behind for the other tests on a shared server. */
  fx_delete (fx, k1, 0);
  fx_delete (fx, k2, 0);
  fx_delete (fx, k3, 0);
}

/* Registration */

typedef void (*StoreTestFunc) (Fixture *fx, gconstpointer data);

static const struct {
  const char *path;
  StoreTestFunc func;
} store_cases[] = {
  { "create/basic", test_create_basic },
  { "create/exists", test_create_exists },
  { "create/after-delete", test_create_after_delete },
  { "get/not-found", test_get_not_found },
  { "update/basic", test_update_basic },
  { "update/conflict", test_update_conflict },
  { "update/not-found", test_update_not_found },
  { "delete/basic", test_delete_basic },
  { "delete/conflict", test_delete_conflict },
  { "delete/unconditional", test_delete_unconditional },
  { "delete/not-found", test_delete_not_found },
  { "revision/initial", test_revision_initial },
  { "revision/sequence", test_revision_sequence },
  { "list/pagination", test_list_pagination },
  { "list/pagination-snapshot", test_list_pagination_snapshot },
  { "list/invalid-continue", test_list_invalid_continue },
  { "list/past-revision", test_list_past_revision },
  { "list/future-revision", test_list_future_revision },
  { "list/prefix-isolation", test_list_prefix_isolation },
  { "list/empty", test_list_empty },
  { "watch/from-revision", test_watch_from_revision },
  { "watch/catch-up-live", test_watch_catch_up_live },
  { "watch/since-latest", test_watch_since_latest },
  { "watch/since-zero", test_watch_since_zero },
  { "watch/prefix", test_watch_prefix },
  { "watch/cancel", test_watch_cancel },
  { "watch/future-revision", test_watch_future_revision },
  { "compact/basic", test_compact_basic },
  { "compact/deleted-keys", test_compact_deleted_keys },
  { "compact/continue", test_compact_continue },
  { "concurrency/cas-counters", test_concurrency_cas_counters },
  { "concurrency/async-writes", test_concurrency_async_writes },
  { "value/max-size", test_value_max_size },
  { "value/too-large", test_value_too_large },
  { "value/empty", test_value_empty },
  { "value/binary", test_value_binary },
  { "key/odd-characters", test_key_odd_characters },
  { "key/max-size", test_key_max_size },
  { "key/invalid", test_key_invalid },
  { "key/prefix-ff", test_key_prefix_ff },
  { "key/prefix-unbounded", test_key_prefix_unbounded },
};

static void
test_unavailable (gconstpointer data)
{
  const StoreTestBackend *backend = data;

  if (backend->fail_reason != NULL)
    g_test_fail_printf ("%s", backend->fail_reason);
  else
    g_test_skip (backend->skip_reason);
}

int
main (int argc, char **argv)
{
  static const char *const names[] = { "memory", "sqlite", "etcd" };
  g_autoptr (GPtrArray) backends =
    g_ptr_array_new_with_free_func ((GDestroyNotify) store_test_backend_free);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  timon_registry_load_default (registry, NULL);

  for (guint b = 0; b < G_N_ELEMENTS (names); b++) {
    StoreTestBackend *backend = store_test_backend_new (registry, names[b]);
    g_ptr_array_add (backends, backend);

    if (backend->type == G_TYPE_INVALID) {
      g_autofree char *path = g_strdup_printf ("/store/%s/unavailable", backend->name);
      g_test_add_data_func (path, backend, test_unavailable);
      continue;
    }
    for (guint i = 0; i < G_N_ELEMENTS (store_cases); i++) {
      g_autofree char *path = g_strdup_printf ("/store/%s/%s", backend->name, store_cases[i].path);
      g_test_add_vtable (path, sizeof (Fixture), backend, (GTestFixtureFunc) fixture_setup,
                         (GTestFixtureFunc) store_cases[i].func,
                         (GTestFixtureFunc) fixture_teardown);
    }
  }

  int status = g_test_run ();
  store_test_etcd_stop ();
  return status;
}
