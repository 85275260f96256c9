/* timon-yaml.c: a YAML document as JSON text, the way Kubernetes turns
 * an application/yaml body into JSON before it decodes it
 * (sigs.k8s.io/yaml, over go-yaml v2), so that what a client sends in
 * YAML is stored as the same JSON would be:
 *
 * - plain scalars resolve as YAML 1.1 does in go-yaml v2: null (~, null,
 *   empty), booleans (true, yes, y, on and their opposites, in three
 *   cases), integers (0x, 0o, 0b, and a leading 0 for octal, so that
 *   "mode: 0644" is 420), floats; anything else, quoted scalars and
 *   timestamps are strings;
 * - mapping keys become strings ("yes:" is "true", "0x10:" is "16");
 * - anchors, aliases and merge keys ("<<") are expanded;
 * - only the first document counts, as in Kubernetes.
 *
 * libyaml parses without recursion; the tree is built with a stack of
 * open collections, at most TIMON_YAML_MAX_DEPTH deep. Aliases may add
 * at most as much to the document as it holds itself (and 64 KiB), so
 * that a "billion laughs" is refused instead of expanded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <yaml.h>

#include "timon-yaml.h"

#define ALIAS_ALLOWANCE ((gsize) 64 * 1024)
#define TAG_PREFIX "tag:yaml.org,2002:"

/* A node an anchor names, and what it weighs (see Builder). */
typedef struct {
  JsonNode *node;
  gsize weight;
} Anchor;

static void
anchor_free (Anchor *anchor)
{
  json_node_unref (anchor->node);
  g_free (anchor);
}

/* A mapping or sequence being read. */
typedef struct {
  JsonNode *node;
  char *anchor;
  gsize weight_at_start;
  char *key;         /* a mapping's key, until its value comes */
  gboolean merge;    /* the key is "<<" */
  GPtrArray *merges; /* what "<<" brings in (JsonNode), at the end */
} Frame;

static void
frame_clear (Frame *frame)
{
  g_clear_pointer (&frame->node, json_node_unref);
  g_clear_pointer (&frame->anchor, g_free);
  g_clear_pointer (&frame->key, g_free);
  g_clear_pointer (&frame->merges, g_ptr_array_unref);
}

/* The weight of a value is what its JSON text roughly takes: a scalar's
 * length, and one for each value. */
typedef struct {
  GArray *frames;      /* Frame */
  GHashTable *anchors; /* name → Anchor */
  JsonNode *root;
  gsize weight;       /* of all values made, aliases' copies included */
  gsize alias_weight; /* of aliases' copies */
} Builder;

static gboolean fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "yaml: %s", message);
  return FALSE;
}

/* ---- scalars ------------------------------------------------------------ */

static gboolean
in_list (const char *value, const char *const *list)
{
  return g_strv_contains (list, value);
}

static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const trues[] = { "y",    "Y",    "yes", "Yes", "YES", "true",
                                     "True", "TRUE", "on",  "On",  "ON",  NULL };
static const char *const falses[] = { "n",     "N",     "no",  "No",  "NO",  "false",
                                      "False", "FALSE", "off", "Off", "OFF", NULL };
static const char *const infinities[] = { ".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                          "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                                          ".NaN",  ".NAN",  NULL };

static gboolean
is_digit_of (char c, guint base)
{
  if (base == 16)
    return g_ascii_isxdigit (c);
  return c >= '0' && c < (char) ('0' + base);
}

/* Go's strconv.ParseInt (s, 0, 64), and ParseUint after it: a sign,
 * then 0x, 0o, 0b or a leading 0 (octal) for the base. */
static JsonNode *
parse_integer (const char *s)
{
  gboolean negative = s[0] == '-';
  guint base = 10;

  if (s[0] == '-' || s[0] == '+')
    s++;
  if (s[0] == '0' && s[1] != '\0') {
    char prefix = g_ascii_tolower (s[1]);
    base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 0;
    /* A leading 0 alone means octal too. */
    s += base != 0 ? 2 : 1;
    if (base == 0)
      base = 8;
  }
  if (s[0] == '\0')
    return NULL;
  for (const char *p = s; *p != '\0'; p++) {
    if (!is_digit_of (*p, base))
      return NULL;
  }
  guint64 value;
  if (!g_ascii_string_to_unsigned (s, base, 0, G_MAXUINT64, &value, NULL))
    return NULL;
  if (negative && value == (guint64) G_MAXINT64 + 1)
    return json_node_init_int (json_node_alloc (), G_MININT64);
  if (negative && value <= G_MAXINT64)
    return json_node_init_int (json_node_alloc (), -(gint64) value);
  if (negative)
    return NULL;
  /* Past int64, Go's ParseUint: a number all the same. */
  if (value > G_MAXINT64)
    return json_node_init_double (json_node_alloc (), (double) value);
  return json_node_init_int (json_node_alloc (), (gint64) value);
}

