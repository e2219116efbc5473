import { UsageError } from './main';

/** --format json|text (text when absent): anything else is a usage error, not silently text. */
export function textOrJson(options: Map<string, string>): 'json' | 'text' {
  const value = options.get('format') ?? 'text';
  if (value !== 'json' && value !== 'text') throw new UsageError(`--format must be json or text, not "${value}".`);
  return value;
}
