// coordination.k8s.io/v1 rows: leases.
import type { KubeObject, StatusCause } from '../../api/types.js';
import { invalid } from './fielderrors.js';
import { ageColumn, col, get, nameColumn, num, row, str } from './helpers.js';

function validateLease(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const duration = num(get(obj, 'spec.leaseDurationSeconds'));
  if (duration !== undefined && duration <= 0) causes.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = num(get(obj, 'spec.leaseTransitions'));
  if (transitions !== undefined && transitions < 0) {
    causes.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  }
  return causes;
}

const leases = row({
  group: 'coordination.k8s.io',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true,
  columns: [nameColumn(), col('Holder', 'string', 'LeaseSpec.holderIdentity', (o) => str(get(o, 'spec.holderIdentity')) ?? ''), ageColumn()],
  validate: validateLease,
});

export const coordinationResources = [leases];
