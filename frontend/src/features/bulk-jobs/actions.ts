// The bulk actions the API offers (crates/domain/src/bulk/actions), in the reader's words.
import type { BulkTable } from '@/lib/bulk-target';

/** What an action needs from the form besides the rows. */
export type ActionParams = 'percent' | 'visibility' | 'none';

export interface BulkAction {
  name: string;
  table: BulkTable;
  label: string;
  description: string;
  params: ActionParams;
}

export const BULK_ACTIONS: readonly BulkAction[] = [
  {
    name: 'product.price_change',
    table: 'products',
    label: 'Change prices',
    description: 'Lower or raise every price by a percentage; new prices are rounded to whole cents, half away from zero.',
    params: 'percent',
  },
  { name: 'product.set_visibility', table: 'products', label: 'Show or hide', description: 'Make products visible in their shop, or hide them.', params: 'visibility' },
  { name: 'article.publish', table: 'articles', label: 'Publish', description: 'Drafts and archived articles become published; a first publication is dated now.', params: 'none' },
  { name: 'article.unpublish', table: 'articles', label: 'Unpublish', description: 'Published articles go back to draft.', params: 'none' },
  { name: 'comment.approve', table: 'comments', label: 'Approve', description: 'Comments become visible under their article.', params: 'none' },
  { name: 'comment.remove', table: 'comments', label: 'Remove', description: 'Comments are hidden (kept, never deleted).', params: 'none' },
];

export function actionsFor(table: BulkTable): BulkAction[] {
  return BULK_ACTIONS.filter((action) => action.table === table);
}

export function tableOf(actionName: string): BulkTable | undefined {
  return BULK_ACTIONS.find((action) => action.name === actionName)?.table;
}
