import { udpSocketDrops } from '../../../bot/sources/onprem/udp-drops';

// The header and two sockets as Linux prints /proc/net/udp (the last column is `drops`).
const PROC = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 0100007F:05EA 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 55501 2 0000000000000000 417
  124: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 55502 2 0000000000000000 9
`;

describe('udpSocketDrops (/proc/net/udp)', () => {
  test('the drops column of the socket on that port; null when the file is not there', () => {
    expect(udpSocketDrops(1514, false, () => PROC)).toBe(417);
    expect(udpSocketDrops(53, false, () => PROC)).toBe(9);
    expect(udpSocketDrops(1515, false, () => PROC)).toBeNull();
    expect(udpSocketDrops(1514, false, () => { throw new Error('ENOENT'); })).toBeNull();
  });
});
