/* test-core-v1-workloads.c: the core/v1 types that run and reach
 * workloads (Pod, Node, Service, Endpoints) and bound them
 * (ResourceQuota, LimitRange), loaded through the registry as timond
 * loads them: their descriptions, each hook, table-driven, with the
 * causes Kubernetes gives, and the helpers they share (quantities,
 * addresses), compiled in from the plugin's sources.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "core-v1-private.h"
#include "resource-test-utils.h"
#include "test-utils.h"

#define FORBIDDEN_POD_UPDATE \
  "pod updates may not change fields other than `spec.containers[*].image`"
#define DNS_LABEL "a lowercase RFC 1123 label must consist of"
#define PORT_RANGE "must be between 1 and 65535, inclusive"
#define QUANTITY "quantities must match the regular expression"

/* A pod with one container, around @containers_extra (JSON members of
 * the container, with a leading comma) and @spec_extra (of the spec). */
#define POD(containers_extra, spec_extra)                                               \
  "{'metadata': {'name': 'p', 'namespace': 'n'}, 'spec': {'containers': [{'name': 'c'," \
  " 'image': 'nginx:1.25'" containers_extra "}]" spec_extra "}}"

/* Descriptions */

static const Description descriptions[] = {
  { "pods.v1", "v1", "Pod", "pods", "pod", TIMON_RESOURCE_NAMESPACED, "po",
    "status,binding,eviction,log,exec",
    "spec.nodeName,spec.schedulerName,spec.serviceAccountName,status.phase,status.podIP,"
    "status.nominatedNodeName",
    "READY:string:-,STATUS:string:-,RESTARTS:integer:-,IP:string:.status.podIP:1,"
    "NODE:string:.spec.nodeName:1,NOMINATED NODE:string:.status.nominatedNodeName:1,"
    "READINESS GATES:string:-:1",
    TRUE, TRUE, TRUE, "all", TRUE },
  { "nodes.v1", "v1", "Node", "nodes", "node", TIMON_RESOURCE_CLUSTER, "no", "status",
    "spec.unschedulable",
    "STATUS:string:-,ROLES:string:-,VERSION:string:.status.nodeInfo.kubeletVersion,"
    "INTERNAL-IP:string:-:1,EXTERNAL-IP:string:-:1,OS-IMAGE:string:.status.nodeInfo.osImage:1,"
    "KERNEL-VERSION:string:.status.nodeInfo.kernelVersion:1,"
    "CONTAINER-RUNTIME:string:.status.nodeInfo.containerRuntimeVersion:1",
    TRUE, TRUE, TRUE, NULL },
  { "services.v1", "v1", "Service", "services", "service", TIMON_RESOURCE_NAMESPACED, "svc",
    "status", "spec.clusterIP,spec.type",
    "TYPE:string:.spec.type,CLUSTER-IP:string:.spec.clusterIP,EXTERNAL-IP:string:-,"
    "PORT(S):string:-,SELECTOR:string:-:1",
    TRUE, TRUE, TRUE, "all" },
  { "endpoints.v1", "v1", "Endpoints", "endpoints", "endpoints", TIMON_RESOURCE_NAMESPACED, "ep",
    "", "", "ENDPOINTS:string:-", TRUE, FALSE, TRUE, NULL },
  { "resourcequotas.v1", "v1", "ResourceQuota", "resourcequotas", "resourcequota",
    TIMON_RESOURCE_NAMESPACED, "quota", "status", "",
    "AGE:string:.metadata.creationTimestamp@age,REQUEST:string:-,LIMIT:string:-", FALSE, FALSE,
    TRUE, NULL },
  { "limitranges.v1", "v1", "LimitRange", "limitranges", "limitrange", TIMON_RESOURCE_NAMESPACED,
    "limits", "", "", "CREATED AT:date:.metadata.creationTimestamp", FALSE, FALSE, FALSE, NULL },
};

/* Defaults */

#define POD_SPEC_DEFAULTS                                                                         \
  "'restartPolicy': 'Always', 'dnsPolicy': 'ClusterFirst', 'schedulerName': 'default-scheduler'," \
  " 'serviceAccountName': 'default', 'terminationGracePeriodSeconds': 30,"                        \
  " 'enableServiceLinks': true, 'securityContext': {}"
#define CONTAINER_DEFAULTS \
  "'terminationMessagePath': '/dev/termination-log', 'terminationMessagePolicy': 'File'"

static const DefaultCase default_cases[] = {
  { "pod/filled", "pods.v1",
    "{'spec': {'containers': [{'name': 'c', 'image': 'nginx', 'ports': [{'containerPort': 80}]}]}}",
    "{'spec': {'containers': [{'name': 'c', 'image': 'nginx', 'ports': [{'containerPort': 80,"
    " 'protocol': 'TCP'}], 'imagePullPolicy': 'Always', " CONTAINER_DEFAULTS
    "}], " POD_SPEC_DEFAULTS "}, 'status': {'phase': 'Pending', 'qosClass': 'BestEffort'}}" },
  { "pod/kept", "pods.v1",
    "{'spec': {'containers': [{'name': 'c', 'image': 'nginx', 'imagePullPolicy': 'Never',"
    " 'terminationMessagePolicy': 'FallbackToLogsOnError', 'ports': [{'containerPort': 53,"
    " 'protocol': 'UDP'}]}], 'restartPolicy': 'Never', 'dnsPolicy': 'Default',"
    " 'schedulerName': 'mine', 'serviceAccountName': 'robot', 'terminationGracePeriodSeconds': 0,"
    " 'enableServiceLinks': false, 'securityContext': {'runAsUser': 1000}},"
    " 'status': {'phase': 'Running', 'qosClass': 'Burstable'}}",
    "{'spec': {'containers': [{'name': 'c', 'image': 'nginx', 'imagePullPolicy': 'Never',"
    " 'terminationMessagePolicy': 'FallbackToLogsOnError', 'ports': [{'containerPort': 53,"
    " 'protocol': 'UDP'}], 'terminationMessagePath': '/dev/termination-log'}],"
    " 'restartPolicy': 'Never', 'dnsPolicy': 'Default', 'schedulerName': 'mine',"
    " 'serviceAccountName': 'robot', 'terminationGracePeriodSeconds': 0,"
    " 'enableServiceLinks': false, 'securityContext': {'runAsUser': 1000}},"
    " 'status': {'phase': 'Running', 'qosClass': 'Burstable'}}" },
  { "pod/pull-policies", "pods.v1",
    "{'spec': {'initContainers': [{'name': 'i', 'image': 'busybox:latest'}], 'containers': ["
    "{'name': 'a', 'image': 'nginx:1.25'}, {'name': 'b', 'image': 'localhost:5000/app'},"
    " {'name': 'c', 'image': 'localhost:5000/app:v1'}, {'name': 'd', 'image': 'app@sha256:ab'},"
    " {'name': 'e'}, 7]}}",
    "{'spec': {'initContainers': [{'name': 'i', 'image': 'busybox:latest', 'imagePullPolicy':"
    " 'Always', " CONTAINER_DEFAULTS "}], 'containers': ["
    "{'name': 'a', 'image': 'nginx:1.25', 'imagePullPolicy': 'IfNotPresent', " CONTAINER_DEFAULTS
    "}, {'name': 'b', 'image': 'localhost:5000/app', 'imagePullPolicy': "
    "'Always', " CONTAINER_DEFAULTS
    "}, {'name': 'c', 'image': 'localhost:5000/app:v1', 'imagePullPolicy':"
    " 'IfNotPresent', " CONTAINER_DEFAULTS "}, {'name': 'd', 'image': 'app@sha256:ab',"
    " 'imagePullPolicy': 'IfNotPresent', " CONTAINER_DEFAULTS "}, {'name': 'e',"
    " 'imagePullPolicy': 'IfNotPresent', " CONTAINER_DEFAULTS "}, 7], " POD_SPEC_DEFAULTS "},"
    " 'status': {'phase': 'Pending', 'qosClass': 'BestEffort'}}" },
  { "pod/guaranteed", "pods.v1",
    "{'spec': {'containers': [{'name': 'c', 'image': 'a:1', 'resources': {'limits': {'cpu': '1',"
    " 'memory': '1Gi'}}}]}}",
    "{'spec': {'containers': [{'name': 'c', 'image': 'a:1', 'imagePullPolicy': 'IfNotPresent',"
    " 'resources': {'limits': {'cpu': '1', 'memory': '1Gi'}, 'requests': {'cpu': '1',"
    " 'memory': '1Gi'}}, " CONTAINER_DEFAULTS "}], " POD_SPEC_DEFAULTS "},"
    " 'status': {'phase': 'Pending', 'qosClass': 'Guaranteed'}}" },
  { "pod/guaranteed-equal-forms", "pods.v1",
    "{'spec': {'containers': [{'name': 'c', 'image': 'a:1', 'resources': {'limits': {'cpu':"
    " '100m', 'memory': '1024Mi'}, 'requests': {'cpu': '0.1', 'memory': '1Gi'}}}]}}",
    "{'spec': {'containers': [{'name': 'c', 'image': 'a:1', 'imagePullPolicy': 'IfNotPresent',"
    " 'resources': {'limits': {'cpu': '100m', 'memory': '1024Mi'}, 'requests': {'cpu': '0.1',"
    " 'memory': '1Gi'}}, " CONTAINER_DEFAULTS "}], " POD_SPEC_DEFAULTS "},"
    " 'status': {'phase': 'Pending', 'qosClass': 'Guaranteed'}}" },
  { "pod/burstable", "pods.v1",
    "{'spec': {'containers': [{'name': 'c', 'image': 'a:1', 'resources': {'requests': {'cpu':"
    " '100m'}}}]}}",
    "{'spec': {'containers': [{'name': 'c', 'image': 'a:1', 'imagePullPolicy': 'IfNotPresent',"
    " 'resources': {'requests': {'cpu': '100m'}}, " CONTAINER_DEFAULTS "}], " POD_SPEC_DEFAULTS
    "}, 'status': {'phase': 'Pending', 'qosClass': 'Burstable'}}" },
  { "pod/malformed", "pods.v1", "{'spec': [], 'status': 'x'}", "{'spec': [], 'status': 'x'}" },
  { "pod/containers-malformed", "pods.v1", "{'spec': {'containers': {'name': 'c'}}}",
    "{'spec': {'containers': {'name': 'c'}, " POD_SPEC_DEFAULTS "},"
    " 'status': {'phase': 'Pending', 'qosClass': 'BestEffort'}}" },
  { "node/allocatable", "nodes.v1", "{'status': {'capacity': {'cpu': '4', 'pods': '110'}}}",
    "{'status': {'capacity': {'cpu': '4', 'pods': '110'}, 'allocatable': {'cpu': '4',"
    " 'pods': '110'}}}" },
  { "node/allocatable-kept", "nodes.v1",
    "{'status': {'capacity': {'cpu': '4'}, 'allocatable': {'cpu': '3'}}}",
    "{'status': {'capacity': {'cpu': '4'}, 'allocatable': {'cpu': '3'}}}" },
  { "node/none", "nodes.v1", "{'spec': {}}", "{'spec': {}}" },
  { "service/filled", "services.v1",
    "{'spec': {'ports': [{'port': 80}, {'port': 53,"
    " 'protocol': 'UDP', 'targetPort': 'dns'}, {'port': 8080, 'targetPort': 0}]}}",
    "{'spec': {'type': 'ClusterIP', 'sessionAffinity': 'None', 'internalTrafficPolicy':"
    " 'Cluster', 'ipFamilyPolicy': 'SingleStack', 'ports': [{'port': 80, 'protocol': 'TCP',"
    " 'targetPort': 80}, {'port': 53, 'protocol': 'UDP', 'targetPort': 'dns'}, {'port': 8080,"
    " 'protocol': 'TCP', 'targetPort': 8080}]}}" },
  { "service/node-port", "services.v1", "{'spec': {'type': 'NodePort'}}",
    "{'spec': {'type': 'NodePort', 'sessionAffinity': 'None', 'internalTrafficPolicy':"
    " 'Cluster', 'ipFamilyPolicy': 'SingleStack', 'externalTrafficPolicy': 'Cluster'}}" },
  { "service/external-name", "services.v1",
    "{'spec': {'type': 'ExternalName', 'externalName': 'db.example.com'}}",
    "{'spec': {'type': 'ExternalName', 'externalName': 'db.example.com',"
    " 'sessionAffinity': 'None'}}" },
  { "service/malformed", "services.v1", "{'spec': 'x'}", "{'spec': 'x'}" },
  { "service/ports-malformed", "services.v1",
    "{'spec': {'type': 'ClusterIP', 'ports': [1,"
    " {'port': 'http'}]}}",
    "{'spec': {'type': 'ClusterIP', 'sessionAffinity': 'None', 'internalTrafficPolicy':"
    " 'Cluster', 'ipFamilyPolicy': 'SingleStack', 'ports': [1, {'port': 'http',"
    " 'protocol': 'TCP'}]}}" },
  { "endpoints/protocol", "endpoints.v1",
    "{'subsets': [{'ports': [{'port': 80}, {'port': 53, 'protocol': 'UDP'}]}, 3]}",
    "{'subsets': [{'ports': [{'port': 80, 'protocol': 'TCP'}, {'port': 53, 'protocol':"
    " 'UDP'}]}, 3]}" },
};

