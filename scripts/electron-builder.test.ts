// electron-builder.yml is checked offline, by electron-builder's own loader and schema validator
// (app-builder-lib's getConfig + validateConfiguration: the same calls `electron-builder` makes
// before it downloads anything), plus the few facts the app relies on at run time.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

type Config = Record<string, unknown>;
interface PlatformConfig {
  target: unknown;
  category?: string;
  maintainer?: string;
  icon: string;
}
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig: (projectDir: string, configPath: string | null, configFromOptions: Config | null) => Promise<Config>;
  validateConfiguration: (config: Config, debugLogger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const validate = (config: Config) => validateConfiguration(config, new DebugLogger(false));
const load = () => getConfig(root, null, null);
const platform = (config: Config, name: 'linux' | 'win' | 'mac') => config[name] as PlatformConfig;
/** electron-builder normalises `files` to [{ filter: [...] }]; flatten both forms. */
const patterns = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).flatMap((item) => (typeof item === 'string' ? [item] : ((item as { filter?: string[] } | null)?.filter ?? [])));

describe('electron-builder.yml', () => {
  it('is found by electron-builder and satisfies its schema', async () => {
    const config = await load();
    expect(config['appId']).toBe('dev.stagecraft.app');
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('rejects an unknown key (the validator really runs)', async () => {
    const config = await load();
    await expect(validate({ ...config, bogusOption: true })).rejects.toThrow(/unknown property 'bogusOption'/);
    await expect(validate({ ...config, linux: { ...(config['linux'] as object), categroy: 'Development' } })).rejects.toThrow(/configuration\.linux/);
  });

  it('packages the built app and its main entry', async () => {
    const config = await load();
    const files = patterns(config['files']);
    expect(files).toContain('dist/**');
    expect(files).toContain('package.json');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(config['productName']).toBe('Stagecraft');
    expect(config['directories']).toMatchObject({ output: 'release' });
  });

  it('ships resources where electron/main.ts looks for them when packaged', async () => {
    const config = await load();
    const main = readFileSync(join(root, 'electron', 'main.ts'), 'utf8');
    expect(main).toMatch(/app\.isPackaged \? join\(process\.resourcesPath, 'resources'\)/);
    const extra = config['extraResources'] as Config[];
    const resources = extra.find((entry) => entry['from'] === 'resources');
    expect(resources?.['to']).toBe('resources');
    for (const dir of ['demo', 'collector']) {
      expect(patterns(resources?.['filter'])).toContain(`${dir}/**`);
      expect(existsSync(join(root, 'resources', dir))).toBe(true);
    }
  });

  it('unpacks better-sqlite3 from the asar and rebuilds native modules for Electron', async () => {
    const config = await load();
    expect(config['asarUnpack']).toContain('**/node_modules/better-sqlite3/**');
    expect(config['npmRebuild']).toBe(true);
  });

  it('flips the fuses that keep the packaged binary from running as Node', async () => {
    const config = await load();
    expect(config['electronFuses']).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
  });

  it('targets AppImage and deb, nsis, and dmg, with icons that exist', async () => {
    const config = await load();
    const [linux, win, mac] = [platform(config, 'linux'), platform(config, 'win'), platform(config, 'mac')];
    expect(linux.target).toEqual(['AppImage', 'deb']);
    expect(linux.category).toMatch(/^(Development|System)$/);
    expect(linux.maintainer).toMatch(/<.+@.+>/);
    expect(win.target).toEqual(['nsis']);
    expect(mac.target).toEqual(['dmg']);
    expect(mac.category).toBe('public.app-category.developer-tools');
    for (const icon of [win.icon, mac.icon, join(linux.icon, '256x256.png'), join(linux.icon, '512x512.png')]) {
      expect(existsSync(join(root, icon)), icon).toBe(true);
    }
    const png = readFileSync(join(root, 'resources/icons/512x512.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    const ico = readFileSync(join(root, win.icon));
    expect(ico.readUInt16LE(2)).toBe(1); // type 1 = icon
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(4); // several sizes
  });
});
