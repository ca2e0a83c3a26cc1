// A vault's access token, kept fresh. Procore's refresh tokens are single-use and rotate, so a
// refresh happens once at a time — in this process (single-flight) and across processes (under
// the data-dir lock) — and the new pair is saved before anyone uses it.
import type { Logger } from '../log/log.js';
import type { StoredTokens } from '../domain/procore-config.js';
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

/** A vault's stored pair as the token keeper sees it inside `TokenStore.exclusive`. */
export interface TokenSlot {
  readonly current: StoredTokens | undefined;
  /** Saves a new pair (written when `exclusive` returns, before anyone uses it). */
  replace(next: StoredTokens): void;
  /** Forgets the pair and records that a person must grant access again, and why. */
  refuse(reason: string): void;
}

/** Where a vault's tokens live: the data dir's secrets, behind its cross-process lock. */
export interface TokenStore {
  /** The stored pair, read without the lock. */
  read(): Promise<StoredTokens | undefined>;
  /** Runs `change` under the data-dir lock on the pair as it is on disk now. */
  exclusive<T>(change: (slot: TokenSlot) => Promise<T>): Promise<T>;
}

export class VaultTokens implements AccessTokens {
  private inflight: Promise<string> | null = null;
  /** How many refresh calls this process made (tests and logs read it). */
  refreshes = 0;

  constructor(
    private readonly store: TokenStore,
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
    const tokens = await this.store.read();
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
    const token = await this.store.exclusive(async (slot) => {
      const current = slot.current;
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
        slot.replace(next);
        this.logger.log('info', 'procore tokens refreshed', { vault: this.vaultId, expiresAt: new Date(next.expiresAt).toISOString() });
        return next.accessToken;
      } catch (error) {
        if (!(error instanceof GrantRefusedError)) throw error;
        // The refresh token is dead: forget the pair and say a person must grant access again.
        refused = 'Procore refused the refresh token — it was revoked, or used by another program';
        slot.refuse(refused);
        this.logger.log('warn', 'procore refresh refused; reconnect needed', { vault: this.vaultId });
        return null;
      }
    });
    if (token === null) throw new ReconnectNeededError(this.vaultId, refused ?? 'it is not connected');
    return token;
  }
}
