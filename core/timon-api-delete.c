/* timon-api-delete.c: DELETE of one object or of a collection, with
 * Kubernetes' semantics (k8s.io/apiserver/pkg/registry/generic/registry,
 * handlers/delete.go):
 *
 * - DeleteOptions, in the body (JSON) or, without a body, the query:
 *   preconditions, propagationPolicy, orphanDependents, dryRun and
 *   gracePeriodSeconds.
 * - Finalizers: an object with any is not removed but marked, with
 *   metadata.deletionTimestamp; it goes when an update takes its last
 *   finalizer away (timon-api-objects.c). The propagation policy adds
 *   the garbage collector's finalizers, "orphan" and "foregroundDeletion",
 *   as Kubernetes does; until that collector exists nothing removes them
 *   but a client. Deleting an object that terminates writes nothing,
 *   unless the policy changes those finalizers.
 * - Namespaces: spec.finalizers holds them too ("kubernetes" by default),
 *   and a deleted namespace shows status.phase Terminating. Emptying it
 *   and removing its finalizer is the namespace controller's job, a later
 *   issue: until then a namespace terminates until a client updates its
 *   finalizers away.
 * - Graceful deletion (Kubernetes' BeforeDelete), for the types whose
 *   hooks have check_graceful_delete (Pods): the hook gives the grace
 *   period from gracePeriodSeconds and the object; above 0 the object is
 *   not removed but gets metadata.deletionTimestamp (now + grace) and
 *   deletionGracePeriodSeconds, and stays until a DELETE with a grace
 *   period of 0 (what the node agent sends once the pod stopped, or
 *   `kubectl delete --grace-period=0 --force`). A later DELETE may only
 *   shorten the grace period; one that does not changes nothing, not
 *   even the finalizers. Finalizers hold the object too: it goes when
 *   both are done. Other types ignore gracePeriodSeconds.
 * - deletecollection: DELETE on a collection URL deletes each object the
 *   label and field selectors match, as a DELETE of each would, and
 *   answers the list of them as they were left.
 * - Eviction (pods/eviction, timon-api-subresources.c reads it): a
 *   DELETE with the Eviction's DeleteOptions, answered with 201 and a
 *   Status Success. Timon has no PodDisruptionBudgets yet, so every
 *   eviction is allowed.
 *
 * Everything is checked before anything is written: a precondition that
 * fails for one object of a collection deletes none of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "timon-api-private.h"
#include "timon-status.h"

#define FINALIZER_ORPHAN "orphan"
#define FINALIZER_FOREGROUND "foregroundDeletion"
#define PHASE_TERMINATING "Terminating"

/* ---- finalizers --------------------------------------------------------- */

static JsonArray *
array_member (JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static gboolean
array_contains_string (JsonArray *array, const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++) {
    JsonNode *node = json_array_get_element (array, i);
    if (json_node_get_value_type (node) == G_TYPE_STRING &&
        g_strcmp0 (json_node_get_string (node), value) == 0)
      return TRUE;
  }
  return FALSE;
}

gboolean
api_object_is_terminating (JsonObject *object)
{
  JsonObject *metadata = api_object_child (object, "metadata");
  JsonNode *node = metadata != NULL ? json_object_get_member (metadata, "deletionTimestamp") : NULL;
  return node != NULL && !JSON_NODE_HOLDS_NULL (node);
}

/* An integer member, if @object has one. */
static gboolean
int_member (JsonObject *object, const char *member, gint64 *out_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out_value = json_node_get_int (node);
  return TRUE;
}

gboolean
api_object_in_grace_period (JsonObject *object)
{
  gint64 grace = 0;
  return api_object_is_terminating (object) &&
         int_member (api_object_child (object, "metadata"), "deletionGracePeriodSeconds", &grace) &&
         grace > 0;
}

/* Whether finalizers keep @object from going: any in metadata.finalizers,
 * or, for a Namespace, in spec.finalizers. */
gboolean
api_object_is_held (TimonApiServer *self, TimonResourceType *type, JsonObject *object)
{
  JsonArray *finalizers = array_member (api_object_child (object, "metadata"), "finalizers");
  if (finalizers != NULL && json_array_get_length (finalizers) > 0)
    return TRUE;
  if (type != self->namespace_type)
    return FALSE;
  finalizers = array_member (api_object_child (object, "spec"), "finalizers");
  return finalizers != NULL && json_array_get_length (finalizers) > 0;
}

