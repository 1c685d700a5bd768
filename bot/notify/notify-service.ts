import type { Outbox } from './outbox';
import type { DeliveryWorker } from './delivery-worker';
import type { RenderDeps } from './render';

/** What notify shares with the card actions and the `refresh` verb (services.notify). */
export interface NotifyService {
  outbox: Outbox;
  worker: DeliveryWorker;
  render: RenderDeps;
  adminIds(): Promise<string[]>;
}