/* Validation on create */

static const CreateCase create_cases[] = {
  { "pod/valid",
    "pods.v1",
    POD (", 'ports': [{'containerPort': 80, 'name': 'http'}, {'containerPort': 53, 'protocol':"
         " 'UDP'}], 'env': [{'name': 'A.b-c', 'value': 'x'}], 'resources': {'limits': {'cpu':"
         " '1', 'memory': '1Gi'}, 'requests': {'cpu': '500m', 'memory': '512Mi'}},"
         " 'volumeMounts': [{'name': 'data', 'mountPath': '/data'}]",
         ", 'volumes': [{'name': 'data', 'emptyDir': {}}, {'name': 'cfg', 'configMap':"
         " {'name': 'c'}}], 'tolerations': [{'key': 'k', 'operator': 'Exists', 'effect':"
         " 'NoSchedule'}], 'nodeSelector': {'disk': 'ssd'}"),
    { { NULL } } },
  { "pod/no-containers",
    "pods.v1",
    "{'spec': {'containers': []}}",
    { { REQUIRED, "spec.containers", "" } } },
  { "pod/no-spec", "pods.v1", "{}", { { REQUIRED, "spec.containers", "" } } },
  { "pod/container-names",
    "pods.v1",
    "{'spec': {'initContainers': [{'name': 'a', 'image': 'x'}], 'containers': [{'name': 'a',"
    " 'image': 'x'}, {'name': 'B_1', 'image': 'x'}, {'image': 'x'}]}}",
    { { DUPLICATE, "spec.containers[0].name", "" },
      { INVALID, "spec.containers[1].name", DNS_LABEL },
      { REQUIRED, "spec.containers[2].name", "" } } },
  { "pod/image",
    "pods.v1",
    "{'spec': {'containers': [{'name': 'a'}, {'name': 'b', 'image': ''}, {'name': 'c', 'image':"
    " ' x'}, {'name': 'd', 'image': 5}]}}",
    { { REQUIRED, "spec.containers[0].image", "" },
      { REQUIRED, "spec.containers[1].image", "" },
      { INVALID, "spec.containers[2].image", "must not have leading or trailing whitespace" },
      { INVALID, "spec.containers[3].image", "must be a string" } } },
  { "pod/port-numbers",
    "pods.v1",
    POD (", 'ports': [{'containerPort': 0}, {'containerPort': 65536}, {'containerPort': 80,"
         " 'hostPort': -1}, {'name': 'x'}]",
         ""),
    { { REQUIRED, "spec.containers[0].ports[0].containerPort", "" },
      { INVALID, "spec.containers[0].ports[1].containerPort", PORT_RANGE },
      { INVALID, "spec.containers[0].ports[2].hostPort", PORT_RANGE },
      { REQUIRED, "spec.containers[0].ports[3].containerPort", "" } } },
  { "pod/port-types",
    "pods.v1",
    POD (", 'ports': [{'containerPort': '80'}, {'containerPort': 80, 'hostPort': 1.5, 'name': 7,"
         " 'protocol': true}, 'x']",
         ""),
    { { INVALID, "spec.containers[0].ports[0].containerPort", "must be an integer" },
      { INVALID, "spec.containers[0].ports[1].name", "must be a string" },
      { INVALID, "spec.containers[0].ports[1].hostPort", "must be an integer" },
      { INVALID, "spec.containers[0].ports[1].protocol", "must be a string" },
      { INVALID, "spec.containers[0].ports[2]", "must be an object" } } },
  { "pod/port-protocol",
    "pods.v1",
    POD (", 'ports': [{'containerPort': 1, 'protocol': 'ICMP'}, {'containerPort': 2, 'protocol':"
         " 'SCTP'}]",
         ""),
    { { NOT_SUPPORTED, "spec.containers[0].ports[0].protocol",
        "supported values: \"TCP\", \"UDP\", \"SCTP\"" } } },
  { "pod/port-names",
    "pods.v1",
    POD (", 'ports': [{'containerPort': 1, 'name': 'http'}, {'containerPort': 2, 'name':"
         " 'http'}, {'containerPort': 3, 'name': 'a--b'}, {'containerPort': 4, 'name': '80'}]",
         ""),
    { { DUPLICATE, "spec.containers[0].ports[1].name", "" },
      { INVALID, "spec.containers[0].ports[2].name", "must not contain consecutive hyphens" },
      { INVALID, "spec.containers[0].ports[3].name", "must contain at least one letter" } } },
  { "pod/port-name-shape",
    "pods.v1",
    POD (", 'ports': [{'containerPort': 1, 'name': 'Http-'}, {'containerPort': 2, 'name':"
         " 'abcdefghijklmnop'}]",
         ""),
    { { INVALID, "spec.containers[0].ports[0].name", "must contain only alpha-numeric" },
      { INVALID, "spec.containers[0].ports[0].name", "must not begin or end with a hyphen" },
      { INVALID, "spec.containers[0].ports[1].name", "must be no more than 15 characters" } } },
  { "pod/policies",
    "pods.v1",
    POD (", 'imagePullPolicy': 'Sometimes', 'terminationMessagePolicy': 'Mail'",
         ", 'restartPolicy': 'Maybe', 'dnsPolicy': 'Google'"),
    { { NOT_SUPPORTED, "spec.containers[0].imagePullPolicy", "\"Always\"" },
      { NOT_SUPPORTED, "spec.containers[0].terminationMessagePolicy", "\"File\"" },
      { NOT_SUPPORTED, "spec.restartPolicy",
        "supported values: \"Always\", \"OnFailure\", \"Never\"" },
      { NOT_SUPPORTED, "spec.dnsPolicy", "\"ClusterFirst\"" } } },
  { "pod/dns-none",
    "pods.v1",
    POD ("", ", 'dnsPolicy': 'None'"),
    { { REQUIRED, "spec.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None" } } },
  { "pod/resources",
    "pods.v1",
    POD (", 'resources': {'limits': {'cpu': '500m', 'memory': 'lots'}, 'requests': {'cpu': '1',"
         " 'nvidia.com/gpu': '-1'}}",
         ""),
    /* The request defaults to the malformed limit, as in Kubernetes. */
    { { INVALID, "spec.containers[0].resources.limits[memory]", QUANTITY },
      { INVALID, "spec.containers[0].resources.requests[nvidia.com/gpu]",
        "must be greater than or equal to 0" },
      { INVALID, "spec.containers[0].resources.requests[memory]", QUANTITY },
      { INVALID, "spec.containers[0].resources.requests[cpu]",
        "must be less than or equal to cpu limit of 500m" } } },
  { "pod/resources-equal-forms",
    "pods.v1",
    POD (", 'resources': {'limits': {'cpu': '0.5', 'memory': '1Gi'}, 'requests': {'cpu': '500m',"
         " 'memory': 1073741824}}",
         ""),
    { { NULL } } },
  { "pod/env",
    "pods.v1",
    POD (", 'env': [{'name': 'A=B'}, {'value': 'x'}, {'name': 'tab\\there'}, 'X']", ""),
    { { INVALID, "spec.containers[0].env[0].name", "printable ASCII characters other than '='" },
      { REQUIRED, "spec.containers[0].env[1].name", "" },
      { INVALID, "spec.containers[0].env[2].name", "printable ASCII" },
      { INVALID, "spec.containers[0].env[3]", "must be an object" } } },
  { "pod/env-value",
    "pods.v1",
    POD (", 'env': [{'name': 'ok', 'value': 1, 'valueFrom': 'x'}]", ""),
    { { INVALID, "spec.containers[0].env[0].value", "must be a string" },
      { INVALID, "spec.containers[0].env[0].valueFrom", "must be an object" } } },
  { "pod/volumes",
    "pods.v1",
    POD ("",
         ", 'volumes': [{'name': 'a', 'emptyDir': {}}, {'name': 'a', 'secret': {'secretName':"
         " 's'}}, {'name': 'B'}, {'name': 'c', 'emptyDir': {}, 'hostPath': {'path': '/x'}}]"),
    { { DUPLICATE, "spec.volumes[1].name", "" },
      { INVALID, "spec.volumes[2].name", DNS_LABEL },
      { REQUIRED, "spec.volumes[2]", "must specify a volume type" },
      { FORBIDDEN, "spec.volumes[3].hostPath", "may not specify more than 1 volume type" } } },
  { "pod/volume-sources",
    "pods.v1",
    POD ("",
         ", 'volumes': [{'name': 'a', 'hostPath': {}}, {'name': 'b', 'persistentVolumeClaim':"
         " {'claimName': ''}}, {'name': 'c', 'projected': {}}, {'name': 'd', 'downwardAPI': 1}]"),
    { { REQUIRED, "spec.volumes[0].hostPath.path", "" },
      { REQUIRED, "spec.volumes[1].persistentVolumeClaim.claimName", "" },
      { INVALID, "spec.volumes[3].downwardAPI", "must be an object" } } },
  { "pod/volume-mounts",
    "pods.v1",
    POD (", 'volumeMounts': [{'name': 'data', 'mountPath': '/a'}, {'name': 'missing',"
         " 'mountPath': '/b'}, {'mountPath': '/c'}, {'name': 'data'}]",
         ", 'volumes': [{'name': 'data', 'emptyDir': {}}]"),
    { { INVALID, "spec.containers[0].volumeMounts[1].name", "not found" },
      { REQUIRED, "spec.containers[0].volumeMounts[2].name", "" },
      { REQUIRED, "spec.containers[0].volumeMounts[3].mountPath", "" } } },
  { "pod/mount-paths",
    "pods.v1",
    POD (", 'volumeMounts': [{'name': 'a', 'mountPath': '/d'}, {'name': 'b', 'mountPath': '/d'},"
         " {'name': 'a', 'mountPath': 5, 'readOnly': 'no'}]",
         ", 'volumes': [{'name': 'a', 'emptyDir': {}}, {'name': 'b', 'emptyDir': {}}]"),
    { { INVALID, "spec.containers[0].volumeMounts[1].mountPath", "must be unique" },
      { INVALID, "spec.containers[0].volumeMounts[2].mountPath", "must be a string" },
      { INVALID, "spec.containers[0].volumeMounts[2].readOnly", "must be a boolean" } } },
  { "pod/init-container-mounts",
    "pods.v1",
    "{'spec': {'initContainers': [{'name': 'i', 'image': 'x', 'volumeMounts': [{'name': 'v',"
    " 'mountPath': '/v'}]}], 'containers': [{'name': 'c', 'image': 'x'}]}}",
    { { INVALID, "spec.initContainers[0].volumeMounts[0].name", "not found" } } },
  { "pod/spec-numbers",
    "pods.v1",
    POD ("", ", 'terminationGracePeriodSeconds': -1, 'activeDeadlineSeconds': 0"),
    { { INVALID, "spec.terminationGracePeriodSeconds", "must be greater than or equal to 0" },
      { INVALID, "spec.activeDeadlineSeconds", "must be between 1 and 2147483647" } } },
  { "pod/names",
    "pods.v1",
    POD ("", ", 'serviceAccountName': 'Robot', 'nodeName': 'node_1', 'nodeSelector': {'a b': 'c'}"),
    { { INVALID, "spec.serviceAccountName", "RFC 1123 subdomain" },
      { INVALID, "spec.nodeName", "RFC 1123 subdomain" },
      { INVALID, "spec.nodeSelector", "name part must consist of alphanumeric characters" } } },
  { "pod/tolerations",
    "pods.v1",
    POD ("", ", 'tolerations': [{'key': 'a b'}, {'operator': 'Maybe'}, {'effect': 'NoRun'}, 3]"),
    { { INVALID, "spec.tolerations[0].key", "" },
      { NOT_SUPPORTED, "spec.tolerations[1].operator", "\"Equal\", \"Exists\"" },
      { NOT_SUPPORTED, "spec.tolerations[2].effect", "\"NoSchedule\"" },
      { INVALID, "spec.tolerations[3]", "must be an object" } } },
  { "pod/shapes",
    "pods.v1",
    "{'spec': {'containers': [1, {'name': 'c', 'image': 'x', 'ports': {}, 'env': 'x',"
    " 'resources': [], 'volumeMounts': 5}]}}",
    { { INVALID, "spec.containers[0]", "must be an object" },
      { INVALID, "spec.containers[1].ports", "must be a list" },
      { INVALID, "spec.containers[1].env", "must be a list" },
      { INVALID, "spec.containers[1].resources", "must be an object" },
      { INVALID, "spec.containers[1].volumeMounts", "must be a list" } } },

  { "node/valid",
    "nodes.v1",
    "{'metadata': {'name': 'n1'}, 'spec': {'podCIDR': '10.244.1.0/24', 'podCIDRs':"
    " ['10.244.1.0/24', 'fd00::/64'], 'taints': [{'key': 'node-role.kubernetes.io/control-plane',"
    " 'effect': 'NoSchedule'}], 'unschedulable': true}, 'status': {'capacity': {'cpu': '4',"
    " 'memory': '16Gi'}}}",
    { { NULL } } },
  { "node/cidrs",
    "nodes.v1",
    "{'spec': {'podCIDR': '10.244.1.0', 'podCIDRs': ['10.0.0.0/8', '10.1.0.0/16', '10.0.0.0/33',"
    " 4]}}",
    { { INVALID, "spec.podCIDR", "must be a valid CIDR" },
      { INVALID, "spec.podCIDRs", "may specify no more than one CIDR for each IP family" },
      { INVALID, "spec.podCIDRs[2]", "must be a valid CIDR" },
      { INVALID, "spec.podCIDRs[3]", "must be a string" } } },
  { "node/taints",
    "nodes.v1",
    "{'spec': {'taints': [{'key': 'a b', 'effect': 'NoSchedule'}, {'key': 'k', 'effect':"
    " 'Sometimes'}, {'key': 'k'}, {'key': 'a b', 'effect': 'NoSchedule'}]}}",
    { { INVALID, "spec.taints[0].key", "" },
      { NOT_SUPPORTED, "spec.taints[1].effect", "\"NoSchedule\", \"PreferNoSchedule\"" },
      { REQUIRED, "spec.taints[2].effect", "" },
      { INVALID, "spec.taints[3].key", "" },
      { DUPLICATE, "spec.taints", "taints must be unique by key and effect pair" } } },
  { "node/taint-duplicate",
    "nodes.v1",
    "{'spec': {'taints': [{'key': 'k', 'value': 'a', 'effect': 'NoSchedule'}, {'key': 'k',"
    " 'value': 'b', 'effect': 'NoSchedule'}, {'key': 'k', 'effect': 'NoExecute'}]}}",
    { { DUPLICATE, "spec.taints", "taints must be unique by key and effect pair" } } },
  { "node/shapes",
    "nodes.v1",
    "{'spec': {'unschedulable': 'yes', 'taints': {}}, 'status': {'capacity': {'cpu': 'many'}}}",
    { { INVALID, "spec.taints", "must be a list" },
      { INVALID, "spec.unschedulable", "must be a boolean" },
      { INVALID, "status.capacity[cpu]", QUANTITY },
      /* allocatable defaults to the capacity */
      { INVALID, "status.allocatable[cpu]", QUANTITY } } },

  { "service/valid",
    "services.v1",
    "{'spec': {'selector': {'app': 'web'}, 'ports': [{'name': 'http', 'port': 80, 'targetPort':"
    " 'http'}, {'name': 'https', 'port': 443, 'targetPort': 8443}], 'clusterIP': '10.96.0.10'}}",
    { { NULL } } },
  { "service/no-ports",
    "services.v1",
    "{'spec': {'selector': {'app': 'web'}}}",
    { { REQUIRED, "spec.ports", "" } } },
  { "service/headless", "services.v1", "{'spec': {'clusterIP': 'None'}}", { { NULL } } },
  { "service/type",
    "services.v1",
    "{'spec': {'type': 'Magic', 'sessionAffinity': 'Sticky', 'ports': [{'port': 80}]}}",
    { { NOT_SUPPORTED, "spec.type",
        "\"ClusterIP\", \"NodePort\", \"LoadBalancer\", \"ExternalName\"" },
      { NOT_SUPPORTED, "spec.sessionAffinity", "\"ClientIP\", \"None\"" } } },
  { "service/ports",
    "services.v1",
    "{'spec': {'ports': [{'name': 'a', 'port': 0, 'targetPort': 80}, {'port': 70000,"
    " 'targetPort': 80}, {'name': 'a', 'port': 80}]}}",
    { { INVALID, "spec.ports[0].port", PORT_RANGE },
      { REQUIRED, "spec.ports[1].name", "" },
      { INVALID, "spec.ports[1].port", PORT_RANGE },
      { DUPLICATE, "spec.ports[2].name", "" } } },
  { "service/port-pairs",
    "services.v1",
    "{'spec': {'ports': [{'name': 'a', 'port': 53}, {'name': 'b', 'port': 53, 'protocol': 'UDP'},"
    " {'name': 'c', 'port': 53}]}}",
    { { DUPLICATE, "spec.ports[2]", "ports must be unique by port and protocol" } } },
  { "service/port-fields",
    "services.v1",
    "{'spec': {'ports': [{'name': 'A', 'port': 80, 'protocol': 'HTTP', 'targetPort': 'x--y'}]}}",
    { { INVALID, "spec.ports[0].name", DNS_LABEL },
      { NOT_SUPPORTED, "spec.ports[0].protocol", "\"TCP\"" },
      { INVALID, "spec.ports[0].targetPort", "must not contain consecutive hyphens" } } },
  { "service/target-port",
    "services.v1",
    "{'spec': {'ports': [{'name': 'a', 'port': 80, 'targetPort': 99999}, {'name': 'b', 'port':"
    " 81, 'targetPort': []}, {'name': 'c', 'port': 'x'}]}}",
    { { INVALID, "spec.ports[0].targetPort", PORT_RANGE },
      { INVALID, "spec.ports[1].targetPort", "must be an integer or a string" },
      { INVALID, "spec.ports[2].port", "must be an integer" },
      { REQUIRED, "spec.ports[2].targetPort", "" } } },
  { "service/node-ports",
    "services.v1",
    "{'spec': {'type': 'NodePort', 'ports': [{'name': 'a', 'port': 80, 'nodePort': 30080},"
    " {'name': 'b', 'port': 81, 'nodePort': 8080}, {'name': 'c', 'port': 82, 'nodePort':"
    " 32768}]}}",
    { { INVALID, "spec.ports[1].nodePort", "The range of valid ports is 30000-32767" },
      { INVALID, "spec.ports[2].nodePort", "The range of valid ports is 30000-32767" } } },
  { "service/node-port-cluster-ip",
    "services.v1",
    "{'spec': {'ports': [{'port': 80, 'nodePort': 30080}]}}",
    { { FORBIDDEN, "spec.ports[0].nodePort", "may not be used when `type` is 'ClusterIP'" } } },
  { "service/cluster-ip",
    "services.v1",
    "{'spec': {'clusterIP': '10.96.0.300', 'ports': [{'port': 80}], 'externalIPs': ['1.2.3.4',"
    " 'x']}}",
    { { INVALID, "spec.clusterIP", "must be empty, 'None', or a valid IP address" },
      { INVALID, "spec.externalIPs[1]", "must be a valid IP address" } } },
  { "service/cluster-ip-v6",
    "services.v1",
    "{'spec': {'clusterIP': 'fd00::10', 'ports': [{'port': 80}]}}",
    { { NULL } } },
  { "service/headless-node-port",
    "services.v1",
    "{'spec': {'type': 'NodePort', 'clusterIP': 'None', 'ports': [{'port': 80}]}}",
    { { INVALID, "spec.clusterIP", "may not be set to 'None' for NodePort services" } } },
  { "service/selector",
    "services.v1",
    "{'spec': {'selector': {'app': 'a b'}, 'ports': [{'port': 80}]}}",
    { { INVALID, "spec.selector", "a valid label must be" } } },
  { "service/selector-value",
    "services.v1",
    "{'spec': {'selector': {'ok': 1}, 'ports': [{'port': 80}]}}",
    { { INVALID, "spec.selector[ok]", "must be a string" } } },
  { "service/external-name",
    "services.v1",
    "{'spec': {'type': 'ExternalName'}}",
    { { REQUIRED, "spec.externalName", "" } } },
  { "service/external-name-invalid",
    "services.v1",
    "{'spec': {'type': 'ExternalName', 'externalName': 'Not_A_Host'}}",
    { { INVALID, "spec.externalName", "RFC 1123 subdomain" } } },

  { "endpoints/valid",
    "endpoints.v1",
    "{'subsets': [{'addresses': [{'ip': '10.0.0.1'}, {'ip': 'fd00::1'}], 'notReadyAddresses':"
    " [{'ip': '10.0.0.2'}], 'ports': [{'port': 80}]}]}",
    { { NULL } } },
  { "endpoints/addresses",
    "endpoints.v1",
    "{'subsets': [{'addresses': [{'ip': '10.0.0'}, {}, {'ip': 3}], 'notReadyAddresses':"
    " [{'ip': 'x'}]}]}",
    { { INVALID, "subsets[0].addresses[0].ip", "must be a valid IP address" },
      { REQUIRED, "subsets[0].addresses[1].ip", "" },
      { INVALID, "subsets[0].addresses[2].ip", "must be a string" },
      { INVALID, "subsets[0].notReadyAddresses[0].ip", "must be a valid IP address" } } },
  { "endpoints/ports",
    "endpoints.v1",
    "{'subsets': [{'ports': [{'name': 'a', 'port': 0}, {'port': 80, 'protocol': 'X'}]}, 1]}",
    { { INVALID, "subsets[0].ports[0].port", PORT_RANGE },
      { REQUIRED, "subsets[0].ports[1].name", "" },
      { NOT_SUPPORTED, "subsets[0].ports[1].protocol", "\"TCP\"" },
      { INVALID, "subsets[1]", "must be an object" } } },

  { "resourcequota/valid",
    "resourcequotas.v1",
    "{'spec': {'hard': {'cpu': '10', 'memory': '64Gi', 'pods': 20, 'requests.storage': '1Ti',"
    " 'count/configmaps': '1e3'}, 'scopes': ['BestEffort']}, 'status': {'used': {'cpu': '1500m'}}}",
    { { NULL } } },
  { "resourcequota/quantities",
    "resourcequotas.v1",
    "{'spec': {'hard': {'cpu': '1.5.2', 'memory': '1GB', 'pods': '-1', 'a b': '1'}}}",
    { { INVALID, "spec.hard[cpu]", QUANTITY },
      { INVALID, "spec.hard[memory]", QUANTITY },
      { INVALID, "spec.hard[pods]", "must be greater than or equal to 0" },
      { INVALID, "spec.hard[a b]", "name part must consist of alphanumeric characters" } } },
  { "resourcequota/shapes",
    "resourcequotas.v1",
    "{'spec': {'hard': {'cpu': []}, 'scopes': ['Forever', 2]}, 'status': {'used': 'x'}}",
    { { INVALID, "spec.hard[cpu]", "must be a quantity" },
      { NOT_SUPPORTED, "spec.scopes[0]", "\"Terminating\"" },
      { INVALID, "spec.scopes[1]", "must be a string" },
      { INVALID, "status.used", "must be an object" } } },

  { "limitrange/valid",
    "limitranges.v1",
    "{'spec': {'limits': [{'type': 'Container', 'min': {'cpu': '100m'}, 'defaultRequest':"
    " {'cpu': '200m'}, 'default': {'cpu': '0.5'}, 'max': {'cpu': '1'}}, {'type': 'Pod', 'max':"
    " {'memory': '1Gi'}}, {'type': 'PersistentVolumeClaim', 'min': {'storage': '1Gi'}}]}}",
    { { NULL } } },
  { "limitrange/type",
    "limitranges.v1",
    "{'spec': {'limits': [{'type': 'Node'}, {}, {'type': 'Pod', 'default': {'cpu': '1'},"
    " 'defaultRequest': {'cpu': '1'}}]}}",
    { { NOT_SUPPORTED, "spec.limits[0].type", "\"Pod\", \"Container\", \"PersistentVolumeClaim\"" },
      { REQUIRED, "spec.limits[1].type", "" },
      { FORBIDDEN, "spec.limits[2].default", "may not be specified when `type` is 'Pod'" },
      { FORBIDDEN, "spec.limits[2].defaultRequest", "" } } },
  { "limitrange/order",
    "limitranges.v1",
    "{'spec': {'limits': [{'type': 'Container', 'min': {'cpu': '2'}, 'max': {'cpu': '1'}},"
    " {'type': 'Container', 'default': {'memory': '2Gi'}, 'max': {'memory': '1Gi'}},"
    " {'type': 'Container', 'default': {'memory': '1Gi'}, 'defaultRequest': {'memory':"
    " '1025Mi'}}]}}",
    { { INVALID, "spec.limits[0].min[cpu]", "min value 2 is greater than max value 1" },
      { INVALID, "spec.limits[1].default[memory]",
        "default value 2Gi is greater than max value 1Gi" },
      { INVALID, "spec.limits[2].defaultRequest[memory]",
        "default request value 1025Mi is greater than default limit value 1Gi" } } },
  { "limitrange/ratio",
    "limitranges.v1",
    "{'spec': {'limits': [{'type': 'Container', 'maxLimitRequestRatio': {'cpu': '500m', 'memory':"
    " '1', 'ephemeral-storage': 2}}]}}",
    { { INVALID, "spec.limits[0].maxLimitRequestRatio[cpu]", "ratio 500m is less than 1" } } },
  { "limitrange/min-default-request",
    "limitranges.v1",
    "{'spec': {'limits': [{'type': 'Container', 'min': {'cpu': '1'}, 'defaultRequest': {'cpu':"
    " '500m'}, 'default': {'cpu': '2'}, 'max': {'cpu': '3'}}, {'type': 'Container',"
    " 'defaultRequest': {'cpu': '4'}, 'max': {'cpu': '3'}}, {'type': 'Container', 'min': {'cpu':"
    " '2'}, 'default': {'cpu': '1'}}]}}",
    { { INVALID, "spec.limits[0].defaultRequest[cpu]",
        "min value 1 is greater than default request value 500m" },
      { INVALID, "spec.limits[1].defaultRequest[cpu]",
        "default request value 4 is greater than max value 3" },
      { INVALID, "spec.limits[2].default[cpu]", "min value 2 is greater than default value 1" } } },
  { "limitrange/quantities",
    "limitranges.v1",
    "{'spec': {'limits': [{'type': 'Container', 'max': {'cpu': 'x'}, 'min': {'cpu': '1'},"
    " 'maxLimitRequestRatio': {'cpu': '-2'}}, 3]}}",
    { { INVALID, "spec.limits[0].max[cpu]", QUANTITY },
      { INVALID, "spec.limits[0].maxLimitRequestRatio[cpu]", "must be greater than or equal to 0" },
      { INVALID, "spec.limits[1]", "must be an object" } } },
};

