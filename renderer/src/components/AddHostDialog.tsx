import { useState, type FormEvent } from 'react';
import { client } from '../api/client';
import { asWireError } from '../store/task';
import { Dialog } from './Dialog';

export function AddHostDialog({ stageId, roles, onClose }: { stageId: number; roles: string[]; onClose: () => void }) {
  const [form, setForm] = useState({ name: '', address: '', port: '22', sshUser: '', role: roles[0] ?? '' });
  const [problem, setProblem] = useState<string | null>(null);
  const field = (key: keyof typeof form) => ({ value: form[key], onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await client.call('hosts.add', { name: form.name, address: form.address || form.name, port: Number(form.port), sshUser: form.sshUser, stageId, role: form.role });
      onClose();
    } catch (error) {
      setProblem(asWireError(error).message);
    }
  };
  return (
    <Dialog title="Add a host" onClose={onClose}>
      <form className="form-grid" onSubmit={(e) => void submit(e)} aria-label="Add a host">
        {problem && <p className="note">{problem}</p>}
        <label>
          Name
          <input {...field('name')} required placeholder="pay-web-stg-03" />
        </label>
        <label>
          Address (DNS name or IP; the name if empty)
          <input {...field('address')} placeholder="pay-web-stg-03.example.com" />
        </label>
        <label>
          SSH port
          <input {...field('port')} type="number" min={1} max={65535} required />
        </label>
        <label>
          SSH user (your ~/.ssh/config decides if empty)
          <input {...field('sshUser')} placeholder="admin" />
        </label>
        <label>
          Role
          <select {...field('role')}>
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Add host
        </button>
      </form>
    </Dialog>
  );
}
