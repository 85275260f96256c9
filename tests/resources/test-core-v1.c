/* test-core-v1.c: the core/v1 resource types, loaded through the
 * registry as timond loads them: their descriptions, and each hook,
 * table-driven, with the causes Kubernetes gives.
 *
 * JSON in the tables is written with single quotes, turned into double
 * quotes before parsing, so that it reads as it would in a manifest.
 *
 * Validation cases run the default hook first, as the API server does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "resource-test-utils.h"
#include "test-utils.h"

/* Descriptions */

static const Description descriptions[] = {
  { "namespaces.v1", "v1", "Namespace", "namespaces", "namespace", TIMON_RESOURCE_CLUSTER, "ns",
    "status", "status.phase", "STATUS:string:.status.phase", TRUE, TRUE, FALSE },
  { "configmaps.v1", "v1", "ConfigMap", "configmaps", "configmap", TIMON_RESOURCE_NAMESPACED, "cm",
    "", "", "DATA:string:-", FALSE, FALSE, TRUE },
  { "secrets.v1", "v1", "Secret", "secrets", "secret", TIMON_RESOURCE_NAMESPACED, "", "", "type",
    "TYPE:string:.type,DATA:string:-", TRUE, TRUE, TRUE },
  { "serviceaccounts.v1", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount",
    TIMON_RESOURCE_NAMESPACED, "sa", "", "", "SECRETS:string:-", FALSE, FALSE, TRUE },
  { "events.v1", "v1", "Event", "events", "event", TIMON_RESOURCE_NAMESPACED, "ev", "",
    "involvedObject.kind,involvedObject.namespace,involvedObject.name,involvedObject.uid,"
    "involvedObject.apiVersion,involvedObject.resourceVersion,involvedObject.fieldPath,reason,"
    "reportingComponent,source,type",
    "LAST SEEN:string:.lastTimestamp@age,TYPE:string:.type,REASON:string:.reason,"
    "OBJECT:string:-,SUBOBJECT:string:.involvedObject.fieldPath:1,SOURCE:string:-:1,"
    "MESSAGE:string:.message,FIRST SEEN:string:.firstTimestamp:1@age,COUNT:integer:.count:1,"
    "NAME:string:.metadata.name:1@name",
    FALSE, TRUE, TRUE },
};

static const PluginDescription plugin = {
  "Kubernetes core/v1 resource types",
  "namespaces.v1,configmaps.v1,secrets.v1,serviceaccounts.v1,events.v1,pods.v1,nodes.v1,"
  "services.v1,endpoints.v1,resourcequotas.v1,limitranges.v1",
};

/* Defaults */

static const DefaultCase default_cases[] = {
  { "namespace/filled", "namespaces.v1", "{'metadata': {'name': 'team-a'}}",
    "{'metadata': {'name': 'team-a', 'labels': {'kubernetes.io/metadata.name': 'team-a'}},"
    " 'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}" },
  { "namespace/name-label-wins", "namespaces.v1",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'b', 'x': 'y'}}}",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'a', 'x': 'y'}},"
    " 'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}" },
  { "namespace/kept", "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': []}, 'status': {'phase': 'Terminating'}}",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'a'}},"
    " 'spec': {'finalizers': []}, 'status': {'phase': 'Terminating'}}" },
  { "namespace/null-and-empty", "namespaces.v1",
    "{'metadata': {'name': 'a', 'labels': null}, 'spec': {'finalizers': null},"
    " 'status': {'phase': ''}}",
    "{'metadata': {'name': 'a', 'labels': {'kubernetes.io/metadata.name': 'a'}},"
    " 'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}" },
  { "namespace/generate-name", "namespaces.v1", "{'metadata': {'generateName': 'a-'}}",
    "{'metadata': {'generateName': 'a-'}, 'spec': {'finalizers': ['kubernetes']},"
    " 'status': {'phase': 'Active'}}" },
  { "namespace/malformed-left", "namespaces.v1",
    "{'metadata': {'name': 'a', 'labels': []}, 'spec': [], 'status': 'x'}",
    "{'metadata': {'name': 'a', 'labels': []}, 'spec': [], 'status': 'x'}" },
  { "secret/type", "secrets.v1", "{}", "{'type': 'Opaque'}" },
  { "secret/empty-type", "secrets.v1", "{'type': ''}", "{'type': 'Opaque'}" },
  { "secret/type-kept", "secrets.v1", "{'type': 'kubernetes.io/tls'}",
    "{'type': 'kubernetes.io/tls'}" },
  { "secret/string-data", "secrets.v1",
    "{'type': 'Opaque', 'data': {'a': 'b2xk', 'b': 'eA=='}, 'stringData': {'a': 'hello', 'c': ''}}",
    "{'type': 'Opaque', 'data': {'a': 'aGVsbG8=', 'b': 'eA==', 'c': ''}}" },
  { "secret/string-data-only", "secrets.v1", "{'stringData': {'a': 'hello'}}",
    "{'type': 'Opaque', 'data': {'a': 'aGVsbG8='}}" },
  { "secret/string-data-null", "secrets.v1", "{'stringData': null}", "{'type': 'Opaque'}" },
  { "secret/string-data-malformed", "secrets.v1", "{'stringData': {'a': 'x', 'b': 1}}",
    "{'type': 'Opaque', 'stringData': {'a': 'x', 'b': 1}}" },
  { "secret/data-malformed", "secrets.v1", "{'data': [], 'stringData': {'a': 'x'}}",
    "{'type': 'Opaque', 'data': [], 'stringData': {'a': 'x'}}" },
  { "configmap/none", "configmaps.v1", "{'data': {'a': 'b'}}", "{'data': {'a': 'b'}}" },
};

