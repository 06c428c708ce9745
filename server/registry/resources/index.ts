// Every built-in resource kage serves, in the order discovery lists them (core first, then groups as /apis does).
import type { ResourceDef } from '../types.js';
import { admissionregistrationResources } from './admissionregistration.js';
import { apiregistrationResources } from './apiregistration.js';
import { appsResources } from './apps.js';
import { authenticationResources } from './authentication.js';
import { authorizationResources } from './authorization.js';
import { coordinationResources } from './coordination.js';
import { coreResources } from './core.js';
import { discoveryResources } from './discovery.js';
import { eventsResources } from './events.js';
import { flowcontrolResources } from './flowcontrol.js';
import { rbacResources } from './rbac.js';

export const builtinResources: ResourceDef[] = [
  ...coreResources,
  ...apiregistrationResources,
  ...appsResources,
  ...eventsResources,
  ...authenticationResources,
  ...authorizationResources,
  ...rbacResources,
  ...admissionregistrationResources,
  ...coordinationResources,
  ...discoveryResources,
  ...flowcontrolResources,
];
