import type { CloudAdapter, TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import restify from 'restify';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';

export const MAX_ACTIVITY_BYTES = 256 * 1024;

/** POST /api/messages: body checks first (a clear 400), then botbuilder (auth, invoke responses). */
export function mountMessages(server: Server, adapter: CloudAdapter, onTurn: (t: TurnContext) => Promise<void>, log: Logger, metrics: Metrics): void {
  server.post('/api/messages', restify.plugins.bodyParser({ maxBodySize: MAX_ACTIVITY_BYTES, mapParams: false, rejectUnknown: true }), async (req: Request, res: Response) => {
    const body = req.body as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string') {
      metrics.badRequests.inc({ route: 'messages', reason: 'not_an_activity' });
      res.send(400, { error: 'The body must be a JSON Bot Framework activity with a string "type".' });
      return;
    }
    // botbuilder answers 500 for token errors that are not its own AuthenticationError (a forged
    // signature, a malformed JWT). Anything that fails before our turn logic runs is an auth failure: 401.
    let turnStarted = false;
    const status = res.status.bind(res);
    (res as any).status = (code: number) => {
      if (code === 500 && !turnStarted) {
        metrics.badRequests.inc({ route: 'messages', reason: 'unauthorized' });
        return status(401);
      }
      return status(code);
    };
    try {
      await adapter.process(req as any, res as any, async (turn) => {
        turnStarted = true;
        await onTurn(turn);
      });
    } catch (e) {
      // botbuilder throws on activities its own schema rejects; the client gets a 400, the server keeps serving.
      metrics.badRequests.inc({ route: 'messages', reason: 'invalid_activity' });
      log.warn({ err: { message: (e as Error).message } }, 'activity rejected');
      if (!res.headersSent) res.send(400, { error: 'The activity is not valid.' });
    }
  });
}