/* Validation on create */

#define CONFIG_KEY "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
#define IMMUTABLE_SET "field is immutable when `immutable` is set"

static const CreateCase create_cases[] = {
  { "namespace/valid", "namespaces.v1", "{'metadata': {'name': 'team-a'}}", { { NULL } } },
  { "namespace/dots",
    "namespaces.v1",
    "{'metadata': {'name': 'team.a'}}",
    { { INVALID, "metadata.name", "must not contain dots" } } },
  /* Not a subdomain either: the core reports it, once. */
  { "namespace/not-subdomain", "namespaces.v1", "{'metadata': {'name': 'Team'}}", { { NULL } } },
  { "namespace/finalizers",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['kubernetes', 'orphan',"
    " 'foregroundDeletion', 'example.com/x', 'custom']}}",
    { { INVALID, "spec.finalizers",
        "name is neither a standard finalizer name nor is it fully qualified" } } },
  { "namespace/finalizer-malformed",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['a b', 42]}}",
    { { INVALID, "spec.finalizers", "must consist of alphanumeric characters" },
      { INVALID, "spec.finalizers", "name is neither a standard finalizer name" },
      { INVALID, "spec.finalizers[1]", "must be a string" } } },
  { "namespace/finalizers-object",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': {}}}",
    { { INVALID, "spec.finalizers", "must be a list" } } },
  { "namespace/terminating-not-deleted",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'status': {'phase': 'Terminating'}}",
    { { INVALID, "status.Phase", "may only be 'Active' if `deletionTimestamp` is empty" } } },
  { "namespace/active-deleted",
    "namespaces.v1",
    "{'metadata': {'name': 'a', 'deletionTimestamp': '2026-01-01T00:00:00Z'},"
    " 'status': {'phase': 'Active'}}",
    { { INVALID, "status.Phase",
        "may only be 'Terminating' if `deletionTimestamp` is not empty" } } },
  { "namespace/terminating-deleted",
    "namespaces.v1",
    "{'metadata': {'name': 'a', 'deletionTimestamp': '2026-01-01T00:00:00Z'},"
    " 'status': {'phase': 'Terminating'}}",
    { { NULL } } },
  { "namespace/phase-number",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'status': {'phase': 1}}",
    { { INVALID, "status.phase", "must be a string" } } },

  { "configmap/valid",
    "configmaps.v1",
    "{'data': {'a.b': 'x', 'KEY_1': 'y', '-x': ''}, 'binaryData': {'bin': 'aGVsbG8='},"
    " 'immutable': true}",
    { { NULL } } },
  { "configmap/empty", "configmaps.v1", "{'data': null, 'binaryData': {}}", { { NULL } } },
  { "configmap/key-slash",
    "configmaps.v1",
    "{'data': {'a/b': 'x'}}",
    { { INVALID, "data[a/b]", CONFIG_KEY } } },
  { "configmap/key-empty",
    "configmaps.v1",
    "{'data': {'': 'x'}}",
    { { INVALID, "data[]", "regex used for validation is '[-._a-zA-Z0-9]+'" } } },
  { "configmap/key-dot",
    "configmaps.v1",
    "{'binaryData': {'.': ''}}",
    { { INVALID, "binaryData[.]", "must not be '.'" } } },
  { "configmap/key-dot-dot",
    "configmaps.v1",
    "{'data': {'..': ''}}",
    { { INVALID, "data[..]", "must not be '..'" } } },
  { "configmap/key-dot-dot-prefix",
    "configmaps.v1",
    "{'data': {'..x': ''}}",
    { { INVALID, "data[..x]", "must not start with '..'" } } },
  { "configmap/duplicate",
    "configmaps.v1",
    "{'data': {'k': 'v'}, 'binaryData': {'k': 'dg=='}}",
    { { INVALID, "data[k]", "duplicate of key present in binaryData" } } },
  { "configmap/binary-not-base64",
    "configmaps.v1",
    "{'binaryData': {'a': 'abc', 'b': 'a$==',"
    " 'c': 'YQ==YQ=='}}",
    { { INVALID, "binaryData[a]", "must be base64-encoded" },
      { INVALID, "binaryData[b]", "must be base64-encoded" },
      { INVALID, "binaryData[c]", "must be base64-encoded" } } },
  { "configmap/binary-line-breaks",
    "configmaps.v1",
    "{'binaryData': {'a': 'aGVs\\nbG8='}}",
    { { NULL } } },
  { "configmap/value-types",
    "configmaps.v1",
    "{'data': {'a': 1, 'b': null},"
    " 'binaryData': {'c': []}}",
    { { INVALID, "data[a]", "must be a string" },
      { INVALID, "data[b]", "must be a string" },
      { INVALID, "binaryData[c]", "must be a string" } } },
  { "configmap/data-list",
    "configmaps.v1",
    "{'data': ['a'], 'binaryData': 'x'}",
    { { INVALID, "data", "must be an object" }, { INVALID, "binaryData", "must be an object" } } },
  { "configmap/immutable-string",
    "configmaps.v1",
    "{'immutable': 'yes'}",
    { { INVALID, "immutable", "must be a boolean" } } },

  { "secret/valid", "secrets.v1", "{'data': {'a': 'aGVsbG8=', 'b': ''}}", { { NULL } } },
  { "secret/string-data", "secrets.v1", "{'stringData': {'a.b': 'x'}}", { { NULL } } },
  { "secret/string-data-key",
    "secrets.v1",
    "{'stringData': {'a b': 'x'}}",
    { { INVALID, "data[a b]", CONFIG_KEY } } },
  { "secret/not-base64",
    "secrets.v1",
    "{'data': {'a': 'hello!'}}",
    { { INVALID, "data[a]", "must be base64-encoded" } } },
  { "secret/bad-key",
    "secrets.v1",
    "{'data': {'a b': 'eA=='}}",
    { { INVALID, "data[a b]", CONFIG_KEY } } },
  { "secret/string-data-malformed",
    "secrets.v1",
    "{'stringData': {'a': 1}}",
    { { INVALID, "stringData[a]", "must be a string" } } },
  { "secret/string-data-list",
    "secrets.v1",
    "{'stringData': ['a']}",
    { { INVALID, "stringData", "must be an object" } } },
  { "secret/type-number",
    "secrets.v1",
    "{'type': 5}",
    { { INVALID, "type", "must be a string" } } },
  { "secret/unknown-type", "secrets.v1", "{'type': 'example.com/mine'}", { { NULL } } },
  { "secret/sa-token-unnamed",
    "secrets.v1",
    "{'type': 'kubernetes.io/service-account-token'}",
    { { REQUIRED, "metadata.annotations[kubernetes.io/service-account.name]", "" } } },
  { "secret/sa-token-empty-name",
    "secrets.v1",
    "{'type': 'kubernetes.io/service-account-token',"
    " 'metadata': {'annotations': {'kubernetes.io/service-account.name': ''}}}",
    { { REQUIRED, "metadata.annotations[kubernetes.io/service-account.name]", "" } } },
  { "secret/sa-token",
    "secrets.v1",
    "{'type': 'kubernetes.io/service-account-token',"
    " 'metadata': {'annotations': {'kubernetes.io/service-account.name': 'default'}}}",
    { { NULL } } },
  { "secret/dockerconfigjson-missing",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson'}",
    { { REQUIRED, "data[.dockerconfigjson]", "" } } },
  { "secret/dockerconfigjson-not-json",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson', 'data': {'.dockerconfigjson': 'bm90IGpzb24='}}",
    { { INVALID, "data[.dockerconfigjson]", "" } } },
  { "secret/dockerconfigjson-list",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson', 'data': {'.dockerconfigjson': 'W10='}}",
    { { INVALID, "data[.dockerconfigjson]", "must be a JSON object" } } },
  { "secret/dockerconfigjson-not-base64",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson', 'data': {'.dockerconfigjson': '{}'}}",
    { { INVALID, "data[.dockerconfigjson]", "must be base64-encoded" } } },
  { "secret/dockerconfigjson",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockerconfigjson',"
    " 'data': {'.dockerconfigjson': 'eyJhdXRocyI6e319'}}",
    { { NULL } } },
  { "secret/dockercfg-missing",
    "secrets.v1",
    "{'type': 'kubernetes.io/dockercfg'}",
    { { REQUIRED, "data[.dockercfg]", "" } } },
  { "secret/basic-auth-empty",
    "secrets.v1",
    "{'type': 'kubernetes.io/basic-auth'}",
    { { REQUIRED, "data[username]", "" }, { REQUIRED, "data[password]", "" } } },
  { "secret/basic-auth-password",
    "secrets.v1",
    "{'type': 'kubernetes.io/basic-auth', 'data': {'password': ''}}",
    { { NULL } } },
  { "secret/ssh-auth-empty",
    "secrets.v1",
    "{'type': 'kubernetes.io/ssh-auth', 'data': {'ssh-privatekey': ''}}",
    { { REQUIRED, "data[ssh-privatekey]", "" } } },
  { "secret/tls-no-key",
    "secrets.v1",
    "{'type': 'kubernetes.io/tls', 'data': {'tls.crt': ''}}",
    { { REQUIRED, "data[tls.key]", "" } } },
  { "secret/immutable-number",
    "secrets.v1",
    "{'immutable': 1}",
    { { INVALID, "immutable", "must be a boolean" } } },

  { "serviceaccount/valid",
    "serviceaccounts.v1",
    "{'secrets': [{'name': 's'}], 'imagePullSecrets': [{'name': 'r'}],"
    " 'automountServiceAccountToken': false}",
    { { NULL } } },
  { "serviceaccount/secrets-object",
    "serviceaccounts.v1",
    "{'secrets': {}}",
    { { INVALID, "secrets", "must be a list" } } },
  { "serviceaccount/secret-items",
    "serviceaccounts.v1",
    "{'secrets': [1, {'name': 2}], 'imagePullSecrets': [null]}",
    { { INVALID, "secrets[0]", "must be an object" },
      { INVALID, "secrets[1].name", "must be a string" },
      { INVALID, "imagePullSecrets[0]", "must be an object" } } },
  { "serviceaccount/automount-string",
    "serviceaccounts.v1",
    "{'automountServiceAccountToken': 'no'}",
    { { INVALID, "automountServiceAccountToken", "must be a boolean" } } },

  { "event/valid",
    "events.v1",
    "{'metadata': {'name': 'e', 'namespace': 'a'}, 'involvedObject': {'kind': 'Pod',"
    " 'namespace': 'a', 'name': 'web'}, 'reason': 'Started', 'type': 'Normal', 'count': 2}",
    { { NULL } } },
  { "event/namespace-mismatch",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'b'}}",
    { { INVALID, "involvedObject.namespace", "does not match event.namespace" } } },
  { "event/cluster-object-default",
    "events.v1",
    "{'metadata': {'namespace': 'default'}, 'involvedObject': {'kind': 'Node'}}",
    { { NULL } } },
  { "event/cluster-object-elsewhere",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'kind': 'Node'}}",
    { { INVALID, "involvedObject.namespace", "does not match event.namespace" } } },
  { "event/new-style-incomplete",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'a'},"
    " 'eventTime': '2026-01-01T00:00:00.000000Z'}",
    { { REQUIRED, "reportingComponent", "" },
      { REQUIRED, "reportingInstance", "" },
      { REQUIRED, "action", "" },
      { REQUIRED, "reason", "" } } },
  { "event/new-style",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'a'},"
    " 'eventTime': '2026-01-01T00:00:00.000000Z', 'reportingComponent': 'example.com/ctl',"
    " 'reportingInstance': 'ctl-1', 'action': 'Bind', 'reason': 'Scheduled'}",
    { { NULL } } },
  { "event/new-style-bad-controller",
    "events.v1",
    "{'metadata': {'namespace': 'kube-system'}, 'eventTime': '2026-01-01T00:00:00.000000Z',"
    " 'reportingComponent': 'a b', 'reportingInstance': 'i', 'action': 'A', 'reason': 'R'}",
    { { INVALID, "reportingComponent", "must consist of alphanumeric characters" } } },
  { "event/types",
    "events.v1",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'a', 'kind': 1},"
    " 'reason': [], 'count': 'many', 'source': {'component': {}}}",
    { { INVALID, "involvedObject.kind", "must be a string" },
      { INVALID, "reason", "must be a string" },
      { INVALID, "count", "must be an integer" },
      { INVALID, "source.component", "must be a string" } } },
};

