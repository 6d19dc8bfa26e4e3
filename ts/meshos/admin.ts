// Local admin events (meshos-cli.md §5 decision 8): validation at the API, and their effect on the
// actual state. During a freeze the ordinary events (maintenance, drain, cordon) are rejected with
// `freeze_in_effect`, as §1.2 does for ordinary admin commits; the ICE-class ones (freeze, thaw,
// clearAvoidList) bypass it.
import { InvalidArgumentError } from '../errors.js';
import { frozen, type ActualState, type MeshOsConfig } from './state.js';
import type { AdminEvent } from './types.js';

const KINDS = ['enterMaintenance', 'exitMaintenance', 'drain', 'cordon', 'uncordon', 'freeze', 'thaw', 'clearAvoidList'] as const;
const ICE_CLASS = new Set<string>(['freeze', 'thaw', 'clearAvoidList']);
/** Longest freeze or drain deadline accepted (a week): larger values are almost surely unit mistakes. */
const MAX_DURATION_MS = 7 * 24 * 3600_000;
const MAX_REASON = 512;

function duration(name: string, v: unknown, required: boolean): number | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_DURATION_MS) {
    throw new InvalidArgumentError(`${name} must be a positive number of milliseconds up to ${MAX_DURATION_MS}, got ${String(v)}`);
  }
  return v;
}

function reason(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidArgumentError(`reason must be a string, got ${typeof v}`);
  return v.slice(0, MAX_REASON);
}

/** Checks an admin event from the API and returns a normalized copy. */
export function validateAdminEvent(ev: unknown): AdminEvent {
  if (!ev || typeof ev !== 'object') throw new InvalidArgumentError('admin(event) takes an object with a kind');
  const e = ev as Record<string, unknown>;
  switch (e.kind) {
    case 'enterMaintenance': {
      const out: AdminEvent = { kind: 'enterMaintenance' };
      const d = duration('drainForMs', e.drainForMs, false);
      if (d !== undefined) out.drainForMs = d;
      const r = reason(e.reason);
      if (r !== undefined) out.reason = r;
      return out;
    }
    case 'freeze': {
      const out: AdminEvent = { kind: 'freeze', ttlMs: duration('ttlMs', e.ttlMs, true)! };
      const r = reason(e.reason);
      if (r !== undefined) out.reason = r;
      return out;
    }
    case 'clearAvoidList': {
      if (e.peer === undefined) return { kind: 'clearAvoidList' };
      if (typeof e.peer !== 'bigint' || e.peer < 0n || e.peer >= 1n << 64n) throw new InvalidArgumentError(`peer must be a u64 bigint node id, got ${String(e.peer)}`);
      return { kind: 'clearAvoidList', peer: e.peer };
    }
    case 'exitMaintenance':
    case 'drain':
    case 'cordon':
    case 'uncordon':
    case 'thaw':
      return { kind: e.kind };
    default:
      throw new InvalidArgumentError(`admin event kind must be one of ${KINDS.join(', ')}, got ${String(e.kind)}`);
  }
}

/** The event's parameters for the audit ring. */
export function adminDetail(ev: AdminEvent): string {
  switch (ev.kind) {
    case 'enterMaintenance':
      return [ev.drainForMs !== undefined ? `drainForMs=${ev.drainForMs}` : '', ev.reason ? `reason=${ev.reason}` : ''].filter(Boolean).join(' ');
    case 'freeze':
      return `ttlMs=${ev.ttlMs}${ev.reason ? ` reason=${ev.reason}` : ''}`;
    case 'clearAvoidList':
      return ev.peer !== undefined ? `peer=${ev.peer}` : 'all';
    default:
      return '';
  }
}

export type AdminOutcome = { outcome: 'applied' } | { outcome: 'rejected'; reason: string };

const APPLIED: AdminOutcome = { outcome: 'applied' };
const rejected = (reason: string): AdminOutcome => ({ outcome: 'rejected', reason });

/** Applies a validated admin event to `actual` at `now`. */
export function applyAdmin(actual: ActualState, ev: AdminEvent, now: number, cfg: Readonly<Pick<MeshOsConfig, 'drainDeadlineMs'>>): AdminOutcome {
  if (!ICE_CLASS.has(ev.kind) && frozen(actual, now)) return rejected('freeze_in_effect');
  const m = actual.maintenance.kind;
  const inMaintenance = m === 'enteringMaintenance' || m === 'maintenance' || m === 'drainFailed';
  switch (ev.kind) {
    case 'enterMaintenance': {
      if (inMaintenance) return rejected(`already ${m}`);
      const entering: ActualState['maintenance'] = { kind: 'enteringMaintenance', since: now, deadline: now + (ev.drainForMs ?? cfg.drainDeadlineMs) };
      if (ev.reason !== undefined) entering.reason = ev.reason;
      actual.maintenance = entering;
      return APPLIED;
    }
    case 'exitMaintenance':
      if (!inMaintenance) return rejected(`not in maintenance (${m})`);
      actual.maintenance = { kind: 'exitingMaintenance', since: now };
      return APPLIED;
    case 'drain':
      actual.draining = true;
      return APPLIED;
    case 'cordon':
      actual.cordoned = true;
      return APPLIED;
    case 'uncordon':
      actual.cordoned = false;
      actual.draining = false;
      return APPLIED;
    case 'freeze':
      actual.freezeUntil = now + ev.ttlMs;
      return APPLIED;
    case 'thaw':
      if (!frozen(actual, now)) return rejected('no freeze in effect');
      delete actual.freezeUntil;
      return APPLIED;
    case 'clearAvoidList':
      if (ev.peer !== undefined) actual.avoid.delete(ev.peer);
      else actual.avoid.clear();
      return APPLIED;
  }
}
