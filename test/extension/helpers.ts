import type { Directory } from '../../bot/directory/directory';
import { DirectoryError } from '../../bot/errors';
import { FileDirectory } from '../../bot/directory/file-directory';
import { makeCardButton, makeQuery, makeQueryLink, type TestUser } from '../helpers/activities';
import type { TestApp } from '../helpers/test-app';

export const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
export const THUMBNAIL = 'application/vnd.microsoft.card.thumbnail';

/** The `composeExtension` answer of a search, checked to be a 200 Teams can read. */
export async function search(t: TestApp, commandId: string, text: string | null, user: TestUser, options: { skip?: number; count?: number; initialRun?: boolean } = {}): Promise<any> {
  const r = await t.post(makeQuery(commandId, text, user, t.connector.url, options));
  expect(r.status).toBe(200);
  expect(r.body).toHaveProperty('composeExtension');
  return r.body.composeExtension;
}

export async function unfurl(t: TestApp, url: unknown, user: TestUser | null): Promise<any> {
  const r = await t.post(makeQueryLink(url, user, t.connector.url));
  expect(r.status).toBe(200);
  expect(r.body).toHaveProperty('composeExtension');
  return r.body.composeExtension;
}

export async function pressButton(t: TestApp, data: Record<string, unknown>, user: TestUser): Promise<{ status: number; body: any }> {
  return t.post(makeCardButton(data, user, t.connector.url));
}

/** Attachments of a `result` answer, each checked for the shape Teams needs (card + thumbnail preview). */
export function results(ce: any): Array<{ card: any; preview: any }> {
  expect(ce.type).toBe('result');
  expect(ce.attachmentLayout).toBe('list');
  return ce.attachments.map((a: any) => {
    expect(a.contentType).toBe(ADAPTIVE);
    expect(a.preview.contentType).toBe(THUMBNAIL);
    expect(typeof a.preview.content.title).toBe('string');
    return { card: a.content, preview: a.preview.content };
  });
}

export function titleOf(card: any): string {
  return card.body[1].inlines[0].text;
}

/** The sample directory, except that role checks for `failFor` cannot be answered (Graph down). */
export function flakyDirectory(file: string, failFor: string): Directory {
  const inner = new FileDirectory(file);
  return {
    rolesOf: async (id) => {
      if (id === failFor) throw new DirectoryError('Microsoft Graph answered 503', 'Try again in a few minutes.', 503);
      return inner.rolesOf(id);
    },
    getUser: (id) => inner.getUser(id),
    findUsers: (q) => inner.findUsers(q),
    listUsers: () => inner.listUsers(),
  };
}
