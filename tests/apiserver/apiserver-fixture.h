/* apiserver-fixture.h: a real timond on a free port with a temporary
 * data folder, and the HTTP, watch and kubectl helpers the API server
 * tests share.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "test-utils.h"

G_BEGIN_DECLS

#define WIDGETS "/apis/test.timon.io/v1/namespaces/default/widgets"
#define GADGETS "/apis/test.timon.io/v1/gadgets"

/* The series of /metrics that counts the open watches of WIDGETS. */
#define OPEN_WATCHES                                                                      \
  "apiserver_longrunning_requests{verb=\"WATCH\",group=\"test.timon.io\",version=\"v1\"," \
  "resource=\"widgets\",scope=\"namespace\",component=\"apiserver\"}"

typedef struct {
  char *dir;
  GSubprocess *process;
  GDataInputStream *lines;
  GString *output; /* what timond printed */
  char *address;   /* host:port */
  SoupSession *session;
} Fixture;

typedef struct {
  guint status;
  char *body;
  char *content_type;
  char *cache_control;
  JsonNode *json; /* the body, when it is JSON */
  SoupMessageHeaders *headers;
} Response;

void response_clear (Response *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

typedef struct {
  SoupMessage *msg;
  GInputStream *stream;
  GDataInputStream *lines;
} Watch;

void watch_free (Watch *w);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Watch, watch_free)

void daemon_start (Fixture *f);
void daemon_stop (Fixture *f);
void fixture_setup (Fixture *f, gconstpointer data);
void fixture_teardown (Fixture *f, gconstpointer data);
SoupMessage *new_message (Fixture *f, const char *method, const char *path);
void request_full (Fixture *f,
                   Response *r,
                   const char *method,
                   const char *path,
                   const char *content_type,
                   const char *body,
                   gsize length,
                   const char *accept);
void request (Fixture *f, Response *r, const char *method, const char *path, const char *json);
JsonObject *obj (Response *r);
JsonNode *path_get (JsonObject *object, const char *path);
const char *str (JsonObject *object, const char *path);
gint64 num (JsonObject *object, const char *path);
gint64 rv_of (JsonObject *object);
JsonObject *find_by_name (JsonArray *array, const char *member, const char *name);
void assert_status (Response *r, guint code, const char *reason);
void assert_ok (Response *r, guint code);
void create_widget (Fixture *f,
                    const char *ns,
                    const char *name,
                    const char *labels,
                    const char *color);
gboolean have_namespaces (Fixture *f);
gboolean have_pods (Fixture *f);
guint n_items (Response *r);
void ensure_namespace (Fixture *f, const char *name);
Watch *watch_start_accept (Fixture *f, const char *path, const char *accept);
Watch *watch_start (Fixture *f, const char *path);
JsonNode *watch_next (Watch *w, char **out_type);
gint64 expect_event (Watch *w, const char *type, const char *name);
GHashTable *scrape (Fixture *f);
double series_value (GHashTable *series, const char *name);
GSocket *raw_connect (Fixture *f);
/* Sends @data on a connection of its own and half-closes it (@finish)
 * or leaves it open; returns what came back before timond closed it,
 * or (@head_only) once the head of an answer came. */
char *raw_exchange (Fixture *f,
                    const char *data,
                    gsize length,
                    gboolean finish,
                    gboolean head_only);
GSubprocessLauncher *kubectl_launcher (Fixture *f, GSubprocessFlags flags);
void kubectl (Fixture *f, TestRun *run, const char *const *args);
gboolean kubectl_installed (void);
/* Runs kubectl, which must succeed and print @expected. */
void kubectl_expect (Fixture *f, const char *const *args, const char *expected);

G_END_DECLS
