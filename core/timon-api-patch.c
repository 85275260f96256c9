/* timon-api-patch.c: the patch documents of PATCH, as pure functions
 * over JSON: they read their inputs and return new documents, so that
 * an update that conflicts can apply the same patch again to the object
 * it reads anew, and so that they are tested on their own
 * (tests/api/test-patch.c).
 *
 * - application/merge-patch+json: RFC 7386, JSON merge patch;
 * - application/json-patch+json: RFC 6902, JSON patch (add, remove,
 *   replace, move, copy, test), with RFC 6901 pointers.
 *
 * Errors are Kubernetes' (handlers/patch.go): a patch document that is
 * not one is 400 BadRequest; a JSON patch that does not apply to the
 * object (a path that is not there, a test that fails, an operation
 * that is unknown or lacks a member) is 422 Invalid, whose Status says
 * "the server rejected our request due to an error in our request"
 * (api_patch_error_status()); more than 10,000 operations are 413.
 * Strategic merge patch and server-side apply are not served yet: 415
 * UnsupportedMediaType, naming the types that are.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

#define SUPPORTED_TYPES                                                                       \
  "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, " \
  "application/strategic-merge-patch+json"

/* ---- JSON values -------------------------------------------------------- */

/* A copy that shares nothing with @node, members in their order:
 * json_node_copy() shares the objects and arrays it holds, and patches
 * edit their copy. */
JsonNode *
api_json_deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *object = json_object_new ();
    JsonObjectIter iter;
    const char *member;
    JsonNode *value;
    json_object_iter_init_ordered (&iter, json_node_get_object (node));
    while (json_object_iter_next_ordered (&iter, &member, &value))
      json_object_set_member (object, member, api_json_deep_copy (value));
    JsonNode *copy = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (copy, object);
    return copy;
  }
  if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *source = json_node_get_array (node);
    JsonArray *array = json_array_sized_new (json_array_get_length (source));
    for (guint i = 0; i < json_array_get_length (source); i++)
      json_array_add_element (array, api_json_deep_copy (json_array_get_element (source, i)));
    JsonNode *copy = json_node_new (JSON_NODE_ARRAY);
    json_node_take_array (copy, array);
    return copy;
  }
  return json_node_copy (node);
}

