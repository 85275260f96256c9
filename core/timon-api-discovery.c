/* timon-api-discovery.c: discovery built from the registered resource
 * types (kubectl-compat.md, section 2).
 *
 * Aggregated discovery (/api and /apis as APIGroupDiscoveryList, v2 or
 * v2beta1) when the Accept header asks for it, as kubectl 1.27+ does:
 * one request each instead of one per group-version. The legacy form
 * (/api, /api/v1, /apis, /apis/GROUP/VERSION) for everyone else, and for
 * clients that offer only an aggregated version not served here.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

static void
add_strv (JsonBuilder *builder, const char *name, const char *const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (const char *const *v = values; v != NULL && *v != NULL; v++)
    json_builder_add_string_value (builder, *v);
  json_builder_end_array (builder);
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/* The verbs the core serves for every type. patch: a JSON merge patch,
 * a JSON patch, and for types with a schema a strategic merge patch and
 * server-side apply. */
static const char *const object_verbs[] = { "create", "delete", "deletecollection",
                                            "get",    "list",   "patch",
                                            "update", "watch",  NULL };
static const char *const status_verbs[] = { "get", "patch", "update", NULL };
static const char *const scale_verbs[] = { "get", "patch", "update", NULL };
static const char *const create_verbs[] = { "create", NULL };

/* The subresources the core serves besides status, and the kind they
 * answer: a Scale is autoscaling/v1 whatever the type's group. */
typedef struct {
  const char *name;
  const char *group;
  const char *version;
  const char *kind;
  const char *const *verbs;
} Subresource;

static const Subresource subresources[] = {
  { "scale", "autoscaling", "v1", "Scale", scale_verbs },
  { "binding", "", "v1", "Binding", create_verbs },
  { "eviction", "policy", "v1", "Eviction", create_verbs },
};

static JsonNode *
resource_list (TimonApiServer *self, const char *group, const char *version)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *group_version =
    group[0] == '\0' ? g_strdup (version) : g_strdup_printf ("%s/%s", group, version);
  gboolean found = FALSE;

  json_builder_begin_object (builder);
  add_string (builder, "kind", "APIResourceList");
  add_string (builder, "apiVersion", "v1");
  add_string (builder, "groupVersion", group_version);
  json_builder_set_member_name (builder, "resources");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->types->len; i++) {
    TimonResourceType *type = self->types->pdata[i];
    if (strcmp (timon_resource_type_get_group (type), group) != 0 ||
        strcmp (timon_resource_type_get_version (type), version) != 0)
      continue;
    found = TRUE;
    gboolean namespaced = timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED;

    json_builder_begin_object (builder);
    add_string (builder, "name", timon_resource_type_get_plural (type));
    add_string (builder, "singularName", timon_resource_type_get_singular (type));
    json_builder_set_member_name (builder, "namespaced");
    json_builder_add_boolean_value (builder, namespaced);
    add_string (builder, "kind", timon_resource_type_get_kind (type));
    add_strv (builder, "verbs", object_verbs);
    add_strv (builder, "shortNames", timon_resource_type_get_short_names (type));
    add_strv (builder, "categories", timon_resource_type_get_categories (type));
    json_builder_end_object (builder);

    if (timon_resource_type_has_subresource (type, "status")) {
      g_autofree char *name = g_strdup_printf ("%s/status", timon_resource_type_get_plural (type));
      json_builder_begin_object (builder);
      add_string (builder, "name", name);
      add_string (builder, "singularName", "");
      json_builder_set_member_name (builder, "namespaced");
      json_builder_add_boolean_value (builder, namespaced);
      add_string (builder, "kind", timon_resource_type_get_kind (type));
      add_strv (builder, "verbs", status_verbs);
      json_builder_end_object (builder);
    }
    for (size_t s = 0; s < G_N_ELEMENTS (subresources); s++) {
      const Subresource *sub = &subresources[s];
      if (!timon_resource_type_has_subresource (type, sub->name))
        continue;
      g_autofree char *name =
        g_strdup_printf ("%s/%s", timon_resource_type_get_plural (type), sub->name);
      json_builder_begin_object (builder);
      add_string (builder, "name", name);
      add_string (builder, "singularName", "");
      json_builder_set_member_name (builder, "namespaced");
      json_builder_add_boolean_value (builder, namespaced);
      add_string (builder, "group", sub->group);
      add_string (builder, "version", sub->version);
      add_string (builder, "kind", sub->kind);
      add_strv (builder, "verbs", sub->verbs);
      json_builder_end_object (builder);
    }
  }
  for (const ApiReview *r = api_reviews; r->group != NULL; r++) {
    if (strcmp (r->group, group) != 0 || strcmp (r->version, version) != 0)
      continue;
    found = TRUE;
    json_builder_begin_object (builder);
    add_string (builder, "name", r->plural);
    add_string (builder, "singularName", "");
    json_builder_set_member_name (builder, "namespaced");
    json_builder_add_boolean_value (builder, FALSE);
    add_string (builder, "kind", r->kind);
    add_strv (builder, "verbs", create_verbs);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  /* /api/v1 exists even without core types: kubectl fetches it after
   * /api names v1, and a 404 there fails discovery. */
  if (!found && !(group[0] == '\0' && strcmp (version, "v1") == 0))
    return NULL;
  return json_builder_get_root (builder);
}

