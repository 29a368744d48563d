import { humanize } from './format';

/**
 * A bulk job's change in a few words: "Lower prices by 10%", "Hide products", "Publish articles".
 * Shared by the bulk-jobs screens and the dashboard's running jobs.
 */
export function describeBulkAction(actionName: string, params: Record<string, unknown>): string {
  switch (actionName) {
    case 'product.price_change': {
      const percent = Number(params.percent);
      if (!Number.isFinite(percent)) return 'Change prices';
      return `${percent < 0 ? 'Lower' : 'Raise'} prices by ${Math.abs(percent)}%`;
    }
    case 'product.set_visibility':
      return params.visibility === 'hidden' ? 'Hide products' : 'Show products';
    case 'article.publish':
      return 'Publish articles';
    case 'article.unpublish':
      return 'Unpublish articles';
    case 'comment.approve':
      return 'Approve comments';
    case 'comment.remove':
      return 'Remove comments';
    default:
      return humanize(actionName.replace('.', ' '));
  }
}
