import type { KpiCard } from '@/api/types';

export interface KpiMeaning {
  label: string;
  /** Currency of a `revenue:<currency>` card, whose values are minor units. */
  currency: string | null;
  /** For churn, a rise is bad news. */
  higherIsBetter: boolean;
}

const LABELS: Record<string, string> = {
  signups: 'Signups',
  dau: 'Active customers',
  orders: 'Orders',
  churned: 'Churned customers',
};

export function kpiMeaning(card: Pick<KpiCard, 'name'>): KpiMeaning {
  if (card.name.startsWith('revenue:')) {
    const currency = card.name.slice('revenue:'.length).toUpperCase();
    return { label: `Revenue (${currency})`, currency, higherIsBetter: true };
  }
  return { label: LABELS[card.name] ?? card.name, currency: null, higherIsBetter: card.name !== 'churned' };
}

/** Cards in a stable order: the four counts, then revenue per currency. */
export function sortKpiCards(cards: readonly KpiCard[]): KpiCard[] {
  const order = ['signups', 'dau', 'orders', 'churned'];
  const rank = (card: KpiCard) => {
    const index = order.indexOf(card.name);
    return index === -1 ? order.length : index;
  };
  return [...cards].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
