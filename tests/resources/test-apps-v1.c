/* test-apps-v1.c: the apps/v1 resource types, loaded through the
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

#define WIDE_COLUMNS "CONTAINERS:string:-:1,IMAGES:string:-:1"

/* Workloads, all of them: what `kubectl get all` lists. */
static const Description descriptions[] = {
  { "deployments.v1.apps", "apps/v1", "Deployment", "deployments", "deployment",
    TIMON_RESOURCE_NAMESPACED, "deploy", "status,scale", "",
    "READY:string:-,UP-TO-DATE:integer:.status.updatedReplicas,"
    "AVAILABLE:integer:.status.availableReplicas," WIDE_COLUMNS ",SELECTOR:string:-:1",
    TRUE, FALSE, TRUE, "all" },
  { "replicasets.v1.apps", "apps/v1", "ReplicaSet", "replicasets", "replicaset",
    TIMON_RESOURCE_NAMESPACED, "rs", "status,scale", "status.replicas",
    "DESIRED:integer:.spec.replicas,CURRENT:integer:.status.replicas,"
    "READY:integer:.status.readyReplicas," WIDE_COLUMNS ",SELECTOR:string:-:1",
    TRUE, TRUE, TRUE, "all" },
  { "daemonsets.v1.apps", "apps/v1", "DaemonSet", "daemonsets", "daemonset",
    TIMON_RESOURCE_NAMESPACED, "ds", "status", "",
    "DESIRED:integer:.status.desiredNumberScheduled,"
    "CURRENT:integer:.status.currentNumberScheduled,READY:integer:.status.numberReady,"
    "UP-TO-DATE:integer:.status.updatedNumberScheduled,"
    "AVAILABLE:integer:.status.numberAvailable,NODE SELECTOR:string:-," WIDE_COLUMNS
    ",SELECTOR:string:-:1",
    TRUE, FALSE, TRUE, "all" },
  { "statefulsets.v1.apps", "apps/v1", "StatefulSet", "statefulsets", "statefulset",
    TIMON_RESOURCE_NAMESPACED, "sts", "status,scale", "", "READY:string:-," WIDE_COLUMNS, TRUE,
    FALSE, TRUE, "all" },
};

static const PluginDescription plugin = {
  "Kubernetes apps/v1 resource types",
  "deployments.v1.apps,replicasets.v1.apps,daemonsets.v1.apps,statefulsets.v1.apps",
};

/* Defaults */

/* What every pod template gets. */
#define POD_DEFAULTS                                        \
  "'restartPolicy': 'Always', 'dnsPolicy': 'ClusterFirst'," \
  " 'terminationGracePeriodSeconds': 30, 'schedulerName': 'default-scheduler'"
#define TEMPLATE_DEFAULTS "'template': {'spec': {" POD_DEFAULTS "}}"

