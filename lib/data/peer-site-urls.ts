/** How long a URL's answer counts when another URL answers the same site id with another instance. */
export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** Instances a URL left that are remembered: restarts of one server under several URLs while another of its URLs was not asked. */
const LEFT_KEPT = 8;

/** What one peer URL last answered: the instance (random per running server; none from one that sends none), and when. */
interface Answer {
  readonly instance: string | undefined;
  readonly at: number;
  /** The instances this URL answered before (restarts, or another server now at the URL), each with when it left it: at most {@link LEFT_KEPT}. */
  readonly left?: ReadonlyMap<string | undefined, number>;
}

/**
 * Which peer URLs lately answered with which site id, and from which running server (its `instance`): two
 * servers that share one id (a copied database, a copied state folder, two servers on one file) are two
 * instances answering one id at two URLs. Everything this server keeps per site id (cursors, views, file
 * bases, settlements) would then be shared by the two, so while two URLs answered one id with two instances
 * within ten minutes the id is **contested**, for either URL, whichever was met first. One server under two
 * URLs (one instance) is no rival; a URL that answers another id no longer counts for the one it left.
 *
 * A server restarted under two URLs answers the first URL asked with its new instance while the other URL's
 * last answer still names the old one: that other URL is no rival of the first until it answers again (the
 * first URL left the very instance it names, and it was not heard since). A second server answering there
 * still names the old instance on its next answer and is a rival then, so a copy is only found a round later.
 * Callers stamp an answer with when it was asked (`now`), not when it arrived: an answer asked before a restart
 * and received after the other URL's answer from after it was heard before that URL left its instance.
 */
export class PeerSiteUrls {
  readonly #seen = new Map<string, Map<string, Answer>>();

  /** Records that `url` answered `site` now; returns the other URL that answered it with another instance most lately (`site` is contested), if any. */
  note(url: string, site: string, instance: string | undefined, now = Date.now()): string | undefined {
    for (const [other, urls] of this.#seen) {
      if (other !== site && urls.delete(url) && urls.size === 0) this.#seen.delete(other);
    }
    const urls = this.#seen.get(site) ?? new Map<string, Answer>();
    const before = urls.get(url);
    const left = before === undefined || before.instance === instance ? before?.left : leaving(before, now);
    urls.set(url, { instance, at: now, ...(left === undefined ? {} : { left }) });
    this.#seen.set(site, urls);
    return this.rival(url, site, now);
  }

  /** The other URL that answered `site` most lately with another instance than `url` last did, within ten minutes; undefined when `url` did not answer `site` last. */
  rival(url: string, site: string, now = Date.now()): string | undefined {
    const urls = this.#seen.get(site);
    const own = urls?.get(url);
    if (urls === undefined || own === undefined) return undefined;
    let latest: [string, Answer] | undefined;
    for (const [other, seen] of urls) {
      if (other === url || seen.instance === own.instance || now - seen.at >= DUPLICATE_WINDOW_MS) continue;
      if (leftBefore(own, seen) || leftBefore(seen, own)) continue; // one URL left the instance the other was last heard with: a restart
      if (latest === undefined || seen.at >= latest[1].at) latest = [other, seen];
    }
    return latest?.[0];
  }

  /** True while two URLs answered `site` with two instances within ten minutes of now. */
  contested(site: string, now = Date.now()): boolean {
    for (const [url, seen] of this.#seen.get(site) ?? []) if (now - seen.at < DUPLICATE_WINDOW_MS && this.rival(url, site, now) !== undefined) return true;
    return false;
  }

  /** The site id `url` answered last, if any. */
  siteAt(url: string): string | undefined {
    for (const [site, urls] of this.#seen) if (urls.has(url)) return site;
    return undefined;
  }

  /** Forgets every URL seen (after this server took a new site id). */
  forget(): void {
    this.#seen.clear();
  }
}

/** The instances `answer`'s URL left, with the one it answered until `now` (the first time it left each). */
function leaving(answer: Answer, now: number): Map<string | undefined, number> {
  const left = new Map(answer.left);
  if (!left.has(answer.instance)) left.set(answer.instance, now);
  while (left.size > LEFT_KEPT) left.delete(left.keys().next().value);
  return left;
}

/** True when `moved`'s URL left the instance `stale` last answered with, and `stale`'s URL was not heard since. */
function leftBefore(moved: Answer, stale: Answer): boolean {
  const at = moved.left?.get(stale.instance);
  return at !== undefined && stale.at <= at;
}
