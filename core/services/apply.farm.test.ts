/**
 * Applying changes to real hosts: disposable farm scratch hosts (scripts/farm/farm.sh scratch N,
 * reset from the base for each test; hosts 1–20 are never touched), with the fixture package's
 * two versions in a local apt repository. Needs root (containers, nftables) and the farm's base.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { libvirtdMissing } from '../connectors/libvirt/test-support';
import { nftUnavailable, portDropper } from '../connectors/ssh/test-support/nft';
import { sysctlFile } from '../domain/apply-plan';
import { driftAgainstImage } from '../domain/drift';
import type { Snapshot } from '../domain/facts';
import type { WorkspaceStore } from '../store/workspace-store';
import { applyChange, applyStatus, dryRunApply, factDifferences, resumeApply, startApply, type ApplyProgress } from './apply';
import { transitionChange } from './change-control';
import { driftServiceFor } from './drift-service';
import { addHypervisor, refreshInventory } from './hypervisors';
import { KeyRing } from './signing';
import { SHARED_LIBVIRT_DIR, TestLibvirtd } from './test-support/test-libvirtd';
import { scratch, scratchUnavailable, scratchWithOwnNetwork } from '../connectors/ssh/test-support/farm';
import { FIXTURE_CONF, FIXTURE_STATE, HOSTILE_DIR, onHost, v2Edits, workbench as benchIn } from './test-support/apply-bench';

const TABLE = `stagecraft_apply_${process.pid}`;
const DROP_IN = '/etc/systemd/system/stagecraft-fixture.service.d/override.conf';
const SETTLE = 'remove configuration-file copies this apply left; put back those there before';
const HOSTILE_FILE = `${HOSTILE_DIR}/it's "x"; touch pwned-a $(touch pwned-b) \`touch pwned-c\` > pwned-d.conf`;

const reason = scratchUnavailable() ?? nftUnavailable();
if (reason) console.log(`apply on the farm: skipped, ${reason}`);
const { drop: dropPort, remove: removeTable } = portDropper(TABLE);

let dir: string;
let keys: KeyRing;
const figures: string[] = [];

beforeAll(() => {
  if (reason) return;
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-apply-'));
  keys = new KeyRing(dir);
});
afterEach(removeTable);
afterAll(() => {
  removeTable();
  if (figures.length > 0) console.log(`apply figures:\n  ${figures.join('\n  ')}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const latest = (store: WorkspaceStore, hostId: number): Snapshot => store.snapshots.load(store.snapshots.latestByHost(undefined, [hostId]).get(hostId)!.id);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const hostDuration = (h: { startedAt: string | null; endedAt: string | null }) => Date.parse(h.endedAt!) - Date.parse(h.startedAt!);

describe.skipIf(reason !== null)('apply on the farm (scratch hosts)', () => {
  it('upgrades the fixture package, rewrites its config and restarts its service on three hosts: zero drift after, change implemented', async () => {
    scratch(41, 42, 43);
    const bench = await benchIn(dir, keys, 'happy', [41, 42, 43], v2Edits('# tuned by change\nmode = tuned\nworkers = 8\n'), { 43: 'root' });
    const dry = dryRunApply(bench.store, bench.changeId, bench.options());
    expect(dry.allowed).toBe(true);
    expect(dry.hosts.map((h) => h.host)).toEqual(['scratch41', 'scratch42', 'scratch43']);
    const first = dry.hosts[0]!;
    expect(first.safeguard.kind).toBe('host-backup');
    expect(first.commands.map((c) => c.label)).toEqual([
      'record package versions',
      `back up ${FIXTURE_CONF}`,
      'record configuration-file copies there before',
      'upgrade package stagecraft-fixture 1.0-1 → 2.0-1',
      SETTLE,
      `write file ${FIXTURE_CONF}`,
      'reload systemd units',
      `restart service stagecraft-fixture.service (${FIXTURE_CONF} changed)`,
    ]);
    expect(first.commands[3]!.command).toMatch(/^'sudo' '-n' '--' 'env' 'DEBIAN_FRONTEND=noninteractive' 'apt-get' .* 'install' 'stagecraft-fixture=2\.0-1'$/);
    expect(dry.hosts[2]!.commands[3]!.command).toMatch(/^'env' /); // root: no sudo
    expect(first.files[0]!.diff?.identical).toBe(false);

    const events: ApplyProgress[] = [];
    const outcome = await applyChange(bench.store, bench.changeId, bench.options({ concurrency: 2, onProgress: (e) => events.push(e) }));
    expect(outcome.hosts.map((h) => [h.hostName, h.state, h.message])).toEqual(bench.hosts.map((h) => [h.name, 'done', 'done: zero drift against the image']));
    expect(outcome.run.state).toBe('succeeded');
    expect(outcome.changeState).toBe('implemented');
    const image = bench.store.images.content(bench.imageId);
    const options = driftServiceFor(bench.store).options('fixture-svc');
    for (const host of bench.hosts) {
      expect(driftAgainstImage(image, 'app', latest(bench.store, host.id), options).items).toEqual([]);
      expect(onHost(Number(host.name.slice(-2)), FIXTURE_STATE)).toBe(
        '2.0-1\nactive\n# tuned by change\nmode = tuned\nworkers = 8\n',
      );
    }
    expect(events.some((e) => e.command?.label.startsWith('upgrade package') && e.command.status === 'ok')).toBe(true);
    const audit = bench.store.audit.entries(500).map((e: { action: string }) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['apply.start', 'apply.host', 'apply.command', 'apply.succeeded', 'change.implement']));
    expect(bench.store.audit.verify()).toMatchObject({ ok: true });
    figures.push(`apply, 3 hosts at concurrency 2: ${outcome.hosts.map((h) => `${h.hostName} ${seconds(hostDuration(h))}`).join(', ')}`);
    bench.store.close();
  }, 240_000);

  it('a package version that does not exist: the canary is rolled back to its exact previous facts, the other host is never touched, the change is rolled back', async () => {
    scratch(44, 45);
    const bench = await benchIn(dir, keys, 'bad-version', [44, 45], (role) => [
      { kind: 'set-file', role, path: FIXTURE_CONF, content: 'mode = never\n', mode: '0644', owner: 'root', group: 'root' },
      { kind: 'set-package', role, name: 'stagecraft-fixture', version: '9.9-1', manager: 'dpkg', arch: 'all' },
    ]);
    const before = new Map(bench.hosts.map((h) => [h.id, latest(bench.store, h.id)]));
    const outcome = await applyChange(bench.store, bench.changeId, bench.options({ canary: 'scratch45' }));
    const [canary, other] = outcome.hosts;
    expect(canary).toMatchObject({ hostName: 'scratch45', state: 'rolled-back' });
    expect(canary!.message).toMatch(/upgrade package stagecraft-fixture 1\.0-1 → 9\.9-1 failed \(exit 100\).*Version '9\.9-1' for 'stagecraft-fixture' was not found/);
    expect(canary!.message).toMatch(/rescan: back to its previous facts$/);
    expect(other).toMatchObject({ hostName: 'scratch44', state: 'pending' });
    expect(bench.store.apply.commands(other!.id)).toEqual([]);
    expect(outcome.run.state).toBe('rolled-back');
    expect(outcome.changeState).toBe('rolled-back');
    // The saved rescan is the host's exact previous facts; the untouched host still has its old snapshot.
    const host45 = bench.hosts.find((h) => h.name === 'scratch45')!;
    expect(factDifferences(before.get(host45.id)!, latest(bench.store, host45.id))).toEqual([]);
    const host44 = bench.hosts.find((h) => h.name === 'scratch44')!;
    expect(latest(bench.store, host44.id)).toEqual(before.get(host44.id));
    expect(onHost(45, FIXTURE_STATE)).toBe('1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n');
    figures.push(`rollback after a failed package step: scratch45 ${seconds(hostDuration(canary!))} in all`);
    bench.store.close();
  }, 240_000);

  it('a service that fails to start after the change: the host is rolled back (package, config, unit drop-in removed) to its exact previous facts', async () => {
    scratch(46);
    const bench = await benchIn(dir, keys, 
      'bad-service',
      [46],
      v2Edits('mode = broken\n', [
        { kind: 'set-file', role: 'app', path: DROP_IN, content: '[Service]\nType=exec\nExecStart=\nExecStart=/nonexistent/stagecraft-fixture\n', mode: '0644', owner: 'root', group: 'root' },
      ]),
    );
    const before = latest(bench.store, bench.hosts[0]!.id);
    const outcome = await applyChange(bench.store, bench.changeId, bench.options());
    const [host] = outcome.hosts;
    expect(host!.state).toBe('rolled-back');
    expect(host!.message).toMatch(/restart service stagecraft-fixture\.service .* failed \(exit 1\)/);
    expect(host!.message).toMatch(/rescan: back to its previous facts$/);
    expect(factDifferences(before, latest(bench.store, bench.hosts[0]!.id))).toEqual([]);
    const labels = bench.store.apply.commands(host!.id).filter((c) => c.phase === 'rollback').map((c) => c.label);
    expect(labels).toEqual([`restore ${FIXTURE_CONF}`, `restore ${DROP_IN}`, 'reinstall stagecraft-fixture 1.0-1', SETTLE, 'reload systemd units', 'restart service stagecraft-fixture.service']);
    expect(onHost(46, `${FIXTURE_STATE}; test -e '${DROP_IN}' && echo drop-in left || true`)).toBe('1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n');
    figures.push(`rollback after a failed service restart: scratch46 ${seconds(hostDuration(host!))} in all`);
    bench.store.close();
  }, 240_000);

  it("the link dies mid-apply (nftables drops the host's SSH port): the host is recorded in doubt, the next never started; resume completes both without running a finished step again", async () => {
    const env = scratch(47, 48);
    const bench = await benchIn(dir, keys, 'cut', [47, 48], v2Edits('mode = resumed\n'));
    let cut = false;
    const started = startApply(bench.store, bench.changeId, {
      ...bench.options(),
      onProgress: (e) => {
        if (!cut && e.host === 'scratch47' && e.command?.label === `write file ${FIXTURE_CONF}` && e.command.status === 'running') {
          cut = true;
          dropPort(env.portBase + 47);
        }
      },
    });
    const interrupted = await started.done;
    expect(interrupted.run.state).toBe('interrupted');
    expect(interrupted.changeState).toBe('scheduled');
    expect(interrupted.hosts.map((h) => [h.hostName, h.state, h.interruptedIn])).toEqual([
      ['scratch47', 'in-doubt', 'applying'],
      ['scratch48', 'pending', null],
    ]);
    const status = applyStatus(bench.store, bench.changeId);
    const commands47 = status.hosts[0]!.commands;
    expect(commands47.filter((c) => c.state === 'in-doubt').map((c) => c.label)).toEqual([`write file ${FIXTURE_CONF}`]);
    const upgradeRuns = () => bench.store.apply.commands(status.hosts[0]!.id).filter((c) => c.label.startsWith('upgrade package')).length;
    expect(upgradeRuns()).toBe(1);
    expect(() => startApply(bench.store, bench.changeId, bench.options())).toThrow(/did not finish/);

    removeTable();
    const resumed = await resumeApply(bench.store, bench.changeId, { ...bench.options(), mode: 'complete' }).done;
    expect(resumed.hosts.map((h) => [h.hostName, h.state])).toEqual([
      ['scratch47', 'done'],
      ['scratch48', 'done'],
    ]);
    expect(resumed.changeState).toBe('implemented');
    expect(upgradeRuns()).toBe(1); // finished before the cut: not run again
    expect(bench.store.apply.commands(status.hosts[0]!.id).filter((c) => c.label === `write file ${FIXTURE_CONF}`).map((c) => c.state)).toEqual(['in-doubt', 'ok']);
    expect(onHost(47, FIXTURE_STATE)).toBe('2.0-1\nactive\nmode = resumed\n');
    bench.store.close();
  }, 240_000);

  it('the link dies mid-apply; resume in roll-back mode puts the host in doubt back and leaves the untouched host alone', async () => {
    const env = scratch(49, 50);
    const bench = await benchIn(dir, keys, 'cut-back', [49, 50], v2Edits('mode = cut\n'));
    const before = latest(bench.store, bench.hosts[0]!.id);
    let cut = false;
    const interrupted = await applyChange(bench.store, bench.changeId, {
      ...bench.options(),
      onProgress: (e) => {
        if (!cut && e.host === 'scratch49' && e.command?.label === 'reload systemd units' && e.command.status === 'running') {
          cut = true;
          dropPort(env.portBase + 49);
        }
      },
    });
    expect(interrupted.hosts.map((h) => h.state)).toEqual(['in-doubt', 'pending']);
    removeTable();
    const rolledBack = await resumeApply(bench.store, bench.changeId, { ...bench.options(), mode: 'roll-back' }).done;
    expect(rolledBack.hosts.map((h) => [h.hostName, h.state])).toEqual([
      ['scratch49', 'rolled-back'],
      ['scratch50', 'pending'],
    ]);
    expect(rolledBack.changeState).toBe('rolled-back');
    expect(factDifferences(before, latest(bench.store, bench.hosts[0]!.id))).toEqual([]);
    expect(onHost(49, FIXTURE_STATE)).toBe('1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n');
    bench.store.close();
  }, 240_000);

  it('the link dies after the upgrade, while its step settles the conffile copies: resume runs only what did not finish, never the upgrade again', async () => {
    const env = scratch(51);
    const bench = await benchIn(dir, keys, 'cut-settle', [51], v2Edits('mode = settled\n'));
    let cut = false;
    const interrupted = await applyChange(bench.store, bench.changeId, {
      ...bench.options(),
      onProgress: (e) => {
        if (!cut && e.command?.label === SETTLE && e.command.status === 'running') {
          cut = true;
          dropPort(env.portBase + 51);
        }
      },
    });
    expect(interrupted.hosts.map((h) => [h.state, h.interruptedIn])).toEqual([['in-doubt', 'applying']]);
    removeTable();
    const resumed = await resumeApply(bench.store, bench.changeId, { ...bench.options(), mode: 'complete' }).done;
    expect(resumed.hosts.map((h) => h.state)).toEqual(['done']);
    const packageStep = bench.store.apply.commands(resumed.hosts[0]!.id).filter((c) => c.stepIndex === 0).map((c) => [c.label, c.state]);
    expect(packageStep).toEqual([
      ['record configuration-file copies there before', 'ok'],
      ['upgrade package stagecraft-fixture 1.0-1 → 2.0-1', 'ok'],
      [SETTLE, 'in-doubt'],
      [SETTLE, 'ok'],
    ]);
    expect(onHost(51, FIXTURE_STATE)).toBe('2.0-1\nactive\nmode = settled\n');
    bench.store.close();
  }, 240_000);

  it('a user abort rolls back the host being changed; the host not started stays untouched; the change is rolled back', async () => {
    scratch(56, 57);
    const bench = await benchIn(dir, keys, 'abort', [56, 57], v2Edits('mode = aborted\n'));
    const before = latest(bench.store, bench.hosts[0]!.id);
    const abort = new AbortController();
    const outcome = await applyChange(bench.store, bench.changeId, {
      ...bench.options(),
      signal: abort.signal,
      onProgress: (e) => {
        if (e.host === 'scratch56' && e.command?.label.startsWith('upgrade package') && e.command.status === 'ok') abort.abort();
      },
    });
    expect(outcome.hosts.map((h) => [h.hostName, h.state])).toEqual([
      ['scratch56', 'rolled-back'],
      ['scratch57', 'pending'],
    ]);
    expect(outcome.hosts[0]!.message).toMatch(/^rolled back \(aborted by the user\); rescan: back to its previous facts$/);
    expect(bench.store.apply.commands(outcome.hosts[1]!.id)).toEqual([]);
    expect(outcome.run.state).toBe('aborted');
    expect(outcome.changeState).toBe('rolled-back');
    expect(factDifferences(before, latest(bench.store, bench.hosts[0]!.id))).toEqual([]);
    expect(onHost(57, FIXTURE_STATE)).toBe('1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n');
    bench.store.close();
  }, 240_000);

  it('hostile values are data: a path with spaces, quotes, ; and $() is written as exactly that file; a hostile package name fails as a name', async () => {
    scratch(51);
    // Anything a pasted value would have run creates a pwned-* file somewhere (the commands' working directory is the home).
    const sentinel = "find / -xdev -name 'pwned-*' | wc -l";
    const bench = await benchIn(dir, keys, 'hostile', [51], (role) => [{ kind: 'set-file', role, path: HOSTILE_FILE, content: 'data $(not run)\n', mode: '0600', owner: 'root', group: 'root' }]);
    const outcome = await applyChange(bench.store, bench.changeId, bench.options());
    expect(outcome.hosts[0]).toMatchObject({ state: 'done' });
    expect(onHost(51, `ls -A '${HOSTILE_DIR}'`)).toBe(`${HOSTILE_FILE.slice(HOSTILE_DIR.length + 1)}\n`);
    expect(onHost(51, `stat -c '%a %U' "$(find '${HOSTILE_DIR}' -type f)"; cat "$(find '${HOSTILE_DIR}' -type f)"`)).toBe('600 root\ndata $(not run)\n');
    expect(onHost(51, sentinel).trim()).toBe('0');
    bench.store.close();

    const named = await benchIn(dir, keys, 'hostile-name', [51], (role) => [{ kind: 'set-package', role, name: "x'; touch /tmp/pwned-d; $(touch /tmp/pwned-e)", version: '1', manager: 'dpkg', arch: 'all' }]);
    const failed = await applyChange(named.store, named.changeId, named.options());
    expect([failed.hosts[0]!.state, failed.hosts[0]!.message]).toEqual(['rolled-back', expect.any(String)]);
    expect(failed.hosts[0]!.message).toMatch(/Unable to locate package|Invalid operation|not found/);
    expect(onHost(51, sentinel).trim()).toBe('0');
    named.store.close();
  }, 240_000);

  it('refuses a change that is not scheduled, saying why', async () => {
    scratch(52);
    const bench = await benchIn(dir, keys, 'refused', [52], v2Edits('mode = x\n'));
    transitionChange(bench.store, { changeId: bench.changeId, action: 'cancel', actorId: bench.rita.id, reason: 'not now' }, { keys });
    expect(() => startApply(bench.store, bench.changeId, bench.options())).toThrow(/cannot be applied now: A cancelled change cannot be implemented/);
    expect(bench.store.apply.runs(bench.changeId)).toEqual([]);
    bench.store.close();
  }, 120_000);

  it('a live sysctl in the host\'s own network namespace: a later failure puts back the live value the kernel had and removes its file; applied, it is set, persisted and verified; the machine\'s own value never moves', async () => {
    scratchWithOwnNetwork(52);
    const KEY = 'net.core.somaxconn';
    const machine = () => readFileSync('/proc/sys/net/core/somaxconn', 'utf8');
    const machineBefore = machine();
    const live = () => onHost(52, `cat /proc/sys/net/core/somaxconn; ls /etc/sysctl.d`);
    const liveBefore = live();
    expect(liveBefore).not.toMatch(/^2048\n/);
    const failing = await benchIn(dir, keys, 'sysctl-back', [52], (role) => [
      { kind: 'set-file', role, path: FIXTURE_CONF, content: 'mode = sysctl\n', mode: '0644', owner: 'root', group: 'root' },
      { kind: 'set-file', role, path: DROP_IN, content: '[Service]\nType=exec\nExecStart=\nExecStart=/nonexistent/stagecraft-fixture\n', mode: '0644', owner: 'root', group: 'root' },
      { kind: 'set-sysctl', role, key: KEY, value: '2048' },
    ], {}, undefined, ['packages', 'files', 'sysctl']);
    const before = latest(failing.store, failing.hosts[0]!.id);
    const back = (await applyChange(failing.store, failing.changeId, failing.options())).hosts[0]!;
    expect(back.state).toBe('rolled-back');
    expect(back.message).toMatch(/restart service stagecraft-fixture\.service .* failed \(exit 1\).*rescan: back to its previous facts$/);
    const commands = failing.store.apply.commands(back.id);
    // Really set live before the failure, not only persisted.
    expect(commands.find((c) => c.label === `set ${KEY} = 2048 now`)).toMatchObject({ state: 'ok', output: `${KEY} = 2048\n` });
    expect(commands.filter((c) => c.phase === 'rollback').map((c) => c.label)).toEqual([`restore ${FIXTURE_CONF}`, `restore ${DROP_IN}`, `restore ${sysctlFile(KEY)}`, `put back the live value of ${KEY}`, 'reload systemd units', 'restart service stagecraft-fixture.service']);
    expect(live()).toBe(liveBefore);
    expect(factDifferences(before, latest(failing.store, failing.hosts[0]!.id))).toEqual([]);
    failing.store.close();

    const applying = await benchIn(dir, keys, 'sysctl', [52], (role) => [{ kind: 'set-sysctl', role, key: KEY, value: '2048' }], {}, undefined, ['packages', 'files', 'sysctl']);
    const done = (await applyChange(applying.store, applying.changeId, applying.options())).hosts[0]!;
    expect([done.state, done.message]).toEqual(['done', 'done: zero drift against the image']);
    expect(latest(applying.store, applying.hosts[0]!.id).sysctl[KEY]).toBe('2048');
    expect(onHost(52, `cat /proc/sys/net/core/somaxconn '${sysctlFile(KEY)}'`)).toBe(`2048\n${KEY} = 2048\n`);
    expect(machine()).toBe(machineBefore);
    applying.store.close();
  }, 240_000);

  it('an upgrade over an admin-edited conffile: the .dpkg-dist it leaves is removed (recorded), the .dpkg-old there before (dpkg deletes it) is put back; rolled back, the copy there before is put back and every folder the apply made is gone', async () => {
    scratch(49, 50);
    const leftover = `${FIXTURE_CONF}.dpkg-dist`;
    const nested = '/etc/stagecraft-fixture/conf.d/local/extra.conf';
    onHost(50, `printf '# local edit\\nmode = local\\n' >${FIXTURE_CONF}; printf 'admin copy\\n' >${FIXTURE_CONF}.dpkg-old`);
    onHost(49, `printf '# local edit\\nmode = local\\n' >${FIXTURE_CONF}; printf 'stale maintainer copy\\n' >${leftover}`);
    // Every path under /etc with its type, mode and owner, and the fixture's files' content.
    const listing = (n: number) => onHost(n, "find /etc -xdev -printf '%p %M %u:%g\\n' | sort; cat /etc/stagecraft-fixture/*");

    const cleaned = await benchIn(dir, keys, 'leftovers', [50], v2Edits('mode = merged\n'));
    const done = (await applyChange(cleaned.store, cleaned.changeId, cleaned.options())).hosts[0]!;
    expect([done.state, done.message]).toEqual(['done', 'done: zero drift against the image']);
    // dpkg deleted the .dpkg-old there before: it is put back.
    const settled = cleaned.store.apply.commands(done.id).filter((c) => c.label === SETTLE);
    expect(settled.map((c) => [c.phase, c.output])).toEqual([['step', `removed ${leftover} (left by this apply)\nput back ${FIXTURE_CONF}.dpkg-old\n`]]);
    expect(onHost(50, `ls /etc/stagecraft-fixture; cat ${FIXTURE_CONF}.dpkg-old`)).toBe('fixture.conf\nfixture.conf.dpkg-old\nadmin copy\n');
    cleaned.store.close();

    const before = listing(49);
    const failing = await benchIn(dir, keys, 'leftovers-back', [49], v2Edits('mode = merged\n', [
      { kind: 'set-file', role: 'app', path: nested, content: 'workers = 3\n', mode: '0644', owner: 'root', group: 'root' },
      { kind: 'set-file', role: 'app', path: DROP_IN, content: '[Service]\nType=exec\nExecStart=\nExecStart=/nonexistent/stagecraft-fixture\n', mode: '0644', owner: 'root', group: 'root' },
    ]));
    const snapshotBefore = latest(failing.store, failing.hosts[0]!.id);
    const back = (await applyChange(failing.store, failing.changeId, failing.options())).hosts[0]!;
    expect(back.state).toBe('rolled-back');
    expect(back.message).toMatch(/rescan: back to its previous facts$/);
    const outputs = new Map(failing.store.apply.commands(back.id).map((c) => [c.label, c.output]));
    // The upgrade and the downgrade back both wrote over the copy that was there: never removed, put back each time.
    expect(failing.store.apply.commands(back.id).filter((c) => c.label === SETTLE).map((c) => [c.phase, c.output])).toEqual([
      ['step', `put back ${leftover}\n`],
      ['rollback', `put back ${leftover}\n`],
    ]);
    expect(outputs.get(`restore ${nested}`)).toBe('removed /etc/stagecraft-fixture/conf.d/local (made by this apply)\nremoved /etc/stagecraft-fixture/conf.d (made by this apply)\n');
    expect(outputs.get(`restore ${DROP_IN}`)).toBe('removed /etc/systemd/system/stagecraft-fixture.service.d (made by this apply)\n');
    expect(factDifferences(snapshotBefore, latest(failing.store, failing.hosts[0]!.id))).toEqual([]);
    expect(listing(49)).toBe(before);
    failing.store.close();
  }, 300_000);
});

const libvirtReason = reason ?? libvirtdMissing();
const VM = `apply-test-${process.pid}`;
const POOL = `apply-test-${process.pid}`;
const daemon = new TestLibvirtd(SHARED_LIBVIRT_DIR);

describe.skipIf(libvirtReason !== null)('apply to a host that is a VM of a real libvirtd', () => {
  beforeAll(() => {
    daemon.up();
    daemon.definePool(POOL);
    daemon.defineTinyVm(POOL, VM);
  });
  afterAll(() => daemon.removeFixtures(POOL, [VM]));

  it('snapshots the VM before touching the host and reverts it when verification really fails (the service rewrites its config file when it starts)', async () => {
    scratch(53);
    // Every step succeeds; only the rescan sees the file the restarted service appended to.
    const rewriting = `[Service]\nExecStartPre=/bin/sh -c 'echo "# rewritten at start" >>${FIXTURE_CONF}'\n`;
    const bench = await benchIn(dir, keys, 'vm', [53], v2Edits('mode = vm\n', [{ kind: 'set-file', role: 'app', path: DROP_IN, content: rewriting, mode: '0644', owner: 'root', group: 'root' }]), {}, () => VM);
    const hypervisorId = addHypervisor(bench.store, 'tester', { name: 'test-libvirtd', uri: daemon.uri }).id;
    await refreshInventory(bench.store, hypervisorId);
    const dry = dryRunApply(bench.store, bench.changeId, bench.options());
    expect(dry.hosts[0]!.safeguard).toEqual({ kind: 'vm-snapshot', hypervisor: 'test-libvirtd', domain: VM });

    const outcome = await applyChange(bench.store, bench.changeId, bench.options());
    const [host] = outcome.hosts;
    expect(host).toMatchObject({ state: 'rolled-back', safeguard: 'vm-snapshot', vm: { hypervisorId, domain: VM } });
    expect(host!.message).toMatch(/verification failed: changed files \/etc\/stagecraft-fixture\/fixture\.conf /);
    const snapshot = host!.vm!.snapshot;
    expect(daemon.virsh('snapshot-list', '--name', VM).split('\n').filter(Boolean)).toEqual([snapshot]);
    expect(daemon.virsh('snapshot-current', '--name', VM).trim()).toBe(snapshot);
    // Taken before the first step, reverted after the verification: both through the audited hypervisor service.
    const audit = bench.store.audit.entries(1000).reverse();
    const order = audit.map((e: { action: string }) => e.action).filter((a: string) => ['hypervisor.snapshot-create', 'apply.command', 'apply.rescan', 'hypervisor.snapshot-revert'].includes(a));
    expect(order[0]).toBe('hypervisor.snapshot-create');
    const revertAt = order.indexOf('hypervisor.snapshot-revert');
    expect(revertAt).toBeGreaterThan(order.lastIndexOf('apply.command'));
    expect(revertAt).toBeGreaterThan(order.indexOf('apply.rescan')); // after the verification's rescan
    expect(bench.store.apply.commands(host!.id).filter((c) => c.phase !== 'step')).toEqual([]); // no on-host backup or rollback: the VM is the safeguard
    expect(outcome.changeState).toBe('rolled-back');
    bench.store.close();
  }, 300_000);
});