static gboolean
is_number (JsonNode *node)
{
  GType type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* RFC 6902's equality, for "test": numbers by value (1 equals 1.0),
 * objects whatever the order of their members, arrays element by
 * element. */
gboolean
api_json_equal (JsonNode *a, JsonNode *b)
{
  JsonNodeType type = JSON_NODE_TYPE (a);

  if (type != JSON_NODE_TYPE (b))
    return FALSE;
  switch (type) {
  case JSON_NODE_NULL:
    return TRUE;
  case JSON_NODE_OBJECT: {
    JsonObject *x = json_node_get_object (a);
    JsonObject *y = json_node_get_object (b);
    if (json_object_get_size (x) != json_object_get_size (y))
      return FALSE;
    JsonObjectIter iter;
    const char *member;
    JsonNode *value;
    json_object_iter_init (&iter, x);
    while (json_object_iter_next (&iter, &member, &value)) {
      JsonNode *other = json_object_get_member (y, member);
      if (other == NULL || !api_json_equal (value, other))
        return FALSE;
    }
    return TRUE;
  }
  case JSON_NODE_ARRAY: {
    JsonArray *x = json_node_get_array (a);
    JsonArray *y = json_node_get_array (b);
    guint n = json_array_get_length (x);
    if (n != json_array_get_length (y))
      return FALSE;
    for (guint i = 0; i < n; i++) {
      if (!api_json_equal (json_array_get_element (x, i), json_array_get_element (y, i)))
        return FALSE;
    }
    return TRUE;
  }
  case JSON_NODE_VALUE:
    break;
  }
  if (is_number (a) && is_number (b)) {
    if (json_node_get_value_type (a) == G_TYPE_INT64 &&
        json_node_get_value_type (b) == G_TYPE_INT64)
      return json_node_get_int (a) == json_node_get_int (b);
    return json_node_get_double (a) == json_node_get_double (b);
  }
  if (json_node_get_value_type (a) != json_node_get_value_type (b))
    return FALSE;
  if (json_node_get_value_type (a) == G_TYPE_STRING)
    return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
  if (json_node_get_value_type (a) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (a) == json_node_get_boolean (b);
  return FALSE;
}

/* ---- RFC 7386: JSON merge patch ----------------------------------------- */

/* RFC 7386's MergePatch(Target, Patch), section 2: a new document; a
 * missing @target (%NULL) is taken as absent. */
JsonNode *
api_merge_patch (JsonNode *target, JsonNode *patch)
{
  g_return_val_if_fail (patch != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (patch))
    return api_json_deep_copy (patch);

  JsonNode *result = NULL;
  if (target != NULL && JSON_NODE_HOLDS_OBJECT (target)) {
    result = api_json_deep_copy (target);
  } else {
    /* RFC 7386: what is not an object is replaced by an empty one. */
    result = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (result, json_object_new ());
  }
  JsonObject *object = json_node_get_object (result);
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  json_object_iter_init_ordered (&iter, json_node_get_object (patch));
  while (json_object_iter_next_ordered (&iter, &member, &value)) {
    if (JSON_NODE_HOLDS_NULL (value)) {
      json_object_remove_member (object, member);
      continue;
    }
    JsonNode *merged = api_merge_patch (json_object_get_member (object, member), value);
    json_object_set_member (object, member, merged);
  }
  return result;
}

/* ---- RFC 6901: JSON pointers -------------------------------------------- */

/* The reference tokens of @pointer, unescaped ("~1" is '/', "~0" is
 * '~'); none for "", the whole document. */
static GStrv
pointer_parse (const char *pointer, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (pointer[0] == '\0')
    return g_strv_builder_end (builder);
  if (pointer[0] != '/') {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_INVALID,
                 "\"%s\" is not a JSON pointer: it must be empty or start with '/'", pointer);
    return NULL;
  }
  /* Each '/' starts a token, maybe empty ("/" has one: ""). */
  for (const char *start = pointer + 1;;) {
    const char *slash = strchr (start, '/');
    const char *end = slash != NULL ? slash : start + strlen (start);
    g_autoptr (GString) token = g_string_new (NULL);
    for (const char *c = start; c < end; c++) {
      if (*c != '~') {
        g_string_append_c (token, *c);
      } else if (c + 1 < end && (c[1] == '0' || c[1] == '1')) {
        g_string_append_c (token, c[1] == '0' ? '~' : '/');
        c++;
      } else {
        g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_INVALID,
                     "\"%s\" is not a JSON pointer: '~' must be followed by '0' or '1'", pointer);
        return NULL;
      }
    }
    g_strv_builder_add (builder, token->str);
    if (slash == NULL)
      break;
    start = slash + 1;
  }
  return g_strv_builder_end (builder);
}

/* An array index token: "0" or digits without a leading zero, below
 * @length; or, with @allow_end, @length itself or "-" (after the last
 * element, where "add" appends). */
