/* timon-api-subresources.c: the subresources the core serves besides
 * status, for the types that declare them.
 *
 * scale: an autoscaling/v1 Scale view of spec.replicas, read (GET),
 * replaced (PUT) or patched (PATCH: a JSON merge patch, what `kubectl
 * scale` sends, or a JSON patch, timon-api-patch.c).
 * binding: POST a Binding to set spec.nodeName once, as the scheduler
 * does with pods/binding.
 * eviction: POST a policy/v1 (or v1beta1) Eviction to delete a pod as
 * its DeleteOptions say (timon-api-delete.c does the deletion).
 *
 * scale and binding read the stored object, change one field and write
 * it back with the revision they read as precondition, so a concurrent
 * write makes them fail with 409 rather than lose it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

/* The stored object of @target, with its item (for the revision), or
 * NULL after replying. */
static JsonNode *
read_current (TimonApiServer *self, ApiMessage *msg, ApiTarget *target, TimonStoreItem **out_item)
{
  g_autofree char *key = api_store_key (target->type, target->namespace, target->name);
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item = timon_store_get (self->store, key, &error);
  if (item == NULL) {
    g_autoptr (GError) api_error = api_store_error (error, target->type, target->name);
    api_reply_error (msg, api_error, target->type, target->name);
    return NULL;
  }
  JsonNode *node = api_item_to_node (item, NULL, 0, &error);
  if (node == NULL) {
    api_reply_error (msg, error, NULL, NULL);
    return NULL;
  }
  *out_item = g_steal_pointer (&item);
  return node;
}

/* ---- a write in flight -------------------------------------------------- */

typedef enum { WRITE_SCALE, WRITE_BINDING } WriteKind;

typedef struct {
  ApiPending pending;
  TimonResourceType *type;
  char *name;
  WriteKind kind;
} SubWrite;

static void
sub_write_free (SubWrite *w)
{
  api_pending_clear (&w->pending);
  timon_resource_type_unref (w->type);
  g_free (w->name);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SubWrite, sub_write_free)

static JsonNode *scale_from_object (JsonObject *object);

static void
on_updated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SubWrite) w = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item =
    timon_store_update_finish (TIMON_STORE (source), result, &error);

  if (w->pending.finished)
    return;
  if (item == NULL) {
    g_autoptr (GError) api_error = api_store_error (error, w->type, w->name);
    api_reply_error (w->pending.msg, api_error, w->type, w->name);
    return;
  }
  if (w->kind == WRITE_BINDING) {
    /* Kubernetes answers a binding with a bare Status Success. */
    api_reply_success (w->pending.msg, 201);
    return;
  }
  g_autoptr (JsonNode) node = api_item_to_node (item, NULL, 0, &error);
  if (node == NULL) {
    api_reply_error (w->pending.msg, error, NULL, NULL);
    return;
  }
  g_autoptr (JsonNode) scale = scale_from_object (json_node_get_object (node));
  api_reply_json (w->pending.msg, 200, scale);
}

/* Writes @object over @target's, if still at @revision; answers when the
 * store has acknowledged it. */
static void
write_object (TimonApiServer *self,
              ApiMessage *msg,
              ApiTarget *target,
              JsonObject *object,
              gint64 revision,
              WriteKind kind)
{
  SubWrite *w = g_new0 (SubWrite, 1);
  api_pending_init (&w->pending, msg);
  w->type = timon_resource_type_ref (target->type);
  w->name = g_strdup (target->name);
  w->kind = kind;

  g_autofree char *key = api_store_key (target->type, target->namespace, target->name);
  JsonObject *metadata = api_object_child (object, "metadata");
  if (metadata != NULL)
    json_object_remove_member (metadata, "resourceVersion");
  g_autoptr (GBytes) bytes = api_serialize (object);
  timon_store_update_async (self->store, key, bytes, revision, NULL, on_updated, w);
}

static void
reply_conflict (ApiMessage *msg, TimonResourceType *type, const char *name)
{
  g_autoptr (GError) conflict =
    g_error_new_literal (TIMON_STORE_ERROR, TIMON_STORE_ERROR_CONFLICT, "");
  g_autoptr (GError) api_error = api_store_error (conflict, type, name);
  api_reply_error (msg, api_error, type, name);
}

