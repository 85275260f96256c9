/* timon-api-protobuf.c: request bodies in Kubernetes' protobuf, turned
 * into the JSON the rest of the API server reads.
 *
 * kubectl 1.32 sends protobuf from its typed commands (`create
 * namespace`, `create configmap|secret|deployment|service`, `run`,
 * `expose`, the DeleteOptions of `drain`) and does not try JSON after a
 * 415. A body is the magic "k8s\0" and a runtime.Unknown: the object's
 * apiVersion and kind, and its bytes, encoded as Kubernetes' generated
 * messages. Those are decoded from field tables (core/protobuf/, a
 * resource of libtimon: field numbers, JSON names and types, as
 * Kubernetes' generated.proto gives them) for the kinds the typed
 * commands send. A field the tables do not know is refused, never
 * dropped: the object would not be what the client asked for.
 *
 * Go's protobuf encoding writes a struct's plain fields even when they
 * hold their zero value, where its JSON leaves them out: empty strings,
 * empty lists, maps and objects and the zero time are left out here
 * too, so that defaulting sees what JSON would have shown.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

#define FIELDS_RESOURCE "/io/timon/core/protobuf/kubernetes-fields.json"
#define MAX_DEPTH 64

static const guint8 magic[] = { 'k', '8', 's', 0 };

typedef struct {
  const guint8 *data;
  gsize length;
  gsize at;
} Reader;

static JsonObject *
fields_table (void)
{
  static gsize loaded = 0;
  static JsonObject *table = NULL;

  if (g_once_init_enter (&loaded)) {
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) bytes = g_resources_lookup_data (FIELDS_RESOURCE, 0, &error);
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (bytes == NULL || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                                      (gssize) g_bytes_get_size (bytes), &error))
      g_error ("Kubernetes' protobuf fields: %s", error->message);
    table = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    g_once_init_leave (&loaded, 1);
  }
  return table;
}

static gboolean
read_varint (Reader *r, guint64 *out)
{
  guint64 value = 0;
  for (guint shift = 0; shift < 64 && r->at < r->length; shift += 7) {
    guint8 byte = r->data[r->at++];
    value |= (guint64) (byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *out = value;
      return TRUE;
    }
  }
  return FALSE;
}

static gboolean
read_bytes (Reader *r, const guint8 **out, gsize *out_length)
{
  guint64 length;
  if (!read_varint (r, &length) || length > r->length - r->at)
    return FALSE;
  *out = r->data + r->at;
  *out_length = (gsize) length;
  r->at += (gsize) length;
  return TRUE;
}

static gboolean
skip_value (Reader *r, guint wire)
{
  guint64 ignored;
  const guint8 *data;
  gsize length;
  switch (wire) {
  case 0:
    return read_varint (r, &ignored);
  case 1:
    if (r->length - r->at < 8)
      return FALSE;
    r->at += 8;
    return TRUE;
  case 2:
    return read_bytes (r, &data, &length);
  case 5:
    if (r->length - r->at < 4)
      return FALSE;
    r->at += 4;
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean
bad (GError **error, const char *what, const char *message)
{
  if (error != NULL && *error == NULL)
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                 "the protobuf body could not be decoded: %s: %s", what, message);
  return FALSE;
}

/* The field of @message numbered @number: [number, name, type]. */
static JsonArray *
find_field (JsonArray *fields, guint64 number)
{
  for (guint i = 0; i < json_array_get_length (fields); i++) {
    JsonArray *field = json_array_get_array_element (fields, i);
    if ((guint64) json_array_get_int_element (field, 0) == number)
      return field;
  }
  return NULL;
}

static JsonNode *decode_message (const char *message,
                                 const guint8 *data,
                                 gsize length,
                                 guint depth,
                                 GError **error);

/* The RFC 3339 text of a meta/v1 Time {seconds, nanos}; NULL for the
 * zero time, which JSON leaves out. */
