// Protobuf message table: autoscaling/v1 Scale.
import type { SchemaPackage } from './types.js';

export const autoscaling: SchemaPackage = {
  alias: 'autoscaling',
  label: 'autoscaling/v1',
  messages: {
    Scale: { 1: 'metadata meta.ObjectMeta', 2: 'spec ScaleSpec', 3: 'status ScaleStatus' },
    ScaleSpec: { 1: 'replicas int32' },
    ScaleStatus: { 1: 'replicas *int32', 2: 'selector string' },
  },
};
