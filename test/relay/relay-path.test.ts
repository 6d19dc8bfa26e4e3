// The relay path without a browser: Deno is the WebTransport client (test/relay/deno-client.ts
// and deno-limits.ts); this file starts what they need and asserts on what they print.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnRelay, type SpawnedRelay } from '../../ts/relay/spawn.js';
import type { RelayStats } from '../../ts/relay/stats.js';
import type { ExchangeResult } from './exchange.js';
import { lastJsonLine, runDenoScript, startUdpEcho, type UdpEcho } from './helpers.js';

describe('relay path with a Deno WebTransport client', () => {
  let relay: SpawnedRelay | undefined;
  let echo: UdpEcho | undefined;

  beforeAll(async () => {
    [relay, echo] = await Promise.all([spawnRelay(), startUdpEcho()]);
  });

  afterAll(async () => {
    await relay?.close();
    await echo?.close();
  });

  it('carries 1,000 packets of mixed sizes through dist/deno/relay.mjs to a UDP peer and back', async () => {
    const run = await runDenoScript(
      'test/relay/deno-client.ts',
      [relay!.url, relay!.certificateHash, echo!.address, '1000', '77'],
      50_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const r = lastJsonLine<ExchangeResult & { address: string }>(run.stdout);
    expect(r).toMatchObject({ timedOut: false, matched: 1000, mismatched: 0, largest: 8210 });
    expect(r.firstProblem).toBeUndefined();
    expect(r.viaDatagram).toBeGreaterThan(300);
    expect(r.viaStream).toBeGreaterThan(200);
    expect(r.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(r.transportStats).toMatchObject({ sendErrors: 0, dropped: 0, datagramsOut: 1000 + r.resends });
    const stats = await relay!.close();
    relay = undefined;
    expect(stats).toMatchObject({ sessionsAccepted: 1, droppedMalformed: 0, droppedRateLimitedToMesh: 0, droppedRateLimitedToPage: 0, droppedDestination: 0 });
    expect(stats!.packetsToMesh).toBeGreaterThanOrEqual(1000);
    expect(stats!.packetsToPage).toBeGreaterThanOrEqual(1000);
  });
});

type Scenario<T> = T & { relay: RelayStats };
interface ErrorInfo {
  name: string;
  code?: string;
  message: string;
}
interface LimitsOutput {
  sessionCap: Scenario<{ aBound: string; bError: ErrorInfo | null; freed: boolean; cBound: string | ErrorInfo }>;
  hostCap: Scenario<{ results: (string | ErrorInfo)[] }>;
  idle: Scenario<{ closed: boolean; closedAfterMs: number; lastError: string; sendErrors: number }>;
  packetRate: Scenario<{ elapsedMs: number }>;
  byteRate: Scenario<{ elapsedMs: number }>;
  quota: Scenario<{ closed: boolean; lastError: string }>;
  destinations: Scenario<object>;
  noAnswer: { error: ErrorInfo | null; elapsedMs: number; address: string };
  abuse: Scenario<{
    silentClose: string;
    replyBytes: number;
    malformedSeen: boolean;
    rudeClose: string;
    wrongPathError: ErrorInfo | null;
    wrongPinError: ErrorInfo | null;
    bound: string;
    echoed: number;
  }>;
}

describe('relay limits and abuse, end to end under Deno', () => {
  let out: LimitsOutput;

  beforeAll(async () => {
    const run = await runDenoScript('test/relay/deno-limits.ts', [], 55_000);
    if (run.code !== 0) throw new Error(`deno-limits.ts exited ${run.code}: ${run.stderr.slice(-2000)}`);
    out = lastJsonLine<LimitsOutput>(run.stdout);
  });

  it('refuses sessions beyond maxSessions and frees the slot when one leaves', () => {
    const s = out.sessionCap;
    expect(s.aBound).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(s.bError).toMatchObject({ name: 'TransportError', code: 'TRANSPORT' });
    expect(s.freed).toBe(true);
    expect(s.cBound).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(s.relay.sessionsRefused).toBe(1);
    expect(s.relay.sessionsAccepted).toBe(2);
  });

  it('refuses sessions beyond maxSessionsPerHost from one address', () => {
    const [a, b, c] = out.hostCap.results;
    expect(a).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(b).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(c).toMatchObject({ name: 'TransportError', code: 'TRANSPORT' });
    expect(out.hostCap.relay).toMatchObject({ sessionsRefused: 1, sessionsAccepted: 2 });
  });

  it('closes a silent page after idleTimeoutMs and the transport says why', () => {
    const s = out.idle;
    expect(s.closed).toBe(true);
    expect(s.lastError).toContain('code 2: idle timeout');
    expect(s.sendErrors).toBe(3);
    expect(s.relay.sessionsClosedIdle).toBe(1);
  });

  it('drops packets over the packet rate and counts them', () => {
    const { relay: st, elapsedMs } = out.packetRate;
    expect(st.packetsToMesh + st.droppedRateLimitedToMesh).toBe(400);
    // A full bucket of 100, plus at most what 100/s refilled while the burst was read.
    expect(st.packetsToMesh).toBeGreaterThanOrEqual(100);
    expect(st.packetsToMesh).toBeLessThanOrEqual(101 + Math.ceil((100 * elapsedMs) / 1000));
  });

  it('drops packets over the byte rate and counts them', () => {
    const { relay: st, elapsedMs } = out.byteRate;
    expect(st.packetsToMesh + st.droppedRateLimitedToMesh).toBe(100);
    expect(st.bytesToMesh).toBeGreaterThanOrEqual(65536 - 4096);
    expect(st.bytesToMesh).toBeLessThanOrEqual(65536 + 4096 + Math.ceil((65536 * elapsedMs) / 1000));
    expect(st.droppedRateLimitedToMesh).toBeGreaterThan(0);
  });

  it('closes a session that used up its byte quota', () => {
    const s = out.quota;
    expect(s.closed).toBe(true);
    expect(s.lastError).toContain('code 4');
    expect(s.relay.sessionsClosedQuota).toBe(1);
    expect(s.relay.droppedQuota).toBeGreaterThan(0);
    expect(s.relay.bytesToMesh + s.relay.bytesToPage).toBeLessThanOrEqual(10_000);
  });

  it('refuses multicast, unspecified and broadcast destinations', () => {
    expect(out.destinations.relay.droppedDestination).toBe(3);
    expect(out.destinations.relay.packetsToMesh).toBe(0);
  });

  it('gives up on a relay that never answers after connectTimeoutMs', () => {
    const s = out.noAnswer;
    expect(s.error).toMatchObject({ name: 'TransportError', code: 'TRANSPORT' });
    expect(s.error!.message).toContain('no answer from the relay');
    expect(s.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(s.address).toBe('');
  });

  it('survives sessions that never bind, send garbage, use another path or pin another certificate', () => {
    const s = out.abuse;
    expect(s.silentClose).toBe('closed 1: no bind request in time');
    expect(s.replyBytes).toBe(4 + 7); // the bind answer: length, IPv4 prefix, no packet
    expect(s.malformedSeen).toBe(true);
    expect(s.rudeClose).toMatch(/^closed 3: .*record of 4294967295 bytes/);
    expect(s.wrongPathError).toMatchObject({ name: 'TransportError', code: 'TRANSPORT' });
    expect(s.wrongPathError!.message).toContain('unknown path');
    expect(s.wrongPinError).toMatchObject({ name: 'TransportError', code: 'TRANSPORT' });
    expect(s.bound).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(s.echoed).toBe(20);
    expect(s.relay).toMatchObject({ sessionsClosedBindTimeout: 1, sessionsClosedProtocol: 1, sessionsFailed: 2 });
    expect(s.relay.droppedMalformed).toBeGreaterThanOrEqual(3);
  });
});
