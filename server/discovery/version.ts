// The /version document: the Kubernetes version kage speaks, with kage's own version as build metadata.

/** version.Info as kube-apiserver 1.32 writes it (field order included). */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** The Kubernetes release whose API kage serves. */
export const KUBERNETES_VERSION = { major: 1, minor: 32, patch: 0 } as const;

export interface VersionOptions {
  /** kage's git commit when known; "unknown" otherwise. */
  gitCommit?: string;
  /** "clean" or "dirty" when known; "unknown" otherwise. */
  gitTreeState?: string;
  /** RFC 3339 UTC, to the second; defaults to when this module was loaded. */
  buildDate?: string;
}

const LOADED_AT = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

// Node's names for architectures, as Go (and so every Kubernetes platform string) spells them.
const GOARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };

/** kage's version as semver build-metadata identifiers: dot-separated, [0-9A-Za-z-] only, none empty. */
function buildMetadata(kageVersion: string): string {
  const ids = kageVersion
    .replace(/^v/, '')
    .split(/[.+]/)
    .map((id) => id.replace(/[^0-9A-Za-z-]/g, '-'))
    .filter((id) => id.length > 0);
  return ['kage', ...ids].join('.');
}

/**
 * The /version body. gitVersion is the Kubernetes version with kage's version in the semver build metadata,
 * e.g. "v1.32.0+kage.0.1.0": kubectl prints it as the server version and client-go parses it as semver
 * (build metadata is ignored in comparisons, so version skew checks see 1.32.0). goVersion names the
 * runtime ("node20.20.2", after Go's "go1.23.5"); compiler is "v8", the engine that compiles kage's JavaScript.
 */
export function versionInfo(kageVersion: string, opts: VersionOptions = {}): VersionInfo {
  const { major, minor, patch } = KUBERNETES_VERSION;
  return {
    major: String(major),
    minor: String(minor),
    gitVersion: `v${major}.${minor}.${patch}+${buildMetadata(kageVersion)}`,
    gitCommit: opts.gitCommit ?? 'unknown',
    gitTreeState: opts.gitTreeState ?? 'unknown',
    buildDate: opts.buildDate ?? LOADED_AT,
    goVersion: `node${process.versions.node}`,
    compiler: 'v8',
    platform: `${process.platform}/${GOARCH[process.arch] ?? process.arch}`,
  };
}