/* ---- scale -------------------------------------------------------------- */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A JSON array of strings as "a,b", sorted; NULL if it is not one. */
static char *
join_values (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  JsonArray *array = json_node_get_array (node);
  g_autoptr (GPtrArray) values = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (array); i++) {
    JsonNode *value = json_array_get_element (array, i);
    if (json_node_get_value_type (value) != G_TYPE_STRING)
      return NULL;
    g_ptr_array_add (values, (gpointer) json_node_get_string (value));
  }
  g_ptr_array_sort (values, compare_strings);
  g_ptr_array_add (values, NULL);
  return g_strjoinv (",", (char **) values->pdata);
}

/* One requirement of a selector, as Kubernetes prints it, with its key
 * in front ("key\1text") so that sorting orders them by key, as
 * labels.Selector.String() does. */
static void
add_requirement (GPtrArray *requirements, const char *key, const char *text)
{
  g_ptr_array_add (requirements, g_strdup_printf ("%s\1%s", key, text));
}

/* spec.selector (matchLabels and matchExpressions) as a label selector
 * string, what a Scale's status.selector holds and kubectl passes to
 * `get -l`. Malformed parts are left out: this is a view, the type's
 * validation is what refuses them. */
static char *
selector_string (JsonObject *spec)
{
  JsonObject *selector = spec ? api_object_child (spec, "selector") : NULL;
  g_autoptr (GPtrArray) requirements = g_ptr_array_new_with_free_func (g_free);

  if (selector == NULL)
    return g_strdup ("");
  JsonObject *labels = api_object_child (selector, "matchLabels");
  if (labels != NULL) {
    g_autoptr (GList) keys = json_object_get_members (labels);
    for (GList *l = keys; l != NULL; l = l->next) {
      const char *value = api_object_string (labels, l->data);
      if (value == NULL)
        continue;
      g_autofree char *text = g_strdup_printf ("%s=%s", (const char *) l->data, value);
      add_requirement (requirements, l->data, text);
    }
  }
  JsonNode *expressions = json_object_get_member (selector, "matchExpressions");
  JsonArray *array =
    expressions && JSON_NODE_HOLDS_ARRAY (expressions) ? json_node_get_array (expressions) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    JsonNode *element = json_array_get_element (array, i);
    if (!JSON_NODE_HOLDS_OBJECT (element))
      continue;
    JsonObject *expression = json_node_get_object (element);
    const char *key = api_object_string (expression, "key");
    const char *op = api_object_string (expression, "operator");
    if (key == NULL || op == NULL)
      continue;
    g_autofree char *values = join_values (json_object_get_member (expression, "values"));
    g_autofree char *text = NULL;
    if (strcmp (op, "In") == 0 && values != NULL)
      text = g_strdup_printf ("%s in (%s)", key, values);
    else if (strcmp (op, "NotIn") == 0 && values != NULL)
      text = g_strdup_printf ("%s notin (%s)", key, values);
    else if (strcmp (op, "Exists") == 0)
      text = g_strdup (key);
    else if (strcmp (op, "DoesNotExist") == 0)
      text = g_strdup_printf ("!%s", key);
    if (text != NULL)
      add_requirement (requirements, key, text);
  }
  g_ptr_array_sort (requirements, compare_strings);
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0; i < requirements->len; i++) {
    const char *text = strchr (requirements->pdata[i], '\1') + 1;
    if (i > 0)
      g_string_append_c (out, ',');
    g_string_append (out, text);
  }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gint64
int_member (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node);
}

