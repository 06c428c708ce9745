// A message table in the protobuf table's style (server/protobuf/schema/types.ts), for a package that table
// lacks: admissionregistration.k8s.io/v1 webhook configurations and
// validating admission policies.
// Field numbers, JSON names and types are facts of the Kubernetes API (its generated.proto and types.go).
import type { SchemaPackage } from '../../protobuf/schema/types.js';

export const admissionregistration: SchemaPackage = {
  alias: 'admissionregistration',
  label: 'admissionregistration/v1',
  messages: {
    MutatingWebhookConfiguration: { 1: 'metadata meta.ObjectMeta', 2: 'webhooks []MutatingWebhook' },
    ValidatingWebhookConfiguration: { 1: 'metadata meta.ObjectMeta', 2: 'webhooks []ValidatingWebhook' },
    ValidatingAdmissionPolicy: {
      1: 'metadata meta.ObjectMeta', 2: 'spec ValidatingAdmissionPolicySpec',
      3: 'status ValidatingAdmissionPolicyStatus',
    },
    ValidatingAdmissionPolicyBinding: { 1: 'metadata meta.ObjectMeta', 2: 'spec ValidatingAdmissionPolicyBindingSpec' },
    MutatingWebhook: {
      1: 'name *string', 2: 'clientConfig WebhookClientConfig', 3: 'rules []RuleWithOperations',
      4: 'failurePolicy *string', 5: 'namespaceSelector meta.LabelSelector', 6: 'sideEffects *string',
      7: 'timeoutSeconds *int32', 8: 'admissionReviewVersions []string', 9: 'matchPolicy *string',
      10: 'reinvocationPolicy *string', 11: 'objectSelector meta.LabelSelector',
      12: 'matchConditions []MatchCondition',
    },
    ValidatingWebhook: {
      1: 'name *string', 2: 'clientConfig WebhookClientConfig', 3: 'rules []RuleWithOperations',
      4: 'failurePolicy *string', 5: 'namespaceSelector meta.LabelSelector', 6: 'sideEffects *string',
      7: 'timeoutSeconds *int32', 8: 'admissionReviewVersions []string', 9: 'matchPolicy *string',
      10: 'objectSelector meta.LabelSelector', 11: 'matchConditions []MatchCondition',
    },
    ValidatingAdmissionPolicySpec: {
      1: 'paramKind ParamKind', 2: 'matchConstraints MatchResources', 3: 'validations []Validation',
      4: 'failurePolicy *string', 5: 'auditAnnotations []AuditAnnotation', 6: 'matchConditions []MatchCondition',
      7: 'variables []Variable',
    },
    ValidatingAdmissionPolicyStatus: {
      1: 'observedGeneration int64', 2: 'typeChecking TypeChecking', 3: 'conditions []meta.Condition',
    },
    ValidatingAdmissionPolicyBindingSpec: {
      1: 'policyName string', 2: 'paramRef ParamRef', 3: 'matchResources MatchResources',
      4: 'validationActions []string',
    },
    WebhookClientConfig: { 1: 'service ServiceReference', 2: 'caBundle bytes', 3: 'url *string' },
    RuleWithOperations: { 1: 'operations []string', 2: '... Rule' },
    MatchCondition: { 1: 'name *string', 2: 'expression *string' },
    ParamKind: { 1: 'apiVersion string', 2: 'kind string' },
    MatchResources: {
      1: 'namespaceSelector meta.LabelSelector', 2: 'objectSelector meta.LabelSelector',
      3: 'resourceRules []NamedRuleWithOperations', 4: 'excludeResourceRules []NamedRuleWithOperations',
      7: 'matchPolicy *string',
    },
    Validation: { 1: 'expression *string', 2: 'message string', 3: 'reason *string', 4: 'messageExpression string' },
    AuditAnnotation: { 1: 'key *string', 2: 'valueExpression *string' },
    Variable: { 1: 'name *string', 2: 'expression *string' },
    TypeChecking: { 1: 'expressionWarnings []ExpressionWarning' },
    ParamRef: {
      1: 'name string', 2: 'namespace string', 3: 'selector meta.LabelSelector', 4: 'parameterNotFoundAction *string',
    },
    ServiceReference: { 1: 'namespace *string', 2: 'name *string', 3: 'path *string', 4: 'port *int32' },
    Rule: { 1: 'apiGroups []string', 2: 'apiVersions []string', 3: 'resources []string', 4: 'scope *string' },
    NamedRuleWithOperations: { 1: 'resourceNames []string', 2: '... RuleWithOperations' },
    ExpressionWarning: { 2: 'fieldRef *string', 3: 'warning *string' },
  },
};