/* A ConfigMap or Secret over 1 MiB, counted in bytes of the values
 * (decoded for base64), is too long; one of exactly 1 MiB is not. */
static void
test_validate_size (void)
{
  const gsize mib = 1024 * 1024;
  g_autofree char *exact = g_strnfill (mib, 'x');
  g_autofree char *encoded = g_base64_encode ((const guchar *) exact, mib);
  const Cause none[] = { { NULL } };
  const Cause too_long[] = { { TOO_LONG, "data", "may not be more than 1048576 bytes" }, { NULL } };
  struct {
    const char *feature;
    const char *member;
    const char *value;
    const char *extra;
    const Cause *causes;
  } cases[] = {
    { "configmaps.v1", "data", exact, NULL, none },
    { "configmaps.v1", "data", exact, "aGVsbG8=", too_long }, /* + 5 bytes of binaryData */
    { "secrets.v1", "data", encoded, NULL, none },
    { "secrets.v1", "data", encoded, "eA==", too_long }, /* + 1 byte */
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonObject) object = json_object_new ();
    JsonObject *map = json_object_new ();

    json_object_set_string_member (map, "big", cases[i].value);
    json_object_set_object_member (object, cases[i].member, map);
    if (cases[i].extra != NULL && g_str_equal (cases[i].feature, "configmaps.v1")) {
      JsonObject *binary = json_object_new ();
      json_object_set_string_member (binary, "small", cases[i].extra);
      json_object_set_object_member (object, "binaryData", binary);
    } else if (cases[i].extra != NULL) {
      json_object_set_string_member (map, "small", cases[i].extra);
    }
    g_autoptr (TimonFieldErrors) errors = run_validate (lookup (cases[i].feature), object, NULL);
    assert_causes (errors, cases[i].causes);
  }
}