/* Kubernetes' ValidateFinalizers, on every write: qualified names, and
 * not both of the garbage collector's; and its ValidateNoNewFinalizers on
 * updates: once an object terminates, finalizers can only go, else it
 * could be held forever. @old is NULL for a create. */
void
api_validate_finalizers (JsonObject *object, JsonObject *old, TimonFieldErrors *errors)
{
  JsonObject *metadata = api_object_child (object, "metadata");
  JsonNode *member = metadata != NULL ? json_object_get_member (metadata, "finalizers") : NULL;
  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return;
  if (!JSON_NODE_HOLDS_ARRAY (member)) {
    /* Else the holds of deletion would not see them. */
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "metadata.finalizers", NULL,
                            "must be a list of strings");
    return;
  }
  JsonArray *after = json_node_get_array (member);
  gboolean terminating = old != NULL && api_object_is_terminating (old);
  JsonArray *before =
    terminating ? array_member (api_object_child (old, "metadata"), "finalizers") : NULL;
  g_autoptr (GString) added = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (after); i++) {
    JsonNode *node = json_array_get_element (after, i);
    if (json_node_get_value_type (node) != G_TYPE_STRING) {
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "metadata.finalizers", NULL,
                              "must be a list of strings");
      return;
    }
    const char *name = json_node_get_string (node);
    g_autofree char *message = NULL;
    if (!timon_validate_qualified_name (name, &message))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "metadata.finalizers", name, "%s",
                              message);
    if (terminating && !array_contains_string (before, name)) {
      /* Go's %#v of the []string Kubernetes prints. */
      g_autofree char *escaped = g_strescape (name, NULL);
      g_string_append_printf (added, "%s\"%s\"", added->len > 0 ? ", " : "", escaped);
    }
  }
  if (array_contains_string (after, FINALIZER_ORPHAN) &&
      array_contains_string (after, FINALIZER_FOREGROUND))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "metadata.finalizers", NULL,
                            "finalizer %s and %s cannot be both set", FINALIZER_ORPHAN,
                            FINALIZER_FOREGROUND);
  if (added->len > 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_FORBIDDEN, "metadata.finalizers", NULL,
                            "no new finalizers can be added if the object is being deleted, "
                            "found new finalizers []string{%s}",
                            added->str);
}

/* ---- DeleteOptions ------------------------------------------------------ */

typedef enum {
  POLICY_NONE, /* not given: the finalizers stay as they are */
  POLICY_ORPHAN,
  POLICY_BACKGROUND,
  POLICY_FOREGROUND,
} Policy;

typedef struct {
  char *policy_text; /* propagationPolicy as given, or NULL */
  Policy policy;
  int orphan_dependents;  /* -1: not given; else the deprecated boolean */
  char *dry_run;          /* the first dryRun value, or NULL */
  gboolean has_grace;     /* gracePeriodSeconds was given */
  gint64 grace;           /* gracePeriodSeconds */
  char *uid;              /* preconditions.uid, or NULL */
  char *resource_version; /* preconditions.resourceVersion, or NULL */
} DeleteOptions;

static void
delete_options_clear (DeleteOptions *options)
{
  g_clear_pointer (&options->policy_text, g_free);
  g_clear_pointer (&options->dry_run, g_free);
  g_clear_pointer (&options->uid, g_free);
  g_clear_pointer (&options->resource_version, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeleteOptions, delete_options_clear)

/* @member of the body: absent or null gives NULL; another type than
 * @type is the client's mistake (400, as Kubernetes' decoder answers). */
static JsonNode *
body_member (JsonObject *object, const char *member, GType type, GError **error)
{
  JsonNode *node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  gboolean ok = type == JSON_TYPE_OBJECT  ? JSON_NODE_HOLDS_OBJECT (node)
                : type == JSON_TYPE_ARRAY ? JSON_NODE_HOLDS_ARRAY (node)
                                          : json_node_get_value_type (node) == type;
  if (!ok) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                 "invalid DeleteOptions: %s has the wrong type", member);
    return NULL;
  }
  return node;
}