static gboolean
parse_index (const char *token, guint length, gboolean allow_end, guint *out)
{
  guint64 value = 0;

  if (allow_end && strcmp (token, "-") == 0) {
    *out = length;
    return TRUE;
  }
  if (token[0] == '\0' || (token[0] == '0' && token[1] != '\0'))
    return FALSE;
  for (const char *c = token; *c != '\0'; c++) {
    if (!g_ascii_isdigit (*c))
      return FALSE;
  }
  if (!g_ascii_string_to_unsigned (token, 10, 0, G_MAXUINT, &value, NULL))
    return FALSE;
  if (value > length || (value == length && !allow_end))
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

/* The value at the first @n tokens, or %NULL if there is none. */
static JsonNode *
pointer_get (JsonNode *root, char *const *tokens, guint n)
{
  JsonNode *node = root;

  for (guint i = 0; i < n && node != NULL; i++) {
    if (JSON_NODE_HOLDS_OBJECT (node)) {
      node = json_object_get_member (json_node_get_object (node), tokens[i]);
    } else if (JSON_NODE_HOLDS_ARRAY (node)) {
      JsonArray *array = json_node_get_array (node);
      guint index = 0;
      if (!parse_index (tokens[i], json_array_get_length (array), FALSE, &index))
        return NULL;
      node = json_array_get_element (array, index);
    } else {
      return NULL;
    }
  }
  return node;
}

/* ---- RFC 6902: JSON patch ----------------------------------------------- */

/* Inserts @value (taken) into @array at @index (at most its length):
 * json-glib only appends, so what follows is taken off and put back. */
static void
array_insert (JsonArray *array, guint index, JsonNode *value)
{
  guint length = json_array_get_length (array);
  g_autoptr (GPtrArray) tail = g_ptr_array_new ();

  for (guint i = index; i < length; i++)
    g_ptr_array_add (tail, json_node_ref (json_array_get_element (array, i)));
  for (guint i = length; i > index; i--)
    json_array_remove_element (array, i - 1);
  json_array_add_element (array, value);
  for (guint i = 0; i < tail->len; i++)
    json_array_add_element (array, tail->pdata[i]);
}

typedef struct {
  JsonNode *root; /* the document being patched (owned) */
  guint index;    /* the operation, for messages */
  const char *op;
} Patching;

static void patch_error (Patching *p, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
patch_error (Patching *p, GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_INVALID, "operation %u (%s): %s", p->index,
               p->op, message);
}

/* The container of the last token of @path, which must exist and be an
 * object or an array. */
static JsonNode *
find_parent (Patching *p, const char *path, char *const *tokens, guint n, GError **error)
{
  JsonNode *parent = pointer_get (p->root, tokens, n - 1);
  if (parent == NULL) {
    patch_error (p, error, "the document is missing the parent of path \"%s\"", path);
    return NULL;
  }
  if (!JSON_NODE_HOLDS_OBJECT (parent) && !JSON_NODE_HOLDS_ARRAY (parent)) {
    patch_error (p, error, "the parent of path \"%s\" is neither an object nor an array", path);
    return NULL;
  }
  return parent;
}

/* RFC 6902 4.1 add: @value (taken) at @path, which may be new. */
static gboolean
op_add (Patching *p, const char *path, JsonNode *value, GError **error)
{
  g_autoptr (JsonNode) owned = value;
  g_auto (GStrv) tokens = pointer_parse (path, error);
  if (tokens == NULL)
    return FALSE;
  guint n = g_strv_length (tokens);
  if (n == 0) {
    json_node_unref (p->root);
    p->root = g_steal_pointer (&owned);
    return TRUE;
  }
  JsonNode *parent = find_parent (p, path, tokens, n, error);
  if (parent == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (parent)) {
    json_object_set_member (json_node_get_object (parent), tokens[n - 1], g_steal_pointer (&owned));
    return TRUE;
  }
  JsonArray *array = json_node_get_array (parent);
  guint index = 0;
  if (!parse_index (tokens[n - 1], json_array_get_length (array), TRUE, &index)) {
    patch_error (p, error, "\"%s\" is not an index of the array at \"%s\" (length %u)",
                 tokens[n - 1], path, json_array_get_length (array));
    return FALSE;
  }
  array_insert (array, index, g_steal_pointer (&owned));
  return TRUE;
}

/* RFC 6902 4.2 remove: the value at @path, which must exist; returned
 * when @out_removed is given. */
static gboolean
op_remove (Patching *p, const char *path, JsonNode **out_removed, GError **error)
{
  g_auto (GStrv) tokens = pointer_parse (path, error);
  if (tokens == NULL)
    return FALSE;
  guint n = g_strv_length (tokens);
  if (n == 0) {
    patch_error (p, error, "the whole document cannot be removed");
    return FALSE;
  }
  JsonNode *parent = find_parent (p, path, tokens, n, error);
  if (parent == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (parent)) {
    JsonObject *object = json_node_get_object (parent);
    JsonNode *value = json_object_get_member (object, tokens[n - 1]);
    if (value == NULL) {
      patch_error (p, error, "the document is missing path \"%s\"", path);
      return FALSE;
    }
    if (out_removed != NULL)
      *out_removed = json_node_ref (value);
    json_object_remove_member (object, tokens[n - 1]);
    return TRUE;
  }
  JsonArray *array = json_node_get_array (parent);
  guint index = 0;
  if (!parse_index (tokens[n - 1], json_array_get_length (array), FALSE, &index)) {
    patch_error (p, error, "the document is missing path \"%s\"", path);
    return FALSE;
  }
  if (out_removed != NULL)
    *out_removed = json_node_ref (json_array_get_element (array, index));
  json_array_remove_element (array, index);
  return TRUE;
}

/* RFC 6902 4.3 replace: as a remove, then an add, at @path, which must
 * exist; a member keeps its place among the others. */
static gboolean
op_replace (Patching *p, const char *path, JsonNode *value, GError **error)
{
  g_autoptr (JsonNode) owned = value;
  g_auto (GStrv) tokens = pointer_parse (path, error);
  if (tokens == NULL)
    return FALSE;
  guint n = g_strv_length (tokens);
  if (n == 0) {
    json_node_unref (p->root);
    p->root = g_steal_pointer (&owned);
    return TRUE;
  }
  JsonNode *parent = find_parent (p, path, tokens, n, error);
  if (parent == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (parent)) {
    JsonObject *object = json_node_get_object (parent);
    if (!json_object_has_member (object, tokens[n - 1])) {
      patch_error (p, error, "the document is missing path \"%s\"", path);
      return FALSE;
    }
    json_object_set_member (object, tokens[n - 1], g_steal_pointer (&owned));
    return TRUE;
  }
  JsonArray *array = json_node_get_array (parent);
  guint index = 0;
  if (!parse_index (tokens[n - 1], json_array_get_length (array), FALSE, &index)) {
    patch_error (p, error, "the document is missing path \"%s\"", path);
    return FALSE;
  }
  json_array_remove_element (array, index);
  array_insert (array, index, g_steal_pointer (&owned));
  return TRUE;
}

/* Whether @prefix names a proper ancestor of @path ("/a" of "/a/b",
 * not of "/ab"): a value cannot be moved into itself. */
static gboolean
is_proper_prefix (const char *prefix, const char *path)
{
  size_t n = strlen (prefix);
  return strncmp (prefix, path, n) == 0 && path[n] == '/';
}

static gboolean
op_move (Patching *p, const char *from, const char *path, GError **error)
{
  g_auto (GStrv) tokens = pointer_parse (from, error);
  if (tokens == NULL)
    return FALSE;
  if (is_proper_prefix (from, path)) {
    patch_error (p, error, "\"%s\" cannot be moved into its own child \"%s\"", from, path);
    return FALSE;
  }
  if (pointer_get (p->root, tokens, g_strv_length (tokens)) == NULL) {
    patch_error (p, error, "the document is missing from path \"%s\"", from);
    return FALSE;
  }
  if (strcmp (from, path) == 0)
    return TRUE;
  JsonNode *value = NULL;
  return op_remove (p, from, &value, error) && op_add (p, path, value, error);
}

static gboolean
op_copy (Patching *p, const char *from, const char *path, GError **error)
{
  g_auto (GStrv) tokens = pointer_parse (from, error);
  if (tokens == NULL)
    return FALSE;
  JsonNode *value = pointer_get (p->root, tokens, g_strv_length (tokens));
  if (value == NULL) {
    patch_error (p, error, "the document is missing from path \"%s\"", from);
    return FALSE;
  }
  return op_add (p, path, api_json_deep_copy (value), error);
}

static gboolean
op_test (Patching *p, const char *path, JsonNode *value, GError **error)
{
  g_auto (GStrv) tokens = pointer_parse (path, error);
  if (tokens == NULL)
    return FALSE;
  JsonNode *current = pointer_get (p->root, tokens, g_strv_length (tokens));
  if (current == NULL) {
    patch_error (p, error, "testing value %s failed: the document is missing path \"%s\"", path,
                 path);
    return FALSE;
  }
  if (!api_json_equal (current, value)) {
    patch_error (p, error, "testing value %s failed: test failed", path);
    return FALSE;
  }
  return TRUE;
}

/* A string member of an operation, which must be there. */
static const char *
op_string (Patching *p, JsonObject *operation, const char *member, GError **error)
{
  JsonNode *node = json_object_get_member (operation, member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING) {
    patch_error (p, error, "\"%s\" must be a string", member);
    return NULL;
  }
  return json_node_get_string (node);
}

static gboolean
apply_operation (Patching *p, JsonObject *operation, GError **error)
{
  JsonNode *op_node = json_object_get_member (operation, "op");
  if (op_node == NULL || json_node_get_value_type (op_node) != G_TYPE_STRING) {
    p->op = "?";
    patch_error (p, error, "\"op\" must be one of add, remove, replace, move, copy, test");
    return FALSE;
  }
  const char *op = p->op = json_node_get_string (op_node);
  gboolean add = strcmp (op, "add") == 0, replace = strcmp (op, "replace") == 0;
  gboolean test = strcmp (op, "test") == 0;
  gboolean move = strcmp (op, "move") == 0, copy = strcmp (op, "copy") == 0;

  if (!add && !replace && !test && !move && !copy && strcmp (op, "remove") != 0) {
    patch_error (p, error,
                 "unknown operation: \"op\" must be one of add, remove, replace, move, "
                 "copy, test");
    return FALSE;
  }
  const char *path = op_string (p, operation, "path", error);
  if (path == NULL)
    return FALSE;
  if (move || copy) {
    const char *from = op_string (p, operation, "from", error);
    if (from == NULL)
      return FALSE;
    return move ? op_move (p, from, path, error) : op_copy (p, from, path, error);
  }
  if (!add && !replace && !test)
    return op_remove (p, path, NULL, error);
  /* null is a value: only a missing member is refused. */
  JsonNode *value = json_object_get_member (operation, "value");
  if (value == NULL) {
    patch_error (p, error, "\"value\" is missing");
    return FALSE;
  }
  if (test)
    return op_test (p, path, value, error);
  /* The patch stays as it was: a retry applies it again. */
  return add ? op_add (p, path, api_json_deep_copy (value), error)
             : op_replace (p, path, api_json_deep_copy (value), error);
}

/* RFC 6902: applies the operations of @patch, in order, to a copy of
 * @target; all of them or, on the first that fails, none. */
JsonNode *
api_json_patch (JsonNode *target, JsonNode *patch, GError **error)
{
  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (patch != NULL, NULL);

  if (!JSON_NODE_HOLDS_ARRAY (patch)) {
    g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                         "a JSON patch must be a JSON array of operations");
    return NULL;
  }
  JsonArray *operations = json_node_get_array (patch);
  guint n = json_array_get_length (operations);
  if (n > API_PATCH_MAX_OPERATIONS) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_REQUEST_ENTITY_TOO_LARGE,
                 "The allowed maximum operations in a JSON patch is %d, got %u",
                 API_PATCH_MAX_OPERATIONS, n);
    return NULL;
  }
  for (guint i = 0; i < n; i++) {
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (operations, i))) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                   "a JSON patch must be a JSON array of operations: element %u is not an object",
                   i);
      return NULL;
    }
  }

  Patching p = { api_json_deep_copy (target), 0, NULL };
  for (guint i = 0; i < n; i++) {
    p.index = i;
    p.op = NULL;
    if (!apply_operation (&p, json_array_get_object_element (operations, i), error)) {
      json_node_unref (p.root);
      return NULL;
    }
  }
  return p.root;
}