/* Config keys are limited to 253 characters, as subdomains. */
static void
test_validate_key_length (void)
{
  g_autofree char *ok = g_strnfill (253, 'k');
  g_autofree char *long_key = g_strnfill (254, 'k');
  g_autofree char *field = g_strdup_printf ("data[%s]", long_key);
  const Cause too_long[] = { { INVALID, field, "must be no more than 253 characters" }, { NULL } };
  const Cause none[] = { { NULL } };
  const char *const features[] = { "configmaps.v1", "secrets.v1" };

  for (size_t i = 0; i < G_N_ELEMENTS (features); i++) {
    g_autoptr (JsonObject) good = json_object_new ();
    g_autoptr (JsonObject) bad = json_object_new ();
    JsonObject *good_data = json_object_new ();
    JsonObject *bad_data = json_object_new ();

    json_object_set_string_member (good_data, ok, "");
    json_object_set_object_member (good, "data", good_data);
    json_object_set_string_member (bad_data, long_key, "");
    json_object_set_object_member (bad, "data", bad_data);
    g_autoptr (TimonFieldErrors) good_errors = run_validate (lookup (features[i]), good, NULL);
    g_autoptr (TimonFieldErrors) bad_errors = run_validate (lookup (features[i]), bad, NULL);
    assert_causes (good_errors, none);
    assert_causes (bad_errors, too_long);
  }
}

