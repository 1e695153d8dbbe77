import type { RequirementInput } from '../requirement';

/**
 * Requirements written back as a `dependencies` section, the richest of the three workflow sources: what a
 * workflow author would put in a workflow, and what every check accepts.
 */
export function dependenciesSection(requirements: readonly RequirementInput[]): {
  dependencies: Record<string, unknown[]>;
} {
  const dependencies: Record<string, unknown[]> = {};
  for (const r of requirements) {
    const list = dependencies[r.category] ?? [];
    dependencies[r.category] = list;
    list.push({
      filename: r.filename,
      sha256: r.sha256,
      size: r.size,
      urls: r.urls ?? [],
      display_name: r.displayName,
      required: r.required ?? true,
      requires_auth: r.requiresAuth,
    });
  }
  return { dependencies };
}
