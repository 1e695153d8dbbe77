import { isSecretQueryParam } from './is-secret-query-param';

/**
 * A workflow's URL with user info and credential parameters removed, or undefined when it is not a URL. Workflows
 * are shared and saved (the extension stores requirements inside the workflow), and check results are shown and
 * logged: a token pasted into a URL must not travel further. Tokens are asked for and kept in memory instead.
 */
export function urlWithoutCredentials(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  for (const name of [...parsed.searchParams.keys()]) {
    if (isSecretQueryParam(name)) parsed.searchParams.delete(name);
  }
  return parsed.toString();
}
