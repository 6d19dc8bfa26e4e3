// WebTransportTransport's argument checks and its behaviour where WebTransport is missing (Node).
// The transport itself is exercised against a real relay in test/relay/ (Deno) and test/browser/.
import { describe, expect, it } from 'vitest';
import { ClosedError, InvalidArgumentError, TransportError } from '../../ts/errors.js';
import { WebTransportTransport } from '../../ts/transports/index.js';

const hash = '1f'.repeat(32);

describe('WebTransportTransport options', () => {
  it('needs an https URL and a 32-byte hex certificate hash', () => {
    expect(() => new WebTransportTransport({ url: 'http://127.0.0.1:4433/net-mesh', certificateHash: hash })).toThrow(InvalidArgumentError);
    expect(() => new WebTransportTransport({ url: 'not a url', certificateHash: hash })).toThrow(/url must be an https/);
    expect(() => new WebTransportTransport({ url: 'https://127.0.0.1:4433/', certificateHash: 'abcd' })).toThrow(/certificateHash must be 32 bytes/);
    expect(() => new WebTransportTransport({ url: 'https://127.0.0.1:4433/', connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/);
    expect(() => new WebTransportTransport(undefined as never)).toThrow(InvalidArgumentError);
    const t = new WebTransportTransport({ url: 'https://127.0.0.1:4433/net-mesh', certificateHash: hash });
    expect(t.address).toBe('');
    expect(t.maxDatagramSize).toBe(0);
  });
});

describe('WebTransportTransport without a WebTransport API', () => {
  it('rejects bind with a TransportError and can still close', async () => {
    expect((globalThis as { WebTransport?: unknown }).WebTransport).toBeUndefined();
    const t = new WebTransportTransport({ url: 'https://127.0.0.1:4433/net-mesh', certificateHash: hash });
    await expect(t.bind('0.0.0.0:0')).rejects.toThrow(TransportError);
    await expect(t.bind('0.0.0.0:0')).rejects.toThrow(/WebTransport is not available/); // a failed bind may be retried
    await t.close();
    await expect(t.bind('0.0.0.0:0')).rejects.toThrow(ClosedError);
  });

  it('checks the bind address before connecting, and send before bind throws', async () => {
    const t = new WebTransportTransport({ url: 'https://127.0.0.1:4433/net-mesh', certificateHash: hash });
    await expect(t.bind('relay:0')).rejects.toThrow(InvalidArgumentError);
    await expect(t.bind('[fe80::1%eth0]:0')).rejects.toThrow(/zoned IPv6/);
    expect(() => t.send([{ data: new Uint8Array(1), address: '127.0.0.1:9' }])).toThrow(TransportError);
    await t.close();
    t.send([{ data: new Uint8Array(1), address: '127.0.0.1:9' }]);
    expect(t.stats()).toMatchObject({ sendErrors: 1, datagramsOut: 0 });
  });
});
