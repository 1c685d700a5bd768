import fs from 'node:fs';

/**
 * Datagrams the kernel dropped on our UDP socket because its receive buffer was full (Linux: the `drops`
 * column of /proc/net/udp, per socket since it was opened). null where that file does not exist.
 */
export function udpSocketDrops(port: number, ipv6: boolean, read: (f: string) => string = (f) => fs.readFileSync(f, 'utf8')): number | null {
  let text: string;
  try {
    text = read(ipv6 ? '/proc/net/udp6' : '/proc/net/udp');
  } catch {
    return null;
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let drops: number | null = null;
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 13 || !cols[1].endsWith(`:${hexPort}`)) continue;
    drops = (drops ?? 0) + Number(cols[12]);
  }
  return drops;
}
