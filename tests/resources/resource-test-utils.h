/* resource-test-utils.h: what the tests of the resource-type plugins
 * (core/v1, apps/v1, coordination.k8s.io/v1) share. Each test binary
 * loads one plugin folder through resource_test_init(), describes its
 * types and cases in tables, and registers the tests below on them.
 *
 * JSON in the tables is written with single quotes, turned into double
 * quotes before parsing, so that it reads as it would in a manifest.
 * Validation cases run the default hook first, as the API server does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "timon-registry.h"

G_BEGIN_DECLS

#define INVALID "FieldValueInvalid"
#define REQUIRED "FieldValueRequired"
#define FORBIDDEN "FieldValueForbidden"
#define TOO_LONG "FieldValueTooLong"
#define DUPLICATE "FieldValueDuplicate"
#define NOT_SUPPORTED "FieldValueNotSupported"

/* The registry the test binary loaded the plugin into. */
extern TimonRegistry *registry;

/* g_test_init(), then loads the plugins in @dir, and names the test
 * paths after @plugin: "/resources/<plugin>/...". */
void resource_test_init (int *argc, char ***argv, const char *plugin, const char *dir);
/* Runs the tests and frees the registry: main()'s return value. */
int resource_test_run (void);

typedef struct {
  const char *reason;
  const char *field;
  const char *detail; /* a substring of the detail */
} Cause;

#define MAX_CAUSES 6

/* What the plugin says of itself. */
typedef struct {
  const char *description;
  const char *features; /* the names, joined by ',', in the order registered */
} PluginDescription;

typedef struct {
  const char *feature;
  const char *api_version; /* "<group>/<version>", or "<version>" for the core group */
  const char *kind;
  const char *plural;
  const char *singular;
  TimonResourceScope scope;
  const char *short_names;  /* joined by ',' */
  const char *subresources; /* joined by ',' */
  const char *fields;       /* joined by ',' */
  const char *columns;      /* NAME:type:json path (or "-" for a hook)[:priority], by ',' */
  gboolean has_default;
  gboolean has_get_field;
  gboolean has_print_column;
  const char *categories; /* joined by ','; NULL: none */
  gboolean has_graceful_delete;
} Description;

typedef struct {
  const char *name;
  const char *feature;
  const char *input;
  const char *expected;
} DefaultCase;

typedef struct {
  const char *name;
  const char *feature;
  const char *object;
  Cause causes[MAX_CAUSES];
} CreateCase;

typedef struct {
  const char *name;
  const char *feature;
  const char *old;
  const char *object;
  Cause causes[MAX_CAUSES];
} UpdateCase;

typedef struct {
  const char *name;
  const char *feature;
  const char *object;
  const char *field; /* or column, for print_column */
  const char *expected;
} ValueCase;

/* Robustness: every member a type reads, given every JSON shape. */
typedef struct {
  const char *feature;
  const char *member; /* a path of members joined by '.' */
  const char *holds;  /* "object", "array", "string", "boolean", "integer", "int-or-string" or
                         NULL: any */
} Member;

/* A valid object of each type, for the shapes to be put into: each test
 * binary provides it for the types it sweeps. */
const char *valid_object (const char *feature);

TimonResourceType *lookup (const char *feature_name);
JsonNode *parse_node (const char *quoted);
JsonObject *parse (const char *quoted);
char *to_string (JsonObject *object);
void run_default (TimonResourceType *type, JsonObject *object);
TimonFieldErrors *run_validate (TimonResourceType *type, JsonObject *object, JsonObject *old);
char *describe_errors (TimonFieldErrors *errors);
void assert_causes (TimonFieldErrors *errors, const Cause *expected);
char *join (const char *const *strv);

/* The tests, each on the case (or description) it is given. */
void test_plugin (gconstpointer data);   /* a PluginDescription */
void test_describe (gconstpointer data); /* a Description */
void test_default (gconstpointer data);
void test_validate_create (gconstpointer data);
void test_validate_update (gconstpointer data);
void test_get_field (gconstpointer data);
void test_print_column (gconstpointer data);
void test_robustness (gconstpointer data);        /* a Member */
void test_robustness_empty (gconstpointer data);  /* a Description */
void test_timonctl_list (gconstpointer data);     /* a PluginDescription */
void test_timonctl_describe (gconstpointer data); /* what it prints: strings, NULL-terminated */

/* "/resources/<plugin>/<plural>/<group>/<case>" from "kind/case". */
void add_named (const char *group,
                const char *feature,
                const char *name,
                gconstpointer data,
                GTestDataFunc func);

/* A test of @func on each case of the array @cases (structs with a
 * name and a feature), by add_named(). */
#define add_cases(group, cases, func)                                                   \
  G_STMT_START                                                                          \
  {                                                                                     \
    for (size_t i_ = 0; i_ < G_N_ELEMENTS (cases); i_++)                                \
      add_named ((group), (cases)[i_].feature, (cases)[i_].name, &(cases)[i_], (func)); \
  }                                                                                     \
  G_STMT_END

/* "/resources/<plugin>/<plural>/<test>" for each of @n types, on its
 * description. */
void add_for_types (const char *test,
                    const Description *descriptions,
                    size_t n,
                    GTestDataFunc func);

/* "/resources/<plugin>/<plural>/robustness/<member>" for each of @n
 * members. */
void add_members (const Member *members, size_t n);

G_END_DECLS
