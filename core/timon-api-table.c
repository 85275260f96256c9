/* timon-api-table.c: server-side printing. What `kubectl get` shows is
 * a meta.k8s.io Table the server computes (kubectl-compat.md, section
 * 3): modern kubectl has no printers of its own, and without a Table it
 * prints only NAME and AGE.
 *
 * Columns: Name, the type's declared columns of priority 0, Age, then
 * those of higher priority, which kubectl shows only with -o wide (the
 * order of Kubernetes' own printers, where AGE comes before the wide
 * columns). A declared column takes its value from a JSON path (a
 * subset: ".a.b", ".a[0].b", ".a[*].b") or from the type's print_column
 * hook. A column of format "age" shows the time since the timestamp at
 * its path, as AGE does. A type places Name and Age itself, as
 * Kubernetes' printers of Events and LimitRanges do, by declaring a
 * column of format "name", or one on ".metadata.creationTimestamp".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

/* Descriptions of the columns every type has, from Kubernetes'
 * ObjectMeta documentation (shortened). */
#define NAME_DESCRIPTION                                \
  "Name must be unique within a namespace. More info: " \
  "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define AGE_DESCRIPTION \
  "CreationTimestamp is a timestamp representing the server time when this object was created."

typedef enum {
  INCLUDE_NONE,
  INCLUDE_METADATA,
  INCLUDE_OBJECT,
} IncludeObject;

struct _ApiTable {
  TimonResourceType *type;
  char *api_version;  /* "meta.k8s.io/v1" or "meta.k8s.io/v1beta1" */
  char *content_type; /* what the reply says it is */
  IncludeObject include;
  gboolean own_name; /* the type declares where Name goes, */
  gboolean own_age;  /* and Age */
};

void
api_table_free (ApiTable *table)
{
  timon_resource_type_unref (table->type);
  g_free (table->api_version);
  g_free (table->content_type);
  g_free (table);
}

/* A Table for the reply to @msg, if its Accept header asks for one;
 * %NULL without @error when it asks for plain JSON, %NULL with @error for
 * a bad ?includeObject= or a Table version not served (406). */
ApiTable *
api_table_new (ApiMessage *msg, TimonResourceType *type, GHashTable *query, GError **error)
{
  ApiMedia media = api_negotiate (msg, API_MEDIA_TABLE);

  if (media.kind == API_MEDIA_NOT_ACCEPTABLE) {
    g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_NOT_ACCEPTABLE,
                         "only the following media types are accepted: application/json, "
                         "application/json;as=Table;v=v1;g=meta.k8s.io, "
                         "application/json;as=Table;v=v1beta1;g=meta.k8s.io");
    return NULL;
  }
  if (media.kind != API_MEDIA_TABLE)
    return NULL;

  /* As Kubernetes, which reads the table options only for a Table. */
  const char *include = query ? g_hash_table_lookup (query, "includeObject") : NULL;
  IncludeObject mode = INCLUDE_METADATA;
  if (include == NULL || include[0] == '\0' || strcmp (include, "Metadata") == 0) {
    mode = INCLUDE_METADATA;
  } else if (strcmp (include, "None") == 0) {
    mode = INCLUDE_NONE;
  } else if (strcmp (include, "Object") == 0) {
    mode = INCLUDE_OBJECT;
  } else {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                 "unsupported includeObject \"%s\": must be None, Metadata or Object", include);
    return NULL;
  }

  ApiTable *table = g_new0 (ApiTable, 1);
  table->type = timon_resource_type_ref (type);
  for (guint i = 0; i < timon_resource_type_get_n_columns (type); i++) {
    const char *format, *json_path;
    timon_resource_type_get_column (type, i, NULL, NULL, &format, NULL, NULL, &json_path);
    table->own_name = table->own_name || g_strcmp0 (format, "name") == 0;
    table->own_age = table->own_age || g_strcmp0 (json_path, ".metadata.creationTimestamp") == 0;
  }
  table->api_version = g_strdup_printf ("meta.k8s.io/%s", media.version);
  table->content_type =
    g_strdup_printf ("application/json;as=Table;v=%s;g=meta.k8s.io", media.version);
  table->include = mode;
  return table;
}

const char *
api_table_get_content_type (ApiTable *table)
{
  return table->content_type;
}

/* ---- ages ----------------------------------------------------------------- */

/* Kubernetes' duration.HumanDuration: two units where the first is
 * small, one where it is large ("90s", "5m30s", "25m", "3h10m", "2d4h",
 * "30d", "3y12d"); kubectl prints it as is. */
