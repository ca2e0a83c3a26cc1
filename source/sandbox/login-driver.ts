// Signs in to the local sandbox's OAuth pages without a browser, for `procore connect --email
// --password` and the console's Grant Access in demos: it fills the login form, answers the
// "Authorization required" page (Allow, or asks the person through `consent`), and returns what
// Procore would hand back — the redirect's query, or the code the out-of-band page shows.
// Only ever used against the embedded sandbox: it reads plain HTML forms.
import axios, { type AxiosResponse } from 'axios';
import { UserError } from '../domain/errors.js';

interface Form {
  action: string;
  method: string;
  fields: Record<string, string>;
  /** Named submit buttons: a server may read which one was pressed. */
  submits: { name: string; value: string; label: string }[];
  text: string;
}

const attr = (tag: string, name: string) => new RegExp(`${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag)?.slice(2).find((v) => v !== undefined);

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function forms(html: string, base: string): Form[] {
  const found: Form[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const tag = match[1] ?? '';
    const body = match[2] ?? '';
    const fields: Record<string, string> = {};
    const submits: Form['submits'] = [];
    for (const input of body.matchAll(/<(input|button)\b([^>]*)>([^<]*)/gi)) {
      const name = attr(input[2] ?? '', 'name');
      const type = (attr(input[2] ?? '', 'type') ?? '').toLowerCase();
      const value = decode(attr(input[2] ?? '', 'value') ?? '');
      if (input[1]!.toLowerCase() === 'button' || type === 'submit') {
        if (name) submits.push({ name, value, label: `${value} ${input[3] ?? ''}` });
        continue;
      }
      if (name) fields[name] = value;
    }
    found.push({
      action: new URL(decode(attr(tag, 'action') ?? base), base).toString(),
      method: (attr(tag, 'method') ?? 'get').toLowerCase(),
      fields,
      submits,
      text: body.replace(/<[^>]+>/g, ' '),
    });
  }
  return found;
}

function visibleText(html: string): string {
  return decode(html.replace(/<(script|style|title)[\s\S]*?<\/\1>/gi, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** What the page tells the person: its error line if it has one, else its text. */
function pageMessage(html: string, limit: number): string {
  const error = /<[^>]*\bid\s*=\s*["']error["'][^>]*>([\s\S]*?)<\//i.exec(html)?.[1];
  return (error !== undefined ? visibleText(error) : visibleText(html)).slice(0, limit);
}

/**
 * `consent`, when given, is asked on the "Authorization required" page (shown once per user and
 * app) with the page's words; false presses Deny. Without it the page is allowed.
 */
const DENIED = 'access was not allowed at "Authorization required": nothing was stored — grant access again and choose Allow to connect';

/** The consent page's heading and its words before the buttons. */
function consentWords(html: string): { title: string; text: string } {
  const title = visibleText(/<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1] ?? 'Authorization required');
  const text = visibleText(/<\/h1>\s*<p[^>]*>([\s\S]*?)<\/p>/i.exec(html)?.[1] ?? '');
  return { title, text };
}

export async function signInToSandbox(
  authorizeUrl: string,
  email: string,
  password: string,
  consent?: (page: { title: string; text: string }) => Promise<boolean>,
): Promise<string> {
  const cookies = new Map<string, string>();
  const call = async (url: string, method = 'get', form?: Record<string, string>): Promise<AxiosResponse<string>> => {
    const response = await axios.request<string>({
      url,
      method,
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(raw: string) => raw],
      headers: {
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { data: new URLSearchParams(form).toString() } : {}),
      timeout: 15_000,
    });
    const setCookie = response.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair] = line.split(';');
      const [key, ...value] = (pair ?? '').split('=');
      if (key) cookies.set(key.trim(), value.join('=').trim());
    }
    return response;
  };

  let response = await call(authorizeUrl);
  let url = authorizeUrl;
  let loggedIn = false;
  let denied = false;
  for (let step = 0; step < 10; step++) {
    if (response.status >= 300 && response.status < 400 && response.headers.location) {
      const next = new URL(String(response.headers.location), url);
      // The redirect back to apdesk: hand over its query as Procore would.
      if (next.searchParams.has('code') || next.searchParams.has('error')) return next.search.slice(1);
      url = next.toString();
      response = await call(url);
      continue;
    }
    const html = response.data ?? '';
    const code = /id\s*=\s*["']code["'][^>]*>\s*([^<\s]+)\s*</i.exec(html)?.[1];
    if (code) return decode(code);
    if (response.status >= 400 && !forms(html, url).length) {
      throw new UserError(`the sandbox refused the sign-in (${response.status}): ${pageMessage(html, 200)}`);
    }
    const all = forms(html, url);
    const login = all.find((form) => Object.keys(form.fields).some((name) => /password/i.test(name)));
    if (login) {
      if (loggedIn) throw new UserError(`the sandbox did not accept ${email} with that password (${pageMessage(html, 160)}) — check the email and the password, and run it again`);
      loggedIn = true;
      const fields = { ...login.fields };
      const submit = login.submits[0];
      if (submit) fields[submit.name] = submit.value;
      for (const name of Object.keys(fields)) {
        if (/password/i.test(name)) fields[name] = password;
        else if (/email|login|user/i.test(name)) fields[name] = email;
      }
      url = login.action;
      response = await call(login.action, login.method === 'post' ? 'post' : 'get', fields);
      continue;
    }
    const allow = all.find((form) => /allow|authori[sz]e/i.test(form.text) || Object.keys(form.fields).some((n) => /allow|approve/i.test(n)));
    if (allow) {
      const fields = { ...allow.fields };
      const allowed = consent ? await consent(consentWords(html)) : true;
      const pattern = allowed ? /allow|approve|authori[sz]e/i : /deny|cancel|decline/i;
      const submit = allow.submits.find((button) => pattern.test(`${button.name} ${button.value} ${button.label}`));
      if (!allowed && !submit) throw new UserError(DENIED);
      denied = !allowed;
      if (submit) fields[submit.name] = submit.value;
      url = allow.action;
      response = await call(allow.action, allow.method === 'post' ? 'post' : 'get', fields);
      continue;
    }
    if (denied) throw new UserError(`${DENIED} (${pageMessage(html, 120)})`);
    throw new UserError(`the sandbox sign-in stopped at a page apdesk does not recognise: ${pageMessage(html, 200)}`);
  }
  throw new UserError('the sandbox sign-in went round in circles; nothing was stored');
}
