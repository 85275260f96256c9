/* timon-api-filter.c: the label and field selectors of a list or watch.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

void
api_filter_free (ApiFilter *filter)
{
  g_clear_pointer (&filter->labels, timon_label_selector_unref);
  g_clear_pointer (&filter->fields, timon_field_selector_unref);
  g_free (filter);
}

/* Parses ?labelSelector= and ?fieldSelector=; a selector that does not
 * parse is the client's mistake, a 400 BadRequest. */
ApiFilter *
api_filter_new (TimonResourceType *type, GHashTable *query, GError **error)
{
  g_autoptr (ApiFilter) filter = g_new0 (ApiFilter, 1);
  g_autoptr (GError) local = NULL;
  const char *labels = query ? g_hash_table_lookup (query, "labelSelector") : NULL;
  const char *fields = query ? g_hash_table_lookup (query, "fieldSelector") : NULL;

  filter->type = type;
  if (labels != NULL && labels[0] != '\0') {
    filter->labels = timon_label_selector_parse (labels, &local);
    if (filter->labels == NULL) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                   "unable to parse requirement: %s", local->message);
      return NULL;
    }
  }
  if (fields != NULL && fields[0] != '\0') {
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
    g_strv_builder_add_many (builder, "metadata.name", "metadata.namespace", NULL);
    g_strv_builder_addv (builder, (const char **) timon_resource_type_get_selectable_fields (type));
    g_auto (GStrv) allowed = g_strv_builder_end (builder);
    filter->fields = timon_field_selector_parse (fields, (const char *const *) allowed, &local);
    if (filter->fields == NULL) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST, "%s", local->message);
      return NULL;
    }
  }
  return g_steal_pointer (&filter);
}

/* ---- attributes --------------------------------------------------------- */

/* What selectors look at, taken from an object once: the watch cache
 * keeps it beside each object, so that matching a thousand watchers'
 * selectors parses nothing. One allocation: the label pairs, a NULL,
 * then the value of each field of api_filter_fields(), "" when absent
 * (a missing field compares as the empty string). */

static const char *const *
filter_fields (TimonResourceType *type, guint *out_n)
{
  const char *const *selectable = timon_resource_type_get_selectable_fields (type);
  *out_n = 2 + (selectable != NULL ? g_strv_length ((char **) selectable) : 0);
  return selectable;
}

static const char *
field_name (const char *const *selectable, guint index)
{
  if (index == 0)
    return "metadata.name";
  if (index == 1)
    return "metadata.namespace";
  return selectable[index - 2];
}

char **
api_attrs_new (TimonResourceType *type, JsonObject *object)
{
  JsonObject *metadata = api_object_child (object, "metadata");
  JsonObject *labels = metadata != NULL ? api_object_child (metadata, "labels") : NULL;
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  guint n_fields;
  const char *const *selectable = filter_fields (type, &n_fields);
  gpointer hook_data = NULL;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &hook_data);

  if (labels != NULL) {
    JsonObjectIter iter;
    const char *key;
    JsonNode *value;
    json_object_iter_init (&iter, labels);
    while (json_object_iter_next (&iter, &key, &value)) {
      if (json_node_get_value_type (value) != G_TYPE_STRING)
        continue;
      g_ptr_array_add (parts, g_strdup (key));
      g_ptr_array_add (parts, g_strdup (json_node_get_string (value)));
    }
  }
  g_ptr_array_add (parts, NULL);
  for (guint i = 0; i < n_fields; i++) {
    const char *name = field_name (selectable, i);
    char *value = NULL;
    if (i < 2)
      value =
        g_strdup (metadata ? api_object_string (metadata, name + strlen ("metadata.")) : NULL);
    else if (hooks != NULL && hooks->get_field != NULL)
      value = hooks->get_field (object, name, hook_data);
    g_ptr_array_add (parts, value != NULL ? value : g_strdup (""));
  }

  gsize size = (parts->len + 1) * sizeof (char *);
  for (guint i = 0; i < parts->len; i++)
    size += parts->pdata[i] != NULL ? strlen (parts->pdata[i]) + 1 : 0;
  char **attrs = g_malloc (size);
  char *text = (char *) (attrs + parts->len + 1);
  for (guint i = 0; i < parts->len; i++) {
    const char *part = parts->pdata[i];
    if (part == NULL) {
      attrs[i] = NULL;
      continue;
    }
    gsize length = strlen (part) + 1;
    attrs[i] = memcpy (text, part, length);
    text += length;
  }
  attrs[parts->len] = NULL;
  return attrs;
}

