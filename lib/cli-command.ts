/**
 * How every command this package prints for the operator to run starts (a fix in an error message, a log line, the
 * CLI's output): the package is installed in the app (`npm install express-sqlite-sync`), which puts its
 * `express-sqlite-sync` in `node_modules/.bin`, not on the PATH, so a command pasted as `express-sqlite-sync …` fails
 * with "command not found"; `npx` finds the app's own copy (run in the app's folder, as the README says).
 */
export const CLI_COMMAND = 'npx express-sqlite-sync';
