/* timonctl-plugins.c: `timonctl plugins`, in the spirit of gst-inspect.
 *
 * It loads the plugins itself, through the same registry and from the
 * same folders as timond, so what it prints is what timond would load.
 * Plugins that fail are reported, not fatal: the point of the command is
 * to say why.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "timon-registry.h"
#include "timonctl-table.h"
#include "timonctl.h"

#define WRAP_COLUMNS 80

/* A stable, script-friendly name for each reason a plugin failed. */
static const char *
failure_code (const GError *error)
{
  if (error->domain != TIMON_PLUGIN_ERROR)
    return "unknown";
  switch ((TimonPluginError) error->code) {
  case TIMON_PLUGIN_ERROR_OPEN:
    return "open";
  case TIMON_PLUGIN_ERROR_NO_DESCRIPTOR:
    return "no-descriptor";
  case TIMON_PLUGIN_ERROR_ABI:
    return "abi";
  case TIMON_PLUGIN_ERROR_INVALID:
    return "invalid";
  case TIMON_PLUGIN_ERROR_DUPLICATE:
    return "duplicate";
  case TIMON_PLUGIN_ERROR_INIT:
    return "init";
  }
  return "unknown";
}

static const char *
plural (guint n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

static int
compare_plugins (gconstpointer a, gconstpointer b)
{
  TimonPlugin *pa = *(TimonPlugin *const *) a;
  TimonPlugin *pb = *(TimonPlugin *const *) b;

  return strcmp (timon_plugin_get_name (pa), timon_plugin_get_name (pb));
}

/* Sorted by name, so that the output of two runs can be diffed whatever
 * order the folders were scanned in. */
static GPtrArray *
dup_sorted_plugins (TimonRegistry *registry)
{
  GPtrArray *loaded = timon_registry_get_plugins (registry);
  GPtrArray *plugins = g_ptr_array_new_full (loaded->len, g_object_unref);

  for (guint i = 0; i < loaded->len; i++)
    g_ptr_array_add (plugins, g_object_ref (loaded->pdata[i]));
  g_ptr_array_sort (plugins, compare_plugins);
  return plugins;
}

static char *
features_cell (TimonPlugin *plugin)
{
  GPtrArray *features = timon_plugin_get_features (plugin);
  g_autoptr (GString) cell = g_string_new (NULL);

  for (guint i = 0; i < features->len; i++) {
    TimonFeature *feature = features->pdata[i];
    g_string_append_printf (cell, "%s%s:%s", i > 0 ? "," : "",
                            timon_feature_kind_to_string (timon_feature_get_kind (feature)),
                            timon_feature_get_name (feature));
  }
  if (cell->len == 0)
    g_string_append_c (cell, '-');
  return g_string_free (g_steal_pointer (&cell), FALSE);
}

/* The reason, under its file: the loader's messages name the file in
 * full, which the line above already does, so the reason says only its
 * base name; wrapped to 80 columns, four spaces in. */
static char *
failure_reason (TimonPluginFailure *failure)
{
  g_autofree char *file = g_filename_display_name (failure->filename);
  g_autofree char *base = g_path_get_basename (file);
  g_autofree char *message = timonctl_display_string (failure->error->message);
  g_autoptr (GString) reason = g_string_new (message);
  g_autoptr (GString) out = g_string_new (NULL);
  size_t column = 0;

  g_string_replace (reason, file, base, 0);
  g_auto (GStrv) words = g_strsplit (reason->str, " ", -1);
  for (char **w = words; *w != NULL; w++) {
    size_t len = (size_t) g_utf8_strlen (*w, -1);
    if (column > 0 && column + 1 + len > WRAP_COLUMNS) {
      g_string_append_c (out, '\n');
      column = 0;
    }
    if (column == 0) {
      g_string_append (out, "    ");
      column = 4;
    } else {
      g_string_append_c (out, ' ');
      column++;
    }
    g_string_append (out, *w);
    column += len;
  }
  g_string_append_c (out, '\n');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
print_table (TimonRegistry *registry, const char *const *dirs)
{
  g_autoptr (GPtrArray) plugins = dup_sorted_plugins (registry);
  GPtrArray *failures = timon_registry_get_failures (registry);
  g_autoptr (TimonctlTable) table = timonctl_table_new (6);
  guint n_features = 0;

  timonctl_table_add_row (table, (const char *const[]){ "NAME", "VERSION", "LICENSE", "ABI",
                                                        "FEATURES", "FILE", NULL });
  for (guint i = 0; i < plugins->len; i++) {
    TimonPlugin *plugin = plugins->pdata[i];
    g_autofree char *abi = g_strdup_printf ("%u.%u", timon_plugin_get_abi_major (plugin),
                                            timon_plugin_get_abi_minor (plugin));
    g_autofree char *features = features_cell (plugin);
    /* The folder would push the row past 80 columns; `plugins NAME` and
     * --json give the whole path. */
    g_autofree char *file = g_path_get_basename (timon_plugin_get_filename (plugin));
    g_autofree char *file_shown = g_filename_display_name (file);

    timonctl_table_add_row (table, (const char *const[]){ timon_plugin_get_name (plugin),
                                                          timon_plugin_get_version (plugin),
                                                          timon_plugin_get_license (plugin), abi,
                                                          features, file_shown, NULL });
    n_features += timon_plugin_get_features (plugin)->len;
  }

  if (plugins->len > 0) {
    g_autofree char *text = timonctl_table_render (table, 0);
    g_print ("%s", text);
  } else {
    g_autofree char *joined = g_strjoinv (", ", (char **) dirs);
    g_autofree char *shown = g_filename_display_name (joined);
    g_print ("No plugins found in %s\n", shown);
  }

  if (failures->len > 0) {
    g_print ("\nFailed to load:\n");
    for (guint i = 0; i < failures->len; i++) {
      TimonPluginFailure *failure = failures->pdata[i];
      g_autofree char *file = g_filename_display_name (failure->filename);
      g_autofree char *reason = failure_reason (failure);
      g_print ("  %s\n%s", file, reason);
    }
  }

  g_print ("\n%u %s, %u %s", plugins->len, plural (plugins->len, "plugin", "plugins"), n_features,
           plural (n_features, "feature", "features"));
  if (failures->len > 0)
    g_print (", %u failed to load", failures->len);
  g_print ("\n");
}

static void
add_pair (TimonctlTable *table, const char *key, const char *value)
{
  timonctl_table_add_row (table, (const char *const[]){ key, value, NULL });
}

static void
print_details (TimonPlugin *plugin)
{
  g_autoptr (TimonctlTable) about = timonctl_table_new (2);
  g_autoptr (TimonctlTable) features = timonctl_table_new (3);
  GPtrArray *list = timon_plugin_get_features (plugin);
  g_autofree char *abi =
    g_strdup_printf ("%u.%u (this Timon provides %d.%d)", timon_plugin_get_abi_major (plugin),
                     timon_plugin_get_abi_minor (plugin), TIMON_ABI_MAJOR, TIMON_ABI_MINOR);
  g_autofree char *file = g_filename_display_name (timon_plugin_get_filename (plugin));

  add_pair (about, "Name", timon_plugin_get_name (plugin));
  add_pair (about, "Description", timon_plugin_get_description (plugin));
  add_pair (about, "Version", timon_plugin_get_version (plugin));
  add_pair (about, "License", timon_plugin_get_license (plugin));
  add_pair (about, "ABI", abi);
  add_pair (about, "File", file);

  timonctl_table_add_row (features, (const char *const[]){ "KIND", "NAME", "TYPE", NULL });
  for (guint i = 0; i < list->len; i++) {
    TimonFeature *feature = list->pdata[i];
    const char *kind = timon_feature_kind_to_string (timon_feature_get_kind (feature));
    TimonResourceType *rt = timon_feature_get_resource_type (feature);
    /* A resource type is described, not implemented: show its kind. */
    g_autofree char *type = rt != NULL
                              ? g_strdup_printf ("%s %s%s%s", timon_resource_type_get_kind (rt),
                                                 timon_resource_type_get_group (rt),
                                                 timon_resource_type_get_group (rt)[0] ? "/" : "",
                                                 timon_resource_type_get_version (rt))
                              : g_strdup (g_type_name (timon_feature_get_gtype (feature)));
    timonctl_table_add_row (features, (const char *const[]){ kind, timon_feature_get_name (feature),
                                                             type, NULL });
  }

  g_autofree char *about_text = timonctl_table_render (about, 0);
  g_autofree char *features_text = timonctl_table_render (features, 2);
  g_print ("%s\n%u %s%s\n%s", about_text, list->len, plural (list->len, "feature", "features"),
           list->len > 0 ? ":" : "", list->len > 0 ? features_text : "");
}

/* JSON strings must be UTF-8; a plugin's strings and file names need not
 * be. */
static void
add_string (JsonBuilder *builder, const char *member, const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, valid);
}

static void
add_filename (JsonBuilder *builder, const char *member, const char *filename)
{
  g_autofree char *shown = g_filename_display_name (filename);

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, shown);
}