/* Events of the new style limit their strings. */
static void
test_validate_event_lengths (void)
{
  g_autofree char *long_reason = g_strnfill (129, 'r');
  g_autofree char *long_message = g_strnfill (1025, 'm');
  g_autoptr (JsonObject) event =
    parse ("{'metadata': {'namespace': 'default'}, 'eventTime': '2026-01-01T00:00:00.000000Z',"
           " 'reportingComponent': 'ctl', 'reportingInstance': 'i', 'action': 'A'}");
  const Cause causes[] = { { INVALID, "reason", "can have at most 128 characters" },
                           { INVALID, "message", "can have at most 1024 characters" },
                           { NULL } };

  json_object_set_string_member (event, "reason", long_reason);
  json_object_set_string_member (event, "message", long_message);
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup ("events.v1"), event, NULL);
  assert_causes (errors, causes);
}

/* Validation on update */

static const UpdateCase update_cases[] = {
  { "configmap/mutable",
    "configmaps.v1",
    "{'data': {'a': 'x'}}",
    "{'data': {'a': 'y'}, 'binaryData': {'b': ''}}",
    { { NULL } } },
  { "configmap/immutable-metadata",
    "configmaps.v1",
    "{'data': {'a': 'x'}, 'immutable': true}",
    "{'metadata': {'labels': {'l': 'v'}}, 'data': {'a': 'x'}, 'immutable': true}",
    { { NULL } } },
  { "configmap/immutable-data",
    "configmaps.v1",
    "{'data': {'a': 'x'}, 'immutable': true}",
    "{'data': {'a': 'y'}, 'immutable': true}",
    { { FORBIDDEN, "data", IMMUTABLE_SET } } },
  { "configmap/immutable-binary-data",
    "configmaps.v1",
    "{'binaryData': {'a': 'eA=='}, 'immutable': true}",
    "{'binaryData': {'a': 'eQ=='}, 'immutable': true}",
    { { FORBIDDEN, "binaryData", IMMUTABLE_SET } } },
  { "configmap/immutable-unset",
    "configmaps.v1",
    "{'data': {'a': 'x'}, 'immutable': true}",
    "{'data': {'a': 'x'}}",
    { { FORBIDDEN, "immutable", IMMUTABLE_SET } } },
  { "configmap/immutable-false",
    "configmaps.v1",
    "{'immutable': true}",
    "{'immutable': false}",
    { { FORBIDDEN, "immutable", IMMUTABLE_SET } } },
  { "configmap/immutable-empty-map",
    "configmaps.v1",
    "{'data': {}, 'immutable': true}",
    "{'data': null, 'immutable': true}",
    { { NULL } } },
  { "configmap/made-immutable",
    "configmaps.v1",
    "{'data': {'a': 'x'}}",
    "{'data': {'a': 'y'}, 'immutable': true}",
    { { NULL } } },
  { "configmap/new-still-checked",
    "configmaps.v1",
    "{}",
    "{'data': {'a/b': ''}}",
    { { INVALID, "data[a/b]", CONFIG_KEY } } },
  { "configmap/malformed-old",
    "configmaps.v1",
    "{'data': 7, 'immutable': 'yes'}",
    "{'data': {'a': 'x'}}",
    { { NULL } } },

  { "secret/type-kept",
    "secrets.v1",
    "{}",
    "{'type': 'Opaque', 'data': {'a': 'eA=='}}",
    { { NULL } } },
  { "secret/type-changed",
    "secrets.v1",
    "{'type': 'Opaque'}",
    "{'type': 'kubernetes.io/tls', 'data': {'tls.crt': '', 'tls.key': ''}}",
    { { INVALID, "type", "field is immutable" } } },
  { "secret/immutable-data",
    "secrets.v1",
    "{'data': {'a': 'eA=='}, 'immutable': true}",
    "{'stringData': {'a': 'y'}, 'immutable': true}",
    { { FORBIDDEN, "data", IMMUTABLE_SET } } },
  { "secret/immutable-same",
    "secrets.v1",
    "{'data': {'a': 'eA=='}, 'immutable': true}",
    "{'stringData': {'a': 'x'}, 'immutable': true}",
    { { NULL } } },
  { "secret/immutable-unset",
    "secrets.v1",
    "{'immutable': true}",
    "{}",
    { { FORBIDDEN, "immutable", IMMUTABLE_SET } } },

  { "namespace/finalized",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['kubernetes']}}",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': []}}",
    { { NULL } } },
  { "namespace/still-checked",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}}",
    "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['custom']}}",
    { { INVALID, "spec.finalizers", "name is neither a standard finalizer name" } } },
  { "namespace/terminating",
    "namespaces.v1",
    "{'metadata': {'name': 'a'}}",
    "{'metadata': {'name': 'a', 'deletionTimestamp': '2026-01-01T00:00:00Z'},"
    " 'status': {'phase': 'Terminating'}}",
    { { NULL } } },

  { "serviceaccount/secrets",
    "serviceaccounts.v1",
    "{}",
    "{'secrets': [{'name': 'a'}, 3]}",
    { { INVALID, "secrets[1]", "must be an object" } } },
  { "event/namespace",
    "events.v1",
    "{'metadata': {'namespace': 'a'}}",
    "{'metadata': {'namespace': 'a'}, 'involvedObject': {'namespace': 'b'}}",
    { { INVALID, "involvedObject.namespace", "does not match event.namespace" } } },
};

