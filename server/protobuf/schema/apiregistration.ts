// Protobuf message table: apiregistration.k8s.io/v1 APIService.
import type { SchemaPackage } from './types.js';

export const apiregistration: SchemaPackage = {
  alias: 'apiregistration',
  label: 'apiregistration/v1',
  messages: {
    APIService: { 1: 'metadata meta.ObjectMeta', 2: 'spec APIServiceSpec', 3: 'status APIServiceStatus' },
    APIServiceSpec: {
      1: 'service ServiceReference', 2: 'group string', 3: 'version string', 4: 'insecureSkipTLSVerify bool',
      5: 'caBundle bytes', 7: 'groupPriorityMinimum *int32', 8: 'versionPriority *int32',
    },
    ServiceReference: { 1: 'namespace string', 2: 'name string', 3: 'port *int32' },
    APIServiceStatus: { 1: 'conditions []APIServiceCondition' },
    APIServiceCondition: {
      1: 'type *string', 2: 'status *string', 3: 'lastTransitionTime time', 4: 'reason string', 5: 'message string',
    },
  },
};
