import type { ReactNode } from 'react';

/** A short confirmation of what just happened, announced to screen readers. */
export function Notice({ tone = 'success', children, onDismiss }: { tone?: 'success' | 'info' | 'warning'; children: ReactNode; onDismiss?: () => void }) {
  return (
    <div className={`notice notice--${tone}`} role="status">
      <div className="notice__body">{children}</div>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
