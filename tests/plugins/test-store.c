/* test-store.c: a store that holds nothing and accepts no write: enough
 * to be registered and opened, which is all the loader tests need.
 *
 * Each plugin compiles its own copy with -DTEST_STORE_TYPE_NAME="...":
 * the tests load several of these plugins into one process, and a GType
 * name can only be registered once in a process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-store.h"

#ifndef TEST_STORE_TYPE_NAME
#error "define TEST_STORE_TYPE_NAME to the GType name of this plugin's store"
#endif

typedef struct {
  GObject parent_instance;
  char *location;
} TestStore;

typedef struct {
  GObjectClass parent_class;
} TestStoreClass;

enum {
  PROP_0,
  PROP_LOCATION,
};

static gpointer test_store_parent_class;

static void
test_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestStore *self = (TestStore *) object;

  switch (prop_id) {
  case PROP_LOCATION:
    g_value_set_string (value, self->location);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
test_store_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  TestStore *self = (TestStore *) object;

  switch (prop_id) {
  case PROP_LOCATION:
    g_free (self->location);
    self->location = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
test_store_finalize (GObject *object)
{
  g_free (((TestStore *) object)->location);

  G_OBJECT_CLASS (test_store_parent_class)->finalize (object);
}

static void
test_store_class_init (TestStoreClass *klass, gpointer class_data)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  test_store_parent_class = g_type_class_peek_parent (klass);
  object_class->get_property = test_store_get_property;
  object_class->set_property = test_store_set_property;
  object_class->finalize = test_store_finalize;
  g_object_class_override_property (object_class, PROP_LOCATION, "location");
}

static gint64
test_store_get_revision (TimonStore *store)
{
  return 0;
}

static TimonStoreItem *
test_store_get (TimonStore *store, const char *key, GError **error)
{
  g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND, "%s not found", key);
  return NULL;
}

static GPtrArray *
test_store_range (TimonStore *store,
                  const char *start,
                  const char *end,
                  gint64 revision,
                  guint limit,
                  gint64 *out_revision,
                  gboolean *out_more,
                  GError **error)
{
  *out_revision = 0;
  *out_more = FALSE;
  return g_ptr_array_new_with_free_func ((GDestroyNotify) timon_store_item_unref);
}

static void
test_store_write_async (TimonStore *store,
                        TimonStoreWriteType type,
                        const char *key,
                        GBytes *value,
                        gint64 expected_revision,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_task_report_new_error (store, callback, user_data, test_store_write_async, TIMON_STORE_ERROR,
                           TIMON_STORE_ERROR_FAILED, "the test store is read-only");
}

static TimonStoreItem *
test_store_write_finish (TimonStore *store,
                         GAsyncResult *result,
                         gint64 *out_revision,
                         GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static TimonStoreWatch *
test_store_watch (TimonStore *store,
                  const char *start,
                  const char *end,
                  gint64 since_revision,
                  GError **error)
{
  g_set_error_literal (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                       "the test store does not watch");
  return NULL;
}

static gboolean
test_store_compact (TimonStore *store, gint64 revision, GError **error)
{
  return TRUE;
}

static void
test_store_iface_init (TimonStoreInterface *iface, gpointer iface_data)
{
  iface->get_revision = test_store_get_revision;
  iface->get_compact_revision = test_store_get_revision;
  iface->get = test_store_get;
  iface->range = test_store_range;
  iface->write_async = test_store_write_async;
  iface->write_finish = test_store_write_finish;
  iface->watch = test_store_watch;
  iface->compact = test_store_compact;
}

static gboolean
test_store_initable_init_impl (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
test_store_initable_init (GInitableIface *iface, gpointer iface_data)
{
  iface->init = test_store_initable_init_impl;
}

GType
test_store_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id)) {
    const GInterfaceInfo store_info = { (GInterfaceInitFunc) test_store_iface_init, NULL, NULL };
    const GInterfaceInfo initable_info = { (GInterfaceInitFunc) test_store_initable_init, NULL,
                                           NULL };
    GType type =
      g_type_register_static_simple (G_TYPE_OBJECT, g_intern_static_string (TEST_STORE_TYPE_NAME),
                                     sizeof (TestStoreClass),
                                     (GClassInitFunc) test_store_class_init, sizeof (TestStore),
                                     NULL, G_TYPE_FLAG_FINAL);
    g_type_add_interface_static (type, TIMON_TYPE_STORE, &store_info);
    g_type_add_interface_static (type, G_TYPE_INITABLE, &initable_info);
    g_once_init_leave (&type_id, type);
  }
  return type_id;
}
