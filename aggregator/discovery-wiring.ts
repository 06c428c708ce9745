// Plugs the discovery manager into kage's discovery handler: the remote group versions become the handler's
// extraGroups (listed in /apis, answered at /apis/<group>, merged into the aggregated /apis; their
// /apis/<group>/<version> is left to the aggregator's proxy), and the handler's cached documents are
// dropped whenever the manager's view changes.
import {
  createDiscoveryHandler,
  type DiscoveryHandler,
  type DiscoveryHandlerOptions,
} from '../server/discovery/handler.js';
import type { DiscoveryGroup } from '../server/discovery/types.js';

/** What the wiring needs of a DiscoveryManager. */
export interface DiscoveryGroupsSource {
  groups(): DiscoveryGroup[];
  onChange(listener: () => void): () => void;
}

/**
 * Makes `handler` drop its cached documents whenever `manager`'s groups change. The handler must have been
 * created with `extraGroups: () => manager.groups()` (or use createAggregatedDiscoveryHandler). Returns a
 * function that disconnects them.
 */
export function connectDiscovery(handler: Pick<DiscoveryHandler, 'invalidate'>, manager: DiscoveryGroupsSource): () => void {
  const off = manager.onChange(() => handler.invalidate());
  // Whatever changed before the connection is picked up too.
  handler.invalidate();
  return off;
}

export interface AggregatedDiscoveryHandler extends DiscoveryHandler {
  /** Stops following the manager (the handler keeps answering with what it has). */
  disconnect(): void;
}

/** A discovery handler that lists the manager's remote groups and follows their changes. */
export function createAggregatedDiscoveryHandler(
  opts: Omit<DiscoveryHandlerOptions, 'extraGroups'>,
  manager: DiscoveryGroupsSource,
): AggregatedDiscoveryHandler {
  const handler = createDiscoveryHandler({ ...opts, extraGroups: () => manager.groups() });
  const disconnect = connectDiscovery(handler, manager);
  return { handle: (req, res) => handler.handle(req, res), invalidate: () => handler.invalidate(), disconnect };
}
