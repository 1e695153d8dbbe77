import type { CheckResult } from '../../../shared/check-result';

/**
 * What keeps a workflow from carrying its models (`check --strict`): a model it uses without a URL or without a
 * SHA-256, a file on disk whose bytes differ from the listed hash (the check's `conflict`), or an entry that could
 * not be read. Empty when every model can be fetched and verified on another machine.
 */
export function strictProblems(result: CheckResult): string[] {
  const problems: string[] = [];
  for (const item of result.items) {
    if (!item.requirement.required) continue;
    const missing = [
      ...(item.requirement.urls.length === 0 ? ['URL'] : []),
      ...(item.requirement.sha256 === undefined ? ['SHA-256'] : []),
    ];
    if (missing.length > 0) problems.push(`${item.targetPath}: the workflow gives no ${missing.join(' and no ')}`);
    if (item.status === 'conflict') problems.push(`${item.targetPath}: ${item.reason ?? 'differs from the workflow'}`);
  }
  for (const entry of result.invalid) problems.push(`${entry.path}: ${entry.message}`);
  return problems;
}