static gboolean
options_from_body (JsonObject *body, DeleteOptions *options, GError **error)
{
  GError *local = NULL;
  JsonNode *node;

  const char *kind = api_object_string (body, "kind");
  if (json_object_has_member (body, "kind") && g_strcmp0 (kind, "DeleteOptions") != 0) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                 "the body of a delete must be DeleteOptions, not %s", kind ? kind : "?");
    return FALSE;
  }
  if ((node = body_member (body, "gracePeriodSeconds", G_TYPE_INT64, &local)) != NULL) {
    options->has_grace = TRUE;
    options->grace = json_node_get_int (node);
  }
  if (local != NULL)
    goto failed;
  if ((node = body_member (body, "propagationPolicy", G_TYPE_STRING, &local)) != NULL)
    options->policy_text = g_strdup (json_node_get_string (node));
  if (local != NULL)
    goto failed;
  if ((node = body_member (body, "orphanDependents", G_TYPE_BOOLEAN, &local)) != NULL)
    options->orphan_dependents = json_node_get_boolean (node);
  if (local != NULL)
    goto failed;
  if ((node = body_member (body, "dryRun", JSON_TYPE_ARRAY, &local)) != NULL) {
    JsonArray *values = json_node_get_array (node);
    for (guint i = 0; i < json_array_get_length (values); i++) {
      JsonNode *value = json_array_get_element (values, i);
      if (json_node_get_value_type (value) != G_TYPE_STRING) {
        g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                     "invalid DeleteOptions: dryRun must hold strings");
        return FALSE;
      }
      /* One value other than All is enough to refuse them all. */
      if (options->dry_run == NULL || strcmp (json_node_get_string (value), "All") != 0) {
        g_free (options->dry_run);
        options->dry_run = g_strdup (json_node_get_string (value));
      }
    }
  }
  if (local != NULL)
    goto failed;
  if ((node = body_member (body, "preconditions", JSON_TYPE_OBJECT, &local)) != NULL) {
    JsonObject *preconditions = json_node_get_object (node);
    JsonNode *uid = body_member (preconditions, "uid", G_TYPE_STRING, &local);
    if (local != NULL)
      goto failed;
    JsonNode *rv = body_member (preconditions, "resourceVersion", G_TYPE_STRING, &local);
    options->uid = uid != NULL ? g_strdup (json_node_get_string (uid)) : NULL;
    options->resource_version = rv != NULL ? g_strdup (json_node_get_string (rv)) : NULL;
  }
  if (local != NULL)
    goto failed;
  return TRUE;

failed:
  g_propagate_error (error, local);
  return FALSE;
}

static gboolean
options_from_query (GHashTable *query, DeleteOptions *options, GError **error)
{
  const char *grace = query ? g_hash_table_lookup (query, "gracePeriodSeconds") : NULL;
  const char *orphan = query ? g_hash_table_lookup (query, "orphanDependents") : NULL;
  const char *policy = query ? g_hash_table_lookup (query, "propagationPolicy") : NULL;
  const char *dry_run = query ? g_hash_table_lookup (query, "dryRun") : NULL;

  if (grace != NULL && grace[0] != '\0') {
    if (!g_ascii_string_to_signed (grace, 10, G_MININT64, G_MAXINT64, &options->grace, NULL)) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                   "invalid gracePeriodSeconds \"%s\"", grace);
      return FALSE;
    }
    options->has_grace = TRUE;
  }
  if (orphan != NULL && orphan[0] != '\0') {
    if (strcmp (orphan, "true") != 0 && strcmp (orphan, "false") != 0) {
      g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_BAD_REQUEST,
                   "invalid orphanDependents \"%s\"", orphan);
      return FALSE;
    }
    options->orphan_dependents = strcmp (orphan, "true") == 0;
  }
  if (policy != NULL && policy[0] != '\0')
    options->policy_text = g_strdup (policy);
  if (dry_run != NULL && dry_run[0] != '\0')
    options->dry_run = g_strdup (dry_run);
  return TRUE;
}

