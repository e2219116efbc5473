import type { StateCreator } from 'zustand';
import type { CallInput, CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import type { AppState } from './index';
import { attempt, task } from './task';

export type Person = CallOutput<'people.list'>[number];
export type ChangeListItem = CallOutput<'changes.list'>[number];
export type ChangeDetailView = CallOutput<'changes.get'>;
export type ChangeAction = CallInput<'changes.transition'>['action'];
export type ChangeEdit = CallInput<'changes.update'>['edit'];
export type WindowInput = NonNullable<CallInput<'changes.transition'>['window']>;
export type CalendarEntry = CallOutput<'calendar.events'>[number];
export type ChangeFilter = CallInput<'changes.list'>;

export interface ChangesSlice {
  /** Who is using the app in this workspace; `peopleLoaded` false until asked. */
  currentPerson: Person | null;
  people: Person[];
  peopleLoaded: boolean;
  changeFilter: ChangeFilter;
  changes: ChangeListItem[];
  selectedChangeId: number | null;
  changeDetail: ChangeDetailView | null;
  changesMode: 'list' | 'calendar';
  calendarEvents: CalendarEntry[];
  loadPeople(): Promise<void>;
  choosePerson(personId: number): Promise<boolean>;
  addPerson(name: string, roles: Person['roles']): Promise<boolean>;
  setChangeFilter(filter: ChangeFilter): Promise<void>;
  loadChanges(): Promise<void>;
  /** The list and the open change again, after something they depend on changed (workspace.changed). */
  reloadChanges(): Promise<void>;
  openChange(changeId: number | null): Promise<void>;
  setChangesMode(mode: 'list' | 'calendar'): void;
  /** Takes a workflow action as the current person; a refusal lands in the banner with the domain's reason. */
  moveChange(action: ChangeAction, extra?: { reason?: string; window?: WindowInput }): Promise<boolean>;
  editChange(edit: ChangeEdit): Promise<boolean>;
  replanChange(): Promise<boolean>;
  loadCalendar(from: string, to: string): Promise<void>;
}

/** What a workspace starts with: nobody chosen yet, no filter, no change open. */
export const changesAtOpen: Pick<ChangesSlice, 'currentPerson' | 'people' | 'peopleLoaded' | 'changeFilter' | 'changes' | 'selectedChangeId' | 'changeDetail' | 'calendarEvents'> = {
  currentPerson: null,
  people: [],
  peopleLoaded: false,
  changeFilter: {},
  changes: [],
  selectedChangeId: null,
  changeDetail: null,
  calendarEvents: [],
};

export const changesSlice: StateCreator<AppState, [], [], ChangesSlice> = (set, get) => {
  /** Acts on the open change; the list and the change are read again on the workspace.changed the action emits (reloadChanges). */
  const withSelected = async (label: string, work: (changeId: number) => Promise<unknown>) => {
    const changeId = get().selectedChangeId;
    if (changeId === null) return false;
    return task(set, label, async () => void (await work(changeId)));
  };
  return {
    ...changesAtOpen,
    changesMode: 'list',
    loadPeople: async () => {
      await attempt(set, async () => {
        const { person, people } = await client.call('people.current', {});
        set({ currentPerson: person, people, peopleLoaded: true });
      });
    },
    choosePerson: async (personId) =>
      task(set, 'Choosing who you are', async () => {
        const person = await client.call('people.setCurrent', { personId });
        set({ currentPerson: person, people: (await client.call('people.list', {})).map((p) => (p.id === person.id ? person : p)) });
        // What this person may do differs: the open change (its actions) is read again on the workspace.changed setCurrent emits.
      }),
    addPerson: async (name, roles) =>
      task(set, 'Adding a person', async () => {
        const person = await client.call('people.add', { name, roles });
        set({ people: [...get().people, person] });
      }),
    setChangeFilter: async (changeFilter) => {
      set({ changeFilter });
      await get().loadChanges();
    },
    loadChanges: async () => {
      await attempt(set, async () => set({ changes: await client.call('changes.list', get().changeFilter) }));
    },
    reloadChanges: async () => {
      await get().loadChanges();
      const changeId = get().selectedChangeId;
      if (changeId !== null) await attempt(set, async () => set({ changeDetail: await client.call('changes.get', { changeId }) }));
    },
    openChange: async (changeId) => {
      set({ selectedChangeId: changeId, changeDetail: null });
      if (changeId !== null) await task(set, 'Loading the change', async () => set({ changeDetail: await client.call('changes.get', { changeId }) }));
    },
    setChangesMode: (changesMode) => set({ changesMode }),
    moveChange: async (action, extra = {}) => withSelected(`${action} change`, (changeId) => client.call('changes.transition', { changeId, action, ...extra })),
    editChange: async (edit) => withSelected('Saving the change', (changeId) => client.call('changes.update', { changeId, edit })),
    replanChange: async () => withSelected('Re-planning the change', (changeId) => client.call('changes.replan', { changeId })),
    loadCalendar: async (from, to) => {
      await attempt(set, async () => set({ calendarEvents: await client.call('calendar.events', { from, to }) }));
    },
  };
};
