// The sandbox's OAuth pages: plain HTML forms with hidden fields and no script, so a browser and
// a test driving plain HTTP go through the same steps (log in, allow once, get the code).
import { escapeHtml } from './http.js';

export interface AuthorizeParams {
  response_type: string;
  client_id: string;
  redirect_uri: string;
  state: string;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Procore (sandbox)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;color:#222}
label{display:block;margin-top:1rem}input[type=email],input[type=password]{width:100%;padding:.4rem}
button{margin-top:1.2rem;padding:.5rem 1.2rem}.error{color:#b00020}code{font-size:1.3rem;word-break:break-all}
.note{color:#666;font-size:.85rem;margin-top:2rem}</style></head>
<body><p><strong>Procore</strong> · local sandbox</p>
${body}
</body></html>
`;
}

function hiddenFields(params: AuthorizeParams): string {
  return Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('\n');
}

export function loginPage(params: AuthorizeParams, options: { error?: string; email?: string; hint?: string } = {}): string {
  return page(
    'Log In',
    `<h1>Log In</h1>
${options.error ? `<p class="error" id="error">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/oauth/login">
${hiddenFields(params)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" value="${escapeHtml(options.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Log In</button>
</form>
${options.hint ? `<p class="note">${escapeHtml(options.hint)}</p>` : ''}`,
  );
}

export function consentPage(params: AuthorizeParams, appName: string, user: { name: string; email: string }): string {
  return page(
    'Authorization required',
    `<h1>Authorization required</h1>
<p><strong>${escapeHtml(appName)}</strong> would like to access your Procore account
(${escapeHtml(user.name)}, ${escapeHtml(user.email)}). You will be asked only once.</p>
<form method="post" action="/oauth/authorize">
${hiddenFields(params)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

export function codePage(code: string): string {
  return page(
    'Authorization code',
    `<h1>Authorization code</h1>
<p>Copy this code and paste it into the application:</p>
<p><code id="code">${escapeHtml(code)}</code></p>
<p>It works once and expires in 10 minutes. You can close this window.</p>`,
  );
}

export function deniedPage(): string {
  return page('Access denied', '<h1>Access denied</h1><p id="error">You did not allow the application to access your account.</p>');
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p class="error" id="error">${escapeHtml(message)}</p>`);
}