static char *
human_duration (gint64 seconds)
{
  /* Clocks may be off by a second: not quite from the future. */
  if (seconds < -1)
    return g_strdup ("<invalid>");
  if (seconds < 0)
    return g_strdup ("0s");
  if (seconds < 60 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT "s", seconds);
  gint64 minutes = seconds / 60;
  if (minutes < 10) {
    gint64 s = seconds % 60;
    if (s == 0)
      return g_strdup_printf ("%" G_GINT64_FORMAT "m", minutes);
    return g_strdup_printf ("%" G_GINT64_FORMAT "m%" G_GINT64_FORMAT "s", minutes, s);
  }
  if (minutes < 60 * 3)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m", minutes);
  gint64 hours = seconds / 3600;
  if (hours < 8) {
    gint64 m = minutes % 60;
    if (m == 0)
      return g_strdup_printf ("%" G_GINT64_FORMAT "h", hours);
    return g_strdup_printf ("%" G_GINT64_FORMAT "h%" G_GINT64_FORMAT "m", hours, m);
  }
  if (hours < 48)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h", hours);
  if (hours < 24 * 8) {
    gint64 h = hours % 24;
    if (h == 0)
      return g_strdup_printf ("%" G_GINT64_FORMAT "d", hours / 24);
    return g_strdup_printf ("%" G_GINT64_FORMAT "d%" G_GINT64_FORMAT "h", hours / 24, h);
  }
  if (hours < 24 * 365 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT "d", hours / 24);
  if (hours < 24 * 365 * 8) {
    gint64 days = (hours / 24) % 365;
    if (days == 0)
      return g_strdup_printf ("%" G_GINT64_FORMAT "y", hours / 24 / 365);
    return g_strdup_printf ("%" G_GINT64_FORMAT "y%" G_GINT64_FORMAT "d", hours / 24 / 365, days);
  }
  return g_strdup_printf ("%" G_GINT64_FORMAT "y", hours / 24 / 365);
}

/* The age of an RFC 3339 @timestamp at @now, as Kubernetes prints it
 * (translateTimestampSince): "<unknown>" without a timestamp. */
static char *
age_since (const char *timestamp, GDateTime *now)
{
  if (timestamp == NULL || timestamp[0] == '\0')
    return g_strdup ("<unknown>");
  g_autoptr (GDateTime) then = g_date_time_new_from_iso8601 (timestamp, NULL);
  if (then == NULL)
    return g_strdup ("<invalid>");
  /* Whole seconds, truncated toward zero as Go's int(d.Seconds()). */
  return human_duration (g_date_time_difference (now, then) / G_TIME_SPAN_SECOND);
}

/* ---- JSON paths ------------------------------------------------------------ */

/* Longest path a column may declare: keeps the recursion short. */
#define MAX_PATH_LENGTH 512

/* Adds to @out (unowned) the values @path selects under @node: ".a.b",
 * ".a[0].b", ".a[*].b". An unknown or malformed step selects nothing. */
static void
path_select (JsonNode *node, const char *path, GPtrArray *out)
{
  if (node == NULL)
    return;
  if (path[0] == '\0') {
    g_ptr_array_add (out, node);
    return;
  }
  if (path[0] == '.') {
    size_t length = strcspn (path + 1, ".[");
    if (length == 0 || !JSON_NODE_HOLDS_OBJECT (node))
      return;
    g_autofree char *member = g_strndup (path + 1, length);
    path_select (json_object_get_member (json_node_get_object (node), member), path + 1 + length,
                 out);
    return;
  }
  if (path[0] == '[') {
    const char *end = strchr (path, ']');
    if (end == NULL || !JSON_NODE_HOLDS_ARRAY (node))
      return;
    JsonArray *array = json_node_get_array (node);
    guint length = json_array_get_length (array);
    g_autofree char *index_text = g_strndup (path + 1, end - path - 1);
    guint64 index = 0;
    if (strcmp (index_text, "*") == 0) {
      for (guint i = 0; i < length; i++)
        path_select (json_array_get_element (array, i), end + 1, out);
    } else if (g_ascii_string_to_unsigned (index_text, 10, 0, G_MAXUINT, &index, NULL) &&
               index < length) {
      path_select (json_array_get_element (array, (guint) index), end + 1, out);
    }
  }
}

/* Column paths may be written as in a CRD, "{.status.phase}" or with a
 * leading "$"; the core of the path in a new string, or NULL. */
