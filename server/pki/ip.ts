// IP address parsing and formatting for certificate SANs. node:net's isIP is avoided on purpose:
// its IPv6 regular expression costs several milliseconds to compile on first use, at startup.

const IPV4_SEGMENT = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${IPV4_SEGMENT}\\.${IPV4_SEGMENT}\\.${IPV4_SEGMENT}\\.${IPV4_SEGMENT}$`);
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function ipv4Bytes(text: string): number[] | undefined {
  return IPV4.test(text) ? text.split('.').map(Number) : undefined;
}

/**
 * The 4 (IPv4) or 16 (IPv6) bytes of an address in textual form, or undefined when `text` is not
 * one. IPv6 may use `::`, a trailing dotted IPv4 part and a `%zone` (which is dropped).
 */
export function parseIp(text: string): Buffer | undefined {
  const v4 = ipv4Bytes(text);
  if (v4) return Buffer.from(v4);
  if (!text.includes(':')) return undefined;
  const zone = text.indexOf('%');
  if (zone !== -1) {
    if (!/^%[0-9a-zA-Z\-.:]+$/.test(text.slice(zone))) return undefined;
    text = text.slice(0, zone);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const tail = ipv4Bytes(piece);
        if (!tail) return undefined;
        out.push((tail[0]! << 8) | tail[1]!, (tail[2]! << 8) | tail[3]!);
      } else if (HEX_GROUP.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // A trailing IPv4 part is only allowed at the very end.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  let all: number[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    all = head;
  }
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/**
 * Canonical text of 4 or 16 address bytes: dotted quad, or RFC 5952 IPv6 (lower case, no leading
 * zeros, the longest run of two or more zero groups — the first of equals — written as `::`).
 */
export function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) throw new Error(`not an IP address: ${bytes.length} bytes`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** The canonical form of an IP address, or undefined when `text` is not one. */
export function canonicalIp(text: string): string | undefined {
  const bytes = parseIp(text);
  return bytes && formatIp(bytes);
}
