import path from 'node:path';
import { CLI_COMMAND } from '../../lib/cli-command';
import { shellWord } from '../../lib/shell-word';

/** The server a command was pointed at, as the operator named it: a fix printed for it names it the same way. */
export interface NamedServer {
  /** `--url`, as typed. */
  readonly url: string;
  /** `--ca`, when given: a server with a self-signed certificate is reached only with it. */
  readonly ca?: string | undefined;
}

/**
 * The server a remote command was given, as a printed fix names it: `--url` as typed, `--ca` made
 * absolute (the command may be pasted in another folder than the one it was printed in). On Windows
 * with `/` separators: Node reads `C:/certs/ca.pem` as it reads `C:\certs\ca.pem`, and no shell (cmd,
 * PowerShell, sh) needs it quoted, where a backslash made it single-quoted and cmd took the quotes as part of the name.
 * @param paths - the path rules of the platform (`path.win32` in tests)
 */
export function namedServer(options: { readonly url: string; readonly ca?: string | undefined }, paths: Pick<path.PlatformPath, 'resolve' | 'sep'> = path): NamedServer {
  if (options.ca === undefined || options.ca === '') return { url: options.url, ca: undefined };
  const absolute = paths.resolve(options.ca);
  return { url: options.url, ca: paths.sep === '\\' ? absolute.replaceAll('\\', '/') : absolute };
}

/**
 * The `confirm-deletions` command that lets one held root's deletions go, ready to paste: each word
 * quoted for the shell (the peer URL and the root come from the server's answer), and `--ca <file>`
 * again when the command that printed it needed one (without it, the pasted command fails on the
 * certificate). `SYNC_PEER_CA` and `SYNC_TOKEN` are read again from the environment; a token is never printed.
 * @param server - the server, as the operator named it (a bare URL, or the URL and its `--ca`)
 */
export function confirmDeletionsLine(server: string | NamedServer, entry: { readonly peer: string; readonly root: string }): string {
  const { url, ca } = typeof server === 'string' ? { url: server, ca: undefined } : server;
  const trust = ca === undefined || ca === '' ? '' : ` --ca ${shellWord(ca)}`;
  return `${CLI_COMMAND} confirm-deletions --url ${shellWord(url)}${trust} --peer ${shellWord(entry.peer)} --root ${shellWord(entry.root)}`;
}
