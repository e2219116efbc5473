import { useEffect, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { PERSON_ROLES, type PersonRole } from '../../../core/domain/change-workflow';
import { useApp } from '../store/index';
import type { Person } from '../store/changes';
import { Dialog } from './Dialog';
import './changes.css';

export const ROLE_LABEL: Record<PersonRole, string> = { requester: 'requester', approver: 'approver', cab: 'CAB member', 'release-manager': 'release manager' };
export const rolesText = (roles: readonly PersonRole[]) => roles.map((r) => ROLE_LABEL[r]).join(', ');

/**
 * Who is using the app, atop the sidebar with a way to switch; remembered on this computer (people.setCurrent).
 * With nobody chosen it asks at once, and the chooser opens by itself on entering change
 * control: not over the other views, which a modal would make inert while the user works there.
 */
export function CurrentPerson() {
  const person = useApp((s) => s.currentPerson);
  const loaded = useApp((s) => s.peopleLoaded);
  const inChangeControl = useApp((s) => s.view === 'changes');
  const [choosing, setChoosing] = useState(false);

  useEffect(() => setChoosing(loaded && person === null && inChangeControl), [loaded, person, inChangeControl]);

  return (
    <>
      <button type="button" className={`current-person${loaded && !person ? ' primary' : ''}`} onClick={() => setChoosing(true)} title="Choose who is using the app (remembered on this computer)">
        {person ? (
          <>
            <span className="muted">Acting as</span> <strong>{person.name}</strong>
          </>
        ) : (
          'Who are you? Choose…'
        )}
      </button>
      {/* Outside the sidebar, whose list and button styles are not the dialog's. */}
      {choosing && createPortal(<PersonChooserDialog onClose={() => setChoosing(false)} />, document.body)}
    </>
  );
}

function PersonChooserDialog({ onClose }: { onClose: () => void }) {
  const people = useApp((s) => s.people);
  const current = useApp((s) => s.currentPerson);
  const choosePerson = useApp((s) => s.choosePerson);
  const choose = async (person: Person) => void ((await choosePerson(person.id)) && onClose());
  return (
    <Dialog title="Who is using Stagecraft?" onClose={onClose}>
      <div className="person-chooser">
        <p className="muted">Changes, approvals and the audit log name the person chosen here. It is remembered on this computer, not in the workspace.</p>
        <ul aria-label="People of this workspace">
          {people.map((person) => (
            <li key={person.id}>
              <button type="button" aria-pressed={current?.id === person.id} onClick={() => void choose(person)} aria-label={`${person.name}: ${rolesText(person.roles)}`}>
                <strong>{person.name}</strong>
                <span className="muted">{rolesText(person.roles)}</span>
                <span className="muted small">{person.canSignHere ? 'signs on this computer' : person.publicKeyPem ? 'key on another computer: a new one is made here' : 'no key yet: one is made here'}</span>
              </button>
            </li>
          ))}
        </ul>
        {people.length === 0 && <p>Nobody yet: add yourself below. The first person gets every role.</p>}
        <AddPersonForm />
      </div>
    </Dialog>
  );
}

function AddPersonForm() {
  const addPerson = useApp((s) => s.addPerson);
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<PersonRole[]>(['requester']);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await addPerson(name.trim(), roles)) setName('');
  };
  return (
    <form className="add-person" aria-label="Add a person" onSubmit={(e) => void submit(e)}>
      <h3>Add yourself or a colleague</h3>
      <p className="muted small">Only a release manager may add people (or anyone, to a workspace without people).</p>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
      </label>
      <fieldset>
        <legend>Roles</legend>
        {PERSON_ROLES.map((role) => (
          <label key={role} className="inline">
            <input type="checkbox" checked={roles.includes(role)} onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))} /> {ROLE_LABEL[role]}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={roles.length === 0 || name.trim() === ''}>
        Add
      </button>
    </form>
  );
}