/* The autoscaling/v1 Scale of an object with spec.replicas. */
static JsonNode *
scale_from_object (JsonObject *object)
{
  JsonObject *metadata = api_object_child (object, "metadata");
  JsonObject *spec = api_object_child (object, "spec");
  JsonObject *status = api_object_child (object, "status");
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  static const char *const copied[] = { "name", "namespace", "uid", "resourceVersion",
                                        "creationTimestamp" };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "Scale");
  json_builder_set_member_name (builder, "apiVersion");
  json_builder_add_string_value (builder, "autoscaling/v1");
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  for (size_t i = 0; i < G_N_ELEMENTS (copied); i++) {
    const char *value = metadata ? api_object_string (metadata, copied[i]) : NULL;
    if (value == NULL)
      continue;
    json_builder_set_member_name (builder, copied[i]);
    json_builder_add_string_value (builder, value);
  }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "spec");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "replicas");
  json_builder_add_int_value (builder, int_member (spec, "replicas"));
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "replicas");
  json_builder_add_int_value (builder, int_member (status, "replicas"));
  g_autofree char *selector = selector_string (spec);
  json_builder_set_member_name (builder, "selector");
  json_builder_add_string_value (builder, selector);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

void
api_handle_scale (TimonApiServer *self, ApiMessage *msg, ApiTarget *target)
{
  const char *method = api_message_get_method (msg);
  gboolean is_get = strcmp (method, "GET") == 0;
  gboolean is_put = strcmp (method, "PUT") == 0;
  gboolean is_patch = strcmp (method, "PATCH") == 0;

  if (!is_get && !is_put && !is_patch) {
    api_reply_method_not_allowed (msg);
    return;
  }
  g_autoptr (JsonNode) body = NULL;
  ApiPatchType patch_type = API_PATCH_MERGE;
  if (is_patch) {
    g_autoptr (GError) error = NULL;
    if (!api_patch_type_from_content_type (api_message_get_content_type (msg), &patch_type,
                                           &error)) {
      api_reply_error (msg, error, NULL, NULL);
      return;
    }
    if (patch_type == API_PATCH_APPLY) {
      api_reply_message (msg, TIMON_API_ERROR_UNSUPPORTED_MEDIA_TYPE,
                         "server-side apply of a Scale is not supported: use a merge patch, as "
                         "kubectl scale does");
      return;
    }
    body = api_read_json (msg);
  } else if (is_put) {
    body = api_read_json_body (msg);
  }
  if (!is_get && body == NULL)
    return;

  g_autoptr (TimonStoreItem) item = NULL;
  g_autoptr (JsonNode) node = read_current (self, msg, target, &item);
  if (node == NULL)
    return;
  JsonObject *object = json_node_get_object (node);
  g_autoptr (JsonNode) current = scale_from_object (object);
  if (is_get) {
    api_reply_json (msg, 200, current);
    return;
  }

  /* The Scale asked for: the body of a PUT, the current Scale patched. */
  g_autoptr (JsonNode) patched = NULL;
  if (is_patch) {
    g_autoptr (GError) error = NULL;
    /* A Scale's lists merge nowhere: its schema changes nothing. */
    patched = patch_type == API_PATCH_STRATEGIC
                ? api_strategic_merge_patch (NULL, NULL, current, body, &error)
                : api_patch_apply (patch_type, current, body, &error);
    if (patched == NULL) {
      api_reply_status (msg, api_patch_error_status (error));
      return;
    }
    if (!JSON_NODE_HOLDS_OBJECT (patched)) {
      api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                         "the body must be an autoscaling/v1 Scale");
      return;
    }
  }
  JsonObject *scale = json_node_get_object (patched != NULL ? patched : body);
  const char *kind = api_object_string (scale, "kind");
  const char *api_version = api_object_string (scale, "apiVersion");
  if ((json_object_has_member (scale, "kind") && g_strcmp0 (kind, "Scale") != 0) ||
      (json_object_has_member (scale, "apiVersion") &&
       g_strcmp0 (api_version, "autoscaling/v1") != 0)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the body must be an autoscaling/v1 Scale, not %s %s", api_version ?: "?",
                       kind ?: "?");
    return;
  }
  JsonNode *scale_meta_node = json_object_get_member (scale, "metadata");
  JsonObject *scale_meta = api_object_child (scale, "metadata");
  if (scale_meta_node != NULL && !JSON_NODE_HOLDS_NULL (scale_meta_node) && scale_meta == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "metadata must be a JSON object");
    return;
  }
  const char *name = scale_meta ? api_object_string (scale_meta, "name") : NULL;
  if (name != NULL && name[0] != '\0' && strcmp (name, target->name) != 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the name of the object (%s) does not match the name on the URL (%s)", name,
                       target->name);
    return;
  }
  gint64 revision = timon_store_item_get_mod_revision (item);
  const char *rv = scale_meta ? api_object_string (scale_meta, "resourceVersion") : NULL;
  if (rv != NULL && rv[0] != '\0') {
    guint64 expected = 0;
    if (!g_ascii_string_to_unsigned (rv, 10, 1, G_MAXINT64, &expected, NULL)) {
      api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "invalid resource version \"%s\"", rv);
      return;
    }
    if ((gint64) expected != revision) {
      reply_conflict (msg, target->type, target->name);
      return;
    }
  }

  JsonNode *spec_node = json_object_get_member (scale, "spec");
  JsonObject *spec = api_object_child (scale, "spec");
  if (spec_node != NULL && !JSON_NODE_HOLDS_NULL (spec_node) && spec == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "spec must be a JSON object");
    return;
  }
  JsonNode *replicas = spec ? json_object_get_member (spec, "replicas") : NULL;
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
  /* As Kubernetes: a missing spec.replicas is 0, which a PUT of an empty
   * Scale then asks for. */
  gint64 wanted = 0;
  if (replicas != NULL && !JSON_NODE_HOLDS_NULL (replicas)) {
    if (json_node_get_value_type (replicas) != G_TYPE_INT64)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.replicas", NULL,
                              "must be an integer");
    else
      wanted = json_node_get_int (replicas);
  }
  if (wanted < 0 || wanted > G_MAXINT32)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "spec.replicas", NULL,
                            "must be greater than or equal to 0 and fit in 32 bits");
  if (timon_field_errors_get_length (errors) > 0) {
    api_reply_status (msg, timon_status_new_invalid ("autoscaling", "Scale", target->name, errors));
    return;
  }

  JsonObject *object_spec = api_object_child (object, "spec");
  if (object_spec == NULL) {
    json_object_set_object_member (object, "spec", json_object_new ());
    object_spec = api_object_child (object, "spec");
  }
  JsonNode *old_replicas = json_object_get_member (object_spec, "replicas");
  gboolean changed = old_replicas == NULL ||
                     json_node_get_value_type (old_replicas) != G_TYPE_INT64 ||
                     json_node_get_int (old_replicas) != wanted;
  if (!changed) {
    /* Nothing to write: the object stays at its revision. */
    g_autoptr (JsonNode) unchanged = scale_from_object (object);
    api_reply_json (msg, 200, unchanged);
    return;
  }
  json_object_set_int_member (object_spec, "replicas", wanted);
  /* The spec changed: the generation tells controllers to act on it. */
  JsonObject *metadata = api_object_child (object, "metadata");
  if (metadata != NULL) {
    gint64 generation = json_object_get_int_member_with_default (metadata, "generation", 1);
    json_object_set_int_member (metadata, "generation", generation + 1);
  }
  write_object (self, msg, target, object, revision, WRITE_SCALE);
}