/* Validation on update */

#define POD_ON(node) POD ("", ", 'nodeName': '" node "'")

static const UpdateCase update_cases[] = {
  { "pod/image",
    "pods.v1",
    POD ("", ""),
    "{'metadata': {'name': 'p', 'namespace': 'n'}, 'spec': {'containers': [{'name': 'c', 'image':"
    " 'nginx:1.26'}]}}",
    { { NULL } } },
  { "pod/labels",
    "pods.v1",
    POD ("", ""),
    "{'metadata': {'name': 'p', 'namespace': 'n', 'labels': {'a': 'b'}}, 'spec': {'containers':"
    " [{'name': 'c', 'image': 'nginx:1.25'}]}, 'status': {'phase': 'Running'}}",
    { { NULL } } },
  { "pod/spec-changed",
    "pods.v1",
    POD ("", ""),
    POD (", 'ports': [{'containerPort': 80}]", ""),
    { { FORBIDDEN, "spec", FORBIDDEN_POD_UPDATE } } },
  { "pod/container-added",
    "pods.v1",
    POD ("", ""),
    "{'spec': {'containers': [{'name': 'c', 'image': 'nginx:1.25'}, {'name': 'd', 'image': 'x'}]}}",
    { { FORBIDDEN, "spec", FORBIDDEN_POD_UPDATE } } },
  { "pod/restart-policy",
    "pods.v1",
    POD ("", ""),
    POD ("", ", 'restartPolicy': 'Never'"),
    { { FORBIDDEN, "spec", "`spec.terminationGracePeriodSeconds`" } } },
  { "pod/empty-is-absent",
    "pods.v1",
    POD ("", ", 'nodeSelector': {}, 'volumes': []"),
    POD ("", ""),
    { { NULL } } },
  { "pod/grace-period",
    "pods.v1",
    POD ("", ""),
    POD ("", ", 'terminationGracePeriodSeconds': 5"),
    { { NULL } } },
  { "pod/deadline-set",
    "pods.v1",
    POD ("", ""),
    POD ("", ", 'activeDeadlineSeconds': 60"),
    { { NULL } } },
  { "pod/deadline-shorter",
    "pods.v1",
    POD ("", ", 'activeDeadlineSeconds': 60"),
    POD ("", ", 'activeDeadlineSeconds': 30"),
    { { NULL } } },
  { "pod/deadline-longer",
    "pods.v1",
    POD ("", ", 'activeDeadlineSeconds': 60"),
    POD ("", ", 'activeDeadlineSeconds': 90"),
    { { INVALID, "spec.activeDeadlineSeconds", "must be less than or equal to previous value" } } },
  { "pod/deadline-removed",
    "pods.v1",
    POD ("", ", 'activeDeadlineSeconds': 60"),
    POD ("", ""),
    { { INVALID, "spec.activeDeadlineSeconds",
        "must not update from a positive integer to nil value" } } },
  { "pod/toleration-added",
    "pods.v1",
    POD ("", ", 'tolerations': [{'key': 'a', 'operator': 'Exists'}]"),
    POD ("",
         ", 'tolerations': [{'key': 'a', 'operator': 'Exists'}, {'key': 'b', 'operator':"
         " 'Exists'}]"),
    { { NULL } } },
  { "pod/toleration-removed",
    "pods.v1",
    POD ("",
         ", 'tolerations': [{'key': 'a', 'operator': 'Exists'}, {'key': 'b', 'operator':"
         " 'Exists'}]"),
    POD ("", ", 'tolerations': [{'key': 'b', 'operator': 'Exists'}]"),
    { { FORBIDDEN, "spec.tolerations[0]", "existing toleration can not be modified" } } },
  { "pod/bound", "pods.v1", POD ("", ""), POD_ON ("n1"), { { NULL } } },
  { "pod/rebound",
    "pods.v1",
    POD_ON ("n1"),
    POD_ON ("n2"),
    { { INVALID, "spec.nodeName", "field is immutable" } } },
  { "pod/unbound",
    "pods.v1",
    POD_ON ("n1"),
    POD ("", ""),
    { { INVALID, "spec.nodeName", "field is immutable" } } },
  { "pod/new-still-checked",
    "pods.v1",
    POD ("", ""),
    "{'spec': {'containers': [{'name': 'c', 'image': ''}]}}",
    { { REQUIRED, "spec.containers[0].image", "" } } },
  { "pod/malformed-old", "pods.v1", "{'spec': 3}", POD ("", ""), { { NULL } } },

  { "node/taints",
    "nodes.v1",
    "{'spec': {}}",
    "{'spec': {'taints': [{'key': 'k', 'effect': 'NoSchedule'}], 'unschedulable': true}}",
    { { NULL } } },
  { "node/pod-cidr-set",
    "nodes.v1",
    "{'spec': {}}",
    "{'spec': {'podCIDR': '10.0.1.0/24'}}",
    { { NULL } } },
  { "node/pod-cidr-changed",
    "nodes.v1",
    "{'spec': {'podCIDR': '10.0.1.0/24'}}",
    "{'spec': {'podCIDR': '10.0.2.0/24'}}",
    { { FORBIDDEN, "spec.podCIDR",
        "node updates may not change podCIDR except from \"\" to valid" } } },
  { "node/provider-changed",
    "nodes.v1",
    "{'spec': {'providerID': 'aws:///a'}}",
    "{'spec': {'providerID': 'aws:///b'}}",
    { { FORBIDDEN, "spec.providerID", "may not change providerID" } } },
  { "node/new-still-checked",
    "nodes.v1",
    "{}",
    "{'spec': {'podCIDR': 'x'}}",
    { { INVALID, "spec.podCIDR", "must be a valid CIDR" } } },

  { "service/cluster-ip-kept",
    "services.v1",
    "{'spec': {'clusterIP': '10.96.0.1', 'ports': [{'port': 80}]}}",
    "{'spec': {'clusterIP': '10.96.0.1', 'ports': [{'port': 81}]}}",
    { { NULL } } },
  { "service/cluster-ip-changed",
    "services.v1",
    "{'spec': {'clusterIP': '10.96.0.1', 'ports': [{'port': 80}]}}",
    "{'spec': {'clusterIP': '10.96.0.2', 'ports': [{'port': 80}]}}",
    { { INVALID, "spec.clusterIP", "field is immutable" } } },
  { "service/cluster-ip-allocated",
    "services.v1",
    "{'spec': {'ports': [{'port': 80}]}}",
    "{'spec': {'clusterIP': '10.96.0.2', 'ports': [{'port': 80}]}}",
    { { NULL } } },
  { "service/to-external-name",
    "services.v1",
    "{'spec': {'clusterIP': '10.96.0.1', 'ports': [{'port': 80}]}}",
    "{'spec': {'type': 'ExternalName', 'externalName': 'example.com'}}",
    { { NULL } } },
  { "service/new-still-checked",
    "services.v1",
    "{'spec': {'ports': [{'port': 80}]}}",
    "{'spec': {'ports': [{'port': 0, 'targetPort': 80}]}}",
    { { INVALID, "spec.ports[0].port", PORT_RANGE } } },

  { "endpoints/checked",
    "endpoints.v1",
    "{}",
    "{'subsets': [{'addresses': [{'ip': 'x'}]}]}",
    { { INVALID, "subsets[0].addresses[0].ip", "must be a valid IP address" } } },
  { "resourcequota/checked",
    "resourcequotas.v1",
    "{}",
    "{'spec': {'hard': {'cpu': 'x'}}}",
    { { INVALID, "spec.hard[cpu]", QUANTITY } } },
  { "limitrange/checked",
    "limitranges.v1",
    "{}",
    "{'spec': {'limits': [{}]}}",
    { { REQUIRED, "spec.limits[0].type", "" } } },
};

