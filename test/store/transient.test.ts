import { isTransientDbError, withTransientRetry } from '../../bot/store/transient';

describe('transient database errors', () => {
  test('deadlocks and serialization failures are retried; other errors are not', async () => {
    let n = 0;
    const r = await withTransientRetry(async () => {
      if (++n < 3) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      return 'ok';
    }, 8, async () => undefined);
    expect(r).toBe('ok');
    expect(n).toBe(3);
    let m = 0;
    await expect(withTransientRetry(async () => {
      m++;
      throw Object.assign(new Error('unique violation'), { code: '23505' });
    }, 8, async () => undefined)).rejects.toThrow('unique violation');
    expect(m).toBe(1);
    expect(isTransientDbError({ code: '40001' })).toBe(true);
    expect(isTransientDbError(new Error('x'))).toBe(false);
  });

  test('gives up after the last attempt', async () => {
    let n = 0;
    await expect(withTransientRetry(async () => {
      n++;
      throw Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' });
    }, 3, async () => undefined)).rejects.toThrow('busy');
    expect(n).toBe(3);
  });
});
