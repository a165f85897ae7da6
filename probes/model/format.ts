// How durations read in messages, the same in every family.

export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${Number(seconds.toFixed(2))}s`;
}

/**
 * Code-point order for names (domains, hosts, checks): the same on every machine, whatever
 * its locale, and without the collation work of localeCompare, which sorting thousands of
 * findings or DCs paid for on every comparison.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
