import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './temp';

/** Debian's chromium, unless `CHROMIUM_PATH` names another executable. Never a downloaded browser. */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : '/usr/bin/chromium';
}

/** The flags every e2e browser runs with: headless, no sandbox (containers), nothing talking to Google. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` when chromium is there; without it, `describe.skip` with a
 * warning, except under `CI=true`, where one failing test takes the suite's
 * place (CI installs chromium, so its absence is a broken CI).
 * Decided once, when the test file loads.
 */
export function describeWithChromium(name: string, body: () => void): void {
  const executable = chromiumPath();
  if (isExecutable(executable)) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('finds chromium (CI=true: its absence fails the suite)', () => {
        throw new Error(`no chromium at ${executable} and CI=true: CI must install Debian chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH`);
      });
    });
    return;
  }
  console.warn(`${name}: skipped: no chromium at ${executable}; install Debian chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  describe.skip(name, body);
}

/** A headless chromium with a fresh temp profile; `close` ends it and removes the profile. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches {@link chromiumPath} headless with {@link CHROMIUM_ARGS} and a new `--user-data-dir`. */
export async function launchChromium(): Promise<TestBrowser> {
  const profile = tempDir('ess-chromium-');
  try {
    const context = await chromium.launchPersistentContext(profile.dir, {
      executablePath: chromiumPath(),
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    return {
      context,
      close: async () => {
        await context.close();
        profile.cleanup();
      },
    };
  } catch (error) {
    profile.cleanup();
    throw error;
  }
}

/**
 * Saves a PNG of `page` as `<SCREENSHOTS_DIR>/<name>.png` when `SCREENSHOTS_DIR`
 * is set (`npm run screenshots` sets it to docs/screenshots); does nothing otherwise.
 */
export async function saveScreenshot(page: Page, name: string, options: { readonly fullPage?: boolean } = {}): Promise<void> {
  const directory = process.env.SCREENSHOTS_DIR;
  if (directory === undefined || directory === '') return;
  mkdirSync(directory, { recursive: true });
  await page.screenshot({ path: path.join(directory, `${name}.png`), fullPage: options.fullPage ?? false, animations: 'disabled' });
}
