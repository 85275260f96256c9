/* test-kubectl.c: the real kubectl, every version found beside
 * /usr/bin/kubectl's target (kubectl.1.27 ... kubectl.1.33), against a
 * real timond: get in every output format, create, apply (client- and
 * server-side, a directory), label, annotate, patch of each type,
 * replace, edit, delete, wait, describe, explain, get -w,
 * api-resources, version, auth. Each step asserts on what kubectl
 * prints, not only on its exit status.
 *
 * Every command runs as a user runs it: create, apply, replace and edit
 * validate with the server's OpenAPI (v2 in protobuf for 1.27 and 1.28,
 * v3 for the others), explain reads it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>

#include "apiserver-fixture.h"

#define PODS "/api/v1/namespaces/default/pods"
#define POD_WATCHES                                                                   \
  "apiserver_longrunning_requests{verb=\"WATCH\",group=\"\",version=\"v1\",resource=" \
  "\"pods\",scope=\"namespace\",component=\"apiserver\"}"

static const char *const versions[] = {
  "1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33", NULL
};

/* kubectl.VERSION beside the program /usr/bin/kubectl leads to. */
static char *
binary_for (const char *version)
{
  g_autofree char *target = g_canonicalize_filename ("/usr/bin/kubectl", NULL);
  char resolved[4096];
  if (realpath ("/usr/bin/kubectl", resolved) != NULL) {
    g_free (target);
    target = g_strdup (resolved);
  }
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *name = g_strdup_printf ("kubectl.%s", version);
  return g_build_filename (dir, name, NULL);
}

