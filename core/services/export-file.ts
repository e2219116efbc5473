import { randomBytes } from 'node:crypto';
import { constants, copyFileSync, linkSync, lstatSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { StagecraftError } from '../domain/errors';

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** The resolved path an export may write, after the checks that need no rendering: refused when it would not be written. */
export function exportTarget(target: string, { overwrite = false } = {}): string {
  if (!isAbsolute(target)) throw new StagecraftError('invalid-input', `"${target}" is not an absolute path.`, 'Choose the file with the save dialog or type its full path.');
  if (/[\\/]$/.test(target)) throw new StagecraftError('invalid-input', `${target} names a folder, not a file.`, 'Add a file name, such as cab-pack.pdf.');
  const path = resolve(target);
  const folder = dirname(path);
  const folderStat = statSync(folder, { throwIfNoEntry: false });
  if (!folderStat?.isDirectory()) throw new StagecraftError('not-found', `The folder ${folder} does not exist.`, 'Choose an existing folder.');
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new StagecraftError('invalid-input', `${path} is a folder.`, 'Choose a file name inside it instead.');
  if (existing?.isSymbolicLink()) throw new StagecraftError('refused', `${path} is a symbolic link; Stagecraft does not write through links.`, 'Choose the real file, or another name.');
  if (existing && !existing.isFile()) throw new StagecraftError('refused', `${path} is not a regular file.`, 'Choose another name.');
  if (existing && !overwrite) throw alreadyExists(path);
  return path;
}

/**
 * Writes an exported file at exactly `target`, whole or not at all: the bytes go to a temporary
 * file in the same folder, which then becomes `target` in one step. An existing file is replaced
 * only when `overwrite` says the user confirmed it; folders, links and devices are never written
 * through, so nothing lands outside the chosen path.
 */
export function writeExportFile(target: string, bytes: Uint8Array, { overwrite = false } = {}): string {
  const path = exportTarget(target, { overwrite });
  const folder = dirname(path);
  const temp = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  try {
    writeFileSync(temp, bytes, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    rmSync(temp, { force: true });
    throw new StagecraftError('io', `Cannot write in ${folder}: ${(error as Error).message}`, 'Choose a folder you may write to.');
  }
  try {
    // A rename replaces a link itself, never its target; without overwrite, only a new name is taken.
    if (overwrite) renameSync(temp, path);
    else placeExclusively(temp, path);
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') throw alreadyExists(path);
    throw error instanceof StagecraftError ? error : new StagecraftError('io', `Cannot write ${path}: ${(error as Error).message}`);
  } finally {
    rmSync(temp, { force: true });
  }
  return path;
}

/** Gives `temp`'s content the name `path` only if no file has that name (atomically). */
function placeExclusively(temp: string, path: string): void {
  try {
    linkSync(temp, path);
  } catch (error) {
    // File systems without hard links: an exclusive copy is still never an overwrite.
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS'].includes(errnoOf(error) ?? '')) throw error;
    copyFileSync(temp, path, constants.COPYFILE_EXCL);
  }
}

const alreadyExists = (path: string) => new StagecraftError('conflict', `${path} already exists.`, 'Confirm that it may be replaced, or choose another name.');
