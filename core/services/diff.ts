import { driftAgainstImage, stageParity, type DriftReport } from '../domain/drift';
import { StagecraftError } from '../domain/errors';
import { readFactDocument } from './snapshot-io';

/**
 * Drift between two files, for automation and air-gapped work: BASELINE is a snapshot or an image,
 * ACTUAL a snapshot. Host identities are normalised on both sides, so two hosts compare as peers.
 */
export function diffFiles(baselinePath: string, actualPath: string, role?: string): DriftReport {
  const baseline = readFactDocument(baselinePath);
  const actual = readFactDocument(actualPath);
  if (actual.kind !== 'snapshot') throw new StagecraftError('invalid-input', `${actualPath} is an image; the second file must be a snapshot of a host.`);
  if (baseline.kind === 'snapshot') return stageParity({ host: [baseline.snapshot] }, { host: [actual.snapshot] });
  const roles = Object.keys(baseline.image.roles);
  const chosen = role ?? (roles.length === 1 ? roles[0] : undefined);
  if (!chosen) throw new StagecraftError('invalid-input', `Image ${baseline.image.label} has several roles (${roles.join(', ')}).`, 'Say which one the host plays with --role.');
  return driftAgainstImage(baseline.image, chosen, actual.snapshot);
}