/* Field selectors and printed columns */

#define STATUSES(list) "{'status': {'containerStatuses': [" list "]}}"

static const ValueCase field_cases[] = {
  { "pod/node-name", "pods.v1", "{'spec': {'nodeName': 'n1'}}", "spec.nodeName", "n1" },
  { "pod/scheduler", "pods.v1", "{'spec': {'schedulerName': 's'}}", "spec.schedulerName", "s" },
  { "pod/service-account", "pods.v1", "{'spec': {'serviceAccountName': 'sa'}}",
    "spec.serviceAccountName", "sa" },
  { "pod/phase", "pods.v1", "{'status': {'phase': 'Running'}}", "status.phase", "Running" },
  { "pod/pod-ip", "pods.v1", "{'status': {'podIP': '10.0.0.1'}}", "status.podIP", "10.0.0.1" },
  { "pod/nominated", "pods.v1", "{'status': {'nominatedNodeName': 'n2'}}",
    "status.nominatedNodeName", "n2" },
  { "pod/missing", "pods.v1", "{'spec': []}", "spec.nodeName", NULL },
  { "pod/number", "pods.v1", "{'status': {'phase': 1}}", "status.phase", NULL },
  { "pod/unknown", "pods.v1", "{'spec': {'restartPolicy': 'Always'}}", "spec.restartPolicy", NULL },
  { "node/unschedulable", "nodes.v1", "{'spec': {'unschedulable': true}}", "spec.unschedulable",
    "true" },
  { "node/schedulable", "nodes.v1", "{}", "spec.unschedulable", "false" },
  { "node/unschedulable-string", "nodes.v1", "{'spec': {'unschedulable': 'true'}}",
    "spec.unschedulable", "false" },
  { "node/unknown", "nodes.v1", "{}", "spec.podCIDR", NULL },
  { "service/cluster-ip", "services.v1", "{'spec': {'clusterIP': 'None'}}", "spec.clusterIP",
    "None" },
  { "service/type", "services.v1", "{'spec': {'type': 'NodePort'}}", "spec.type", "NodePort" },
  { "service/unknown", "services.v1", "{'spec': {}}", "spec.ports", NULL },
};

