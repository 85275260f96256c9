/* core-v1-secret.c: Secret, as Kubernetes' core/v1 defaults, converts
 * and validates it (SetDefaults_Secret, the v1 conversion of stringData,
 * ValidateSecret, ValidateSecretUpdate).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"

#define TYPE_OPAQUE "Opaque"
#define TYPE_SERVICE_ACCOUNT_TOKEN "kubernetes.io/service-account-token"
#define TYPE_DOCKERCFG "kubernetes.io/dockercfg"
#define TYPE_DOCKER_CONFIG_JSON "kubernetes.io/dockerconfigjson"
#define TYPE_BASIC_AUTH "kubernetes.io/basic-auth"
#define TYPE_SSH_AUTH "kubernetes.io/ssh-auth"
#define TYPE_TLS "kubernetes.io/tls"
#define SERVICE_ACCOUNT_NAME_KEY "kubernetes.io/service-account.name"

/* Whether @map is an object of string values only. */
static gboolean
is_string_map (JsonObject *map)
{
  JsonObjectIter iter;
  const char *key;
  JsonNode *node;

  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &key, &node)) {
    if (!timon_resource_node_is_string (node))
      return FALSE;
  }
  return TRUE;
}

/* stringData is write-only: its entries replace those of data, encoded,
 * and it is never stored. A malformed stringData or data is left as it
 * is, for validation to report, rather than merged in part. */
static void
merge_string_data (JsonObject *object)
{
  JsonNode *string_node = json_object_get_member (object, "stringData");
  JsonNode *data_node = json_object_get_member (object, "data");

  if (string_node == NULL)
    return;
  if (JSON_NODE_HOLDS_NULL (string_node)) {
    json_object_remove_member (object, "stringData");
    return;
  }
  if (!JSON_NODE_HOLDS_OBJECT (string_node) || !is_string_map (json_node_get_object (string_node)))
    return;
  if (data_node != NULL && !JSON_NODE_HOLDS_NULL (data_node) && !JSON_NODE_HOLDS_OBJECT (data_node))
    return;

  if (data_node == NULL || JSON_NODE_HOLDS_NULL (data_node))
    json_object_set_object_member (object, "data", json_object_new ());
  JsonObject *data = json_object_get_object_member (object, "data");
  JsonObject *strings = json_node_get_object (string_node);
  JsonObjectIter iter; /* ordered: causes and merges follow the client's order */
  const char *key;
  JsonNode *node;

  json_object_iter_init_ordered (&iter, strings);
  while (json_object_iter_next_ordered (&iter, &key, &node)) {
    const char *value = json_node_get_string (node);
    g_autofree char *encoded = g_base64_encode ((const guchar *) value, strlen (value));
    json_object_set_string_member (data, key, encoded);
  }
  json_object_remove_member (object, "stringData");
}

static void
secret_default (JsonObject *object, gpointer user_data)
{
  JsonNode *type = json_object_get_member (object, "type");

  if (type == NULL || JSON_NODE_HOLDS_NULL (type) ||
      (timon_resource_node_is_string (type) && json_node_get_string (type)[0] == '\0'))
    json_object_set_string_member (object, "type", TYPE_OPAQUE);
  merge_string_data (object);
}

/* The decoded value of data[@key]: NULL when it is absent or was
 * reported malformed. */
static GBytes *
dup_data_value (JsonObject *data, const char *key)
{
  const char *text = timon_resource_get_string (data, key, NULL, NULL);
  gsize length;

  if (text == NULL || !core_v1_base64_check (text, &length))
    return NULL;
  guchar *bytes = g_base64_decode (text, &length);
  return g_bytes_new_take (bytes, length);
}

static void
require_key (JsonObject *data, const char *key, TimonFieldErrors *errors)
{
  if (data == NULL || !json_object_has_member (data, key)) {
    g_autofree char *field = core_v1_key_path ("data", key);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, field, NULL, NULL);
  }
}

/* Docker configurations are read by the kubelet: they must be JSON
 * objects. The value is a credential: the error does not show it. */
static void
require_json_object (JsonObject *data, const char *key, TimonFieldErrors *errors)
{
  g_autoptr (GBytes) value = dup_data_value (data, key);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *field = core_v1_key_path ("data", key);
  gsize length;

  if (data == NULL || !json_object_has_member (data, key)) {
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, field, NULL, NULL);
    return;
  }
  if (value == NULL)
    return; /* malformed base64, reported with the data */
  const char *text = g_bytes_get_data (value, &length);
  if (!json_parser_load_from_data (parser, text != NULL ? text : "", (gssize) length, &error))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, "<secret contents redacted>",
                            "%s", error->message);
  else if (json_parser_get_root (parser) == NULL ||
           !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, "<secret contents redacted>",
                            "must be a JSON object");
}

