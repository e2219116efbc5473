import type { OperationPlanView } from '../../../core/contract/hypervisors';

/** A dry run's exact commands, and under them each document a command reads (a domain's XML), folded. */
export function OperationCommands({ commands, documents, label }: Pick<OperationPlanView, 'commands' | 'documents'> & { label: string }) {
  return (
    <>
      <pre className="commands" aria-label={label}>
        {commands.join('\n')}
      </pre>
      {documents.map((d) => (
        <details key={d.title}>
          <summary>
            {d.title} (read by command {d.commandIndex + 1})
          </summary>
          <pre className="commands">{d.content}</pre>
        </details>
      ))}
    </>
  );
}

/** One hypervisor operation of a dry run (a clone's, a reclaim's, one on a VM): what it does, its exact commands, what to watch for. */
export function Operation({ operation, label }: { operation: Omit<OperationPlanView, 'kind'>; label: string }) {
  return (
    <>
      <div>{operation.description}</div>
      <OperationCommands commands={operation.commands} documents={operation.documents} label={label} />
      {operation.warnings.map((w) => (
        <div key={w} className="warn-text small">
          {w}
        </div>
      ))}
    </>
  );
}
