// Protobuf message table: coordination.k8s.io/v1 Lease.
import type { SchemaPackage } from './types.js';

export const coordination: SchemaPackage = {
  alias: 'coordination',
  label: 'coordination/v1',
  messages: {
    Lease: { 1: 'metadata meta.ObjectMeta', 2: 'spec LeaseSpec' },
    LeaseSpec: {
      1: 'holderIdentity *string', 2: 'leaseDurationSeconds *int32', 3: 'acquireTime microtime',
      4: 'renewTime microtime', 5: 'leaseTransitions *int32', 6: 'strategy *string', 7: 'preferredHolder *string',
    },
  },
};
