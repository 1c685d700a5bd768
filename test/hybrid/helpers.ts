import path from 'node:path';
import type { App } from '../../bot/app';
import type { HybridEvent } from '../../bot/events';
import type { NormalizedAlert } from '../../bot/hybrid/alert';
import type { HybridFeature } from '../../bot/hybrid/hybrid-feature';
import type { RiskyDetail } from '../../bot/hybrid/priority-service';
import { makeMessage, makeAction, type TestUser } from '../helpers/activities';
import { DETECTIONS, account, makeAlert } from '../helpers/alerts';
import type { TestApp } from '../helpers/test-app';

export const HYBRID_DIRECTORY = path.join(__dirname, '../fixtures/directory-hybrid.json');
export const JDOE = 'aad:00000000-0000-0000-0000-000000000004';
export const JDOE_ID = '00000000-0000-0000-0000-000000000004';

export const hybrid = (app: App) => app.features.find((f) => f.name === 'hybrid') as HybridFeature;

/** Every user.risky event the app emits (listener inside the ledger transaction, like notify's). */
export function captureRisky(app: App): Array<Extract<HybridEvent, { type: 'user.risky' }> & { detail: RiskyDetail }> {
  const seen: any[] = [];
  app.services.events.on(async (_trx, e) => {
    if (e.type === 'user.risky') seen.push(e);
  });
  return seen;
}

export async function say(t: TestApp, text: string, user: TestUser): Promise<any[]> {
  t.connector.clear();
  const res = await t.post(makeMessage(text, user, t.connector.url));
  if (res.status !== 200) throw new Error(`/api/messages answered ${res.status}`);
  return t.connector.sent();
}

export async function click(t: TestApp, verb: string, data: Record<string, unknown>, user: TestUser): Promise<any> {
  const res = await t.post(makeAction(verb, data, user, t.connector.url));
  if (res.status !== 200) throw new Error(`/api/messages answered ${res.status}`);
  return res.body;
}

/** The scenario's three alerts for John Doe: two on-prem (CONTOSO\jdoe), one cloud (UPN + object id). */
export function jdoeAttack(at: string): NormalizedAlert[] {
  return [
    makeAlert({ ...DETECTIONS.bruteForce, users: [account('CONTOSO\\jdoe')], seenAt: at, start: at }),
    makeAlert({ ...DETECTIONS.passTheHash, users: [account('jdoe')], seenAt: at, start: at }),
    makeAlert({ ...DETECTIONS.impossibleTravel, users: [account('jdoe@contoso.com', { upn: 'jdoe@contoso.com', aadObjectId: JDOE_ID })], seenAt: at, start: at, threatScore: 74 }),
  ];
}

export const minutes = (iso: string, n: number) => new Date(new Date(iso).getTime() + n * 60_000).toISOString();
