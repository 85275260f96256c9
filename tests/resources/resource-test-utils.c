/* resource-test-utils.c: what the tests of the resource-type plugins
 * share: the registry they load the plugin into, JSON in single quotes,
 * running hooks as the API server runs them, cause tables, the
 * robustness sweep of every JSON shape, and timonctl's view of the
 * plugin.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "resource-test-utils.h"
#include "test-utils.h"

/* Plugins stay resident: one registry serves every test. */
TimonRegistry *registry;

/* The plugin under test, and where it was built. */
static const char *plugin_name;
static const char *plugin_dir;

void
resource_test_init (int *argc, char ***argv, const char *plugin, const char *dir)
{
  g_test_init (argc, argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  plugin_name = plugin;
  plugin_dir = dir;
  registry = timon_registry_new ();
  timon_registry_load_dir (registry, plugin_dir);
}

int
resource_test_run (void)
{
  int status = g_test_run ();

  g_clear_object (&registry);
  return status;
}

TimonResourceType *
lookup (const char *feature_name)
{
  TimonFeature *feature =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, feature_name);

  if (feature == NULL) {
    g_autofree char *m = g_strdup_printf ("%s is not registered", feature_name);
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m);
    return NULL;
  }
  g_assert_cmpint (timon_feature_get_kind (feature), ==, TIMON_FEATURE_RESOURCE_TYPE);
  return timon_feature_get_resource_type (feature);
}

JsonNode *
parse_node (const char *quoted)
{
  g_autofree char *text = g_strdelimit (g_strdup (quoted), "'", '"');
  g_autoptr (GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* A new object from @quoted JSON. */
JsonObject *
parse (const char *quoted)
{
  g_autoptr (JsonNode) node = parse_node (quoted);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

char *
to_string (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);
  return json_to_string (node, FALSE);
}

void
run_default (TimonResourceType *type, JsonObject *object)
{
  gpointer data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);

  if (hooks->default_object != NULL)
    hooks->default_object (object, data);
}

/* The causes @object gets on create, or on update from @old. Validation
 * only reads: the API server writes the objects it validated, so what
 * a hook changed in them would be stored. */
TimonFieldErrors *
run_validate (TimonResourceType *type, JsonObject *object, JsonObject *old)
{
  gpointer data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);
  TimonFieldErrors *errors = timon_field_errors_new ();

  run_default (type, object);
  g_autofree char *before = to_string (object);
  g_autofree char *old_before = NULL;
  if (old == NULL) {
    g_assert_nonnull (hooks->validate_create);
    hooks->validate_create (object, errors, data);
  } else {
    run_default (type, old);
    old_before = to_string (old);
    g_assert_nonnull (hooks->validate_update);
    hooks->validate_update (object, old, errors, data);
    g_autofree char *old_after = to_string (old);
    g_assert_cmpstr (old_after, ==, old_before);
  }
  g_autofree char *after = to_string (object);
  g_assert_cmpstr (after, ==, before);
  return errors;
}

