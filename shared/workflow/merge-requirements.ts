import type { Requirement } from '../requirement';

/** A `dependencies` entry is the richest source, then ComfyUI's `models`, then a bare widget value. */
const ORIGIN_RANK: Readonly<Record<Requirement['origin'], number>> = { dependencies: 0, models: 1, widget: 2 };

export interface MergedRequirement {
  requirement: Requirement;
  /** Set when both name a SHA-256 and they differ: the kept one is `a`'s (the earlier, richer source). */
  hashConflict?: { kept: string; dropped: string };
}

/**
 * Two mentions of the same category + file name, as one requirement: known facts win over unknown ones (SHA-256,
 * size, display name), URLs are united (earlier first), it is required when either says so, and it needs a token
 * when either says so. On disagreement the earlier mention wins, since sources are read richest first.
 */
export function mergeRequirements(a: Requirement, b: Requirement): MergedRequirement {
  const urls = [...a.urls];
  for (const url of b.urls) if (!urls.includes(url)) urls.push(url);
  const requirement: Requirement = {
    category: a.category,
    filename: a.filename,
    sha256: a.sha256 ?? b.sha256,
    // A size only describes the bytes of its own hash: take b's only when a has neither.
    size: a.size ?? (a.sha256 === undefined || a.sha256 === b.sha256 ? b.size : undefined),
    urls,
    displayName: a.displayName ?? b.displayName,
    required: a.required || b.required,
    requiresAuth: a.requiresAuth === true || b.requiresAuth === true ? true : (a.requiresAuth ?? b.requiresAuth),
    origin: ORIGIN_RANK[b.origin] < ORIGIN_RANK[a.origin] ? b.origin : a.origin,
  };
  dropUndefined(requirement);
  const hashConflict =
    a.sha256 !== undefined && b.sha256 !== undefined && a.sha256 !== b.sha256
      ? { kept: a.sha256, dropped: b.sha256 }
      : undefined;
  return hashConflict ? { requirement, hashConflict } : { requirement };
}

/** Keeps JSON output and deep-equality assertions free of `key: undefined`. */
function dropUndefined(requirement: Requirement): void {
  if (requirement.sha256 === undefined) delete requirement.sha256;
  if (requirement.size === undefined) delete requirement.size;
  if (requirement.displayName === undefined) delete requirement.displayName;
  if (requirement.requiresAuth === undefined) delete requirement.requiresAuth;
}
