/**
 * The hosts of an OpenSSH client configuration (~/.ssh/config): every `Host` alias without a
 * wildcard or negation, with the HostName, User and Port that apply to it (first value wins, as
 * in ssh). Reuses the ssh_config parser of core/domain/ssh-config.ts.
 */
import { parseSshConfig, resolveSshHost } from '../../domain/ssh-config';
import type { ImportedHost, ParsedImport } from './model';
import { emptyImport, isPlausibleHostName } from './model';

export function parseSshConfigHosts(text: string, file: string): ParsedImport {
  const config = parseSshConfig(text.replace(/^\uFEFF/, ''));
  const result = emptyImport('ssh-config', file);
  result.warnings.push(...config.warnings.map((w) => `${file} ${w}`));
  const seen = new Set<string>();
  for (const block of config.blocks) {
    if (block.patterns === null) continue;
    // The block's line: its first option's line, less one (the Host line), when it has options.
    const firstOption = block.options[0];
    for (const alias of block.patterns) {
      if (/[*?!]/.test(alias) || alias.toLowerCase() === 'all' || seen.has(alias.toLowerCase())) continue;
      if (!isPlausibleHostName(alias)) continue;
      seen.add(alias.toLowerCase());
      const settings = resolveSshHost({ blocks: config.blocks, warnings: [] }, alias);
      result.warnings.push(...settings.warnings.map((w) => `${file} ${w}`));
      if (settings.proxyJump.length > 0) {
        result.warnings.push(`${file}: host "${alias}" is reached through ProxyJump ${settings.proxyJump.map((h) => h.host).join(', ')}; the jump is read from the SSH configuration when the host is scanned, it is not stored.`);
      }
      const host: ImportedHost = {
        name: alias,
        ...(settings.hostName !== undefined && { address: settings.hostName.replace(/%(.)/g, (whole, token: string) => (token === 'h' ? alias : token === '%' ? '%' : whole)) }),
        ...(settings.port !== undefined && { port: settings.port }),
        ...(settings.user !== undefined && { user: settings.user }),
        groups: [],
        placements: [],
        vars: {},
        origin: { file, ...(firstOption && { line: Math.max(1, firstOption.line - 1) }) },
      };
      result.hosts.push(host);
    }
  }
  return result;
}