char *
describe_errors (TimonFieldErrors *errors)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < timon_field_errors_get_length (errors); i++)
    g_string_append_printf (out, "\n  %s %s: %s", timon_field_errors_get_reason (errors, i),
                            timon_field_errors_get_field (errors, i),
                            timon_field_errors_get_detail (errors, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* @errors holds exactly @expected (up to one with a NULL reason), in
 * order. */
void
assert_causes (TimonFieldErrors *errors, const Cause *expected)
{
  guint n = 0;
  g_autofree char *got = describe_errors (errors);

  while (n < MAX_CAUSES && expected[n].reason != NULL)
    n++;
  if (timon_field_errors_get_length (errors) != n)
    g_test_message ("causes:%s", got);
  g_assert_cmpuint (timon_field_errors_get_length (errors), ==, n);
  for (guint i = 0; i < n; i++) {
    g_assert_cmpstr (timon_field_errors_get_reason (errors, i), ==, expected[i].reason);
    g_assert_cmpstr (timon_field_errors_get_field (errors, i), ==, expected[i].field);
    assert_contains (timon_field_errors_get_detail (errors, i), expected[i].detail);
  }
}

char *
join (const char *const *strv)
{
  return g_strjoinv (",", (char **) strv);
}

/* The plugin loaded without failures and registered its features, in
 * order. Every plugin in the tree is at 0.1.0, under the project's
 * license. */
void
test_plugin (gconstpointer data)
{
  const PluginDescription *p = data;
  g_auto (GStrv) expected = g_strsplit (p->features, ",", -1);
  TimonFeature *feature =
    timon_registry_lookup (registry, TIMON_FEATURE_RESOURCE_TYPE, expected[0]);
  g_assert_nonnull (feature);
  TimonPlugin *plugin = timon_feature_get_plugin (feature);
  GPtrArray *features = timon_plugin_get_features (plugin);
  g_autoptr (GString) names = g_string_new (NULL);

  g_assert_cmpuint (timon_registry_get_failures (registry)->len, ==, 0);
  g_assert_cmpstr (timon_plugin_get_name (plugin), ==, plugin_name);
  g_assert_cmpstr (timon_plugin_get_description (plugin), ==, p->description);
  g_assert_cmpstr (timon_plugin_get_version (plugin), ==, "0.1.0");
  g_assert_cmpstr (timon_plugin_get_license (plugin), ==, "LGPL-2.1-or-later");
  g_assert_cmpuint (features->len, ==, g_strv_length (expected));
  for (guint i = 0; i < features->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? "," : "",
                            timon_feature_get_name (features->pdata[i]));
  g_assert_cmpstr (names->str, ==, p->features);
}

void
test_describe (gconstpointer data)
{
  const Description *d = data;
  TimonResourceType *type = lookup (d->feature);
  g_autoptr (GString) columns = g_string_new (NULL);
  /* "apps/v1": group "apps", version "v1"; "v1": the core group, "". */
  const char *slash = strrchr (d->api_version, '/');
  g_autofree char *group =
    slash != NULL ? g_strndup (d->api_version, slash - d->api_version) : g_strdup ("");
  const char *version = slash != NULL ? slash + 1 : d->api_version;

  g_assert_cmpstr (timon_resource_type_get_group (type), ==, group);
  g_assert_cmpstr (timon_resource_type_get_version (type), ==, version);
  g_assert_cmpstr (timon_resource_type_get_kind (type), ==, d->kind);
  g_assert_cmpstr (timon_resource_type_get_plural (type), ==, d->plural);
  g_assert_cmpstr (timon_resource_type_get_singular (type), ==, d->singular);
  g_assert_cmpint (timon_resource_type_get_scope (type), ==, d->scope);

  g_autofree char *short_names = join (timon_resource_type_get_short_names (type));
  g_assert_cmpstr (short_names, ==, d->short_names);
  g_autofree char *subresources = join (timon_resource_type_get_subresources (type));
  g_assert_cmpstr (subresources, ==, d->subresources);
  g_autofree char *fields = join (timon_resource_type_get_selectable_fields (type));
  g_assert_cmpstr (fields, ==, d->fields);
  /* Kubernetes lists only workloads under "all". */
  g_autofree char *categories = join (timon_resource_type_get_categories (type));
  g_assert_cmpstr (categories, ==, d->categories != NULL ? d->categories : "");

  for (guint i = 0; i < timon_resource_type_get_n_columns (type); i++) {
    const char *name, *column_type, *format, *description, *json_path;
    int priority;

    timon_resource_type_get_column (type, i, &name, &column_type, &format, &description, &priority,
                                    &json_path);
    g_assert_cmpuint (strlen (description), >, 0);
    g_string_append_printf (columns, "%s%s:%s:%s", i > 0 ? "," : "", name, column_type,
                            json_path != NULL ? json_path : "-");
    if (priority != 0)
      g_string_append_printf (columns, ":%d", priority);
    if (format != NULL && format[0] != '\0')
      g_string_append_printf (columns, "@%s", format);
  }
  g_assert_cmpstr (columns->str, ==, d->columns);

  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, NULL);
  g_assert_true (hooks->validate_create != NULL);
  g_assert_true (hooks->validate_update != NULL);
  g_assert_cmpint (hooks->default_object != NULL, ==, d->has_default);
  g_assert_cmpint (hooks->get_field != NULL, ==, d->has_get_field);
  g_assert_cmpint (hooks->print_column != NULL, ==, d->has_print_column);
  g_assert_cmpint (hooks->check_graceful_delete != NULL, ==, d->has_graceful_delete);
}

void
test_default (gconstpointer data)
{
  const DefaultCase *c = data;
  g_autoptr (JsonObject) object = parse (c->input);
  g_autoptr (JsonObject) expected = parse (c->expected);

  run_default (lookup (c->feature), object);
  g_autoptr (JsonNode) got_node = json_node_init_object (json_node_alloc (), object);
  g_autoptr (JsonNode) expected_node = json_node_init_object (json_node_alloc (), expected);
  if (!json_node_equal (got_node, expected_node)) {
    g_autofree char *got = to_string (object);
    g_autofree char *want = to_string (expected);
    g_assert_cmpstr (got, ==, want);
  }
}

void
test_validate_create (gconstpointer data)
{
  const CreateCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup (c->feature), object, NULL);

  assert_causes (errors, c->causes);
}