/* ---- binding ------------------------------------------------------------ */

void
api_handle_binding (TimonApiServer *self, ApiMessage *msg, ApiTarget *target)
{
  if (strcmp (api_message_get_method (msg), "POST") != 0) {
    api_reply_method_not_allowed (msg);
    return;
  }
  g_autoptr (JsonNode) body = api_read_json_body (msg);
  if (body == NULL)
    return;
  JsonObject *binding = json_node_get_object (body);
  const char *kind = api_object_string (binding, "kind");
  if (json_object_has_member (binding, "kind") && g_strcmp0 (kind, "Binding") != 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "the body must be a Binding, not %s",
                       kind ?: "?");
    return;
  }
  JsonObject *binding_meta = api_object_child (binding, "metadata");
  const char *name = binding_meta ? api_object_string (binding_meta, "name") : NULL;
  if (name != NULL && name[0] != '\0' && strcmp (name, target->name) != 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "name in URL does not match name in Binding object");
    return;
  }
  JsonObject *binding_target = api_object_child (binding, "target");
  const char *node_name = binding_target ? api_object_string (binding_target, "name") : NULL;
  if (node_name == NULL || node_name[0] == '\0') {
    g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "target.name", NULL, NULL);
    api_reply_status (msg, timon_status_new_invalid ("", "Binding", target->name, errors));
    return;
  }

  g_autoptr (TimonStoreItem) item = NULL;
  g_autoptr (JsonNode) node = read_current (self, msg, target, &item);
  if (node == NULL)
    return;
  JsonObject *object = json_node_get_object (node);
  /* Kubernetes refuses both (BindingREST.setPodNodeName): a pod runs
   * on one node for its life, and one that goes away is not started. */
  if (api_object_is_terminating (object)) {
    api_reply_message (msg, TIMON_API_ERROR_CONFLICT,
                       "pod %s is being deleted, cannot be assigned to a host", target->name);
    return;
  }
  JsonObject *spec = api_object_child (object, "spec");
  const char *assigned = spec ? api_object_string (spec, "nodeName") : NULL;
  if (assigned != NULL && assigned[0] != '\0') {
    api_reply_message (msg, TIMON_API_ERROR_CONFLICT, "pod %s is already assigned to node \"%s\"",
                       target->name, assigned);
    return;
  }
  if (spec == NULL) {
    json_object_set_object_member (object, "spec", json_object_new ());
    spec = api_object_child (object, "spec");
  }
  json_object_set_string_member (spec, "nodeName", node_name);
  write_object (self, msg, target, object, timon_store_item_get_mod_revision (item), WRITE_BINDING);
}

