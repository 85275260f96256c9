/* timon-api-decode.c: what Kubernetes' decoder refuses in a request
 * body before anything reads it, with the words of Go's encoding/json,
 * which clients see in Kubernetes' 400s:
 *
 * - JSON nested deeper than 10,000 levels, or followed by more than
 *   whitespace (api_json_check_shape()). json-glib's parser recurses
 *   once per level, so a deep body would overflow the stack of the
 *   thread that parses it; and of several values it keeps one and leaks
 *   the others. A scan that knows strings and escapes is enough for
 *   both: the parser still checks the syntax.
 * - ObjectMeta members of the wrong JSON type (api_check_object_meta()):
 *   json.Unmarshal fails on them, where timond would take or drop them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"

/* ---- the shape of a JSON document ------------------------------------- */

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gsize
skip_space (const char *data, gsize length, gsize i)
{
  while (i < length && is_space (data[i]))
    i++;
  return i;
}

/* The index of the quote that ends the string opened at @i, or @length
 * when it does not end. */
static gsize
skip_string (const char *data, gsize length, gsize i)
{
  for (i++; i < length; i++) {
    if (data[i] == '\\')
      i++;
    else if (data[i] == '"')
      return i;
  }
  return length;
}

/* What ends a number or a literal (true, false, null). */
static gboolean
ends_token (char c)
{
  return is_space (c) || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':' ||
         c == '"';
}

/* Go's quoteChar(): how a SyntaxError names the byte @c. */
static char *
quote_char (guchar c)
{
  static const char escapes[] = "\a\b\f\n\r\t\v";
  static const char letters[] = "abfnrtv";

  if (c == '\'')
    return g_strdup ("'\\''");
  if (c == '"')
    return g_strdup ("'\"'");
  if (c != '\0' && strchr (escapes, c) != NULL)
    return g_strdup_printf ("'\\%c'", letters[strchr (escapes, c) - escapes]);
  if (c < 0x20 || c == 0x7f)
    return g_strdup_printf ("'\\x%02x'", c);
  if (c < 0x80)
    return g_strdup_printf ("'%c'", c);
  /* Go makes a rune of the byte: Latin-1, printed if printable. */
  if (c < 0xa0 || c == 0xad)
    return g_strdup_printf ("'\\u%04x'", c);
  char utf8[8] = { 0 };
  g_unichar_to_utf8 (c, utf8);
  return g_strdup_printf ("'%s'", utf8);
}

static gboolean
syntax_error (GError **error, guchar c, const char *context)
{
  g_autofree char *quoted = quote_char (c);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid character %s %s", quoted,
               context);
  return FALSE;
}

/* The index after the object or array that opens at @i, or @length when
 * it does not end or its brackets do not match (the parser then says
 * what is wrong). */
static gsize
skip_container (const char *data, gsize length, gsize i, GError **error)
{
  g_autofree char *open = g_malloc (API_JSON_MAX_DEPTH);
  guint depth = 0;

  for (; i < length; i++) {
    char c = data[i];
    if (c == '"') {
      i = skip_string (data, length, i);
    } else if (c == '{' || c == '[') {
      if (depth == API_JSON_MAX_DEPTH) {
        syntax_error (error, c, "exceeded max depth");
        return 0;
      }
      open[depth++] = c;
    } else if (c == '}' || c == ']') {
      if (open[depth - 1] != (c == '}' ? '{' : '['))
        return length;
      if (--depth == 0)
        return i + 1;
    }
  }
  return length;
}

/**
 * api_json_check_shape:
 * @data: a request body
 * @length: its length
 * @error: return location for an error (G_IO_ERROR_INVALID_DATA)
 *
 * Checks what Go's encoding/json checks before it decodes and json-glib
 * does not: nesting up to %API_JSON_MAX_DEPTH levels, and one value,
 * followed by whitespace only. Anything else (an empty body, bad
 * syntax) is left to the parser.
 *
 * Returns: %FALSE with @error set, in Go's words, if @data breaks either
 */
gboolean
api_json_check_shape (const char *data, gsize length, GError **error)
{
  gsize i = skip_space (data, length, 0);

  if (i == length)
    return TRUE;
  char c = data[i];
  if (c == '{' || c == '[') {
    GError *local = NULL;
    i = skip_container (data, length, i, &local);
    if (local != NULL) {
      g_propagate_error (error, local);
      return FALSE;
    }
  } else if (c == '"') {
    i = skip_string (data, length, i);
    i = i < length ? i + 1 : length;
  } else if (c == '-' || g_ascii_isdigit (c) || c == 't' || c == 'f' || c == 'n') {
    while (i < length && !ends_token (data[i]))
      i++;
  } else {
    return TRUE;
  }
  i = skip_space (data, length, i);
  if (i < length)
    return syntax_error (error, data[i], "after top-level value");
  return TRUE;
}

/* ---- the JSON types of ObjectMeta ----------------------------------------- */