void
test_validate_update (gconstpointer data)
{
  const UpdateCase *c = data;
  g_autoptr (JsonObject) old = parse (c->old);
  g_autoptr (JsonObject) object = parse (c->object);
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup (c->feature), object, old);

  assert_causes (errors, c->causes);
}

void
test_get_field (gconstpointer data)
{
  const ValueCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  gpointer hook_data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (lookup (c->feature), &hook_data);
  g_autofree char *value = hooks->get_field (object, c->field, hook_data);

  g_assert_cmpstr (value, ==, c->expected);
}

void
test_print_column (gconstpointer data)
{
  const ValueCase *c = data;
  g_autoptr (JsonObject) object = parse (c->object);
  gpointer hook_data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (lookup (c->feature), &hook_data);
  g_autofree char *value = hooks->print_column (object, c->field, hook_data);

  g_assert_cmpstr (value, ==, c->expected);
}

static const char *const shapes[] = {
  "null", "0",  "1.5",           "-1", "true",     "''",
  "'x'",  "[]", "[1, null, {}]", "{}", "{'a': 1}", "{'a': null, 'b': [], 'c': {'d': true}}",
};

static gboolean
shape_holds (JsonNode *node, const char *holds)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE; /* null is absent */
  if (g_str_equal (holds, "object"))
    return JSON_NODE_HOLDS_OBJECT (node);
  if (g_str_equal (holds, "array"))
    return JSON_NODE_HOLDS_ARRAY (node);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (g_str_equal (holds, "int-or-string"))
    return json_node_get_value_type (node) == G_TYPE_STRING ||
           json_node_get_value_type (node) == G_TYPE_INT64;
  if (g_str_equal (holds, "string"))
    return json_node_get_value_type (node) == G_TYPE_STRING;
  if (g_str_equal (holds, "boolean"))
    return json_node_get_value_type (node) == G_TYPE_BOOLEAN;
  return json_node_get_value_type (node) == G_TYPE_INT64;
}

/* What the hooks say of a member holding another JSON type than @holds. */
static const char *
wrong_type_detail (const char *holds)
{
  static const char *const details[][2] = {
    { "object", "must be an object" },
    { "array", "must be a list" },
    { "string", "must be a string" },
    { "boolean", "must be a boolean" },
    { "integer", "must be an integer" },
    { "int-or-string", "must be an integer or a percent string" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (details); i++) {
    if (g_str_equal (details[i][0], holds))
      return details[i][1];
  }
  g_assert_not_reached ();
}

/* Puts @shape at @path in @object, making the objects on the way. A
 * numeric step ("spec.containers.0.image") goes into an element of a
 * list that the object has. */
static void
set_path (JsonObject *object, const char *path, const char *shape)
{
  g_auto (GStrv) steps = g_strsplit (path, ".", -1);
  guint n = g_strv_length (steps);
  JsonArray *array = NULL; /* when the step before was a list */

  for (guint i = 0; i + 1 < n; i++) {
    JsonNode *node = array != NULL ? json_array_get_element (array, atoi (steps[i]))
                                   : json_object_get_member (object, steps[i]);

    if (g_ascii_isdigit (steps[i + 1][0])) {
      g_assert_true (node != NULL && JSON_NODE_HOLDS_ARRAY (node));
      array = json_node_get_array (node);
      continue;
    }
    if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)) {
      g_assert_null (array);
      json_object_set_object_member (object, steps[i], json_object_new ());
      node = json_object_get_member (object, steps[i]);
    }
    object = json_node_get_object (node);
    array = NULL;
  }
  json_object_set_member (object, steps[n - 1], parse_node (shape));
}

/* The field a cause names for a member path: "spec.containers.0.image"
 * is "spec.containers[0].image". */
