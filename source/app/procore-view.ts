// What a vault's Procore side looks like now, for `procore show` and the console's panes: the
// configuration and whether credentials are stored — never the credentials themselves. No axios.
import { procoreConfigOf, requireProcoreAvailable, type ProcoreConfig } from '../domain/procore-config.js';
import { requireVault, type Vault } from '../domain/vault.js';
import type { DeskContext } from './context.js';

export interface ProcoreView {
  vault: Vault;
  config: ProcoreConfig;
  clientSecretStored: boolean;
  /** ISO time the access token expires (it is refreshed before then); null when not connected. */
  tokenExpiresAt: string | null;
}

export async function procoreView(desk: DeskContext, vaultRef: string): Promise<ProcoreView> {
  const vault = requireVault((await desk.store.settings()).vaults, vaultRef);
  requireProcoreAvailable(vault);
  const secrets = (await desk.store.secrets()).vaults[vault.id];
  return {
    vault,
    config: procoreConfigOf(vault),
    clientSecretStored: Boolean(secrets?.clientSecret),
    tokenExpiresAt: secrets?.tokens ? new Date(secrets.tokens.expiresAt).toISOString() : null,
  };
}