/* The value of a selectable @field in @attrs, or NULL when @type has no
 * such field. */
const char *
api_attrs_get_field (char *const *attrs, TimonResourceType *type, const char *field)
{
  guint n_fields;
  const char *const *selectable = filter_fields (type, &n_fields);
  guint i = 0;

  while (attrs[i] != NULL)
    i += 2;
  for (guint j = 0; j < n_fields; j++) {
    if (strcmp (field_name (selectable, j), field) == 0)
      return attrs[i + 1 + j];
  }
  return NULL;
}

typedef struct {
  ApiFilter *filter;
  char *const *values; /* the attributes' field values */
} FieldLookup;

static const char *
get_field (const char *field, gpointer user_data)
{
  FieldLookup *lookup = user_data;
  guint n_fields;
  const char *const *selectable = filter_fields (lookup->filter->type, &n_fields);

  for (guint i = 0; i < n_fields; i++) {
    if (strcmp (field_name (selectable, i), field) == 0)
      return lookup->values[i];
  }
  return NULL;
}

gboolean
api_filter_matches_attrs (ApiFilter *filter, char *const *attrs)
{
  guint i = 0;

  if (filter->labels != NULL) {
    g_autoptr (GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);
    for (; attrs[i] != NULL; i += 2)
      g_hash_table_insert (labels, attrs[i], attrs[i + 1]);
    if (!timon_label_selector_matches (filter->labels, labels))
      return FALSE;
  }
  if (filter->fields != NULL) {
    while (attrs[i] != NULL)
      i += 2;
    FieldLookup lookup = { filter, attrs + i + 1 };
    if (!timon_field_selector_matches (filter->fields, get_field, &lookup))
      return FALSE;
  }
  return TRUE;
}

gboolean
api_filter_is_empty (ApiFilter *filter)
{
  return filter->labels == NULL && filter->fields == NULL;
}

gboolean
api_filter_matches (ApiFilter *filter, JsonObject *object)
{
  if (api_filter_is_empty (filter))
    return TRUE;
  g_autofree char **attrs = api_attrs_new (filter->type, object);
  return api_filter_matches_attrs (filter, attrs);
}

/* ---- list options ---------------------------------------------------------- */

/* Kubernetes' Convert_Slice_string_To_bool: a parameter given is true
 * unless it is "false" or "0" (any case); never an error. */
gboolean
api_query_bool (GHashTable *query, const char *name)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  /* Kubernetes' Convert_Slice_string_To_bool: "0", "f" and "false" in
   * any case are false, anything else (a bare "?watch" too) true. */
  return value != NULL && g_ascii_strcasecmp (value, "false") != 0 &&
         g_ascii_strcasecmp (value, "f") != 0 && strcmp (value, "0") != 0;
}

static ApiTristate
query_tristate (GHashTable *query, const char *name)
{
  if (query == NULL || !g_hash_table_contains (query, name))
    return API_TRISTATE_UNSET;
  return api_query_bool (query, name) ? API_TRISTATE_TRUE : API_TRISTATE_FALSE;
}

/* An integer parameter, read as Kubernetes does (strconv.ParseInt): a
 * parameter given, even empty, must be one, and its error is Go's.
 * Leaves @out alone when the parameter is not there. */
static gboolean
query_int64 (GHashTable *query, const char *name, gint64 *out, GError **error)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  g_autoptr (GError) local = NULL;

  if (value == NULL || g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, out, &local))
    return TRUE;
  g_autofree char *quoted = g_strescape (value, NULL);
  g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
               "strconv.ParseInt: parsing \"%s\": %s", quoted,
               g_error_matches (local, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS)
                 ? "value out of range"
                 : "invalid syntax");
  return FALSE;
}

/* Parses what a list or watch asks for, and checks it as Kubernetes'
 * ValidateListOptions() does: a combination it forbids is a 422 Invalid
 * of a ListOptions. Replies and returns %FALSE when the request is
 * refused. */