static char *
member_field (const char *member)
{
  g_auto (GStrv) steps = g_strsplit (member, ".", -1);
  g_autoptr (GString) field = g_string_new (NULL);

  for (char **s = steps; *s != NULL; s++) {
    if (g_ascii_isdigit ((*s)[0]))
      g_string_append_printf (field, "[%s]", *s);
    else
      g_string_append_printf (field, "%s%s", field->len > 0 ? "." : "", *s);
  }
  return g_string_free (g_steal_pointer (&field), FALSE);
}

/* Every cause is well-formed: a known reason, a field, a detail. */
static void
assert_sensible (TimonFieldErrors *errors)
{
  static const char *const reasons[] = {
    "FieldValueRequired",  "FieldValueInvalid", "FieldValueNotSupported", "FieldValueDuplicate",
    "FieldValueForbidden", "FieldValueTooLong", "FieldValueTooMany",      NULL,
  };

  for (guint i = 0; i < timon_field_errors_get_length (errors); i++) {
    g_assert_true (g_strv_contains (reasons, timon_field_errors_get_reason (errors, i)));
    g_assert_cmpuint (strlen (timon_field_errors_get_field (errors, i)), >, 0);
    if (!g_str_equal (timon_field_errors_get_reason (errors, i), REQUIRED))
      g_assert_cmpuint (strlen (timon_field_errors_get_detail (errors, i)), >, 0);
  }
}

static gboolean
has_cause_on (TimonFieldErrors *errors, const char *field, const char *detail)
{
  for (guint i = 0; i < timon_field_errors_get_length (errors); i++) {
    if (g_str_equal (timon_field_errors_get_field (errors, i), field) &&
        strstr (timon_field_errors_get_detail (errors, i), detail) != NULL)
      return TRUE;
  }
  return FALSE;
}

/* Every hook of @type on @object, which must not crash it. */
static void
run_read_hooks (TimonResourceType *type, JsonObject *object)
{
  gpointer data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);

  for (const char *const *f = timon_resource_type_get_selectable_fields (type); *f != NULL; f++) {
    g_autofree char *value = hooks->get_field (object, *f, data);
    g_assert_true (value == NULL || g_utf8_validate (value, -1, NULL));
  }
  for (guint i = 0; i < timon_resource_type_get_n_columns (type); i++) {
    const char *name, *json_path;
    timon_resource_type_get_column (type, i, &name, NULL, NULL, NULL, NULL, &json_path);
    if (json_path == NULL) {
      g_autofree char *cell = hooks->print_column (object, name, data);
      g_assert_nonnull (cell);
    }
  }
  if (hooks->check_graceful_delete != NULL) {
    g_assert_cmpint (hooks->check_graceful_delete (object, -1, data), >=, 0);
    g_assert_cmpint (hooks->check_graceful_delete (object, 0, data), ==, 0);
  }
}

void
test_robustness (gconstpointer data)
{
  const Member *m = data;
  TimonResourceType *type = lookup (m->feature);

  for (size_t s = 0; s < G_N_ELEMENTS (shapes); s++) {
    g_autoptr (JsonNode) shape = parse_node (shapes[s]);
    g_autoptr (JsonObject) created = parse (valid_object (m->feature));
    g_autoptr (JsonObject) updated = parse (valid_object (m->feature));
    g_autoptr (JsonObject) as_old = parse (valid_object (m->feature));
    g_autoptr (JsonObject) good = parse (valid_object (m->feature));
    const char *detail = m->holds != NULL ? wrong_type_detail (m->holds) : NULL;
    g_autofree char *field = member_field (m->member);

    g_test_message ("%s = %s", m->member, shapes[s]);
    set_path (created, m->member, shapes[s]);
    set_path (updated, m->member, shapes[s]);
    set_path (as_old, m->member, shapes[s]);

    g_autoptr (TimonFieldErrors) create_errors = run_validate (type, created, NULL);
    g_autoptr (TimonFieldErrors) update_errors = run_validate (type, updated, good);
    g_autoptr (TimonFieldErrors) old_errors = run_validate (type, good, as_old);
    assert_sensible (create_errors);
    assert_sensible (update_errors);
    assert_sensible (old_errors);
    run_read_hooks (type, created);
    run_read_hooks (type, as_old);

    /* A shape the member cannot hold is reported on the member itself. */
    if (m->holds != NULL && !shape_holds (shape, m->holds)) {
      if (!has_cause_on (create_errors, field, detail)) {
        g_autofree char *got = describe_errors (create_errors);
        g_autofree char *m_ = g_strdup_printf ("%s = %s: no \"%s\" cause on create:%s", m->member,
                                               shapes[s], detail, got);
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m_);
      }
      g_assert_true (has_cause_on (update_errors, field, detail));
    }
  }
}

