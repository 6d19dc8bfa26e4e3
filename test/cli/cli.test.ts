import { describe, expect, it } from 'vitest';
import { main } from '../../ts/cli/index.js';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, get out() { return out; }, get err() { return err; } };
}

describe('net-mesh CLI entry', () => {
  it('prints help and version', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    expect(c.out).toMatch(/usage: net-mesh/);
    const v = capture();
    expect(await main(['--version'], v.io)).toBe(0);
    expect(v.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('names an unknown command and exits 2', async () => {
    const c = capture();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.err).toMatch(/unknown command "frobnicate"/);
  });

  it('info starts and closes a node (text for people, JSON when piped)', async () => {
    const c = capture();
    expect(await main(['info', '--output', 'text'], c.io)).toBe(0);
    expect(c.out).toMatch(/address\s+127\.0\.0\.1:\d+/);
    const j = capture();
    expect(await main(['info'], j.io)).toBe(0);
    expect(JSON.parse(j.out)).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+$/), address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });
});