/* Kubernetes' ValidateDeleteOptions: a 422 about DeleteOptions. */
static gboolean
validate_options (ApiMessage *msg, DeleteOptions *options)
{
  static const struct {
    const char *name;
    Policy policy;
  } policies[] = {
    { "Foreground", POLICY_FOREGROUND },
    { "Background", POLICY_BACKGROUND },
    { "Orphan", POLICY_ORPHAN },
  };
  g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();

  if (options->policy_text != NULL) {
    options->policy = (Policy) -1;
    for (size_t i = 0; i < G_N_ELEMENTS (policies); i++) {
      if (strcmp (options->policy_text, policies[i].name) == 0)
        options->policy = policies[i].policy;
    }
    if (options->policy == (Policy) -1)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, "propagationPolicy",
                              options->policy_text,
                              "supported values: \"Foreground\", \"Background\", \"Orphan\", "
                              "\"nil\"");
    if (options->orphan_dependents >= 0)
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "propagationPolicy",
                              options->policy_text,
                              "orphanDependents and deletionPropagation cannot be both set");
  } else if (options->orphan_dependents >= 0) {
    /* The deprecated form of the same choice. */
    options->policy = options->orphan_dependents ? POLICY_ORPHAN : POLICY_BACKGROUND;
  }
  if (options->dry_run != NULL && strcmp (options->dry_run, "All") != 0)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_NOT_SUPPORTED, "dryRun", options->dry_run,
                            "supported values: \"All\"");
  if (timon_field_errors_get_length (errors) == 0)
    return TRUE;
  api_reply_status (msg, timon_status_new_invalid ("meta.k8s.io", "DeleteOptions", "", errors));
  return FALSE;
}

/* The options of a DELETE: from the body when it has one, else from the
 * query (as Kubernetes: one or the other). Replies when they are wrong. */
static gboolean
read_options (ApiMessage *msg, GHashTable *query, DeleteOptions *options)
{
  GBytes *body = api_message_get_body (msg);
  g_autoptr (GError) error = NULL;

  options->orphan_dependents = -1;
  if (g_bytes_get_size (body) == 0) {
    if (!options_from_query (query, options, &error)) {
      api_reply_error (msg, error, NULL, NULL);
      return FALSE;
    }
    return validate_options (msg, options);
  }

  g_autoptr (JsonNode) root = api_read_json_body (msg);
  if (root == NULL)
    return FALSE;
  if (!options_from_body (json_node_get_object (root), options, &error)) {
    api_reply_error (msg, error, NULL, NULL);
    return FALSE;
  }
  return validate_options (msg, options);
}

/* ---- what a deletion does to one object --------------------------------- */

typedef struct {
  char *key;
  char *name;
  gint64 revision;    /* the mod revision the plan was made from */
  JsonNode *current;  /* the object as stored, resourceVersion set */
  JsonObject *update; /* NULL: remove the object; else: write this, it terminates */
  gboolean keep;      /* it terminates already: nothing to write */
} Plan;

static void
plan_free (Plan *plan)
{
  g_free (plan->key);
  g_free (plan->name);
  g_clear_pointer (&plan->current, json_node_unref);
  g_clear_pointer (&plan->update, json_object_unref);
  g_free (plan);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Plan, plan_free)

/* Kubernetes' messages: the precondition, inside the Conflict of the
 * object ("Operation cannot be fulfilled on ..."). */
static gboolean
check_preconditions (TimonResourceType *type,
                     const char *name,
                     JsonObject *metadata,
                     const DeleteOptions *options,
                     GError **error)
{
  g_autofree char *resource = api_resource_name (type);
  const char *uid = api_object_string (metadata, "uid");
  const char *rv = api_object_string (metadata, "resourceVersion");

  if (options->uid != NULL && g_strcmp0 (options->uid, uid) != 0) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_CONFLICT,
                 "Operation cannot be fulfilled on %s \"%s\": Precondition failed: UID in "
                 "precondition: %s, UID in object meta: %s",
                 resource, name, options->uid, uid ? uid : "");
    return FALSE;
  }
  if (options->resource_version != NULL && g_strcmp0 (options->resource_version, rv) != 0) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_CONFLICT,
                 "Operation cannot be fulfilled on %s \"%s\": Precondition failed: "
                 "ResourceVersion in precondition: %s, ResourceVersion in object meta: %s",
                 resource, name, options->resource_version, rv ? rv : "");
    return FALSE;
  }
  return TRUE;
}

/* The garbage collector's finalizers as the policy asks for them
 * (Kubernetes' deletionFinalizersForGarbageCollection): Orphan and
 * Foreground each add theirs and drop the other's, Background drops
 * both, no policy leaves the finalizers alone. */
