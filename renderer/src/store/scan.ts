import type { StateCreator } from 'zustand';
import type { EventPayload } from '../../../core/contract/index';
import { client } from '../api/client';
import type { AppState } from './index';
import { EarlyEvents } from './early-events';
import { heldJobEvents, type JobEvent } from './job-events';
import { task } from './task';

type ScanEvent = EventPayload<'scan.progress'>;
export type CredentialRequest = EventPayload<'credential.request'>;

export interface ScanHostState {
  id: number;
  name: string;
  phase: ScanEvent['phase'] | 'queued';
  failure?: ScanEvent['failure'];
  partial?: ScanEvent['partial'];
}

export interface ScanSlice {
  scanJob: JobEvent | null;
  scanHosts: ScanHostState[];
  scanOpen: boolean;
  credentialRequests: CredentialRequest[];
  startScan(target: { stageId?: number; serviceId?: number; hostIds?: number[] }, acceptNewHostKeys?: boolean): Promise<void>;
  cancelScan(): Promise<void>;
  /** After the user compared the fingerprint: trust the presented key and scan the host again. */
  trustAndRescan(hostId: number): Promise<void>;
  /** After the user verified a legitimate key change: forget the old key, then trust the new one. */
  replaceKeyAndRescan(hostId: number, address: string, port: number): Promise<void>;
  closeScan(): void;
  onScanEvent(event: ScanEvent): void;
  /** Takes the event when it is of the scan shown; false when it is not. */
  onJobEvent(event: JobEvent): boolean;
  onCredentialRequest(request: CredentialRequest): void;
  answerCredential(requestId: string, secret: string | null): Promise<void>;
}

/** scan.progress of a scan whose start has not answered yet (its job.progress waits in heldJobEvents). */
const early = new EarlyEvents<ScanEvent>();

/** What a workspace starts with: no scan shown, no password asked. */
export const scanAtOpen: Pick<ScanSlice, 'scanJob' | 'scanHosts' | 'scanOpen' | 'credentialRequests'> = { scanJob: null, scanHosts: [], scanOpen: false, credentialRequests: [] };

export const scanSlice: StateCreator<AppState, [], [], ScanSlice> = (set, get) => ({
  ...scanAtOpen,
  startScan: async (target, acceptNewHostKeys = false) => {
    await task(set, 'Starting the scan', async () => {
      const started = await client.call('scan.start', { ...target, acceptNewHostKeys });
      set({
        scanOpen: true,
        scanJob: { jobId: started.jobId, title: `Scanning ${started.hosts.length} hosts`, done: 0, total: started.hosts.length, message: 'started', state: 'running' },
        scanHosts: started.hosts.map((h) => ({ id: h.id, name: h.name, phase: 'queued' })),
      });
      early.take(started.jobId).forEach(get().onScanEvent);
      heldJobEvents.take(started.jobId).forEach(get().onJobEvent);
    });
  },
  cancelScan: async () => {
    const job = get().scanJob;
    if (job?.state === 'running') await task(set, 'Cancelling', async () => void (await client.call('job.cancel', { jobId: job.jobId })));
  },
  trustAndRescan: (hostId) => get().startScan({ hostIds: [hostId] }, true),
  replaceKeyAndRescan: async (hostId, address, port) => {
    if (await task(set, 'Forgetting the old host key', async () => void (await client.call('hostKeys.forget', { host: address, port })))) await get().startScan({ hostIds: [hostId] }, true);
  },
  closeScan: () => set({ scanOpen: false }),
  onScanEvent: (event) => {
    if (event.jobId !== get().scanJob?.jobId) return early.hold(event);
    set({
      scanHosts: get().scanHosts.map((h) => (h.id === event.hostId ? { ...h, phase: event.phase, ...(event.failure && { failure: event.failure }), ...(event.partial && { partial: event.partial }) } : h)),
    });
  },
  onJobEvent: (event) => {
    if (event.jobId !== get().scanJob?.jobId) return false;
    set({ scanJob: event });
    return true;
  },
  onCredentialRequest: (request) => set({ credentialRequests: [...get().credentialRequests, request] }),
  answerCredential: async (requestId, secret) => {
    set({ credentialRequests: get().credentialRequests.filter((r) => r.requestId !== requestId) });
    await task(set, 'Answering', async () => void (await client.call('credential.answer', { requestId, secret })));
  },
});
