// Preloaded with `node --require` (NODE_OPTIONS) into a CLI run: every hard link fails, as on a
// file system without them (vfat or exFAT on a USB stick, some network shares and FUSE mounts).
// The code is $ESS_NO_LINK_CODE (EPERM by default, what Linux's vfat answers). Like the kernel,
// which looks up the new name before it asks the file system, a name that exists answers EEXIST.
// With $ESS_SLOW_RENAME_MS, fs.promises.rename waits that long first (a test stops the command there).
'use strict';
const fs = require('node:fs');
const { env } = require('node:process');

const code = env.ESS_NO_LINK_CODE || 'EPERM';

function refusal(existing, target) {
  const taken = fs.existsSync(target);
  const error = new Error(`${taken ? 'EEXIST' : code}: no hard links on this file system (test preload), link '${existing}' -> '${target}'`);
  error.code = taken ? 'EEXIST' : code;
  error.syscall = 'link';
  error.path = String(existing);
  error.dest = String(target);
  return error;
}

fs.promises.link = async (existing, target) => {
  throw refusal(existing, target);
};
fs.linkSync = (existing, target) => {
  throw refusal(existing, target);
};
fs.link = (existing, target, callback) => {
  const error = refusal(existing, target);
  setImmediate(() => callback(error));
};

const slowRenameMs = Number(env.ESS_SLOW_RENAME_MS || 0);
if (slowRenameMs > 0) {
  const rename = fs.promises.rename;
  fs.promises.rename = async (from, to) => {
    await new Promise((resolve) => setTimeout(resolve, slowRenameMs));
    return rename(from, to);
  };
}
