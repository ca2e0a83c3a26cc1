// The sandbox and the client held to Procore's published OpenAPI description (openapi/): every
// field the sandbox sends on apdesk's routes is declared there with its type, and every query
// parameter the client sends is one the endpoint takes. Where the schema says nothing (a
// collapsed nested object, an empty schema) the test names the place in EXCEPTIONS instead.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../source/log/log.js';
import { ProcoreHttp } from '../../source/procore/http.js';
import { commitment, companies, costCodes, me, projects, requisition, requisitions, requisitionsChecked, vendor } from '../../source/procore/resources.js';
import { contractPayments, createContractPayment } from '../../source/procore/payments.js';
import type { ProcoreId } from '../../source/domain/ids.js';
import type { Cents } from '../../source/domain/money.js';
import { setRateLimits, readState } from '../../source/sandbox/control.js';
import { DEMO_COMPANY_ID, DEMO_REQUISITIONS } from '../../source/sandbox/index.js';
import { api, connect, sandbox, type TestSandbox } from '../sandbox/helpers.js';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
}

interface Operation {
  file: string;
  method: string;
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema?: Schema }[];
  responses: Record<string, { schema?: Schema }>;
  requestBody?: { schema?: Schema };
  matches(method: string, path: string): boolean;
}

const OPENAPI = new URL('./openapi/', import.meta.url);
const OPERATIONS: Operation[] = readdirSync(OPENAPI)
  .filter((name) => name.endsWith('.json'))
  .map((file) => {
    const raw = JSON.parse(readFileSync(new URL(file, OPENAPI), 'utf8')) as Omit<Operation, 'file' | 'matches'>;
    const pattern = new RegExp(`^${raw.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return { ...raw, file, matches: (method: string, path: string) => raw.method === method && pattern.test(path) };
  });

function operationFor(method: string, path: string): Operation {
  const found = OPERATIONS.find((operation) => operation.matches(method, path));
  if (!found) throw new Error(`no OpenAPI operation for ${method} ${path}: copy its file into test/procore/openapi`);
  return found;
}

/**
 * Places where the schema cannot judge what the sandbox sends, each with the reason; keyed
 * `<operation file> <field path>`, arrays as []. A place listed here but never met fails too,
 * so the list cannot outlive the shapes it excuses.
 */
const EXCEPTIONS: Record<string, string> = {
  // A whole response the schema does not describe: `*` covers every place under it.
  'RestV10VendorsIdGet.json *': 'empty schema {}: the vendor show is not described at all',
  'RestV10VendorsGet.json []': 'each vendor is an object without fields ("Vendor Extended View")',
  'RestV10CostCodesGet.json []': "each cost code is an empty schema {}: the sandbox follows Procore's public docs (id, name, code, full_code, …)",
  'RestV10WorkOrderContractsGet.json []': 'each contract is an object without fields (the purchase order list, checked too, declares them)',
  'RestV11RequisitionsGet.json [].attachments[].*': 'collapsed below the list: the show schema (checked too) declares them',
  'RestV11RequisitionsGet.json [].items[].*': 'collapsed below the list: the show schema (checked too) declares the items',
  // Requisition items on the show: the WBS code is collapsed, cost_code is ours.
  'RestV11RequisitionsIdGet.json items[].wbs_code.id': 'collapsed nested object: the id is not typed',
  'RestV11RequisitionsIdGet.json items[].wbs_code.flat_code': 'collapsed nested object',
  'RestV11RequisitionsIdGet.json items[].wbs_code.description': 'collapsed nested object',
  'RestV11RequisitionsIdGet.json items[].wbs_code.segment_items': 'collapsed nested object: segment_type/segment_name/code/name are not in the schema',
  // Commitments.
  'RestV10CommitmentsIdGet.json origin_code': 'not declared on /commitments/{id} (only on the typed contract routes): kept while the client reads it there',
  'RestV10CommitmentsIdGet.json vendor': 'empty schema {}: the vendor (id, company, origin_code) is not described',
  ...Object.fromEntries(
    ['RestV10CommitmentsIdGet.json', 'RestV10WorkOrderContractsIdGet.json', 'RestV10PurchaseOrderContractsIdGet.json'].flatMap((file) => [
      [`${file} line_items[].cost_code`, 'empty schema {}'],
      [`${file} line_items[].line_item_type.*`, 'collapsed nested object'],
    ]),
  ),
  'RestV10PurchaseOrderContractsIdGet.json attachments': 'the schema says one object where every other route has a list; the sandbox sends a list',
};

/** The listed exception that covers `key`, if any. */
function exceptionFor(key: string): string | null {
  if (key in EXCEPTIONS) return key;
  return Object.keys(EXCEPTIONS).find((listed) => listed.endsWith('*') && key.startsWith(listed.slice(0, -1))) ?? null;
}

interface Finding {
  problems: string[];
  excused: Set<string>;
}

/** Compares one JSON value with its schema; `at` is the field path, arrays as []. */
function conform(file: string, value: unknown, schema: Schema | undefined, at: string, finding: Finding): void {
  const key = `${file} ${at}`;
  // No schema, an empty one, or an object without fields ("(nested object)" where it was collapsed).
  const silent = schema === undefined || (!schema.type && !schema.properties && !schema.items) || (schema.type === 'object' && !schema.properties);
  const excuse = exceptionFor(key);
  if (excuse) {
    finding.excused.add(excuse);
    return;
  }
  if (silent) {
    finding.problems.push(`${key}: the schema says nothing here (sent ${JSON.stringify(value)}) — list it in EXCEPTIONS with the reason`);
    return;
  }
  // Procore's schema does not mark nullable fields; a null says nothing about the type.
  if (value === null) return;
  const type = schema.type ?? (schema.properties ? 'object' : 'array');
  const wrong = (what: string) => finding.problems.push(`${key}: ${what} (sent ${JSON.stringify(value)})`);
  switch (type) {
    case 'integer':
      if (!Number.isInteger(value)) wrong('must be an integer');
      break;
    case 'number':
      if (typeof value !== 'number') wrong('must be a number');
      break;
    case 'string':
      if (typeof value !== 'string') wrong('must be a string');
      else if (schema.enum && !schema.enum.includes(value)) wrong(`must be one of ${schema.enum.join(', ')}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') wrong('must be true or false');
      break;
    case 'array':
      if (!Array.isArray(value)) wrong('must be a list');
      else for (const item of value) conform(file, item, schema.items, `${at}[]`, finding);
      break;
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        wrong('must be an object');
        break;
      }
      for (const [name, field] of Object.entries(value as Record<string, unknown>)) {
        const path = at ? `${at}.${name}` : name;
        const declared = schema.properties?.[name];
        if (declared) conform(file, field, declared, path, finding);
        else if (exceptionFor(`${file} ${path}`)) finding.excused.add(exceptionFor(`${file} ${path}`)!);
        else finding.problems.push(`${file} ${path}: not declared in Procore's schema (sent ${JSON.stringify(field)})`);
      }
      break;
    }
    default:
      wrong(`has schema type ${type}, which this test does not know`);
  }
}

