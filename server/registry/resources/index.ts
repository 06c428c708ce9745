// Every built-in resource kage serves, in the order discovery lists them (core first, then groups as /apis does).
import type { ResourceDef } from '../types.js';
import { apiregistrationResources } from './apiregistration.js';
import { appsResources } from './apps.js';
import { coordinationResources } from './coordination.js';
import { coreResources } from './core.js';
import { eventsResources } from './events.js';

export const builtinResources: ResourceDef[] = [
  ...coreResources,
  ...apiregistrationResources,
  ...appsResources,
  ...eventsResources,
  ...coordinationResources,
];