static const ValueCase column_cases[] = {
  { "pod/ready", "pods.v1",
    "{'spec': {'containers': [{}, {}, {}]}, 'status': {'containerStatuses': [{'ready': true},"
    " {'ready': false}, {'ready': true}]}}",
    "READY", "2/3" },
  { "pod/ready-no-status", "pods.v1", "{'spec': {'containers': [{}, {}]}}", "READY", "0/2" },
  { "pod/ready-malformed", "pods.v1",
    "{'spec': {'containers': 'x'}, 'status': {'containerStatuses': [{'ready': 'yes'}, 3]}}",
    "READY", "0/1" },
  { "pod/status-phase", "pods.v1", "{'status': {'phase': 'Running'}}", "STATUS", "Running" },
  { "pod/status-reason", "pods.v1", "{'status': {'phase': 'Failed', 'reason': 'Evicted'}}",
    "STATUS", "Evicted" },
  { "pod/status-waiting", "pods.v1",
    "{'status': {'phase': 'Running', 'containerStatuses': [{'state': {'running': {}}},"
    " {'state': {'waiting': {'reason': 'CrashLoopBackOff'}}}]}}",
    "STATUS", "CrashLoopBackOff" },
  { "pod/status-terminated", "pods.v1",
    "{'status': {'phase': 'Succeeded', 'containerStatuses': [{'state': {'terminated':"
    " {'reason': 'Completed', 'exitCode': 0}}}]}}",
    "STATUS", "Completed" },
  { "pod/status-exit-code", "pods.v1",
    "{'status': {'phase': 'Failed', 'containerStatuses': [{'state': {'terminated':"
    " {'exitCode': 2}}}]}}",
    "STATUS", "ExitCode:2" },
  { "pod/status-signal", "pods.v1",
    "{'status': {'phase': 'Failed', 'containerStatuses': [{'state': {'terminated':"
    " {'signal': 9, 'exitCode': 137}}}]}}",
    "STATUS", "Signal:9" },
  { "pod/status-init", "pods.v1",
    "{'spec': {'initContainers': [{}, {}]}, 'status': {'phase': 'Pending',"
    " 'initContainerStatuses': [{'state': {'terminated': {'exitCode': 0}}}, {'state':"
    " {'running': {}}}]}}",
    "STATUS", "Init:1/2" },
  { "pod/status-init-waiting", "pods.v1",
    "{'status': {'phase': 'Pending', 'initContainerStatuses': [{'state': {'waiting': {'reason':"
    " 'ImagePullBackOff'}}}]}}",
    "STATUS", "Init:ImagePullBackOff" },
  { "pod/status-init-failed", "pods.v1",
    "{'status': {'phase': 'Pending', 'initContainerStatuses': [{'state': {'terminated':"
    " {'exitCode': 1, 'reason': 'Error'}}}]}}",
    "STATUS", "Init:Error" },
  { "pod/status-terminating", "pods.v1",
    "{'metadata': {'deletionTimestamp': '2026-01-01T00:00:00Z'}, 'status': {'phase': 'Running'}}",
    "STATUS", "Terminating" },
  { "pod/status-node-lost", "pods.v1",
    "{'metadata': {'deletionTimestamp': '2026-01-01T00:00:00Z'}, 'status': {'phase': 'Running',"
    " 'reason': 'NodeLost'}}",
    "STATUS", "Unknown" },
  { "pod/status-none", "pods.v1", "{'status': 5}", "STATUS", "" },
  { "pod/restarts", "pods.v1",
    "{'status': {'initContainerStatuses': [{'restartCount': 1}], 'containerStatuses':"
    " [{'restartCount': 2}, {'restartCount': 3}, {'restartCount': 'x'}]}}",
    "RESTARTS", "6" },
  { "pod/restarts-none", "pods.v1", STATUSES (""), "RESTARTS", "0" },
  { "pod/unknown", "pods.v1", "{}", "AGE", NULL },

  { "node/ready", "nodes.v1",
    "{'status': {'conditions': [{'type': 'MemoryPressure', 'status': 'False'}, {'type': 'Ready',"
    " 'status': 'True'}]}}",
    "STATUS", "Ready" },
  { "node/not-ready", "nodes.v1",
    "{'status': {'conditions': [{'type': 'Ready', 'status': 'False'}]}}", "STATUS", "NotReady" },
  { "node/unknown-status", "nodes.v1",
    "{'status': {'conditions': [{'type': 'Ready', 'status': 'Unknown'}]}}", "STATUS", "Unknown" },
  { "node/no-conditions", "nodes.v1", "{}", "STATUS", "Unknown" },
  { "node/cordoned", "nodes.v1",
    "{'spec': {'unschedulable': true}, 'status': {'conditions': [{'type': 'Ready', 'status':"
    " 'True'}]}}",
    "STATUS", "Ready,SchedulingDisabled" },
  { "node/roles", "nodes.v1",
    "{'metadata': {'labels': {'node-role.kubernetes.io/worker': '',"
    " 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': 'x', 'a': 'b'}}}",
    "ROLES", "control-plane,worker" },
  { "node/role-label", "nodes.v1", "{'metadata': {'labels': {'kubernetes.io/role': 'master'}}}",
    "ROLES", "master" },
  { "node/no-roles", "nodes.v1", "{'metadata': {'labels': []}}", "ROLES", "<none>" },

  { "service/ports", "services.v1",
    "{'spec': {'ports': [{'port': 80, 'protocol': 'TCP'}, {'port': 443, 'nodePort': 30443,"
    " 'protocol': 'TCP'}, {'port': 53, 'protocol': 'UDP'}]}}",
    "PORT(S)", "80/TCP,443:30443/TCP,53/UDP" },
  { "service/no-ports", "services.v1", "{'spec': {'ports': {}}}", "PORT(S)", "<none>" },
  { "service/external-ip", "services.v1", "{'spec': {'type': 'ClusterIP'}}", "EXTERNAL-IP",
    "<none>" },
  { "service/external-ips", "services.v1",
    "{'spec': {'type': 'NodePort', 'externalIPs': ['1.2.3.4', 5]}}", "EXTERNAL-IP", "1.2.3.4" },
  { "service/load-balancer-pending", "services.v1", "{'spec': {'type': 'LoadBalancer'}}",
    "EXTERNAL-IP", "<pending>" },
  { "service/load-balancer", "services.v1",
    "{'spec': {'type': 'LoadBalancer'}, 'status': {'loadBalancer': {'ingress': [{'ip':"
    " '203.0.113.1'}, {'hostname': 'lb.example.com'}]}}}",
    "EXTERNAL-IP", "203.0.113.1,lb.example.com" },
  { "service/external-name", "services.v1",
    "{'spec': {'type': 'ExternalName', 'externalName': 'db.example.com'}}", "EXTERNAL-IP",
    "db.example.com" },
  { "service/selector", "services.v1", "{'spec': {'selector': {'tier': 'web', 'app': 'shop'}}}",
    "SELECTOR", "app=shop,tier=web" },
  { "service/no-selector", "services.v1", "{'spec': {'selector': 'x'}}", "SELECTOR", "<none>" },

  { "endpoints/list", "endpoints.v1",
    "{'subsets': [{'addresses': [{'ip': '10.0.0.1'}, {'ip': '10.0.0.2'}], 'ports': [{'port':"
    " 80}]}]}",
    "ENDPOINTS", "10.0.0.1:80,10.0.0.2:80" },
  { "endpoints/more", "endpoints.v1",
    "{'subsets': [{'addresses': [{'ip': '10.0.0.1'}, {'ip': '10.0.0.2'}], 'ports': [{'port':"
    " 80}, {'port': 443}]}]}",
    "ENDPOINTS", "10.0.0.1:80,10.0.0.1:443,10.0.0.2:80 + 1 more..." },
  { "endpoints/no-ports", "endpoints.v1", "{'subsets': [{'addresses': [{'ip': '10.0.0.1'}]}]}",
    "ENDPOINTS", "10.0.0.1" },
  { "endpoints/not-ready", "endpoints.v1",
    "{'subsets': [{'notReadyAddresses': [{'ip': '10.0.0.1'}], 'ports': [{'port': 80}]}]}",
    "ENDPOINTS", "<none>" },
  { "endpoints/malformed", "endpoints.v1", "{'subsets': {'addresses': []}}", "ENDPOINTS",
    "<none>" },
};