static char *
path_normalize (const char *path)
{
  size_t length = strlen (path);

  if (length > MAX_PATH_LENGTH)
    return NULL;
  if (length >= 2 && path[0] == '{' && path[length - 1] == '}') {
    path++;
    length -= 2;
  }
  if (length > 0 && path[0] == '$') {
    path++;
    length--;
  }
  return g_strndup (path, length);
}

/* How a value prints in a string column: strings as they are, numbers
 * and booleans as in JSON, objects and arrays as JSON. */
static char *
value_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  return api_node_to_string (node, NULL);
}

/* A cell of @column_type from one value, as Kubernetes' custom column
 * printer: a value of another type makes an empty (null) cell. */
static JsonNode *
cell_from_value (const char *column_type, JsonNode *value)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_NONE;

  if (JSON_NODE_HOLDS_NULL (value))
    return json_node_new (JSON_NODE_NULL);
  if (strcmp (column_type, "integer") == 0) {
    if (value_type == G_TYPE_INT64)
      return json_node_copy (value);
    if (value_type == G_TYPE_DOUBLE) {
      double d = json_node_get_double (value);
      if (d >= (double) G_MININT64 && d < (double) G_MAXINT64)
        return json_node_init_int (json_node_alloc (), (gint64) d);
    }
    return json_node_new (JSON_NODE_NULL);
  }
  if (strcmp (column_type, "number") == 0) {
    if (value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE)
      return json_node_copy (value);
    return json_node_new (JSON_NODE_NULL);
  }
  if (strcmp (column_type, "boolean") == 0) {
    if (value_type == G_TYPE_BOOLEAN)
      return json_node_copy (value);
    return json_node_new (JSON_NODE_NULL);
  }
  if (strcmp (column_type, "date") == 0) {
    if (value_type != G_TYPE_STRING)
      return json_node_new (JSON_NODE_NULL);
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *age = age_since (json_node_get_string (value), now);
    return json_node_init_string (json_node_alloc (), age);
  }
  g_autofree char *text = value_text (value);
  return json_node_init_string (json_node_alloc (), text);
}

/* A cell from a hook's text: typed when the column is. */
static JsonNode *
cell_from_text (const char *column_type, const char *text)
{
  if (text == NULL)
    return json_node_new (JSON_NODE_NULL);
  if (strcmp (column_type, "integer") == 0) {
    gint64 value = 0;
    if (g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
      return json_node_init_int (json_node_alloc (), value);
  } else if (strcmp (column_type, "boolean") == 0) {
    if (strcmp (text, "true") == 0 || strcmp (text, "false") == 0)
      return json_node_init_boolean (json_node_alloc (), text[0] == 't');
  }
  return json_node_init_string (json_node_alloc (), text);
}

/* The cell of a declared column for @object. Missing values make a null
 * cell, as for a CRD's columns; kubectl prints it empty. A type that
 * wants "<none>" says so from its hook. */
static JsonNode *
column_cell (ApiTable *table,
             JsonObject *object,
             const char *name,
             const char *column_type,
             const char *json_path)
{
  if (json_path == NULL) {
    gpointer hook_data = NULL;
    const TimonResourceHooks *hooks = timon_resource_type_get_hooks (table->type, &hook_data);
    if (hooks == NULL || hooks->print_column == NULL)
      return json_node_new (JSON_NODE_NULL);
    g_autofree char *text = hooks->print_column (object, name, hook_data);
    return cell_from_text (column_type, text);
  }

  g_autofree char *path = path_normalize (json_path);
  g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), object);
  g_autoptr (GPtrArray) values = g_ptr_array_new ();
  if (path != NULL)
    path_select (root, path, values);
  if (values->len == 0)
    return json_node_new (JSON_NODE_NULL);
  if (values->len == 1)
    return cell_from_value (column_type, values->pdata[0]);
  /* Several values ([*]): one string, joined as kubectl's custom columns. */
  g_autoptr (GString) joined = g_string_new (NULL);
  for (guint i = 0; i < values->len; i++) {
    g_autofree char *text = value_text (values->pdata[i]);
    g_string_append_printf (joined, "%s%s", i > 0 ? "," : "", text);
  }
  return json_node_init_string (json_node_alloc (), joined->str);
}

/* ---- the table --------------------------------------------------------- */

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_column_definition (JsonBuilder *builder,
                       const char *name,
                       const char *column_type,
                       const char *format,
                       const char *description,
                       int priority)
{
  json_builder_begin_object (builder);
  add_string (builder, "name", name);
  add_string (builder, "type", column_type);
  /* "age" is Timon's: Kubernetes gives its Age columns no format. */
  add_string (builder, "format", format && strcmp (format, "age") != 0 ? format : "");
  add_string (builder, "description", description ? description : "");
  json_builder_set_member_name (builder, "priority");
  json_builder_add_int_value (builder, priority);
  json_builder_end_object (builder);
}

