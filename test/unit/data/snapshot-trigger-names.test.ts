import path from 'node:path';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { buildSnapshotFile } from '../../../lib/data/snapshot-file';
import { tempDb, type TempDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

/**
 * A snapshot leaves out the app's triggers that name a table it leaves out, matching names as SQLite does:
 * ASCII case folded only ("Équipe" and "équipe" are two tables), and a name is whole only between
 * characters no identifier holds (a non-ASCII letter is one, outside the BMP too: "équipe" and "𝔘quipe" do
 * not name "quipe").
 */
const SCHEMA = `
CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE "équipe" (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE "Équipe" (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE quipe (id TEXT PRIMARY KEY NOT NULL, name TEXT);
CREATE TRIGGER names_kept AFTER INSERT ON teams BEGIN INSERT INTO "équipe" (id, name) VALUES (new.id, '𝔘quipe ' || new.name); END;
CREATE TRIGGER names_left_out AFTER UPDATE ON teams BEGIN INSERT INTO "Équipe" (id, name) VALUES (new.id, new.name); END;
CREATE TRIGGER names_left_out_ascii_folded AFTER DELETE ON teams BEGIN DELETE FROM QUIPE WHERE id = old.id; END;
`;
const TABLES = ['teams', 'équipe'];

describe('a snapshot keeps the triggers naming only tables it keeps', () => {
  let source: TempDb;
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    source = tempDb(SCHEMA);
    enableCapture(source.db, { tables: TABLES });
    dir = tempDir('ess-snap-names-');
  });
  afterEach(() => {
    source.cleanup();
    dir.cleanup();
  });

  it('drops a trigger naming "Équipe" or QUIPE (left out), keeps one naming "équipe" (kept) and "𝔘quipe" (no table)', async () => {
    const target = path.join(dir.dir, 'snapshot.db');
    await buildSnapshotFile({ source: source.file, target, tables: TABLES });
    const copy = new Database(target, { readonly: true });
    try {
      const triggers = copy.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'names%' ORDER BY name").pluck().all();
      expect(triggers).toEqual(['names_kept']);
      const tables = copy.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE '\\_sync\\_%' ESCAPE '\\' ORDER BY name").pluck().all();
      expect(tables).toEqual(['teams', 'équipe']);
    } finally {
      copy.close();
    }
  });
});
