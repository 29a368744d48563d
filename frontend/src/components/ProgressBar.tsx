interface ProgressBarProps {
  /** 0-100. */
  percent: number;
  /** What is progressing, for screen readers ("Bulk job #12"). */
  label: string;
  detail?: string;
}

export function ProgressBar({ percent, label, detail }: ProgressBarProps) {
  const clamped = Math.max(0, Math.min(100, percent));
  const rounded = Math.floor(clamped * 10) / 10;
  return (
    <div className="progress">
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={rounded}
        aria-valuetext={detail ? `${rounded}% (${detail})` : `${rounded}%`}
      >
        <div className="progress__fill" style={{ width: `${clamped}%` }} />
      </div>
      <span className="progress__label">{rounded}%</span>
    </div>
  );
}
