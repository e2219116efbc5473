/**
 * Cloning from a snapshot of a RUNNING VM, resuming a clone cut short, and clone/reclaim jobs with
 * their progress events, against a REAL libvirtd (qemu driver, TCG). This test starts its OWN
 * daemon with scripts/libvirt/up.sh in a private directory, because it stops that daemon half-way
 * through a clone; the shared daemon of other tests is never touched. Tiny 64 MiB VMs with qcow2
 * disks and user-mode NICs (no network). Skips, saying why, without root, libvirtd or qemu.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libvirtdMissing } from '../connectors/libvirt/test-support';
import type { EventName, EventPayload } from '../contract/index';
import { WorkspaceStore } from '../store/workspace-store';
import { createApp } from './app';
import { addPool } from './assets';
import { planClone, runClone, type CloneProgress } from './clone';
import { cloneStatus, planCloneResume, startCloneResume } from './clone-runs';
import { addHypervisor, executeHypervisorOperation, planHypervisorOperation } from './hypervisors';
import { TestLibvirtd } from './test-support/test-libvirtd';

const skipReason = libvirtdMissing();
if (skipReason) console.log(`SKIP clone from snapshots and resume on a real libvirtd: ${skipReason}`);

const daemon = new TestLibvirtd(`/tmp/sc-h3-${process.pid}`);
const DIR = daemon.dir;
const URI = daemon.uri;
const POOL = `h3-${process.pid}`;
const IMAGES = join(DIR, 'images', POOL);
const PROD = { app: `h3-${process.pid}-prod-app`, db: `h3-${process.pid}-prod-db` };
const RESOURCES = join(process.cwd(), 'resources');
const virsh = (...args: string[]) => daemon.virsh(...args);
const qemuIo = (...args: string[]) => execFileSync('qemu-io', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });

/** Whether the 64 KiB at offset 0 of a qcow2 file hold the byte `pattern` (read-only, shared: the image may be in use). */
function holds(file: string, pattern: number): boolean {
  try {
    const output = qemuIo('-r', '-U', '-f', 'qcow2', '-c', `read -P ${pattern} 0 64k`, file);
    return output.includes('read 65536/65536 bytes') && !output.includes('Pattern verification failed');
  } catch {
    return false;
  }
}

let store: WorkspaceStore;
let hypervisorId: number;
let serviceId: number;
const stages: Record<string, number> = {};
const timings: Record<string, number> = {};