static const DefaultCase default_cases[] = {
  { "deployment/filled", "deployments.v1.apps", "{}",
    "{'spec': {'replicas': 1, 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '25%', 'maxSurge': '25%'}}, 'revisionHistoryLimit': 10,"
    " 'progressDeadlineSeconds': 600, " TEMPLATE_DEFAULTS "}}" },
  { "deployment/kept", "deployments.v1.apps",
    "{'spec': {'replicas': 0, 'strategy': {'rollingUpdate': {'maxSurge': 0}},"
    " 'revisionHistoryLimit': 0, 'progressDeadlineSeconds': 30, 'template': {'metadata':"
    " {'labels': {'a': 'b'}}, 'spec': {'restartPolicy': 'Never', 'dnsPolicy': 'Default',"
    " 'terminationGracePeriodSeconds': 0, 'schedulerName': 'mine', 'containers': []}}}}",
    "{'spec': {'replicas': 0, 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '25%', 'maxSurge': 0}}, 'revisionHistoryLimit': 0,"
    " 'progressDeadlineSeconds': 30, 'template': {'metadata': {'labels': {'a': 'b'}}, 'spec':"
    " {'restartPolicy': 'Never', 'dnsPolicy': 'Default', 'terminationGracePeriodSeconds': 0,"
    " 'schedulerName': 'mine', 'containers': []}}}}" },
  { "deployment/recreate", "deployments.v1.apps",
    "{'spec': {'strategy': {'type': 'Recreate'}, 'template': null}}",
    "{'spec': {'replicas': 1, 'strategy': {'type': 'Recreate'}, 'revisionHistoryLimit': 10,"
    " 'progressDeadlineSeconds': 600, " TEMPLATE_DEFAULTS "}}" },
  { "deployment/nulls", "deployments.v1.apps",
    "{'spec': {'replicas': null, 'strategy': null, 'template': {'spec': {'restartPolicy': ''}}}}",
    "{'spec': {'replicas': 1, 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '25%', 'maxSurge': '25%'}}, 'revisionHistoryLimit': 10,"
    " 'progressDeadlineSeconds': 600, " TEMPLATE_DEFAULTS "}}" },
  { "deployment/malformed-left", "deployments.v1.apps",
    "{'spec': {'strategy': [], 'template': {'spec': 'x'}, 'replicas': 'two'}}",
    "{'spec': {'strategy': [], 'template': {'spec': 'x'}, 'replicas': 'two',"
    " 'revisionHistoryLimit': 10, 'progressDeadlineSeconds': 600}}" },
  { "deployment/spec-list", "deployments.v1.apps", "{'spec': []}", "{'spec': []}" },
  { "replicaset/filled", "replicasets.v1.apps", "{}",
    "{'spec': {'replicas': 1, " TEMPLATE_DEFAULTS "}}" },
  { "replicaset/kept", "replicasets.v1.apps", "{'spec': {'replicas': 5}}",
    "{'spec': {'replicas': 5, " TEMPLATE_DEFAULTS "}}" },
  { "daemonset/filled", "daemonsets.v1.apps", "{}",
    "{'spec': {'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': 1, 'maxSurge': 0}}, 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
  { "daemonset/on-delete", "daemonsets.v1.apps",
    "{'spec': {'updateStrategy': {'type': 'OnDelete'}}}",
    "{'spec': {'updateStrategy': {'type': 'OnDelete'}, 'revisionHistoryLimit': "
    "10, " TEMPLATE_DEFAULTS "}}" },
  { "daemonset/percent-kept", "daemonsets.v1.apps",
    "{'spec': {'updateStrategy': {'rollingUpdate': {'maxUnavailable': '10%'}}}}",
    "{'spec': {'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate':"
    " {'maxUnavailable': '10%', 'maxSurge': 0}}, 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS
    "}}" },
  { "statefulset/filled", "statefulsets.v1.apps", "{}",
    "{'spec': {'podManagementPolicy': 'OrderedReady', 'updateStrategy': {'type':"
    " 'RollingUpdate', 'rollingUpdate': {'partition': 0}}, 'replicas': 1,"
    " 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
  { "statefulset/kept", "statefulsets.v1.apps",
    "{'spec': {'podManagementPolicy': 'Parallel', 'updateStrategy': {'type': 'OnDelete'},"
    " 'replicas': 3, 'serviceName': ''}}",
    "{'spec': {'podManagementPolicy': 'Parallel', 'updateStrategy': {'type': 'OnDelete'},"
    " 'replicas': 3, 'serviceName': '', 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
  { "statefulset/partition-kept", "statefulsets.v1.apps",
    "{'spec': {'updateStrategy': {'rollingUpdate': {'partition': 2}}}}",
    "{'spec': {'podManagementPolicy': 'OrderedReady', 'updateStrategy': {'type':"
    " 'RollingUpdate', 'rollingUpdate': {'partition': 2}}, 'replicas': 1,"
    " 'revisionHistoryLimit': 10, " TEMPLATE_DEFAULTS "}}" },
};

/* Validation on create */

#define MISMATCH "`selector` does not match template `labels`"
#define NONNEGATIVE "must be greater than or equal to 0"
#define PERCENT "a valid percent string must be a numeric string followed by an ending '%'"
#define IMMUTABLE "field is immutable"

/* A workload's selector, and a pod template it selects. */
#define SELECTOR "'selector': {'matchLabels': {'app': 'web'}}"
#define CONTAINERS "'containers': [{'name': 'web', 'image': 'nginx'}]"
#define TEMPLATE "'template': {'metadata': {'labels': {'app': 'web'}}, 'spec': {" CONTAINERS "}}"
#define WORKLOAD(extra) "{'spec': {" SELECTOR ", " TEMPLATE extra "}}"
#define WITH_SELECTOR(selector) "{'spec': {'selector': " selector ", " TEMPLATE "}}"
#define WITH_POD(pod)                                                                              \
  "{'spec': {" SELECTOR ", 'template': {'metadata': {'labels': {'app': 'web'}}, 'spec': " pod "}}" \
  "}"
#define ROLLING(unavailable, surge)                                           \
  WORKLOAD (", 'strategy': {'rollingUpdate': {'maxUnavailable': " unavailable \
            ", 'maxSurge': " surge "}}")
#define DS_ROLLING(unavailable, surge)                                              \
  WORKLOAD (", 'updateStrategy': {'rollingUpdate': {'maxUnavailable': " unavailable \
            ", 'maxSurge': " surge "}}")
#define EXPRESSION "spec.selector.matchExpressions"

static const CreateCase create_cases[] = {
  { "deployment/valid", "deployments.v1.apps", WORKLOAD (""), { { NULL } } },
  { "deployment/full",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 0, 'minReadySeconds': 5, 'paused': true, 'strategy': {'type':"
              " 'Recreate'}, 'revisionHistoryLimit': 0, 'progressDeadlineSeconds': 6"),
    { { NULL } } },
  { "deployment/selector-missing",
    "deployments.v1.apps",
    "{'spec': {" TEMPLATE "}}",
    { { REQUIRED, "spec.selector", "" } } },
  { "deployment/selector-empty",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {}, 'matchExpressions': []}"),
    { { INVALID, "spec.selector", "empty selector is invalid for deployment" } } },
  { "deployment/selector-list",
    "deployments.v1.apps",
    WITH_SELECTOR ("['app']"),
    { { INVALID, "spec.selector", "must be an object" } } },
  { "deployment/selector-mismatch",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'db'}}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/selector-expressions",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'In', 'values': ['api',"
                   " 'web']}, {'key': 'tier', 'operator': 'DoesNotExist'}, {'key': 'app',"
                   " 'operator': 'Exists', 'values': null}, {'key': 'example.com/x', 'operator':"
                   " 'NotIn', 'values': ['y']}]}"),
    { { NULL } } },
  { "deployment/selector-not-in",
    "deployments.v1.apps",
    WITH_SELECTOR (
      "{'matchExpressions': [{'key': 'app', 'operator': 'NotIn', 'values': ['web']}]}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/selector-exists",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'tier', 'operator': 'Exists'}]}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/selector-does-not-exist",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web'}, 'matchExpressions': [{'key': 'app',"
                   " 'operator': 'DoesNotExist'}]}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "deployment/in-without-values",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'In', 'values': []}]}"),
    { { REQUIRED, EXPRESSION "[0].values",
        "must be specified when `operator` is 'In' or 'NotIn'" } } },
  { "deployment/exists-with-values",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'Exists', 'values': ['a']}]}"),
    { { FORBIDDEN, EXPRESSION "[0].values",
        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'" } } },
  { "deployment/bad-operator",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 'in', 'values': ['web']}]}"),
    { { INVALID, EXPRESSION "[0].operator", "not a valid selector operator" } } },
  { "deployment/bad-key-and-value",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'a b', 'operator': 'In', 'values': ['-x']}]}"),
    { { INVALID, EXPRESSION "[0].key", "must consist of alphanumeric characters" },
      { INVALID, EXPRESSION "[0].values[0]", "a valid label must be an empty string" } } },
  { "deployment/expression-shapes",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [5, {'key': 1, 'operator': 'In', 'values': 'x'},"
                   " {'key': 'a', 'values': [2]}]}"),
    { { INVALID, EXPRESSION "[0]", "must be an object" },
      { INVALID, EXPRESSION "[1].key", "must be a string" },
      { INVALID, EXPRESSION "[1].values", "must be a list" },
      { REQUIRED, EXPRESSION "[1].values", "must be specified" },
      { INVALID, EXPRESSION "[2].operator", "not a valid selector operator" },
      { INVALID, EXPRESSION "[2].values[0]", "must be a string" } } },
  { "deployment/expression-no-key",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'operator': 'Exists'}]}"),
    { { INVALID, EXPRESSION "[0].key", "name part must be non-empty" },
      { INVALID, EXPRESSION "[0].key", "name part must consist of alphanumeric characters" } } },
  { "deployment/operator-number",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchExpressions': [{'key': 'app', 'operator': 1}]}"),
    { { INVALID, EXPRESSION "[0].operator", "must be a string" } } },
  { "deployment/selector-members-malformed",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': ['app'], 'matchExpressions': {}}"),
    { { INVALID, "spec.selector.matchLabels", "must be an object" },
      { INVALID, "spec.selector.matchExpressions", "must be a list" } } },
  { "deployment/match-labels-bad",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web', 'x': 1}}"),
    { { INVALID, "spec.selector.matchLabels[x]", "must be a string" } } },
  { "deployment/replicas-negative",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': -1"),
    { { INVALID, "spec.replicas", NONNEGATIVE } } },
  { "deployment/replicas-fraction",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 1.5"),
    { { INVALID, "spec.replicas", "must be an integer" } } },
  { "deployment/replicas-too-big",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 2147483648"),
    { { INVALID, "spec.replicas", "must be a 32-bit integer" } } },
  { "deployment/strategy-unknown",
    "deployments.v1.apps",
    WORKLOAD (", 'strategy': {'type': 'BlueGreen'}"),
    { { NOT_SUPPORTED, "spec.strategy.type",
        "supported values: \"Recreate\", \"RollingUpdate\"" } } },
  { "deployment/recreate-rolling",
    "deployments.v1.apps",
    WORKLOAD (", 'strategy': {'type': 'Recreate', 'rollingUpdate': {}}"),
    { { FORBIDDEN, "spec.strategy.rollingUpdate",
        "may not be specified when strategy `type` is 'Recreate'" } } },
  { "deployment/rolling-ints", "deployments.v1.apps", ROLLING ("0", "1"), { { NULL } } },
  { "deployment/rolling-percents",
    "deployments.v1.apps",
    ROLLING ("'100%'", "'200%'"),
    { { NULL } } },
  { "deployment/both-zero",
    "deployments.v1.apps",
    ROLLING ("0", "0"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "may not be 0 when `maxSurge` is 0" } } },
  { "deployment/both-zero-percent",
    "deployments.v1.apps",
    ROLLING ("'0%'", "0"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "may not be 0 when `maxSurge` is 0" } } },
  { "deployment/not-percent",
    "deployments.v1.apps",
    ROLLING ("'25'", "'%'"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable", PERCENT },
      { INVALID, "spec.strategy.rollingUpdate.maxSurge",
        "regex used for validation is '[0-9]+%'" } } },
  { "deployment/over-100",
    "deployments.v1.apps",
    ROLLING ("'101%'", "1"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "must not be greater than 100%" } } },
  { "deployment/negative-surge",
    "deployments.v1.apps",
    ROLLING ("1", "-1"),
    { { INVALID, "spec.strategy.rollingUpdate.maxSurge", NONNEGATIVE } } },
  { "deployment/int-or-string-types",
    "deployments.v1.apps",
    ROLLING ("true", "2.5"),
    { { INVALID, "spec.strategy.rollingUpdate.maxUnavailable",
        "must be an integer or a percent string" },
      { INVALID, "spec.strategy.rollingUpdate.maxSurge",
        "must be an integer or a percent string" } } },
  { "deployment/progress-deadline",
    "deployments.v1.apps",
    WORKLOAD (", 'minReadySeconds': 600"),
    { { INVALID, "spec.progressDeadlineSeconds", "must be greater than minReadySeconds" } } },
  { "deployment/negatives",
    "deployments.v1.apps",
    WORKLOAD (", 'minReadySeconds': -1, 'revisionHistoryLimit': -1, 'progressDeadlineSeconds': -5"),
    { { INVALID, "spec.minReadySeconds", NONNEGATIVE },
      { INVALID, "spec.revisionHistoryLimit", NONNEGATIVE },
      { INVALID, "spec.progressDeadlineSeconds", NONNEGATIVE },
      { INVALID, "spec.progressDeadlineSeconds", "must be greater than minReadySeconds" } } },
  { "deployment/paused-string",
    "deployments.v1.apps",
    WORKLOAD (", 'paused': 'yes'"),
    { { INVALID, "spec.paused", "must be a boolean" } } },
  { "deployment/no-template",
    "deployments.v1.apps",
    "{'spec': {" SELECTOR "}}",
    { { INVALID, "spec.template.metadata.labels", MISMATCH },
      { REQUIRED, "spec.template.spec.containers", "" } } },
  { "deployment/no-containers",
    "deployments.v1.apps",
    WITH_POD ("{'containers': []}"),
    { { REQUIRED, "spec.template.spec.containers", "" } } },
  { "deployment/containers",
    "deployments.v1.apps",
    WITH_POD ("{'containers': [{'name': 'Web_1', 'image': ''}, {'name': 'a'}, {'name': 'a',"
              " 'image': 'x'}, 7, {'image': 'y'}]}"),
    { { INVALID, "spec.template.spec.containers[0].name", "RFC 1123 label" },
      { REQUIRED, "spec.template.spec.containers[0].image", "" },
      { REQUIRED, "spec.template.spec.containers[1].image", "" },
      { DUPLICATE, "spec.template.spec.containers[2].name", "must be unique" },
      { INVALID, "spec.template.spec.containers[3]", "must be an object" },
      { REQUIRED, "spec.template.spec.containers[4].name", "" } } },
  { "deployment/container-types",
    "deployments.v1.apps",
    WITH_POD ("{'containers': [{'name': 1, 'image': []}]}"),
    { { INVALID, "spec.template.spec.containers[0].name", "must be a string" },
      { INVALID, "spec.template.spec.containers[0].image", "must be a string" } } },
  { "deployment/restart-never",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'restartPolicy': 'Never'}"),
    { { NOT_SUPPORTED, "spec.template.spec.restartPolicy", "supported values: \"Always\"" } } },
  { "deployment/pod-fields",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'dnsPolicy': 'Google', 'schedulerName': 3,"
              " 'terminationGracePeriodSeconds': -1, 'nodeSelector': {'disk': 1}}"),
    { { NOT_SUPPORTED, "spec.template.spec.dnsPolicy", "supported values" },
      { INVALID, "spec.template.spec.schedulerName", "must be a string" },
      { INVALID, "spec.template.spec.nodeSelector[disk]", "must be a string" },
      { INVALID, "spec.template.spec.terminationGracePeriodSeconds", NONNEGATIVE } } },
  { "deployment/active-deadline",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds",
        "activeDeadlineSeconds in ReplicaSet is not Supported" } } },
  { "deployment/active-deadline-null",
    "deployments.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': null}"),
    { { NULL } } },
  { "deployment/template-metadata",
    "deployments.v1.apps",
    "{'spec': {" SELECTOR ", 'template': {'metadata': {'labels': {'app': 'web', 'a b': 'c'},"
    " 'annotations': {'x': 1}}, 'spec': {" CONTAINERS "}}}}",
    { { INVALID, "spec.template.metadata.labels", "must consist of alphanumeric characters" },
      { INVALID, "spec.template.metadata.annotations[x]", "must be a string" } } },
  { "deployment/status",
    "deployments.v1.apps",
    WORKLOAD ("}, 'status': {'replicas': 2, 'readyReplicas': -1, 'observedGeneration': 'x'"),
    { { INVALID, "status.readyReplicas", NONNEGATIVE },
      { INVALID, "status.observedGeneration", "must be an integer" } } },

  { "replicaset/valid", "replicasets.v1.apps", WORKLOAD (", 'replicas': 3"), { { NULL } } },
  { "replicaset/empty-selector",
    "replicasets.v1.apps",
    WITH_SELECTOR ("{}"),
    { { INVALID, "spec.selector", "empty selector is invalid for deployment" } } },
  { "replicaset/negatives",
    "replicasets.v1.apps",
    WORKLOAD (", 'replicas': -1, 'minReadySeconds': -2"),
    { { INVALID, "spec.replicas", NONNEGATIVE },
      { INVALID, "spec.minReadySeconds", NONNEGATIVE } } },
  { "replicaset/mismatch",
    "replicasets.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web', 'tier': 'x'}}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },
  { "replicaset/restart-on-failure",
    "replicasets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'restartPolicy': 'OnFailure'}"),
    { { NOT_SUPPORTED, "spec.template.spec.restartPolicy", "supported values: \"Always\"" } } },

  { "daemonset/valid", "daemonsets.v1.apps", WORKLOAD (""), { { NULL } } },
  { "daemonset/empty-selector",
    "daemonsets.v1.apps",
    WITH_SELECTOR ("{'matchLabels': null}"),
    { { INVALID, "spec.selector", "empty selector is invalid for daemonset" } } },
  { "daemonset/surge", "daemonsets.v1.apps", DS_ROLLING ("0", "'10%'"), { { NULL } } },
  { "daemonset/both-set",
    "daemonsets.v1.apps",
    DS_ROLLING ("1", "1"),
    { { INVALID, "spec.updateStrategy.rollingUpdate.maxSurge",
        "may not be set when maxUnavailable is non-zero" } } },
  { "daemonset/both-zero",
    "daemonsets.v1.apps",
    DS_ROLLING ("'0%'", "0"),
    { { REQUIRED, "spec.updateStrategy.rollingUpdate.maxUnavailable",
        "cannot be 0 when maxSurge is 0" } } },
  { "daemonset/surge-over-100",
    "daemonsets.v1.apps",
    DS_ROLLING ("0", "'101%'"),
    { { INVALID, "spec.updateStrategy.rollingUpdate.maxSurge",
        "must not be greater than 100%" } } },
  { "daemonset/on-delete",
    "daemonsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'OnDelete'}"),
    { { NULL } } },
  { "daemonset/strategy-unknown",
    "daemonsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'Surge'}"),
    { { NOT_SUPPORTED, "spec.updateStrategy.type",
        "supported values: \"OnDelete\", \"RollingUpdate\"" } } },
  { "daemonset/negatives",
    "daemonsets.v1.apps",
    WORKLOAD (", 'minReadySeconds': -1, 'templateGeneration': -1, 'revisionHistoryLimit': -1"),
    { { INVALID, "spec.minReadySeconds", NONNEGATIVE },
      { INVALID, "spec.templateGeneration", NONNEGATIVE },
      { INVALID, "spec.revisionHistoryLimit", NONNEGATIVE } } },
  { "daemonset/active-deadline",
    "daemonsets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds",
        "activeDeadlineSeconds in DaemonSet is not Supported" } } },
  { "daemonset/mismatch",
    "daemonsets.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'db'}}"),
    { { INVALID, "spec.template.metadata.labels", MISMATCH } } },

  { "statefulset/valid",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'web'"),
    { { NULL } } },
  { "statefulset/no-service", "statefulsets.v1.apps", WORKLOAD (""), { { NULL } } },
  { "statefulset/service-name",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'Web'"),
    { { INVALID, "spec.serviceName", "RFC 1123 label" } } },
  { "statefulset/parallel",
    "statefulsets.v1.apps",
    WORKLOAD (", 'podManagementPolicy': 'Parallel', 'updateStrategy': {'type': 'OnDelete'}"),
    { { NULL } } },
  { "statefulset/policy",
    "statefulsets.v1.apps",
    WORKLOAD (", 'podManagementPolicy': 'Random'"),
    { { INVALID, "spec.podManagementPolicy", "must be 'OrderedReady' or 'Parallel'" } } },
  { "statefulset/strategy-unknown",
    "statefulsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'Blue'}"),
    { { INVALID, "spec.updateStrategy", "must be 'RollingUpdate' or 'OnDelete'" } } },
  { "statefulset/on-delete-rolling",
    "statefulsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'type': 'OnDelete', 'rollingUpdate': {'partition': 1}}"),
    { { INVALID, "spec.updateStrategy.rollingUpdate",
        "only allowed for updateStrategy 'RollingUpdate'" } } },
  { "statefulset/partition",
    "statefulsets.v1.apps",
    WORKLOAD (", 'updateStrategy': {'rollingUpdate': {'partition': -1}}"),
    { { INVALID, "spec.updateStrategy.rollingUpdate.partition", NONNEGATIVE } } },
  { "statefulset/empty-selector",
    "statefulsets.v1.apps",
    WITH_SELECTOR ("{}"),
    { { INVALID, "spec.selector", "empty selector is not valid for statefulset." } } },
  { "statefulset/shapes",
    "statefulsets.v1.apps",
    WORKLOAD (", 'replicas': -3, 'volumeClaimTemplates': {}, 'serviceName': 5"),
    { { INVALID, "spec.replicas", NONNEGATIVE },
      { INVALID, "spec.serviceName", "must be a string" },
      { INVALID, "spec.volumeClaimTemplates", "must be a list" } } },
  { "statefulset/active-deadline",
    "statefulsets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds", "must not be specified" } } },
  { "replicaset/active-deadline",
    "replicasets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'activeDeadlineSeconds': 30}"),
    { { INVALID, "spec.template.spec.activeDeadlineSeconds",
        "activeDeadlineSeconds in ReplicaSet is not Supported" } } },
  { "statefulset/restart",
    "statefulsets.v1.apps",
    WITH_POD ("{" CONTAINERS ", 'restartPolicy': 'Never'}"),
    { { NOT_SUPPORTED, "spec.template.spec.restartPolicy", "supported values: \"Always\"" } } },
};

