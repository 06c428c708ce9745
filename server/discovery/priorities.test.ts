import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGGREGATOR_GROUP,
  BUILTIN_PRIORITIES,
  compareKubeAwareVersions,
  orderGroups,
  priorityOf,
  type PriorityEntry,
} from './priorities.js';
import { needsReference, referenceJson } from './fixtures.test.js';

interface APIServiceItem {
  metadata: { name: string };
  spec: { group?: string; version: string; groupPriorityMinimum: number; versionPriority: number; service?: unknown };
}

function apiServiceEntries(): PriorityEntry[] {
  const list = referenceJson<{ items: APIServiceItem[] }>('apiservices-list.json');
  return list.items.map((a) => ({
    group: a.spec.group ?? '',
    version: a.spec.version,
    groupPriorityMinimum: a.spec.groupPriorityMinimum,
    versionPriority: a.spec.versionPriority,
  }));
}

test('priorityOf gives the built-in priorities', () => {
  assert.deepEqual(priorityOf('', 'v1'), { group: 18000, version: 1 });
  assert.deepEqual(priorityOf('apps', 'v1'), { group: 17800, version: 15 });
  assert.deepEqual(priorityOf('events.k8s.io', 'v1'), { group: 17750, version: 15 });
  assert.deepEqual(priorityOf('autoscaling', 'v2'), { group: 17500, version: 30 });
  assert.deepEqual(priorityOf('flowcontrol.apiserver.k8s.io', 'v1'), { group: 16100, version: 21 });
  assert.deepEqual(priorityOf(AGGREGATOR_GROUP, 'v1'), { group: 20001, version: 0 });
});

test('priorityOf defaults: unknown groups go last, unknown versions keep their group in place', () => {
  assert.deepEqual(priorityOf('wardle.example.com', 'v1alpha1'), { group: 1000, version: 15 });
  assert.deepEqual(priorityOf('apps', 'v1beta2'), { group: 17800, version: 15 });
});

test('the table lists each group version once, with one group priority per group', () => {
  const seen = new Set<string>();
  const groupPriority = new Map<string, number>();
  for (const e of BUILTIN_PRIORITIES) {
    const key = `${e.group}/${e.version}`;
    assert.ok(!seen.has(key), `duplicate ${key}`);
    seen.add(key);
    const g = groupPriority.get(e.group);
    assert.ok(g === undefined || g === e.groupPriorityMinimum, `${e.group} has two group priorities`);
    groupPriority.set(e.group, e.groupPriorityMinimum);
  }
});

test('the table agrees with every local APIService of a real 1.32 cluster', needsReference, () => {
  const list = referenceJson<{ items: APIServiceItem[] }>('apiservices-list.json');
  let local = 0;
  for (const a of list.items) {
    if (a.spec.service) continue;
    local++;
    assert.deepEqual(
      priorityOf(a.spec.group ?? '', a.spec.version),
      { group: a.spec.groupPriorityMinimum, version: a.spec.versionPriority },
      a.metadata.name,
    );
  }
  assert.ok(local >= 20);
});

test('kube-aware version order', () => {
  const versions = ['foo10', 'v1alpha1', 'v1', 'v11alpha2', 'v2beta1', 'foo1', 'v1beta2', 'v12alpha1', 'v1beta1', 'v10beta1', 'v2'];
  const sorted = [...versions].sort((a, b) => compareKubeAwareVersions(b, a));
  assert.deepEqual(sorted, ['v2', 'v1', 'v10beta1', 'v2beta1', 'v1beta2', 'v1beta1', 'v12alpha1', 'v11alpha2', 'v1alpha1', 'foo1', 'foo10']);
  assert.equal(compareKubeAwareVersions('v1', 'v1'), 0);
  assert.ok(compareKubeAwareVersions('v1', 'v1beta1') > 0);
  assert.ok(compareKubeAwareVersions('v1beta1', 'v1') < 0);
});

test('orderGroups: group priority, then name; version priority, then version order', () => {
  const e = (group: string, version: string, g: number, v: number) => ({ group, version, groupPriorityMinimum: g, versionPriority: v });
  const ordered = orderGroups([
    e('b.example.com', 'v1alpha1', 1000, 15),
    e('a.example.com', 'v1', 1000, 15),
    e('b.example.com', 'v1beta1', 1000, 15),
    e('b.example.com', 'v1', 1000, 15),
    e('apps', 'v1', 17800, 15),
    e('c.example.com', 'v1', 900, 10),
    e('c.example.com', 'v2', 1100, 5),
  ]);
  assert.deepEqual(
    ordered.map((g) => [g.group, g.groupPriorityMinimum, g.versions.map((v) => v.version)]),
    [
      ['apps', 17800, ['v1']],
      // The highest group priority of a group's versions places it.
      ['c.example.com', 1100, ['v1', 'v2']],
      ['a.example.com', 1000, ['v1']],
      ['b.example.com', 1000, ['v1', 'v1beta1', 'v1alpha1']],
    ],
  );
});

test('orderGroups keeps the first entry of a group version listed twice', () => {
  const ordered = orderGroups([
    { group: 'x', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, tag: 'first' },
    { group: 'x', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, tag: 'second' },
  ]);
  assert.equal(ordered[0]!.versions.length, 1);
  assert.equal(ordered[0]!.versions[0]!.tag, 'first');
});

test('orderGroups reproduces the group and version order of a real /apis', needsReference, () => {
  const apis = referenceJson<{ groups: { name: string; versions: { version: string }[] }[] }>('apis.json');
  const entries = [
    ...apiServiceEntries(),
    // The aggregator's own group has no APIService.
    { group: AGGREGATOR_GROUP, version: 'v1', ...{ groupPriorityMinimum: priorityOf(AGGREGATOR_GROUP, 'v1').group, versionPriority: 0 } },
  ].filter((e) => e.group !== '');
  // Shuffled input: the order must come from the rules alone.
  entries.reverse();
  const ordered = orderGroups(entries);
  assert.deepEqual(
    ordered.map((g) => [g.group, g.versions.map((v) => v.version)]),
    apis.groups.map((g) => [g.name, g.versions.map((v) => v.version)]),
  );
});
