// @ts-nocheck
// How durations read in messages, the same in every family.

export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${Number(seconds.toFixed(2))}s`;
}
