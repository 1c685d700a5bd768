import { FakeClock } from '../../../bot/clock';
import type { CloudFeature } from '../../../bot/sources/cloud/cloud-feature';
import type { SleepingClock } from '../../../bot/sources/cloud/sleep';
import { FakeMcas } from '../../fakes/mcas';
import { startTestApp, type TestApp } from '../../helpers/test-app';

/** Fake time that also owns waiting: a sleep moves the clock at once, so minutes of budget run in ms. */
export class SleepyClock extends FakeClock implements SleepingClock {
  slept = 0;
  async sleep(ms: number): Promise<void> {
    this.slept += ms;
    this.advance(ms);
    await new Promise((r) => setImmediate(r));
  }
}

export const MCAS_TOKEN = 'a'.repeat(64);
export const INGEST_TOKEN = 'ingest-secret-0123456789';

export interface CloudRig {
  t: TestApp;
  fake: FakeMcas;
  clock: SleepyClock;
  cloud(): CloudFeature;
  close(): Promise<void>;
}

/** The real app with MCAS_URL pointing at a fake Cloud App Security sharing the app's clock. */
export async function startCloudRig(o: { token?: string; env?: Record<string, string>; alerts?: any[] } = {}): Promise<CloudRig> {
  const clock = new SleepyClock('2026-03-02T09:00:00.000Z');
  const fake = new FakeMcas(MCAS_TOKEN, clock);
  fake.alerts = o.alerts ?? [];
  await fake.start();
  const t = await startTestApp({
    clock,
    env: { MCAS_URL: fake.url, MCAS_TOKEN: o.token ?? MCAS_TOKEN, MCAS_POLL_SECONDS: '86400', INGEST_TOKEN, ...o.env },
  });
  return {
    t,
    fake,
    clock,
    cloud: () => t.app.features.find((f) => f.name === 'cloud') as CloudFeature,
    async close() {
      await t.close();
      await fake.stop();
    },
  };
}

/** Alerts with epoch-ms timestamps from `start`, `perTs` alerts sharing each millisecond. */
export function timeline(n: number, start: number, tieAt: (i: number) => number = (i) => i, make: (i: number, ts: number) => any): any[] {
  return Array.from({ length: n }, (_, i) => make(i, start + tieAt(i)));
}

export const hex24 = (i: number, prefix = 'a') => `${prefix}${i.toString(16).padStart(23, '0')}`;
