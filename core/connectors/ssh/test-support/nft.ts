/** nftables faults for tests (root): drop a loopback port's traffic in a table of the test's own, deleted after. */
import { execFileSync } from 'node:child_process';

const nft = (...args: string[]) => execFileSync('nft', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why nftables faults cannot run here, or null. */
export function nftUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (nftables rules need CAP_NET_ADMIN)';
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'nft is not installed (apt-get install nftables)';
  }
  return null;
}

export function portDropper(table: string): { drop: (port: number) => void; remove: () => void } {
  return {
    /** Drops every packet to or from 127.0.0.1:port (both directions: the session goes silent, not reset). */
    drop: (port) => {
      nft('add', 'table', 'inet', table);
      nft('add', 'chain', 'inet', table, 'output', '{ type filter hook output priority 0 ; policy accept ; }');
      nft('add', 'rule', 'inet', table, 'output', 'ip', 'daddr', '127.0.0.1', 'tcp', 'dport', String(port), 'drop');
      nft('add', 'rule', 'inet', table, 'output', 'ip', 'saddr', '127.0.0.1', 'tcp', 'sport', String(port), 'drop');
    },
    remove: () => {
      try {
        nft('delete', 'table', 'inet', table);
      } catch {
        // Not created by this test (or already gone).
      }
    },
  };
}