/* The object itself of the wrong shape cannot reach a hook (the core
 * parses objects), but empty ones can: defaulted, or bare. */
void
test_robustness_empty (gconstpointer data)
{
  const Description *d = data;
  TimonResourceType *type = lookup (d->feature);
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonObject) old = json_object_new ();
  g_autoptr (JsonObject) bare = json_object_new ();
  g_autoptr (TimonFieldErrors) create_errors = run_validate (type, object, NULL);
  g_autoptr (TimonFieldErrors) update_errors = run_validate (type, object, old);

  assert_sensible (create_errors);
  assert_sensible (update_errors);
  run_read_hooks (type, object);
  run_read_hooks (type, bare);
}

/* `timonctl plugins --json` lists the plugin, its features and no
 * failures. */
void
test_timonctl_list (gconstpointer data)
{
  const PluginDescription *p = data;
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL, "plugins", "--plugin-dir", plugin_dir, "--json", NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);

  g_autoptr (JsonNode) root = json_from_string (run.out, NULL);
  g_assert_nonnull (root);
  JsonArray *plugins = json_object_get_array_member (json_node_get_object (root), "plugins");
  JsonObject *found = NULL;
  for (guint i = 0; i < json_array_get_length (plugins); i++) {
    JsonObject *plugin = json_array_get_object_element (plugins, i);
    if (g_str_equal (json_object_get_string_member (plugin, "name"), plugin_name))
      found = plugin;
  }
  g_assert_nonnull (found);
  g_assert_cmpstr (json_object_get_string_member (found, "description"), ==, p->description);
  JsonArray *features = json_object_get_array_member (found, "features");
  g_autoptr (GString) names = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (features); i++) {
    JsonObject *feature = json_array_get_object_element (features, i);
    g_string_append_printf (names, "%s%s:%s", i > 0 ? "," : "",
                            json_object_get_string_member (feature, "kind"),
                            json_object_get_string_member (feature, "name"));
  }
  g_auto (GStrv) expected_names = g_strsplit (p->features, ",", -1);
  g_autoptr (GString) expected = g_string_new (NULL);
  for (char **n = expected_names; *n != NULL; n++)
    g_string_append_printf (expected, "%sresource-type:%s", n > expected_names ? "," : "", *n);
  g_assert_cmpstr (names->str, ==, expected->str);
  JsonArray *failures = json_object_get_array_member (json_node_get_object (root), "failures");
  g_assert_cmpuint (json_array_get_length (failures), ==, 0);
}

/* `timonctl plugins <plugin>` prints each of @data. */
void
test_timonctl_describe (gconstpointer data)
{
  const char *const *expected = data;
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL, "plugins", "--plugin-dir", plugin_dir, plugin_name, NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);
  for (const char *const *e = expected; *e != NULL; e++)
    assert_contains (run.out, *e);
}

void
add_named (const char *group,
           const char *feature,
           const char *name,
           gconstpointer data,
           GTestDataFunc func)
{
  g_autofree char *plural = g_strndup (feature, strcspn (feature, "."));
  g_autofree char *path =
    g_strdup_printf ("/resources/%s/%s/%s/%s", plugin_name, plural, group, strchr (name, '/') + 1);
  g_test_add_data_func (path, data, func);
}

void
add_for_types (const char *test, const Description *descriptions, size_t n, GTestDataFunc func)
{
  for (size_t i = 0; i < n; i++) {
    g_autofree char *path =
      g_strdup_printf ("/resources/%s/%s/%s", plugin_name, descriptions[i].plural, test);
    g_test_add_data_func (path, &descriptions[i], func);
  }
}

void
add_members (const Member *members, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    g_autofree char *plural = g_strndup (members[i].feature, strcspn (members[i].feature, "."));
    g_autofree char *path =
      g_strdup_printf ("/resources/%s/%s/robustness/%s", plugin_name, plural, members[i].member);
    g_test_add_data_func (path, &members[i], test_robustness);
  }
}