gboolean
api_list_options_parse (ApiListOptions *options, GHashTable *query, gboolean watch, ApiMessage *msg)
{
  g_autoptr (GError) error = NULL;
  const char *rv = query ? g_hash_table_lookup (query, "resourceVersion") : NULL;
  const char *match = query ? g_hash_table_lookup (query, "resourceVersionMatch") : NULL;
  const char *token = query ? g_hash_table_lookup (query, "continue") : NULL;
  gint64 limit = 0, timeout = 0;
  g_autoptr (TimonFieldErrors) invalid = NULL;

  memset (options, 0, sizeof *options);
  options->revision = -1;
  if (rv != NULL && rv[0] != '\0') {
    guint64 value;
    if (!g_ascii_string_to_unsigned (rv, 10, 0, G_MAXINT64, &value, NULL)) {
      g_set_error (&error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                   "invalid resource version \"%s\"", rv);
      goto bad;
    }
    options->revision = (gint64) value;
  }
  /* Kubernetes decodes every ListOptions field, timeoutSeconds of a list
   * too; a limit of 0 or less is no limit (the stores page when it is
   * above 0). */
  if (!query_int64 (query, "limit", &limit, &error) ||
      !query_int64 (query, "timeoutSeconds", &timeout, &error))
    goto bad;
  options->limit = (guint) CLAMP (limit, 0, G_MAXUINT);
  options->continue_token = token != NULL && token[0] != '\0' ? token : NULL;
  options->send_initial = query_tristate (query, "sendInitialEvents");
  options->allow_bookmarks = api_query_bool (query, "allowWatchBookmarks");

  invalid = timon_field_errors_new ();
  gboolean has_match = match != NULL && match[0] != '\0';
  if (has_match && strcmp (match, "Exact") == 0)
    options->match = API_MATCH_EXACT;
  else if (has_match && strcmp (match, "NotOlderThan") == 0)
    options->match = API_MATCH_NOT_OLDER_THAN;

  if (watch) {
    if (options->send_initial != API_TRISTATE_UNSET && options->match != API_MATCH_NOT_OLDER_THAN)
      timon_field_errors_add (invalid, TIMON_FIELD_ERROR_FORBIDDEN, "resourceVersionMatch", NULL,
                              "sendInitialEvents requires setting resourceVersionMatch to "
                              "NotOlderThan");
    if (has_match) {
      if (options->send_initial == API_TRISTATE_UNSET)
        timon_field_errors_add (invalid, TIMON_FIELD_ERROR_FORBIDDEN, "resourceVersionMatch", NULL,
                                "resourceVersionMatch is forbidden for watch unless "
                                "sendInitialEvents is provided");
      if (options->match != API_MATCH_NOT_OLDER_THAN)
        timon_field_errors_add (invalid, TIMON_FIELD_ERROR_NOT_SUPPORTED, "resourceVersionMatch",
                                match, "supported values: \"NotOlderThan\"");
      if (options->continue_token != NULL)
        timon_field_errors_add (invalid, TIMON_FIELD_ERROR_FORBIDDEN, "resourceVersionMatch", NULL,
                                "resourceVersionMatch is forbidden when continue is provided");
    }
  } else {
    if (has_match) {
      if (options->revision < 0)
        timon_field_errors_add (invalid, TIMON_FIELD_ERROR_FORBIDDEN, "resourceVersionMatch", NULL,
                                "resourceVersionMatch is forbidden unless resourceVersion is "
                                "provided");
      if (options->continue_token != NULL)
        timon_field_errors_add (invalid, TIMON_FIELD_ERROR_FORBIDDEN, "resourceVersionMatch", NULL,
                                "resourceVersionMatch is forbidden when continue is provided");
      if (options->match == API_MATCH_UNSET)
        timon_field_errors_add (invalid, TIMON_FIELD_ERROR_NOT_SUPPORTED, "resourceVersionMatch",
                                match, "supported values: \"Exact\", \"NotOlderThan\", \"\"");
      if (options->match == API_MATCH_EXACT && options->revision == 0)
        timon_field_errors_add (invalid, TIMON_FIELD_ERROR_FORBIDDEN, "resourceVersionMatch", NULL,
                                "resourceVersionMatch \"exact\" is forbidden for resourceVersion "
                                "\"0\"");
    }
    if (options->send_initial != API_TRISTATE_UNSET)
      timon_field_errors_add (invalid, TIMON_FIELD_ERROR_FORBIDDEN, "sendInitialEvents", NULL,
                              "sendInitialEvents is forbidden for list");
  }
  if (timon_field_errors_get_length (invalid) > 0) {
    api_reply_status (msg, timon_status_new_invalid ("meta.k8s.io", "ListOptions", "", invalid));
    return FALSE;
  }
  return TRUE;

bad:
  api_reply_error (msg, error, NULL, NULL);
  return FALSE;
}
