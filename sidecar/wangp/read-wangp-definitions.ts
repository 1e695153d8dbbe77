import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { DepotError } from '../../shared/errors';
import { zWanGpDefinitionFile, type WanGpModelFields } from './wangp-definition-schema';

export interface ReadWanGpDefinitionsOptions {
  /** WanGP's folder, holding `defaults/` and optionally `finetunes/`. */
  root: string;
}

/** A definition file that was skipped, or a model that cannot be listed, and why. */
export interface WanGpProblem {
  /** The file at fault, relative to WanGP's folder with `/` separators, such as `finetunes/my_model.json`. */
  file: string;
  /** What is wrong and what to do, starting with the file name; printable as it is. */
  message: string;
}

/** One model as WanGP sees it after reading both folders. */
export interface WanGpDefinition {
  /** The model id: the definition file's name without `.json`. */
  id: string;
  /** The files that defined it, in the order WanGP applies them (the default, then its finetune override). */
  files: string[];
  /** The merged `model` object: a finetune's properties replace the default's one by one. */
  model: WanGpModelFields;
}

export interface WanGpDefinitions {
  /** Every readable model by id, hidden ones included (other models may refer to them). */
  definitions: ReadonlyMap<string, WanGpDefinition>;
  /** Files that were skipped, in the order they were read. */
  problems: WanGpProblem[];
}

/** WanGP reads `defaults/` first, so that a file of the same name in `finetunes/` overrides it. */
const FOLDERS = ['defaults', 'finetunes'] as const;

/**
 * Reads every `*.json` of WanGP's `defaults/` and `finetunes/` folders the way WanGP does, merging a finetune into
 * the default of the same name property by property. A file that cannot be read, is not JSON or has a property of
 * the wrong type is skipped and reported; it never stops the others. Throws DepotError('IO') only when a folder
 * itself cannot be listed.
 */
export async function readWanGpDefinitions({ root }: ReadWanGpDefinitionsOptions): Promise<WanGpDefinitions> {
  const definitions = new Map<string, WanGpDefinition>();
  const problems: WanGpProblem[] = [];
  for (const folder of FOLDERS) {
    for (const name of await listDefinitionFiles(path.join(root, folder))) {
      const file = `${folder}/${name}`;
      const model = await readModelFields(path.join(root, folder, name), file, problems);
      if (model === undefined) continue;
      const id = name.slice(0, -'.json'.length);
      const existing = definitions.get(id);
      definitions.set(
        id,
        existing === undefined
          ? { id, files: [file], model }
          : { id, files: [...existing.files, file], model: { ...existing.model, ...model } },
      );
    }
  }
  return { definitions, problems };
}

/** The names WanGP's `*.json` pattern matches: it skips names starting with a dot. */
async function listDefinitionFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return [];
    throw new DepotError(
      'IO',
      `Could not list the WanGP folder ${folder}: ${messageOf(error)}. Check its permissions.`,
      {
        cause: error,
      },
    );
  }
  return names.filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
}

async function readModelFields(
  absolute: string,
  file: string,
  problems: WanGpProblem[],
): Promise<WanGpModelFields | undefined> {
  const skip = (reason: string): undefined => {
    problems.push({ file, message: `${file} is skipped: ${reason}` });
    return undefined;
  };
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    return skip(`it could not be read (${errorCodeOf(error) ?? messageOf(error)}). Check that it is a readable file.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return skip(`it is not valid JSON (${messageOf(error)}). Fix the syntax or remove the file.`);
  }
  const parsed = zWanGpDefinitionFile.safeParse(json);
  if (!parsed.success) return skip(`${describeIssues(parsed.error.issues)}. Fix the file or remove it.`);
  return parsed.data.model;
}

/** What each checked property must hold, for properties whose zod message would only say "Invalid input". */
const PROPERTY_HINTS: Readonly<Record<string, string>> = {
  URLs: 'a list of URLs or the id of another model',
  URLs2: 'a list of URLs or the id of another model',
  preload_URLs: 'a list of URLs or the id of another model',
  VAE_URLs: 'a list of URLs or a URL',
  text_encoder_URLs: 'a list of URLs or the id of another model',
  loras: 'a list of URLs or the id of another model',
  modules:
    'a list of modules (model ids, lists of URLs, or {"URLs": [...], "URLs2": [...]}) or the id of another model',
};

function describeIssues(issues: readonly z.ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.length === 0 ? 'the file' : issue.path.join('.');
      if (issue.path.length === 0 && issue.code === 'invalid_type') return 'the file must hold a JSON object';
      if (issue.path.length === 1 && issue.path[0] === 'model') return '"model" must be an object';
      const property = issue.path[1];
      const hint = typeof property === 'string' ? PROPERTY_HINTS[property] : undefined;
      if (issue.code === 'invalid_union' && hint !== undefined && issue.path.length === 2) {
        return `${where} must be ${hint}`;
      }
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

function errorCodeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
