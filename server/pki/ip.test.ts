import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP, SocketAddress } from 'node:net';
import { canonicalIp, formatIp, parseIp } from './ip.js';

const SAMPLES = [
  '127.0.0.1', '0.0.0.0', '255.255.255.255', '10.1.2.3', '192.168.001.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4',
  '::', '::1', '1::', 'fd00::1', 'FD00:0:0:0:0:0:0:1', 'fe80::1%eth0', '2001:db8::8:800:200c:417a', '2001:db8:0:0:1:0:0:1',
  '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2::3', '12345::1',
  '::ffff:1.2.3.4', '64:ff9b::192.0.2.33', '1.2.3.4::', 'g::1', ':1', '1:', '', 'localhost', '[::1]', '1:2:3:4:5:6:1.2.3.4',
  '0:0:0:0:0:FFFF:102:304', '2001:0:0:1:0:0:0:1', '2001:db8:0:0:0:0:2:1',
];

test('parseIp accepts the same addresses as net.isIP, with the same bytes', () => {
  for (const s of SAMPLES) {
    const bytes = parseIp(s);
    const family = isIP(s);
    assert.equal(bytes === undefined ? 0 : bytes.length === 4 ? 4 : 6, family, s);
    if (bytes) {
      const viaNode = new SocketAddress({ address: s.replace(/%.*$/, ''), family: family === 4 ? 'ipv4' : 'ipv6' }).address;
      assert.deepEqual(parseIp(viaNode), bytes, `${s} vs ${viaNode}`);
    }
  }
});

test('formatIp writes RFC 5952 text', () => {
  assert.equal(canonicalIp('FD00:0:0:0:0:0:0:1'), 'fd00::1');
  assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalIp('0:0:0:0:0:0:0:0'), '::');
  assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIp('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1');
  assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
  assert.equal(canonicalIp('1.2.3.4'), '1.2.3.4');
  assert.equal(canonicalIp('nope'), undefined);
  assert.equal(formatIp(Buffer.from([10, 0, 0, 1])), '10.0.0.1');
});