static void
add_abi (JsonBuilder *builder, guint32 major, guint32 minor)
{
  json_builder_set_member_name (builder, "abi");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "major");
  json_builder_add_int_value (builder, major);
  json_builder_set_member_name (builder, "minor");
  json_builder_add_int_value (builder, minor);
  json_builder_end_object (builder);
}

/* With @with_filename FALSE, what a plugin is wherever it was built: the
 * inventory committed in docs/plugins.json. */
static void
add_plugin (JsonBuilder *builder, TimonPlugin *plugin, gboolean with_filename)
{
  GPtrArray *features = timon_plugin_get_features (plugin);

  json_builder_begin_object (builder);
  add_string (builder, "name", timon_plugin_get_name (plugin));
  add_string (builder, "description", timon_plugin_get_description (plugin));
  add_string (builder, "version", timon_plugin_get_version (plugin));
  add_string (builder, "license", timon_plugin_get_license (plugin));
  add_abi (builder, timon_plugin_get_abi_major (plugin), timon_plugin_get_abi_minor (plugin));
  if (with_filename)
    add_filename (builder, "filename", timon_plugin_get_filename (plugin));
  json_builder_set_member_name (builder, "features");
  json_builder_begin_array (builder);
  for (guint i = 0; i < features->len; i++) {
    TimonFeature *feature = features->pdata[i];
    json_builder_begin_object (builder);
    add_string (builder, "kind", timon_feature_kind_to_string (timon_feature_get_kind (feature)));
    add_string (builder, "name", timon_feature_get_name (feature));
    if (timon_feature_get_gtype (feature) != G_TYPE_NONE)
      add_string (builder, "gtype", g_type_name (timon_feature_get_gtype (feature)));
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static JsonNode *
build_report (TimonRegistry *registry, const char *const *dirs)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray) plugins = dup_sorted_plugins (registry);
  GPtrArray *failures = timon_registry_get_failures (registry);

  json_builder_begin_object (builder);

  json_builder_set_member_name (builder, "plugins");
  json_builder_begin_array (builder);
  for (guint i = 0; i < plugins->len; i++)
    add_plugin (builder, plugins->pdata[i], TRUE);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "failures");
  json_builder_begin_array (builder);
  for (guint i = 0; i < failures->len; i++) {
    TimonPluginFailure *failure = failures->pdata[i];
    json_builder_begin_object (builder);
    add_filename (builder, "filename", failure->filename);
    add_string (builder, "reason", failure->error->message);
    add_string (builder, "code", failure_code (failure->error));
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "core");
  json_builder_begin_object (builder);
  add_string (builder, "version", TIMON_VERSION_STRING);
  add_abi (builder, TIMON_ABI_MAJOR, TIMON_ABI_MINOR);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "plugin_dirs");
  json_builder_begin_array (builder);
  for (const char *const *d = dirs; *d != NULL; d++) {
    g_autofree char *shown = g_filename_display_name (*d);
    json_builder_add_string_value (builder, shown);
  }
  json_builder_end_array (builder);

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The plugins and what they provide, nothing of this machine: a change
 * in what ships shows as a diff of docs/plugins.json. */
