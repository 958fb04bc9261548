import type { Page } from 'playwright-core';

/**
 * An init script counting the page's calls in flight (`window.__k1Inflight`): a `fetch` until its
 * answer arrived and the caller's handler ran, a `response.json()` until it was read and handled.
 * Zero means every answer the page asked for has been handled, whatever it did with it (drawn or
 * dropped): a test can then check that a late answer changed nothing, without waiting on a time.
 */
const COUNT_FETCHES = `(() => {
  window.__k1Inflight = 0;
  const done = () => setTimeout(() => { window.__k1Inflight -= 1; }, 0); // after the caller's handlers (microtasks)
  const fetch = window.fetch.bind(window);
  window.fetch = (...args) => {
    window.__k1Inflight += 1;
    return fetch(...args).then((answer) => { done(); return answer; }, (error) => { done(); throw error; });
  };
  const json = Response.prototype.json;
  Response.prototype.json = function () {
    window.__k1Inflight += 1;
    return json.call(this).then((value) => { done(); return value; }, (error) => { done(); throw error; });
  };
})()`;

/** Counts the page's calls in flight from its next navigation on (see {@link waitForPageFetches}). */
export async function countPageFetches(page: Page): Promise<void> {
  await page.addInitScript(COUNT_FETCHES);
}

/** Waits until every call the page made has been answered and handled (needs {@link countPageFetches}). */
export async function waitForPageFetches(page: Page): Promise<void> {
  // A function, not a string: the status page's CSP allows no eval.
  await page.waitForFunction(() => (globalThis as unknown as { __k1Inflight?: number }).__k1Inflight === 0);
}
