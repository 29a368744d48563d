import { Area, AreaChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import type { DailyKpi } from '@/api/types';
import { currencyDigits, formatCompact, formatDay, formatMajorMoney, formatNumber } from '@/lib/format';

const COLORS = ['#2563eb', '#0d9488', '#7c3aed', '#d97706', '#db2777'];
const CHART_HEIGHT = 180;

type CountKey = 'signups' | 'dau' | 'orders';

const COUNT_CHARTS: { key: CountKey; title: string; color: string }[] = [
  { key: 'signups', title: 'Signups', color: '#2563eb' },
  { key: 'dau', title: 'Active customers', color: '#0d9488' },
  { key: 'orders', title: 'Orders', color: '#7c3aed' },
];

/** Tooltip titles: the day of the point under the cursor. */
function dayLabel(day: unknown): string {
  return typeof day === 'string' ? formatDay(day) : '';
}

/** A chart's content in words, for screen readers (the SVG itself says nothing useful). */
function describeSeries(title: string, values: number[], format: (value: number) => string): string {
  if (values.length === 0) return `${title}: no data`;
  const latest = values[values.length - 1] ?? 0;
  return `${title} over the last ${values.length} days: latest ${format(latest)}, highest ${format(Math.max(...values))}, lowest ${format(Math.min(...values))}.`;
}

function CountChart({ series, dataKey, title, color }: { series: readonly DailyKpi[]; dataKey: CountKey; title: string; color: string }) {
  const data = series.map((day) => ({ day: day.day, value: day[dataKey] }));
  return (
    <figure className="chart" aria-label={describeSeries(title, data.map((d) => d.value), formatNumber)}>
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <AreaChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <defs>
            <linearGradient id={`fill-${dataKey}`} x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor={color} stopOpacity={0.25} />
              <stop offset="100%" stopColor={color} stopOpacity={0} />
            </linearGradient>
          </defs>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="day" tickFormatter={formatDay} tick={{ fontSize: 11 }} minTickGap={16} />
          <YAxis tickFormatter={formatCompact} tick={{ fontSize: 11 }} width={40} allowDecimals={false} />
          <Tooltip labelFormatter={dayLabel} formatter={(value) => [formatNumber(Number(value)), title]} />
          <Area type="monotone" dataKey="value" stroke={color} strokeWidth={2} fill={`url(#fill-${dataKey})`} isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </figure>
  );
}

function RevenueChart({ series }: { series: readonly DailyKpi[] }) {
  const currencies = [...new Set(series.flatMap((day) => day.revenue.map((revenue) => revenue.currency)))].sort();
  // Major units (euros, not cents), so axis ticks and tooltips read naturally.
  // A day without sales in a currency has no entry for it: that is a zero, not a gap in the line.
  const data = series.map((day) => ({
    day: day.day,
    ...Object.fromEntries(
      currencies.map((currency) => {
        const minor = day.revenue.find((revenue) => revenue.currency === currency)?.amount_minor ?? 0;
        return [currency, minor / 10 ** currencyDigits(currency)];
      }),
    ),
  }));
  const single = currencies.length === 1 ? currencies[0] : undefined;
  const first = currencies[0];
  const description =
    first === undefined
      ? 'Revenue: none in this period'
      : describeSeries(
          `Revenue (${first})`,
          data.map((day) => Number((day as Record<string, unknown>)[first] ?? 0)),
          (value) => formatMajorMoney(value, first),
        );
  return (
    <figure className="chart" aria-label={description}>
      <figcaption>Revenue{single ? ` (${single})` : ''}</figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="day" tickFormatter={formatDay} tick={{ fontSize: 11 }} minTickGap={16} />
          <YAxis
            tickFormatter={(value: number) => (single ? formatMajorMoney(value, single, true) : formatCompact(value))}
            tick={{ fontSize: 11 }}
            width={56}
          />
          <Tooltip
            labelFormatter={dayLabel}
            formatter={(value, currency) => [formatMajorMoney(Number(value), String(currency)), String(currency)]}
          />
          {currencies.map((currency, index) => (
            <Line
              key={currency}
              type="monotone"
              dataKey={currency}
              name={currency}
              stroke={COLORS[index % COLORS.length]}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function KpiCharts({ series }: { series: readonly DailyKpi[] }) {
  return (
    <div className="chart-grid">
      {COUNT_CHARTS.map((chart) => (
        <CountChart key={chart.key} series={series} dataKey={chart.key} title={chart.title} color={chart.color} />
      ))}
      <RevenueChart series={series} />
    </div>
  );
}
