// A vault's access token, kept fresh. Procore's refresh tokens are single-use and rotate, so a
// refresh happens once at a time — in this process (single-flight) and across processes (under
// the data-dir lock) — and the new pair is saved before anyone uses it.
import type { Store } from '../store/store.js';
import type { StoredTokens } from '../store/schema.js';
import type { Logger } from '../app/log.js';
import type { ProcoreConnection } from '../domain/procore-config.js';
import { environmentKey, type ProcoreEnvironment } from './environments.js';
import { ReconnectNeededError } from './errors.js';
import { GrantRefusedError, refreshTokens, type ClientCredentials } from './oauth.js';

/** Refresh this long before expiry, so a request never leaves with a token about to die. */
export const REFRESH_MARGIN_MS = 60_000;

export interface AccessTokens {
  accessToken(): Promise<string>;
  /** A request was refused with `staleToken`: get a newer one (refreshing only if no one has). */
  refreshAfter(staleToken: string): Promise<string>;
}

export class VaultTokens implements AccessTokens {
  private inflight: Promise<string> | null = null;
  /** How many refresh calls this process made (tests and logs read it). */
  refreshes = 0;

  constructor(
    private readonly store: Store,
    private readonly vaultId: string,
    private readonly environment: ProcoreEnvironment,
    private readonly credentials: ClientCredentials,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private fresh(tokens: StoredTokens | undefined): tokens is StoredTokens {
    return tokens !== undefined && tokens.expiresAt - REFRESH_MARGIN_MS > this.now();
  }

  private async stored(): Promise<StoredTokens | undefined> {
    const secrets = await this.store.secrets();
    const tokens = secrets.vaults[this.vaultId]?.tokens;
    if (tokens && tokens.environment !== environmentKey(this.environment)) return undefined;
    return tokens;
  }

  async accessToken(): Promise<string> {
    const tokens = await this.stored();
    if (!tokens) throw new ReconnectNeededError(this.vaultId, 'it is not connected');
    if (this.fresh(tokens)) return tokens.accessToken;
    return this.refresh(null);
  }

  refreshAfter(staleToken: string): Promise<string> {
    return this.refresh(staleToken);
  }

  private refresh(staleToken: string | null): Promise<string> {
    this.inflight ??= this.refreshUnderLock(staleToken).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async refreshUnderLock(staleToken: string | null): Promise<string> {
    let refused: string | null = null;
    const token = await this.store.transact(async (tx) => {
      const secrets = await tx.secrets();
      const current = secrets.vaults[this.vaultId]?.tokens;
      if (!current || current.environment !== environmentKey(this.environment)) {
        refused = 'it is not connected';
        return null;
      }
      // Another process (or an earlier call here) already refreshed: use its pair.
      const replaced = staleToken !== null && current.accessToken !== staleToken;
      if (this.fresh(current) && (staleToken === null || replaced)) return current.accessToken;
      try {
        this.refreshes += 1;
        const next = await refreshTokens(this.environment, this.credentials, current.refreshToken, { now: this.now() });
        secrets.vaults[this.vaultId] = { ...secrets.vaults[this.vaultId], tokens: next };
        this.logger.log('info', 'procore tokens refreshed', { vault: this.vaultId, expiresAt: new Date(next.expiresAt).toISOString() });
        return next.accessToken;
      } catch (error) {
        if (!(error instanceof GrantRefusedError)) throw error;
        // The refresh token is dead: forget the pair and say a person must grant access again.
        refused = 'Procore refused the refresh token — it was revoked, or used by another program';
        delete secrets.vaults[this.vaultId]!.tokens;
        const vault = tx.settings.vaults.find((v) => v.id === this.vaultId);
        if (vault?.procore) {
          const previous = vault.procore.connection;
          const connection: ProcoreConnection = {
            state: 'reconnect-needed',
            user: previous.state === 'not-connected' ? null : previous.user,
            since: tx.now,
            reason: refused,
          };
          vault.procore = { ...vault.procore, connection };
        }
        this.logger.log('warn', 'procore refresh refused; reconnect needed', { vault: this.vaultId });
        return null;
      }
    });
    if (token === null) throw new ReconnectNeededError(this.vaultId, refused ?? 'it is not connected');
    return token;
  }
}
