import { useApp } from '../store/index';

export function ErrorBanner() {
  const error = useApp((s) => s.error);
  const dismiss = useApp((s) => s.dismissError);
  if (!error) return null;
  return (
    <div className="error-banner" role="alert">
      <div>
        <strong>{error.message}</strong>
        {error.hint && <div className="hint">{error.hint}</div>}
        {error.issues && (
          <ul>
            {error.issues.map((issue) => (
              <li key={issue.path}>
                {issue.path}: {issue.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" onClick={dismiss} aria-label="Dismiss error">
        Dismiss
      </button>
    </div>
  );
}
