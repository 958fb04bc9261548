/**
 * True when the clock `(hlc, site)` is newer than `(thanHlc, thanSite)`: the
 * larger hybrid logical clock, then the larger site id on a tie. The one order
 * of last-writer-wins, the same on every server.
 */
export function newer(hlc: number, site: string, thanHlc: number, thanSite: string): boolean {
  return hlc > thanHlc || (hlc === thanHlc && site > thanSite);
}

/**
 * The clock `(hlc, site)` against `(thanHlc, thanSite)` in the order of {@link newer}:
 * positive when it is newer, negative when older, 0 for the same clock.
 */
export function compareClocks(hlc: number, site: string, thanHlc: number, thanSite: string): number {
  if (hlc !== thanHlc) return hlc > thanHlc ? 1 : -1;
  return site === thanSite ? 0 : site > thanSite ? 1 : -1;
}