/* Validation on update */

#define OTHER_SELECTOR "{'matchExpressions': [{'key': 'app', 'operator': 'Exists'}]}"

static const UpdateCase update_cases[] = {
  { "deployment/scaled",
    "deployments.v1.apps",
    WORKLOAD (", 'replicas': 1"),
    WORKLOAD (", 'replicas': 5, 'strategy': {'type': 'Recreate'}"),
    { { NULL } } },
  { "deployment/selector-changed",
    "deployments.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "deployment/selector-reordered",
    "deployments.v1.apps",
    WITH_SELECTOR ("{'matchLabels': {'app': 'web'}, 'matchExpressions': []}"),
    WITH_SELECTOR ("{'matchExpressions': [], 'matchLabels': {'app': 'web'}}"),
    { { NULL } } },
  { "deployment/still-checked",
    "deployments.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'replicas': -1"),
    { { INVALID, "spec.replicas", NONNEGATIVE } } },
  { "deployment/malformed-old",
    "deployments.v1.apps",
    "{'spec': 'x'}",
    WORKLOAD (""),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "replicaset/selector-changed",
    "replicasets.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "replicaset/scaled",
    "replicasets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'replicas': 0"),
    { { NULL } } },
  { "daemonset/selector-changed",
    "daemonsets.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { INVALID, "spec.selector", IMMUTABLE } } },
  { "daemonset/strategy-changed",
    "daemonsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'updateStrategy': {'type': 'OnDelete'}"),
    { { NULL } } },
  { "statefulset/mutable",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'web'"),
    "{'spec': {" SELECTOR ", 'serviceName': 'web', 'replicas': 4, 'minReadySeconds': 3,"
    " 'revisionHistoryLimit': 2, 'updateStrategy': {'type': 'OnDelete'}, 'ordinals': {'start':"
    " 1}, 'persistentVolumeClaimRetentionPolicy': {'whenDeleted': 'Delete'}, 'template':"
    " {'metadata': {'labels': {'app': 'web', 'v': '2'}}, 'spec': {" CONTAINERS "}}}}",
    { { NULL } } },
  { "statefulset/service-changed",
    "statefulsets.v1.apps",
    WORKLOAD (", 'serviceName': 'web'"),
    WORKLOAD (", 'serviceName': 'db'"),
    { { FORBIDDEN, "spec", "updates to statefulset spec for fields other than 'replicas'" } } },
  { "statefulset/service-added",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'serviceName': 'db'"),
    { { FORBIDDEN, "spec", "are forbidden" } } },
  { "statefulset/selector-changed",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WITH_SELECTOR (OTHER_SELECTOR),
    { { FORBIDDEN, "spec", "are forbidden" } } },
  { "statefulset/policy-changed",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'podManagementPolicy': 'Parallel'"),
    { { FORBIDDEN, "spec", "are forbidden" } } },
  { "statefulset/null-is-absent",
    "statefulsets.v1.apps",
    WORKLOAD (""),
    WORKLOAD (", 'volumeClaimTemplates': null"),
    { { NULL } } },
};

