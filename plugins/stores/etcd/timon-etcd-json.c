/* timon-etcd-json.c: reading and writing the JSON of etcd's v3 gateway,
 * and the state a store shares with its watch streams.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "timon-etcd-private.h"

#include <string.h>

EtcdShared *
etcd_shared_new (void)
{
  EtcdShared *shared = g_new0 (EtcdShared, 1);

  g_atomic_ref_count_init (&shared->refs);
  g_mutex_init (&shared->lock);
  shared->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) etcd_watch_stream_unref);
  atomic_init (&shared->revision, 0);
  atomic_init (&shared->compact_revision, 0);
  return shared;
}

EtcdShared *
etcd_shared_ref (EtcdShared *shared)
{
  g_atomic_ref_count_inc (&shared->refs);
  return shared;
}

void
etcd_shared_unref (EtcdShared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->refs))
    return;
  g_ptr_array_unref (shared->streams);
  g_mutex_clear (&shared->lock);
  g_free (shared);
}

static void
atomic_max (_Atomic gint64 *value, gint64 candidate)
{
  gint64 seen = atomic_load (value);
  while (candidate > seen && !atomic_compare_exchange_weak (value, &seen, candidate))
    ;
}

void
etcd_shared_note_revision (EtcdShared *shared, gint64 revision)
{
  atomic_max (&shared->revision, revision);
}

void
etcd_shared_note_compact_revision (EtcdShared *shared, gint64 revision)
{
  atomic_max (&shared->compact_revision, revision);
}

char *
etcd_encode (const void *data, gsize len)
{
  return g_base64_encode (data, len);
}

/* The first key of a range. etcd refuses an empty key, and "\0" is the
 * least key there is: no Timon key comes before it, since none is empty
 * or holds a NUL byte. */
char *
etcd_encode_start (const char *start)
{
  return start[0] != '\0' ? g_base64_encode ((const guchar *) start, strlen (start))
                          : g_strdup ("AA==");
}

gint64
etcd_json_int64 (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  /* The gateway writes int64 as strings; accept numbers too. */
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return json_node_get_int (node);
}

gboolean
etcd_json_bool (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  return json_node_get_boolean (node);
}

JsonObject *
etcd_json_object (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
etcd_json_array (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* Decodes a base64 member into a C string. Timon keys hold no NUL byte;
 * a key some other etcd client wrote with one is cut at it. */
char *
etcd_json_dup_key (JsonObject *kv, const char *member)
{
  const char *text = json_object_get_string_member_with_default (kv, member, "");
  char *key = g_strdup (text);
  gsize len = 0;

  /* g_base64_decode_inplace() refuses text shorter than 2 characters. */
  if (strlen (key) >= 2)
    g_base64_decode_inplace (key, &len);
  key[len] = '\0';
  return key;
}

/* An mvccpb.KeyValue as an item. An empty value is left out of the JSON
 * like every default, and is still a value, not a delete. */
TimonStoreItem *
etcd_item_from_kv (JsonObject *kv, gboolean with_value)
{
  g_autoptr (GBytes) value = NULL;

  if (with_value) {
    const char *text = json_object_get_string_member_with_default (kv, "value", "");
    gsize len = 0;
    guchar *data = text[0] != '\0' ? g_base64_decode (text, &len) : NULL;
    value = g_bytes_new_take (data, len);
  }
  return timon_store_item_new_take (etcd_json_dup_key (kv, "key"), g_steal_pointer (&value),
                                    etcd_json_int64 (kv, "create_revision"),
                                    etcd_json_int64 (kv, "mod_revision"));
}

/* The gateway answers errors as {"error": "...", "message": "...", "code"},
 * and ends streams with {"error": {"message": "...", ...}}. The messages
 * are etcd's own error strings, which are stable across 3.x. */
void
etcd_set_error_from_message (GError **error, const char *message)
{
  static const struct {
    const char *text;
    TimonStoreError code;
  } known[] = {
    { "required revision has been compacted", TIMON_STORE_ERROR_COMPACTED },
    { "required revision is a future revision", TIMON_STORE_ERROR_FUTURE_REVISION },
    { "request is too large", TIMON_STORE_ERROR_VALUE_TOO_LARGE },
    { "key is not provided", TIMON_STORE_ERROR_INVALID_KEY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++) {
    if (strstr (message, known[i].text) != NULL) {
      g_set_error (error, TIMON_STORE_ERROR, known[i].code, "etcd: %s", message);
      return;
    }
  }
  g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED, "etcd: %s", message);
}

gint64
etcd_header_revision (JsonObject *answer)
{
  return etcd_json_int64 (etcd_json_object (answer, "header"), "revision");
}

/* Parses a unary answer: the object on success, NULL with a store error
 * for an etcd error or anything that is not the gateway's JSON. */
JsonNode *
etcd_parse_answer (SoupMessage *msg, GBytes *body, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;
  guint status = soup_message_get_status (msg);
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);

  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))) {
    g_set_error (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_FAILED,
                 "etcd answered HTTP %u with something other than a JSON object%s%s", status,
                 local_error ? ": " : "", local_error ? local_error->message : "");
    return NULL;
  }

  JsonObject *root = json_node_get_object (json_parser_get_root (parser));
  if (status != SOUP_STATUS_OK || json_object_has_member (root, "error")) {
    const char *message = json_object_get_string_member_with_default (root, "message", NULL);
    if (message == NULL || message[0] == '\0')
      message = json_object_get_string_member_with_default (root, "error", NULL);
    if (message == NULL || message[0] == '\0')
      message = soup_message_get_reason_phrase (msg);
    g_autofree char *text = g_strdup_printf ("%s (HTTP %u)", message ? message : "error", status);
    etcd_set_error_from_message (error, text);
    return NULL;
  }
  return json_node_ref (json_parser_get_root (parser));
}