static char *
decode_time (const guint8 *data, gsize length)
{
  Reader r = { data, length, 0 };
  guint64 tag, seconds = 0;
  while (r.at < r.length && read_varint (&r, &tag)) {
    guint64 value = 0;
    if ((tag & 7) != 0 || !read_varint (&r, &value))
      return NULL;
    if (tag >> 3 == 1)
      seconds = value;
  }
  if (seconds == 0)
    return NULL;
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc ((gint64) seconds);
  return time ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* A value of @type (a message's, a map's or a list's) read from @r
 * with wire type @wire; NULL with @error when it does not decode, NULL
 * without when JSON would leave it out (an empty string, unless
 * @keep_empty: a list's element). */
static JsonNode *
decode_value (const char *type,
              guint wire,
              Reader *r,
              guint depth,
              gboolean keep_empty,
              GError **error)
{
  const guint8 *data;
  gsize length;
  guint64 number;

  if (strcmp (type, "string") == 0 || strcmp (type, "bytes") == 0) {
    if (wire != 2 || !read_bytes (r, &data, &length))
      return bad (error, type, "not length-delimited"), NULL;
    if (strcmp (type, "bytes") == 0) {
      g_autofree char *base64 = g_base64_encode (data, length);
      return json_node_init_string (json_node_alloc (), base64);
    }
    if (!g_utf8_validate ((const char *) data, (gssize) length, NULL))
      return bad (error, type, "not UTF-8"), NULL;
    if (length == 0 && !keep_empty)
      return NULL;
    g_autofree char *text = g_strndup ((const char *) data, length);
    return json_node_init_string (json_node_alloc (), text);
  }
  if (strcmp (type, "int32") == 0 || strcmp (type, "int64") == 0 || strcmp (type, "bool") == 0) {
    if (wire != 0 || !read_varint (r, &number))
      return bad (error, type, "not a varint"), NULL;
    if (strcmp (type, "bool") == 0)
      return json_node_init_boolean (json_node_alloc (), number != 0);
    gint64 value = strcmp (type, "int32") == 0 ? (gint64) (gint32) number : (gint64) number;
    return json_node_init_int (json_node_alloc (), value);
  }
  if (strcmp (type, "double") == 0) {
    if (wire != 1 || r->length - r->at < 8)
      return bad (error, type, "not 64 bits"), NULL;
    double value;
    guint64 bits = 0;
    for (guint i = 0; i < 8; i++)
      bits |= (guint64) r->data[r->at + i] << (8 * i);
    r->at += 8;
    memcpy (&value, &bits, sizeof value);
    return json_node_init_double (json_node_alloc (), value);
  }
  if (g_str_has_prefix (type, "msg:")) {
    const char *message = type + 4;
    if (wire != 2 || !read_bytes (r, &data, &length))
      return bad (error, message, "not length-delimited"), NULL;
    if (strcmp (message, "Time") == 0) {
      g_autofree char *text = decode_time (data, length);
      return text ? json_node_init_string (json_node_alloc (), text) : NULL;
    }
    return decode_message (message, data, length, depth + 1, error);
  }
  return bad (error, type, "a field timond does not decode"), NULL;
}

/* A map entry {key = 1, value = 2} into @object. */
static gboolean
decode_map_entry (JsonObject *object,
                  const char *value_type,
                  Reader *r,
                  guint depth,
                  GError **error)
{
  const guint8 *data;
  gsize length;
  if (!read_bytes (r, &data, &length))
    return bad (error, "map", "not length-delimited");
  Reader entry = { data, length, 0 };
  g_autofree char *key = NULL;
  g_autoptr (JsonNode) value = NULL;
  guint64 tag;
  while (entry.at < entry.length) {
    if (!read_varint (&entry, &tag))
      return bad (error, "map", "a broken entry");
    if (tag >> 3 == 1 && (tag & 7) == 2) {
      const guint8 *k;
      gsize k_length;
      if (!read_bytes (&entry, &k, &k_length) ||
          !g_utf8_validate ((const char *) k, (gssize) k_length, NULL))
        return bad (error, "map", "a broken key");
      g_free (key);
      key = g_strndup ((const char *) k, k_length);
    } else if (tag >> 3 == 2) {
      g_clear_pointer (&value, json_node_unref);
      value = decode_value (value_type, (guint) (tag & 7), &entry, depth, TRUE, error);
      if (value == NULL && error != NULL && *error != NULL)
        return FALSE;
    } else if (!skip_value (&entry, (guint) (tag & 7))) {
      return bad (error, "map", "a broken entry");
    }
  }
  if (key == NULL)
    key = g_strdup ("");
  /* A map value JSON would leave out is still there, empty. */
  json_object_set_member (object, key,
                          value ? g_steal_pointer (&value)
                                : json_node_init_string (json_node_alloc (), ""));
  return TRUE;
}

/* Quantity {string = 1} and IntOrString {type = 1, intVal = 2, strVal
 * = 3} are plain JSON values. */
static JsonNode *
decode_special (const char *message, const guint8 *data, gsize length, GError **error)
{
  Reader r = { data, length, 0 };
  guint64 tag, kind = 0, int_value = 0;
  g_autofree char *text = NULL;
  while (r.at < r.length) {
    if (!read_varint (&r, &tag))
      return bad (error, message, "broken"), NULL;
    guint field = (guint) (tag >> 3);
    if ((tag & 7) == 2 && (field == 1 || field == 3)) {
      const guint8 *s;
      gsize s_length;
      if (!read_bytes (&r, &s, &s_length))
        return bad (error, message, "broken"), NULL;
      g_free (text);
      text = g_strndup ((const char *) s, s_length);
    } else if ((tag & 7) == 0 && (field == 1 || field == 2)) {
      guint64 value;
      if (!read_varint (&r, &value))
        return bad (error, message, "broken"), NULL;
      if (field == 1)
        kind = value;
      else
        int_value = value;
    } else if (!skip_value (&r, (guint) (tag & 7))) {
      return bad (error, message, "broken"), NULL;
    }
  }
  if (strcmp (message, "IntOrString") == 0 && kind == 0)
    return json_node_init_int (json_node_alloc (), (gint64) (gint32) int_value);
  return json_node_init_string (json_node_alloc (), text ? text : "");
}

static JsonNode *
decode_message (const char *message, const guint8 *data, gsize length, guint depth, GError **error)
{
  if (depth > MAX_DEPTH)
    return bad (error, message, "nested too deep"), NULL;
  if (strcmp (message, "Quantity") == 0 || strcmp (message, "IntOrString") == 0)
    return decode_special (message, data, length, error);
  if (strcmp (message, "FieldsV1") == 0)
    return NULL; /* managedFields are the server's */

  JsonObject *table = fields_table ();
  JsonNode *known = json_object_get_member (table, message);
  if (known == NULL || !JSON_NODE_HOLDS_ARRAY (known))
    return bad (error, message, "a message timond does not decode"), NULL;
  JsonArray *fields = json_object_get_array_member (table, message);
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  Reader r = { data, length, 0 };

  while (r.at < r.length) {
    guint64 tag;
    if (!read_varint (&r, &tag)) {
      json_node_unref (node);
      return bad (error, message, "a broken tag"), NULL;
    }
    guint wire = (guint) (tag & 7);
    JsonArray *field = find_field (fields, tag >> 3);
    if (field == NULL) {
      g_autofree char *what =
        g_strdup_printf ("field %" G_GUINT64_FORMAT " of %s", tag >> 3, message);
      json_node_unref (node);
      return bad (error, what, "not known to timond (send JSON for it: kubectl create -f)"), NULL;
    }
    const char *name = json_array_get_string_element (field, 1);
    const char *type = json_array_get_string_element (field, 2);
    gboolean repeated = g_str_has_prefix (type, "repeated ");
    if (repeated)
      type += strlen ("repeated ");

    if (g_str_has_prefix (type, "map:")) {
      JsonNode *member = json_object_get_member (object, name);
      if (member == NULL) {
        json_object_set_object_member (object, name, json_object_new ());
        member = json_object_get_member (object, name);
      }
      if (!decode_map_entry (json_node_get_object (member), type + 4, &r, depth, error)) {
        json_node_unref (node);
        return NULL;
      }
      continue;
    }
    /* An embedded message JSON inlines (a selector's
     * LocalObjectReference, a Probe's handler, a Volume's source). */
    if (g_str_has_prefix (type, "inline ")) {
      g_autoptr (JsonNode) inner =
        decode_value (type + strlen ("inline "), wire, &r, depth, FALSE, error);
      if (inner == NULL && error != NULL && *error != NULL) {
        json_node_unref (node);
        return NULL;
      }
      JsonObject *members =
        inner && JSON_NODE_HOLDS_OBJECT (inner) ? json_node_get_object (inner) : NULL;
      g_autoptr (GList) names = members ? json_object_get_members (members) : NULL;
      for (GList *m = names; m != NULL; m = m->next)
        json_object_set_member (object, m->data,
                                json_node_copy (json_object_get_member (members, m->data)));
      continue;
    }
    if (strcmp (type, "skip") == 0) {
      g_autofree char *what = g_strdup_printf ("%s.%s", message, name);
      json_node_unref (node);
      return bad (error, what, "not decoded by timond (send JSON for it: kubectl create -f)"), NULL;
    }
    /* A packed list of numbers: one length-delimited run of varints. */
    if (repeated && wire == 2 &&
        (strcmp (type, "int32") == 0 || strcmp (type, "int64") == 0 ||
         strcmp (type, "bool") == 0)) {
      const guint8 *packed;
      gsize packed_length;
      if (!read_bytes (&r, &packed, &packed_length)) {
        json_node_unref (node);
        return bad (error, message, "a broken packed list"), NULL;
      }
      Reader run = { packed, packed_length, 0 };
      if (!json_object_has_member (object, name))
        json_object_set_array_member (object, name, json_array_new ());
      JsonArray *list = json_object_get_array_member (object, name);
      while (run.at < run.length) {
        JsonNode *element = decode_value (type, 0, &run, depth, TRUE, error);
        if (element == NULL) {
          json_node_unref (node);
          return NULL;
        }
        json_array_add_element (list, element);
      }
      continue;
    }
    JsonNode *value = decode_value (type, wire, &r, depth, repeated, error);
    if (value == NULL && error != NULL && *error != NULL) {
      json_node_unref (node);
      return NULL;
    }
    if (repeated && value != NULL) {
      JsonNode *list = json_object_get_member (object, name);
      if (list == NULL) {
        json_object_set_array_member (object, name, json_array_new ());
        list = json_object_get_member (object, name);
      }
      json_array_add_element (json_node_get_array (list), value);
    } else if (value != NULL) {
      json_object_set_member (object, name, value);
    }
  }
  /* What Go's JSON would leave out: empty lists, maps and objects. */
  g_autoptr (GList) members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next) {
    JsonNode *member = json_object_get_member (object, l->data);
    if ((JSON_NODE_HOLDS_OBJECT (member) &&
         json_object_get_size (json_node_get_object (member)) == 0) ||
        (JSON_NODE_HOLDS_ARRAY (member) &&
         json_array_get_length (json_node_get_array (member)) == 0))
      json_object_remove_member (object, l->data);
  }
  return node;
}

gboolean
api_protobuf_knows (const char *kind)
{
  JsonNode *known = json_object_get_member (fields_table (), kind);
  return known != NULL && JSON_NODE_HOLDS_ARRAY (known);
}

JsonNode *
api_protobuf_to_json (GBytes *body, GError **error)
{
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (body, &length);
  g_autofree char *api_version = NULL;
  g_autofree char *kind = NULL;
  const guint8 *raw = NULL;
  gsize raw_length = 0;

  if (length < sizeof magic || memcmp (data, magic, sizeof magic) != 0) {
    bad (error, "the body", "it does not start with Kubernetes' magic number");
    return NULL;
  }
  /* runtime.Unknown {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2}. */
  Reader r = { data + sizeof magic, length - sizeof magic, 0 };
  while (r.at < r.length) {
    guint64 tag;
    const guint8 *value;
    gsize value_length;
    if (!read_varint (&r, &tag) || (tag & 7) != 2 || !read_bytes (&r, &value, &value_length)) {
      bad (error, "the envelope", "broken");
      return NULL;
    }
    if (tag >> 3 == 2) {
      raw = value;
      raw_length = value_length;
    } else if (tag >> 3 == 1) {
      Reader meta = { value, value_length, 0 };
      while (meta.at < meta.length) {
        guint64 meta_tag;
        const guint8 *text;
        gsize text_length;
        if (!read_varint (&meta, &meta_tag) || (meta_tag & 7) != 2 ||
            !read_bytes (&meta, &text, &text_length)) {
          bad (error, "the type", "broken");
          return NULL;
        }
        char **slot = meta_tag >> 3 == 1 ? &api_version : meta_tag >> 3 == 2 ? &kind : NULL;
        if (slot != NULL) {
          g_free (*slot);
          *slot = g_strndup ((const char *) text, text_length);
        }
      }
    }
  }
  if (kind == NULL || raw == NULL) {
    bad (error, "the envelope", "no kind or no object");
    return NULL;
  }
  JsonNode *node = decode_message (kind, raw, raw_length, 0, error);
  if (node == NULL)
    return NULL;
  JsonObject *object = json_node_get_object (node);
  json_object_set_string_member (object, "kind", kind);
  if (api_version != NULL && api_version[0] != '\0')
    json_object_set_string_member (object, "apiVersion", api_version);
  return node;
}
