// Invoice Entry (manual import): a queued document's invoice — header and lines, each field with
// its validation message beside it. Enter edits the field under the cursor (saved at once, in the
// audit trail); `i` is Procore Import: a searchable picker of approved requisitions (those already
// imported marked, with where) that fills the form; `s` saves by validating it now. Works with the
// sync loop stopped and without the cloud-sync licence.
import { Box, Text } from '../../ink.js';
import type { Invoice } from '../../../domain/invoice.js';
import { displayMoney } from '../../../domain/money.js';
import type { ValidationIssue } from '../../../domain/rules.js';
import type { InvoiceEdit } from '../../../domain/workflow.js';
import { truncate, wrap } from '../../../text/width.js';
import type { PaneBinding, PaneModule } from '../../shell/pane.js';

/** A field of the form: a header field, or a line's. */
export interface EntryField {
  label: string;
  /** "vendor" or "lines[0].costCode": what validation issues name. */
  path: string;
  header?: string;
  line?: { index: number; field: string };
  value: string;
}

export interface EntryState {
  invoice: Invoice | null;
  cursor: number;
}

export type EntryAction = { type: 'opened'; invoice: Invoice | null } | { type: 'move'; delta: number } | { type: 'closed' };

export type EntryIntent =
  | { type: 'edit'; id: string }
  | { type: 'open-document' }
  | { type: 'move'; delta: number }
  | { type: 'change' }
  | { type: 'add-line' }
  | { type: 'procore-import' }
  | { type: 'save' };

const HEADER: [string, string][] = [
  ['vendor', 'Vendor'],
  ['invoiceNumber', 'Invoice #'],
  ['invoiceDate', 'Invoice date'],
  ['dueDate', 'Due date'],
  ['total', 'Total'],
  ['retainage', 'Retainage'],
  ['description', 'Description'],
];
const LINE: [string, string][] = [
  ['job', 'job'],
  ['costCode', 'cost code'],
  ['category', 'category'],
  ['commitment', 'commitment'],
  ['amount', 'amount'],
];

const show = (value: unknown): string => (value === null || value === undefined || value === '' ? '' : String(value));

/** The form's fields, in order: the header's, then each line's. Money shows as decimals. */
export function fieldsOf(invoice: Invoice): EntryField[] {
  const money = (cents: number | null | undefined) => (cents === null || cents === undefined ? '' : displayMoney(cents as never).replace(/^\$/, ''));
  const fields: EntryField[] = HEADER.map(([name, label]) => {
    const raw = (invoice.header as unknown as Record<string, unknown>)[name];
    return { label, path: name, header: name, value: name === 'total' || name === 'retainage' ? money(raw as number | null) : show(raw) };
  });
  invoice.lines.forEach((line, index) => {
    for (const [name, label] of LINE) {
      const raw = (line as unknown as Record<string, unknown>)[name];
      fields.push({ label: `line ${index + 1} ${label}`, path: `lines[${index}].${name}`, line: { index, field: name }, value: name === 'amount' ? money(raw as number) : show(raw) });
    }
  });
  return fields;
}

/** The validation messages about a field (or its line, for a line's first field). */
export function messagesFor(issues: readonly ValidationIssue[], field: EntryField): ValidationIssue[] {
  return issues.filter((issue) => issue.field === field.path || (field.line && field.line.field === 'job' && issue.field === `lines[${field.line.index}]`));
}

export function reduceEntry(state: EntryState, action: EntryAction): EntryState {
  switch (action.type) {
    case 'opened': {
      const count = action.invoice ? fieldsOf(action.invoice).length : 0;
      return { invoice: action.invoice, cursor: Math.min(state.invoice?.id === action.invoice?.id ? state.cursor : 0, Math.max(count - 1, 0)) };
    }
    case 'move': {
      const count = state.invoice ? fieldsOf(state.invoice).length : 0;
      return { ...state, cursor: Math.max(0, Math.min(state.cursor + action.delta, count - 1)) };
    }
    case 'closed':
      return { invoice: null, cursor: 0 };
  }
}

const needsInvoice = ({ state }: { state: EntryState }) => (state.invoice ? null : 'no document open — o opens one from a queue');
const editable = ({ state }: { state: EntryState }) =>
  needsInvoice({ state }) ?? (['unprocessed', 'incomplete'].includes(state.invoice!.status) ? null : `it is ${state.invoice!.status}; reset it for edit first`);

