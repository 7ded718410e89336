/** Every `baton` command. A command adds itself with one line here. */
import type { Command } from './command.js';
import { bucketsCommand } from './commands/buckets.js';
import { demoCommand } from './commands/demo.js';
import { drainCommand } from './commands/drain.js';
import { leaderCommand } from './commands/leader.js';
import { schemaCommand } from './commands/schema.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { directoryCommand } from './commands/directory.js';
import { routingCommand } from './commands/routing.js';
import { partitionCommand } from './commands/partition.js';
import { resourceCommand } from './commands/resource.js';
import { keysCommand } from './commands/keys.js';
import { tablesCommand } from './commands/tables.js';
import { settingsCommand } from './commands/settings.js';
import { maintenanceCommand } from './commands/maintenance.js';

export const commands: readonly Command[] = [startCommand, statusCommand, leaderCommand, bucketsCommand, schemaCommand, demoCommand, directoryCommand, routingCommand, partitionCommand, resourceCommand, keysCommand, tablesCommand, settingsCommand, maintenanceCommand, drainCommand];
