/**
 * `stagecraft clone --snapshot … / --resume …` against the shared REAL libvirtd of
 * scripts/libvirt/up.sh (never stopped here): a running tiny VM is cloned from its snapshot, the
 * command printing the dry run and then each VM step as the job goes. Fixtures are named h3-…
 * and removed afterwards. Skips, saying why, without root, libvirtd or qemu.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libvirtdMissing } from '../connectors/libvirt/test-support';
import { createCloneWorkspace, SHARED_LIBVIRT_DIR, TestLibvirtd } from '../services/test-support/test-libvirtd';
import { cliSession } from './test-support/cli-session';

const skipReason = libvirtdMissing();
if (skipReason) console.log(`SKIP stagecraft clone on a real libvirtd: ${skipReason}`);

const daemon = new TestLibvirtd(SHARED_LIBVIRT_DIR);
const POOL = `h3-cli-${process.pid}`;
const SOURCE = `h3-${process.pid}-web`;
const CLONE = 'shop-web-uat-1';
let dir: string;
let path: string;
const { run, lines } = cliSession();

describe.skipIf(skipReason !== null)('stagecraft clone on a real libvirtd', () => {
  beforeAll(() => {
    daemon.up();
    daemon.definePool(POOL);
    daemon.defineTinyVm(POOL, SOURCE);
    daemon.virsh('start', '--domain', SOURCE);
    daemon.virsh('snapshot-create-as', '--domain', SOURCE, '--name', 'release 2.4', '--atomic');
    dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-clone-'));
    process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data');
    path = join(dir, 'w.stagecraft');
    createCloneWorkspace(path, { name: 'shop', stages: ['uat', 'production'], production: { web: SOURCE } }, { name: 'kvm-shared', uri: daemon.uri });
  }, 120_000);

  afterAll(() => {
    if (!skipReason) daemon.removeFixtures(POOL, [CLONE, SOURCE]);
  }, 60_000);

  it('--snapshot clones the running VM from its snapshot, printing every operation, then each step; --resume says when nothing is left', async () => {
    expect((await run('clone', path, '--service', 'shop', '--to', 'uat', '--snapshot', 'latest', '--dry-run')).code).toBe(0);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  web: ${SOURCE} snapshot "release 2.4" of \\d{4}-\\d\\d-\\d\\dT\\S+ -> ${CLONE} \\(${CLONE}\\), 1 vCPU 64 MB 0 GB$`)));
    expect(lines).toContain(`    $ qemu-img convert -U -n -l 'snapshot.name=release 2.4' -f qcow2 -O qcow2 ${SHARED_LIBVIRT_DIR}/images/${POOL}/${SOURCE}.qcow2 ${SHARED_LIBVIRT_DIR}/images/${POOL}/${CLONE}.qcow2`);
    expect(daemon.virsh('list', '--all', '--name')).not.toContain(CLONE);

    expect((await run('clone', path, '--service', 'shop', '--to', 'uat', '--snapshot', 'release 2.4')).code).toBe(0);
    expect(lines.filter((l) => l.startsWith(`  ${CLONE}: `))).toEqual([
      expect.stringMatching(new RegExp(`^  ${CLONE}: cloning — Clone ${SOURCE} as it was in snapshot "release 2.4"`)),
      `  ${CLONE}: cloned — ${CLONE} defined on kvm-shared`,
      `  ${CLONE}: registered — ${CLONE} is a host of the stage (role web)`,
    ]);
    expect(lines.at(-1)).toMatch(/^Clone run \d+: done$/);
    expect(daemon.virsh('domstate', '--domain', SOURCE).trim()).toBe('running');
    expect(daemon.virsh('domstate', '--domain', CLONE).trim()).toBe('shut off');

    expect((await run('clone', path, '--service', 'shop', '--to', 'uat', '--resume', 'latest', '--dry-run')).code).toBe(3);
    expect(lines).toContain(`  ${CLONE} (web, registered): NONE — done`);
    expect(lines.at(-1)).toMatch(/^BLOCKED: Clone run \d+ has nothing left to do\.$/);
  }, 120_000);

  it('refuses a malformed --snapshot or --resume, saying how to write it', async () => {
    expect(await run('clone', path, '--service', 'shop', '--to', 'uat', '--snapshot', 'web=', '--dry-run')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--snapshot takes ROLE=NAME pairs/) });
    expect(await run('clone', path, '--service', 'shop', '--to', 'uat', '--resume', 'yesterday')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--resume takes the number of a clone run or latest, not "yesterday"/) });
  });
});
