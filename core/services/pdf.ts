import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StagecraftError } from '../domain/errors';
import type { ServiceContext } from './context';

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
const PRINT_TIMEOUT_MS = 120_000;

/** The Chromium that prints PDFs: CHROMIUM_PATH, else the usual places; null when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const chosen = env['CHROMIUM_PATH'];
  if (chosen) return existsSync(chosen) ? chosen : null;
  return CHROMIUM_CANDIDATES.find((path) => existsSync(path)) ?? null;
}

/**
 * Prints a self-contained HTML page to PDF with headless Chromium, in a throwaway profile. The
 * page's own CSS sets the paper (A4), margins and page numbers; Chromium's header and footer are off.
 */
export async function chromiumPdf(html: string, chromium = findChromium()): Promise<Buffer> {
  if (!chromium)
    throw new StagecraftError(
      'unsupported',
      process.env['CHROMIUM_PATH'] ? `No Chromium at CHROMIUM_PATH=${process.env['CHROMIUM_PATH']}: PDF reports need it.` : 'PDF reports need Chromium, and none was found.',
      'Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH; HTML, Markdown, CSV and JSON reports work without it.',
    );
  const folder = mkdtempSync(join(tmpdir(), 'stagecraft-pdf-'));
  try {
    const page = join(folder, 'report.html');
    const pdf = join(folder, 'report.pdf');
    writeFileSync(page, html);
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-pdf-header-footer',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-extensions',
      `--user-data-dir=${join(folder, 'profile')}`,
      `--print-to-pdf=${pdf}`,
      pathToFileURL(page).href,
    ];
    await new Promise<void>((done, fail) =>
      execFile(chromium, args, { timeout: PRINT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
        if (error && !existsSync(pdf)) fail(new StagecraftError('io', `Chromium could not print the report: ${error.killed ? 'it took too long' : (stderr.trim().split('\n').at(-1) ?? error.message)}.`, `Check that ${chromium} runs headless.`));
        else done();
      }),
    );
    if (!existsSync(pdf)) throw new StagecraftError('io', 'Chromium printed no PDF.', `Check that ${chromium} runs headless.`);
    return readFileSync(pdf);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The shell's own printer when it has one (Electron), headless Chromium otherwise. */
export async function htmlToPdf(ctx: Pick<ServiceContext, 'printToPdf'>, html: string): Promise<Buffer> {
  return ctx.printToPdf ? Buffer.from(await ctx.printToPdf(html)) : chromiumPdf(html);
}