const bindings: PaneBinding<EntryState, EntryIntent>[] = [
  { keys: ['down', 'j'], scope: 'pane:entry', label: 'move', description: 'next field', intent: () => ({ type: 'move', delta: 1 }) },
  { keys: ['up', 'k'], scope: 'pane:entry', label: 'move', description: 'previous field', intent: () => ({ type: 'move', delta: -1 }) },
  { keys: ['pagedown'], scope: 'pane:entry', label: 'page', description: 'down a page of fields', intent: () => ({ type: 'move', delta: 10 }) },
  { keys: ['pageup'], scope: 'pane:entry', label: 'page', description: 'up a page of fields', intent: () => ({ type: 'move', delta: -10 }) },
  { keys: ['o'], scope: 'pane:entry', label: 'open', description: 'open a document from a queue', footer: true, intent: () => ({ type: 'open-document' }) },
  { keys: ['enter'], scope: 'pane:entry', label: 'edit', description: 'change the field under the cursor (saved at once)', footer: true, unavailable: editable, intent: () => ({ type: 'change' }) },
  { keys: ['a'], scope: 'pane:entry', label: 'add line', description: 'add a line', unavailable: editable, intent: () => ({ type: 'add-line' }) },
  {
    keys: ['i'],
    scope: 'pane:entry',
    label: 'Procore Import',
    description: 'fill the form from an approved Procore requisition',
    footer: true,
    unavailable: (ctx) => editable(ctx) ?? (ctx.state.invoice!.source.kind.startsWith('procore') ? 'it is already filled from Procore' : null),
    intent: () => ({ type: 'procore-import' }),
  },
  { keys: ['s'], scope: 'pane:entry', label: 'save', description: 'save: validate the invoice now', footer: true, unavailable: needsInvoice, intent: () => ({ type: 'save' }) },
];

async function reopen(env: Parameters<PaneModule<EntryState, EntryAction, EntryIntent>['handle']>[1], id: string): Promise<void> {
  env.dispatch({ type: 'opened', invoice: await env.desk.invoices.get(id) });
}

export const entryPane: PaneModule<EntryState, EntryAction, EntryIntent> = {
  id: 'entry',
  title: 'Invoice Entry',
  initialState: { invoice: null, cursor: 0 },
  reduce: reduceEntry,
  bindings,
  reloadOn: ['invoices.changed'],
  async load(env, state) {
    if (state.invoice) await reopen(env, state.invoice.id).catch(() => env.dispatch({ type: 'closed' }));
  },
  async handle(intent, env, state) {
    switch (intent.type) {
      case 'move':
        return env.dispatch({ type: 'move', delta: intent.delta });
      case 'edit':
        return reopen(env, intent.id);
      case 'open-document': {
        if (!env.vaultId) throw new Error('no vault yet');
        const page = await env.desk.invoices.list({ vault: env.vaultId, status: ['unprocessed', 'incomplete'], limit: 500 });
        const id = await env.modals.pick(
          'Open a document',
          page.rows.map((row) => ({ label: row.id, value: row.id, detail: [row.status, row.vendor ?? '', row.invoiceNumber ?? ''].join('  ') })),
        );
        if (id) await reopen(env, id);
        return;
      }
      case 'change': {
        const invoice = state.invoice!;
        const field = fieldsOf(invoice)[state.cursor];
        if (!field) return;
        const answer = await env.modals.form(`${invoice.id}: ${field.label}`, [{ name: 'value', label: field.label, value: field.value, hint: 'empty clears it; Enter saves' }]);
        if (!answer) return;
        const value = answer.value!.trim() === '' ? null : answer.value!;
        const edit: InvoiceEdit = field.header ? { header: { [field.header]: value } } : { lines: [{ line: field.line!.index + 1, changes: { [field.line!.field]: value } }] };
        await env.desk.workflow.edit(invoice.id, edit);
        env.notify(`${field.label} saved`);
        return reopen(env, invoice.id);
      }
      case 'add-line': {
        const invoice = state.invoice!;
        await env.desk.workflow.edit(invoice.id, { addLines: [{}] });
        return reopen(env, invoice.id);
      }
      case 'procore-import': {
        const invoice = state.invoice!;
        env.notify('reading the approved requisitions from Procore…');
        const found = await env.desk.procore.requisitions({ vault: invoice.vaultId });
        const imported = found.choices.filter((choice) => choice.imported).length;
        env.notify(`Procore: ${found.choices.length} approved requisition${found.choices.length === 1 ? '' : 's'}${imported ? `, ${imported} already imported (marked)` : ''}`);
        const id = await env.modals.pick(
          `Procore Import — ${found.choices.length} approved requisition${found.choices.length === 1 ? '' : 's'} in ${found.projectsVisible} project${found.projectsVisible === 1 ? '' : 's'} (/ searches)`,
          found.choices.map((choice) => ({
            label: `${choice.id}  ${choice.vendorName ?? '-'}  ${choice.invoiceNumber ?? ''}`,
            value: choice.id,
            detail: [choice.projectName ?? choice.projectId, choice.amountDue !== null ? displayMoney(choice.amountDue as never) : ''].join('  '),
            ...(choice.imported
              ? { disabled: `imported as ${choice.imported.invoiceId} in ${choice.imported.vaultName}` }
              : choice.syncedElsewhere
                ? { disabled: choice.syncedElsewhere }
                : {}),
          })),
        );
        if (!id) return env.notify('Procore Import cancelled');
        const outcome = await env.desk.procore.importRequisition({ vault: invoice.vaultId, requisition: id, document: invoice.id });
        if (outcome.state !== 'imported') throw new Error(`requisition ${id} is already imported as ${outcome.invoiceId}; nothing was changed`);
        env.notify(`filled ${invoice.id} from Procore requisition ${id}`);
        return reopen(env, invoice.id);
      }
      case 'save': {
        const invoice = state.invoice!;
        const [outcome] = await env.desk.workflow.validate([invoice.id]);
        if (outcome && !outcome.ok) throw outcome.error;
        if (outcome?.ok) env.notify(`${invoice.id}: ${outcome.result.detail}`, outcome.result.outcome === 'error' ? 'error' : 'info');
        return reopen(env, invoice.id);
      }
    }
  },
  View: EntryView,
};

