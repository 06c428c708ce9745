// apiregistration.k8s.io/v1 rows: apiservices (how the aggregation layer finds extension API servers).
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, isValidPortNum } from '../names.js';
import { invalid, required } from './fielderrors.js';
import { ageColumn, col, ensure, get, isObject, nameColumn, num, objs, row, setDefault, str, text } from './helpers.js';

function defaultAPIService(obj: KubeObject): void {
  const service = get(obj, 'spec.service');
  if (isObject(service)) setDefault(service, 'port', 443);
  ensure(obj, 'status');
}

/** Base64 caBundle length in bytes as Kubernetes counts it (decoded). */
function caBundleBytes(v: unknown): number {
  if (typeof v !== 'string' || v === '') return 0;
  return Buffer.from(v, 'base64').length;
}

function validateAPIService(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = isObject(obj.spec) ? obj.spec : {};
  const group = str(spec.group) ?? '';
  const version = str(spec.version) ?? '';
  const name = obj.metadata.name ?? '';
  // The name must be exactly <version>.<group> (path-segment problems are reported by the name rule).
  const requiredName = `${version}.${group}`;
  if (name !== '' && isValidPathSegmentName(name).length === 0 && name !== requiredName) {
    causes.push(invalid('metadata.name', name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`));
  }
  if (group === '' && version !== 'v1') {
    causes.push(required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  }
  if (group !== '') for (const m of isDNS1123Subdomain(group)) causes.push(invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) causes.push(invalid('spec.version', version, m));
  const gpm = num(spec.groupPriorityMinimum) ?? 0;
  if (gpm <= 0 || gpm > 20000) causes.push(invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = num(spec.versionPriority) ?? 0;
  if (vp <= 0 || vp > 1000) causes.push(invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));

  const insecure = spec.insecureSkipTLSVerify === true;
  const caBytes = caBundleBytes(spec.caBundle);
  const service = isObject(spec.service) ? spec.service : undefined;
  if (!service) {
    if (caBytes !== 0) causes.push(invalid('spec.caBundle', `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (insecure) causes.push(invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return causes;
  }
  if (!str(service.namespace)) causes.push(required('spec.service.namespace'));
  if (!str(service.name)) causes.push(required('spec.service.name'));
  const port = num(service.port) ?? 0;
  const portErrs = isValidPortNum(port);
  if (portErrs.length) causes.push(invalid('spec.service.port', port, `port is not valid: ${portErrs.join(', ')}`));
  if (insecure && caBytes > 0) causes.push(invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return causes;
}

/** "Local", or "<namespace>/<name>" of the backing service. */
function serviceCell(o: KubeObject): string {
  const service = get(o, 'spec.service');
  return isObject(service) ? `${str(service.namespace) ?? ''}/${str(service.name) ?? ''}` : 'Local';
}

/** "True", "False (Reason)", or "Unknown" when there is no Available condition. */
function availableCell(o: KubeObject): string {
  const c = objs(get(o, 'status.conditions')).find((x) => x.type === 'Available');
  if (!c) return 'Unknown';
  const status = str(c.status) ?? '';
  if (status === 'True') return status;
  const reason = str(c.reason) ?? '';
  return reason ? `${status} (${reason})` : status;
}

const apiservices = row({
  group: 'apiregistration.k8s.io',
  kind: 'APIService',
  plural: 'apiservices',
  namespaced: false,
  categories: ['api-extensions'],
  subresources: ['status'],
  nameRule: 'apiservice',
  columns: [
    nameColumn(),
    col('Service', 'string', text('The reference to the service that hosts this API endpoint.'), serviceCell),
    col('Available', 'string', text('Whether this service is available.'), availableCell),
    ageColumn(),
  ],
  defaults: defaultAPIService,
  validate: validateAPIService,
});

export const apiregistrationResources = [apiservices];
