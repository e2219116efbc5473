/** Importers of issue "Connectors": parse a file into the neutral model, map its groups, preview, apply. */
export * from './model';
export { expandHostRange, parseAnsibleIni, parseAnsibleYaml, MAX_RANGE_HOSTS } from './ansible-inventory';
export { ANSIBLE_MISSING_CATEGORIES, parseAnsibleFactFile, snapshotFromAnsibleFacts, type AnsibleFactsOptions } from './ansible-facts';
export { CSV_ALIASES, CSV_COLUMNS, parseCsv, parseHostsCsv, type CsvColumn, type CsvRecord } from './hosts-csv';
export { parseSshConfigHosts } from './ssh-config-hosts';
export {
  classifyGroupName,
  DEFAULT_ROLE,
  hostGroups,
  IGNORED_GROUP_WORDS,
  resolvePlacements,
  ROLE_WORDS,
  serviceKey,
  STAGE_WORDS,
  suggestMapping,
  type GroupMapping,
  type ImportMapping,
  type ImportProblem,
  type KnownService,
  type ResolvedPlacement,
} from './mapping';
export { applyImport, previewImport, type HostChange, type ImportCounts, type ImportPreview, type ImportResult, type PreviewHost, type PreviewPlacement, type PreviewService, type PreviewSnapshot } from './apply';
export { guessImportFormat, MAX_FACT_CACHE_FILES, MAX_IMPORT_FILE_BYTES, readImportFile, readImportText } from './read';
