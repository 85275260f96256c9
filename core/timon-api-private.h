/* timon-api-private.h: what the files of the API server share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "timon-api-server.h"
#include "timon-field-selector.h"
#include "timon-label-selector.h"
#include "timon-status.h"

G_BEGIN_DECLS

typedef struct _ApiMetrics ApiMetrics;
typedef struct _ApiOpenApi ApiOpenApi;
typedef struct _ApiMessage ApiMessage;
typedef struct _ApiConnection ApiConnection;

struct _TimonApiServer {
  GObject parent_instance;

  TimonRegistry *registry;
  TimonStore *store;
  GPtrArray *workers;                /* ApiWorker: the threads serving HTTP (timon-api-worker.c) */
  GPtrArray *types;                  /* TimonResourceType, in registration order */
  GHashTable *by_path;               /* "group/version/plural" → TimonResourceType (unowned) */
  TimonResourceType *namespace_type; /* namespaces.v1, or NULL */
  gint n_watches;                    /* open watch streams, all workers' (atomic) */
  gint stopping;                     /* shutting down: no new watch (atomic) */
  char *address;                     /* host:port listened on */
  ApiMetrics *metrics;               /* what GET /metrics reports */
  ApiOpenApi *openapi;               /* the types' schemas */

  /* The watch cache (timon-api-cache.c): changed in the main thread,
   * read by the workers under cache_lock. */
  GRWLock cache_lock;
  GHashTable *caches;           /* store prefix of a type → ApiCache (owned) */
  GHashTable *caches_by_type;   /* TimonResourceType → ApiCache (unowned) */
  gint caches_ready;            /* loaded, and following the store (atomic) */
  gint64 cache_revision;        /* every write up to it is in the caches */
  TimonStoreWatch *cache_watch; /* the one store watch that feeds them */
  GCancellable *cache_load;     /* the load, while it runs */
  GSource *bookmark_timer;      /* bookmarks for the watches that take them */
  GMutex hints_lock;
  GHashTable *hints; /* GBytes being written → what the writer knew of it */
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
gboolean api_filter_is_empty (ApiFilter *filter);
gboolean api_filter_matches (ApiFilter *filter, JsonObject *object);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiFilter, api_filter_free)

/* What a list or watch asks for besides selectors. */
typedef enum {
  API_TRISTATE_UNSET,
  API_TRISTATE_FALSE,
  API_TRISTATE_TRUE,
} ApiTristate;

typedef enum {
  API_MATCH_UNSET,
  API_MATCH_EXACT,
  API_MATCH_NOT_OLDER_THAN,
} ApiRevisionMatch;

typedef struct {
  gint64 revision; /* -1: no resourceVersion */
  ApiRevisionMatch match;
  guint limit;                /* 0: no limit */
  const char *continue_token; /* NULL: none (the query's) */
  gboolean allow_bookmarks;
  ApiTristate send_initial;
} ApiListOptions;

/* Whether a boolean parameter ("watch", "allowWatchBookmarks") is true,
 * as Kubernetes reads one: given, and neither "false" nor "0". */
gboolean api_query_bool (GHashTable *query, const char *name);
gboolean api_list_options_parse (ApiListOptions *options,
                                 GHashTable *query,
                                 gboolean watch,
                                 ApiMessage *msg);

/* What selectors look at in an object (its labels and selectable
 * fields), taken once: one g_free()able block. */
char **api_attrs_new (TimonResourceType *type, JsonObject *object);
gboolean api_filter_matches_attrs (ApiFilter *filter, char *const *attrs);
const char *api_attrs_get_field (char *const *attrs, TimonResourceType *type, const char *field);

/* The watch cache (timon-api-cache.c). An entry is an object as served,
 * resourceVersion included, with its selector attributes. */
typedef struct {
  gatomicrefcount ref;
  gint64 mod_revision;
  GBytes *json;      /* the object, as served */
  char **attrs;      /* api_attrs_new() */
  gboolean deleting; /* it has a deletionTimestamp */
  char *key;         /* its store key */
} ApiEntry;

