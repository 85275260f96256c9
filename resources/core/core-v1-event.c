/* core-v1-event.c: Event of core/v1, validated as Kubernetes validates
 * it for that version (legacyValidateEvent: events.k8s.io adds more,
 * core/v1 stays lenient for old clients).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"

/* Kubernetes' limits for events that carry an eventTime. */
#define REPORTING_INSTANCE_MAX 128
#define ACTION_MAX 128
#define REASON_MAX 128
#define NOTE_MAX 1024

/* A string member, "" when absent, null or reported of another type. */
static const char *
string_or_empty (JsonObject *object, const char *member, const char *path, TimonFieldErrors *errors)
{
  const char *value = timon_resource_get_string (object, member, path, errors);
  return value != NULL ? value : "";
}

static void
check_required_and_length (const char *field,
                           const char *value,
                           size_t max,
                           TimonFieldErrors *errors)
{
  if (value[0] == '\0')
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, field, NULL, NULL);
  else if (strlen (value) > max)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, field, "",
                            "can have at most %zu characters", max);
}

static void
event_validate (JsonObject *object, TimonFieldErrors *errors, gpointer user_data)
{
  JsonObject *metadata = timon_resource_get_object (object, "metadata", NULL, NULL);
  const char *namespace = string_or_empty (metadata, "namespace", NULL, NULL);
  JsonObject *involved = timon_resource_get_object (object, "involvedObject", NULL, errors);
  const char *involved_ns = string_or_empty (involved, "namespace", "involvedObject", errors);
  static const char *const involved_strings[] = {
    "kind", "name", "uid", "apiVersion", "resourceVersion", "fieldPath", NULL
  };
  static const char *const strings[] = {
    "reason", "message", "type", "action", "reportingComponent", "reportingInstance", NULL
  };

  for (const char *const *m = involved_strings; *m != NULL; m++)
    timon_resource_get_string (involved, *m, "involvedObject", errors);
  for (const char *const *m = strings; *m != NULL; m++)
    timon_resource_get_string (object, *m, NULL, errors);
  timon_resource_get_string (object, "eventTime", NULL, errors);
  timon_resource_get_string (object, "firstTimestamp", NULL, errors);
  timon_resource_get_string (object, "lastTimestamp", NULL, errors);
  JsonNode *count = json_object_get_member (object, "count");
  if (count != NULL && !JSON_NODE_HOLDS_NULL (count) &&
      !(JSON_NODE_HOLDS_VALUE (count) && json_node_get_value_type (count) == G_TYPE_INT64))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "count", NULL, "must be an integer");
  JsonObject *source = timon_resource_get_object (object, "source", NULL, errors);
  timon_resource_get_string (source, "component", "source", errors);
  timon_resource_get_string (source, "host", "source", errors);

  /* A malformed eventTime was reported above: judged as an old event. */
  const char *event_time = timon_resource_get_string (object, "eventTime", NULL, NULL);
  if (event_time == NULL || event_time[0] == '\0') {
    /* An old-style event lives in its object's namespace; one about a
     * cluster object lives nowhere or, for old clients, in "default". */
    if (involved_ns[0] == '\0' ? namespace[0] != '\0' && !g_str_equal (namespace, "default")
                               : !g_str_equal (namespace, involved_ns))
      timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "involvedObject.namespace",
                              involved_ns, "does not match event.namespace");
    return;
  }

  /* A new-style event says who reported what. */
  if (involved_ns[0] == '\0' && !g_str_equal (namespace, "default") &&
      !g_str_equal (namespace, "kube-system"))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "involvedObject.namespace",
                            involved_ns, "does not match event.namespace");
  const char *controller = string_or_empty (object, "reportingComponent", NULL, NULL);
  g_autofree char *message = NULL;
  if (controller[0] == '\0')
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_REQUIRED, "reportingComponent", NULL, NULL);
  else if (!timon_validate_qualified_name (controller, &message))
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "reportingComponent", controller,
                            "%s", message);
  check_required_and_length ("reportingInstance",
                             string_or_empty (object, "reportingInstance", NULL, NULL),
                             REPORTING_INSTANCE_MAX, errors);
  check_required_and_length ("action", string_or_empty (object, "action", NULL, NULL), ACTION_MAX,
                             errors);
  check_required_and_length ("reason", string_or_empty (object, "reason", NULL, NULL), REASON_MAX,
                             errors);
  if (strlen (string_or_empty (object, "message", NULL, NULL)) > NOTE_MAX)
    timon_field_errors_add (errors, TIMON_FIELD_ERROR_INVALID, "message", "",
                            "can have at most %d characters", NOTE_MAX);
}

