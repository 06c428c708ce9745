// A message table in the protobuf table's style (server/protobuf/schema/types.ts), for a package that table
// lacks: discovery.k8s.io/v1 EndpointSlice.
// Field numbers, JSON names and types are facts of the Kubernetes API (its generated.proto and types.go).
import type { SchemaPackage } from '../../protobuf/schema/types.js';

export const discovery: SchemaPackage = {
  alias: 'discovery',
  label: 'discovery/v1',
  messages: {
    EndpointSlice: {
      1: 'metadata meta.ObjectMeta', 2: 'endpoints []Endpoint', 3: 'ports []EndpointPort', 4: 'addressType *string',
    },
    Endpoint: {
      1: 'addresses []string', 2: 'conditions EndpointConditions', 3: 'hostname *string',
      4: 'targetRef core.ObjectReference', 5: 'deprecatedTopology map[string]string', 6: 'nodeName *string',
      7: 'zone *string', 8: 'hints EndpointHints',
    },
    EndpointPort: { 1: 'name *string', 2: 'protocol *string', 3: 'port *int32', 4: 'appProtocol *string' },
    EndpointConditions: { 1: 'ready *bool', 2: 'serving *bool', 3: 'terminating *bool' },
    EndpointHints: { 1: 'forZones []ForZone', 2: 'forNodes []ForNode' },
    ForZone: { 1: 'name *string' },
    ForNode: { 1: 'name *string' },
  },
};
