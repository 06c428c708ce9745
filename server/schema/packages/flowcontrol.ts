// A message table in the protobuf table's style (server/protobuf/schema/types.ts), for a package that table
// lacks: flowcontrol.apiserver.k8s.io/v1 FlowSchema and
// PriorityLevelConfiguration.
// Field numbers, JSON names and types are facts of the Kubernetes API (its generated.proto and types.go).
import type { SchemaPackage } from '../../protobuf/schema/types.js';

export const flowcontrol: SchemaPackage = {
  alias: 'flowcontrol',
  label: 'flowcontrol/v1',
  messages: {
    FlowSchema: { 1: 'metadata meta.ObjectMeta', 2: 'spec FlowSchemaSpec', 3: 'status FlowSchemaStatus' },
    PriorityLevelConfiguration: {
      1: 'metadata meta.ObjectMeta', 2: 'spec PriorityLevelConfigurationSpec',
      3: 'status PriorityLevelConfigurationStatus',
    },
    FlowSchemaSpec: {
      1: 'priorityLevelConfiguration PriorityLevelConfigurationReference', 2: 'matchingPrecedence *int32',
      3: 'distinguisherMethod FlowDistinguisherMethod', 4: 'rules []PolicyRulesWithSubjects',
    },
    FlowSchemaStatus: { 1: 'conditions []FlowSchemaCondition' },
    PriorityLevelConfigurationSpec: {
      1: 'type *string', 2: 'limited LimitedPriorityLevelConfiguration', 3: 'exempt ExemptPriorityLevelConfiguration',
    },
    PriorityLevelConfigurationStatus: { 1: 'conditions []PriorityLevelConfigurationCondition' },
    PriorityLevelConfigurationReference: { 1: 'name *string' },
    FlowDistinguisherMethod: { 1: 'type *string' },
    PolicyRulesWithSubjects: {
      1: 'subjects []Subject', 2: 'resourceRules []ResourcePolicyRule', 3: 'nonResourceRules []NonResourcePolicyRule',
    },
    FlowSchemaCondition: {
      1: 'type string', 2: 'status string', 3: 'lastTransitionTime time', 4: 'reason string', 5: 'message string',
    },
    LimitedPriorityLevelConfiguration: {
      1: 'nominalConcurrencyShares *int32', 2: 'limitResponse LimitResponse', 3: 'lendablePercent *int32',
      4: 'borrowingLimitPercent *int32',
    },
    ExemptPriorityLevelConfiguration: { 1: 'nominalConcurrencyShares *int32', 2: 'lendablePercent *int32' },
    PriorityLevelConfigurationCondition: {
      1: 'type string', 2: 'status string', 3: 'lastTransitionTime time', 4: 'reason string', 5: 'message string',
    },
    Subject: {
      1: 'kind *string', 2: 'user UserSubject', 3: 'group GroupSubject', 4: 'serviceAccount ServiceAccountSubject',
    },
    ResourcePolicyRule: {
      1: 'verbs []string', 2: 'apiGroups []string', 3: 'resources []string', 4: 'clusterScope bool',
      5: 'namespaces []string',
    },
    NonResourcePolicyRule: { 1: 'verbs []string', 6: 'nonResourceURLs []string' },
    LimitResponse: { 1: 'type *string', 2: 'queuing QueuingConfiguration' },
    UserSubject: { 1: 'name *string' },
    GroupSubject: { 1: 'name *string' },
    ServiceAccountSubject: { 1: 'namespace *string', 2: 'name *string' },
    QueuingConfiguration: { 1: 'queues *int32', 2: 'handSize *int32', 3: 'queueLengthLimit *int32' },
  },
};
