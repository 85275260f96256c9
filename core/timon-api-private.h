/* timon-api-private.h: what the files of the API server share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "timon-api-server.h"
#include "timon-field-selector.h"
#include "timon-label-selector.h"

G_BEGIN_DECLS

typedef struct _ApiMetrics ApiMetrics;

struct _TimonApiServer {
  GObject parent_instance;

  TimonRegistry *registry;
  TimonStore *store;
  SoupServer *soup;
  GPtrArray *types;                  /* TimonResourceType, in registration order */
  GHashTable *by_path;               /* "group/version/plural" → TimonResourceType (unowned) */
  TimonResourceType *namespace_type; /* namespaces.v1, or NULL */
  GHashTable *watches;               /* the open ApiWatch streams (owned) */
  char *address;                     /* host:port listened on */
  ApiMetrics *metrics;               /* what GET /metrics reports */
};

/* What a resource URL names. */
typedef struct {
  TimonResourceType *type; /* unowned */
  char *namespace;         /* NULL: cluster-scoped, or all namespaces */
  char *name;              /* NULL: the collection */
  char *subresource;       /* NULL, "status", "scale" or "binding" */
} ApiTarget;

void api_target_clear (ApiTarget *target);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ApiTarget, api_target_clear)

/* Selectors of a list or watch, matched against parsed objects. */
typedef struct {
  TimonResourceType *type;
  TimonLabelSelector *labels; /* NULL: everything */
  TimonFieldSelector *fields; /* NULL: everything */
} ApiFilter;

ApiFilter *api_filter_new (TimonResourceType *type, GHashTable *query, GError **error);
void api_filter_free (ApiFilter *filter);
gboolean api_filter_matches (ApiFilter *filter, JsonObject *object);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiFilter, api_filter_free)

/* What a reply can be, beside plain JSON: the conversions a client asks
 * for in its Accept header ("application/json;as=Table;v=v1;g=meta.k8s.io"). */
typedef enum {
  API_MEDIA_JSON,
  API_MEDIA_TABLE,          /* meta.k8s.io Table, v1 or v1beta1 */
  API_MEDIA_DISCOVERY,      /* apidiscovery.k8s.io APIGroupDiscoveryList, v2 or v2beta1 */
  API_MEDIA_NOT_ACCEPTABLE, /* only conversions asked for, none of them served */
} ApiMediaKind;

typedef struct {
  ApiMediaKind kind;
  const char *version; /* static: "v1", "v1beta1", "v2", "v2beta1"; NULL for JSON */
} ApiMedia;

/* Replies (timon-api-server.c). */
ApiMedia api_negotiate (SoupServerMessage *msg, ApiMediaKind offered);
void api_reply_json (SoupServerMessage *msg, guint status, JsonNode *node);
void api_reply_json_as (SoupServerMessage *msg,
                        guint status,
                        JsonNode *node,
                        const char *content_type);
void api_reply_status (SoupServerMessage *msg, JsonNode *status);
void api_reply_error (SoupServerMessage *msg,
                      const GError *error,
                      TimonResourceType *type,
                      const char *name);
gboolean api_body_too_large (SoupServerMessage *msg);
char *api_node_to_string (JsonNode *node, gsize *out_length);

/* Objects (timon-api-objects.c). */
char *api_resource_name (TimonResourceType *type);
char *api_api_version (TimonResourceType *type);
char *api_store_prefix (TimonResourceType *type, const char *namespace);
char *api_store_key (TimonResourceType *type, const char *namespace, const char *name);
JsonNode *api_item_to_node (TimonStoreItem *item, GBytes *value, gint64 revision, GError **error);
GError *api_store_error (const GError *error, TimonResourceType *type, const char *name);
gboolean api_parse_revision (GHashTable *query, gint64 *out_revision, GError **error);
void api_handle_object (TimonApiServer *self,
                        SoupServerMessage *msg,
                        ApiTarget *target,
                        GHashTable *query);
const char *api_object_string (JsonObject *object, const char *member);
JsonObject *api_object_child (JsonObject *object, const char *member);
GBytes *api_serialize (JsonObject *object);
char *api_now_rfc3339 (void);

/* The body of a write as a JSON object: refused when too large, not
 * JSON or not an object. Replies and returns NULL then. Each route
 * checks the Content-Type it accepts before, as they differ. */
JsonNode *api_read_json_body (SoupServerMessage *msg);

/* A request answered once an asynchronous write is done: the message
 * stays paused until then, and the client may go away meanwhile.
 * Embedded in what each kind of write keeps while in flight. */
typedef struct {
  SoupServerMessage *msg;
  gulong finished_id;
  gboolean finished; /* the client went away: nothing to answer */
} ApiPending;

/* Takes a reference on @msg and pauses it. @pending must not move
 * until api_pending_clear(): the "finished" handler points to it. */
void api_pending_init (ApiPending *pending, SoupServerMessage *msg);
/* Sends the reply set on the message, unless the client went away. */
void api_pending_clear (ApiPending *pending);

/* Subresources besides status (timon-api-subresources.c): scale and
 * binding, for the types that declare them. */
void api_handle_scale (TimonApiServer *self, SoupServerMessage *msg, ApiTarget *target);
void api_handle_binding (TimonApiServer *self, SoupServerMessage *msg, ApiTarget *target);

/* Deletion (timon-api-delete.c): DeleteOptions, finalizers, namespaces
 * that terminate, deletecollection. */
gboolean api_object_is_terminating (JsonObject *object);
gboolean api_object_is_held (TimonApiServer *self, TimonResourceType *type, JsonObject *object);
void api_validate_finalizers (JsonObject *object, JsonObject *old, TimonFieldErrors *errors);
void api_handle_delete (TimonApiServer *self,
                        SoupServerMessage *msg,
                        ApiTarget *target,
                        GHashTable *query);

/* Tables (timon-api-table.c): what `kubectl get` prints, computed by
 * the server from the type's columns. */
typedef struct _ApiTable ApiTable;
ApiTable *api_table_new (SoupServerMessage *msg,
                         TimonResourceType *type,
                         GHashTable *query,
                         GError **error);
void api_table_free (ApiTable *table);
const char *api_table_get_content_type (ApiTable *table);
JsonNode *api_table_build (ApiTable *table,
                           JsonNode *const *objects,
                           guint n_objects,
                           const char *resource_version,
                           const char *continue_token,
                           gboolean with_columns);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiTable, api_table_free)

/* Watches (timon-api-watch.c). */
typedef struct _ApiWatch ApiWatch;
void api_handle_watch (TimonApiServer *self,
                       SoupServerMessage *msg,
                       ApiTarget *target,
                       GHashTable *query,
                       ApiTable *table);
void api_watch_free (ApiWatch *watch);

/* The resource a path names, for a type timond serves: %FALSE for
 * other paths (timon-api-server.c). */
gboolean api_parse_resource_path (TimonApiServer *self, const char *path, ApiTarget *target);

/* Metrics (timon-api-metrics.c): each request is tracked from its
 * headers to its end, and GET /metrics reports them. */
ApiMetrics *api_metrics_new (void);
void api_metrics_free (ApiMetrics *metrics);
void api_metrics_track (TimonApiServer *self,
                        SoupServerMessage *msg,
                        const char *path,
                        GHashTable *query);
void api_metrics_reply (TimonApiServer *self, SoupServerMessage *msg);

/* Discovery (timon-api-discovery.c). */
gboolean api_handle_discovery (TimonApiServer *self, SoupServerMessage *msg, const char *path);

G_END_DECLS
