// The console shell: a header (the vault, its accounting system, the Procore connection and
// company, the import behaviour, the sync loop), the focused pane, a status line, a footer of the
// pane's keys, `?` for every key (and why one is unavailable), and a modal stack over the pane.
// One input handler resolves every key through the bindings table; panes only render and act on
// intents through the desk's services.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Box, Text, useApp, useInput } from '../ink.js';
import type { Desk } from '../../app/desk.js';
import { ACCOUNTING_LABELS, type Vault } from '../../domain/vault.js';
import { displayWidth, truncate, wrap } from '../../text/width.js';
import { colour } from '../colour.js';
import type { ProblemFeed } from '../problems.js';
import { useTerminalSize, type TerminalSize } from '../use-terminal-size.js';
import { footerHints, helpRows, keyName, resolve, type Binding, type KeyName, type Scope } from './bindings.js';
import type { LoopControl, LoopState } from './loop-control.js';
import { modalKey, visibleItems, type Modal } from './modals.js';
import type { AnyPane, BindingContext, Modals, PaneEnv } from './pane.js';

type ShellIntent =
  | { type: 'pane'; index: number }
  | { type: 'next-pane'; delta: 1 | -1 }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'switch-vault' }
  | { type: 'dismiss-problem' };

interface ShellContext extends BindingContext<unknown> {
  vaults: number;
  problems: number;
  panes: number;
}

const GLOBAL: readonly Binding<ShellContext, ShellIntent>[] = [
  { keys: ['tab'], scope: 'global', label: 'next pane', description: 'the next pane', intent: () => ({ type: 'next-pane', delta: 1 }) },
  { keys: ['shift-tab'], scope: 'global', label: 'previous pane', description: 'the previous pane', intent: () => ({ type: 'next-pane', delta: -1 }) },
  {
    keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    scope: 'global',
    label: 'pane',
    description: 'the pane with that number on its tab',
    unavailable: (ctx, key) => (key !== undefined && Number(key) > ctx.panes ? `there are ${ctx.panes} panes` : null),
    intent: (_ctx, key) => ({ type: 'pane', index: Number(key) - 1 }),
  },
  {
    keys: ['v'],
    scope: 'global',
    label: 'vault',
    description: 'switch to another vault',
    footer: true,
    unavailable: (ctx) => (ctx.vaults < 2 ? 'this data dir has one vault' : null),
    intent: () => ({ type: 'switch-vault' }),
  },
  { keys: ['x'], scope: 'global', label: 'dismiss', description: 'dismiss the problem shown', unavailable: (ctx) => (ctx.problems ? null : 'no problem is shown'), intent: () => ({ type: 'dismiss-problem' }) },
  { keys: ['?'], scope: 'global', label: 'keys', description: 'every key, and why one is unavailable', footer: true, intent: () => ({ type: 'help' }) },
  { keys: ['q'], scope: 'global', label: 'quit', description: 'quit (Ctrl+C too)', footer: true, intent: () => ({ type: 'quit' }) },
];

/**
 * The header line: the vault on the left, its Procore connection, import behaviour and sync loop at
 * the right edge (`right` in parts, most cuttable first). When they do not all fit, the first right
 * part (the company's name) is cut before the others, and the vault side keeps at least a few
 * columns; the loop's state at the end is the last thing cut.
 */
export function headerLine(columns: number, left: string, right: readonly string[]): string {
  const keepLeft = Math.min(displayWidth(left), 16);
  let parts = [...right];
  if (parts.length > 1 && displayWidth(parts.join(' · ')) > columns - keepLeft - 1) {
    const rest = ` · ${parts.slice(1).join(' · ')}`;
    parts = [truncate(parts[0]!, Math.max(8, columns - keepLeft - 1 - displayWidth(rest))), ...parts.slice(1)];
  }
  const rightShown = truncate(parts.join(' · '), Math.max(columns - 5, 1));
  const room = columns - displayWidth(rightShown) - 1;
  const leftShown = room > 1 ? truncate(left, room) : '';
  return `${leftShown}${' '.repeat(Math.max(columns - displayWidth(leftShown) - displayWidth(rightShown), 0))}${rightShown}`;
}