/* Pod status reaches validation too. */
static void
test_validate_pod_status (void)
{
  g_autoptr (JsonObject) pod = parse (POD ("", ""));
  const Cause causes[] = { { INVALID, "status.phase", "must be a string" },
                           { INVALID, "status.podIP", "must be a valid IP address" },
                           { INVALID, "status.containerStatuses", "must be a list" },
                           { NULL } };

  json_object_set_object_member (pod, "status",
                                 parse ("{'phase': 1, 'podIP': '10.0.0.256',"
                                        " 'containerStatuses': {}}"));
  g_autoptr (TimonFieldErrors) errors = run_validate (lookup ("pods.v1"), pod, NULL);
  assert_causes (errors, causes);
}

/* Graceful deletion: Kubernetes' podStrategy.CheckGracefulDelete. */
static void
test_pod_graceful_delete (void)
{
  static const struct {
    const char *name;
    const char *pod;
    gint64 requested;
    gint64 period;
  } cases[] = {
    { "bound, its own period", POD ("", ", 'nodeName': 'n1', 'terminationGracePeriodSeconds': 7"),
      -1, 7 },
    { "bound, the default period", POD ("", ", 'nodeName': 'n1'"), -1, 30 },
    { "bound, the period asked for", POD ("", ", 'nodeName': 'n1'"), 3, 3 },
    { "bound, none asked for", POD ("", ", 'nodeName': 'n1'"), 0, 0 },
    { "bound, a negative own period",
      POD ("", ", 'nodeName': 'n1', 'terminationGracePeriodSeconds': -3"), -1, 1 },
    { "unscheduled", POD ("", ""), -1, 0 },
    { "unscheduled, a period asked for", POD ("", ""), 30, 0 },
    { "an empty node name", POD ("", ", 'nodeName': ''"), -1, 0 },
    { "a malformed node name", POD ("", ", 'nodeName': 3"), -1, 0 },
    { "no spec", "{'metadata': {'name': 'p'}}", 10, 0 },
  };
  static const struct {
    const char *phase;
    gint64 period;
  } phases[] = {
    { "Pending", 30 }, { "Running", 30 }, { "Unknown", 30 }, { "Succeeded", 0 }, { "Failed", 0 },
  };
  TimonResourceType *type = lookup ("pods.v1");
  gpointer data;
  const TimonResourceHooks *hooks = timon_resource_type_get_hooks (type, &data);

  g_assert_nonnull (hooks->check_graceful_delete);
  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonObject) pod = parse (cases[i].pod);
    g_test_message ("%s", cases[i].name);
    g_assert_cmpint (hooks->check_graceful_delete (pod, cases[i].requested, data), ==,
                     cases[i].period);
  }
  /* Ended pods have nothing left to stop. */
  for (size_t i = 0; i < G_N_ELEMENTS (phases); i++) {
    g_autoptr (JsonObject) pod = parse (POD ("", ", 'nodeName': 'n1'"));
    json_object_set_object_member (pod, "status", json_object_new ());
    json_object_set_string_member (json_object_get_object_member (pod, "status"), "phase",
                                   phases[i].phase);
    g_test_message ("%s", phases[i].phase);
    g_assert_cmpint (hooks->check_graceful_delete (pod, -1, data), ==, phases[i].period);
  }
}