/* go-yaml's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static JsonNode *
parse_float (const char *s)
{
  const char *p = s;

  if (*p == '-' || *p == '+')
    p++;
  gsize digits = strspn (p, "0123456789");
  p += digits;
  if (*p == '.') {
    gsize fraction = strspn (p + 1, "0123456789");
    if (digits == 0 && fraction == 0)
      return NULL;
    p += 1 + fraction;
  } else if (digits == 0) {
    return NULL;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '-' || *p == '+')
      p++;
    gsize exponent = strspn (p, "0123456789");
    if (exponent == 0)
      return NULL;
    p += exponent;
  }
  if (*p != '\0')
    return NULL;
  double value = g_ascii_strtod (s, NULL);
  if (!isfinite (value))
    return NULL;
  return json_node_init_double (json_node_alloc (), value);
}

/* What an untagged plain scalar is, as go-yaml v2 resolves it; NULL
 * with @error for what JSON cannot hold. */
static JsonNode *
resolve_plain (const char *value, GError **error)
{
  if (in_list (value, nulls))
    return json_node_init_null (json_node_alloc ());
  if (in_list (value, trues))
    return json_node_init_boolean (json_node_alloc (), TRUE);
  if (in_list (value, falses))
    return json_node_init_boolean (json_node_alloc (), FALSE);
  if (in_list (value, infinities)) {
    fail (error, "%s cannot be represented in JSON", value);
    return NULL;
  }
  if (g_ascii_isdigit (value[0]) || value[0] == '-' || value[0] == '+' || value[0] == '.') {
    g_autofree char *plain = g_strdup (value);
    char *to = plain;
    for (const char *from = value; *from != '\0'; from++) {
      if (*from != '_')
        *to++ = *from;
    }
    *to = '\0';
    JsonNode *number = value[0] == '.' ? NULL : parse_integer (plain);
    if (number == NULL)
      number = parse_float (plain);
    if (number != NULL)
      return number;
  }
  return json_node_init_string (json_node_alloc (), value);
}

/* A scalar's value: its explicit tag says what it is; without one, a
 * plain scalar resolves and a quoted one is a string. */