/* Field selectors and printed columns */

static const ValueCase field_cases[] = {
  { "replicaset/replicas", "replicasets.v1.apps", "{'status': {'replicas': 3}}", "status.replicas",
    "3" },
  { "replicaset/replicas-missing", "replicasets.v1.apps", "{}", "status.replicas", "0" },
  { "replicaset/replicas-string", "replicasets.v1.apps", "{'status': {'replicas': '3'}}",
    "status.replicas", "0" },
  { "replicaset/status-list", "replicasets.v1.apps", "{'status': []}", "status.replicas", "0" },
  { "replicaset/unknown", "replicasets.v1.apps", "{'spec': {'replicas': 1}}", "spec.replicas",
    NULL },
};

#define TWO_CONTAINERS                                                                  \
  "{'spec': {'template': {'spec': {'containers': [{'name': 'web', 'image': 'nginx:1'}," \
  " {'name': 'log', 'image': 'busybox'}]}}}}"
#define NODE_SELECTOR(selector) "{'spec': {'template': {'spec': {'nodeSelector': " selector "}}}}"

static const ValueCase column_cases[] = {
  { "deployment/ready", "deployments.v1.apps",
    "{'spec': {'replicas': 3}, 'status': {'readyReplicas': 2}}", "READY", "2/3" },
  { "deployment/ready-none", "deployments.v1.apps", "{}", "READY", "0/0" },
  { "deployment/ready-malformed", "deployments.v1.apps",
    "{'spec': {'replicas': '3'}, 'status': {'readyReplicas': 1.5}}", "READY", "0/0" },
  { "deployment/containers", "deployments.v1.apps", TWO_CONTAINERS, "CONTAINERS", "web,log" },
  { "deployment/images", "deployments.v1.apps", TWO_CONTAINERS, "IMAGES", "nginx:1,busybox" },
  { "deployment/containers-malformed", "deployments.v1.apps",
    "{'spec': {'template': {'spec': {'containers': [1, {'name': 2}, {'name': 'a'}]}}}}",
    "CONTAINERS", "a" },
  { "deployment/containers-none", "deployments.v1.apps", "{'spec': {'template': []}}", "CONTAINERS",
    "" },
  { "deployment/selector", "deployments.v1.apps",
    "{'spec': {'selector': {'matchLabels': {'b': '2', 'a': '1'}, 'matchExpressions': [{'key':"
    " 'tier', 'operator': 'In', 'values': ['y', 'x']}, {'key': 'legacy', 'operator':"
    " 'DoesNotExist'}, {'key': 'a0', 'operator': 'Exists'}, {'key': 'z', 'operator': 'NotIn',"
    " 'values': ['q']}]}}}",
    "SELECTOR", "a=1,a0,b=2,!legacy,tier in (x,y),z notin (q)" },
  { "deployment/selector-none", "deployments.v1.apps", "{'spec': {}}", "SELECTOR", "<none>" },
  { "deployment/selector-malformed", "deployments.v1.apps",
    "{'spec': {'selector': {'matchLabels': {'a': 1, 'b': 'c'}, 'matchExpressions': [3, {'key':"
    " 'x', 'operator': 'Near'}, {'key': 'y'}, {'key': 'z', 'operator': 'In', 'values': 'w'}]}}}",
    "SELECTOR", "b=c,z in ()" },
  { "deployment/unknown", "deployments.v1.apps", "{}", "AGE", NULL },
  { "replicaset/selector", "replicasets.v1.apps",
    "{'spec': {'selector': {'matchLabels': {'app': 'web'}}}}", "SELECTOR", "app=web" },
  { "replicaset/images", "replicasets.v1.apps", TWO_CONTAINERS, "IMAGES", "nginx:1,busybox" },
  { "daemonset/node-selector", "daemonsets.v1.apps",
    NODE_SELECTOR ("{'disk': 'ssd', 'arch': 'amd64'}"), "NODE SELECTOR", "arch=amd64,disk=ssd" },
  { "daemonset/node-selector-none", "daemonsets.v1.apps", NODE_SELECTOR ("{}"), "NODE SELECTOR",
    "<none>" },
  { "daemonset/node-selector-malformed", "daemonsets.v1.apps", NODE_SELECTOR ("['a']"),
    "NODE SELECTOR", "<none>" },
  { "daemonset/node-selector-values", "daemonsets.v1.apps", NODE_SELECTOR ("{'a': 1, 'b': 'c'}"),
    "NODE SELECTOR", "b=c" },
  { "daemonset/containers", "daemonsets.v1.apps", TWO_CONTAINERS, "CONTAINERS", "web,log" },
  { "statefulset/ready", "statefulsets.v1.apps",
    "{'spec': {'replicas': 2}, 'status': {'readyReplicas': 2}}", "READY", "2/2" },
  { "statefulset/ready-status-null", "statefulsets.v1.apps",
    "{'spec': {'replicas': 1}, 'status': null}", "READY", "0/1" },
  { "statefulset/images", "statefulsets.v1.apps", TWO_CONTAINERS, "IMAGES", "nginx:1,busybox" },
  { "statefulset/no-selector-column", "statefulsets.v1.apps", "{}", "NODE SELECTOR", NULL },
};

