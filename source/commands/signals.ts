// Stopping a long-running command (`apdesk sync`, `apdesk sandbox`) the way a user or a service
// manager does: Ctrl+C, SIGTERM, or the SSH session ending (SIGHUP).

/** Aborted when the process is asked to stop; `dispose` gives the signals back. */
export function stopSignal(): { signal: AbortSignal; dispose(): void; received(): NodeJS.Signals | null } {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const stop = (name: NodeJS.Signals) => {
    received = name;
    controller.abort();
  };
  for (const name of signals) process.on(name, stop);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of signals) process.off(name, stop);
    },
    received: () => received,
  };
}
