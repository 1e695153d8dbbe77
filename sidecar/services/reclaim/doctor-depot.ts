import { lstat, stat } from 'node:fs/promises';
import { errorCodeOf } from '../../../shared/errors';
import { replaceWithLink } from '../../disk/replace-with-link';
import type { Registry } from '../../registry/registry';
import type { FileEntry } from '../../registry/registry-schema';
import { findVerifiedCopy } from './find-verified-copy';
import { type VerifyFileDeps, verifyRegisteredFile } from './verify-registered-file';

/**
 * broken-link: a registered symlink that leads nowhere. changed: a file whose bytes are no longer the registered
 * model's. gone: a registered file (an alias, or a model's canonical file) no longer on disk.
 */
export type DoctorFindingKind = 'broken-link' | 'changed' | 'gone';

export interface DoctorFinding {
  kind: DoctorFindingKind;
  path: string;
  sha256: string;
  message: string;
  /** With --fix: what was done, or why nothing could be. */
  fix?: { done: boolean; action: string };
}

export interface DoctorOptions extends VerifyFileDeps {
  registry: Registry;
  /** Repair what can be: re-point broken links to a remaining copy, register changed files under their new SHA-256, forget gone files. */
  fix: boolean;
}

export interface DoctorReport {
  fix: boolean;
  findings: DoctorFinding[];
  /** Registered files looked at. */
  checked: number;
}

/**
 * `model-depot doctor`: compares the registry with the disk. A file whose identity still matches its registration
 * costs one stat; one that changed is read again (with the hash cache) to tell a touched file from new bytes.
 */
export async function doctorDepot(options: DoctorOptions): Promise<DoctorReport> {
  const { registry } = options;
  const entries = [...registry.allFiles()];
  const findings: DoctorFinding[] = [];
  const run = async () => {
    for (const entry of entries) {
      const finding = await examine(entry, options);
      if (finding === undefined) continue;
      if (options.fix) finding.fix = await repair(finding, entry, options);
      findings.push(finding);
    }
  };
  if (options.fix) await registry.batch(run);
  else await run();
  return { fix: options.fix, findings, checked: entries.length };
}

async function examine(entry: Readonly<FileEntry>, deps: VerifyFileDeps): Promise<DoctorFinding | undefined> {
  const { path, sha256 } = entry;
  const info = await lstat(path).catch((error: unknown) => {
    if (errorCodeOf(error) === 'ENOENT' || errorCodeOf(error) === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) {
    const role = entry.link_target === undefined ? 'registered file' : `link to ${entry.link_target}`;
    return { kind: 'gone', path, sha256, message: `${path} (${role}) is no longer on disk.` };
  }
  const verified = await verifyRegisteredFile(entry, deps);
  if (verified.state === 'gone' && info.isSymbolicLink()) {
    return { kind: 'broken-link', path, sha256, message: `${path} is a symlink to a file that is gone.` };
  }
  if (verified.state !== 'ok') return { kind: 'gone', path, sha256, message: verified.message };
  if (verified.sha256 !== sha256) {
    return {
      kind: 'changed',
      path,
      sha256,
      message: `${path} changed since it was hashed: SHA-256 ${verified.sha256.slice(0, 12)}…, registered ${sha256.slice(0, 12)}….`,
    };
  }
  return undefined;
}

async function repair(
  finding: DoctorFinding,
  entry: Readonly<FileEntry>,
  options: DoctorOptions,
): Promise<{ done: boolean; action: string }> {
  const { registry } = options;
  if (finding.kind === 'gone') {
    await registry.removeFile(entry.path);
    return { done: true, action: 'forgotten by the registry' };
  }
  if (finding.kind === 'changed') {
    const info = await stat(entry.path);
    const verified = await verifyRegisteredFile(entry, options);
    if (verified.state !== 'ok') return { done: false, action: verified.message };
    await registry.addFile({ path: entry.path, sha256: verified.sha256, kind: entry.kind, stat: info });
    return { done: true, action: `registered again as ${verified.sha256.slice(0, 12)}…` };
  }
  const copy = await findVerifiedCopy(registry, entry.sha256, new Set([entry.path]), options);
  if (copy === undefined) {
    return {
      done: false,
      action:
        'no copy of its bytes is left: download the model again (`model-depot install`), or delete the link and run `model-depot doctor --fix`',
    };
  }
  const kind = await replaceWithLink({ path: entry.path, target: copy });
  await registry.addFile({
    path: entry.path,
    sha256: entry.sha256,
    kind,
    ...(entry.category === undefined ? {} : { category: entry.category }),
    stat: await stat(entry.path),
    linkTarget: copy,
  });
  return { done: true, action: `re-pointed to ${copy}` };
}