ApiEntry *api_entry_new (TimonResourceType *type,
                         const char *key,
                         GBytes *value,
                         gint64 revision,
                         GError **error);
ApiEntry *api_entry_ref (ApiEntry *entry);
void api_entry_unref (ApiEntry *entry);
JsonNode *api_entry_parse (ApiEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiEntry, api_entry_unref)

/* One change of one object, as watchers are told of it. */
typedef struct {
  gatomicrefcount ref;
  TimonResourceType *type;
  TimonStoreEventType kind;
  gint64 revision;
  ApiEntry *entry;   /* after the change; NULL for a deletion */
  ApiEntry *prev;    /* before it; NULL for a creation */
  ApiEntry *deleted; /* a deletion: prev, at the deletion's revision */
  GBytes *chunks[3]; /* the event lines by type, framed as HTTP chunks, made on first use */
} ApiEvent;

typedef enum {
  API_EVENT_ADDED,
  API_EVENT_MODIFIED,
  API_EVENT_DELETED,
} ApiEventType;

ApiEvent *api_event_new_from_store (TimonResourceType *type,
                                    TimonStoreEvent *event,
                                    ApiEntry *entry,
                                    ApiEntry *prev,
                                    GError **error);
ApiEvent *api_event_ref (ApiEvent *event);
void api_event_unref (ApiEvent *event);
/* The object an event of @type shows: the new object, or for a
 * deletion the last one at the deletion's revision. */
ApiEntry *api_event_get_object (ApiEvent *event, ApiEventType type);
/* The line of @event for a watcher, by @type, as one HTTP/1.1 chunk:
 * made once, written to every watcher (api_message_write_framed()). */
GBytes *api_event_get_chunk (ApiEvent *event, ApiEventType type);
GBytes *api_entry_to_line (ApiEntry *entry, ApiEventType type);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiEvent, api_event_unref)

typedef struct _ApiCache ApiCache;
typedef struct _ApiWatch ApiWatch;

void api_caches_start (TimonApiServer *self);
/* What a writer knows of the object it writes, for the cache to use
 * when the write's event comes (see timon-api-cache.c). */
void api_cache_hint (TimonApiServer *self,
                     TimonResourceType *type,
                     GBytes *value,
                     JsonObject *object);
void api_cache_unhint (TimonApiServer *self, GBytes *value);
void api_caches_stop (TimonApiServer *self);
/* The cache of @type once loaded, else NULL. */
ApiCache *api_cache_lookup (TimonApiServer *self, TimonResourceType *type);
/* Whether the caches hold every write up to @revision; -1: up to the
 * store's current revision, as a consistent read needs. */
gboolean api_caches_have (TimonApiServer *self, gint64 revision);
gint64 api_caches_get_revision (TimonApiServer *self);
/* A reference to the entry of @key, or NULL. */
ApiEntry *api_cache_get (ApiCache *cache, const char *key);
/* The entries under @prefix in key order, matching @filter; at most
 * @limit (0: all). @out_more tells whether entries remain after them. */
GPtrArray *api_cache_list (ApiCache *cache,
                           const char *prefix,
                           ApiFilter *filter,
                           guint limit,
                           gboolean *out_more);
guint api_cache_count (ApiCache *cache);
/* Adds @watch, first handing it the events after @since that the ring
 * still holds; %FALSE when the ring no longer reaches back to @since. */
gboolean api_cache_add_watch (ApiCache *cache, ApiWatch *watch, guint worker, gint64 since);
void api_cache_remove_watch (ApiCache *cache, ApiWatch *watch, guint worker);

/* Workers (timon-api-worker.c): each serves HTTP in its own thread and
 * main context. */