static void
event_validate_update (JsonObject *object,
                       JsonObject *old,
                       TimonFieldErrors *errors,
                       gpointer user_data)
{
  event_validate (object, errors, user_data);
}

static char *
event_get_field (JsonObject *object, const char *field, gpointer user_data)
{
  if (g_str_has_prefix (field, "involvedObject."))
    return timon_resource_dup_string_at (object, "involvedObject",
                                         field + strlen ("involvedObject."), NULL);
  if (g_str_equal (field, "source"))
    return timon_resource_dup_string_at (object, "source", "component", NULL);
  if (g_str_equal (field, "reason") || g_str_equal (field, "type") ||
      g_str_equal (field, "reportingComponent"))
    return timon_resource_dup_string_at (object, field, NULL);
  return NULL;
}

static char *
event_print_column (JsonObject *object, const char *column, gpointer user_data)
{
  if (g_str_equal (column, "SOURCE")) {
    /* As kubectl: the component, and the host when there is one. */
    g_autofree char *component = timon_resource_dup_string_at (object, "source", "component", NULL);
    g_autofree char *host = timon_resource_dup_string_at (object, "source", "host", NULL);
    if (host != NULL && host[0] != '\0')
      return g_strdup_printf ("%s, %s", component ? component : "", host);
    return g_strdup (component ? component : "");
  }
  if (g_str_equal (column, "OBJECT")) {
    /* As kubectl: the kind in lower case, then the name. */
    g_autofree char *kind = timon_resource_dup_string_at (object, "involvedObject", "kind", NULL);
    g_autofree char *name = timon_resource_dup_string_at (object, "involvedObject", "name", NULL);
    g_autofree char *lower = g_ascii_strdown (kind != NULL ? kind : "", -1);
    return g_strdup_printf ("%s/%s", lower, name != NULL ? name : "");
  }
  return NULL;
}

TimonResourceType *
core_v1_event_new (void)
{
  static const char *const short_names[] = { "ev", NULL };
  static const char *const fields[] = {
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
    NULL,
  };
  static const TimonResourceHooks hooks = {
    .validate_create = event_validate,
    .validate_update = event_validate_update,
    .get_field = event_get_field,
    .print_column = event_print_column,
  };
  TimonResourceType *type =
    timon_resource_type_new ("", "v1", "Event", "events", TIMON_RESOURCE_NAMESPACED);

  timon_resource_type_set_short_names (type, short_names);
  timon_resource_type_set_selectable_fields (type, fields);
  /* Kubernetes' event printer: no NAME nor AGE by default. */
  timon_resource_type_add_column (type, "LAST SEEN", "string", "age",
                                  "When the event last happened", 0, ".lastTimestamp");
  timon_resource_type_add_column (type, "TYPE", "string", NULL, "The type of the event", 0,
                                  ".type");
  timon_resource_type_add_column (type, "REASON", "string", NULL, "Why the event happened", 0,
                                  ".reason");
  timon_resource_type_add_column (type, "OBJECT", "string", NULL,
                                  "The object the event is about, as kind/name", 0, NULL);
  timon_resource_type_add_column (type, "SUBOBJECT", "string", NULL,
                                  "The part of the object the event is about", 1,
                                  ".involvedObject.fieldPath");
  timon_resource_type_add_column (type, "SOURCE", "string", NULL, "Who reported the event", 1,
                                  NULL);
  timon_resource_type_add_column (type, "MESSAGE", "string", NULL, "What happened", 0, ".message");
  timon_resource_type_add_column (type, "FIRST SEEN", "string", "age",
                                  "When the event first happened", 1, ".firstTimestamp");
  timon_resource_type_add_column (type, "COUNT", "integer", NULL, "How often it happened", 1,
                                  ".count");
  timon_resource_type_add_column (type, "NAME", "string", "name", "The name of the event", 1,
                                  ".metadata.name");
  timon_resource_type_set_hooks (type, &hooks, NULL, NULL);
  return type;
}