static void
validate_type_rules (JsonObject *object,
                     const char *type,
                     JsonObject *data,
                     TimonFieldErrors *errors)
{
  if (g_str_equal (type, TYPE_SERVICE_ACCOUNT_TOKEN)) {
    /* The token controller fills in the rest; the account must be named. */
    JsonObject *metadata = timon_resource_get_object (object, "metadata", NULL, NULL);
    JsonObject *annotations = timon_resource_get_object (metadata, "annotations", NULL, NULL);
    const char *account =
      timon_resource_get_string (annotations, SERVICE_ACCOUNT_NAME_KEY, NULL, NULL);
    if (account == NULL || account[0] == '\0')
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED,
                              "metadata.annotations[" SERVICE_ACCOUNT_NAME_KEY "]", NULL, NULL);
  } else if (g_str_equal (type, TYPE_DOCKERCFG)) {
    require_json_object (data, ".dockercfg", errors);
  } else if (g_str_equal (type, TYPE_DOCKER_CONFIG_JSON)) {
    require_json_object (data, ".dockerconfigjson", errors);
  } else if (g_str_equal (type, TYPE_BASIC_AUTH)) {
    /* Either may be empty, but one must be there. */
    if (data == NULL || (!json_object_has_member (data, "username") &&
                         !json_object_has_member (data, "password"))) {
      require_key (data, "username", errors);
      require_key (data, "password", errors);
    }
  } else if (g_str_equal (type, TYPE_SSH_AUTH)) {
    g_autoptr (GBytes) key = dup_data_value (data, "ssh-privatekey");
    if (data == NULL || !json_object_has_member (data, "ssh-privatekey") ||
        (key != NULL && g_bytes_get_size (key) == 0))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "data[ssh-privatekey]", NULL,
                              NULL);
  } else if (g_str_equal (type, TYPE_TLS)) {
    require_key (data, "tls.crt", errors);
    require_key (data, "tls.key", errors);
  }
}

static void
secret_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  gsize total = 0, string_total = 0;
  gboolean immutable;

  JsonObject *data = core_v1_validate_data_map (object, "data", TRUE, &total, errors);
  if (total > CORE_V1_MAX_DATA_SIZE)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_TOO_LONG, "data", NULL,
                            "may not be more than %zu bytes", CORE_V1_MAX_DATA_SIZE);
  /* The default hook merged a well-formed stringData: what is left is
   * malformed, or beside a malformed data. */
  core_v1_validate_data_map (object, "stringData", FALSE, &string_total, errors);

  const char *type = timon_resource_get_string (object, "type", NULL, errors);
  if (type != NULL)
    validate_type_rules (object, type, data, errors);
  timon_resource_get_boolean (object, "immutable", NULL, errors, &immutable);
}

static void
secret_validate_update (JsonObject *object,
                        JsonObject *old,
                        TimonFieldErrors *errors,
                        gpointer user_data)
{
  static const char *const data_members[] = { "data", NULL };

  /* The type decides what the data means to its readers. */
  if (!core_v1_members_equal (object, old, "type")) {
    const char *type = timon_resource_get_string (object, "type", NULL, NULL);
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "type", type != NULL ? type : "",
                            CORE_V1_IMMUTABLE);
  }
  core_v1_validate_immutable_flag (object, old, data_members, errors);
  secret_validate (object, errors, user_data);
}

static char *
secret_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  if (g_str_equal (field, "type"))
    return timon_resource_dup_string_at (object, "type", NULL);
  return NULL;
}

static char *
secret_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "DATA"))
    return g_strdup_printf ("%u", core_v1_count_members (object, "data"));
  return NULL;
}

TimonResourceType *
core_v1_secret_new (void)
{
  static const char *const fields[] = { "type", NULL };
  static const TimonResourceHooks hooks = {
    .default_object = secret_default,
    .validate_create = secret_validate,
    .validate_update = secret_validate_update,
    .get_field = secret_get_field,
    .print_column = secret_print_column,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "Secret", "secrets", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_selectable_fields (type, fields);
  timon_resource_type_add_column (type, "TYPE", "string", NULL, "The type of the secret", 0,
                                  ".type");
  timon_resource_type_add_column (type, "DATA", "string", NULL, "The number of keys in data", 0,
                                  NULL);
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