static JsonNode *
build_inventory (TimonRegistry *registry)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray) plugins = dup_sorted_plugins (registry);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "plugins");
  json_builder_begin_array (builder);
  for (guint i = 0; i < plugins->len; i++)
    add_plugin (builder, plugins->pdata[i], FALSE);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* JSON is always UTF-8: written as bytes, not through g_print(), which
 * would convert it to the locale's character set. */
static void
print_json (JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  g_autofree char *data = json_generator_to_data (generator, NULL);
  fputs (data, stdout);
  fputc ('\n', stdout);
}

static TimonPlugin *
find_plugin (TimonRegistry *registry, const char *name)
{
  GPtrArray *plugins = timon_registry_get_plugins (registry);

  for (guint i = 0; i < plugins->len; i++) {
    if (strcmp (timon_plugin_get_name (plugins->pdata[i]), name) == 0)
      return plugins->pdata[i];
  }
  return NULL;
}

int
timonctl_plugins (const TimonctlOptions *options, int argc, char **argv)
{
  g_auto (GStrv) plugin_dirs = NULL;
  gboolean json = FALSE;
  gboolean inventory = FALSE;
  g_autoptr (GError) error = NULL;
  GOptionEntry entries[] = {
    { "plugin-dir", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
      "Also load the plugins in DIR (may be repeated)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { "inventory", 0, 0, G_OPTION_ARG_NONE, &inventory,
      "Print the plugins and their features as JSON, without file names (docs/plugins.json)",
      NULL },
    { NULL },
  };

  /* So that --help says "Usage: timonctl plugins [OPTION…] [NAME]". */
  g_set_prgname ("timonctl plugins");
  g_autoptr (GOptionContext) context =
    g_option_context_new ("[NAME] - list the plugins and what they provide");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (
    context, "Without NAME, lists every plugin and every plugin that failed to load.\n"
             "With NAME, describes that plugin. Plugins load from the installed plugin\n"
             "folder (the build tree's when run from it), $TIMON_PLUGIN_PATH and each DIR.");
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("timonctl plugins: %s\n", error->message);
    return TIMONCTL_EXIT_USAGE;
  }
  if (argc > 2) {
    g_printerr ("timonctl plugins: expected at most one plugin name, got %d\n", argc - 1);
    return TIMONCTL_EXIT_USAGE;
  }
  const char *name = argc == 2 ? argv[1] : NULL;

  /* --plugin-dir may come before the command or after it. */
  g_autoptr (GStrvBuilder) extra = g_strv_builder_new ();
  if (options->plugin_dirs != NULL)
    g_strv_builder_addv (extra, (const char **) options->plugin_dirs);
  if (plugin_dirs != NULL)
    g_strv_builder_addv (extra, (const char **) plugin_dirs);
  g_auto (GStrv) extra_dirs = g_strv_builder_end (extra);

  g_autoptr (TimonRegistry) registry = timon_registry_new ();
  g_auto (GStrv) dirs = timon_registry_dup_default_dirs ((const char *const *) extra_dirs);
  timon_registry_load_default (registry, (const char *const *) extra_dirs);

  if (name == NULL) {
    if (inventory) {
      g_autoptr (JsonNode) root = build_inventory (registry);
      print_json (root);
    } else if (json) {
      g_autoptr (JsonNode) root = build_report (registry, (const char *const *) dirs);
      print_json (root);
    } else {
      print_table (registry, (const char *const *) dirs);
    }
    return TIMONCTL_EXIT_OK;
  }

  TimonPlugin *plugin = find_plugin (registry, name);
  if (plugin == NULL) {
    guint n_failed = timon_registry_get_failures (registry)->len;
    g_autofree char *shown = timonctl_display_string (name);
    if (n_failed > 0)
      g_printerr ("timonctl plugins: no plugin named \"%s\" is loaded (%u failed to load: run "
                  "'timonctl plugins' to see why)\n",
                  shown, n_failed);
    else
      g_printerr ("timonctl plugins: no plugin named \"%s\" is loaded\n", shown);
    return TIMONCTL_EXIT_FAILURE;
  }
  if (json) {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    add_plugin (builder, plugin, TRUE);
    g_autoptr (JsonNode) root = json_builder_get_root (builder);
    print_json (root);
  } else {
    print_details (plugin);
  }
  return TIMONCTL_EXIT_OK;
}