/* Quantities */

typedef struct {
  const char *text;
  gboolean valid;
  double value;
} QuantityCase;

static const QuantityCase quantity_cases[] = {
  { "0", TRUE, 0 },
  { "1", TRUE, 1 },
  { "+1", TRUE, 1 },
  { "-1", TRUE, -1 },
  { "1.5", TRUE, 1.5 },
  { ".5", TRUE, 0.5 },
  { "5.", TRUE, 5 },
  { "100m", TRUE, 0.1 },
  { "0.1", TRUE, 0.1 },
  { "250u", TRUE, 0.00025 },
  { "3n", TRUE, 3e-9 },
  { "1k", TRUE, 1000 },
  { "1M", TRUE, 1e6 },
  { "1G", TRUE, 1e9 },
  { "2T", TRUE, 2e12 },
  { "1P", TRUE, 1e15 },
  { "1E", TRUE, 1e18 },
  { "1Ki", TRUE, 1024 },
  { "1.5Mi", TRUE, 1572864 },
  { "1Gi", TRUE, 1073741824 },
  { "1Ti", TRUE, 1099511627776.0 },
  { "1Pi", TRUE, 1125899906842624.0 },
  { "1Ei", TRUE, 1152921504606846976.0 },
  { "1e3", TRUE, 1000 },
  { "1E3", TRUE, 1000 },
  { "12e-3", TRUE, 0.012 },
  { "1e+2", TRUE, 100 },
  { "", FALSE, 0 },
  { "m", FALSE, 0 },
  { ".", FALSE, 0 },
  { "1.2.3", FALSE, 0 },
  { "1K", FALSE, 0 },
  { "1KB", FALSE, 0 },
  { "1GB", FALSE, 0 },
  { "1mi", FALSE, 0 },
  { "1 Gi", FALSE, 0 },
  { "1e", FALSE, 0 },
  { "1e1.5", FALSE, 0 },
  { "1e400", FALSE, 0 },
  { "0x10", FALSE, 0 },
  { "Gi", FALSE, 0 },
  { "--1", FALSE, 0 },
};

static void
test_quantity_parse (void)
{
  for (size_t i = 0; i < G_N_ELEMENTS (quantity_cases); i++) {
    const QuantityCase *c = &quantity_cases[i];
    double value = -42;

    g_test_message ("%s", c->text);
    g_assert_cmpint (core_v1_quantity_parse (c->text, &value), ==, c->valid);
    if (c->valid)
      g_assert_cmpfloat (value, ==, c->value);
  }
  g_assert_false (core_v1_quantity_parse (NULL, NULL));
  g_assert_true (core_v1_quantity_parse ("1", NULL));
}

/* JSON numbers are quantities too; what is negative or no quantity is
 * reported with Kubernetes' words. */