/**
 * The smallest terminal the console lays out in. It is made for 80×24; down to this every pane is
 * cut to fit but whole, and below it the console asks for a larger terminal instead of drawing a
 * frame the terminal would wrap into garbage.
 */
export const MIN_SIZE: TerminalSize = { columns: 60, rows: 12 };

/** What the console shows in a terminal smaller than MIN_SIZE: the sizes, cut to the screen. */
export function tooSmallLines(size: TerminalSize): string[] {
  // What to do first: on a tiny screen the end of the text is cut.
  const text = `Make the terminal at least ${MIN_SIZE.columns}×${MIN_SIZE.rows} (it is ${size.columns}×${size.rows}); q quits. apdesk is made for 80×24 or larger.`;
  return wrap(text, Math.max(size.columns, 1)).slice(0, Math.max(size.rows - 1, 1));
}

/** The most rows a problem takes; a longer one is cut (the whole text is told again on exit). */
const PROBLEM_ROWS = 3;

/** The banner for the oldest problem not yet dismissed, with the key that dismisses it. */
export function problemBanner(problem: string, others: number, columns: number): string[] {
  const hint = `  x dismiss${others ? ` · ${others} more` : ''}`;
  const lines = wrap(`⚠ ${problem}`, columns);
  const shown = lines.slice(0, PROBLEM_ROWS);
  if (lines.length > PROBLEM_ROWS) shown[PROBLEM_ROWS - 1] = truncate(`${shown[PROBLEM_ROWS - 1]} ${lines[PROBLEM_ROWS]}`, columns);
  const last = shown.length - 1;
  if (displayWidth(shown[last]! + hint) <= columns) shown[last] += hint;
  else if (shown.length < PROBLEM_ROWS) shown.push(truncate(hint.trim(), columns));
  else shown[last] = truncate(truncate(shown[last]!, columns - displayWidth(hint)) + hint, columns);
  return shown;
}

const BEHAVIOR_SHORT = { 'auto-queue': 'auto-queue', 'auto-route': 'auto-route', manual: 'manual import' } as const;

/** What the header says: the vault and its accounting system; Procore, the behaviour, the loop. */
export function vaultHeader(vault: Vault | null, loop: LoopState | null, holder: string | null): { left: string; right: string[] } {
  const sync = loop?.state === 'running' ? 'sync: running' : holder ? `sync: ${holder}` : 'sync: stopped';
  if (!vault) return { left: 'apdesk — no vault yet', right: [sync] };
  const parts: string[] = [];
  const procore = vault.procore;
  if (procore) {
    parts.push(
      procore.connection.state === 'connected'
        ? `Procore: ${procore.companyName ?? 'no company'}`
        : procore.connection.state === 'reconnect-needed'
          ? 'Procore: RECONNECT NEEDED'
          : 'Procore: not connected',
      BEHAVIOR_SHORT[procore.behavior],
    );
  }
  parts.push(sync);
  return { left: `${vault.name} · ${ACCOUNTING_LABELS[vault.accounting]}`, right: parts };
}

type PaneStates = Record<string, unknown>;

/** The keys that act in a field (next field, submit, erase) when they come in one read with text. */
const FIELD_CONTROLS = /[\t\r\n\u007f]/;

/** The control characters a terminal sends for keys, when they come in one read with others. */
const SINGLE_KEYS: Record<string, KeyName> = { '\r': 'enter', '\n': 'enter', '\t': 'tab', '\u001b': 'escape', '\u007f': 'backspace', ' ': 'space' };

export interface ShellProps {
  desk: Desk;
  panes: readonly AnyPane[];
  loop?: LoopControl;
  size?: TerminalSize;
  problems?: ProblemFeed;
  /** A line shown until the first key: how to begin. */
  welcome?: string;
  /** The pane it opens on (by id); the first otherwise. */
  initialPane?: string;
  /** Work the console does after its first frame (a first run's demo vault), said in the body while it runs; keys typed meanwhile wait for it. */
  preparing?: { what: string; done: Promise<unknown> };
}

/** The longest a key that came with others waits for the one before it (see feedKeys). */
const KEY_SETTLE_MS = 2_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest keys typed at start wait for the vaults and the first pane (see `starting`). */
const STARTUP_HOLD_MS = 10_000;

