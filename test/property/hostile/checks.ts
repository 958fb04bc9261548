import { answerProblems, exactDump, get, openReceiver, post, tablesDump, type Answer, type Receiver } from './receiver';

/**
 * POSTs a page to a receiver and checks what every page must give: an apply
 * result or a 4xx error, never a 5xx; a database unchanged by a refusal; and,
 * applied, a second application that changes nothing.
 */
export async function postChecked(receiver: Receiver, text: string, label: string): Promise<Answer> {
  const before = exactDump(receiver.db);
  const answer = await post(receiver, text);
  expect({ label, problems: answerProblems(answer) }).toEqual({ label, problems: [] });
  const after = exactDump(receiver.db);
  if (answer.status >= 400) {
    expect({ label, changed: after.filter((line) => !before.includes(line)) }).toEqual({ label, changed: [] });
    expect(after).toEqual(before);
    return answer;
  }
  const again = await post(receiver, text);
  expect({ label, again: again.status, applied: (again.body as { applied?: number }).applied }).toEqual({ label, again: 200, applied: 0 });
  expect({ label, changed: exactDump(receiver.db).filter((line) => !after.includes(line)) }).toEqual({ label, changed: [] });
  return answer;
}

/** What the receiver now sends (its whole state, as a page) rebuilds its tables on an empty server: no row is kept where a page cannot reach it. */
export async function expectSentWhole(receiver: Receiver, label: string): Promise<void> {
  const page = (await get(receiver, 'changes?since=0&limit=5000&protocol=2')).text;
  const fresh = openReceiver();
  try {
    const answer = await post(fresh, page);
    expect({ label, status: answer.status, body: answer.status === 200 ? undefined : answer.body }).toEqual({ label, status: 200, body: undefined });
    expect({ label, tables: tablesDump(fresh) }).toEqual({ label, tables: tablesDump(receiver) });
  } finally {
    fresh.close();
  }
}

/** An answer without the local parts (the time a row was parked, the local seq). */
export function comparable(answer: Answer): unknown {
  if (answer.status >= 400) return { status: answer.status >= 400 ? 'refused' : answer.status };
  const { conflicts, received, applied, ignored } = answer.body as { conflicts: { at?: string }[]; received: number; applied: number; ignored: number };
  return { received, applied, ignored, conflicts: conflicts.map(({ at: _at, ...entry }) => entry) };
}
