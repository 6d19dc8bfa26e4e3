// Announcement signature checks (issue 9 item 5: each ≤ 0.2 ms): the receive path's strict
// verification — re-serialise the signed bytes, Ed25519 verify_strict in the WASM core — and the
// same with decoding, beside node:crypto's (non-strict, native) verify of the same bytes.
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { decodeAnnouncement, encodeAnnouncement, signAnnouncement, signedBytes, verifyAnnouncement } from '../ts/fold/announcement.js';
import { Identity } from '../ts/identity/identity.js';
import { compareSync, fmtNs, note, printTable } from './harness.js';

const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');

export function announcementVerifySection(): void {
  const id = Identity.fromSeed(new Uint8Array(32).fill(7));
  const caps = { tags: ['svc', 'gpu', 'inference'], metadata: { owner: 'ops' }, region: 'eu' };
  const ann = signAnnouncement(id, caps, { version: 42n });
  const json = encodeAnnouncement(ann);
  const msg = signedBytes(ann);
  const pub = createPublicKey({ key: Buffer.concat([ED25519_SPKI, ann.entityId]), format: 'der', type: 'spki' });
  const check = (): boolean => {
    // A fresh object each call, so no verification cache can answer.
    const d = decodeAnnouncement(json)!;
    return verifyAnnouncement(d).ok;
  };
  if (!check() || !nodeVerify(null, msg, pub, ann.signature!)) throw new Error('bench: announcement does not verify');
  const results = compareSync([
    { name: 'decode + verifyAnnouncement (WASM strict)', fn: check },
    { name: 'verifyAnnouncement only (WASM strict)', fn: () => verifyAnnouncement({ ...ann }).ok },
    { name: 'node:crypto verify (native, not strict)', fn: () => nodeVerify(null, msg, pub, ann.signature!) },
  ]);
  printTable(
    `announcement signature checks (${json.length}-byte announcement)`,
    ['case', 'per check', 'verifies/s', '≤ 0.2 ms'],
    results.map((r) => [r.name, fmtNs(r.nsPerOp), Math.round(r.opsPerSec).toLocaleString('en-US'), r.nsPerOp <= 200_000 ? 'yes' : 'NO']),
  );
  note('These run on the thread owning the MeshNode (not the worker engine\'s), within per-peer and node budgets.');
}
