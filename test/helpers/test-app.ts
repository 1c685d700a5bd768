import path from 'node:path';
import pino from 'pino';
import { buildApp, type App, type AppOverrides } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { FakeClock } from '../../bot/clock';
import { createTestDatabase, type TestDatabase } from './db';
import { FakeBotConnector } from '../fakes/bot-connector';

export const SAMPLE_DIRECTORY = path.join(__dirname, '../../directory.sample.json');

export interface TestApp {
  app: App;
  url: string;
  db: TestDatabase;
  connector: FakeBotConnector;
  clock: FakeClock;
  env: Record<string, string>;
  /** POST an activity to /api/messages; returns status and parsed body. */
  post(activity: unknown): Promise<{ status: number; body: any }>;
  /** Stop and build again on the same database (state must survive). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  overrides?: AppOverrides;
  clock?: FakeClock;
  db?: TestDatabase;
}

/** The real app (restify, botbuilder, real database) on a random loopback port, with a fake Bot Connector. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = opts.db ?? (await createTestDatabase());
  const connector = new FakeBotConnector();
  await connector.start();
  const clock = opts.clock ?? new FakeClock('2026-03-02T09:00:00.000Z');
  const env = { PORT: '0', DIRECTORY_FILE: SAMPLE_DIRECTORY, SYSLOG_UDP_PORT: '0', SYSLOG_TCP_PORT: '0', LOG_LEVEL: 'silent', ...db.env, ...opts.env };
  const log = pino({ level: process.env.HW_TEST_LOG ?? 'silent' });
  const build = () => buildApp(loadConfig(env), { clock, log, ...opts.overrides });
  let app = await build();
  let url = await app.start();
  const t: TestApp = {
    get app() {
      return app;
    },
    get url() {
      return url;
    },
    db,
    connector,
    clock,
    env,
    async post(activity) {
      const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof activity === 'string' ? activity : JSON.stringify(activity) });
      const text = await res.text();
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body };
    },
    async restart() {
      await app.stop();
      app = await build();
      url = await app.start();
    },
    async close() {
      await app.stop();
      await connector.stop();
      if (!opts.db) await db.drop();
    },
  };
  return t;
}