export function Shell({ desk, panes, loop, size: fixedSize, problems: problemFeed, welcome, initialPane, preparing }: ShellProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixedSize);
  const tooSmall = size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows;
  const [vaults, setVaults] = useState<Vault[]>([]);
  const [vaultId, setVaultId] = useState<string | null>(null);
  const [holder, setHolder] = useState<string | null>(null);
  const [active, setActive] = useState(() => Math.max(0, panes.findIndex((candidate) => candidate.id === initialPane)));
  const [help, setHelp] = useState(false);
  /** The first row of the help shown: it scrolls when every key does not fit. */
  const [helpTop, setHelpTop] = useState(0);
  const bodyHeightRef = useRef(1);
  const [modals, setModalsState] = useState<Modal[]>([]);
  // The stack as keys see it: keys that come faster than frames each act on the one before's result.
  const modalsRef = useRef<Modal[]>([]);
  const setModals = useCallback((change: (stack: Modal[]) => Modal[]) => {
    modalsRef.current = change(modalsRef.current);
    setModalsState(modalsRef.current);
  }, []);
  const [status, setStatus] = useState<{ message: string; tone: 'info' | 'error' } | null>(welcome ? { message: welcome, tone: 'info' } : null);
  const [problems, setProblems] = useState<readonly string[]>([]);
  const [, setLoopVersion] = useState(0);
  const [states, dispatchPane] = useReducer(
    (current: PaneStates, action: { id: string; action: unknown }): PaneStates => {
      const pane = panes.find((candidate) => candidate.id === action.id);
      return pane ? { ...current, [action.id]: pane.reduce(current[action.id] ?? pane.initialState, action.action) } : current;
    },
    undefined,
    () => Object.fromEntries(panes.map((pane) => [pane.id, pane.initialState])),
  );
  const statesRef = useRef(states);
  statesRef.current = states;
  const pane = panes[active];

  useEffect(() => problemFeed?.subscribe((problem) => setProblems((waiting) => (waiting.includes(problem) ? waiting : [...waiting, problem]))), [problemFeed]);
  useEffect(() => loop?.subscribe(() => setLoopVersion((n) => n + 1)), [loop]);

  // Keys typed while the console starts (a first run's demo vault still being made, the vaults not
  // read yet, the first pane still loading) wait, and are taken in order once it has started, or
  // after STARTUP_HOLD_MS at most: a quick first "g" is not lost to "no vault yet".
  const starting = useRef(true);
  const heldKeys = useRef<[KeyName, string][]>([]);
  const [preparingNow, setPreparingNow] = useState(preparing !== undefined);
  const [started, setStarted] = useState(false);
  const startup = useRef({ prepared: !preparing, vaults: false, pane: !panes[active]?.load });
  const startupStep = useCallback((step: 'prepared' | 'vaults' | 'pane') => {
    startup.current[step] = true;
    if (!starting.current || !startup.current.prepared || !startup.current.vaults || !startup.current.pane) return;
    starting.current = false;
    setStarted(true);
  }, []);
  // The held keys go after the frame that started it: by then the handler sees the vault.
  useEffect(() => {
    if (started) feedKeys(heldKeys.current.splice(0));
  }, [started]);
  useEffect(() => {
    const timer = setTimeout(() => {
      startupStep('prepared');
      startupStep('vaults');
      startupStep('pane');
    }, STARTUP_HOLD_MS);
    // The vaults are read again once it is prepared (the demo's settings events bring them too).
    void preparing?.done.then(async () => {
      await readVaults();
      setPreparingNow(false);
      startupStep('prepared');
    });
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [startupStep]);

  const readVaults = useCallback(async () => {
    const list = await desk.vaults.list();
    setVaults(list);
    startupStep('vaults');
    if (!list.length) startupStep('pane');
    setVaultId((current) => (current && list.some((vault) => vault.id === current) ? current : (list[0]?.id ?? null)));
    const lease = await desk.sync.leaseHolder();
    setHolder(lease && !lease.expired ? `process ${lease.holder.pid} on ${lease.holder.host}` : null);
  }, [desk, startupStep]);
  useEffect(() => {
    void readVaults();
    return desk.events.on('settings.changed', () => void readVaults());
  }, [desk, readVaults]);

  const modalApi: Modals = useMemo(
    () => ({
      confirm: (question) => new Promise((resolve) => setModals((stack) => [...stack, { kind: 'confirm', question, resolve }])),
      pick: (title, items, options) =>
        new Promise((resolve) =>
          setModals((stack) => [...stack, { kind: 'pick', title, items, cursor: options?.initial ?? 0, filter: '', filtering: false, resolve: resolve as (value: unknown) => void }]),
        ),
      form: (title, fields) => new Promise((resolve) => setModals((stack) => [...stack, { kind: 'form', title, fields, values: fields.map((field) => field.value ?? ''), field: 0, resolve }])),
      message: (title, lines) => new Promise((resolve) => setModals((stack) => [...stack, { kind: 'message', title, lines, resolve }])),
    }),
    [setModals],
  );

  const notify = useCallback((message: string, tone: 'info' | 'error' = 'info') => setStatus({ message, tone }), []);

  const envFor = useCallback(
    (target: AnyPane): PaneEnv<unknown> => ({
      desk,
      vaultId,
      dispatch: (action) => dispatchPane({ id: target.id, action }),
      modals: modalApi,
      notify,
      openPane: (id, intent) => {
        const index = panes.findIndex((candidate) => candidate.id === id);
        if (index < 0) return;
        setActive(index);
        if (intent !== undefined) void run(panes[index]!, intent);
      },
      ...(loop ? { loop } : {}),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [desk, vaultId, modalApi, notify, panes, loop],
  );

  const run = useCallback(
    async (target: AnyPane, intent: unknown) => {
      try {
        await target.handle(intent, envFor(target), statesRef.current[target.id]);
      } catch (error) {
        notify((error as Error).message, 'error');
      }
    },
    [envFor, notify],
  );

  // A pane reads its data when it comes forward, when the vault changes, and on its events.
  useEffect(() => {
    if (!pane?.load) return;
    const reload = () =>
      void pane
        .load!(envFor(pane), statesRef.current[pane.id])
        .catch((error: unknown) => notify((error as Error).message, 'error'))
        .finally(() => {
          if (vaultId !== null) startupStep('pane');
        });
    reload();
    // Events come in bursts (a sync cycle's steps, a batch of imports): one reload per burst.
    let timer: NodeJS.Timeout | null = null;
    const soon = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, 100);
    };
    const offs = (pane.reloadOn ?? []).map((event) => desk.events.on(event, soon));
    return () => {
      offs.forEach((off) => off());
      if (timer) clearTimeout(timer);
    };
  }, [pane, vaultId, desk, envFor, notify, startupStep]);

  const table = useMemo(() => [...GLOBAL, ...panes.flatMap((candidate) => candidate.bindings)] as Binding<ShellContext, unknown>[], [panes]);
  const scopes: Scope[] = pane ? [`pane:${pane.id}` as Scope, 'global'] : ['global'];
  const context: ShellContext = { state: pane ? states[pane.id] : null, vaultId, vaults: vaults.length, problems: problems.length, panes: panes.length };

  const shellIntent = async (intent: ShellIntent) => {
    switch (intent.type) {
      case 'pane':
        return setActive(intent.index);
      case 'next-pane':
        return setActive((current) => (current + intent.delta + panes.length) % Math.max(panes.length, 1));
      case 'help':
        setHelpTop(0);
        return setHelp((shown) => !shown);
      case 'quit':
        return exit();
      case 'dismiss-problem':
        return setProblems((waiting) => waiting.slice(1));
      case 'switch-vault': {
        const chosen = await modalApi.pick('Vault', vaults.map((vault) => ({ label: vault.name, value: vault.id, detail: ACCOUNTING_LABELS[vault.accounting] })), {
          initial: Math.max(0, vaults.findIndex((vault) => vault.id === vaultId)),
        });
        if (chosen) setVaultId(chosen as string);
        return;
      }
    }
  };

  /** Handles one key; the promise (when it starts work) settles when that work is done. */
  const handleKey = (name: KeyName, input: string): Promise<void> | void => {
    if (starting.current && name !== 'q') {
      heldKeys.current.push([name, input]);
      return;
    }
    const top = modalsRef.current[modalsRef.current.length - 1];
    const typingField = (top?.kind === 'form') || (top?.kind === 'pick' && top.filtering) || (!top && !help && pane?.typing?.(states[pane.id]));
    // Nothing the user cannot see acts: only q (Ctrl+C too, through ink) while the terminal is too small.
    if (tooSmall) {
      if (name === 'q' && !typingField) exit();
      return;
    }
    if (status && status.tone === 'info' && status.message === welcome) setStatus(null);
    if (name === 'paste' && !typingField) {
      // Keys that came in one read (a fast typist over SSH, keys sent together): one at a time,
      // each after the frame of the one before, so each sees the state the last one left.
      feedKeys([...input].map((char) => [SINGLE_KEYS[char] ?? char, char]));
      return;
    }
    if (name === 'paste' && typingField && FIELD_CONTROLS.test(input)) {
      // Text with Tab, Enter or Backspace in the same read (typed fast, or a loaded machine): the
      // text goes into the field and each of those keys acts, in order — the Tab to the next
      // field, the Enter submitting — rather than all of it landing in the field as text.
      const pieces = input.match(/\r\n|[\t\r\n\u007f]|[^\t\r\n\u007f]+/g) ?? [];
      feedKeys(pieces.map((piece): [KeyName, string] => (piece === '\r\n' ? ['enter', '\r'] : SINGLE_KEYS[piece] ? [SINGLE_KEYS[piece]!, piece] : [[...piece].length > 1 ? 'paste' : piece, piece])));
      return;
    }
    if (top) {
      const next = modalKey(top, name, input);
      setModals((stack) => (next ? [...stack.slice(0, -1), next] : stack.slice(0, -1)));
      return;
    }
    if (help) {
      if (name === 'escape' || name === '?') setHelp(false);
      if (name === 'q') exit();
      const last = Math.max(helpRows(table, scopes, context).length - 1, 0);
      const page = Math.max(bodyHeightRef.current - 3, 1);
      const by: Partial<Record<KeyName, number>> = { down: 1, j: 1, up: -1, k: -1, pagedown: page, pageup: -page, home: -Infinity, g: -Infinity, end: Infinity, G: Infinity };
      const step = by[name];
      if (step !== undefined) setHelpTop((current) => Math.max(0, Math.min(current + step, last)));
      return;
    }
    if (pane?.typing?.(states[pane.id])) {
      const intent = pane.typed?.(states[pane.id], name, input) ?? null;
      if (intent !== null) void run(pane, intent);
      return;
    }
    const found = resolve(table, scopes, name, context);
    if (!found) return;
    if (found.kind === 'unavailable') return notify(`${found.binding.label}: ${found.why}`, 'error');
    const isShell = found.binding.scope === 'global';
    const act = () => (isShell ? shellIntent(found.intent as ShellIntent) : run(pane!, found.intent));
    if (found.kind === 'confirm') {
      void modalApi.confirm(found.question).then((yes) => (yes ? void act() : notify('cancelled')));
      return;
    }
    return act();
  };
  const handlerRef = useRef(handleKey);
  handlerRef.current = handleKey;

  // Keys that came together (held while starting, or in one read) go one at a time: each waits
  // until the one before has done its work or opened a modal (at most KEY_SETTLE_MS), then for a
  // frame, so "o" then Enter picks in the picker "o" opens rather than reaching the pane.
  const keyQueue = useRef<[KeyName, string][]>([]);
  const draining = useRef(false);
  const feedKeys = (keys: readonly [KeyName, string][]) => {
    keyQueue.current.push(...keys);
    if (draining.current) return;
    draining.current = true;
    void (async () => {
      try {
        for (let next = keyQueue.current.shift(); next; next = keyQueue.current.shift()) {
          const modalsBefore = modalsRef.current.length;
          const work = handlerRef.current(next[0], next[1]);
          const started = Date.now();
          let settled = work === undefined;
          void work?.finally(() => (settled = true));
          while (!settled && modalsRef.current.length === modalsBefore && Date.now() - started < KEY_SETTLE_MS) await pause(10);
          await pause(5);
        }
      } finally {
        draining.current = false;
      }
    })();
  };

  useInput((input, key) => {
    const name = keyName(input, key);
    if (name !== null) handleKey(name, input);
  });

  // One row short of the terminal: a frame as tall as the screen makes ink 6 clear the whole
  // screen on every render, and flicker.
  const height = Math.max(size.rows - 1, MIN_SIZE.rows - 1);
  const width = Math.max(size.columns, MIN_SIZE.columns);
  const banner = problems.length ? problemBanner(problems[0]!, problems.length - 1, width) : [];
  const vault = vaults.find((candidate) => candidate.id === vaultId) ?? null;
  const headerParts = vaultHeader(vault, loop?.current() ?? null, holder);
  const header = headerLine(width, headerParts.left, headerParts.right);
  const tabs = panes.map((candidate, index) => `${index + 1} ${candidate.title}`);
  // Around the body: the header, the tabs, the rule, then the status line and the footer.
  const bodyHeight = Math.max(height - 5 - banner.length, 1);
  bodyHeightRef.current = bodyHeight;
  const footer = footerHints(table, scopes, context).join('  ·  ');
  // A pane that pages by its height is told it whenever it changes (a resize, a banner).
  useEffect(() => {
    if (pane?.resize) dispatchPane({ id: pane.id, action: pane.resize(bodyHeight) });
  }, [pane, bodyHeight]);
  const top = modals[modals.length - 1];

  if (tooSmall) {
    return (
      <Box flexDirection="column" width={size.columns} height={Math.max(size.rows - 1, 1)} overflow="hidden">
        {tooSmallLines(size).map((line, index) => (
          <Text key={index} wrap="truncate">
            {line}
          </Text>
        ))}
      </Box>
    );
  }

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate" bold>
        {header}
      </Text>
      <TabsLine tabs={tabs} active={active} width={width} />
      <Text dimColor>{'─'.repeat(width)}</Text>
      {banner.map((line, index) => (
        <Text key={index} color={colour('yellow')} wrap="truncate">
          {line}
        </Text>
      ))}
      <Box height={bodyHeight} overflow="hidden" flexDirection="column">
        {help ? (
          <HelpView rows={helpRows(table, scopes, context)} top={helpTop} width={width} height={bodyHeight} title={pane ? `${pane.title} and everywhere` : 'Everywhere'} />
        ) : top ? (
          <ModalView modal={top} width={width} height={bodyHeight} />
        ) : preparingNow ? (
          <Text dimColor>{preparing?.what}…</Text>
        ) : pane ? (
          <pane.View state={states[pane.id]} width={width} height={bodyHeight} vaultId={vaultId} focused={!top} />
        ) : (
          <Text>No panes.</Text>
        )}
      </Box>
      <Text wrap="truncate" color={colour(status?.tone === 'error' ? 'red' : undefined)}>
        {status ? truncate(`${status.tone === 'error' ? '! ' : ''}${status.message}`, width) : ' '}
      </Text>
      <Text dimColor wrap="truncate">
        {truncate(footer, width)}
      </Text>
    </Box>
  );
}

