/* timon-api-reviews.c: the reviews a client makes of itself, which
 * `kubectl auth can-i` and `kubectl auth whoami` send:
 * authorization.k8s.io/v1 SelfSubjectAccessReview and
 * SelfSubjectRulesReview, authentication.k8s.io/v1 SelfSubjectReview.
 *
 * Timon has no authentication or authorization yet: every client is
 * the cluster's administrator and may do anything, and the reviews say
 * so (201, as Kubernetes creates them; nothing is stored). kubectl 1.32
 * sends their bodies in protobuf, which timond does not decode: the
 * answer does not depend on them, and a JSON body's spec is echoed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

const ApiReview api_reviews[] = {
  { "authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview" },
  { "authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview" },
  { "authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview" },
  /* kubectl 1.27 asks only for v1beta1 (and v1alpha1). */
  { "authentication.k8s.io", "v1beta1", "selfsubjectreviews", "SelfSubjectReview" },
  { NULL, NULL, NULL, NULL },
};

static const char access_status[] =
  "{\"allowed\":true,\"reason\":\"Timon has no authorization yet: every client may do "
  "everything\"}";
static const char rules_status[] =
  "{\"resourceRules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],\"resources\":[\"*\"]}],"
  "\"nonResourceRules\":[{\"verbs\":[\"*\"],\"nonResourceURLs\":[\"*\"]}],\"incomplete\":false}";
static const char whoami_status[] =
  "{\"userInfo\":{\"username\":\"admin\",\"groups\":[\"system:masters\","
  "\"system:authenticated\"]}}";

/* The spec of a JSON body, or an empty one (protobuf, or none). */
static JsonNode *
request_spec (ApiMessage *msg)
{
  GBytes *body = api_message_get_body (msg);
  const char *type = api_message_get_content_type (msg);
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);

  if (size > 0 && (type == NULL || g_ascii_strcasecmp (type, "application/json") == 0) &&
      api_json_check_shape (data, size, NULL)) {
    g_autoptr (JsonParser) parser = json_parser_new ();
    if (json_parser_load_from_data (parser, data, (gssize) size, NULL)) {
      JsonNode *root = json_parser_get_root (parser);
      JsonNode *spec = root && JSON_NODE_HOLDS_OBJECT (root)
                         ? json_object_get_member (json_node_get_object (root), "spec")
                         : NULL;
      if (spec != NULL && JSON_NODE_HOLDS_OBJECT (spec))
        return json_node_copy (spec);
    }
  }
  JsonNode *empty = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (empty, json_object_new ());
  return empty;
}

gboolean
api_handle_review (TimonApiServer *self, ApiMessage *msg, const char *path)
{
  const ApiReview *review = NULL;

  for (const ApiReview *r = api_reviews; r->group != NULL && review == NULL; r++) {
    g_autofree char *own = g_strdup_printf ("/apis/%s/%s/%s", r->group, r->version, r->plural);
    if (strcmp (path, own) == 0)
      review = r;
  }
  if (review == NULL)
    return FALSE;
  if (strcmp (api_message_get_method (msg), "POST") != 0) {
    api_reply_method_not_allowed (msg);
    return TRUE;
  }

  const char *status = strcmp (review->kind, "SelfSubjectAccessReview") == 0  ? access_status
                       : strcmp (review->kind, "SelfSubjectRulesReview") == 0 ? rules_status
                                                                              : whoami_status;
  g_autofree char *api_version = g_strdup_printf ("%s/%s", review->group, review->version);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, review->kind);
  json_builder_set_member_name (b, "apiVersion");
  json_builder_add_string_value (b, api_version);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  if (strcmp (review->kind, "SelfSubjectReview") != 0) {
    json_builder_set_member_name (b, "spec");
    json_builder_add_value (b, request_spec (msg));
  }
  json_builder_set_member_name (b, "status");
  json_builder_add_value (b, json_from_string (status, NULL));
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  api_reply_json (msg, 201, root);
  return TRUE;
}
