import type { z } from 'zod';
import { applyCalls } from './apply';
import { assetCalls } from './assets';
import { changeCalls } from './changes';
import { driftCalls, watchCalls } from './drift';
import { hypervisorCalls } from './hypervisors';
import { imageCalls } from './images';
import { importCalls } from './imports';
import { inventoryCalls } from './inventory';
import { promotionCalls } from './promotion';
import { reportCalls } from './reports';
import { scanCalls } from './scan';
import { workspaceCalls } from './workspace';

/** Every call the renderer may make, by name: the single source of channels, schemas and types. */
export const contract = {
  ...workspaceCalls,
  ...inventoryCalls,
  ...driftCalls,
  ...watchCalls,
  ...imageCalls,
  ...scanCalls,
  ...promotionCalls,
  ...changeCalls,
  ...importCalls,
  ...reportCalls,
  ...hypervisorCalls,
  ...assetCalls,
  ...applyCalls,
};

export type Contract = typeof contract;
export type CallName = keyof Contract;
export type CallInput<N extends CallName> = z.input<Contract[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Contract[N]['output']>;
export const callNames = Object.keys(contract) as CallName[];
export const isCallName = (name: string): name is CallName => Object.hasOwn(contract, name);

export * from './events';
export * from './result';