function TabsLine({ tabs, active, width }: { tabs: string[]; active: number; width: number }) {
  // The focused pane is bracketed, not only coloured: readable with NO_COLOR.
  let text = tabs.map((tab, index) => (index === active ? `[${tab}]` : ` ${tab} `)).join(' ');
  // Too many for the width: the others by their number only.
  if (displayWidth(text) > width) text = tabs.map((tab, index) => (index === active ? `[${tab}]` : tab.split(' ')[0]!)).join(' ');
  return <Text wrap="truncate">{truncate(text, width)}</Text>;
}

function HelpView({ rows, top, width, height, title }: { rows: ReturnType<typeof helpRows>; top: number; width: number; height: number; title: string }) {
  const room = Math.max(height - 2, 1);
  const first = Math.max(0, Math.min(top, rows.length - room));
  const shown = rows.slice(first, first + room);
  const keyWidth = Math.min(14, Math.max(...rows.map((row) => displayWidth(row.keys)), 4));
  return (
    <Box flexDirection="column">
      <Text bold>{truncate(`Keys — ${title} (Esc closes)`, width)}</Text>
      {shown.map((row, index) => (
        <Text key={index} wrap="truncate" dimColor={row.unavailable !== null}>
          {truncate(`${row.keys.padEnd(keyWidth)}  ${row.description}${row.dangerous ? ' (asks first)' : ''}${row.unavailable ? ` — not now: ${row.unavailable}` : ''}`, width)}
        </Text>
      ))}
      {rows.length > room ? <Text dimColor>{truncate(`keys ${first + 1}–${first + shown.length} of ${rows.length} · ↑↓ PgUp PgDn scroll · Esc closes`, width)}</Text> : null}
    </Box>
  );
}