static gboolean
have_version (const char *version)
{
  g_autofree char *binary = binary_for (version);
  if (g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_autofree char *why = g_strdup_printf ("%s is not installed", binary);
  g_test_skip (why);
  return FALSE;
}

/* Runs kubectl @version with @args; @editor, if any, as its editor. */
static void
run_kubectl (Fixture *f,
             const char *version,
             TestRun *run,
             const char *editor,
             const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = kubectl_launcher (f, G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *binary = binary_for (version);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (editor != NULL)
    g_subprocess_launcher_setenv (launcher, "KUBE_EDITOR", editor, TRUE);
  g_strv_builder_add_many (builder, "timeout", "60", binary, NULL);
  g_strv_builder_addv (builder, (const char **) args);
  g_auto (GStrv) argv = g_strv_builder_end (builder);
  test_run (run, launcher, (const char *const *) argv);
}

/* kubectl must succeed and print each of @expected (NULL-ended). */
static void
ok (Fixture *f, const char *version, const char *const *args, const char *const *expected)
{
  g_auto (TestRun) run = { 0 };
  run_kubectl (f, version, &run, NULL, args);
  if (run.status != 0)
    g_error ("kubectl %s %s failed (%d): %s%s", version, args[0], run.status, run.out, run.err);
  for (const char *const *e = expected; e != NULL && *e != NULL; e++)
    assert_contains (run.out, *e);
}

/* What kubectl prints on success, for further checks. */
static char *
output (Fixture *f, const char *version, const char *const *args)
{
  g_auto (TestRun) run = { 0 };
  run_kubectl (f, version, &run, NULL, args);
  if (run.status != 0)
    g_error ("kubectl %s %s failed (%d): %s%s", version, args[0], run.status, run.out, run.err);
  return g_steal_pointer (&run.out);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define SAYS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static char *
write_file (Fixture *f, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0700);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_steal_pointer (&path);
}

/* Creates what @yaml describes with create -f: kubectl 1.32's typed
 * commands (create namespace, run, create configmap) send protobuf,
 * which timond does not read. */
static void
create (Fixture *f, const char *v, const char *yaml, const char *expected)
{
  g_autofree char *name = g_strdup_printf ("made-%u.yaml", g_random_int ());
  g_autofree char *path = write_file (f, name, yaml);
  ok (f, v, ARGS ("create", "-f", path), SAYS (expected));
}

#define POD(name, ns)                                                                    \
  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " name "\n  namespace: " ns "\nspec:\n" \
  "  containers:\n  - name: main\n    image: busybox\n"

static const char pods_yaml[] =
  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  labels: {app: web}\nspec:\n"
  "  containers:\n  - name: nginx\n    image: nginx:1.27\n"
  "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: db-1\n  labels: {app: db}\nspec:\n"
  "  containers:\n  - name: pg\n    image: postgres:17\n";

static const char deploy_yaml[] =
  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\n"
  "spec:\n  replicas: %d\n  selector:\n    matchLabels: {app: web}\n  template:\n"
  "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
  "      - name: nginx\n        image: nginx:1.26\n        ports:\n"
  "        - containerPort: 80\n";

/* get in every output format, with selectors and sorting. */
static void
test_get (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  g_autofree char *pods = write_file (f, "pods.yaml", pods_yaml);
  ok (f, v, ARGS ("create", "-f", pods), SAYS ("pod/web-1 created", "pod/db-1 created"));
  create (f, v, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n",
          "namespace/other created");
  create (f, v, POD ("away", "other"), "pod/away created");

  ok (f, v, ARGS ("get", "pods"),
      SAYS ("NAME", "READY", "STATUS", "RESTARTS", "AGE", "web-1", "0/1", "Pending"));
  ok (f, v, ARGS ("get", "pods", "-o", "wide"),
      SAYS ("IP", "NODE", "NOMINATED NODE", "READINESS GATES", "web-1"));
  ok (f, v, ARGS ("get", "pods", "-o", "name"), SAYS ("pod/web-1", "pod/db-1"));
  ok (f, v, ARGS ("get", "pod", "web-1", "-o", "json"),
      SAYS ("\"name\": \"web-1\"", "\"image\": \"nginx:1.27\""));
  ok (f, v, ARGS ("get", "pod", "web-1", "-o", "yaml"),
      SAYS ("name: web-1", "image: nginx:1.27", "restartPolicy: Always"));
  ok (f, v, ARGS ("get", "pods", "-o", "jsonpath={.items[*].metadata.name}"), SAYS ("db-1 web-1"));
  ok (f, v,
      ARGS ("get", "pods", "-o",
            "custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[0].image"),
      SAYS ("IMAGE", "nginx:1.27", "postgres:17"));

  g_autofree char *web = output (f, v, ARGS ("get", "pods", "-l", "app=web", "-o", "name"));
  g_assert_cmpstr (web, ==, "pod/web-1\n");
  g_autofree char *not_web =
    output (f, v, ARGS ("get", "pods", "-l", "app notin (web)", "-o", "name"));
  g_assert_cmpstr (not_web, ==, "pod/db-1\n");
  g_autofree char *by_field =
    output (f, v, ARGS ("get", "pods", "--field-selector", "metadata.name=db-1", "-o", "name"));
  g_assert_cmpstr (by_field, ==, "pod/db-1\n");
  g_autofree char *pending =
    output (f, v, ARGS ("get", "pods", "--field-selector", "status.phase!=Running", "-o", "name"));
  assert_contains (pending, "pod/web-1");
  g_autofree char *sorted =
    output (f, v, ARGS ("get", "pods", "--sort-by=.metadata.name", "-o", "name"));
  g_assert_cmpstr (sorted, ==, "pod/db-1\npod/web-1\n");
  g_autofree char *by_image =
    output (f, v, ARGS ("get", "pods", "--sort-by=.spec.containers[0].image", "--no-headers"));
  g_assert_true (strstr (by_image, "web-1") < strstr (by_image, "db-1"));
  ok (f, v, ARGS ("get", "pods", "-A"), SAYS ("NAMESPACE", "other", "away", "default", "web-1"));
  ok (f, v, ARGS ("get", "pods", "--show-labels"), SAYS ("LABELS", "app=web"));
  ok (f, v, ARGS ("get", "pods", "-L", "app"), SAYS ("APP", "web", "db"));
  ok (f, v, ARGS ("get", "ns"), SAYS ("NAME", "STATUS", "kube-system", "Active"));
  g_auto (TestRun) missing = { 0 };
  run_kubectl (f, v, &missing, NULL, ARGS ("get", "pod", "nothing"));
  g_assert_cmpint (missing.status, !=, 0);
  assert_contains (missing.err, "pods \"nothing\" not found");
}

/* create -f, apply -f twice (the second a strategic merge patch of the
 * changed field only), apply --server-side, apply of a directory. */
static void
test_apply (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  g_autofree char *text = g_strdup_printf (deploy_yaml, 2);
  g_autofree char *deploy = write_file (f, "deploy.yaml", text);
  ok (f, v, ARGS ("apply", "-f", deploy), SAYS ("deployment.apps/web created"));
  ok (f, v, ARGS ("apply", "-f", deploy), SAYS ("deployment.apps/web unchanged"));
  /* Changed here, outside the file: the next apply keeps it, and sets
   * what the file says. */
  ok (f, v, ARGS ("set", "image", "deployment/web", "nginx=nginx:1.27"), SAYS ("image updated"));
  ok (
    f, v,
    ARGS ("patch", "deployment", "web", "--type", "merge", "-p",
          "{\"metadata\":{\"annotations\":{\"note\":\"kept\"}},\"spec\":{\"minReadySeconds\":4}}"),
    SAYS ("patched"));
  g_autofree char *changed = g_strdup_printf (deploy_yaml, 3);
  g_free (write_file (f, "deploy.yaml", changed));
  ok (f, v, ARGS ("apply", "-f", deploy), SAYS ("deployment.apps/web configured"));
  g_autofree char *state = output (
    f, v,
    ARGS ("get", "deployment", "web", "-o",
          "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} "
          "{.spec.template.spec.containers[0].ports[0].containerPort} {.spec.minReadySeconds} "
          "{.metadata.annotations.note}"));
  g_assert_cmpstr (state, ==, "3 nginx:1.26 80 4 kept");

  g_autofree char *ssa = write_file (
    f, "ssa.yaml",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n  b: '2'\n");
  ok (f, v, ARGS ("apply", "--server-side", "-f", ssa), SAYS ("configmap/ssa serverside-applied"));
  g_free (
    write_file (f, "ssa.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '3'\n"));
  ok (f, v, ARGS ("apply", "--server-side", "-f", ssa), SAYS ("configmap/ssa serverside-applied"));
  g_autofree char *ssa_data =
    output (f, v, ARGS ("get", "configmap", "ssa", "-o", "jsonpath={.data}"));
  g_assert_cmpstr (ssa_data, ==, "{\"a\":\"3\"}");

  g_free (
    write_file (f, "many/config.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many-cm\ndata:\n  k: v\n"));
  g_free (write_file (f, "many/service.yaml",
                      "apiVersion: v1\nkind: Service\nmetadata:\n  name: many-svc\nspec:\n"
                      "  selector: {app: web}\n  ports:\n  - port: 80\n"));
  g_free (write_file (f, "many/secret.yaml",
                      "apiVersion: v1\nkind: Secret\nmetadata:\n  name: many-secret\n"
                      "stringData:\n  password: hunter2\n"));
  g_autofree char *many = g_build_filename (f->dir, "many", NULL);
  ok (f, v, ARGS ("apply", "-f", many),
      SAYS ("configmap/many-cm created", "service/many-svc created", "secret/many-secret created"));
  ok (f, v, ARGS ("get", "svc", "many-svc"),
      SAYS ("TYPE", "CLUSTER-IP", "PORT(S)", "ClusterIP", "80/TCP"));
}

/* label, annotate, patch of each type, replace, edit. */
static void
test_edit (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  g_autofree char *text = g_strdup_printf (deploy_yaml, 1);
  g_autofree char *deploy = write_file (f, "deploy.yaml", text);
  ok (f, v, ARGS ("create", "-f", deploy), SAYS ("deployment.apps/web created"));

  ok (f, v, ARGS ("label", "deployment", "web", "tier=front"),
      SAYS ("deployment.apps/web labeled"));
  ok (f, v, ARGS ("annotate", "deployment", "web", "note=hello"),
      SAYS ("deployment.apps/web annotate"));
  ok (f, v, ARGS ("patch", "deployment", "web", "-p", "{\"spec\":{\"replicas\":2}}"),
      SAYS ("deployment.apps/web patched"));
  ok (f, v,
      ARGS ("patch", "deployment", "web", "--type", "merge", "-p",
            "{\"spec\":{\"minReadySeconds\":5}}"),
      SAYS ("deployment.apps/web patched"));
  ok (f, v,
      ARGS ("patch", "deployment", "web", "--type", "json", "-p",
            "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":2},"
            "{\"op\":\"replace\",\"path\":\"/spec/revisionHistoryLimit\",\"value\":3}]"),
      SAYS ("deployment.apps/web patched"));
  g_autofree char *state =
    output (f, v,
            ARGS ("get", "deployment", "web", "-o",
                  "jsonpath={.metadata.labels.tier} {.metadata.annotations.note} {.spec.replicas} "
                  "{.spec.minReadySeconds} {.spec.revisionHistoryLimit}"));
  g_assert_cmpstr (state, ==, "front hello 2 5 3");

  /* replace: the object as read, changed, sent back with its version. */
  g_autofree char *current = output (f, v, ARGS ("get", "deployment", "web", "-o", "yaml"));
  g_autoptr (GString) edited = g_string_new (current);
  g_string_replace (edited, "replicas: 2", "replicas: 6", 1);
  g_autofree char *replace = write_file (f, "replace.yaml", edited->str);
  ok (f, v, ARGS ("replace", "-f", replace), SAYS ("deployment.apps/web replaced"));

  /* edit, with a script for an editor. */
  g_autofree char *editor =
    write_file (f, "editor.sh", "#!/bin/sh\nsed -i 's/replicas: 6/replicas: 4/' \"$1\"\n");
  g_chmod (editor, 0700);
  g_auto (TestRun) run = { 0 };
  run_kubectl (f, v, &run, editor, ARGS ("edit", "deployment/web"));
  g_assert_cmpint (run.status, ==, 0);
  assert_contains (run.out, "deployment.apps/web edited");
  g_autofree char *replicas =
    output (f, v, ARGS ("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"));
  g_assert_cmpstr (replicas, ==, "4");
  ok (f, v, ARGS ("scale", "deployment", "web", "--replicas=7"),
      SAYS ("deployment.apps/web scaled"));
  g_autofree char *scaled =
    output (f, v, ARGS ("get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"));
  g_assert_cmpstr (scaled, ==, "7");
}

static void
put_status (Fixture *f, const char *path, const char *body)
{
  g_auto (Response) r = { 0 };
  request (f, &r, "PUT", path, body);
  assert_ok (&r, 200);
}

/* delete by name, -f, -l and --all; wait for a deletion and for a
 * condition. */
static void
test_delete_wait (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  g_autofree char *pods = write_file (f, "pods.yaml", pods_yaml);
  ok (f, v, ARGS ("create", "-f", pods), SAYS ("pod/web-1 created"));
  ok (f, v, ARGS ("delete", "pod", "web-1"), SAYS ("pod \"web-1\" deleted"));
  ok (f, v, ARGS ("delete", "-f", pods, "--ignore-not-found"), SAYS ("pod \"db-1\" deleted"));
  ok (f, v, ARGS ("create", "-f", pods), SAYS ("pod/web-1 created"));
  ok (f, v, ARGS ("delete", "pods", "-l", "app=db"), SAYS ("pod \"db-1\" deleted"));
  create (f, v, POD ("other", "default"), "pod/other created");
  ok (f, v, ARGS ("delete", "pods", "--all"),
      SAYS ("pod \"web-1\" deleted", "pod \"other\" deleted"));
  ok (f, v, ARGS ("get", "pods"), SAYS (NULL));

  /* A finalizer holds the object: wait --for=delete returns once an
   * update removes it. */
  create (f, v, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\ndata:\n  a: '1'\n",
          "configmap/held created");
  ok (f, v,
      ARGS ("patch", "configmap", "held", "--type", "merge", "-p",
            "{\"metadata\":{\"finalizers\":[\"test.timon.io/hold\"]}}"),
      SAYS ("patched"));
  ok (f, v, ARGS ("delete", "configmap", "held", "--wait=false"), SAYS ("deleted"));
  g_autoptr (GSubprocessLauncher) launcher =
    kubectl_launcher (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *binary = binary_for (v);
  g_autoptr (GSubprocess) waiting =
    g_subprocess_launcher_spawn (launcher, NULL, "timeout", "30", binary, "wait", "--for=delete",
                                 "configmap/held", "--timeout=20s", NULL);
  g_assert_nonnull (waiting);
  g_usleep (300 * 1000);
  ok (f, v,
      ARGS ("patch", "configmap", "held", "--type", "json", "-p",
            "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]"),
      SAYS ("patched"));
  g_autofree char *waited = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (waiting, NULL, NULL, &waited, NULL, NULL));
  g_assert_cmpint (g_subprocess_get_exit_status (waiting), ==, 0);
  assert_contains (waited, "condition met");

  /* wait --for=condition: the pod turns Ready through its status. */
  create (f, v, POD ("ready", "default"), "pod/ready created");
  g_auto (Response) pod = { 0 };
  request (f, &pod, "GET", PODS "/ready", NULL);
  g_autofree char *rv = g_strdup (str (obj (&pod), "metadata.resourceVersion"));
  g_autofree char *status = g_strdup_printf (
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"ready\",\"resourceVersion\":"
    "\"%s\"},\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"busybox\"}]},"
    "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
    rv);
  put_status (f, PODS "/ready/status", status);
  ok (f, v, ARGS ("wait", "--for=condition=Ready", "pod/ready", "--timeout=20s"),
      SAYS ("pod/ready condition met"));
}

/* Posts an Event about the object at @path, of @kind, in default: with
 * its uid, which describe selects events by. */
static void
post_event (Fixture *f,
            const char *name,
            const char *kind,
            const char *path,
            const char *reason,
            const char *message)
{
  g_auto (Response) object = { 0 };
  request (f, &object, "GET", path, NULL);
  assert_ok (&object, 200);
  g_autofree char *body = g_strdup_printf (
    "{\"metadata\":{\"name\":\"%s\"},\"involvedObject\":{\"kind\":\"%s\",\"name\":\"%s\","
    "\"namespace\":\"%s\",\"uid\":\"%s\"},\"reason\":\"%s\",\"message\":\"%s\","
    "\"type\":\"Normal\",\"count\":1,\"source\":{\"component\":\"test\"},"
    "\"firstTimestamp\":\"2026-11-26T14:55:11Z\",\"lastTimestamp\":\"2026-11-26T14:55:11Z\"}",
    name, kind, str (obj (&object), "metadata.name"),
    /* A cluster-scoped object's events name no namespace. */
    str (obj (&object), "metadata.namespace") ? str (obj (&object), "metadata.namespace") : "",
    str (obj (&object), "metadata.uid"), reason, message);
  g_auto (Response) r = { 0 };
  request (f, &r, "POST", "/api/v1/namespaces/default/events", body);
  assert_ok (&r, 201);
}

/* describe shows the object and its events (kubectl shows none for a
 * namespace); explain prints the schemas' descriptions. */
static void
test_describe (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  g_autofree char *pods = write_file (f, "pods.yaml", pods_yaml);
  ok (f, v, ARGS ("create", "-f", pods), SAYS ("pod/web-1 created"));
  g_auto (Response) pod = { 0 };
  request (f, &pod, "GET", PODS "/web-1", NULL);
  g_autofree char *event = g_strdup_printf (
    "{\"metadata\":{\"name\":\"web-1.1\"},\"involvedObject\":{\"apiVersion\":\"v1\",\"kind\":"
    "\"Pod\",\"name\":\"web-1\",\"namespace\":\"default\",\"uid\":\"%s\"},\"reason\":"
    "\"Scheduled\",\"message\":\"Successfully assigned default/web-1 to node-1\",\"type\":"
    "\"Normal\",\"count\":1,\"source\":{\"component\":\"default-scheduler\"},"
    "\"firstTimestamp\":\"2026-11-26T14:55:11Z\",\"lastTimestamp\":\"2026-11-26T14:55:11Z\"}",
    str (obj (&pod), "metadata.uid"));
  g_auto (Response) created = { 0 };
  request (f, &created, "POST", "/api/v1/namespaces/default/events", event);
  assert_ok (&created, 201);
  /* An event of another pod, which web-1's description must not show. */
  g_auto (Response) other = { 0 };
  request (f, &other, "POST", "/api/v1/namespaces/default/events",
           "{\"metadata\":{\"name\":\"db-1.1\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":"
           "\"db-1\",\"namespace\":\"default\"},\"reason\":\"Elsewhere\",\"message\":\"x\","
           "\"type\":\"Warning\"}");
  assert_ok (&other, 201);

  g_autofree char *described = output (f, v, ARGS ("describe", "pod", "web-1"));
  assert_contains (described, "Name:");
  assert_contains (described, "web-1");
  assert_contains (described, "nginx:1.27");
  assert_contains (described, "Events:");
  assert_contains (described, "Scheduled");
  assert_contains (described, "default-scheduler");
  assert_contains (described, "Successfully assigned default/web-1 to node-1");
  g_assert_null (strstr (described, "Elsewhere"));

  g_autofree char *text = g_strdup_printf (deploy_yaml, 1);
  g_autofree char *deploy = write_file (f, "deploy.yaml", text);
  ok (f, v, ARGS ("create", "-f", deploy), SAYS ("deployment.apps/web created"));
  create (f, v,
          "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-1a\nspec:\n"
          "  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n"
          "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
          "      - {name: nginx, image: nginx:1.26}\n",
          "replicaset.apps/web-1a created");
  create (f, v,
          "apiVersion: v1\nkind: Service\nmetadata:\n  name: front\nspec:\n  ports:\n"
          "  - {port: 80, targetPort: 8080}\n",
          "service/front created");
  g_auto (Response) node = { 0 };
  request (
    f, &node, "POST", "/api/v1/nodes",
    "{\"metadata\":{\"name\":\"node-1\",\"labels\":{\"kubernetes.io/hostname\":\"node-1\"}}}");
  assert_ok (&node, 201);
  /* Events of other kinds show in their objects' descriptions too. */
  post_event (f, "web.d", "Deployment", "/apis/apps/v1/namespaces/default/deployments/web",
              "ScalingReplicaSet", "Scaled up replica set web-1a to 1");
  post_event (f, "web-1a.r", "ReplicaSet", "/apis/apps/v1/namespaces/default/replicasets/web-1a",
              "SuccessfulCreate", "Created pod: web-1a-x");
  post_event (f, "front.s", "Service", "/api/v1/namespaces/default/services/front",
              "EnsuringLoadBalancer", "Ensuring load balancer");
  post_event (f, "node-1.n", "Node", "/api/v1/nodes/node-1", "NodeReady",
              "Node node-1 status is now: NodeReady");
  ok (f, v, ARGS ("describe", "replicaset", "web-1a"),
      SAYS ("Name:", "web-1a", "Replicas:", "Pod Template:", "Events:", "SuccessfulCreate",
            "Created pod: web-1a-x"));
  ok (f, v, ARGS ("describe", "deployment", "web"),
      SAYS ("Name:", "web", "Replicas:", "StrategyType:", "RollingUpdate", "nginx:1.26",
            "ScalingReplicaSet", "Scaled up replica set web-1a to 1"));
  ok (f, v, ARGS ("describe", "service", "front"),
      SAYS ("Name:", "front", "Type:", "ClusterIP", "8080/TCP", "EnsuringLoadBalancer"));
  ok (f, v, ARGS ("describe", "namespace", "default"),
      SAYS ("Name:", "default", "Status:", "Active", "No resource quota."));
  ok (f, v, ARGS ("describe", "node", "node-1"), SAYS ("Name:", "node-1", "Labels:", "NodeReady"));
  ok (f, v, ARGS ("get", "events"),
      SAYS ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE", "Scheduled", "pod/web-1"));

  ok (f, v, ARGS ("explain", "pod.spec.containers"), SAYS ("FIELDS:", "image", "livenessProbe"));
  ok (f, v, ARGS ("explain", "deployment.spec.strategy.rollingUpdate.maxSurge"), SAYS ("maxSurge"));
}

/* get -w: what happens is printed as it happens. */
static void
test_watch (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  g_autoptr (GSubprocessLauncher) launcher =
    kubectl_launcher (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *binary = binary_for (v);
  /* Stopped after a while: `get -w` runs until the stream ends. */
  g_autoptr (GSubprocess) watch =
    g_subprocess_launcher_spawn (launcher, NULL, "timeout", "5", binary, "get", "pods", "-w",
                                 "--output-watch-events", NULL);
  g_assert_nonnull (watch);
  /* Changes only once kubectl watches, so that they come as events. */
  for (guint tries = 0;; tries++) {
    g_autoptr (GHashTable) series = scrape (f);
    if (series_value (series, POD_WATCHES) >= 1)
      break;
    g_assert_cmpuint (tries, <, 200);
    g_usleep (20 * 1000);
  }
  create (f, v, POD ("watched", "default"), "pod/watched created");
  ok (f, v, ARGS ("label", "pod", "watched", "seen=yes"), SAYS ("labeled"));
  g_autofree char *seen = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (watch, NULL, NULL, &seen, NULL, NULL));
  assert_contains (seen, "ADDED");
  assert_contains (seen, "MODIFIED");
  assert_contains (seen, "watched");
}

/* api-resources, version, auth. */
static void
test_misc (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  ok (f, v, ARGS ("api-resources"),
      SAYS ("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "pods", "po", "deployments",
            "deploy", "apps/v1", "leases", "selfsubjectaccessreviews"));
  ok (f, v, ARGS ("api-resources", "-o", "wide"), SAYS ("VERBS", "create", "watch"));
  ok (f, v, ARGS ("api-versions"), SAYS ("apps/v1", "v1", "authorization.k8s.io/v1"));
  /* 1.27 prints version.Info{...}, later ones the version alone. */
  g_autofree char *client = g_strdup_printf ("v%s.", v);
  ok (f, v, ARGS ("version"), SAYS ("Client Version", client, "Server Version", "v1.32.0"));
  ok (f, v, ARGS ("auth", "can-i", "create", "pods"), SAYS ("yes"));
  ok (f, v, ARGS ("auth", "can-i", "--list"), SAYS ("*.*", "[*]"));
  ok (f, v, ARGS ("auth", "whoami"), SAYS ("Username", "admin", "system:masters"));
  ok (f, v, ARGS ("cluster-info"), SAYS ("is running at"));
}

/* The typed commands: kubectl 1.32 and later send their objects in
 * protobuf, earlier versions in JSON; the objects are the same. */
static void
test_typed (Fixture *f, gconstpointer data)
{
  const char *v = data;
  if (!have_version (v))
    return;
  ok (f, v, ARGS ("create", "namespace", "typed"), SAYS ("namespace/typed created"));
  ok (f, v,
      ARGS ("create", "configmap", "cm", "-n", "typed", "--from-literal=a=1",
            "--from-literal=b=two"),
      SAYS ("configmap/cm created"));
  g_autofree char *cm =
    output (f, v, ARGS ("get", "configmap", "cm", "-n", "typed", "-o", "jsonpath={.data}"));
  g_assert_cmpstr (cm, ==, "{\"a\":\"1\",\"b\":\"two\"}");
  ok (f, v,
      ARGS ("create", "secret", "generic", "s", "-n", "typed", "--from-literal=password=hunter2"),
      SAYS ("secret/s created"));
  g_autofree char *secret =
    output (f, v,
            ARGS ("get", "secret", "s", "-n", "typed", "-o", "jsonpath={.type} {.data.password}"));
  g_assert_cmpstr (secret, ==, "Opaque aHVudGVyMg==");
  ok (f, v,
      ARGS ("create", "deployment", "web", "-n", "typed", "--image=nginx:1.27", "--replicas=2",
            "--port=80"),
      SAYS ("deployment.apps/web created"));
  g_autofree char *deploy =
    output (f, v,
            ARGS ("get", "deployment", "web", "-n", "typed", "-o",
                  "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} "
                  "{.spec.template.spec.containers[0].image} "
                  "{.spec.template.spec.containers[0].ports[0].containerPort}"));
  g_assert_cmpstr (deploy, ==, "2 web nginx:1.27 80");
  ok (f, v, ARGS ("create", "deployment", "none", "-n", "typed", "--image=busybox", "--replicas=0"),
      SAYS ("deployment.apps/none created"));
  g_autofree char *none =
    output (f, v,
            ARGS ("get", "deployment", "none", "-n", "typed", "-o", "jsonpath={.spec.replicas}"));
  g_assert_cmpstr (none, ==, "0");
  ok (f, v, ARGS ("create", "service", "clusterip", "front", "-n", "typed", "--tcp=80:8080"),
      SAYS ("service/front created"));
  g_autofree char *svc =
    output (f, v,
            ARGS ("get", "service", "front", "-n", "typed", "-o",
                  "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.type}"));
  g_assert_cmpstr (svc, ==, "80 8080 ClusterIP");
  ok (f, v,
      ARGS ("run", "solo", "-n", "typed", "--image=busybox", "--labels=team=x", "--", "sleep",
            "3600"),
      SAYS ("pod/solo created"));
  g_autofree char *pod =
    output (f, v,
            ARGS ("get", "pod", "solo", "-n", "typed", "-o",
                  "jsonpath={.metadata.labels.team} {.spec.containers[0].args}"));
  g_assert_cmpstr (pod, ==, "x [\"sleep\",\"3600\"]");
  ok (f, v, ARGS ("expose", "deployment", "web", "-n", "typed", "--port=8081", "--target-port=80"),
      SAYS ("service/web exposed"));
  g_autofree char *exposed = output (f, v,
                                     ARGS ("get", "service", "web", "-n", "typed", "-o",
                                           "jsonpath={.spec.selector.app} {.spec.ports[0].port}"));
  g_assert_cmpstr (exposed, ==, "web 8081");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  static const struct {
    const char *area;
    void (*func) (Fixture *, gconstpointer);
  } areas[] = {
    { "get", test_get },           { "apply", test_apply },
    { "edit", test_edit },         { "delete-wait", test_delete_wait },
    { "describe", test_describe }, { "watch", test_watch },
    { "misc", test_misc },         { "typed", test_typed },
  };
  for (const char *const *v = versions; *v != NULL; v++) {
    for (gsize i = 0; i < G_N_ELEMENTS (areas); i++) {
      g_autofree char *path = g_strdup_printf ("/kubectl/%s/%s", *v, areas[i].area);
      g_test_add (path, Fixture, *v, fixture_setup, areas[i].func, fixture_teardown);
    }
  }
  return g_test_run ();
}
