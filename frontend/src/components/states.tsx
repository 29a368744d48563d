import type { ReactNode } from 'react';

import { ApiError, describeError } from '@/api/problem';

import { Button } from './Button';

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner-with-label" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </span>
  );
}

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state--loading">
      <Spinner label={label} />
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state--empty">
      <p className="state__title">{title}</p>
      {children && <div className="state__hint">{children}</div>}
    </div>
  );
}

/** The server's own explanation (problem `detail`), with the request id to quote to support. */
export function ErrorState({ error, title = 'This could not be loaded', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  return (
    <div className="state state--error" role="alert">
      <p className="state__title">{title}</p>
      <ErrorDetail error={error} />
      {onRetry && (
        <Button size="small" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

/** `shownFields`: field errors a form already shows next to their inputs, not repeated here. */
export function ErrorDetail({ error, shownFields = [] }: { error: unknown; shownFields?: readonly string[] }) {
  const requestId = error instanceof ApiError ? error.requestId : null;
  const allFieldErrors = error instanceof ApiError ? (error.problem?.errors ?? []) : [];
  const fieldErrors = allFieldErrors.filter((fieldError) => !shownFields.includes(fieldError.field));
  // The detail of a 422 repeats its field errors: when the form shows each beside its input, say where to look.
  const detail = allFieldErrors.length > 0 && fieldErrors.length === 0 ? 'Correct the fields marked above, then try again.' : describeError(error);
  return (
    <>
      <p className="state__detail">{detail}</p>
      {fieldErrors.length > 0 && (
        <ul className="field-errors">
          {fieldErrors.map((fieldError) => (
            <li key={`${fieldError.field}:${fieldError.message}`}>
              <code>{fieldError.field}</code>: {fieldError.message}
            </li>
          ))}
        </ul>
      )}
      {requestId && <p className="state__request-id">Request id: <code>{requestId}</code></p>}
    </>
  );
}

/** A failed action inside a form or dialog. */
export function InlineError({ error, shownFields }: { error: unknown; shownFields?: readonly string[] }) {
  return (
    <div className="inline-error" role="alert">
      <ErrorDetail error={error} shownFields={shownFields} />
    </div>
  );
}

/** What a TanStack query tells the view of its result. */
interface QueryResult<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => Promise<unknown>;
}

/** A query's result, or its loading state, or its error with a retry. */
export function QueryView<T>({ query, noun, children }: { query: QueryResult<T>; noun: string; children: (data: T) => ReactNode }) {
  if (query.isPending) return <LoadingState label={`Loading ${noun}…`} />;
  if (query.isError || query.data === undefined) {
    return <ErrorState error={query.error} title={`${noun.charAt(0).toUpperCase()}${noun.slice(1)} could not be loaded`} onRetry={() => void query.refetch()} />;
  }
  return <>{children(query.data)}</>;
}