typedef struct {
  TimonApiServer *server; /* unowned */
  guint index;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GSocket *listener;  /* shared by the workers */
  GSource *accept;    /* on it */
  GSource *timer;     /* closes connections that waited too long */
  GQueue connections; /* ApiConnection, each a source of the context */
  gboolean stopped;
  GHashTable *watches; /* the ApiWatch streams it serves (owned) */
} ApiWorker;

ApiWorker *api_worker_new (TimonApiServer *server, guint index);
GSocket *api_listener_new (GInetSocketAddress *address, GError **error);
void api_worker_listen (ApiWorker *worker, GSocket *listener);
ApiWorker *api_worker_current (void);
void api_worker_invoke (ApiWorker *worker, GSourceFunc func, gpointer data, GDestroyNotify notify);
void api_worker_end_watches (ApiWorker *worker);
void api_worker_stop (ApiWorker *worker);
void api_worker_free (ApiWorker *worker);
/* A connection of the worker's closed: @link leaves its list. */
void api_worker_forget_connection (ApiWorker *worker, GList *link);

/* HTTP/1.1 (timon-api-http.c): connections, in the thread of the
 * worker that accepted them, and the requests read on them. */
ApiConnection *api_connection_new (ApiWorker *worker, int fd, GList *link);
void api_connection_check_timeout (ApiConnection *conn, gint64 now);
void api_connection_close (ApiConnection *conn);

typedef void (*ApiMessageFunc) (ApiMessage *msg, gpointer data);

ApiMessage *api_message_ref (ApiMessage *msg);
void api_message_unref (ApiMessage *msg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ApiMessage, api_message_unref)
const char *api_message_get_method (ApiMessage *msg);
/* The request's path as sent (percent-encoded), without its query. */
const char *api_message_get_path (ApiMessage *msg);
/* The query's parameters, decoded: the first of several values. */
GHashTable *api_message_get_query (ApiMessage *msg);
/* A request header, by its name in any case; several of one name as
 * one comma-separated list. NULL when absent. */
const char *api_message_get_header (ApiMessage *msg, const char *name);
/* The media type of the request's Content-Type, without parameters. */
const char *api_message_get_content_type (ApiMessage *msg);
/* The request's body, whole: empty when it has none. */
GBytes *api_message_get_body (ApiMessage *msg);
void api_message_set_status (ApiMessage *msg, guint status);
guint api_message_get_status (ApiMessage *msg);
/* Sets (or replaces) a header of the answer. */
void api_message_set_header (ApiMessage *msg, const char *name, const char *value);
/* Adds a header to the answer, beside those of the same name (Warning). */
void api_message_add_header (ApiMessage *msg, const char *name, const char *value);
void api_message_set_response (ApiMessage *msg,
                               guint status,
                               const char *content_type,
                               GBytes *body);
void api_message_take_response (ApiMessage *msg,
                                guint status,
                                const char *content_type,
                                char *data,
                                gsize length);
/* A paused request is answered when unpaused, not when its handler
 * returns: an asynchronous write. */
void api_message_pause (ApiMessage *msg);
void api_message_unpause (ApiMessage *msg);
/* @func runs once the answer is out, or the connection is gone: the
 * request is done with. Returns an id for disconnecting it. */
guint api_message_connect_finished (ApiMessage *msg, ApiMessageFunc func, gpointer data);
void api_message_disconnect_finished (ApiMessage *msg, guint id);
gboolean api_message_is_finished (ApiMessage *msg);
/* A streamed answer (a watch): 200 and the headers go at once, then
 * each chunk as it is written, until the stream ends. Begun in the
 * handler. */
void api_message_begin_stream (ApiMessage *msg, const char *content_type);
void api_message_write_chunk (ApiMessage *msg, GBytes *chunk);
/* @data framed as one chunk ("SIZE\r\nDATA\r\n"): what
 * api_message_write_framed() takes. */
GBytes *api_chunk_new (GBytes *data);
/* Writes a chunk framed by api_chunk_new(), shared by many streams:
 * queued as it is, without a copy or an allocation of its own. */