/** Checks the query of one request the client sent against the parameters its endpoint takes. */
function paramProblems(method: string, url: string): string[] {
  const parsed = new URL(url, 'http://client.invalid');
  const operation = operationFor(method, parsed.pathname);
  const problems: string[] = [];
  for (const [name, value] of parsed.searchParams) {
    // Array parameters go out as name[]=…; the schema names some with the [] and some without.
    const declared =
      operation.parameters.find((parameter) => parameter.in === 'query' && parameter.name === name) ??
      operation.parameters.find((parameter) => parameter.in === 'query' && `${parameter.name}[]` === name && parameter.schema?.type === 'array');
    if (!declared) {
      problems.push(`${operation.file}: ${method} ${parsed.pathname} takes no parameter ${name} (sent ${name}=${value})`);
      continue;
    }
    const type = declared.schema?.type === 'array' ? declared.schema.items?.type : declared.schema?.type;
    const values = declared.schema?.enum;
    if (type === 'integer' && !/^\d+$/.test(value)) problems.push(`${operation.file}: ${name} must be an integer (sent ${value})`);
    if (values && !values.includes(value)) problems.push(`${operation.file}: ${name} must be one of ${values.join(', ')} (sent ${value})`);
  }
  for (const parameter of operation.parameters) {
    if (parameter.in === 'query' && parameter.required && !parsed.searchParams.has(parameter.name)) {
      problems.push(`${operation.file}: ${method} ${parsed.pathname} needs ${parameter.name}, which the client did not send`);
    }
  }
  return problems;
}