static JsonNode *
scalar_value (const yaml_event_t *event, GError **error)
{
  const char *value = (const char *) event->data.scalar.value;
  const char *tag = (const char *) event->data.scalar.tag;

  if (tag == NULL && event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
    return resolve_plain (value, error);
  if (tag == NULL || !g_str_has_prefix (tag, TAG_PREFIX) || strcmp (tag, TAG_PREFIX "str") == 0 ||
      strcmp (tag, TAG_PREFIX "binary") == 0)
    return json_node_init_string (json_node_alloc (), value);

  const char *kind = tag + strlen (TAG_PREFIX);
  JsonNode *node = resolve_plain (value, error);
  if (node == NULL)
    return NULL;
  gboolean fits = FALSE;
  if (strcmp (kind, "null") == 0)
    fits = JSON_NODE_HOLDS_NULL (node);
  else if (strcmp (kind, "bool") == 0)
    fits = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
  else if (strcmp (kind, "int") == 0)
    fits = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
  else if (strcmp (kind, "float") == 0)
    fits = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING &&
           json_node_get_value_type (node) != G_TYPE_BOOLEAN;
  else
    fits = TRUE; /* other tags (!!timestamp...) keep what the value resolves to */
  if (fits)
    return node;
  json_node_unref (node);
  fail (error, "line %zu: cannot decode !!str `%s` as a !!%s", event->start_mark.line + 1, value,
        kind);
  return NULL;
}

/* A mapping key as the JSON member name Kubernetes makes of it. */
static char *
scalar_key (const yaml_event_t *event, gboolean *out_merge, GError **error)
{
  const char *value = (const char *) event->data.scalar.value;
  gboolean plain =
    event->data.scalar.tag == NULL && event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

  *out_merge = plain && strcmp (value, "<<") == 0;
  if (*out_merge)
    return NULL;
  g_autoptr (JsonNode) node = scalar_value (event, error);
  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_NULL (node)) {
    fail (error, "line %zu: unsupported map key: null", event->start_mark.line + 1);
    return NULL;
  }
  GType type = json_node_get_value_type (node);
  if (type == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  if (type == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return g_strdup (value);
}

/* ---- building the tree -------------------------------------------------- */

static Frame *
top (Builder *b)
{
  return b->frames->len > 0 ? &g_array_index (b->frames, Frame, b->frames->len - 1) : NULL;
}

/* Whether the next node of the open mapping is its key. */
static gboolean
wants_key (Builder *b)
{
  Frame *frame = top (b);
  return frame != NULL && JSON_NODE_HOLDS_OBJECT (frame->node) && frame->key == NULL &&
         !frame->merge;
}

static void
remember (Builder *b, const char *anchor, JsonNode *node, gsize weight)
{
  if (anchor == NULL)
    return;
  Anchor *a = g_new (Anchor, 1);
  a->node = json_node_ref (node);
  a->weight = weight;
  g_hash_table_replace (b->anchors, g_strdup (anchor), a);
}

/* Puts @value (taken) where the open collection wants it. */
static void
add_value (Builder *b, JsonNode *value)
{
  Frame *frame = top (b);

  if (frame == NULL) {
    b->root = value;
    return;
  }
  if (JSON_NODE_HOLDS_ARRAY (frame->node)) {
    json_array_add_element (json_node_get_array (frame->node), value);
    return;
  }
  if (frame->merge) {
    frame->merge = FALSE;
    if (frame->merges == NULL)
      frame->merges = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
    g_ptr_array_add (frame->merges, value);
    return;
  }
  json_object_set_member (json_node_get_object (frame->node), frame->key, value);
  g_clear_pointer (&frame->key, g_free);
}

static gboolean
merge_one (JsonObject *into, JsonNode *source)
{
  if (!JSON_NODE_HOLDS_OBJECT (source))
    return FALSE;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  json_object_iter_init_ordered (&iter, json_node_get_object (source));
  while (json_object_iter_next_ordered (&iter, &member, &value)) {
    if (!json_object_has_member (into, member))
      json_object_set_member (into, member, json_node_copy (value));
  }
  return TRUE;
}

/* "<<": the members of the mappings merged in that the mapping does not
 * set itself; of a list of mappings, the first that sets a member wins. */
static gboolean
apply_merges (Frame *frame, GError **error)
{
  JsonObject *into = json_node_get_object (frame->node);

  for (guint i = 0; frame->merges != NULL && i < frame->merges->len; i++) {
    JsonNode *source = frame->merges->pdata[i];
    gboolean ok = TRUE;
    if (JSON_NODE_HOLDS_ARRAY (source)) {
      JsonArray *array = json_node_get_array (source);
      for (guint j = 0; ok && j < json_array_get_length (array); j++)
        ok = merge_one (into, json_array_get_element (array, j));
    } else {
      ok = merge_one (into, source);
    }
    if (!ok)
      return fail (error, "map merge requires map or sequence of maps as the value");
  }
  return TRUE;
}

static gboolean
on_scalar (Builder *b, const yaml_event_t *event, GError **error)
{
  Frame *frame = top (b);

  if (wants_key (b)) {
    GError *local = NULL;
    frame->key = scalar_key (event, &frame->merge, &local);
    if (local != NULL) {
      g_propagate_error (error, local);
      return FALSE;
    }
    /* A key may be named too, and its alias used as a value. */
    if (frame->key != NULL && event->data.scalar.anchor != NULL) {
      g_autoptr (JsonNode) named = json_node_init_string (json_node_alloc (), frame->key);
      remember (b, (const char *) event->data.scalar.anchor, named, 1 + event->data.scalar.length);
    }
    return TRUE;
  }
  JsonNode *value = scalar_value (event, error);
  if (value == NULL)
    return FALSE;
  gsize weight = 1 + event->data.scalar.length;
  b->weight += weight;
  remember (b, (const char *) event->data.scalar.anchor, value, weight);
  add_value (b, value);
  return TRUE;
}

static gboolean
on_start (Builder *b, const yaml_event_t *event, GError **error)
{
  gboolean mapping = event->type == YAML_MAPPING_START_EVENT;
  const char *anchor =
    (const char *) (mapping ? event->data.mapping_start.anchor : event->data.sequence_start.anchor);

  if (wants_key (b))
    return fail (error, "line %zu: unsupported map key: a %s", event->start_mark.line + 1,
                 mapping ? "mapping" : "sequence");
  if (b->frames->len >= TIMON_YAML_MAX_DEPTH)
    return fail (error, "exceeded max depth of %d", TIMON_YAML_MAX_DEPTH);
  Frame frame = { 0 };
  frame.node = json_node_new (mapping ? JSON_NODE_OBJECT : JSON_NODE_ARRAY);
  if (mapping)
    json_node_take_object (frame.node, json_object_new ());
  else
    json_node_take_array (frame.node, json_array_new ());
  frame.anchor = g_strdup (anchor);
  frame.weight_at_start = b->weight;
  b->weight++;
  g_array_append_val (b->frames, frame);
  return TRUE;
}

static gboolean
on_end (Builder *b, GError **error)
{
  /* The slot is emptied first: shrinking the array clears what it holds. */
  Frame frame = *top (b);
  *top (b) = (Frame){ 0 };
  g_array_set_size (b->frames, b->frames->len - 1);

  if (JSON_NODE_HOLDS_OBJECT (frame.node) && !apply_merges (&frame, error)) {
    frame_clear (&frame);
    return FALSE;
  }
  remember (b, frame.anchor, frame.node, b->weight - frame.weight_at_start);
  JsonNode *node = g_steal_pointer (&frame.node);
  frame_clear (&frame);
  add_value (b, node);
  return TRUE;
}

static gboolean
on_alias (Builder *b, const yaml_event_t *event, GError **error)
{
  const char *name = (const char *) event->data.alias.anchor;
  Anchor *anchor = g_hash_table_lookup (b->anchors, name);

  if (anchor == NULL)
    return fail (error, "line %zu: unknown anchor '%s' referenced", event->start_mark.line + 1,
                 name);
  if (wants_key (b))
    return fail (error, "line %zu: unsupported map key: an alias", event->start_mark.line + 1);
  if (b->alias_weight + anchor->weight > MAX (b->weight - b->alias_weight, ALIAS_ALLOWANCE))
    return fail (error, "document contains excessive aliasing");
  b->weight += anchor->weight;
  b->alias_weight += anchor->weight;
  /* Shared, not copied: nothing changes a finished node, and the tree
   * is only written out. */
  add_value (b, json_node_copy (anchor->node));
  return TRUE;
}

/* Takes in one event; *@out_done once the first document is read. */
static gboolean
on_event (Builder *b, const yaml_event_t *event, gboolean *out_done, GError **error)
{
  switch (event->type) {
  case YAML_SCALAR_EVENT:
    return on_scalar (b, event, error);
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT:
    return on_start (b, event, error);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    return on_end (b, error);
  case YAML_ALIAS_EVENT:
    return on_alias (b, event, error);
  case YAML_DOCUMENT_END_EVENT:
  case YAML_STREAM_END_EVENT:
    *out_done = TRUE;
    return TRUE;
  default:
    return TRUE;
  }
}

static gboolean
parser_error (yaml_parser_t *parser, GError **error)
{
  if (parser->error == YAML_READER_ERROR)
    return fail (error, "%s", parser->problem ? parser->problem : "unknown problem");
  return fail (error, "line %zu: %s", parser->problem_mark.line + 1,
               parser->problem ? parser->problem : "unknown problem");
}

/**
 * timon_yaml_to_json:
 * @yaml: a YAML document (the first of a stream counts)
 * @length: its length in bytes
 * @out_length: (out) (optional): the length of the JSON returned
 * @error: return location for an error (G_IO_ERROR_INVALID_DATA, with
 *   go-yaml's words where it has some)
 *
 * Returns: (transfer full) (nullable): @yaml as compact JSON text ("null"
 *   for an empty document), or %NULL with @error set
 */
char *
timon_yaml_to_json (const char *yaml, gsize length, gsize *out_length, GError **error)
{
  yaml_parser_t parser;
  Builder b = { 0 };
  gboolean done = FALSE, ok = TRUE;

  g_return_val_if_fail (yaml != NULL || length == 0, NULL);

  if (!yaml_parser_initialize (&parser)) {
    fail (error, "out of memory");
    return NULL;
  }
  yaml_parser_set_input_string (&parser, (const unsigned char *) (yaml ? yaml : ""), length);
  b.frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  g_array_set_clear_func (b.frames, (GDestroyNotify) frame_clear);
  b.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) anchor_free);

  while (ok && !done) {
    yaml_event_t event;
    if (!yaml_parser_parse (&parser, &event)) {
      ok = parser_error (&parser, error);
      break;
    }
    ok = on_event (&b, &event, &done, error);
    yaml_event_delete (&event);
  }
  yaml_parser_delete (&parser);
  g_array_unref (b.frames);
  g_hash_table_unref (b.anchors);

  g_autoptr (JsonNode) root = b.root;
  if (!ok)
    return NULL;
  if (root == NULL)
    root = json_node_init_null (json_node_alloc ());
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, out_length);
}
