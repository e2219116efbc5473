// Reports to PDF with Electron's own Chromium: an invisible window that runs no script prints the page.
import { BrowserWindow } from 'electron';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function printToPdf(html: string): Promise<Uint8Array> {
  const folder = mkdtempSync(join(tmpdir(), 'stagecraft-print-'));
  const page = join(folder, 'report.html');
  writeFileSync(page, html);
  const window = new BrowserWindow({
    show: false,
    webPreferences: { offscreen: true, sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true, spellcheck: false },
  });
  try {
    await window.loadFile(page);
    // The page's own CSS sets A4, its margins and the page numbers.
    return await window.webContents.printToPDF({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: false });
  } finally {
    window.destroy();
    rmSync(folder, { recursive: true, force: true });
  }
}
