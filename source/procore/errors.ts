// What can go wrong talking to Procore, said so a person can act on it. The raw body and the
// x-request-id go to the log for a support ticket.
import { UserError } from '../domain/errors.js';

export class ProcoreError extends UserError {
  constructor(
    message: string,
    readonly status: number | null,
    readonly requestId: string | null,
    readonly body: string | null = null,
  ) {
    super(requestId ? `${message} (Procore request id ${requestId})` : message);
    this.name = 'ProcoreError';
  }
}

/**
 * Procore refused a token it had just issued: the tokens are fine, but apdesk is not installed in
 * this company (Procore's App Management), or the connected user has no access to it. Refreshing
 * again would only burn refresh tokens, so the client stops until a person acts.
 */
export class AccessRefusedError extends UserError {
  constructor(
    readonly where: string,
    readonly requestId: string | null,
  ) {
    super(
      `Procore refused ${where} even with a freshly refreshed token: apdesk may not be installed in this company (Procore's App Management), or the connected user has no access to it — a Procore company admin can install the app or grant the user access; the connection itself is kept${requestId ? ` (Procore request id ${requestId})` : ''}`,
    );
    this.name = 'AccessRefusedError';
  }
}

/** The refresh token was refused: a person has to grant access again. */
export class ReconnectNeededError extends UserError {
  constructor(
    readonly vaultId: string,
    reason: string,
  ) {
    super(`the Procore connection of vault '${vaultId}' must be granted again (${reason}) — run \`apdesk procore connect --vault ${vaultId}\``);
    this.name = 'ReconnectNeededError';
  }
}

/** The message Procore put in an error body, whatever shape the endpoint used. */
export function procoreMessage(body: unknown): string | null {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : null;
  const record = body as Record<string, unknown>;
  for (const key of ['error_description', 'message', 'errors', 'error', 'reason']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (Array.isArray(value) && value.length) return value.map(String).join('; ');
    if (value && typeof value === 'object') {
      const nested = procoreMessage(value);
      if (nested) return nested;
      return JSON.stringify(value).slice(0, 300);
    }
  }
  return null;
}