/* ---- the patch types ---------------------------------------------------- */

/* The patch type of a request's Content-Type (its parameters left out);
 * %FALSE with a 415 error for those not served. */
gboolean
api_patch_type_from_content_type (const char *content_type, ApiPatchType *out_type, GError **error)
{
  static const struct {
    const char *media;
    ApiPatchType type;
  } types[] = {
    { "application/json-patch+json", API_PATCH_JSON },
    { "application/merge-patch+json", API_PATCH_MERGE },
    { "application/strategic-merge-patch+json", API_PATCH_STRATEGIC },
    { "application/apply-patch+yaml", API_PATCH_APPLY },
  };
  static const char *const later[] = { "application/apply-patch+cbor", NULL };

  for (size_t i = 0; content_type != NULL && i < G_N_ELEMENTS (types); i++) {
    if (g_ascii_strcasecmp (content_type, types[i].media) == 0) {
      *out_type = types[i].type;
      return TRUE;
    }
  }
  /* Kubernetes' words first, which clients may match; then what to do. */
  for (const char *const *l = later; content_type != NULL && *l != NULL; l++) {
    if (g_ascii_strcasecmp (content_type, *l) == 0) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                   "the body of the request was in an unknown format - accepted media types "
                   "include: " SUPPORTED_TYPES " (%s is not supported yet: use a JSON merge "
                   "patch or a JSON patch, such as kubectl patch --type merge or --type json)",
                   *l);
      return FALSE;
    }
  }
  g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                       "the body of the request was in an unknown format - accepted media types "
                       "include: " SUPPORTED_TYPES);
  return FALSE;
}

