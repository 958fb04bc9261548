import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChangesetSchema } from '../../../lib/data/changeset';

describe('docs/PROTOCOL.md', () => {
  const doc = readFileSync(path.join(__dirname, '../../../docs/PROTOCOL.md'), 'utf8');

  it('carries the JSON Schema the code validates with', () => {
    const appendix = doc.slice(doc.indexOf('## Appendix: JSON Schema'));
    const block = /```json\n([\s\S]*?)\n```/.exec(appendix)?.[1];
    expect(JSON.parse(block ?? 'null')).toEqual(JSON.parse(JSON.stringify(ChangesetSchema)));
  });

  it.each(['INVALID_CHANGESET', 'UNSUPPORTED_PROTOCOL', 'SCHEMA_MISMATCH', 'UNKNOWN_TABLE', 'UNKNOWN_COLUMN', 'INVALID_VALUE', 'UNSAFE_INTEGER', 'CLOCK_SKEW', 'INCOMPLETE_ROW', 'APPLY_REFUSED', 'BAD_QUERY', 'UNSENDABLE_VALUE', 'CAPTURE_REFUSED', 'UNSUPPORTED_MEDIA_TYPE'])(
    'documents the error code %s',
    (code) => {
      expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\|`));
    },
  );
});