static JsonNode *
api_versions (TimonApiServer *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_string (builder, "kind", "APIVersions");
  json_builder_set_member_name (builder, "versions");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "v1");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "serverAddressByClientCIDRs");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_string (builder, "clientCIDR", "0.0.0.0/0");
  add_string (builder, "serverAddress", self->address ? self->address : "");
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The groups, in registration order, into @groups, and each group's
 * versions in registration order (the first is preferred) into
 * @versions: the core group ("") alone with @core, all others without. */
static void
collect_groups (TimonApiServer *self, gboolean core, GPtrArray *groups, GHashTable *versions)
{
  for (guint i = 0; i < self->types->len; i++) {
    TimonResourceType *type = self->types->pdata[i];
    const char *group = timon_resource_type_get_group (type);
    const char *version = timon_resource_type_get_version (type);
    if ((group[0] == '\0') != core)
      continue;
    GPtrArray *list = g_hash_table_lookup (versions, group);
    if (list == NULL) {
      list = g_ptr_array_new ();
      g_hash_table_insert (versions, (gpointer) group, list);
      g_ptr_array_add (groups, (gpointer) group);
    }
    gboolean seen = FALSE;
    for (guint j = 0; j < list->len && !seen; j++)
      seen = strcmp (list->pdata[j], version) == 0;
    if (!seen)
      g_ptr_array_add (list, (gpointer) version);
  }
  for (const ApiReview *r = api_reviews; r->group != NULL && !core; r++) {
    GPtrArray *list = g_hash_table_lookup (versions, r->group);
    if (list == NULL) {
      list = g_ptr_array_new ();
      g_hash_table_insert (versions, (gpointer) r->group, list);
      g_ptr_array_add (groups, (gpointer) r->group);
    }
    gboolean seen = FALSE;
    for (guint j = 0; j < list->len && !seen; j++)
      seen = strcmp (list->pdata[j], r->version) == 0;
    if (!seen)
      g_ptr_array_add (list, (gpointer) r->version);
  }
}

