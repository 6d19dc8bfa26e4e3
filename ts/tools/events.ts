// ToolEvent: the JSON envelope a streaming tool emits per chunk, tagged by "type" (rpc-tools.md
// §7): start, progress, delta (non-terminal), result, error (terminal, exactly one per stream).
// In the SDK the start event's `tool_id` / `call_id` are `toolId` / `callId` (a bigint).
import { InvalidArgumentError, ToolEventParseError } from '../errors.js';
import { jsonUnsigned, parseJson, JsonObject, JsonSyntaxError } from '../fold/json.js';

/**
 * One event of a streaming tool (rpc-tools.md §7): `start`, `progress` and `delta` are
 * non-terminal, `result` and `error` terminal (exactly one per stream).
 */
export type ToolEvent =
  | { type: 'start'; toolId: string; callId?: bigint; metadata?: unknown }
  | { type: 'progress'; pct?: number; message?: string }
  | { type: 'delta'; data: unknown }
  | { type: 'result'; data: unknown }
  | { type: 'error'; code: string; message: string; details?: unknown };

/** The error a streaming tool's stream ends with when its handler emitted no terminal event. */
export const MISSING_TERMINAL_EVENT: Readonly<Extract<ToolEvent, { type: 'error' }>> = Object.freeze({
  type: 'error',
  code: 'missing_terminal',
  message: 'tool handler ended its stream without emitting a terminal Result or Error event',
});

/** True for `result` and `error` events (in SDK or wire form). */
export function isTerminal(event: { type?: unknown } | null | undefined): boolean {
  return event?.type === 'result' || event?.type === 'error';
}

const DECODER = new TextDecoder('utf-8', { fatal: true });

function fail(message: string): never {
  throw new ToolEventParseError(message);
}

/**
 * Parses one ToolEvent from its JSON (text, UTF-8 bytes, or an already-parsed object). Unknown
 * keys are ignored; absent optionals stay absent. `call_id` is read exactly from text (u64).
 */
export function parseToolEvent(json: unknown): ToolEvent {
  let o: unknown = json;
  let exactCallId: bigint | undefined;
  if (json instanceof Uint8Array) {
    try {
      o = DECODER.decode(json);
    } catch {
      fail('tool event is not UTF-8');
    }
  }
  if (typeof o === 'string') {
    const text = o;
    try {
      o = JSON.parse(text);
    } catch {
      fail('tool event is not JSON');
    }
    exactCallId = exactField(text, 'call_id');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('tool event must be a JSON object');
  const r = o as Record<string, unknown>;
  const optString = (k: string): string | undefined => {
    const v = r[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') fail(`${String(r.type)} event field ${k} must be a string`);
    return v;
  };
  const reqString = (k: string): string => optString(k) ?? fail(`${String(r.type)} event is missing field ${k}`);
  const reqData = (): unknown => ('data' in r ? r.data : fail(`${String(r.type)} event is missing field data`));
  switch (r.type) {
    case 'start': {
      const ev: ToolEvent = { type: 'start', toolId: reqString('tool_id') };
      if (r.call_id !== undefined && r.call_id !== null) ev.callId = exactCallId ?? callIdOf(r.call_id);
      if (r.metadata !== undefined && r.metadata !== null) ev.metadata = r.metadata;
      return ev;
    }
    case 'progress': {
      const ev: ToolEvent = { type: 'progress' };
      if (r.pct !== undefined && r.pct !== null) {
        if (typeof r.pct !== 'number' || !Number.isFinite(r.pct)) fail('progress event field pct must be a number');
        ev.pct = r.pct;
      }
      const message = optString('message');
      if (message !== undefined) ev.message = message;
      return ev;
    }
    case 'delta':
      return { type: 'delta', data: reqData() };
    case 'result':
      return { type: 'result', data: reqData() };
    case 'error': {
      const ev: ToolEvent = { type: 'error', code: reqString('code'), message: reqString('message') };
      if (r.details !== undefined && r.details !== null) ev.details = r.details;
      return ev;
    }
    default:
      return fail(`unknown tool event type ${JSON.stringify(r.type)}`);
  }
}

function callIdOf(v: unknown): bigint {
  if (typeof v === 'bigint' && v >= 0n && v < 1n << 64n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  return fail('start event field call_id must be a u64');
}

/** The exact u64 value of a top-level numeric field of a JSON object text, if present. */
function exactField(text: string, key: string): bigint | undefined {
  try {
    const v = parseJson(text);
    if (!(v instanceof JsonObject)) return undefined;
    const entry = v.entries.find(([k]) => k === key);
    if (!entry) return undefined;
    return jsonUnsigned(entry[1], 64) ?? fail(`start event field ${key} must be a u64`);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return undefined;
    throw e;
  }
}

/**
 * The wire JSON object of an event (snake_case, absent optionals omitted). `call_id` is a number
 * when it is a safe integer, else a bigint (use `encodeToolEvent` for exact text).
 */
export function toolEventToJSON(event: ToolEvent): Record<string, unknown> {
  const ev = parseToolEventLike(event);
  switch (ev.type) {
    case 'start': {
      const o: Record<string, unknown> = { type: 'start', tool_id: ev.toolId };
      if (ev.callId !== undefined) o.call_id = ev.callId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ev.callId) : ev.callId;
      if (ev.metadata !== undefined) o.metadata = ev.metadata;
      return o;
    }
    case 'progress': {
      const o: Record<string, unknown> = { type: 'progress' };
      if (ev.pct !== undefined) o.pct = ev.pct;
      if (ev.message !== undefined) o.message = ev.message;
      return o;
    }
    case 'error': {
      const o: Record<string, unknown> = { type: 'error', code: ev.code, message: ev.message };
      if (ev.details !== undefined) o.details = ev.details;
      return o;
    }
    default:
      return { type: ev.type, data: ev.data };
  }
}

/** The event as JSON text (a u64 call id is written as an exact integer). */
export function encodeToolEvent(event: ToolEvent): string {
  const o = toolEventToJSON(event);
  const parts = Object.entries(o).map(([k, v]) => {
    if (typeof v === 'bigint') return `${JSON.stringify(k)}:${v}`;
    try {
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    } catch (e) {
      throw new InvalidArgumentError(`tool event field ${k} is not JSON-serializable: ${(e as Error).message}`);
    }
  });
  return `{${parts.join(',')}}`;
}

function parseToolEventLike(event: ToolEvent): ToolEvent {
  if (typeof event !== 'object' || event === null) fail('tool event must be an object');
  if (event.type === 'start') {
    if (typeof event.toolId !== 'string') fail('start event needs a string toolId');
    if (event.callId !== undefined) callIdOf(event.callId);
  } else if (event.type === 'error') {
    if (typeof event.code !== 'string' || typeof event.message !== 'string') fail('error event needs string code and message');
  } else if (event.type !== 'progress' && event.type !== 'delta' && event.type !== 'result') {
    fail(`unknown tool event type ${JSON.stringify((event as { type?: unknown }).type)}`);
  }
  return event;
}
