/** Largest syslog message we accept. Azure ATP messages are a few KB; anything this big is refused. */
export const MAX_FRAME_BYTES = 32 * 1024;

export interface FramerSink {
  frame(bytes: Buffer): void;
  bad(reason: 'too_large' | 'partial_frame', detail: string): void;
}

const LF = 10;
const CR = 13;
const SP = 32;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * RFC 6587 framing on one TCP stream: octet-counted (`<len> <msg>`) and newline-terminated frames, in any
 * mix, split across reads anywhere. A frame over `maxFrame` is refused once and skipped without buffering
 * it; a frame cut off by the peer closing is refused at `end()`.
 *
 * Octet counting is recognised as digits, one space, then a non-digit (a syslog message starts with `<`);
 * `1 2026-…` (RFC 5424 without PRI) therefore stays newline-framed.
 */
export class SyslogFramer {
  private pending: Buffer | null = null;
  /** Bytes of an oversized octet-counted frame still to skip. */
  private skipBytes = 0;
  /** Skipping an oversized line until its newline. */
  private skipLine = false;

  constructor(private readonly sink: FramerSink, private readonly maxFrame = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let off = 0;
    while (off < buf.length) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, buf.length - off);
        off += n;
        this.skipBytes -= n;
        continue;
      }
      if (this.skipLine) {
        const nl = buf.indexOf(LF, off);
        if (nl < 0) return;
        off = nl + 1;
        this.skipLine = false;
        continue;
      }
      const c = buf[off];
      if (c === LF || c === CR || c === 0 || c === SP) {
        off++;
        continue;
      }
      if (c >= 49 && c <= 57) {
        let i = off;
        while (i < buf.length && i - off < 10 && isDigit(buf[i])) i++;
        // Not enough bytes yet to tell an octet count from a line starting with digits.
        if (i - off < 10 && (i >= buf.length || (buf[i] === SP && i + 1 >= buf.length))) break;
        if (i - off < 10 && buf[i] === SP && !isDigit(buf[i + 1])) {
          const len = Number(buf.toString('latin1', off, i));
          const start = i + 1;
          if (len > this.maxFrame) {
            this.sink.bad('too_large', `octet-counted frame of ${len} bytes (limit ${this.maxFrame})`);
            this.skipBytes = len;
            off = start;
            continue;
          }
          if (buf.length - start < len) break;
          this.sink.frame(buf.subarray(start, start + len));
          off = start + len;
          continue;
        }
      }
      const nl = buf.indexOf(LF, off);
      if (nl < 0) {
        if (buf.length - off > this.maxFrame) {
          this.sink.bad('too_large', `line over ${this.maxFrame} bytes`);
          this.skipLine = true;
          return;
        }
        break;
      }
      if (nl - off > this.maxFrame) this.sink.bad('too_large', `line of ${nl - off} bytes (limit ${this.maxFrame})`);
      else this.sink.frame(trimEnd(buf.subarray(off, nl)));
      off = nl + 1;
    }
    // Copy the tail so one small leftover does not pin a large read buffer.
    if (off < buf.length) this.pending = Buffer.from(buf.subarray(off));
  }

  /** The peer closed: whatever is buffered is half a frame. */
  end(): void {
    if (this.pending && this.pending.length > 0) this.sink.bad('partial_frame', `connection closed inside a frame (${this.pending.length} bytes)`);
    else if (this.skipBytes > 0 || this.skipLine) {
      /* the oversized frame was already counted */
    }
    this.pending = null;
    this.skipBytes = 0;
    this.skipLine = false;
  }
}

function trimEnd(b: Buffer): Buffer {
  let e = b.length;
  while (e > 0 && (b[e - 1] === CR || b[e - 1] === 0)) e--;
  return e === b.length ? b : b.subarray(0, e);
}

/** A UDP datagram is one message; drop the trailing newline / NUL some senders add. */
export function datagramMessage(b: Buffer): Buffer {
  let e = b.length;
  while (e > 0 && (b[e - 1] === LF || b[e - 1] === CR || b[e - 1] === 0)) e--;
  return b.subarray(0, e);
}