/* Field selectors and printed columns */

static const ValueCase field_cases[] = {
  { "namespace/phase", "namespaces.v1", "{'status': {'phase': 'Terminating'}}", "status.phase",
    "Terminating" },
  { "namespace/phase-missing", "namespaces.v1", "{'status': {}}", "status.phase", NULL },
  { "namespace/phase-number", "namespaces.v1", "{'status': {'phase': 3}}", "status.phase", NULL },
  { "namespace/status-list", "namespaces.v1", "{'status': []}", "status.phase", NULL },
  { "namespace/unknown", "namespaces.v1", "{'spec': {'x': 'y'}}", "spec.x", NULL },
  { "secret/type", "secrets.v1", "{'type': 'kubernetes.io/tls'}", "type", "kubernetes.io/tls" },
  { "secret/type-list", "secrets.v1", "{'type': ['a']}", "type", NULL },
  { "event/kind", "events.v1", "{'involvedObject': {'kind': 'Pod'}}", "involvedObject.kind",
    "Pod" },
  { "event/field-path", "events.v1", "{'involvedObject': {'fieldPath': 'spec.containers{a}'}}",
    "involvedObject.fieldPath", "spec.containers{a}" },
  { "event/uid-missing", "events.v1", "{'involvedObject': null}", "involvedObject.uid", NULL },
  { "event/source", "events.v1", "{'source': {'component': 'kubelet', 'host': 'n1'}}", "source",
    "kubelet" },
  { "event/reason", "events.v1", "{'reason': 'Started'}", "reason", "Started" },
  { "event/type", "events.v1", "{'type': 'Warning'}", "type", "Warning" },
  { "event/reporting", "events.v1", "{'reportingComponent': 'ctl'}", "reportingComponent", "ctl" },
  { "event/unknown", "events.v1", "{'message': 'm'}", "message", NULL },
};

