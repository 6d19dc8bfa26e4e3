// A minimal Server-Sent Events reader over fetch, for the Deck server tests.
export interface SseEvent {
  event: string;
  id: string;
  data: string;
}

export class SseReader {
  private buf = '';
  private readonly decoder = new TextDecoder();
  private readonly ac = new AbortController();
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  status = 0;
  contentType = '';

  constructor(private readonly url: string) {}

  async open(): Promise<void> {
    const res = await fetch(this.url, { signal: this.ac.signal, headers: { accept: 'text/event-stream' } });
    this.status = res.status;
    this.contentType = res.headers.get('content-type') ?? '';
    this.reader = res.body!.getReader();
  }

  /** The next event, or undefined when the stream ended. */
  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buf.slice(0, end);
        this.buf = this.buf.slice(end + 2);
        const ev: SseEvent = { event: 'message', id: '', data: '' };
        let any = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'event') ev.event = value;
          else if (field === 'id') ev.id = value;
          else if (field === 'data') ev.data += (ev.data ? '\n' : '') + value;
          else continue;
          any = true;
        }
        if (any && (ev.data || ev.event !== 'message')) return ev;
        continue;
      }
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await this.reader!.read();
      } catch {
        return undefined;
      }
      if (r.done) return undefined;
      this.buf += this.decoder.decode(r.value, { stream: true });
    }
  }

  close(): void {
    this.ac.abort();
  }
}