static JsonNode *
group_list (TimonApiServer *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray) groups = g_ptr_array_new ();
  g_autoptr (GHashTable) versions =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);

  collect_groups (self, FALSE, groups, versions);
  json_builder_begin_object (builder);
  add_string (builder, "kind", "APIGroupList");
  add_string (builder, "apiVersion", "v1");
  json_builder_set_member_name (builder, "groups");
  json_builder_begin_array (builder);
  for (guint i = 0; i < groups->len; i++) {
    const char *group = groups->pdata[i];
    GPtrArray *list = g_hash_table_lookup (versions, group);
    json_builder_begin_object (builder);
    add_string (builder, "name", group);
    json_builder_set_member_name (builder, "versions");
    json_builder_begin_array (builder);
    for (guint j = 0; j < list->len; j++) {
      g_autofree char *gv = g_strdup_printf ("%s/%s", group, (char *) list->pdata[j]);
      json_builder_begin_object (builder);
      add_string (builder, "groupVersion", gv);
      add_string (builder, "version", list->pdata[j]);
      json_builder_end_object (builder);
    }
    json_builder_end_array (builder);
    g_autofree char *preferred = g_strdup_printf ("%s/%s", group, (char *) list->pdata[0]);
    json_builder_set_member_name (builder, "preferredVersion");
    json_builder_begin_object (builder);
    add_string (builder, "groupVersion", preferred);
    add_string (builder, "version", list->pdata[0]);
    json_builder_end_object (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- aggregated discovery ------------------------------------------------ */

static void
add_kind (JsonBuilder *builder, const char *group, const char *version, const char *kind)
{
  json_builder_set_member_name (builder, "responseKind");
  json_builder_begin_object (builder);
  add_string (builder, "group", group);
  add_string (builder, "version", version);
  add_string (builder, "kind", kind);
  json_builder_end_object (builder);
}

static void
add_response_kind (JsonBuilder *builder, TimonResourceType *type)
{
  add_kind (builder, timon_resource_type_get_group (type), timon_resource_type_get_version (type),
            timon_resource_type_get_kind (type));
}

/* A list member that kubectl needs when it has values (shortNames for
 * `get po`, categories for `get all`); left out when empty, as
 * Kubernetes does. */
static void
add_strv_if_any (JsonBuilder *builder, const char *name, const char *const *values)
{
  if (values != NULL && values[0] != NULL)
    add_strv (builder, name, values);
}

/* One APIResourceDiscovery. */
static void
add_discovery_resource (JsonBuilder *builder, TimonResourceType *type)
{
  gboolean namespaced = timon_resource_type_get_scope (type) == TIMON_RESOURCE_NAMESPACED;

  json_builder_begin_object (builder);
  add_string (builder, "resource", timon_resource_type_get_plural (type));
  /* Without responseKind kubectl ignores the resource, without scope it
   * takes it as cluster-scoped. */
  add_response_kind (builder, type);
  add_string (builder, "scope", namespaced ? "Namespaced" : "Cluster");
  add_string (builder, "singularResource", timon_resource_type_get_singular (type));
  add_strv (builder, "verbs", object_verbs);
  add_strv_if_any (builder, "shortNames", timon_resource_type_get_short_names (type));
  add_strv_if_any (builder, "categories", timon_resource_type_get_categories (type));
  gboolean any_subresource = timon_resource_type_has_subresource (type, "status");
  for (size_t s = 0; s < G_N_ELEMENTS (subresources); s++)
    any_subresource =
      any_subresource || timon_resource_type_has_subresource (type, subresources[s].name);
  if (any_subresource) {
    json_builder_set_member_name (builder, "subresources");
    json_builder_begin_array (builder);
    if (timon_resource_type_has_subresource (type, "status")) {
      json_builder_begin_object (builder);
      add_string (builder, "subresource", "status");
      add_response_kind (builder, type);
      add_strv (builder, "verbs", status_verbs);
      json_builder_end_object (builder);
    }
    for (size_t s = 0; s < G_N_ELEMENTS (subresources); s++) {
      const Subresource *sub = &subresources[s];
      if (!timon_resource_type_has_subresource (type, sub->name))
        continue;
      json_builder_begin_object (builder);
      add_string (builder, "subresource", sub->name);
      add_kind (builder, sub->group, sub->version, sub->kind);
      add_strv (builder, "verbs", sub->verbs);
      json_builder_end_object (builder);
    }
    json_builder_end_array (builder);
  }
  json_builder_end_object (builder);
}

/* A review's APIResourceDiscovery: created, never stored. */
static void
add_review_resource (JsonBuilder *builder, const ApiReview *review)
{
  json_builder_begin_object (builder);
  add_string (builder, "resource", review->plural);
  add_kind (builder, review->group, review->version, review->kind);
  add_string (builder, "scope", "Cluster");
  add_strv (builder, "verbs", create_verbs);
  json_builder_end_object (builder);
}

/* The APIGroupDiscoveryList of /api (@core) or /apis, in @version ("v2"
 * or "v2beta1": the same shape). */
static JsonNode *
discovery_list (TimonApiServer *self, gboolean core, const char *version)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray) groups = g_ptr_array_new ();
  g_autoptr (GHashTable) versions =
    g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  g_autofree char *api_version = g_strdup_printf ("apidiscovery.k8s.io/%s", version);

  collect_groups (self, core, groups, versions);
  /* /api has the core group even without core types, as /api/v1 does. */
  if (core && groups->len == 0) {
    GPtrArray *list = g_ptr_array_new ();
    g_ptr_array_add (list, (gpointer) "v1");
    g_hash_table_insert (versions, (gpointer) "", list);
    g_ptr_array_add (groups, (gpointer) "");
  }

  json_builder_begin_object (builder);
  add_string (builder, "kind", "APIGroupDiscoveryList");
  add_string (builder, "apiVersion", api_version);
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < groups->len; i++) {
    const char *group = groups->pdata[i];
    GPtrArray *list = g_hash_table_lookup (versions, group);
    json_builder_begin_object (builder);
    json_builder_set_member_name (builder, "metadata");
    json_builder_begin_object (builder);
    add_string (builder, "name", group);
    json_builder_end_object (builder);
    json_builder_set_member_name (builder, "versions");
    json_builder_begin_array (builder);
    /* The preferred (first registered) version first. */
    for (guint j = 0; j < list->len; j++) {
      json_builder_begin_object (builder);
      add_string (builder, "version", list->pdata[j]);
      json_builder_set_member_name (builder, "resources");
      json_builder_begin_array (builder);
      for (guint k = 0; k < self->types->len; k++) {
        TimonResourceType *type = self->types->pdata[k];
        if (strcmp (timon_resource_type_get_group (type), group) == 0 &&
            strcmp (timon_resource_type_get_version (type), list->pdata[j]) == 0)
          add_discovery_resource (builder, type);
      }
      for (const ApiReview *r = api_reviews; r->group != NULL; r++)
        if (strcmp (r->group, group) == 0 && strcmp (r->version, list->pdata[j]) == 0)
          add_review_resource (builder, r);
      json_builder_end_array (builder);
      add_string (builder, "freshness", "Current");
      json_builder_end_object (builder);
    }
    json_builder_end_array (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Answers /api or /apis as the Accept header of @msg asks; replies 406
 * when it asks only for aggregated versions not served here. */
static void
reply_root (TimonApiServer *self, ApiMessage *msg, gboolean core)
{
  ApiMedia media = api_negotiate (msg, API_MEDIA_DISCOVERY);
  g_autoptr (JsonNode) node = NULL;

  /* Caches between kubectl and timond must keep the forms apart. */
  api_message_set_header (msg, "Vary", "Accept");
  if (media.kind == API_MEDIA_NOT_ACCEPTABLE) {
    g_autoptr (GError) error = g_error_new_literal (
      TIMON_API_ERROR, TIMON_API_ERROR_NOT_ACCEPTABLE,
      "only the following media types are accepted: application/json, "
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList, "
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  if (media.kind != API_MEDIA_DISCOVERY) {
    node = core ? api_versions (self) : group_list (self);
    api_reply_json (msg, 200, node);
    return;
  }
  /* kubectl recognises the aggregated form by this exact content type
   * only; with plain application/json it reads it as legacy and finds
   * no resources. */
  g_autofree char *content_type =
    g_strdup_printf ("application/json;g=apidiscovery.k8s.io;v=%s;as=APIGroupDiscoveryList",
                     media.version);
  node = discovery_list (self, core, media.version);
  api_reply_json_as (msg, 200, node, content_type);
}

/* Answers a discovery document on @msg if @path names one, and says
 * whether it did; with @msg %NULL it only says whether @path names one. */
gboolean
api_handle_discovery (TimonApiServer *self, ApiMessage *msg, const char *path)
{
  g_auto (GStrv) segments = g_strsplit (path, "/", -1);
  guint n = g_strv_length (segments);
  g_autoptr (JsonNode) node = NULL;

  /* segments[0] is the empty string before the leading '/'. */
  if (n == 2 && (strcmp (segments[1], "api") == 0 || strcmp (segments[1], "apis") == 0)) {
    if (msg != NULL)
      reply_root (self, msg, strcmp (segments[1], "api") == 0);
    return TRUE;
  }
  if (n == 3 && strcmp (segments[1], "api") == 0)
    node = resource_list (self, "", segments[2]);
  else if (n == 4 && strcmp (segments[1], "apis") == 0 && segments[2][0] != '\0')
    node = resource_list (self, segments[2], segments[3]);

  if (node == NULL)
    return FALSE;
  if (msg != NULL)
    api_reply_json (msg, 200, node);
  return TRUE;
}