/* The declared columns of priority 0 (@wide FALSE) or more (TRUE), in
 * their order: as a definition, or as the cells of @object. */
static void
add_declared (ApiTable *table,
              JsonBuilder *builder,
              JsonObject *object,
              gboolean wide,
              GDateTime *now)
{
  guint n = timon_resource_type_get_n_columns (table->type);

  for (guint i = 0; i < n; i++) {
    const char *name, *column_type, *format, *description, *json_path;
    int priority;
    timon_resource_type_get_column (table->type, i, &name, &column_type, &format, &description,
                                    &priority, &json_path);
    if ((priority > 0) != wide)
      continue;
    if (object == NULL) {
      add_column_definition (builder, name, column_type, format, description, priority);
    } else if (g_strcmp0 (format, "age") == 0 && json_path != NULL) {
      g_autoptr (JsonNode) cell = column_cell (table, object, name, "string", json_path);
      const char *when = JSON_NODE_HOLDS_VALUE (cell) ? json_node_get_string (cell) : NULL;
      g_autofree char *age = age_since (when, now);
      json_builder_add_string_value (builder, age);
    } else {
      json_builder_add_value (builder, column_cell (table, object, name, column_type, json_path));
    }
  }
}

static JsonObject *
object_child (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
object_string (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
add_row (ApiTable *table, JsonBuilder *builder, JsonNode *node, GDateTime *now)
{
  JsonObject *object = json_node_get_object (node);
  JsonObject *metadata = object_child (object, "metadata");
  const char *name = object_string (metadata, "name");
  g_autofree char *age = age_since (object_string (metadata, "creationTimestamp"), now);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "cells");
  json_builder_begin_array (builder);
  if (!table->own_name)
    json_builder_add_string_value (builder, name ? name : "");
  add_declared (table, builder, object, FALSE, now);
  if (!table->own_age)
    json_builder_add_string_value (builder, age);
  add_declared (table, builder, object, TRUE, now);
  json_builder_end_array (builder);

  /* kubectl needs the object: -A takes the namespace from it,
   * --show-labels the labels, and --sort-by crashes without it. */
  if (table->include == INCLUDE_OBJECT) {
    json_builder_set_member_name (builder, "object");
    json_builder_add_value (builder, json_node_ref (node));
  } else if (table->include == INCLUDE_METADATA) {
    json_builder_set_member_name (builder, "object");
    json_builder_begin_object (builder);
    add_string (builder, "kind", "PartialObjectMetadata");
    add_string (builder, "apiVersion", table->api_version);
    json_builder_set_member_name (builder, "metadata");
    if (metadata != NULL) {
      json_builder_add_value (builder,
                              json_node_copy (json_object_get_member (object, "metadata")));
    } else {
      json_builder_begin_object (builder);
      json_builder_end_object (builder);
    }
    json_builder_end_object (builder);
  }
  json_builder_end_object (builder);
}

/* A Table of @objects (JSON objects of the table's type). Watch events
 * leave out the column definitions after the first (@with_columns
 * FALSE): kubectl keeps those of the list. */
JsonNode *
api_table_build (ApiTable *table,
                 JsonNode *const *objects,
                 guint n_objects,
                 const char *resource_version,
                 const char *continue_token,
                 gboolean with_columns)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  json_builder_begin_object (builder);
  add_string (builder, "kind", "Table");
  add_string (builder, "apiVersion", table->api_version);
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  if (resource_version != NULL)
    add_string (builder, "resourceVersion", resource_version);
  if (continue_token != NULL)
    add_string (builder, "continue", continue_token);
  json_builder_end_object (builder);

  if (with_columns) {
    json_builder_set_member_name (builder, "columnDefinitions");
    json_builder_begin_array (builder);
    if (!table->own_name)
      add_column_definition (builder, "Name", "string", "name", NAME_DESCRIPTION, 0);
    add_declared (table, builder, NULL, FALSE, now);
    if (!table->own_age)
      add_column_definition (builder, "Age", "string", "", AGE_DESCRIPTION, 0);
    add_declared (table, builder, NULL, TRUE, now);
    json_builder_end_array (builder);
  }

  json_builder_set_member_name (builder, "rows");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_objects; i++) {
    if (objects[i] != NULL && JSON_NODE_HOLDS_OBJECT (objects[i]))
      add_row (table, builder, objects[i], now);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
