// Catalog filters live in the address, so a filtered list can be reloaded, shared and handed
// to a bulk job as it is.

export function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((candidate) => candidate === value);
}

export function positiveIdParam(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name);
  const value = Number(text);
  return text && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** A copy of `params` with `name` set to `value`, or removed when `value` is empty. */
export function withParam(params: URLSearchParams, name: string, value: string | undefined): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(name, value);
  else next.delete(name);
  return next;
}

/** The filters that are set, without the unset ones (the shape a bulk job's filter target takes). */
export function definedFilters(filters: Record<string, string | number | undefined>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(filters).filter((entry): entry is [string, string | number] => entry[1] !== undefined));
}