static void
apply_policy (JsonObject *metadata, Policy policy)
{
  if (policy == POLICY_NONE)
    return;
  JsonArray *old = array_member (metadata, "finalizers");
  JsonArray *finalizers = json_array_new ();
  for (guint i = 0; old != NULL && i < json_array_get_length (old); i++) {
    JsonNode *node = json_array_get_element (old, i);
    const char *name =
      json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
    if (g_strcmp0 (name, FINALIZER_ORPHAN) == 0 || g_strcmp0 (name, FINALIZER_FOREGROUND) == 0)
      continue;
    json_array_add_element (finalizers, json_node_copy (node));
  }
  if (policy == POLICY_ORPHAN)
    json_array_add_string_element (finalizers, FINALIZER_ORPHAN);
  else if (policy == POLICY_FOREGROUND)
    json_array_add_string_element (finalizers, FINALIZER_FOREGROUND);
  if (json_array_get_length (finalizers) > 0) {
    json_object_set_array_member (metadata, "finalizers", finalizers);
  } else {
    /* As Kubernetes' omitempty. */
    json_array_unref (finalizers);
    json_object_remove_member (metadata, "finalizers");
  }
}

/* Kubernetes bumps the generation once, when a deletion starts. */
static void
bump_generation (JsonObject *metadata)
{
  gint64 generation = 0;
  if (int_member (metadata, "generation", &generation) && generation > 0)
    json_object_set_int_member (metadata, "generation", generation + 1);
}

static void
set_deletion (JsonObject *metadata, GDateTime *when, gint64 grace)
{
  g_autofree char *stamp = g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
  json_object_set_string_member (metadata, "deletionTimestamp", stamp);
  json_object_set_int_member (metadata, "deletionGracePeriodSeconds", grace);
}

typedef enum {
  GRACE_NONE,    /* no graceful deletion: finalizers alone decide */
  GRACE_PENDING, /* it runs already, and this DELETE does not shorten it */
  GRACE_SET,     /* deletionTimestamp and the grace period were (re)set */
} Grace;

/* Kubernetes' BeforeDelete, for a type with graceful deletion: starts
 * it with the grace period the type's hook gives, or shortens the one
 * that runs, on @metadata (the copy that will be written). */
static Grace
graceful_delete (TimonResourceType *type,
                 JsonObject *object,
                 JsonObject *metadata,
                 const DeleteOptions *options,
                 gint64 *out_period)
{
  gpointer data = NULL;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);
  if (hooks == NULL || hooks->check_graceful_delete == NULL)
    return GRACE_NONE;
  /* As Kubernetes: a negative grace period is 1 second. */
  gint64 requested = !options->has_grace ? -1 : options->grace < 0 ? 1 : options->grace;

  if (api_object_is_terminating (object)) {
    gint64 current = 0;
    /* Deleted without a grace period (or with 0): finalizers decide. */
    if (!int_member (metadata, "deletionGracePeriodSeconds", &current) || current == 0)
      return GRACE_NONE;
    current = MAX (current, 1);
    if (requested < 0 || requested >= current)
      return GRACE_PENDING;
    /* Only shorter: the deadline moves back by the difference. */
    const char *stamp = api_object_string (metadata, "deletionTimestamp");
    g_autoptr (GDateTime) then = stamp ? g_date_time_new_from_iso8601 (stamp, NULL) : NULL;
    if (then == NULL)
      then = g_date_time_new_now_utc ();
    g_autoptr (GDateTime) when = g_date_time_add_seconds (then, (double) (requested - current));
    set_deletion (metadata, when, requested);
    *out_period = requested;
    return GRACE_SET;
  }

  gint64 period = hooks->check_graceful_delete (object, requested, data);
  period = MAX (period, 0);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) when = g_date_time_add_seconds (now, (double) period);
  set_deletion (metadata, when, period);
  bump_generation (metadata);
  *out_period = period;
  return GRACE_SET;
}

