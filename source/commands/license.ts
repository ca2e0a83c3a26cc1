import { UsageError } from '../domain/errors.js';
import { parseLicence } from '../domain/vault.js';
import { printJson, stringOption, type Command, flagValue } from './command.js';

function licenceCommand(granted: boolean): Command {
  const verb = granted ? 'grant' : 'revoke';
  return {
    path: ['license', verb],
    summary: granted ? 'Grant a vault a licence (procore, cloud-sync)' : 'Revoke a licence from a vault',
    usage: `apdesk license ${verb} --vault VAULT procore|cloud-sync`,
    options: { vault: { type: 'string', value: 'VAULT', description: 'the vault, by name or id' } },
    positionals: { min: 1, max: 1, names: 'LICENCE' },
    json: true,
    async run(ctx) {
      const vaultRef = stringOption(ctx.values, 'vault');
      if (!vaultRef) throw new UsageError(`say which vault: apdesk license ${verb} --vault VAULT ${ctx.positionals[0] ?? 'procore'}`);
      const licence = flagValue(() => parseLicence(ctx.positionals[0] ?? ''));
      const { vault, changed } = await (await ctx.desk()).vaults.setLicence({ vault: vaultRef, licence, granted });
      if (ctx.json) return printJson(ctx, { vault: vault.id, licence, granted, changed, licences: vault.licences });
      ctx.out(
        changed
          ? `${granted ? 'Granted' : 'Revoked'} the ${licence} licence ${granted ? 'to' : 'from'} vault '${vault.name}'.`
          : `Vault '${vault.name}' ${granted ? 'already has' : 'does not have'} the ${licence} licence; nothing changed.`,
      );
    },
  };
}

export const licenseGrantCommand = licenceCommand(true);
export const licenseRevokeCommand = licenceCommand(false);