void api_message_write_framed (ApiMessage *msg, GBytes *framed);
void api_message_end_stream (ApiMessage *msg);

/* What the connections call (timon-api-server.c): the API's handler,
 * for a request read whole, and the Status for a body refused before
 * it is read whole (400, 413). */
void api_handle_request (TimonApiServer *self, ApiMessage *msg);
void api_reply_body_refused (ApiMessage *msg, guint code, const char *message);

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
ApiMedia api_negotiate (ApiMessage *msg, ApiMediaKind offered);
void api_reply_json (ApiMessage *msg, guint status, JsonNode *node);
void api_reply_json_as (ApiMessage *msg, guint status, JsonNode *node, const char *content_type);
void api_reply_status (ApiMessage *msg, JsonNode *status);
/* A bare Status Success with @code, as Kubernetes answers a binding or
 * an eviction. */
void api_reply_success (ApiMessage *msg, guint code);
/* 405, in Kubernetes' words. */
void api_reply_method_not_allowed (ApiMessage *msg);
/* Replies with a Status of @code and the message @format makes. */
void api_reply_message (ApiMessage *msg, TimonApiError code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
void api_reply_error (ApiMessage *msg,
                      const GError *error,
                      TimonResourceType *type,
                      const char *name);
char *api_node_to_string (JsonNode *node, gsize *out_length);

/* Objects (timon-api-objects.c). */
char *api_resource_name (TimonResourceType *type);
char *api_api_version (TimonResourceType *type);
char *api_store_prefix (TimonResourceType *type, const char *namespace);
char *api_store_key (TimonResourceType *type, const char *namespace, const char *name);
JsonNode *api_value_to_node (const char *key, GBytes *value, gint64 revision, GError **error);
JsonNode *api_item_to_node (TimonStoreItem *item, GBytes *value, gint64 revision, GError **error);
GError *api_store_error (const GError *error, TimonResourceType *type, const char *name);
void api_handle_object (TimonApiServer *self,
                        ApiMessage *msg,
                        ApiTarget *target,
                        GHashTable *query);
const char *api_object_string (JsonObject *object, const char *member);
JsonObject *api_object_child (JsonObject *object, const char *member);
GBytes *api_serialize (JsonObject *object);
char *api_now_rfc3339 (void);

/* The body of a write as a JSON object: JSON, YAML (converted) or with
 * no Content-Type (JSON), as Kubernetes takes them; refused (415) in
 * another media type, and (400, 413) when too large, not JSON or not
 * an object. Replies and returns NULL then. */
JsonNode *api_read_json_body (ApiMessage *msg);

/* What Kubernetes' decoder refuses before it reads a body
 * (timon-api-decode.c), in the words of Go's encoding/json
 * (G_IO_ERROR_INVALID_DATA): nesting past its limit, more than one
 * value, and ObjectMeta members of the wrong JSON type. */
#define API_JSON_MAX_DEPTH 10000
gboolean api_json_check_shape (const char *data, gsize length, GError **error);
gboolean api_check_object_meta (JsonObject *metadata, GError **error);

/* A request answered once an asynchronous write is done: the message
 * stays paused until then, and the client may go away meanwhile.
 * Embedded in what each kind of write keeps while in flight. */
typedef struct {
  ApiMessage *msg;
  guint finished_id;
  gboolean finished; /* the client went away: nothing to answer */
} ApiPending;

/* Takes a reference on @msg and pauses it. @pending must not move
 * until api_pending_clear(): the "finished" handler points to it. */
void api_pending_init (ApiPending *pending, ApiMessage *msg);
/* Sends the reply set on the message, unless the client went away. */
void api_pending_clear (ApiPending *pending);

/* Patches (timon-api-patch.c): pure functions over JSON, which return
 * new documents and leave their inputs alone. */
typedef enum {
  API_PATCH_JSON,      /* application/json-patch+json: RFC 6902 */
  API_PATCH_MERGE,     /* application/merge-patch+json: RFC 7386 */
  API_PATCH_STRATEGIC, /* application/strategic-merge-patch+json (timon-api-smp.c) */
  API_PATCH_APPLY,     /* application/apply-patch+yaml (timon-api-apply.c) */
} ApiPatchType;

/* Kubernetes' limit on the operations of one JSON patch. */
#define API_PATCH_MAX_OPERATIONS 10000

JsonNode *api_json_deep_copy (JsonNode *node);
gboolean api_json_equal (JsonNode *a, JsonNode *b);
JsonNode *api_merge_patch (JsonNode *target, JsonNode *patch);
JsonNode *api_json_patch (JsonNode *target, JsonNode *patch, GError **error);
gboolean api_patch_type_from_content_type (const char *content_type,
                                           ApiPatchType *out_type,
                                           GError **error);
JsonNode *api_patch_apply (ApiPatchType type, JsonNode *target, JsonNode *patch, GError **error);
JsonNode *api_patch_error_status (const GError *error);

/* Any JSON body (a JSON patch is an array), refused as
 * api_read_json_body() refuses it; replies and returns NULL then. */
JsonNode *api_read_json (ApiMessage *msg);

/* Subresources besides status (timon-api-subresources.c): scale,
 * binding and eviction, for the types that declare them. */
void api_handle_scale (TimonApiServer *self, ApiMessage *msg, ApiTarget *target);
void api_handle_binding (TimonApiServer *self, ApiMessage *msg, ApiTarget *target);
void api_handle_eviction (TimonApiServer *self,
                          ApiMessage *msg,
                          ApiTarget *target,
                          GHashTable *query);

/* Deletion (timon-api-delete.c): DeleteOptions, finalizers, graceful
 * deletion, namespaces that terminate, deletecollection, eviction. */
gboolean api_object_is_terminating (JsonObject *object);
gboolean api_object_is_held (TimonApiServer *self, TimonResourceType *type, JsonObject *object);
/* Whether @object's graceful deletion is still running (a
 * deletionGracePeriodSeconds above 0): only a DELETE ends it. */
gboolean api_object_in_grace_period (JsonObject *object);
void api_validate_finalizers (JsonObject *object, JsonObject *old, TimonFieldErrors *errors);
void api_handle_delete (TimonApiServer *self,
                        ApiMessage *msg,
                        ApiTarget *target,
                        GHashTable *query);
/* Deletes @target's object as a DELETE with the DeleteOptions
 * @options (NULL: none) and the dryRun of @query would, and answers an
 * eviction's 201 Status Success; replies with the error otherwise. */
void api_delete_evict (TimonApiServer *self,
                       ApiMessage *msg,
                       ApiTarget *target,
                       JsonObject *options,
                       GHashTable *query);

/* Tables (timon-api-table.c): what `kubectl get` prints, computed by
 * the server from the type's columns. */
typedef struct _ApiTable ApiTable;
ApiTable *api_table_new (ApiMessage *msg,
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
void api_handle_watch (TimonApiServer *self,
                       ApiMessage *msg,
                       ApiTarget *target,
                       GHashTable *query,
                       ApiTable *table);
void api_watch_free (ApiWatch *watch);
/* Hands @event to @watch, which filters it. */
void api_watch_deliver (ApiWatch *watch, ApiEvent *event);
/* Ends @watch: its cache is going away. */
void api_watch_end (ApiWatch *watch);
/* Tells @watch, if it takes bookmarks, that it has seen everything up
 * to @revision. */
void api_watch_bookmark (ApiWatch *watch, gint64 revision);

/* The resource a path names, for a type timond serves: %FALSE for
 * other paths (timon-api-server.c). */
gboolean api_parse_resource_path (TimonApiServer *self, const char *path, ApiTarget *target);

/* Metrics (timon-api-metrics.c): each request is tracked from its
 * headers to its end, and GET /metrics reports them. */
ApiMetrics *api_metrics_new (void);
void api_metrics_free (ApiMetrics *metrics);
void api_metrics_track (TimonApiServer *self, ApiMessage *msg);
void api_metrics_reply (TimonApiServer *self, ApiMessage *msg);
gint64 api_metrics_get_inflight (ApiMetrics *metrics);

/* OpenAPI (timon-api-openapi.c): the types' schemas, published under
 * /openapi/v3 and checked against what is written. */
ApiOpenApi *api_openapi_new (GPtrArray *types);
void api_openapi_free (ApiOpenApi *self);
gboolean api_handle_openapi (ApiOpenApi *self, ApiMessage *msg, const char *path);
/* @type's own schema; NULL when it has none. */
JsonObject *api_openapi_get_schema (ApiOpenApi *self, TimonResourceType *type);
/* The schema a reference (or "allOf" of one) stands for. */
JsonObject *api_openapi_resolve (ApiOpenApi *self, JsonObject *schema);
/* The schema of member @name of an object of @schema: its property,
 * or its additionalProperties, as written there (a list's extensions
 * are on it, not on what it refers to). NULL when unknown. */
JsonObject *api_openapi_member (ApiOpenApi *self, JsonObject *schema, const char *name);
/* The same, resolved. */
JsonObject *api_openapi_property (ApiOpenApi *self, JsonObject *schema, const char *name);
/* The paths ("spec.containers[0].foo") of the fields of @object that
 * @type's schema does not declare; removed from @object with @prune. */
GPtrArray *api_openapi_check_fields (ApiOpenApi *self,
                                     TimonResourceType *type,
                                     JsonObject *object,
                                     gboolean prune);

/* Strategic merge patch (timon-api-smp.c): @patch merged into
 * @target, lists as @schema (a type's schema, or NULL: none merge)
 * says. */
JsonNode *api_strategic_merge_patch (ApiOpenApi *openapi,
                                     JsonObject *schema,
                                     JsonNode *target,
                                     JsonNode *patch,
                                     GError **error);

/* Server-side apply (timon-api-apply.c). */
/* Refuses what may not be applied: without apiVersion and kind, or
 * with managedFields. */
gboolean api_apply_check (JsonObject *applied, GError **error);
/* The object an apply creates: @applied, with @manager's fields. */
JsonNode *api_apply_new (ApiOpenApi *openapi,
                         TimonResourceType *type,
                         JsonObject *applied,
                         const char *manager);
/* @live with @applied merged in: @manager's fields of its last apply
 * that it no longer applies removed, its fields recorded. */
JsonNode *api_apply_merge (ApiOpenApi *openapi,
                           TimonResourceType *type,
                           JsonNode *live,
                           JsonObject *applied,
                           const char *manager,
                           GError **error);

/* The reviews of a client by itself (timon-api-reviews.c), which
 * discovery lists too. */
typedef struct {
  const char *group;
  const char *version;
  const char *plural;
  const char *kind;
} ApiReview;
extern const ApiReview api_reviews[]; /* ended by a NULL group */
gboolean api_handle_review (TimonApiServer *self, ApiMessage *msg, const char *path);

/* A body in Kubernetes' protobuf ("k8s\0" and a runtime.Unknown), as
 * JSON, for the kinds kubectl's typed commands send
 * (timon-api-protobuf.c); NULL with @error (400) when it does not
 * decode or holds a field timond does not know. */
JsonNode *api_protobuf_to_json (GBytes *body, GError **error);
/* Whether objects of @kind can come in protobuf: Kubernetes' own kinds
 * that kubectl sends so, not those of other plugins (as Kubernetes
 * takes no protobuf for custom resources). */
gboolean api_protobuf_knows (const char *kind);

/* Discovery (timon-api-discovery.c). */
gboolean api_handle_discovery (TimonApiServer *self, ApiMessage *msg, const char *path);

G_END_DECLS