static const ValueCase column_cases[] = {
  { "configmap/data", "configmaps.v1", "{'data': {'a': '', 'b': ''}, 'binaryData': {'c': ''}}",
    "DATA", "3" },
  { "configmap/none", "configmaps.v1", "{}", "DATA", "0" },
  { "configmap/malformed", "configmaps.v1", "{'data': ['a', 'b'], 'binaryData': {'c': ''}}", "DATA",
    "1" },
  { "configmap/unknown", "configmaps.v1", "{}", "KEYS", NULL },
  { "secret/data", "secrets.v1", "{'data': {'a': '', 'b': ''}}", "DATA", "2" },
  { "secret/malformed", "secrets.v1", "{'data': 'x'}", "DATA", "0" },
  { "serviceaccount/secrets", "serviceaccounts.v1", "{'secrets': [{'name': 'a'}, {}]}", "SECRETS",
    "2" },
  { "serviceaccount/malformed", "serviceaccounts.v1", "{'secrets': {'name': 'a'}}", "SECRETS",
    "0" },
  { "event/object", "events.v1", "{'involvedObject': {'kind': 'ReplicaSet', 'name': 'web'}}",
    "OBJECT", "replicaset/web" },
  { "event/object-missing", "events.v1", "{'involvedObject': 5}", "OBJECT", "/" },
};

static const Member members[] = {
  { "namespaces.v1", "metadata", NULL },
  { "namespaces.v1", "metadata.name", NULL },
  { "namespaces.v1", "metadata.labels", NULL },
  { "namespaces.v1", "metadata.deletionTimestamp", NULL },
  { "namespaces.v1", "spec", "object" },
  { "namespaces.v1", "spec.finalizers", "array" },
  { "namespaces.v1", "status", "object" },
  { "namespaces.v1", "status.phase", "string" },
  { "configmaps.v1", "data", "object" },
  { "configmaps.v1", "binaryData", "object" },
  { "configmaps.v1", "immutable", "boolean" },
  { "secrets.v1", "metadata", NULL },
  { "secrets.v1", "metadata.annotations", NULL },
  { "secrets.v1", "data", "object" },
  { "secrets.v1", "stringData", "object" },
  { "secrets.v1", "type", "string" },
  { "secrets.v1", "immutable", "boolean" },
  { "serviceaccounts.v1", "secrets", "array" },
  { "serviceaccounts.v1", "imagePullSecrets", "array" },
  { "serviceaccounts.v1", "automountServiceAccountToken", "boolean" },
  { "events.v1", "metadata", NULL },
  { "events.v1", "metadata.namespace", NULL },
  { "events.v1", "involvedObject", "object" },
  { "events.v1", "involvedObject.namespace", "string" },
  { "events.v1", "involvedObject.kind", "string" },
  { "events.v1", "involvedObject.name", "string" },
  { "events.v1", "source", "object" },
  { "events.v1", "source.component", "string" },
  { "events.v1", "eventTime", "string" },
  { "events.v1", "reason", "string" },
  { "events.v1", "message", "string" },
  { "events.v1", "reportingComponent", "string" },
  { "events.v1", "count", "integer" },
};