export function EntryView({ state, width, height }: { state: EntryState; width: number; height: number }) {
  const invoice = state.invoice;
  if (!invoice) {
    return (
      <Box flexDirection="column">
        <Text>No document open.</Text>
        <Text dimColor>o opens a document from a queue; from Invoices, e edits the one under the cursor.</Text>
      </Box>
    );
  }
  const counted = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const issues = invoice.validation?.issues ?? [];
  const fields = fieldsOf(invoice);
  // The messages of the field under the cursor, whole, under the summary: beside it they are cut.
  const here = fields[state.cursor];
  const whole = here ? messagesFor(issues, here).flatMap((message) => wrap(`${message.level === 'error' ? '✗' : '!'} ${message.message}`, Math.max(width - 2, 1))).slice(0, 4) : [];
  const rows = Math.max(height - 2 - whole.length, 1);
  const start = Math.max(0, Math.min(state.cursor - Math.floor(rows / 2), fields.length - rows));
  const labelWidth = 20;
  const valueWidth = Math.max(Math.min(24, width - labelWidth - 6), 6);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate">
        {truncate(`${invoice.id} · ${invoice.status} · ${invoice.source.kind}${invoice.source.kind.startsWith('procore') ? ` (requisition ${(invoice.source as { procore: { requisitionId: string } }).procore.requisitionId})` : ''}`, width)}
      </Text>
      {fields.slice(start, start + rows).map((field, offset) => {
        const index = start + offset;
        const at = index === state.cursor;
        const message = messagesFor(issues, field)[0];
        const mark = message ? (message.level === 'error' ? '✗ ' : '! ') : '';
        return (
          <Text key={field.path} wrap="truncate" inverse={at}>
            {truncate(`${at ? '›' : ' '} ${field.label.padEnd(labelWidth).slice(0, labelWidth)} ${truncate(field.value || '—', valueWidth).padEnd(valueWidth)} ${mark}${message?.message ?? ''}`, width)}
          </Text>
        );
      })}
      <Text dimColor wrap="truncate">
        {truncate(`${counted(issues.filter((issue) => issue.level === 'error').length, 'error')}, ${counted(issues.filter((issue) => issue.level === 'warning').length, 'warning')}${invoice.validation ? '' : ' (not validated yet: s validates)'}`, width)}
      </Text>
      {whole.map((line, index) => (
        <Text key={`whole-${index}`}>{`  ${line}`}</Text>
      ))}
    </Box>
  );
}
