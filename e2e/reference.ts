// Where the captured responses of a real kube-apiserver 1.32 live: ../shared/reference beside the repo
// (as on every machine of ours and in CI), or $KAGE_REFERENCE_DIR.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const REFERENCE_DIR = process.env['KAGE_REFERENCE_DIR'] ?? resolve(repoRoot, '..', 'shared', 'reference', 'kube-apiserver-1.32');

// Tests compare against these captures; their absence is a broken checkout, so fail loudly rather than skip.
if (!existsSync(REFERENCE_DIR)) {
  throw new Error(`reference captures not found at ${REFERENCE_DIR} (set KAGE_REFERENCE_DIR)`);
}