typedef enum {
  META_STRING,
  META_INT64,
  META_STRING_MAP,
  META_STRING_LIST,
  META_OBJECT_LIST,
} MetaType;

/* ObjectMeta's members that clients send, with their Go types, which
 * the messages name. The timestamps are strings on the wire; their
 * format is the server's business, as it sets them. */
static const struct {
  const char *member;
  MetaType type;
  const char *go_type;
  const char *go_element; /* maps and lists */
} meta_members[] = {
  { "name", META_STRING, "string", NULL },
  { "generateName", META_STRING, "string", NULL },
  { "namespace", META_STRING, "string", NULL },
  { "selfLink", META_STRING, "string", NULL },
  { "uid", META_STRING, "types.UID", NULL },
  { "resourceVersion", META_STRING, "string", NULL },
  { "generation", META_INT64, "int64", NULL },
  { "creationTimestamp", META_STRING, "string", NULL },
  { "deletionTimestamp", META_STRING, "string", NULL },
  { "deletionGracePeriodSeconds", META_INT64, "int64", NULL },
  { "labels", META_STRING_MAP, "map[string]string", "string" },
  { "annotations", META_STRING_MAP, "map[string]string", "string" },
  { "finalizers", META_STRING_LIST, "[]string", "string" },
  { "ownerReferences", META_OBJECT_LIST, "[]v1.OwnerReference", "v1.OwnerReference" },
  { "managedFields", META_OBJECT_LIST, "[]v1.ManagedFieldsEntry", "v1.ManagedFieldsEntry" },
};

/* How Go's UnmarshalTypeError names the JSON value it could not store
 * in a field of Go type @go_type: a number that an integer cannot hold
 * with its value. */
static char *
go_value_name (JsonNode *node, const char *go_type)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup ("object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return g_strdup ("array");
  GType type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return g_strdup ("string");
  if (type == G_TYPE_BOOLEAN)
    return g_strdup ("bool");
  if (type == G_TYPE_DOUBLE && strcmp (go_type, "int64") == 0) {
    char buffer[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strconcat ("number ",
                        g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)), NULL);
  }
  return g_strdup ("number");
}

static gboolean
type_error (GError **error, JsonNode *node, const char *member, const char *go_type)
{
  g_autofree char *value = go_value_name (node, go_type);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "json: cannot unmarshal %s into Go struct field ObjectMeta.metadata.%s of type %s",
               value, member, go_type);
  return FALSE;
}

/* Whether @node is null (json.Unmarshal leaves the field as it is) or
 * of the JSON type that a @type field holds. */
static gboolean
holds (JsonNode *node, MetaType type)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  switch (type) {
  case META_STRING:
    return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
  case META_INT64:
    return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
  case META_STRING_MAP:
    return JSON_NODE_HOLDS_OBJECT (node);
  case META_STRING_LIST:
  case META_OBJECT_LIST:
    return JSON_NODE_HOLDS_ARRAY (node);
  default:
    g_assert_not_reached ();
  }
}

/* The first element or value of a map or list that its Go element type
 * cannot hold, or NULL. */
static JsonNode *
first_bad_element (JsonNode *node, MetaType type)
{
  MetaType element = type == META_OBJECT_LIST ? META_STRING_MAP : META_STRING;

  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObjectIter iter;
    const char *key;
    JsonNode *value;
    json_object_iter_init_ordered (&iter, json_node_get_object (node));
    while (json_object_iter_next_ordered (&iter, &key, &value)) {
      if (!holds (value, element))
        return value;
    }
  } else if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *array = json_node_get_array (node);
    for (guint i = 0; i < json_array_get_length (array); i++) {
      if (!holds (json_array_get_element (array, i), element))
        return json_array_get_element (array, i);
    }
  }
  return NULL;
}

/**
 * api_check_object_meta:
 * @metadata: an object's "metadata", as sent
 * @error: return location for an error (G_IO_ERROR_INVALID_DATA)
 *
 * Checks the JSON types of @metadata's members as json.Unmarshal does
 * when Kubernetes decodes a body into an ObjectMeta: the first member
 * it could not store, in the order sent, fails.
 *
 * Returns: %FALSE with @error set, in Go's words, if a member has a
 *   type its field cannot hold
 */
gboolean
api_check_object_meta (JsonObject *metadata, GError **error)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  json_object_iter_init_ordered (&iter, metadata);
  while (json_object_iter_next_ordered (&iter, &member, &node)) {
    for (gsize i = 0; i < G_N_ELEMENTS (meta_members); i++) {
      if (strcmp (member, meta_members[i].member) != 0)
        continue;
      if (!holds (node, meta_members[i].type))
        return type_error (error, node, member, meta_members[i].go_type);
      JsonNode *bad =
        meta_members[i].go_element ? first_bad_element (node, meta_members[i].type) : NULL;
      if (bad != NULL)
        return type_error (error, bad, member, meta_members[i].go_element);
    }
  }
  return TRUE;
}
