import type { AppParts, Feature } from '../feature';
import { configCommand, disableCommand, enableCommand, statusCommand } from './commands/core-commands';
import { disableAction, enableAction, refreshAction } from './actions/core-actions';

/** The chat-ops core: status, enable/disable with confirmation, config. (`help` is built by the app from every feature's commands.) */
export function coreFeature(_parts: AppParts): Feature {
  return {
    name: 'core',
    commands: [statusCommand, enableCommand, disableCommand, configCommand],
    actions: [enableAction, disableAction, refreshAction],
  };
}