/* Robustness: every member a type reads, given every JSON shape. */

/* What every workload reads of its selector, pod template and status. */
#define WORKLOAD_MEMBERS(feature)                                                               \
  { feature, "metadata", NULL }, { feature, "spec", "object" },                                 \
    { feature, "spec.selector", "object" }, { feature, "spec.selector.matchLabels", "object" }, \
    { feature, "spec.selector.matchExpressions", "array" },                                     \
    { feature, "spec.template", "object" }, { feature, "spec.template.metadata", "object" },    \
    { feature, "spec.template.metadata.labels", "object" },                                     \
    { feature, "spec.template.metadata.annotations", "object" },                                \
    { feature, "spec.template.spec", "object" },                                                \
    { feature, "spec.template.spec.containers", "array" },                                      \
    { feature, "spec.template.spec.restartPolicy", "string" },                                  \
    { feature, "spec.template.spec.dnsPolicy", "string" },                                      \
    { feature, "spec.template.spec.schedulerName", "string" },                                  \
    { feature, "spec.template.spec.terminationGracePeriodSeconds", "integer" },                 \
    { feature, "spec.template.spec.nodeSelector", "object" },                                   \
    { feature, "spec.template.spec.activeDeadlineSeconds", NULL },                              \
    { feature, "spec.minReadySeconds", "integer" }, { feature, "status", "object" },            \
  {                                                                                             \
    feature, "status.observedGeneration", "integer"                                             \
  }

