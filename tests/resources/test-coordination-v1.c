/* test-coordination-v1.c: the coordination.k8s.io/v1 resource types,
 * loaded through the registry as timond loads them: their descriptions,
 * and each hook, table-driven, with the causes Kubernetes gives.
 *
 * JSON in the tables is written with single quotes, turned into double
 * quotes before parsing, so that it reads as it would in a manifest.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "resource-test-utils.h"
#include "test-utils.h"

#define LEASE "leases.v1.coordination.k8s.io"

/* Descriptions */

/* Leases coordinate controllers; they are no workload. */
static const Description descriptions[] = {
  { LEASE, "coordination.k8s.io/v1", "Lease", "leases", "lease", TIMON_RESOURCE_NAMESPACED, "", "",
    "", "HOLDER:string:.spec.holderIdentity", FALSE, FALSE, FALSE, NULL },
};

static const PluginDescription plugin = {
  "Kubernetes coordination.k8s.io/v1 resource types",
  LEASE,
};

/* Validation */

#define HELD                                                                         \
  "{'spec': {'holderIdentity': 'node-1', 'leaseDurationSeconds': 40, 'acquireTime':" \
  " '2026-01-01T00:00:00.000000Z', 'renewTime': '2026-01-01T00:00:10.123456+02:00'," \
  " 'leaseTransitions': 3}}"

static const CreateCase create_cases[] = {
  { "lease/held", LEASE, HELD, { { NULL } } },
  { "lease/empty", LEASE, "{}", { { NULL } } },
  { "lease/spec-null", LEASE, "{'spec': null}", { { NULL } } },
  { "lease/released",
    LEASE,
    "{'spec': {'holderIdentity': null, 'leaseTransitions': 0}}",
    { { NULL } } },
  { "lease/spec-list", LEASE, "{'spec': []}", { { INVALID, "spec", "must be an object" } } },
  { "lease/duration-zero",
    LEASE,
    "{'spec': {'leaseDurationSeconds': 0}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be greater than 0" } } },
  { "lease/duration-negative",
    LEASE,
    "{'spec': {'leaseDurationSeconds': -15}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be greater than 0" } } },
  { "lease/transitions-negative",
    LEASE,
    "{'spec': {'leaseTransitions': -1}}",
    { { INVALID, "spec.leaseTransitions", "must be greater than or equal to 0" } } },
  { "lease/too-big",
    LEASE,
    "{'spec': {'leaseDurationSeconds': 2147483648, 'leaseTransitions': -2147483649}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be a 32-bit integer" },
      { INVALID, "spec.leaseTransitions", "must be a 32-bit integer" } } },
  { "lease/types",
    LEASE,
    "{'spec': {'holderIdentity': 1, 'leaseDurationSeconds': '15', 'acquireTime': 0,"
    " 'leaseTransitions': 1.5}}",
    { { INVALID, "spec.holderIdentity", "must be a string" },
      { INVALID, "spec.leaseDurationSeconds", "must be an integer" },
      { INVALID, "spec.acquireTime", "must be a string" },
      { INVALID, "spec.leaseTransitions", "must be an integer" } } },
  { "lease/times",
    LEASE,
    "{'spec': {'acquireTime': 'yesterday', 'renewTime': '2026-01-01T00:00:00'}}",
    { { INVALID, "spec.acquireTime", "must be a time in RFC 3339 format" },
      { INVALID, "spec.renewTime", "must be a time in RFC 3339 format" } } },
  { "lease/preferred-holder",
    LEASE,
    "{'spec': {'preferredHolder': 'node-2'}}",
    { { FORBIDDEN, "spec.preferredHolder", "may only be specified if `strategy` is defined" } } },
  { "lease/preferred-holder-strategy",
    LEASE,
    "{'spec': {'preferredHolder': 'node-2', 'strategy': 'OldestEmulationVersion'}}",
    { { NULL } } },
  { "lease/strategy-types",
    LEASE,
    "{'spec': {'preferredHolder': [], 'strategy': {}}}",
    { { INVALID, "spec.strategy", "must be a string" },
      { INVALID, "spec.preferredHolder", "must be a string" } } },
};

static const UpdateCase update_cases[] = {
  { "lease/renewed",
    LEASE,
    HELD,
    "{'spec': {'holderIdentity': 'node-2', 'leaseDurationSeconds': 15, 'leaseTransitions': 4}}",
    { { NULL } } },
  { "lease/still-checked",
    LEASE,
    HELD,
    "{'spec': {'leaseDurationSeconds': 0}}",
    { { INVALID, "spec.leaseDurationSeconds", "must be greater than 0" } } },
  { "lease/malformed-old", LEASE, "{'spec': 'x'}", HELD, { { NULL } } },
};

/* Robustness: every member the type reads, given every JSON shape. */

static const Member members[] = {
  { LEASE, "metadata", NULL },
  { LEASE, "spec", "object" },
  { LEASE, "spec.holderIdentity", "string" },
  { LEASE, "spec.leaseDurationSeconds", "integer" },
  { LEASE, "spec.acquireTime", "string" },
  { LEASE, "spec.renewTime", "string" },
  { LEASE, "spec.leaseTransitions", "integer" },
  { LEASE, "spec.strategy", "string" },
  { LEASE, "spec.preferredHolder", "string" },
};

/* A valid lease, for the shapes to be put into. */
const char *
valid_object (const char *feature)
{
  return "{'metadata': {'name': 'a', 'namespace': 'n'}, 'spec': {'holderIdentity': 'h',"
         " 'leaseDurationSeconds': 15, 'acquireTime': '2026-01-01T00:00:00.000000Z',"
         " 'renewTime': '2026-01-01T00:00:00.000000Z', 'leaseTransitions': 0, 'strategy':"
         " 'OldestEmulationVersion', 'preferredHolder': 'h'}}";
}

/* timonctl */

static const char *const timonctl_describe[] = {
  "Kubernetes coordination.k8s.io/v1 resource types",
  "1 feature",
  "leases.v1.coordination.k8s.io",
  "Lease coordination.k8s.io/v1",
  "libtimon-resources-coordination-v1.so",
  NULL,
};

int
main (int argc, char **argv)
{
  resource_test_init (&argc, &argv, "coordination-v1", COORDINATION_V1_PLUGIN_DIR);

  g_test_add_data_func ("/resources/coordination-v1/plugin", &plugin, test_plugin);
  add_for_types ("describe", descriptions, G_N_ELEMENTS (descriptions), test_describe);
  add_cases ("validate-create", create_cases, test_validate_create);
  add_cases ("validate-update", update_cases, test_validate_update);
  add_members (members, G_N_ELEMENTS (members));
  g_test_add_data_func ("/resources/coordination-v1/robustness/empty", &descriptions[0],
                        test_robustness_empty);
  g_test_add_data_func ("/resources/coordination-v1/timonctl/list", &plugin, test_timonctl_list);
  g_test_add_data_func ("/resources/coordination-v1/timonctl/describe", timonctl_describe,
                        test_timonctl_describe);

  return resource_test_run ();
}
