// Problems found while the console runs (a damaged store file moved aside, …): whoever finds one
// reports it here, and the console shows it until the user dismisses it.

export interface ProblemFeed {
  /** Calls `listener` with every problem reported so far, then with each new one; returns how to stop. */
  subscribe(listener: (problem: string) => void): () => void;
}

/**
 * A feed that keeps every problem, so one reported before the console drew (opening the data dir
 * comes first) is still shown, and all of them can be told again after the console ends.
 */
export class ProblemLog implements ProblemFeed {
  private readonly reported: string[] = [];
  private readonly listeners = new Set<(problem: string) => void>();

  report(problem: string): void {
    this.reported.push(problem);
    for (const listener of this.listeners) listener(problem);
  }

  get all(): readonly string[] {
    return this.reported;
  }

  subscribe(listener: (problem: string) => void): () => void {
    for (const problem of this.reported) listener(problem);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
