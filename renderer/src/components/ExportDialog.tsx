import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../core/contract/index';
import { REPORT_FORMAT_NAMES, type ReportSelection } from '../../../core/contract/reports';
import { client } from '../api/client';
import { useApp } from '../store/index';
import { asWireError } from '../store/task';
import { Dialog } from './Dialog';

type Format = (typeof REPORT_FORMAT_NAMES)[number];

const FORMAT_LABEL: Record<Format, string> = { pdf: 'PDF', html: 'HTML', md: 'Markdown', csv: 'CSV', json: 'JSON' };
const FORMAT_NOTE: Record<Format, string> = {
  pdf: 'A4 pages, as previewed, for the board.',
  html: 'One self-contained page: opens offline, prints like the PDF.',
  md: 'For a wiki or a ticket.',
  csv: 'One row per change (drift: one per differing fact), for a spreadsheet.',
  json: 'Every field, for other tools; its schema is in resources/schemas.',
};

const size = (bytes: number) => (bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

function useSelectionTitle(selection: ReportSelection): string {
  const services = useApp((s) => s.services);
  if (selection.kind === 'drift') return selection.serviceId === undefined ? 'Drift report: every service' : `Drift report: ${services.find((s) => s.id === selection.serviceId)?.name ?? `service ${selection.serviceId}`}`;
  if (selection.kind === 'range') return `CAB pack: changes from ${selection.from} to ${selection.to}`;
  return `CAB pack: ${selection.changeIds.length === 1 ? 'change' : 'changes'} ${selection.changeIds.map((id) => `#${id}`).join(', ')}`;
}

/** Opens the export dialog for a report: a drift report, or a CAB pack of changes (by id or date range). */
export function ReportButton({ selection, label = 'Report…' }: { selection: ReportSelection; label?: string }) {
  const openReport = useApp((s) => s.openReport);
  const title = useSelectionTitle(selection);
  return (
    <button type="button" onClick={() => openReport(selection)} title={`Export the ${title.replace(/:.*/, '').toLowerCase()}: PDF, HTML, Markdown, CSV or JSON`}>
      {label}
    </button>
  );
}

/** Export a report: choose a format, see the report as it will print, then save (desktop) or download (browser). */
export function ExportDialog() {
  const selection = useApp((s) => s.reportSelection);
  if (!selection) return null;
  return <ExportDialogBody key={JSON.stringify(selection)} selection={selection} />;
}

function ExportDialogBody({ selection }: { selection: ReportSelection }) {
  const nativeDialogs = useApp((s) => s.shell?.nativeDialogs ?? false);
  const closeReport = useApp((s) => s.closeReport);
  const title = useSelectionTitle(selection);
  const [format, setFormat] = useState<Format>('pdf');
  const [preview, setPreview] = useState<CallOutput<'reports.preview'> | null>(null);
  const [working, setWorking] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [path, setPath] = useState('');
  const [conflict, setConflict] = useState(false);

  useEffect(() => {
    let live = true;
    client.call('reports.preview', { selection }).then(
      (result) => live && setPreview(result),
      (error: unknown) => live && useApp.setState({ error: asWireError(error) }),
    );
    return () => void (live = false);
  }, [selection]);

  const run = async (work: () => Promise<string | null>) => {
    setWorking(true);
    setStatus(null);
    useApp.setState({ error: null });
    try {
      setStatus(await work());
    } catch (error) {
      const wire = asWireError(error);
      setConflict(wire.code === 'conflict');
      useApp.setState({ error: wire });
    } finally {
      setWorking(false);
    }
  };
  const download = () =>
    run(async () => {
      const prepared = await client.call('reports.download', { selection, format });
      // Served once as an attachment: the browser saves it and the page stays.
      window.location.assign(`.${prepared.url}`);
      return `Downloading ${prepared.fileName} (${size(prepared.bytes)}).`;
    });
  const saveAs = () =>
    run(async () => {
      const written = await client.call('reports.saveAs', { selection, format });
      return written ? `Saved ${written.path} (${size(written.bytes)}).` : null;
    });
  const saveTo = (overwrite: boolean) =>
    run(async () => {
      const written = await client.call('reports.export', { selection, format, path: path.trim(), overwrite });
      setConflict(false);
      return `Saved ${written.path} (${size(written.bytes)}).`;
    });

  return (
    <Dialog title={`Export — ${title}`} onClose={closeReport} wide>
      <div className="export-dialog">
        <div className="export-options">
          <fieldset>
            <legend>Format</legend>
            {REPORT_FORMAT_NAMES.map((f) => (
              <label key={f} className="export-format">
                <input type="radio" name="report-format" value={f} checked={format === f} onChange={() => (setFormat(f), setStatus(null), setConflict(false))} />
                <span>
                  <strong>{FORMAT_LABEL[f]}</strong> <span className="muted">{FORMAT_NOTE[f]}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {nativeDialogs ? (
            <button type="button" className="primary" disabled={working || !preview} onClick={() => void saveAs()}>
              Save {FORMAT_LABEL[format]}…
            </button>
          ) : (
            <>
              <button type="button" className="primary" disabled={working || !preview} onClick={() => void download()}>
                Download {FORMAT_LABEL[format]}
              </button>
              <form
                className="export-path"
                aria-label="Save to a file on this computer"
                onSubmit={(e) => {
                  e.preventDefault();
                  void saveTo(false);
                }}
              >
                <label>
                  Or save to a file on this computer
                  <input value={path} onChange={(e) => (setPath(e.target.value), setConflict(false))} placeholder={`/home/me/${preview?.fileName ?? 'report'}.${format}`} required />
                </label>
                <button type="submit" disabled={working || !preview}>
                  Save
                </button>
                {conflict && (
                  <button type="button" className="danger" disabled={working} onClick={() => void saveTo(true)}>
                    Replace the existing file
                  </button>
                )}
              </form>
            </>
          )}
          {working && <p className="muted">Preparing the {FORMAT_LABEL[format]}…</p>}
          {status && (
            <p className="export-status" role="status">
              {status}
            </p>
          )}
        </div>
        <div className="export-preview">
          {preview ? (
            // No scripts, no same origin: the report is shown, never run.
            <iframe title="Report preview" sandbox="" srcDoc={preview.html} />
          ) : (
            <p className="muted">Preparing the preview…</p>
          )}
        </div>
      </div>
    </Dialog>
  );
}
