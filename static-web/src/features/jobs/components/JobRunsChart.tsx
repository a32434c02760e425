import { useId } from 'react';
import { durationBetween, formatDuration, formatLocal } from '../../../lib/format';
import { COMPLETED_WITH_FAILURES, jobTypeLabel, type JobRun } from '../types';

const WIDTH = 800;
const HEIGHT = 180;
const PAD_TOP = 12;
const PAD_BOTTOM = 20;
const PAD_LEFT = 48;

export const CHART_RUNS = 20;

/** The browser's time zone, which every time on the page is shown in. */
const TIME_ZONE = new Intl.DateTimeFormat().resolvedOptions().timeZone;

function barClass(run: JobRun): string {
  return run.status === 'Completed' && (run.failedCount ?? 0) > 0 ? 'bar-failures' : `bar-${run.status.toLowerCase()}`;
}

/** Which bars get a start time under them: the first, the last, and one between when there is room. */
function tickIndexes(count: number): number[] {
  if (count <= 1) return [0];
  return count >= 5 ? [0, Math.floor((count - 1) / 2), count - 1] : [0, count - 1];
}

function runDuration(run: JobRun, now: number): number {
  if (run.completedAt) return Math.max(0, durationBetween(run.startedAt, run.completedAt) ?? 0);
  const started = Date.parse(run.startedAt);
  return Number.isNaN(started) ? 0 : Math.max(0, now - started);
}

/**
 * Durations of the most recent runs (oldest on the left), coloured by status. Plain SVG: each bar has a
 * <title> for hover, and the figure has a text summary for screen readers.
 */
export function JobRunsChart({ runs, now }: { runs: readonly JobRun[]; /** For in-progress bars: when "now" is. */ now: number }) {
  const id = useId();
  const recent = runs.slice(0, CHART_RUNS).reverse();
  if (recent.length === 0) return null;

  const durations = recent.map((run) => runDuration(run, now));
  const max = Math.max(...durations, 1);
  const plotWidth = WIDTH - PAD_LEFT;
  const plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const slot = plotWidth / Math.max(recent.length, 10);
  const barWidth = Math.max(4, slot * 0.7);
  const failed = recent.filter((run) => run.status === 'Failed').length;
  const summary = `Durations of the last ${recent.length} runs, oldest first; longest ${formatDuration(max)}; ${failed} failed.`;

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>Recent job runs</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        <line x1={PAD_LEFT} y1={PAD_TOP} x2={PAD_LEFT} y2={HEIGHT - PAD_BOTTOM} className="chart-axis" />
        <line x1={PAD_LEFT} y1={HEIGHT - PAD_BOTTOM} x2={WIDTH} y2={HEIGHT - PAD_BOTTOM} className="chart-axis" />
        <text x={PAD_LEFT - 6} y={PAD_TOP + 4} textAnchor="end" className="chart-label">
          {formatDuration(max)}
        </text>
        <text x={PAD_LEFT - 6} y={HEIGHT - PAD_BOTTOM} textAnchor="end" className="chart-label">
          0
        </text>
        {recent.map((run, index) => {
          const duration = durations[index] ?? 0;
          const height = Math.max(2, (duration / max) * plotHeight);
          const x = PAD_LEFT + index * slot + (slot - barWidth) / 2;
          const y = HEIGHT - PAD_BOTTOM - height;
          return (
            <rect key={run.jobId} x={x} y={y} width={barWidth} height={height} className={`bar ${barClass(run)}`}>
              <title>
                {`${jobTypeLabel(run.jobType)} · ${barClass(run) === 'bar-failures' ? COMPLETED_WITH_FAILURES : run.status} · ${formatDuration(duration)} · ${run.processedCount ?? 0} processed, ${run.failedCount ?? 0} failed · ${formatLocal(run.startedAt)}`}
              </title>
            </rect>
          );
        })}
      </svg>
      {/* HTML, not SVG text: the SVG scales down on a phone, and its text with it. */}
      <div className="chart-time-axis" aria-hidden="true">
        {tickIndexes(recent.length).map((index, n, all) => {
          const run = recent[index];
          if (!run) return null;
          const centre = ((PAD_LEFT + index * slot + slot / 2) / WIDTH) * 100;
          const align = all.length > 1 && n === 0 ? 'start' : n === all.length - 1 && all.length > 1 ? 'end' : 'middle';
          return (
            <span key={run.jobId} className={`chart-tick chart-tick-${align}`} style={{ left: `${centre.toFixed(2)}%` }}>
              {formatLocal(run.startedAt)}
            </span>
          );
        })}
      </div>
      <figcaption>
        <span className="legend legend-completed">Completed</span>
        <span className="legend legend-failures">{COMPLETED_WITH_FAILURES}</span>
        <span className="legend legend-failed">Failed</span>
        <span className="legend legend-inprogress">In progress</span>
        <span className="muted">
          {' '}
          · bar height = duration (longest {formatDuration(max)}); start times along the bottom, oldest on the left, in{' '}
          {TIME_ZONE}
        </span>
      </figcaption>
    </figure>
  );
}