/* What deleting @node (taken), stored under @key at @revision, does. */
static Plan *
plan_new (TimonApiServer *self,
          TimonResourceType *type,
          const char *key,
          gint64 revision,
          JsonNode *node,
          const DeleteOptions *options,
          GError **error)
{
  g_autoptr (Plan) plan = g_new0 (Plan, 1);
  const char *slash = strrchr (key, '/');

  plan->key = g_strdup (key);
  plan->name = g_strdup (slash != NULL ? slash + 1 : key);
  plan->revision = revision;
  plan->current = node;

  JsonObject *object = json_node_get_object (node);
  /* Kubernetes' NamespaceLifecycle admission keeps the namespaces the
   * cluster itself lives in. */
  static const char *const immortal[] = { "default", "kube-system", "kube-public", NULL };
  if (type == self->namespace_type && g_strv_contains (immortal, plan->name)) {
    g_set_error (error, TIMON_API_ERROR, TIMON_API_ERROR_FORBIDDEN,
                 "namespaces \"%s\" is forbidden: this namespace may not be deleted", plan->name);
    return NULL;
  }
  if (!check_preconditions (type, plan->name, api_object_child (object, "metadata"), options,
                            error))
    return NULL;
  g_autoptr (JsonNode) copy = api_json_deep_copy (node);
  JsonObject *updated = json_node_get_object (copy);
  JsonObject *metadata = api_object_child (updated, "metadata");
  json_object_remove_member (metadata, "resourceVersion");

  gint64 period = 0;
  Grace grace = graceful_delete (type, object, metadata, options, &period);
  if (grace == GRACE_PENDING) {
    /* Nothing changes, the finalizers neither (Kubernetes). */
    plan->keep = TRUE;
    return g_steal_pointer (&plan);
  }
  apply_policy (metadata, options->policy);
  gboolean held = api_object_is_held (self, type, updated);
  if (grace == GRACE_SET) {
    /* The grace period, or finalizers, keep it; else it goes now. */
    if (period > 0 || held)
      plan->update = json_object_ref (updated);
    return g_steal_pointer (&plan);
  }
  if (!held)
    return g_steal_pointer (&plan);

  if (api_object_is_terminating (object)) {
    /* Deleted again while it terminates: nothing more to do, unless the
     * policy changes the collector's finalizers (Kubernetes writes
     * that). */
    JsonNode *before = json_object_get_member (api_object_child (object, "metadata"), "finalizers");
    JsonNode *after = json_object_get_member (metadata, "finalizers");
    if (before == after || (before != NULL && after != NULL && json_node_equal (before, after))) {
      plan->keep = TRUE;
      return g_steal_pointer (&plan);
    }
  } else {
    /* Finalizers hold it: it terminates until they are gone. The grace
     * period is 0, as Kubernetes sets it for an object that has no
     * graceful deletion of its own (markAsDeleting). */
    g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
    set_deletion (metadata, now, 0);
    bump_generation (metadata);
  }
  if (type == self->namespace_type) {
    JsonObject *status = api_object_child (updated, "status");
    if (status == NULL) {
      status = json_object_new ();
      json_object_set_object_member (updated, "status", status);
    }
    json_object_set_string_member (status, "phase", PHASE_TERMINATING);
  }
  plan->update = json_object_ref (updated);
  return g_steal_pointer (&plan);
}

/* ---- the writes --------------------------------------------------------- */

typedef struct {
  TimonApiServer *server;
  ApiPending pending;
  TimonResourceType *type;
  gboolean collection;
  gboolean dry_run;
  gboolean accepted;  /* answer 202 for an object that stays (orphanDependents=false) */
  gboolean eviction;  /* answer an eviction's 201 Status Success */
  GPtrArray *plans;   /* Plan, in key order */
  guint next;         /* the plan being written */
  GPtrArray *results; /* JsonNode: each object as the deletion left it */
} Deletion;

static void
deletion_free (Deletion *d)
{
  api_pending_clear (&d->pending);
  g_object_unref (d->server);
  timon_resource_type_unref (d->type);
  g_ptr_array_unref (d->plans);
  g_ptr_array_unref (d->results);
  g_free (d);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Deletion, deletion_free)

static void
deletion_reply (Deletion *d)
{
  if (d->eviction) {
    api_reply_success (d->pending.msg, 201);
    return;
  }
  if (!d->collection) {
    Plan *plan = d->plans->pdata[0];
    gboolean stays = plan->keep || plan->update != NULL;
    api_reply_json (d->pending.msg, d->accepted && stays ? 202 : 200, d->results->pdata[0]);
    return;
  }
  /* Kubernetes answers a deletecollection with the list of what it
   * deleted (or marked): kubectl itself lists and deletes one by one. */
  g_autofree char *api_version = api_api_version (d->type);
  g_autofree char *kind = g_strconcat (timon_resource_type_get_kind (d->type), "List", NULL);
  g_autofree char *rv =
    g_strdup_printf ("%" G_GINT64_FORMAT, timon_store_get_revision (d->server->store));
  g_autoptr (JsonObject) list = json_object_new ();
  JsonObject *metadata = json_object_new ();
  JsonArray *items = json_array_new ();
  json_object_set_string_member (list, "kind", kind);
  json_object_set_string_member (list, "apiVersion", api_version);
  json_object_set_string_member (metadata, "resourceVersion", rv);
  json_object_set_object_member (list, "metadata", metadata);
  for (guint i = 0; i < d->results->len; i++)
    json_array_add_element (items, json_node_ref (d->results->pdata[i]));
  json_object_set_array_member (list, "items", items);
  g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), list);
  api_reply_json (d->pending.msg, 200, root);
}