/* A valid object of each type, for the shapes to be put into. */
const char *
valid_object (const char *feature)
{
  if (g_str_equal (feature, "namespaces.v1"))
    return "{'metadata': {'name': 'a'}, 'spec': {'finalizers': ['kubernetes']},"
           " 'status': {'phase': 'Active'}}";
  if (g_str_equal (feature, "configmaps.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'data': {'a': 'x'},"
           " 'binaryData': {'b': 'eA=='}, 'immutable': true}";
  if (g_str_equal (feature, "secrets.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n', 'annotations':"
           " {'kubernetes.io/service-account.name': 'sa'}}, 'type':"
           " 'kubernetes.io/service-account-token', 'data': {'a': 'eA=='}, 'immutable': true}";
  if (g_str_equal (feature, "serviceaccounts.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'secrets': [{'name': 's'}],"
           " 'imagePullSecrets': [{'name': 'r'}], 'automountServiceAccountToken': true}";
  return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'involvedObject': {'kind': 'Pod',"
         " 'namespace': 'n', 'name': 'p'}, 'source': {'component': 'c'}, 'reason': 'R',"
         " 'message': 'M', 'count': 1}";
}

/* timonctl */

static void
test_timonctl_table (void)
{
  g_auto (TestRun) run = { 0 };
  const char *const argv[] = { TIMONCTL, "plugins", "--plugin-dir", CORE_V1_PLUGIN_DIR, NULL };

  test_run (&run, NULL, argv);
  g_assert_cmpint (run.status, ==, 0);
  g_auto (GStrv) lines = g_strsplit (run.out, "\n", -1);
  const char *row = NULL;
  for (char **l = lines; *l != NULL; l++) {
    if (g_str_has_prefix (*l, "core-v1 "))
      row = *l;
  }
  g_assert_nonnull (row);
  assert_contains (row, "0.1.0");
  assert_contains (row, "LGPL-2.1-or-later");
  assert_contains (row, "resource-type:namespaces.v1,resource-type:configmaps.v1,");
  assert_contains (row, "libtimon-resources-core-v1.so");
}

static const char *const timonctl_describe[] = {
  "Kubernetes core/v1 resource types",
  "11 features:",
  "namespaces.v1",
  "Namespace v1",
  "configmaps.v1",
  "ConfigMap v1",
  "secrets.v1",
  "Secret v1",
  "serviceaccounts.v1",
  "ServiceAccount v1",
  "events.v1",
  "Event v1",
  "pods.v1",
  "Pod v1",
  "nodes.v1",
  "Node v1",
  "services.v1",
  "Service v1",
  "endpoints.v1",
  "Endpoints v1",
  "resourcequotas.v1",
  "ResourceQuota v1",
  "limitranges.v1",
  "LimitRange v1",
  NULL,
};

int
main (int argc, char **argv)
{
  resource_test_init (&argc, &argv, "core-v1", CORE_V1_PLUGIN_DIR);

  g_test_add_data_func ("/resources/core-v1/plugin", &plugin, test_plugin);
  add_for_types ("describe", descriptions, G_N_ELEMENTS (descriptions), test_describe);
  add_cases ("default", default_cases, test_default);
  add_cases ("validate-create", create_cases, test_validate_create);
  add_cases ("validate-update", update_cases, test_validate_update);
  add_cases ("get-field", field_cases, test_get_field);
  add_cases ("print-column", column_cases, test_print_column);
  g_test_add_func ("/resources/core-v1/validate-create/size", test_validate_size);
  g_test_add_func ("/resources/core-v1/validate-create/key-length", test_validate_key_length);
  g_test_add_func ("/resources/core-v1/events/validate-create/lengths",
                   test_validate_event_lengths);
  add_members (members, G_N_ELEMENTS (members));
  add_for_types ("robustness/empty", descriptions, G_N_ELEMENTS (descriptions),
                 test_robustness_empty);
  g_test_add_data_func ("/resources/core-v1/timonctl/list", &plugin, test_timonctl_list);
  g_test_add_func ("/resources/core-v1/timonctl/table", test_timonctl_table);
  g_test_add_data_func ("/resources/core-v1/timonctl/describe", timonctl_describe,
                        test_timonctl_describe);

  return resource_test_run ();
}
