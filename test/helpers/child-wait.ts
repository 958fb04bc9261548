import type { ChildProcess } from 'node:child_process';

/** Kills a child process with SIGKILL (a crash, as the kernel's OOM killer or a power cut leaves it) and waits for it to be gone. */
export async function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** Waits until `condition` holds, looking every 20 ms; fails naming `what` after 15 s. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
