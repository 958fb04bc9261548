/**
 * True when the clock `(hlc, site)` is newer than `(thanHlc, thanSite)`: the
 * larger hybrid logical clock, then the larger site id on a tie. The one order
 * of last-writer-wins, the same on every server.
 */
export function newer(hlc: number, site: string, thanHlc: number, thanSite: string): boolean {
  return hlc > thanHlc || (hlc === thanHlc && site > thanSite);
}
