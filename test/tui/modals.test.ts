// The modal stack and the bindings table, pure: what each key does to a confirmation, a picker and
// a form, and how the table resolves a key (acted on, asked first, or refused with why).
import { describe, expect, it } from 'vitest';
import { modalKey, visibleItems, type Modal } from '../../source/tui/shell/modals.js';
import { footerHints, helpRows, resolve, type Binding } from '../../source/tui/shell/bindings.js';

describe('the modals', () => {
  it('a confirmation answers y, and n or Esc', () => {
    const answers: boolean[] = [];
    const confirm: Modal = { kind: 'confirm', question: 'Export?', resolve: (answer) => answers.push(answer) };
    expect(modalKey(confirm, 'x', 'x')).toBe(confirm);
    expect(modalKey(confirm, 'y', 'y')).toBeNull();
    expect(modalKey(confirm, 'escape', '')).toBeNull();
    expect(answers).toEqual([true, false]);
  });

  it('a picker moves, filters by words, skips nothing disabled silently, and answers its value', () => {
    let chosen: unknown = 'unset';
    let picker: Modal | null = {
      kind: 'pick',
      title: 'Company',
      items: [
        { label: 'Harbor Builders', value: 'h', detail: '900' },
        { label: 'Quarry Road', value: 'q', disabled: 'owned by vault Books' },
        { label: 'Harbor East', value: 'e' },
      ],
      cursor: 0,
      filter: '',
      filtering: false,
      resolve: (value) => (chosen = value),
    };
    picker = modalKey(picker, 'down', '')!;
    expect(modalKey(picker, 'enter', '')).toBe(picker); // disabled: not chosen
    picker = modalKey(picker, '/', '/')!;
    for (const letter of 'east') picker = modalKey(picker, letter, letter)!;
    expect(visibleItems(picker as Extract<Modal, { kind: 'pick' }>).map(({ item }) => item.value)).toEqual(['e']);
    picker = modalKey(picker, 'enter', '')!;
    expect(modalKey(picker, 'enter', '')).toBeNull();
    expect(chosen).toBe('e');
  });

  it('a form types into its fields, moves with Tab, and submits on Enter in the last field', () => {
    let values: Record<string, string> | null = null;
    let form: Modal | null = {
      kind: 'form',
      title: 'Sign in',
      fields: [{ name: 'email', label: 'Email' }, { name: 'password', label: 'Password', secret: true }],
      values: ['', ''],
      field: 0,
      resolve: (answer) => (values = answer),
    };
    form = modalKey(form, 'a', 'ap@x.test')!;
    form = modalKey(form, 'backspace', '')!;
    form = modalKey(form, 'tab', '')!;
    for (const letter of 'pw') form = modalKey(form, letter, letter)!;
    expect(modalKey(form, 'enter', '')).toBeNull();
    expect(values).toEqual({ email: 'ap@x.tes', password: 'pw' });
  });
});

describe('the bindings table', () => {
  interface Ctx {
    status: string;
  }
  const table: Binding<Ctx, string>[] = [
    { keys: ['e'], scope: 'pane:invoices', label: 'export', description: 'export', footer: true, unavailable: ({ status }) => (status === 'approved' ? null : `it is ${status}`), confirm: () => 'Export it?', intent: () => 'export' },
    { keys: ['q'], scope: 'global', label: 'quit', description: 'quit', footer: true, intent: () => 'quit' },
    { keys: ['e'], scope: 'global', label: 'never', description: 'shadowed by the pane', intent: () => 'global-e' },
  ];
  const scopes = ['pane:invoices', 'global'] as const;

  it('asks first for what cannot be undone, refuses with why, and prefers the pane to the global table', () => {
    expect(resolve(table, scopes, 'e', { status: 'approved' })).toMatchObject({ kind: 'confirm', question: 'Export it?', intent: 'export' });
    expect(resolve(table, scopes, 'e', { status: 'pending' })).toMatchObject({ kind: 'unavailable', why: 'it is pending' });
    expect(resolve(table, scopes, 'q', { status: 'pending' })).toMatchObject({ kind: 'act', intent: 'quit' });
    expect(resolve(table, scopes, 'z', { status: 'pending' })).toBeNull();
  });

  it('feeds the footer only what acts now, and the help everything with why not', () => {
    expect(footerHints(table, scopes, { status: 'pending' })).toEqual(['q quit']);
    expect(footerHints(table, scopes, { status: 'approved' })).toEqual(['e export', 'q quit']);
    expect(helpRows(table, scopes, { status: 'pending' })[0]).toEqual({ keys: 'e', description: 'export', unavailable: 'it is pending', dangerous: true });
    // The global e is the pane's here: the help says so rather than promise it.
    expect(helpRows(table, scopes, { status: 'approved' })[2]).toEqual({ keys: 'e', description: 'shadowed by the pane', unavailable: "here e is 'export'", dangerous: false });
  });
});
