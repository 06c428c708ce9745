// The one place that loads @peculiar/x509: it needs a Reflect metadata polyfill installed first
// (see reflect-shim.ts), and we point it explicitly at Node's WebCrypto implementation.
// Import `x509` from here rather than from '@peculiar/x509' directly.
//
// The server itself does not load this module (certificates.ts reads certificates with
// node:crypto and writes them with der.ts, which saves ~100 ms and ~20 MiB per start); tests use
// it as an independent parser of what kage writes. Never import it statically from server code.
import './reflect-shim.js';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export { x509 };