/* ---- eviction ----------------------------------------------------------- */

/* Kubernetes' EvictionREST.Create: the Eviction names the pod of the
 * URL, and its deleteOptions are those of the deletion. */
void
api_handle_eviction (TimonApiServer *self, ApiMessage *msg, ApiTarget *target, GHashTable *query)
{
  if (strcmp (api_message_get_method (msg), "POST") != 0) {
    api_reply_method_not_allowed (msg);
    return;
  }
  g_autoptr (JsonNode) body = api_read_json_body (msg);
  if (body == NULL)
    return;
  JsonObject *eviction = json_node_get_object (body);
  const char *kind = api_object_string (eviction, "kind");
  const char *api_version = api_object_string (eviction, "apiVersion");
  if ((json_object_has_member (eviction, "kind") && g_strcmp0 (kind, "Eviction") != 0) ||
      (json_object_has_member (eviction, "apiVersion") &&
       g_strcmp0 (api_version, "policy/v1") != 0 &&
       g_strcmp0 (api_version, "policy/v1beta1") != 0)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "the body must be a policy/v1 or policy/v1beta1 Eviction, not %s %s",
                       api_version ?: "?", kind ?: "?");
    return;
  }
  JsonNode *meta_node = json_object_get_member (eviction, "metadata");
  JsonObject *meta = api_object_child (eviction, "metadata");
  if (meta_node != NULL && !JSON_NODE_HOLDS_NULL (meta_node) && meta == NULL) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "metadata must be a JSON object");
    return;
  }
  const char *name = meta ? api_object_string (meta, "name") : NULL;
  if (g_strcmp0 (name, target->name) != 0) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                       "name in URL does not match name in Eviction object");
    return;
  }
  const char *ns = meta ? api_object_string (meta, "namespace") : NULL;
  if (ns != NULL && ns[0] != '\0' && g_strcmp0 (ns, target->namespace) != 0) {
    api_reply_message (
      msg, TIMON_API_ERROR_BAD_REQUEST,
      "the namespace of the provided object does not match the namespace sent on the "
      "request");
    return;
  }
  JsonNode *options = json_object_get_member (eviction, "deleteOptions");
  if (options != NULL && !JSON_NODE_HOLDS_NULL (options) && !JSON_NODE_HOLDS_OBJECT (options)) {
    api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST, "deleteOptions must be a JSON object");
    return;
  }
  api_delete_evict (self, msg, target,
                    options != NULL && JSON_NODE_HOLDS_OBJECT (options)
                      ? json_node_get_object (options)
                      : NULL,
                    query);
}