static void deletion_run (Deletion *d);

/* A write failed: the deletion stops there (what was written stays, as
 * in Kubernetes), except for an object of a collection that someone
 * else deleted meanwhile. */
static void
deletion_fail (Deletion *d, Plan *plan, const GError *error)
{
  if (d->collection && g_error_matches (error, TIMON_STORE_ERROR, TIMON_STORE_ERROR_NOT_FOUND)) {
    deletion_run (d);
    return;
  }
  g_autoptr (Deletion) owned = d;
  g_autoptr (GError) api_error = api_store_error (error, d->type, plan->name);
  api_reply_error (d->pending.msg, api_error, d->type, plan->name);
}

static void
on_updated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Deletion *d = user_data;
  Plan *plan = d->plans->pdata[d->next - 1];
  g_autoptr (GError) error = NULL;
  g_autoptr (TimonStoreItem) item =
    timon_store_update_finish (TIMON_STORE (source), result, &error);
  JsonNode *node = item != NULL ? api_item_to_node (item, NULL, 0, &error) : NULL;

  if (node == NULL) {
    deletion_fail (d, plan, error);
    return;
  }
  g_ptr_array_add (d->results, node);
  deletion_run (d);
}

static void
on_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Deletion *d = user_data;
  Plan *plan = d->plans->pdata[d->next - 1];
  g_autoptr (GError) error = NULL;
  gint64 revision = 0;
  g_autoptr (TimonStoreItem) item =
    timon_store_delete_finish (TIMON_STORE (source), result, &revision, &error);

  if (item == NULL) {
    deletion_fail (d, plan, error);
    return;
  }
  /* The object as it was, at the revision of its deletion, as the
   * DELETED event of a watch shows it. */
  JsonNode *node = api_json_deep_copy (plan->current);
  g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, revision);
  JsonObject *metadata = api_object_child (json_node_get_object (node), "metadata");
  if (metadata != NULL)
    json_object_set_string_member (metadata, "resourceVersion", rv);
  g_ptr_array_add (d->results, node);
  deletion_run (d);
}

/* Writes the next plan, or replies once all are written. Plans that
 * write nothing (already terminating, or a dry run) answer at once: a
 * dry run answers what the deletion would have made. */
static void
deletion_run (Deletion *d)
{
  while (d->next < d->plans->len) {
    Plan *plan = d->plans->pdata[d->next++];
    if (plan->keep || d->dry_run) {
      if (plan->update == NULL) {
        g_ptr_array_add (d->results, api_json_deep_copy (plan->current));
        continue;
      }
      /* What the write would have stored, at the version it was read. */
      g_autoptr (JsonNode) update = json_node_init_object (json_node_alloc (), plan->update);
      g_autofree char *rv = g_strdup_printf ("%" G_GINT64_FORMAT, plan->revision);
      JsonNode *node = api_json_deep_copy (update);
      json_object_set_string_member (api_object_child (json_node_get_object (node), "metadata"),
                                     "resourceVersion", rv);
      g_ptr_array_add (d->results, node);
      continue;
    }
    if (plan->update != NULL) {
      g_autoptr (GBytes) value = api_serialize (plan->update);
      timon_store_update_async (d->server->store, plan->key, value, plan->revision, NULL,
                                on_updated, d);
    } else {
      timon_store_delete_async (d->server->store, plan->key, plan->revision, NULL, on_deleted, d);
    }
    return;
  }
  g_autoptr (Deletion) owned = d;
  deletion_reply (d);
}

/* ---- the handler -------------------------------------------------------- */

/* The plans of a collection: every object of the URL's namespace (or of
 * the type, if cluster-scoped) that the selectors match. */
