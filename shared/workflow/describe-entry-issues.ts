import type { ZodError, ZodIssue } from 'zod';

/**
 * One line for everything wrong with a workflow entry: `url must be a URL (http or https); size must be a number`.
 * Our schemas carry predicate messages; zod's own defaults ("Expected string, received number", "Required") are
 * rephrased to match, since the line is printed after the entry's path.
 */
export function describeEntryIssues(error: ZodError): string {
  // A text that is no URL at all fails two checks with the same message: it is said once.
  return [...new Set(error.issues.map(describeIssue))].slice(0, 5).join('; ');
}

function describeIssue(issue: ZodIssue): string {
  const field = issue.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  const message = rephrase(issue);
  return field === '' ? message : `${field} ${message}`;
}

function rephrase(issue: ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.received === 'undefined') return 'is required';
    if (/^Expected .+, received /.test(issue.message))
      return `must be ${withArticle(issue.expected)}, not ${issue.received}`;
  }
  if (issue.message === 'Required') return 'is required';
  return issue.message;
}

function withArticle(word: string): string {
  if (word === 'array') return 'a list';
  return /^[aeio]/.test(word) ? `an ${word}` : `a ${word}`;
}
