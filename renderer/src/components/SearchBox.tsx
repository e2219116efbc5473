import { useEffect, useRef, useState } from 'react';
import type { CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import { useApp } from '../store/index';

type Result = CallOutput<'inventory.search'>[number];

/** Find a service or a host by name or address (Ctrl+K); choosing one shows it on the canvas. */
export function SearchBox() {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Result[]>([]);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (!query.trim()) return setResults([]);
    let current = true;
    const timer = setTimeout(() => void client.call('inventory.search', { query }).then((r) => current && setResults(r), () => current && setResults([])), 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  const choose = (result: Result) => {
    const { selectService, selectStage, setInspectorTab, setHostFilter } = useApp.getState();
    selectService(result.serviceId);
    if (result.stageId !== null) {
      void selectStage(result.stageId).then(() => {
        setHostFilter(result.name);
        setInspectorTab('environment');
      });
    }
    setQuery('');
  };

  return (
    <div className="search" role="search">
      <input ref={input} value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search services and hosts (Ctrl+K)" aria-label="Search services and hosts" onKeyDown={(e) => e.key === 'Enter' && results[0] && choose(results[0])} />
      {results.length > 0 && (
        <ul className="search-results" aria-label="Search results">
          {results.map((r) => (
            <li key={`${r.kind}-${r.name}-${r.serviceId}`}>
              <button type="button" onClick={() => choose(r)}>
                <span className="chip">{r.kind}</span> <strong>{r.name}</strong> <span className="muted">{r.detail}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
