// electron/print.ts against a stand-in for Electron's BrowserWindow: the window it opens must run no
// script and show nothing, print A4 as the page's CSS says, and leave no window or file behind.
// The real printToPDF runs where an Electron binary is available (e2e/electron.spec.ts).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

const h = vi.hoisted(() => ({ windows: [] as { options: Record<string, unknown>; loaded: string | null; html: string | null; printed: unknown; destroyed: boolean }[], failLoad: false }));

vi.mock('electron', () => ({
  BrowserWindow: class {
    record: (typeof h.windows)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, loaded: null, html: null, printed: null, destroyed: false };
      h.windows.push(this.record);
    }
    async loadFile(path: string) {
      if (h.failLoad) throw new Error('ERR_FAILED');
      this.record.loaded = path;
      this.record.html = readFileSync(path, 'utf8');
    }
    webContents = {
      printToPDF: async (options: unknown) => {
        this.record.printed = options;
        return Buffer.from('%PDF-1.7 fake');
      },
    };
    destroy() {
      this.record.destroyed = true;
    }
  },
}));

const { printToPdf } = await import('./print');

describe('printing reports in the desktop app', () => {
  it('prints the page in a hidden window without scripts, A4 from the page CSS, and cleans up', async () => {
    const pdf = await printToPdf('<!DOCTYPE html><title>r</title><p>CAB</p>');
    expect(Buffer.from(pdf).toString()).toBe('%PDF-1.7 fake');
    const [window] = h.windows;
    expect(window!.options).toMatchObject({ show: false, webPreferences: { javascript: false, sandbox: true, nodeIntegration: false, contextIsolation: true } });
    expect(window!.html).toContain('<p>CAB</p>');
    expect(window!.printed).toEqual({ pageSize: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: false });
    expect(window!.destroyed).toBe(true);
    expect(existsSync(window!.loaded!)).toBe(false);
  });

  it('closes the window and removes the page when loading fails', async () => {
    h.failLoad = true;
    await expect(printToPdf('<p>x</p>')).rejects.toThrow('ERR_FAILED');
    expect(h.windows.at(-1)!.destroyed).toBe(true);
  });
});
