/** Whether the progress shown arrives live (the event stream) or is checked every few seconds. */
export function LiveIndicator({ live }: { live: boolean }) {
  return (
    <span className={`live-indicator${live ? ' live-indicator--on' : ''}`} title={live ? 'Progress arrives as it happens' : 'Checking for progress every few seconds'}>
      <span className="live-indicator__dot" aria-hidden="true" />
      {live ? 'Live' : 'Refreshing'}
    </span>
  );
}
