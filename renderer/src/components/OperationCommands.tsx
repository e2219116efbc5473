/** A dry run's exact commands, and under them each document a command reads (a domain's XML), folded. */
export function OperationCommands({ commands, documents, label, className }: { commands: string[]; documents: { commandIndex: number; title: string; content: string }[]; label: string; className: string }) {
  return (
    <>
      <pre className={className} aria-label={label}>
        {commands.join('\n')}
      </pre>
      {documents.map((d) => (
        <details key={d.title}>
          <summary>
            {d.title} (read by command {d.commandIndex + 1})
          </summary>
          <pre className={className}>{d.content}</pre>
        </details>
      ))}
    </>
  );
}
