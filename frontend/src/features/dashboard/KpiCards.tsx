import type { KpiCard } from '@/api/types';
import { formatChange, formatMoney, formatNumber } from '@/lib/format';

import { kpiMeaning, sortKpiCards } from '@/features/dashboard/kpis';

function formatValue(value: number, currency: string | null): string {
  return currency ? formatMoney(value, currency) : formatNumber(value);
}

function Change({ card }: { card: KpiCard }) {
  const { currency, higherIsBetter } = kpiMeaning(card);
  const percent = card.change_percent;
  if (percent === null || percent === undefined) {
    return (
      <span className="kpi__change kpi__change--flat">
        {card.today > 0 ? 'new since yesterday' : 'none yesterday'}
      </span>
    );
  }
  const direction = percent > 0 ? 'up' : percent < 0 ? 'down' : 'flat';
  const good = direction === 'flat' ? null : (direction === 'up') === higherIsBetter;
  const tone = good === null ? 'flat' : good ? 'good' : 'bad';
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '■';
  return (
    <span className={`kpi__change kpi__change--${tone}`}>
      <span aria-hidden="true">{arrow} </span>
      {formatChange(percent)}
      <span className="kpi__yesterday"> vs {formatValue(card.yesterday, currency)} yesterday</span>
    </span>
  );
}

export function KpiCards({ cards }: { cards: readonly KpiCard[] }) {
  return (
    <ul className="kpi-grid" aria-label="Today's KPIs">
      {sortKpiCards(cards).map((card) => {
        const { label, currency } = kpiMeaning(card);
        return (
          <li key={card.name} className="kpi">
            <span className="kpi__label">{label}</span>
            <span className="kpi__value">{formatValue(card.today, currency)}</span>
            <Change card={card} />
          </li>
        );
      })}
    </ul>
  );
}