static const Member members[] = {
  WORKLOAD_MEMBERS ("deployments.v1.apps"),
  { "deployments.v1.apps", "spec.replicas", "integer" },
  { "deployments.v1.apps", "spec.strategy", "object" },
  { "deployments.v1.apps", "spec.strategy.type", "string" },
  { "deployments.v1.apps", "spec.strategy.rollingUpdate", "object" },
  { "deployments.v1.apps", "spec.strategy.rollingUpdate.maxUnavailable", "int-or-string" },
  { "deployments.v1.apps", "spec.strategy.rollingUpdate.maxSurge", "int-or-string" },
  { "deployments.v1.apps", "spec.revisionHistoryLimit", "integer" },
  { "deployments.v1.apps", "spec.progressDeadlineSeconds", "integer" },
  { "deployments.v1.apps", "spec.paused", "boolean" },
  { "deployments.v1.apps", "status.readyReplicas", "integer" },
  { "deployments.v1.apps", "status.updatedReplicas", "integer" },
  WORKLOAD_MEMBERS ("replicasets.v1.apps"),
  { "replicasets.v1.apps", "spec.replicas", "integer" },
  { "replicasets.v1.apps", "status.replicas", "integer" },
  { "replicasets.v1.apps", "status.readyReplicas", "integer" },
  WORKLOAD_MEMBERS ("daemonsets.v1.apps"),
  { "daemonsets.v1.apps", "spec.updateStrategy", "object" },
  { "daemonsets.v1.apps", "spec.updateStrategy.type", "string" },
  { "daemonsets.v1.apps", "spec.updateStrategy.rollingUpdate", "object" },
  { "daemonsets.v1.apps", "spec.updateStrategy.rollingUpdate.maxUnavailable", "int-or-string" },
  { "daemonsets.v1.apps", "spec.updateStrategy.rollingUpdate.maxSurge", "int-or-string" },
  { "daemonsets.v1.apps", "spec.templateGeneration", "integer" },
  { "daemonsets.v1.apps", "spec.revisionHistoryLimit", "integer" },
  { "daemonsets.v1.apps", "status.numberReady", "integer" },
  WORKLOAD_MEMBERS ("statefulsets.v1.apps"),
  { "statefulsets.v1.apps", "spec.replicas", "integer" },
  { "statefulsets.v1.apps", "spec.serviceName", "string" },
  { "statefulsets.v1.apps", "spec.podManagementPolicy", "string" },
  { "statefulsets.v1.apps", "spec.updateStrategy", "object" },
  { "statefulsets.v1.apps", "spec.updateStrategy.type", "string" },
  { "statefulsets.v1.apps", "spec.updateStrategy.rollingUpdate", "object" },
  { "statefulsets.v1.apps", "spec.updateStrategy.rollingUpdate.partition", "integer" },
  { "statefulsets.v1.apps", "spec.volumeClaimTemplates", "array" },
  { "statefulsets.v1.apps", "spec.revisionHistoryLimit", "integer" },
  { "statefulsets.v1.apps", "status.readyReplicas", "integer" },
};

