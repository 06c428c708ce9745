// Turns flags into the front-proxy authentication settings: from --requestheader-client-ca-file and friends, or
// (only when that flag is absent) from the main server's extension-apiserver-authentication ConfigMap.
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_ALLOWED_NAMES,
  DEFAULT_EXTRA_HEADER_PREFIXES,
  DEFAULT_GROUP_HEADERS,
  DEFAULT_UID_HEADERS,
  DEFAULT_USERNAME_HEADERS,
} from './auth.js';
import type { RequestHeaderConfig } from './auth.js';
import type { SampleFlags } from './flags.js';
import { fetchExtensionAuthConfig } from './kubeconfig.js';
import type { ExtensionAuthConfig } from './kubeconfig.js';

export class ConfigError extends Error {}

export async function resolveRequestHeaderConfig(flags: SampleFlags): Promise<RequestHeaderConfig> {
  let fromCm: ExtensionAuthConfig | undefined;
  let clientCaPem: string;
  if (flags.requestheaderClientCaFile !== undefined) {
    try {
      clientCaPem = await readFile(flags.requestheaderClientCaFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`unable to read --requestheader-client-ca-file ${flags.requestheaderClientCaFile}: ${(err as Error).message}`);
    }
    if (!clientCaPem.includes('BEGIN CERTIFICATE')) {
      throw new ConfigError(`--requestheader-client-ca-file ${flags.requestheaderClientCaFile} holds no PEM certificate`);
    }
  } else if (flags.kubeconfig !== undefined) {
    try {
      fromCm = await fetchExtensionAuthConfig(flags.kubeconfig);
    } catch (err) {
      throw new ConfigError(
        `unable to load the requestheader settings from kube-system/extension-apiserver-authentication via --kubeconfig ${flags.kubeconfig}: ${(err as Error).message}`,
      );
    }
    clientCaPem = fromCm.clientCaPem;
  } else {
    throw new ConfigError('--requestheader-client-ca-file is required unless --kubeconfig is given');
  }
  return {
    clientCaPem,
    allowedNames: flags.requestheaderAllowedNames ?? fromCm?.allowedNames ?? [...DEFAULT_ALLOWED_NAMES],
    usernameHeaders: nonEmpty(flags.requestheaderUsernameHeaders ?? fromCm?.usernameHeaders, DEFAULT_USERNAME_HEADERS),
    uidHeaders: flags.requestheaderUidHeaders ?? fromCm?.uidHeaders ?? [...DEFAULT_UID_HEADERS],
    groupHeaders: nonEmpty(flags.requestheaderGroupHeaders ?? fromCm?.groupHeaders, DEFAULT_GROUP_HEADERS),
    extraHeaderPrefixes: nonEmpty(flags.requestheaderExtraHeadersPrefix ?? fromCm?.extraHeaderPrefixes, DEFAULT_EXTRA_HEADER_PREFIXES),
  };
}

function nonEmpty(v: string[] | undefined, fallback: readonly string[]): string[] {
  return v !== undefined && v.length > 0 ? v : [...fallback];
}
