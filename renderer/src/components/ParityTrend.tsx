import { formatParity } from '../../../core/domain/parity';
import type { ParityPoint } from '../store/types';

const WIDTH = 300;
const HEIGHT = 64;
const PAD = 6;

/** Parity against production over time: a small line chart with the first and last values in words. */
export function ParityTrend({ points }: { points: ParityPoint[] }) {
  if (points.length < 2) return <p className="muted">The trend appears after two snapshots.</p>;
  const times = points.map((p) => Date.parse(p.recordedAt));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const low = Math.min(...points.map((p) => p.parity));
  // Parity lives near 100 %: scale to the observed range so a drop is visible, never below 0.
  const floor = Math.max(0, Math.min(low, 1) - Math.max(0.002, (1 - low) * 0.25));
  const x = (t: number) => PAD + ((t - t0) / Math.max(1, t1 - t0)) * (WIDTH - 2 * PAD);
  const y = (parity: number) => PAD + ((1 - parity) / Math.max(1e-9, 1 - floor)) * (HEIGHT - 2 * PAD);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(times[i]!).toFixed(1)},${y(p.parity).toFixed(1)}`).join(' ');
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return (
    <figure className="trend">
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label={`Parity went from ${formatParity(first.parity)} to ${formatParity(last.parity)} over ${points.length} snapshots`}>
        <line x1={PAD} x2={WIDTH - PAD} y1={y(1)} y2={y(1)} className="trend-full" />
        <path d={path} className="trend-line" />
        {points.map((p, i) => (
          <circle key={p.recordedAt + i} cx={x(times[i]!)} cy={y(p.parity)} r={2.5} className={p.severity.high > 0 ? 'trend-bad' : p.parity < 1 ? 'trend-warn' : 'trend-ok'}>
            <title>{`${new Date(p.recordedAt).toLocaleString()}: ${formatParity(p.parity)}, ${p.severity.high} high, ${p.severity.medium} medium, ${p.severity.low} low`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className="muted">
        {new Date(first.recordedAt).toLocaleDateString()} {formatParity(first.parity)} → {new Date(last.recordedAt).toLocaleDateString()} {formatParity(last.parity)}
      </figcaption>
    </figure>
  );
}