/* A valid object of each type, for the shapes to be put into. */
const char *
valid_object (const char *feature)
{
  if (g_str_equal (feature, "deployments.v1.apps"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'replicas': 2, " SELECTOR ","
           " " TEMPLATE ", 'strategy': {'type': 'RollingUpdate', 'rollingUpdate':"
           " {'maxUnavailable': 1, 'maxSurge': '10%'}}, 'minReadySeconds': 1, 'paused': false},"
           " 'status': {'replicas': 2, 'readyReplicas': 1, 'updatedReplicas': 2,"
           " 'observedGeneration': 1}}";
  if (g_str_equal (feature, "daemonsets.v1.apps"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {" SELECTOR ", " TEMPLATE ","
           " 'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxUnavailable':"
           " '10%', 'maxSurge': 0}}, 'templateGeneration': 1}, 'status': {'numberReady': 1,"
           " 'observedGeneration': 1}}";
  if (g_str_equal (feature, "statefulsets.v1.apps"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'replicas': 2, " SELECTOR ","
           " " TEMPLATE ", 'serviceName': 'a', 'podManagementPolicy': 'Parallel',"
           " 'updateStrategy': {'type': 'RollingUpdate', 'rollingUpdate': {'partition': 1}},"
           " 'volumeClaimTemplates': []}, 'status': {'readyReplicas': 1, 'observedGeneration':"
           " 1}}";
  return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'replicas': 2, " SELECTOR
         ", " TEMPLATE "}, 'status': {'replicas': 2, 'readyReplicas': 1, 'observedGeneration': 1}}";
}

/* The valid objects of the sweep are valid. */
static void
test_robustness_valid (void)
{
  const Cause none[] = { { NULL } };

  for (size_t i = 0; i < G_N_ELEMENTS (descriptions); i++) {
    TimonResourceType *type = lookup (descriptions[i].feature);
    g_autoptr (JsonObject) object = parse (valid_object (descriptions[i].feature));
    g_autoptr (JsonObject) updated = parse (valid_object (descriptions[i].feature));
    g_autoptr (JsonObject) old = parse (valid_object (descriptions[i].feature));
    g_autoptr (TimonFieldErrors) create_errors = run_validate (type, object, NULL);
    g_autoptr (TimonFieldErrors) update_errors = run_validate (type, updated, old);

    assert_causes (create_errors, none);
    assert_causes (update_errors, none);
  }
}

/* The empty objects of every type, in one test. */
static void
test_robustness_empty_all (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (descriptions); i++)
    test_robustness_empty (&descriptions[i]);
}

/* timonctl */

static const char *const timonctl_describe[] = {
  "Kubernetes apps/v1 resource types",
  "4 features:",
  "libtimon-resources-apps-v1.so",
  "deployments.v1.apps",
  "Deployment apps/v1",
  "replicasets.v1.apps",
  "ReplicaSet apps/v1",
  "daemonsets.v1.apps",
  "DaemonSet apps/v1",
  "statefulsets.v1.apps",
  "StatefulSet apps/v1",
  NULL,
};

int
main (int argc, char **argv)
{
  resource_test_init (&argc, &argv, "apps-v1", APPS_V1_PLUGIN_DIR);

  g_test_add_data_func ("/resources/apps-v1/plugin", &plugin, test_plugin);
  add_for_types ("describe", descriptions, G_N_ELEMENTS (descriptions), test_describe);
  add_cases ("default", default_cases, test_default);
  add_cases ("validate-create", create_cases, test_validate_create);
  add_cases ("validate-update", update_cases, test_validate_update);
  add_cases ("get-field", field_cases, test_get_field);
  add_cases ("print-column", column_cases, test_print_column);
  add_members (members, G_N_ELEMENTS (members));
  g_test_add_func ("/resources/apps-v1/robustness/valid", test_robustness_valid);
  g_test_add_func ("/resources/apps-v1/robustness/empty", test_robustness_empty_all);
  g_test_add_data_func ("/resources/apps-v1/timonctl/list", &plugin, test_timonctl_list);
  g_test_add_data_func ("/resources/apps-v1/timonctl/describe", timonctl_describe,
                        test_timonctl_describe);

  return resource_test_run ();
}