static void
test_quantity_validate (void)
{
  struct {
    const char *json;
    gboolean valid;
    double value;
    const char *detail;
  } cases[] = {
    { "'2Gi'", TRUE, 2147483648.0, NULL },
    { "3", TRUE, 3, NULL },
    { "0.25", TRUE, 0.25, NULL },
    { "'-1'", FALSE, 0, "must be greater than or equal to 0" },
    { "-2", FALSE, 0, "must be greater than or equal to 0" },
    { "'x'", FALSE, 0, QUANTITY },
    { "true", FALSE, 0, "must be a quantity" },
    { "[]", FALSE, 0, "must be a quantity" },
    { "null", FALSE, 0, "must be a quantity" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (JsonNode) node = parse_node (cases[i].json);
    g_autoptr (TimonFieldErrors) errors = timon_field_errors_new ();
    double value = -42;

    g_test_message ("%s", cases[i].json);
    g_assert_cmpint (core_v1_validate_quantity (node, "q", errors, &value), ==, cases[i].valid);
    if (cases[i].valid) {
      g_assert_cmpfloat (value, ==, cases[i].value);
      g_assert_cmpuint (timon_field_errors_get_length (errors), ==, 0);
    } else {
      g_assert_cmpuint (timon_field_errors_get_length (errors), ==, 1);
      g_assert_cmpstr (timon_field_errors_get_field (errors, 0), ==, "q");
      assert_contains (timon_field_errors_get_detail (errors, 0), cases[i].detail);
    }
  }
}

/* Addresses */

static void
test_addresses (void)
{
  const char *const ips[] = { "10.0.0.1", "0.0.0.0",        "255.255.255.255", "::1",
                              "fd00::10", "2001:db8::ffff", "::ffff:10.0.0.1", NULL };
  const char *const not_ips[] = { "",         "10.0.0", "10.0.0.256", "10.0.0.1/8", "x",
                                  "1.2.3.4 ", ":::",    "fd00::g",    NULL };
  const char *const cidrs[] = { "10.0.0.0/8", "10.0.0.0/0", "10.0.0.1/32", "fd00::/64",
                                "::/0",       "::1/128",    NULL };
  const char *const not_cidrs[] = {
    "10.0.0.0",    "10.0.0.0/33", "fd00::/129",   "10.0.0.0/", "/8",
    "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/8/8", "x/8",       NULL
  };

  for (const char *const *s = ips; *s != NULL; s++)
    g_assert_true (core_v1_is_ip (*s));
  for (const char *const *s = not_ips; *s != NULL; s++)
    g_assert_false (core_v1_is_ip (*s));
  for (const char *const *s = cidrs; *s != NULL; s++)
    g_assert_true (core_v1_is_cidr (*s));
  for (const char *const *s = not_cidrs; *s != NULL; s++)
    g_assert_false (core_v1_is_cidr (*s));
}

/* Robustness: every member a type reads, given every JSON shape. */

static const Member members[] = {
  { "pods.v1", "metadata", NULL },
  { "pods.v1", "metadata.deletionTimestamp", NULL },
  { "pods.v1", "spec", "object" },
  { "pods.v1", "spec.containers", "array" },
  { "pods.v1", "spec.containers.0.name", "string" },
  { "pods.v1", "spec.containers.0.image", "string" },
  { "pods.v1", "spec.containers.0.imagePullPolicy", "string" },
  { "pods.v1", "spec.containers.0.terminationMessagePolicy", "string" },
  { "pods.v1", "spec.containers.0.ports", "array" },
  { "pods.v1", "spec.containers.0.ports.0.containerPort", "integer" },
  { "pods.v1", "spec.containers.0.ports.0.hostPort", "integer" },
  { "pods.v1", "spec.containers.0.ports.0.name", "string" },
  { "pods.v1", "spec.containers.0.ports.0.protocol", "string" },
  { "pods.v1", "spec.containers.0.env", "array" },
  { "pods.v1", "spec.containers.0.env.0.name", "string" },
  { "pods.v1", "spec.containers.0.env.0.value", "string" },
  { "pods.v1", "spec.containers.0.resources", "object" },
  { "pods.v1", "spec.containers.0.resources.limits", "object" },
  { "pods.v1", "spec.containers.0.resources.requests", "object" },
  { "pods.v1", "spec.containers.0.resources.limits.cpu", NULL },
  { "pods.v1", "spec.containers.0.volumeMounts", "array" },
  { "pods.v1", "spec.containers.0.volumeMounts.0.name", "string" },
  { "pods.v1", "spec.containers.0.volumeMounts.0.mountPath", "string" },
  { "pods.v1", "spec.containers.0.volumeMounts.0.readOnly", "boolean" },
  { "pods.v1", "spec.initContainers", "array" },
  { "pods.v1", "spec.volumes", "array" },
  { "pods.v1", "spec.volumes.0.name", "string" },
  { "pods.v1", "spec.volumes.0.emptyDir", "object" },
  { "pods.v1", "spec.volumes.0.hostPath", "object" },
  { "pods.v1", "spec.tolerations", "array" },
  { "pods.v1", "spec.tolerations.0.key", "string" },
  { "pods.v1", "spec.tolerations.0.effect", "string" },
  { "pods.v1", "spec.tolerations.0.tolerationSeconds", "integer" },
  { "pods.v1", "spec.restartPolicy", "string" },
  { "pods.v1", "spec.dnsPolicy", "string" },
  { "pods.v1", "spec.dnsConfig", "object" },
  { "pods.v1", "spec.nodeName", "string" },
  { "pods.v1", "spec.nodeSelector", "object" },
  { "pods.v1", "spec.serviceAccountName", "string" },
  { "pods.v1", "spec.schedulerName", "string" },
  { "pods.v1", "spec.terminationGracePeriodSeconds", "integer" },
  { "pods.v1", "spec.activeDeadlineSeconds", "integer" },
  { "pods.v1", "spec.enableServiceLinks", "boolean" },
  { "pods.v1", "spec.securityContext", "object" },
  { "pods.v1", "status", "object" },
  { "pods.v1", "status.phase", "string" },
  { "pods.v1", "status.reason", NULL },
  { "pods.v1", "status.podIP", "string" },
  { "pods.v1", "status.containerStatuses", "array" },
  { "pods.v1", "status.containerStatuses.0.ready", NULL },
  { "pods.v1", "status.containerStatuses.0.restartCount", NULL },
  { "pods.v1", "status.containerStatuses.0.state", NULL },
  { "pods.v1", "status.initContainerStatuses", "array" },
  { "nodes.v1", "metadata.labels", NULL },
  { "nodes.v1", "spec", "object" },
  { "nodes.v1", "spec.podCIDR", "string" },
  { "nodes.v1", "spec.podCIDRs", "array" },
  { "nodes.v1", "spec.taints", "array" },
  { "nodes.v1", "spec.taints.0.key", "string" },
  { "nodes.v1", "spec.taints.0.value", "string" },
  { "nodes.v1", "spec.taints.0.effect", "string" },
  { "nodes.v1", "spec.unschedulable", "boolean" },
  { "nodes.v1", "spec.providerID", "string" },
  { "nodes.v1", "status", "object" },
  { "nodes.v1", "status.capacity", "object" },
  { "nodes.v1", "status.allocatable", "object" },
  { "nodes.v1", "status.conditions", "array" },
  { "nodes.v1", "status.conditions.0.type", NULL },
  { "nodes.v1", "status.conditions.0.status", NULL },
  { "nodes.v1", "status.nodeInfo", "object" },
  { "services.v1", "spec", "object" },
  { "services.v1", "spec.type", "string" },
  { "services.v1", "spec.clusterIP", "string" },
  { "services.v1", "spec.sessionAffinity", "string" },
  { "services.v1", "spec.internalTrafficPolicy", "string" },
  { "services.v1", "spec.externalTrafficPolicy", "string" },
  { "services.v1", "spec.ipFamilyPolicy", "string" },
  { "services.v1", "spec.externalName", "string" },
  { "services.v1", "spec.externalIPs", "array" },
  { "services.v1", "spec.selector", "object" },
  { "services.v1", "spec.ports", "array" },
  { "services.v1", "spec.ports.0.name", "string" },
  { "services.v1", "spec.ports.0.port", "integer" },
  { "services.v1", "spec.ports.0.protocol", "string" },
  { "services.v1", "spec.ports.0.targetPort", NULL },
  { "services.v1", "spec.ports.0.nodePort", "integer" },
  { "services.v1", "status", "object" },
  { "services.v1", "status.loadBalancer", "object" },
  { "services.v1", "status.loadBalancer.ingress", "array" },
  { "endpoints.v1", "subsets", "array" },
  { "endpoints.v1", "subsets.0.addresses", "array" },
  { "endpoints.v1", "subsets.0.addresses.0.ip", "string" },
  { "endpoints.v1", "subsets.0.addresses.0.hostname", "string" },
  { "endpoints.v1", "subsets.0.notReadyAddresses", "array" },
  { "endpoints.v1", "subsets.0.ports", "array" },
  { "endpoints.v1", "subsets.0.ports.0.port", "integer" },
  { "endpoints.v1", "subsets.0.ports.0.protocol", "string" },
  { "endpoints.v1", "subsets.0.ports.0.name", "string" },
  { "resourcequotas.v1", "spec", "object" },
  { "resourcequotas.v1", "spec.hard", "object" },
  { "resourcequotas.v1", "spec.hard.cpu", NULL },
  { "resourcequotas.v1", "spec.scopes", "array" },
  { "resourcequotas.v1", "status", "object" },
  { "resourcequotas.v1", "status.used", "object" },
  { "limitranges.v1", "spec", "object" },
  { "limitranges.v1", "spec.limits", "array" },
  { "limitranges.v1", "spec.limits.0.type", "string" },
  { "limitranges.v1", "spec.limits.0.max", "object" },
  { "limitranges.v1", "spec.limits.0.min", "object" },
  { "limitranges.v1", "spec.limits.0.default", "object" },
  { "limitranges.v1", "spec.limits.0.defaultRequest", "object" },
  { "limitranges.v1", "spec.limits.0.maxLimitRequestRatio", "object" },
  { "limitranges.v1", "spec.limits.0.max.cpu", NULL },
};

const char *
valid_object (const char *feature)
{
  if (g_str_equal (feature, "pods.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'containers': [{'name': 'c',"
           " 'image': 'nginx:1.25', 'imagePullPolicy': 'Always', 'terminationMessagePolicy':"
           " 'File', 'ports': [{'containerPort': 80, 'hostPort': 8080, 'name': 'http', 'protocol':"
           " 'TCP'}], 'env': [{'name': 'A', 'value': 'b'}], 'resources': {'limits': {'cpu': '1'},"
           " 'requests': {'cpu': '500m'}}, 'volumeMounts': [{'name': 'v', 'mountPath': '/v'}]}],"
           " 'initContainers': [{'name': 'i', 'image': 'busybox'}], 'volumes': [{'name': 'v',"
           " 'emptyDir': {}}], 'tolerations': [{'key': 'k', 'operator': 'Equal', 'value': 'x',"
           " 'effect': 'NoExecute', 'tolerationSeconds': 30}], 'restartPolicy': 'Always',"
           " 'dnsPolicy': 'None', 'dnsConfig': {'nameservers': ['1.1.1.1']}, 'nodeName': 'n1',"
           " 'nodeSelector': {'a': 'b'}, 'serviceAccountName': 'sa', 'schedulerName': 's',"
           " 'terminationGracePeriodSeconds': 10, 'activeDeadlineSeconds': 100,"
           " 'enableServiceLinks': false, 'securityContext': {}}, 'status': {'phase': 'Running',"
           " 'reason': 'R', 'podIP': '10.0.0.1', 'containerStatuses': [{'name': 'c', 'ready':"
           " true, 'restartCount': 1, 'state': {'running': {}}}], 'initContainerStatuses':"
           " [{'name': 'i', 'state': {'terminated': {'exitCode': 0}}}]}}";
  if (g_str_equal (feature, "nodes.v1"))
    return "{'metadata': {'name': 'n1', 'labels': {'node-role.kubernetes.io/worker': ''}},"
           " 'spec': {'podCIDR': '10.0.1.0/24', 'podCIDRs': ['10.0.1.0/24'], 'taints': [{'key':"
           " 'k', 'value': 'v', 'effect': 'NoSchedule'}], 'unschedulable': true, 'providerID':"
           " 'p'}, 'status': {'capacity': {'cpu': '4'}, 'allocatable': {'cpu': '3'},"
           " 'conditions': [{'type': 'Ready', 'status': 'True'}], 'nodeInfo': {'kubeletVersion':"
           " 'v1.30.0'}}}";
  if (g_str_equal (feature, "services.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'type': 'LoadBalancer',"
           " 'clusterIP': '10.96.0.1', 'sessionAffinity': 'None', 'internalTrafficPolicy':"
           " 'Cluster', 'externalTrafficPolicy': 'Local', 'ipFamilyPolicy': 'SingleStack',"
           " 'externalName': 'x.example.com', 'externalIPs': ['1.2.3.4'], 'selector': {'app':"
           " 'a'}, 'ports': [{'name': 'http', 'port': 80, 'protocol': 'TCP', 'targetPort': 8080,"
           " 'nodePort': 30080}]}, 'status': {'loadBalancer': {'ingress': [{'ip': '5.6.7.8'}]}}}";
  if (g_str_equal (feature, "endpoints.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'subsets': [{'addresses': [{'ip':"
           " '10.0.0.1', 'hostname': 'h'}], 'notReadyAddresses': [{'ip': '10.0.0.2'}], 'ports':"
           " [{'name': 'http', 'port': 80, 'protocol': 'TCP'}]}]}";
  if (g_str_equal (feature, "resourcequotas.v1"))
    return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'hard': {'cpu': '10'},"
           " 'scopes': ['BestEffort']}, 'status': {'hard': {'cpu': '10'}, 'used': {'cpu': '1'}}}";
  return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'limits': [{'type': 'Container',"
         " 'max': {'cpu': '2'}, 'min': {'cpu': '100m'}, 'default': {'cpu': '1'},"
         " 'defaultRequest': {'cpu': '500m'}}]}}";
}

int
main (int argc, char **argv)
{
  resource_test_init (&argc, &argv, "core-v1", CORE_V1_PLUGIN_DIR);

  add_for_types ("describe", descriptions, G_N_ELEMENTS (descriptions), test_describe);
  add_cases ("default", default_cases, test_default);
  add_cases ("validate-create", create_cases, test_validate_create);
  add_cases ("validate-update", update_cases, test_validate_update);
  add_cases ("get-field", field_cases, test_get_field);
  add_cases ("print-column", column_cases, test_print_column);
  g_test_add_func ("/resources/core-v1/pods/validate-create/status-types",
                   test_validate_pod_status);
  g_test_add_func ("/resources/core-v1/pods/graceful-delete", test_pod_graceful_delete);
  g_test_add_func ("/resources/core-v1/quantity/parse", test_quantity_parse);
  g_test_add_func ("/resources/core-v1/quantity/validate", test_quantity_validate);
  g_test_add_func ("/resources/core-v1/addresses", test_addresses);
  add_members (members, G_N_ELEMENTS (members));
  add_for_types ("robustness/empty", descriptions, G_N_ELEMENTS (descriptions),
                 test_robustness_empty);

  return resource_test_run ();
}
