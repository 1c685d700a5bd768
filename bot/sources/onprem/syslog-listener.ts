import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../../log';
import type { Metrics } from '../../metrics';
import { isRejected, type OnPremIngestor } from './onprem-ingestor';
import { datagramMessage, SyslogFramer } from './syslog-framer';
import { udpSocketDrops } from './udp-drops';

export interface SyslogListenOptions {
  host: string;
  /** null: that transport is off. 0: a random port (tests). */
  udpPort: number | null;
  tcpPort: number | null;
  /** A TCP peer silent this long is disconnected (a sensor reconnects on its own). */
  idleTimeoutMs?: number;
}

export interface BoundPorts {
  udp?: number;
  tcp?: number;
}

/** Datagrams dropped since start: our queue was full, or the kernel's receive buffer overflowed before we read. */
export interface UdpDrops {
  udpDropped: { queueFull: number; socketBuffer: number };
}

/**
 * Azure ATP's syslog receiver: UDP datagrams and TCP streams (RFC 6587 framing). Every frame goes to the
 * ingestor. Back-pressure (issue 16): a TCP reader stops reading once the ingestor's queue is 75 % full
 * and resumes below 50 %, so the sender's TCP window closes instead of anything being lost; UDP cannot be
 * slowed, so what does not fit is dropped and counted. Memory per connection stays at one read (≤ 64 KiB)
 * plus the framer's partial frame (≤ 32 KiB); at most `maxConnections` connections are open.
 */
export class SyslogListener {
  private udp: dgram.Socket | null = null;
  private tcp: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private bound: BoundPorts = {};
  private host = '';
  private paused = 0;
  private udpQueueFull = 0;
  /** The kernel's drop count of our socket when last read, and what was counted before a restart. */
  private kernelSeen = 0;
  private kernelTotal = 0;

  constructor(
    private readonly ingestor: OnPremIngestor,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly limits: { maxConnections?: number } = {},
  ) {
    metrics.scrapeSync.push(() => this.syncKernelDrops());
  }

  /** TCP connections paused for back-pressure right now. */
  get pausedConnections(): number {
    return this.paused;
  }

  /** For the status card and /metrics. */
  drops(): UdpDrops {
    this.syncKernelDrops();
    return { udpDropped: { queueFull: this.udpQueueFull, socketBuffer: this.kernelTotal } };
  }

  private syncKernelDrops(): void {
    if (this.bound.udp === undefined) return;
    const n = udpSocketDrops(this.bound.udp, net.isIPv6(this.host));
    if (n === null || n < this.kernelSeen) return;
    if (n > this.kernelSeen) {
      this.metrics.syslogUdpDropped.inc({ reason: 'socket_buffer' }, n - this.kernelSeen);
      this.kernelTotal += n - this.kernelSeen;
      this.kernelSeen = n;
    }
  }

  async start(o: SyslogListenOptions): Promise<BoundPorts> {
    this.host = o.host;
    if (o.udpPort !== null && !this.udp) {
      const family = net.isIPv6(o.host) ? 'udp6' : 'udp4';
      const udp = dgram.createSocket({ type: family, recvBufferSize: 4 * 1024 * 1024 });
      udp.on('message', (msg) => {
        void this.ingestor.submit(datagramMessage(msg), 'udp').then((o) => {
          if (isRejected(o) && o.rejected === 'overloaded') {
            this.udpQueueFull++;
            this.metrics.syslogUdpDropped.inc({ reason: 'queue_full' });
          }
        });
      });
      udp.on('error', (e) => this.log.error({ err: { message: e.message } }, 'syslog UDP socket error'));
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(o.udpPort!, o.host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      this.udp = udp;
      this.bound.udp = udp.address().port;
      this.kernelSeen = 0;
    }
    if (o.tcpPort !== null && !this.tcp) {
      const idle = o.idleTimeoutMs ?? 15 * 60_000;
      const server = net.createServer((socket) => this.serve(socket, idle));
      server.maxConnections = this.limits.maxConnections ?? 256;
      server.on('drop', () => this.metrics.syslogConnectionsRefused.inc());
      server.on('error', (e) => this.log.error({ err: { message: e.message } }, 'syslog TCP server error'));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: o.tcpPort!, host: o.host, backlog: 1024 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.tcp = server;
      this.bound.tcp = (server.address() as net.AddressInfo).port;
    }
    return { ...this.bound };
  }

  private serve(socket: net.Socket, idleMs: number): void {
    this.metrics.syslogConnections.inc();
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(idleMs, () => socket.destroy());
    const ingestor = this.ingestor;
    const framer = new SyslogFramer({
      frame: (bytes) => void ingestor.submit(bytes, 'tcp'),
      bad: (reason, detail) => ingestor.reject('tcp', reason, detail),
    });
    let paused = false;
    const resume = () => {
      if (!paused) return;
      paused = false;
      this.paused--;
      this.metrics.syslogTcpPaused.set(this.paused);
      if (!socket.destroyed) socket.resume();
    };
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      if (!paused && ingestor.queued >= ingestor.maxQueue * 0.75) {
        // Stop reading: the kernel buffers fill and the sender's window closes; nothing is dropped.
        paused = true;
        this.paused++;
        this.metrics.syslogTcpPaused.set(this.paused);
        this.metrics.syslogTcpPauses.inc();
        socket.pause();
        // Resume at half: the lanes (4 × 500 on PostgreSQL) still have work while the reader refills.
        void ingestor.whenBelow(ingestor.maxQueue / 2).then(resume);
      }
    });
    // Resets and other socket errors are the peer's business; 'close' follows and cleans up.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      framer.end();
      this.sockets.delete(socket);
      resume();
    });
  }

  isUp(): boolean {
    return (!this.udp || this.bound.udp !== undefined) && (!this.tcp || this.tcp.listening);
  }

  /** For the status card and the enable confirmation ("syslog UDP 127.0.0.1:1514"). */
  describe(): string[] {
    const out: string[] = [];
    if (this.bound.udp !== undefined) out.push(`syslog UDP ${this.host}:${this.bound.udp}`);
    if (this.bound.tcp !== undefined) out.push(`syslog TCP ${this.host}:${this.bound.tcp}`);
    return out;
  }

  ports(): BoundPorts {
    return { ...this.bound };
  }

  async stop(): Promise<void> {
    const udp = this.udp;
    this.udp = null;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    const tcp = this.tcp;
    this.tcp = null;
    if (tcp) {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const s of this.sockets) s.end();
      // Give peers a moment to finish what they were sending, then cut them.
      const t = setTimeout(() => this.sockets.forEach((s) => s.destroy()), 1000);
      await closed;
      clearTimeout(t);
    }
    this.bound = {};
  }
}
