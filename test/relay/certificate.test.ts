import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRelayCertificate, MAX_CERT_VALIDITY_MS } from '../../ts/relay/certificate.js';
import * as der from '../../ts/relay/der.js';
import { fromHex, toHex } from '../../ts/relay/hex.js';

describe('relay certificate', () => {
  it('is a self-signed X.509v3 ECDSA P-256 certificate a browser can pin (valid < 14 days)', async () => {
    const now = Date.UTC(2026, 0, 10, 12, 0, 0);
    const c = await generateRelayCertificate({ now, hostnames: ['localhost', '127.0.0.1', '::1', 'relay.example'] });
    const x = new X509Certificate(c.certPem);
    expect(x.publicKey.asymmetricKeyType).toBe('ec');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.verify(x.publicKey)).toBe(true); // self-signed: our DER signature encoding is right
    expect(x.subject).toBe('CN=net-mesh relay');
    // Node writes ::1 in full.
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:relay.example');
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    const from = Date.parse(x.validFrom);
    const to = Date.parse(x.validTo);
    expect(from).toBe(now - 3_600_000);
    expect(to - from).toBeLessThanOrEqual(MAX_CERT_VALIDITY_MS);
    expect(c.notAfter.getTime()).toBe(to);
    // The hash the page pins is the SHA-256 of the DER certificate.
    expect(c.sha256).toBe(createHash('sha256').update(c.der).digest('hex'));
    expect(c.sha256).toBe(x.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(c.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('makes a fresh key and serial each time', async () => {
    const [a, b] = await Promise.all([generateRelayCertificate(), generateRelayCertificate()]);
    expect(a.sha256).not.toBe(b.sha256);
    expect(new X509Certificate(a.certPem).serialNumber).not.toBe(new X509Certificate(b.certPem).serialNumber);
  });

  it('refuses a validity the browser would reject, and bad host names', async () => {
    await expect(generateRelayCertificate({ validityMs: MAX_CERT_VALIDITY_MS + 1 })).rejects.toThrow(/validityMs/);
    await expect(generateRelayCertificate({ hostnames: ['bad host'] })).rejects.toThrow(/hostnames/);
    await expect(generateRelayCertificate({ hostnames: [] })).rejects.toThrow(/hostnames/);
  });
});

describe('DER writer', () => {
  it('encodes lengths, integers, OIDs and times per X.690', () => {
    expect([...der.tlv(0x04, new Uint8Array(0x80)).subarray(0, 3)]).toEqual([0x04, 0x81, 0x80]);
    expect([...der.tlv(0x04, new Uint8Array(0x1234)).subarray(0, 4)]).toEqual([0x04, 0x82, 0x12, 0x34]);
    expect([...der.unsignedInteger(Uint8Array.of(0, 0, 0x80))]).toEqual([0x02, 0x02, 0x00, 0x80]);
    expect([...der.unsignedInteger(Uint8Array.of(0, 0))]).toEqual([0x02, 0x01, 0x00]);
    // 1.2.840.10045.4.3.2 (ecdsa-with-SHA256), as every X.509 dump shows it.
    expect(toHex(der.oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(new TextDecoder().decode(der.time(new Date(Date.UTC(2026, 4, 7, 8, 9, 10))).subarray(2))).toBe('260507080910Z');
    expect(new TextDecoder().decode(der.time(new Date(Date.UTC(2051, 0, 1))).subarray(2))).toBe('20510101000000Z');
  });
});

describe('hex', () => {
  it('parses a pinned hash with or without colons and names a bad one', () => {
    const h = 'ab'.repeat(32);
    expect(toHex(fromHex(h, 32, 'certificateHash'))).toBe(h);
    expect(toHex(fromHex(h.match(/../g)!.join(':').toUpperCase(), 32, 'certificateHash'))).toBe(h);
    expect(() => fromHex('abc', 32, 'certificateHash')).toThrow(/certificateHash must be 32 bytes/);
    expect(() => fromHex('zz'.repeat(32), 32, 'certificateHash')).toThrow(/certificateHash/);
  });
});
