// The loopback redirect of Grant Access: a one-shot listener on localhost that receives
// Procore's redirect with the code and tells the browser it may close the window.
import { createServer, type Server } from 'node:http';

export interface RedirectListener {
  /** The query string Procore redirected with (code=…&state=… or error=…). */
  reply: Promise<string>;
  close(): Promise<void>;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

export async function listenForRedirect(port: number, path: string, timeoutMs: number): Promise<RedirectListener> {
  let settle!: (query: string) => void;
  let fail!: (error: Error) => void;
  const reply = new Promise<string>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://localhost:${port}`);
    if (url.pathname !== path) {
      response.writeHead(404).end();
      return;
    }
    const ok = url.searchParams.has('code');
    response.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      ok
        ? PAGE('apdesk has the authorization', 'You can close this window and return to apdesk.')
        : PAGE('Procore did not grant access', 'Return to apdesk for the reason.'),
    );
    settle(url.search.slice(1));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const timer = setTimeout(() => fail(new Error(`no answer from the browser within ${Math.round(timeoutMs / 60000)} minutes`)), timeoutMs);
  reply.catch(() => undefined);
  return {
    reply,
    close: () =>
      new Promise((resolve) => {
        clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether a browser can open here: not over SSH, and on Linux only with a display. */
export function browserAvailable(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): boolean {
  if (env.SSH_CONNECTION || env.SSH_CLIENT || env.SSH_TTY) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
