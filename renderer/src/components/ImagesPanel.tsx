import { useState, type FormEvent } from 'react';
import { useApp, useSelectedService } from '../store/index';
import type { ImageEdit, ImageView } from '../store/types';
import { Dialog } from './Dialog';

type EditKind = ImageEdit['kind'];
const EDIT_KINDS: { kind: EditKind; label: string }[] = [
  { kind: 'set-package', label: 'Set a package version' },
  { kind: 'remove-package', label: 'Remove a package' },
  { kind: 'set-file', label: 'Set a file’s content' },
  { kind: 'remove-file', label: 'Remove a file' },
  { kind: 'set-service', label: 'Set a service’s state' },
  { kind: 'set-sysctl', label: 'Set a sysctl value' },
];

/** Derive a new image version from `image` with one edit: bump a package, change a file… */
function DeriveDialog({ image, onClose }: { image: ImageView; onClose: () => void }) {
  const deriveImage = useApp((s) => s.deriveImage);
  const [kind, setKind] = useState<EditKind>('set-package');
  const [role, setRole] = useState(image.roles[0]?.role ?? '');
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [label, setLabel] = useState('');

  const edit = (): ImageEdit => {
    switch (kind) {
      case 'set-package':
        return { kind, role, name, version: value };
      case 'remove-package':
        return { kind, role, name };
      case 'set-file':
        return { kind, role, path: name, content: value };
      case 'remove-file':
        return { kind, role, path: name };
      case 'set-service':
        return { kind, role, name, enabled: value === 'disabled' ? 'disabled' : 'enabled', active: value === 'disabled' ? 'inactive' : 'active' };
      case 'set-sysctl':
        return { kind, role, key: name, value };
      default:
        return { kind: 'remove-sysctl', role, key: name };
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await deriveImage(image.id, [edit()], label || undefined)) onClose();
  };
  const nameLabel = kind.endsWith('file') ? 'Path' : kind === 'set-sysctl' ? 'Key' : kind === 'set-service' ? 'Unit' : 'Package';
  return (
    <Dialog title={`Derive a new image from ${image.label}`} onClose={onClose}>
      <form className="form-grid" onSubmit={(e) => void submit(e)} aria-label="Derive image">
        <label>
          Change
          <select value={kind} onChange={(e) => setKind(e.target.value as EditKind)}>
            {EDIT_KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {image.roles.map((r) => (
              <option key={r.role}>{r.role}</option>
            ))}
          </select>
        </label>
        <label>
          {nameLabel}
          <input value={name} onChange={(e) => setName(e.target.value)} required placeholder={kind.endsWith('file') ? '/etc/nginx/nginx.conf' : kind === 'set-sysctl' ? 'net.core.somaxconn' : 'openssl'} />
        </label>
        {kind === 'set-file' && (
          <label>
            Content
            <textarea value={value} onChange={(e) => setValue(e.target.value)} rows={10} className="mono" />
          </label>
        )}
        {(kind === 'set-package' || kind === 'set-sysctl') && (
          <label>
            {kind === 'set-package' ? 'Version' : 'Value'}
            <input value={value} onChange={(e) => setValue(e.target.value)} required placeholder={kind === 'set-package' ? '3.0.17-1~deb12u2' : '4096'} />
          </label>
        )}
        {kind === 'set-service' && (
          <label>
            State
            <select value={value || 'enabled'} onChange={(e) => setValue(e.target.value)}>
              <option value="enabled">enabled and running</option>
              <option value="disabled">disabled and stopped</option>
            </select>
          </label>
        )}
        <label>
          New label
          <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="next version (v1, v2, …)" />
        </label>
        <button type="submit" className="primary">
          Derive image
        </button>
      </form>
    </Dialog>
  );
}

export function ImagesPanel() {
  const service = useSelectedService();
  const images = useApp((s) => (s.selectedServiceId === null ? undefined : s.images[s.selectedServiceId]));
  const selectedStageId = useApp((s) => s.selectedStageId);
  const { captureImage, assignImage } = useApp.getState();
  const [deriving, setDeriving] = useState<ImageView | null>(null);
  if (!service) return null;
  const stage = service.stages.find((s) => s.id === selectedStageId);
  const stageName = (id: number) => service.stages.find((s) => s.id === id)?.name ?? `stage ${id}`;
  const byId = new Map((images ?? []).map((i) => [i.id, i]));

  return (
    <section className="images-panel" aria-label="Images">
      {stage ? (
        <button type="button" onClick={() => void captureImage(stage.id)}>
          Capture an image from {stage.name}
        </button>
      ) : (
        <p className="muted">Select a stage to capture an image from it or assign one to it.</p>
      )}
      {images?.length === 0 && <p className="muted">No images yet. Capture one from production to say what every stage should run.</p>}
      <ol className="image-list">
        {[...(images ?? [])].reverse().map((image) => (
          <li key={image.id} className="image-card" aria-label={`Image ${image.label}`}>
            <div className="image-head">
              <strong className="chip">{image.label}</strong>
              <span className="muted">
                {new Date(image.createdAt).toLocaleDateString()} by {image.createdBy}
              </span>
            </div>
            {image.note && <p>{image.note}</p>}
            <p className="muted lineage">
              {image.parentId !== null ? `derived from ${byId.get(image.parentId)?.label ?? 'an earlier image'}` : image.lineage.capturedFrom ? `captured from ${image.lineage.capturedFrom.stage} (${image.lineage.capturedFrom.hosts.length} hosts)` : 'imported'}
              {image.lineage.derivedBy && image.lineage.derivedBy.length > 0 && `: ${image.lineage.derivedBy.join('; ')}`}
            </p>
            <p className="muted">
              {image.roles.map((r) => `${r.role}: ${r.packages} packages, ${r.files} files${r.ungoverned > 0 ? `, ${r.ungoverned} facts left ungoverned` : ''}`).join(' · ')}
            </p>
            <p>
              Assigned to: {image.assignedTo.length === 0 ? <span className="muted">no stage</span> : image.assignedTo.map(stageName).join(', ')}
            </p>
            <div className="row">
              {stage && stage.image?.id !== image.id && (
                <button type="button" onClick={() => void assignImage(stage.id, image.id)}>
                  Assign to {stage.name}
                </button>
              )}
              <button type="button" onClick={() => setDeriving(image)}>
                Derive…
              </button>
            </div>
          </li>
        ))}
      </ol>
      {deriving && <DeriveDialog image={deriving} onClose={() => setDeriving(null)} />}
    </section>
  );
}
