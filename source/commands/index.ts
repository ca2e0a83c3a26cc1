// Every headless command, in the order `apdesk --help` lists them.
import type { Command } from './command.js';
import { invoicesListCommand, invoicesShowCommand } from './invoices.js';
import { licenseGrantCommand, licenseRevokeCommand } from './license.js';
import { queueAddCommand, queueAddDocumentCommand, queueInboxCommand, queueListCommand } from './queue.js';
import { statusCommand } from './status.js';
import { userAddCommand, userListCommand } from './user.js';
import { vaultAddCommand, vaultListCommand, vaultShowCommand } from './vault.js';
import {
  procoreCompaniesCommand,
  procoreConfigureCommand,
  procoreConnectCommand,
  procoreDisconnectCommand,
  procoreEnvCommand,
  procoreImportCommand,
  procoreRequisitionsCommand,
  procoreShowCommand,
} from './procore.js';
import { jobsDisableCommand, jobsEnableCommand, jobsListCommand, jobsRunCommand } from './jobs.js';
import { SYNC_COMMANDS } from './sync.js';
import { SANDBOX_COMMANDS } from './sandbox.js';
import { RULES_COMMANDS } from './rules.js';
import { WORKFLOW_COMMANDS } from './workflow.js';
import { accountingImportCommand, accountingShowCommand } from './accounting.js';
import { demoCommand } from './demo.js';

export const COMMANDS: readonly Command[] = [
  statusCommand,
  vaultListCommand,
  vaultAddCommand,
  vaultShowCommand,
  licenseGrantCommand,
  licenseRevokeCommand,
  queueListCommand,
  queueAddCommand,
  queueAddDocumentCommand,
  queueInboxCommand,
  invoicesListCommand,
  invoicesShowCommand,
  ...WORKFLOW_COMMANDS,
  userListCommand,
  userAddCommand,
  procoreEnvCommand,
  procoreConnectCommand,
  procoreCompaniesCommand,
  procoreConfigureCommand,
  procoreShowCommand,
  procoreRequisitionsCommand,
  procoreImportCommand,
  procoreDisconnectCommand,
  jobsListCommand,
  jobsRunCommand,
  jobsEnableCommand,
  jobsDisableCommand,
  ...SYNC_COMMANDS,
  accountingImportCommand,
  accountingShowCommand,
  ...RULES_COMMANDS,
  ...SANDBOX_COMMANDS,
  demoCommand,
];

/** The command whose words begin `words`, longest first. */
export function findCommand(words: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of COMMANDS) {
    const matches = command.path.every((word, index) => words[index] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best;
}

export function commandsInGroup(group: string): Command[] {
  return COMMANDS.filter((command) => command.path[0] === group);
}