describe.skipIf(skipReason !== null)('clone from snapshots, resume and progress on a real libvirtd', () => {
  beforeAll(() => {
    const t0 = performance.now();
    daemon.up();
    timings['up.sh'] = Math.round(performance.now() - t0);
    daemon.definePool(POOL);
    for (const name of Object.values(PROD)) daemon.defineTinyVm(POOL, name);
    store = WorkspaceStore.create(join(DIR, 'w.stagecraft'), 'clone tests');
    serviceId = store.inventory.createService({ name: 'pay', stages: ['integration', 'testing', 'staging', 'production'], roles: ['app', 'db'] });
    for (const stage of store.inventory.getService(serviceId).stages) stages[stage.name] = stage.id;
    for (const [role, name] of Object.entries(PROD)) store.inventory.placeHost(stages['production']!, store.inventory.addHost({ name, address: '127.0.0.1', vcpus: 1, memoryMb: 64, diskGb: 0 }), role);
    hypervisorId = addHypervisor(store, 'alice', { name: 'kvm-h3', uri: URI }).id;
    for (const stage of ['integration', 'testing', 'staging']) {
      addPool(store, 'alice', { name: `${stage}-kvm`, stageName: stage, kind: 'hypervisor', hypervisorId, libvirtPool: POOL, capacity: { vcpus: 8, memoryMb: 2048, diskGb: 10 }, rate: null });
    }
  }, 120_000);

  afterAll(() => {
    store?.close();
    if (!skipReason) {
      daemon.stop();
      rmSync(DIR, { recursive: true, force: true });
    }
    console.log(`clone from snapshots / resume on a real libvirtd, timings (ms): ${JSON.stringify(timings)}`);
  }, 60_000);

  it('clones running VMs from their snapshots (one by name, one the latest): the dry run lists every operation, the clones get new names and MACs and the snapshot’s disk, the sources keep running unchanged', async () => {
    const app = join(IMAGES, `${PROD.app}.qcow2`);
    // The app's disk holds 0xaa in its snapshot "golden" and 0xbb now; the db has one snapshot taken while it runs.
    qemuIo('-f', 'qcow2', '-c', 'write -P 0xaa 0 64k', app);
    virsh('snapshot-create-as', '--domain', PROD.app, '--name', 'golden', '--atomic');
    qemuIo('-f', 'qcow2', '-c', 'write -P 0xbb 0 64k', app);
    for (const name of Object.values(PROD)) virsh('start', '--domain', name);
    virsh('snapshot-create-as', '--domain', PROD.db, '--name', 'nightly', '--atomic');
    const before = Object.fromEntries(Object.values(PROD).map((name) => [name, { xml: virsh('dumpxml', '--inactive', '--domain', name), id: virsh('domid', '--domain', name).trim(), snapshots: virsh('snapshot-list', '--domain', name, '--name') }]));

    const request = { serviceId, toStageId: stages['integration']!, hypervisorId, from: { kind: 'production' as const } };
    // Without a snapshot, running sources block the clone, saying what to do.
    const blocked = await planClone(store, request);
    expect(blocked.blockers.join(' ')).toMatch(new RegExp(`${PROD.app} \\(role app\\) is running: a VM is cloned shut off or from one of its snapshots. Clone it from a snapshot`));
    const missing = await planClone(store, { ...request, snapshot: { kind: 'named', name: 'nope' } });
    expect(missing.blockers.join(' ')).toMatch(new RegExp(`${PROD.app} has no snapshot "nope"; it has "golden". \\(role app\\)`));

    const plan = await planClone(store, { ...request, snapshot: { kind: 'latest' }, snapshots: { app: { kind: 'named', name: 'golden' } } });
    expect(plan.blockers).toEqual([]);
    expect(plan.vms.map((vm) => [vm.role, vm.source, vm.snapshot?.name, vm.newName])).toEqual([
      ['app', PROD.app, 'golden', 'pay-app-integration-1'],
      ['db', PROD.db, 'nightly', 'pay-db-integration-1'],
    ]);
    const mac = (plan.vms[0]!.operation.op as { macs: string[] }).macs[0]!;
    expect(plan.vms[0]!.operation.commands).toEqual([
      `virsh -c '${URI}' vol-create-as --pool ${POOL} --name pay-app-integration-1.qcow2 --capacity 67108864 --format qcow2`,
      `qemu-img convert -U -n -l snapshot.name=golden -f qcow2 -O qcow2 ${app} ${IMAGES}/pay-app-integration-1.qcow2`,
      `virsh -c '${URI}' define --file /dev/stdin  < (document below)`,
    ]);
    expect(plan.vms[0]!.operation.description).toMatch(/as it was in snapshot "golden" \(.* itself is not stopped or changed\)/);
    expect(plan.vms[0]!.operation.warnings.join(' ')).toMatch(/as after a power cut/);
    expect(plan.vms[0]!.operation.documents[0]!.content).toContain(`<mac address='${mac}'/>`);

    const events: CloneProgress[] = [];
    const t0 = performance.now();
    const result = await runClone(store, 'alice', RESOURCES, { plan, confirmed: true, onProgress: (e) => events.push(e) });
    timings['clone 2 running VMs from snapshots'] = Math.round(performance.now() - t0);
    expect(result.failed).toEqual([]);
    expect(events.filter((e) => e.vm === 'pay-app-integration-1').map((e) => [e.step, e.state])).toEqual([
      ['cloning', 'running'],
      ['cloned', 'running'],
      ['registered', 'done'],
    ]);
    expect(virsh('domiflist', '--domain', 'pay-app-integration-1')).toContain(mac);
    expect(virsh('domuuid', '--domain', 'pay-app-integration-1')).not.toBe(virsh('domuuid', '--domain', PROD.app));
    // The clone has the snapshot's disk, not the source's current one.
    expect(holds(join(IMAGES, 'pay-app-integration-1.qcow2'), 0xaa)).toBe(true);
    expect(holds(join(IMAGES, 'pay-app-integration-1.qcow2'), 0xbb)).toBe(false);
    expect(holds(app, 0xbb)).toBe(true);
    // The sources still run, the same QEMU process, the same definition and snapshots.
    for (const name of Object.values(PROD)) {
      expect(virsh('domstate', '--domain', name).trim()).toBe('running');
      expect({ xml: virsh('dumpxml', '--inactive', '--domain', name), id: virsh('domid', '--domain', name).trim(), snapshots: virsh('snapshot-list', '--domain', name, '--name') }).toEqual(before[name]);
    }
    expect(store.inventory.environment(stages['integration']!).hosts.map((h) => [h.name, h.notes])).toEqual([
      ['pay-app-integration-1', expect.stringContaining(`Cloned from ${PROD.app} (snapshot golden)`)],
      ['pay-db-integration-1', expect.stringContaining(`Cloned from ${PROD.db} (snapshot nightly)`)],
    ]);
    // The clone boots on its own disk.
    virsh('start', '--domain', 'pay-app-integration-1');
    expect(virsh('domstate', '--domain', 'pay-app-integration-1').trim()).toBe('running');
    virsh('destroy', '--domain', 'pay-app-integration-1');
    for (const name of Object.values(PROD)) virsh('destroy', '--domain', name);

    // An external (disk-only) snapshot keeps the old state in a file the running VM now writes on top of: refused, saying which snapshots work.
    const external = `h3-${process.pid}-ext`;
    daemon.defineTinyVm(POOL, external);
    virsh('start', '--domain', external);
    virsh('snapshot-create-as', '--domain', external, '--name', 'outside', '--disk-only', '--atomic', '--diskspec', `vda,file=${join(DIR, `${external}-outside.qcow2`)}`);
    await expect(planHypervisorOperation(store, hypervisorId, { kind: 'clone', template: external, newName: `${external}-copy`, snapshot: 'outside' })).rejects.toMatchObject({
      kind: 'operation-failed',
      message: expect.stringMatching(new RegExp(`disk vda of ${external} is not in snapshot "outside" as an internal qcow2 snapshot`)),
    });
    virsh('destroy', '--domain', external);
  }, 180_000);

  it('a 2-VM clone whose daemon stops half-way says offline what is left; resumed, it clones only the missing VM, and adopts a VM the hypervisor has but the run never recorded', async () => {
    const request = { serviceId, toStageId: stages['testing']!, hypervisorId, from: { kind: 'production' as const } };
    const plan = await planClone(store, request);
    expect(plan.blockers).toEqual([]);
    const t0 = performance.now();
    const interrupted = await runClone(store, 'alice', RESOURCES, {
      plan,
      confirmed: true,
      onProgress: ({ vm, step }) => {
        if (vm === 'pay-db-testing-1' && step === 'cloning') daemon.stop();
      },
    });
    timings['clone until the daemon stopped'] = Math.round(performance.now() - t0);
    expect(interrupted.hosts.map((h) => h.name)).toEqual(['pay-app-testing-1']);
    expect(interrupted.failed).toEqual([{ name: 'pay-db-testing-1', error: expect.stringMatching(/connect|socket|reach/i) }]);

    // Offline, from the workspace alone: exactly the one VM and what it still needs.
    const status = cloneStatus(store, stages['testing']!);
    expect(status.run).toMatchObject({ id: interrupted.runId, state: 'failed', live: false, toStage: 'testing', hypervisorName: 'kvm-h3' });
    expect(status.vms.map((vm) => [vm.newName, vm.step])).toEqual([
      ['pay-app-testing-1', 'registered'],
      ['pay-db-testing-1', 'cloning'],
    ]);
    expect(status.left).toEqual([expect.stringMatching(new RegExp(`^pay-db-testing-1 \\(db, from ${PROD.db}\\): its clone was started; resume checks whether pay-db-testing-1 is on the hypervisor \\(then adopts it\\) or clones it, register — last error: `))]);
    // Without the daemon the resume cannot be planned, and says so; nothing is lost.
    await expect(planCloneResume(store, interrupted.runId)).rejects.toMatchObject({ kind: 'unreachable' });

    daemon.up();
    // A disk volume of the clone's name with no VM, as a copy cut short leaves it: that VM waits, with the exact command that clears the way.
    virsh('vol-create-as', '--pool', POOL, '--name', 'pay-db-testing-1.qcow2', '--capacity', '64M', '--format', 'qcow2');
    const leftover = await planCloneResume(store, interrupted.runId);
    const deleteCommand = `virsh -c '${URI}' vol-delete --pool ${POOL} --vol pay-db-testing-1.qcow2`;
    expect(leftover.vms.map((vm) => [vm.record.newName, vm.action])).toEqual([
      ['pay-app-testing-1', 'none'],
      ['pay-db-testing-1', 'blocked'],
    ]);
    expect(leftover.vms[1]!.note).toBe(`the interrupted copy left ${POOL}/pay-db-testing-1.qcow2 but no VM pay-db-testing-1: check and delete it (${deleteCommand}), then resume.`);
    expect(leftover.blockers).toEqual([`Nothing of clone run ${interrupted.runId} can go on now: pay-db-testing-1: ${leftover.vms[1]!.note}`]);
    await expect(startCloneResume(store, 'alice', RESOURCES, { plan: leftover, confirmed: true })).rejects.toThrow(/cannot be resumed: Nothing of clone run/);
    virsh('vol-delete', '--pool', POOL, '--vol', 'pay-db-testing-1.qcow2');
    const resume = await planCloneResume(store, interrupted.runId);
    expect(resume.blockers).toEqual([]);
    expect(resume.vms.map((vm) => [vm.record.newName, vm.action])).toEqual([
      ['pay-app-testing-1', 'none'],
      ['pay-db-testing-1', 'clone'],
    ]);
    const recordedMac = status.vms[1]!.macs[0]!;
    expect(resume.vms[1]!.operation!.documents[0]!.content).toContain(`<mac address='${recordedMac}'/>`);
    await expect(startCloneResume(store, 'alice', RESOURCES, { plan: resume, confirmed: false })).rejects.toThrow(/not confirmed/);
    // Confirmed twice at once (two windows), it runs once.
    const [first, second] = await Promise.allSettled([startCloneResume(store, 'alice', RESOURCES, { plan: resume, confirmed: true }), startCloneResume(store, 'alice', RESOURCES, { plan: resume, confirmed: true })]);
    expect(second).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(new RegExp(`Clone run ${interrupted.runId} is running now`)) } });
    const done = await (first as PromiseFulfilledResult<Awaited<ReturnType<typeof startCloneResume>>>).value.done;
    expect(done.failed).toEqual([]);
    expect(cloneStatus(store, stages['testing']!)).toMatchObject({ run: { state: 'done' }, left: [] });
    expect(store.inventory.environment(stages['testing']!).hosts.map((h) => h.name)).toEqual(['pay-app-testing-1', 'pay-db-testing-1']);
    expect(virsh('domiflist', '--domain', 'pay-db-testing-1')).toContain(recordedMac);
    // Each VM cloned once: two clone operations in the audit for this stage's run, no second app clone.
    const clones = store.audit.entries(200).filter((e) => e.action === 'hypervisor.clone' && /testing-1/.test(e.subject));
    expect(clones.map((e) => e.subject).sort()).toEqual([`hypervisor kvm-h3: ${PROD.app} → pay-app-testing-1`, `hypervisor kvm-h3: ${PROD.db} → pay-db-testing-1`]);
    await expect(planCloneResume(store, interrupted.runId)).resolves.toMatchObject({ blockers: [`Clone run ${interrupted.runId} has nothing left to do.`] });

    // The app dies after the hypervisor defined a clone but before the run recorded it: the run
    // still says "cloning". (Reproduced by running that VM's recorded operation outside the run.)
    const staging = await planClone(store, { ...request, toStageId: stages['staging']! });
    const cut = await runClone(store, 'alice', RESOURCES, {
      plan: staging,
      confirmed: true,
      onProgress: ({ vm, step }) => {
        if (vm === 'pay-db-staging-1' && step === 'cloning') throw new Error('the app stopped here');
      },
    }).catch((error: Error) => error);
    expect(cut).toMatchObject({ message: 'the app stopped here' });
    await executeHypervisorOperation(store, 'alice', hypervisorId, staging.vms[1]!.operation, { confirmed: true });
    const runId = cloneStatus(store, stages['staging']!).run!.id;
    expect(cloneStatus(store, stages['staging']!).vms.map((vm) => vm.step)).toEqual(['registered', 'cloning']);
    const adopt = await planCloneResume(store, runId);
    expect(adopt.vms.map((vm) => vm.action)).toEqual(['none', 'adopt']);
    expect(adopt.vms[1]!.note).toMatch(/is on the hypervisor with the recorded MAC\(s\) .*: its clone had run; adopted, not cloned again/);
    await (await startCloneResume(store, 'alice', RESOURCES, { plan: adopt, confirmed: true })).done;
    expect(cloneStatus(store, stages['staging']!)).toMatchObject({ run: { state: 'done' }, left: [] });
    expect(store.inventory.environment(stages['staging']!).hosts.map((h) => h.name)).toEqual(['pay-app-staging-1', 'pay-db-staging-1']);
    expect(store.audit.entries(200).filter((e) => e.action === 'hypervisor.clone' && e.subject.endsWith('pay-db-staging-1'))).toHaveLength(1);
    expect(store.audit.entries(200).map((e) => e.action)).toEqual(expect.arrayContaining(['clone.resume', 'clone.adopt']));
    expect(store.audit.verify().ok).toBe(true);
  }, 240_000);

  it('clone.run, clone.resume and reclaim.run run as jobs through the contract, pushing assets.progress per VM step; cancelled clone and reclaim jobs carry on', async () => {
    store.close();
    const app = createApp({ shell: 'cli', resourcesDir: RESOURCES, dataDir: join(DIR, 'data'), defaultWorkspaceDir: DIR, actor: () => 'carol' });
    const events: { name: EventName; payload: unknown }[] = [];
    app.onEvent((name, payload) => void events.push({ name, payload }));
    const call = async <T>(name: Parameters<typeof app.dispatch>[0], input: unknown): Promise<T> => {
      const result = await app.dispatch(name, input);
      if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.message}`), result.error);
      return result.value as T;
    };
    const jobEnd = (jobId: string) =>
      new Promise<EventPayload<'job.progress'>>((resolve) => {
        const check = () => {
          const end = events.filter((e) => e.name === 'job.progress').map((e) => e.payload as EventPayload<'job.progress'>).find((p) => p.jobId === jobId && p.state !== 'running');
          if (end) resolve(end);
          else setTimeout(check, 50);
        };
        check();
      });
    try {
      await call('workspace.open', { path: join(DIR, 'w.stagecraft') });
      // Archive the integration clones and rebuild the stage from the app's snapshot, as a job.
      const plan = await call<{ token: string; vms: { snapshot: { name: string } | null }[]; blockers: string[] }>('clone.plan', { serviceId, toStageId: stages['integration'], hypervisorId, replace: true, snapshot: { kind: 'named', name: 'golden' }, snapshots: { db: { kind: 'latest' } }, naming: { name: '{service}-{role}-{stage}-j{n}', address: '127.0.0.1' } });
      expect(plan.blockers).toEqual([]);
      expect(plan.vms.map((vm) => vm.snapshot?.name)).toEqual(['golden', 'nightly']);
      const started = await call<{ jobId: string; runId: number }>('clone.run', { token: plan.token, scan: false });
      expect(await jobEnd(started.jobId)).toMatchObject({ state: 'succeeded', done: 2, total: 2 });
      const progress = events.filter((e) => e.name === 'assets.progress').map((e) => e.payload as EventPayload<'assets.progress'>);
      expect(progress.filter((p) => p.jobId === started.jobId).map((p) => [p.kind, p.runId, p.vm, p.step, p.state])).toEqual([
        ['clone', started.runId, 'pay-app-integration-j1', 'cloning', 'running'],
        ['clone', started.runId, 'pay-app-integration-j1', 'cloned', 'running'],
        ['clone', started.runId, 'pay-app-integration-j1', 'registered', 'done'],
        ['clone', started.runId, 'pay-db-integration-j1', 'cloning', 'running'],
        ['clone', started.runId, 'pay-db-integration-j1', 'cloned', 'running'],
        ['clone', started.runId, 'pay-db-integration-j1', 'registered', 'done'],
      ]);
      expect(await call('clone.status', { stageId: stages['integration'], runId: started.runId })).toMatchObject({ run: { state: 'done', live: false }, vms: [{ snapshot: 'golden', step: 'registered' }, { snapshot: 'nightly', step: 'registered' }] });
      await expect(call('clone.run', { token: plan.token })).rejects.toMatchObject({ code: 'not-found' });
      await expect(call('clone.resumePlan', { runId: started.runId })).resolves.toMatchObject({ blockers: [`Clone run ${started.runId} has nothing left to do.`] });

      // A clone job cancelled while its first VM is copied stops before the second; clone.resume finishes it as a job.
      const second = await call<{ token: string }>('clone.plan', { serviceId, toStageId: stages['staging'], hypervisorId, replace: true, naming: { name: '{service}-{role}-{stage}-c{n}', address: '127.0.0.1' } });
      let cancel: Promise<unknown> | null = null;
      app.onEvent((name, payload) => {
        const p = payload as EventPayload<'assets.progress'>;
        if (name === 'assets.progress' && p.vm === 'pay-app-staging-c1' && p.step === 'cloning') cancel = call('job.cancel', { jobId: p.jobId });
      });
      const cancelled = await call<{ jobId: string; runId: number }>('clone.run', { token: second.token, scan: false });
      expect(await jobEnd(cancelled.jobId)).toMatchObject({ state: 'cancelled' });
      expect(await cancel).toEqual({ cancelled: true });
      const left = await call<{ run: { state: string }; vms: { step: string }[]; left: string[] }>('clone.status', { stageId: stages['staging'] });
      expect(left).toMatchObject({ run: { state: 'failed' }, vms: [{ step: 'registered' }, { step: 'planned' }], left: [expect.stringMatching(/^pay-db-staging-c1 \(db, from .*\): clone, register$/)] });
      const resumePlan = await call<{ token: string; vms: { action: string; operation: { commands: string[] } | null }[] }>('clone.resumePlan', { runId: cancelled.runId });
      expect(resumePlan.vms.map((vm) => vm.action)).toEqual(['none', 'clone']);
      expect(resumePlan.vms[1]!.operation!.commands[0]).toBe(`virsh -c '${URI}' vol-clone --pool ${POOL} --vol ${PROD.db}.qcow2 --newname pay-db-staging-c1.qcow2`);
      const resumed = await call<{ jobId: string; runId: number }>('clone.resume', { token: resumePlan.token });
      expect(resumed.runId).toBe(cancelled.runId);
      expect(await jobEnd(resumed.jobId)).toMatchObject({ state: 'succeeded', done: 1, total: 1 });
      expect(events.filter((e) => e.name === 'assets.progress').map((e) => e.payload as EventPayload<'assets.progress'>).filter((p) => p.jobId === resumed.jobId).map((p) => [p.vm, p.step])).toEqual([
        ['pay-db-staging-c1', 'cloning'],
        ['pay-db-staging-c1', 'cloned'],
        ['pay-db-staging-c1', 'registered'],
      ]);
      expect(await call('clone.status', { stageId: stages['staging'] })).toMatchObject({ run: { state: 'done' }, left: [] });

      // Reclaim the rebuilt stage's first phase as a job, cancelled after its first VM: the second stays pending, the next dry run carries on with it alone.
      await call('leases.set', { stageId: stages['integration'], owner: 'bob', expiresOn: '2026-01-31', timeZone: 'UTC', reason: 'tests' });
      const reclaimOptions = { stageId: stages['integration'], keep: 'snapshot', graceHours: 0, force: true };
      const reclaim = await call<{ token: string; vms: { domain: string }[] }>('reclaim.plan', reclaimOptions);
      expect(reclaim.vms.map((vm) => vm.domain)).toEqual(['pay-app-integration-j1', 'pay-db-integration-j1']);
      app.onEvent((name, payload) => {
        const p = payload as EventPayload<'assets.progress'>;
        if (name === 'assets.progress' && p.kind === 'reclaim' && p.vm === 'pay-app-integration-j1' && p.step === 'snapshotting') void call('job.cancel', { jobId: p.jobId });
      });
      const job = await call<{ jobId: string; runId: number }>('reclaim.run', { token: reclaim.token });
      expect(await jobEnd(job.jobId)).toMatchObject({ state: 'cancelled', done: 1, total: 2 });
      const steps = events.filter((e) => e.name === 'assets.progress').map((e) => e.payload as EventPayload<'assets.progress'>).filter((p) => p.jobId === job.jobId);
      expect(steps.map((p) => [p.kind, p.runId, p.vm, p.step, p.state])).toEqual([
        ['reclaim', job.runId, 'pay-app-integration-j1', 'snapshotting', 'running'],
        ['reclaim', job.runId, 'pay-app-integration-j1', 'kept', 'done'],
      ]);
      expect(await call('reclaim.status', { stageId: stages['integration'] })).toMatchObject({ run: { id: job.runId, state: 'powering-off' }, vms: [{ step: 'kept' }, { step: 'pending' }] });
      const rest = await call<{ token: string; vms: { domain: string; operations: unknown[] }[] }>('reclaim.plan', reclaimOptions);
      expect(rest.vms.map((vm) => [vm.domain, vm.operations.length])).toEqual([
        ['pay-app-integration-j1', 0],
        ['pay-db-integration-j1', 1],
      ]);
      const finish = await call<{ jobId: string; runId: number }>('reclaim.run', { token: rest.token });
      expect(finish.runId).toBe(job.runId);
      expect(await jobEnd(finish.jobId)).toMatchObject({ state: 'succeeded' });
      expect(await call('reclaim.status', { stageId: stages['integration'] })).toMatchObject({ run: { id: job.runId, state: 'waiting' }, vms: [{ step: 'kept' }, { step: 'kept' }] });
    } finally {
      app.session.close();
      store = WorkspaceStore.open(join(DIR, 'w.stagecraft'));
    }
  }, 240_000);
});
