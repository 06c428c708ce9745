// discovery.k8s.io/v1 rows: endpointslices (how a Service's backends are published; the aggregator resolves
// an APIService's Service through them).
import { isIP } from 'node:net';
import type { KubeObject, StatusCause } from '../../api/types.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../names.js';
import { duplicate, FIELD_IMMUTABLE, invalid, notSupported, path, required } from './fielderrors.js';
import { ageColumn, arr, col, nameColumn, num, objs, row, setDefault, str, text } from './helpers.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;

function defaultEndpointSlice(obj: KubeObject): void {
  for (const port of objs(obj['ports'])) {
    setDefault(port, 'name', '');
    setDefault(port, 'protocol', 'TCP');
  }
}

function tooMany(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field };
}

function validateAddress(addressType: string, address: string, field: string): StatusCause[] {
  switch (addressType) {
    case 'IPv4':
      return isIP(address) === 4 ? [] : [invalid(field, address, 'must be a valid IPv4 address')];
    case 'IPv6':
      return isIP(address) === 6 ? [] : [invalid(field, address, 'must be a valid IPv6 address')];
    case 'FQDN': {
      // utilvalidation.IsFullyQualifiedDomainName
      if (address === '') return [required(field)];
      const name = address.endsWith('.') ? address.slice(0, -1) : address;
      const errs = isDNS1123Subdomain(name);
      if (errs.length > 0) return [invalid(field, name, errs.join(','))];
      if (name.split('.').length < 2) return [invalid(field, name, 'should be a domain with at least two segments separated by dots')];
      for (const label of name.split('.')) {
        const labelErrs = isDNS1123Label(label);
        if (labelErrs.length > 0) return [invalid(field, label, labelErrs.join(','))];
      }
      return [];
    }
    default:
      return [];
  }
}

function validateEndpointSlice(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const addressType = str(obj['addressType']) ?? '';
  if (addressType === '') causes.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(addressType)) causes.push(notSupported('addressType', addressType, ADDRESS_TYPES));

  const endpoints = objs(obj['endpoints']);
  if (endpoints.length > MAX_ENDPOINTS) {
    causes.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  } else {
    endpoints.forEach((ep, i) => {
      const base = path('endpoints', i);
      const addresses = arr(ep['addresses']).filter((a): a is string => typeof a === 'string');
      if (addresses.length === 0) causes.push(required(`${base}.addresses`, 'must contain at least 1 address'));
      else if (addresses.length > MAX_ADDRESSES) causes.push(tooMany(`${base}.addresses`, addresses.length, MAX_ADDRESSES));
      addresses.forEach((a, j) => causes.push(...validateAddress(addressType, a, path(base, 'addresses', j))));
      const nodeName = str(ep['nodeName']);
      if (nodeName !== undefined) for (const m of isDNS1123Subdomain(nodeName)) causes.push(invalid(`${base}.nodeName`, nodeName, m));
      const hostname = str(ep['hostname']);
      if (hostname !== undefined) for (const m of isDNS1123Label(hostname)) causes.push(invalid(`${base}.hostname`, hostname, m));
    });
  }

  const ports = objs(obj['ports']);
  if (ports.length > MAX_PORTS) {
    causes.push(tooMany('ports', ports.length, MAX_PORTS));
  } else {
    const names = new Set<string>();
    ports.forEach((p, i) => {
      const base = path('ports', i);
      const name = str(p['name']) ?? '';
      if (name !== '') for (const m of isDNS1123Label(name)) causes.push(invalid(`${base}.name`, name, m));
      if (names.has(name)) causes.push(duplicate(`${base}.name`, name));
      else names.add(name);
      const protocol = str(p['protocol']);
      if (protocol === undefined) causes.push(required(`${base}.protocol`));
      else if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${base}.protocol`, protocol, PROTOCOLS));
    });
  }

  if (old && (str(old['addressType']) ?? '') !== addressType) causes.push(invalid('addressType', addressType, FIELD_IMMUTABLE));
  return causes;
}

// printers.go formatDiscoveryPorts / formatDiscoveryEndpoints: the first three, then "+ N more...".
function listWithMore(list: string[], count: number): string {
  const max = 3;
  const ret = list.slice(0, max).join(',');
  if (count > max) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

function portsCell(o: KubeObject): string {
  const ports = objs(o['ports']);
  const list = ports.map((p) => {
    const port = num(p['port']);
    if (port !== undefined) return String(port);
    const name = str(p['name']);
    return name !== undefined ? name : '*';
  });
  return listWithMore(list, ports.length);
}

function endpointsCell(o: KubeObject): string {
  const addresses = objs(o['endpoints']).flatMap((ep) => arr(ep['addresses']).filter((a): a is string => typeof a === 'string'));
  return listWithMore(addresses, addresses.length);
}

const endpointslices = row({
  group: 'discovery.k8s.io',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  generation: true,
  columns: [
    nameColumn(),
    col('AddressType', 'string', text('addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.'),
      (o) => str(o['addressType']) ?? ''),
    col('Ports', 'string', text('ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.'),
      portsCell),
    col('Endpoints', 'string', text('endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
      endpointsCell),
    ageColumn(),
  ],
  defaults: defaultEndpointSlice,
  validate: validateEndpointSlice,
});

export const discoveryResources = [endpointslices];