export function ModalView({ modal, width, height }: { modal: Modal; width: number; height: number }) {
  switch (modal.kind) {
    case 'confirm':
      return (
        <Box flexDirection="column">
          {wrap(modal.question, width).map((line, index) => (
            <Text key={index} bold>
              {line}
            </Text>
          ))}
          <Text>y yes · n / Esc no</Text>
        </Box>
      );
    case 'message':
      // Lines as they are, each on its own: a URL stays whole so a terminal selection copies it.
      return (
        <Box flexDirection="column">
          <Text bold>{truncate(modal.title, width)}</Text>
          {modal.lines.slice(0, Math.max(height - 2, 1)).map((line, index) => (
            <Text key={index}>{line}</Text>
          ))}
          <Text dimColor>any key closes</Text>
        </Box>
      );
    case 'form':
      return (
        <Box flexDirection="column">
          <Text bold>{truncate(modal.title, width)}</Text>
          {modal.fields.map((field, index) => {
            const value = modal.values[index] ?? '';
            const shown = field.secret ? '•'.repeat(value.length) : value;
            return (
              <Box key={field.name} flexDirection="column">
                <Text wrap="truncate">{truncate(`${index === modal.field ? '›' : ' '} ${field.label}: ${shown}${index === modal.field ? '▏' : ''}`, width)}</Text>
                {field.hint && index === modal.field ? <Text dimColor wrap="truncate">{truncate(`  ${field.hint}`, width)}</Text> : null}
              </Box>
            );
          })}
          <Text dimColor>Tab next field · Enter on the last one submits · Esc cancels</Text>
        </Box>
      );
    case 'pick': {
      const shown = visibleItems(modal);
      // The item under the cursor whole, under the list, when its row is cut at the edge.
      const current = shown[modal.cursor]?.item;
      const whole = current ? `${current.label}${current.detail ? `  ${current.detail}` : ''}${current.disabled ? ` — ${current.disabled}` : ''}` : '';
      const more = current && displayWidth(whole) + 2 > width ? wrap(whole, Math.max(width - 2, 1)).slice(0, 3) : [];
      const rows = Math.max(height - 3 - more.length, 1);
      const start = Math.max(0, Math.min(modal.cursor - Math.floor(rows / 2), shown.length - rows));
      return (
        <Box flexDirection="column">
          <Text bold>{truncate(`${modal.title}${modal.filtering || modal.filter ? ` — filter: ${modal.filter}${modal.filtering ? '▏' : ''}` : ''}`, width)}</Text>
          {shown.length === 0 ? <Text dimColor>nothing matches</Text> : null}
          {shown.slice(start, start + rows).map(({ item }, offset) => {
            const at = start + offset === modal.cursor;
            return (
              <Text key={start + offset} wrap="truncate" inverse={at} dimColor={item.disabled !== undefined}>
                {truncate(`${at ? '›' : ' '} ${item.label}${item.detail ? `  ${item.detail}` : ''}${item.disabled ? ` — ${item.disabled}` : ''}`, width)}
              </Text>
            );
          })}
          {more.map((line, index) => (
            <Text key={`more-${index}`} dimColor>
              {`  ${line}`}
            </Text>
          ))}
          <Text dimColor>↑↓ move · Enter choose · / filter · Esc cancel</Text>
        </Box>
      );
    }
  }
}
