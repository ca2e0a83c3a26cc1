// Times as the console shows them: in the local time zone of the machine it runs on (the stored
// times are UTC ISO strings), to the minute or to the second.

const pad = (n: number) => String(n).padStart(2, '0');

/** "HH:MM" local, or `none` for a missing time. */
export function localClock(iso: string | null | undefined, none = '--:--'): string {
  if (!iso) return none;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? none : `${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** "HH:MM:SS" local. */
export function localClockSeconds(at: Date): string {
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** "YYYY-MM-DD HH:MM" local, or '' for a missing time. */
export function localMinute(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}`;
}