/** A pass-through in front of the sandbox's API that writes down what the client asks. */
interface Recorder {
  url: string;
  requests: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

async function recorder(target: string): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const request = { method: incoming.method ?? 'GET', url: incoming.url ?? '/', body: '' };
    requests.push(request);
    incoming.on('data', (chunk: Buffer) => (request.body += chunk.toString('utf8')));
    const upstream = httpRequest(new URL(incoming.url ?? '/', target), { method: incoming.method, headers: { ...incoming.headers, host: new URL(target).host } }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the recorder did not get a port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let box: TestSandbox;
let token: string;
let tokenAnswer: unknown;
let proxy: Recorder;

beforeAll(async () => {
  box = await sandbox();
  await setRateLimits(box.stateDir, { spike: { limit: 100_000, windowSec: 10 } });
  tokenAnswer = await connect(box);
  token = (tokenAnswer as { access_token: string }).access_token;
  proxy = await recorder(box.apiUrl);
});
afterAll(async () => proxy?.close());

describe('the client asks only what Procore takes', () => {
  it('sends only declared query parameters, of the declared types, on every call of procore/resources.ts', async () => {
    const state = await readState(box.stateDir);
    const stored = state.requisitions.find((candidate) => candidate.id === DEMO_REQUISITIONS.fourAttachments)!;
    const contract = state.commitments.find((candidate) => candidate.id === stored.commitmentId)!;
    const tokens = { accessToken: async () => token, refreshAfter: async () => token };
    const client = (companyId: string | null) =>
      new ProcoreHttp({ environment: { kind: 'local', apiUrl: proxy.url, loginUrl: box.loginUrl }, tokens, logger: silentLogger, companyId });
    const http = client(DEMO_COMPANY_ID);

    await me(client(null));
    await companies(client(null));
    await projects(http, DEMO_COMPANY_ID);
    await requisitions(http, stored.projectId, { status: 'approved', updatedAt: ['2026-01-01T00:00:00Z', '2026-12-31T23:59:59Z'], ids: [stored.id], view: 'extended' });
    await requisitions(http, stored.projectId);
    await requisitionsChecked(http, stored.projectId, { status: 'approved', updatedAt: ['2026-11-01', '2026-11-30'], view: 'extended' });
    await costCodes(http, stored.projectId);
    await requisition(http, stored.projectId, stored.id);
    await commitment(http, stored.projectId, contract.id);
    await vendor(http, DEMO_COMPANY_ID, contract.vendorId);

    const sent = proxy.requests.map((request) => `${request.method} ${new URL(request.url, 'http://client.invalid').pathname}`);
    expect(new Set(sent)).toEqual(
      new Set([
        'GET /rest/v1.0/me',
        'GET /rest/v1.0/companies',
        'GET /rest/v1.0/projects',
        'GET /rest/v1.1/requisitions',
        'GET /rest/v1.0/cost_codes',
        `GET /rest/v1.1/requisitions/${stored.id}`,
        `GET /rest/v1.0/commitments/${contract.id}`,
        `GET /rest/v1.0/vendors/${contract.vendorId}`,
      ]),
    );
    expect(proxy.requests.flatMap((request) => paramProblems(request.method, request.url))).toEqual([]);
  });

  it('reads and creates contract payments with declared parameters, and a body of declared fields only, ids exact', async () => {
    const state = await readState(box.stateDir);
    const big = state.requisitions.find((candidate) => candidate.id === DEMO_REQUISITIONS.bigId)!;
    const tokens = { accessToken: async () => token, refreshAfter: async () => token };
    const http = new ProcoreHttp({ environment: { kind: 'local', apiUrl: proxy.url, loginUrl: box.loginUrl }, tokens, logger: silentLogger, companyId: DEMO_COMPANY_ID });
    const from = proxy.requests.length;
    await contractPayments(http, big.projectId, big.commitmentId);
    const created = await createContractPayment(http, {
      projectId: big.projectId as ProcoreId,
      contractId: big.commitmentId as ProcoreId,
      requisitionId: big.id as ProcoreId,
      date: '2026-11-20',
      amount: 14940_00 as Cents,
      method: 'electronic',
      checkNumber: '10003',
      paymentNumber: 1,
      invoiceNumber: 'BLE-5530',
      notes: 'recorded by apdesk',
      originId: 'apdesk:conformance:PC-1:10003',
    });
    expect(created.requisitionId).toBe(big.id);
    const sent = proxy.requests.slice(from);
    expect(sent.map((request) => `${request.method} ${new URL(request.url, 'http://client.invalid').pathname}`)).toEqual(['GET /rest/v1.0/contract_payments', 'POST /rest/v1.0/contract_payments']);
    expect(sent.flatMap((request) => paramProblems(request.method, request.url))).toEqual([]);

    const post = sent[1]!;
    // The requisition id is above 2^53: written as the exact integer, not a rounded or quoted one.
    expect(post.body).toContain(`"requisition_id":${big.id}`);
    const schema = operationFor('POST', '/rest/v1.0/contract_payments').requestBody?.schema;
    const finding: Finding = { problems: [], excused: new Set() };
    conform('RestV10ContractPaymentsPost.json (request)', JSON.parse(post.body), schema, '', finding);
    expect(finding.problems).toEqual([]);
    const required = (schema as Schema & { required?: string[] }).required ?? [];
    expect(required.filter((name) => !(name in JSON.parse(post.body)))).toEqual([]);
  });

  it('would notice a parameter the endpoint does not take', () => {
    expect(paramProblems('GET', '/rest/v1.0/contract_payments?project_id=1&contract_id=2&filters[origin_id]=X')).toEqual([
      'RestV10ContractPaymentsGet.json: GET /rest/v1.0/contract_payments takes no parameter filters[origin_id] (sent filters[origin_id]=X)',
    ]);
    expect(paramProblems('GET', '/rest/v1.1/requisitions?project_id=1&view=everything')).toEqual([
      'RestV11RequisitionsGet.json: view must be one of default, extended, items, action_policy (sent everything)',
    ]);
  });
});

describe('the sandbox answers what Procore documents', () => {
  const excused = new Set<string>();

  async function check(path: string, init: { company?: string | null; method?: string; json?: unknown } = {}): Promise<string[]> {
    const answer = await api(box, token, path, init);
    expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).toBeLessThan(300);
    const operation = operationFor(init.method ?? 'GET', new URL(path, box.apiUrl).pathname);
    const schema = operation.responses[String(answer.status)]?.schema;
    expect(schema, `${operation.file} has no schema for ${answer.status}`).toBeDefined();
    const finding: Finding = { problems: [], excused };
    conform(operation.file, answer.json, schema, '', finding);
    return finding.problems;
  }

  it('sends on every route apdesk uses only declared fields, with their types (ids integers, money strings)', async () => {
    const state = await readState(box.stateDir);
    const stored = state.requisitions.find((candidate) => candidate.id === DEMO_REQUISITIONS.fourAttachments)!;
    const project = stored.projectId;
    const work = state.commitments.find((candidate) => candidate.projectId === project && candidate.type === 'WorkOrderContract')!;
    const purchase = state.commitments.find((candidate) => candidate.type === 'PurchaseOrderContract' && candidate.allowPayments)!;
    const vendorId = state.vendors.find((candidate) => candidate.companyId === DEMO_COMPANY_ID)!.id;
    const payment = await api(box, token, '/rest/v1.0/contract_payments', {
      method: 'POST',
      json: { project_id: Number(purchase.projectId), contract_id: Number(purchase.id), contract_payment: { date: '2026-12-05', amount: '10.00', payment_method: 'check', origin_id: 'CONFORMANCE-1' } },
    });
    expect(payment.status).toBe(201);

    const problems = [
      ...(await check('/rest/v1.0/me', { company: null })),
      ...(await check('/rest/v1.0/companies', { company: null })),
      ...(await check(`/rest/v1.0/projects?company_id=${DEMO_COMPANY_ID}`)),
      ...(await check(`/rest/v1.0/vendors?company_id=${DEMO_COMPANY_ID}&view=erp`)),
      ...(await check(`/rest/v1.0/vendors/${vendorId}?company_id=${DEMO_COMPANY_ID}&view=erp`)),
      ...(await check(`/rest/v1.0/vendors/${vendorId}?company_id=${DEMO_COMPANY_ID}`)),
      ...(await check(`/rest/v1.0/commitments/${work.id}?project_id=${project}`)),
      ...(await check(`/rest/v1.0/work_order_contracts/${work.id}?project_id=${project}`)),
      ...(await check(`/rest/v1.0/purchase_order_contracts/${purchase.id}?project_id=${purchase.projectId}`)),
      ...(await check(`/rest/v1.1/requisitions?project_id=${project}&view=extended`)),
      ...(await check(`/rest/v1.0/cost_codes?project_id=${project}`)),
      ...(await check(`/rest/v1.1/requisitions?project_id=${project}`)),
      ...(await check(`/rest/v1.1/requisitions/${stored.id}?project_id=${project}&view=extended`)),
      ...(await check(`/rest/v1.0/contract_payments?project_id=${purchase.projectId}&contract_id=${purchase.id}`)),
      ...(await check(`/rest/v1.0/contract_payments/${payment.json.id}?project_id=${purchase.projectId}&contract_id=${purchase.id}`)),
    ];
    const created: Finding = { problems: [], excused };
    conform('RestV10ContractPaymentsPost.json', payment.json, operationFor('POST', '/rest/v1.0/contract_payments').responses['201']!.schema, '', created);
    problems.push(...created.problems);
    problems.push(...(await check(`/rest/v1.0/work_order_contracts?project_id=${project}`)));
    problems.push(...(await check(`/rest/v1.0/purchase_order_contracts?project_id=${purchase.projectId}`)));
    const oauth: Finding = { problems: [], excused };
    conform('OauthTokenPost.json', tokenAnswer, operationFor('POST', '/oauth/token').responses['200']!.schema, '', oauth);
    expect([...problems, ...oauth.problems]).toEqual([]);
  });

  it('has met every listed exception, so the list names only places the schema really leaves open', () => {
    const listed = Object.keys(EXCEPTIONS);
    expect(listed.filter((key) => !excused.has(key))).toEqual([]);
  });

  it('would notice an undeclared field, a number for money and a quoted id', () => {
    const finding: Finding = { problems: [], excused: new Set() };
    const schema = operationFor('GET', '/rest/v1.0/contract_payments/1').responses['200']!.schema;
    conform('RestV10ContractPaymentsIdGet.json', { id: '5', amount: 10.5, made_up: true }, schema, '', finding);
    expect(finding.problems).toEqual([
      'RestV10ContractPaymentsIdGet.json id: must be an integer (sent "5")',
      'RestV10ContractPaymentsIdGet.json amount: must be a string (sent 10.5)',
      'RestV10ContractPaymentsIdGet.json made_up: not declared in Procore\'s schema (sent true)',
    ]);
  });
});