/* Applies @patch, of @type, to @target: a new document, or %NULL with
 * @error. A merge patch must be a JSON object, as what it patches is. */
JsonNode *
api_patch_apply (ApiPatchType type, JsonNode *target, JsonNode *patch, GError **error)
{
  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (patch != NULL, NULL);

  switch (type) {
  case API_PATCH_MERGE:
    if (!JSON_NODE_HOLDS_OBJECT (patch)) {
      g_set_error_literal (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                           "a JSON merge patch of an object must be a JSON object");
      return NULL;
    }
    return api_merge_patch (target, patch);
  case API_PATCH_JSON:
    return api_json_patch (target, patch, error);
  case API_PATCH_STRATEGIC:
  case API_PATCH_APPLY:
    /* timon-api-smp.c and timon-api-apply.c: they need the type's
     * schema, which these pure functions know nothing of. */
    break;
  }
  g_return_val_if_reached (NULL);
}

/* The Status of a patch that failed. Kubernetes answers a JSON patch
 * that does not apply with a generic 422 Invalid, "the server rejected
 * our request due to an error in our request", and drops the reason;
 * Timon keeps it, as a cause on the field "patch" (where Kubernetes puts
 * the patches it cannot decode), which kubectl prints after its "The
 * request is invalid". */
JsonNode *
api_patch_error_status (const GError *error)
{
  if (!g_error_matches (error, TIMON_API_ERROR, TIMON_API_ERROR_INVALID))
    return timon_status_new_from_error (error, NULL, NULL, NULL);

  g_autoptr (GError) generic =
    g_error_new_literal (TIMON_API_ERROR, TIMON_API_ERROR_INVALID,
                         "the server rejected our request due to an error in our request");
  JsonNode *status = timon_status_new_from_error (generic, NULL, NULL, NULL);
  JsonObject *object = json_node_get_object (status);
  JsonObject *details = json_object_new ();
  JsonArray *causes = json_array_new ();
  JsonObject *cause = json_object_new ();
  json_object_set_string_member (cause, "reason", "FieldValueInvalid");
  json_object_set_string_member (cause, "message", error->message);
  json_object_set_string_member (cause, "field", "patch");
  json_array_add_object_element (causes, cause);
  json_object_set_array_member (details, "causes", causes);
  json_object_set_object_member (object, "details", details);
  return status;
}