static GPtrArray *
plan_collection (TimonApiServer *self,
                 ApiTarget *target,
                 GHashTable *query,
                 const DeleteOptions *options,
                 GError **error)
{
  g_autoptr (ApiFilter) filter = api_filter_new (target->type, query, error);
  if (filter == NULL)
    return NULL;
  g_autofree char *prefix = api_store_prefix (target->type, target->namespace);
  g_autoptr (GError) local = NULL;
  g_autoptr (GPtrArray) items = timon_store_list (self->store, prefix, TIMON_STORE_REVISION_LATEST,
                                                  0, NULL, NULL, NULL, &local);
  if (items == NULL) {
    g_propagate_error (error, api_store_error (local, target->type, NULL));
    return NULL;
  }
  g_autoptr (GPtrArray) plans = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_free);
  for (guint i = 0; i < items->len; i++) {
    TimonStoreItem *item = items->pdata[i];
    JsonNode *node = api_item_to_node (item, NULL, 0, error);
    if (node == NULL)
      return NULL;
    if (!api_filter_matches (filter, json_node_get_object (node))) {
      json_node_unref (node);
      continue;
    }
    Plan *plan = plan_new (self, target->type, timon_store_item_get_key (item),
                           timon_store_item_get_mod_revision (item), node, options, error);
    if (plan == NULL)
      return NULL;
    g_ptr_array_add (plans, plan);
  }
  return g_steal_pointer (&plans);
}

/* Plans the deletion of @target's object or collection with @options,
 * and runs it; replies. */
static void
delete_with_options (TimonApiServer *self,
                     ApiMessage *msg,
                     ApiTarget *target,
                     GHashTable *query,
                     const DeleteOptions *options,
                     gboolean eviction)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) plans = NULL;

  if (target->name == NULL) {
    plans = plan_collection (self, target, query, options, &error);
  } else {
    g_autofree char *key = api_store_key (target->type, target->namespace, target->name);
    g_autoptr (TimonStoreItem) item = timon_store_get (self->store, key, &error);
    if (item == NULL) {
      g_autoptr (GError) api_error = api_store_error (error, target->type, target->name);
      api_reply_error (msg, api_error, target->type, target->name);
      return;
    }
    JsonNode *node = api_item_to_node (item, NULL, 0, &error);
    Plan *plan = node != NULL
                   ? plan_new (self, target->type, key, timon_store_item_get_mod_revision (item),
                               node, options, &error)
                   : NULL;
    if (plan != NULL) {
      plans = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_free);
      g_ptr_array_add (plans, plan);
    }
  }
  if (plans == NULL) {
    api_reply_error (msg, error, target->type, target->name);
    return;
  }

  Deletion *d = g_new0 (Deletion, 1);
  d->server = g_object_ref (self);
  api_pending_init (&d->pending, msg);
  d->type = timon_resource_type_ref (target->type);
  d->collection = target->name == NULL;
  d->dry_run = options->dry_run != NULL;
  d->accepted = options->orphan_dependents == 0;
  d->eviction = eviction;
  d->plans = g_steal_pointer (&plans);
  d->results = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  deletion_run (d);
}

void
api_handle_delete (TimonApiServer *self, ApiMessage *msg, ApiTarget *target, GHashTable *query)
{
  g_auto (DeleteOptions) options = { 0 };

  if (!read_options (msg, query, &options))
    return;
  delete_with_options (self, msg, target, query, &options, FALSE);
}

/* Kubernetes' EvictionREST.Create, less the disruption budgets Timon
 * does not have yet: the dryRun of the request (CreateOptions) joins
 * the Eviction's own, and must not contradict it. */
void
api_delete_evict (TimonApiServer *self,
                  ApiMessage *msg,
                  ApiTarget *target,
                  JsonObject *body,
                  GHashTable *query)
{
  g_auto (DeleteOptions) options = { 0 };
  g_autoptr (GError) error = NULL;
  const char *dry_run = query ? g_hash_table_lookup (query, "dryRun") : NULL;

  options.orphan_dependents = -1;
  if (body != NULL && !options_from_body (body, &options, &error)) {
    api_reply_error (msg, error, NULL, NULL);
    return;
  }
  if (dry_run != NULL && dry_run[0] != '\0') {
    if (options.dry_run != NULL && strcmp (options.dry_run, dry_run) != 0) {
      api_reply_message (msg, TIMON_API_ERROR_BAD_REQUEST,
                         "Non-matching dry-run options in request and content: [%s] and [%s]",
                         dry_run, options.dry_run);
      return;
    }
    g_free (options.dry_run);
    options.dry_run = g_strdup (dry_run);
  }
  if (!validate_options (msg, &options))
    return;
  delete_with_options (self, msg, target, query, &options, TRUE);
}
