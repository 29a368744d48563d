import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { useSelection } from '@/lib/use-selection';

import { DataTable, selectedRowClass, selectionColumn, type Column } from './DataTable';

interface Job {
  id: number;
  status: 'FAILED' | 'DONE';
}

const jobs: Job[] = [
  { id: 1, status: 'FAILED' },
  { id: 2, status: 'DONE' },
  { id: 3, status: 'FAILED' },
];

function JobsTable({ rows, showStatus = true }: { rows: readonly Job[]; showStatus?: boolean }) {
  const selection = useSelection();
  const columns: Column<Job>[] = [
    selectionColumn({ rows, selection, selectable: (job) => job.status === 'FAILED', allLabel: 'Select every failed job', rowLabel: (job) => `Select job #${job.id}` }),
    { header: 'Job', cell: (job) => `#${job.id}` },
    { header: 'Status', shown: showStatus, cell: (job) => job.status },
  ];
  return (
    <>
      <DataTable rows={rows} columns={columns} rowKey={(job) => job.id} empty="No jobs" rowClassName={selectedRowClass(selection)} />
      <output>{[...selection.selected].join(',')}</output>
    </>
  );
}

describe('DataTable', () => {
  it('says the list is empty instead of drawing a table, and hides the columns not shown', () => {
    const { rerender } = render(<JobsTable rows={[]} />);
    expect(screen.getByText('No jobs')).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();

    rerender(<JobsTable rows={jobs} showStatus={false} />);
    expect(screen.getAllByRole('columnheader').map((header) => header.textContent)).toEqual(['', 'Job']);
    expect(screen.getAllByRole('row')).toHaveLength(1 + jobs.length);
  });

  it('selects only the selectable rows, one by one or all at once, and marks them', async () => {
    const user = userEvent.setup();
    render(<JobsTable rows={jobs} />);
    expect(screen.queryByRole('checkbox', { name: 'Select job #2' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('checkbox', { name: 'Select every failed job' }));
    expect(screen.getByRole('status')).toHaveTextContent('1,3');
    const first = screen.getByRole('checkbox', { name: 'Select job #1' });
    expect(first).toBeChecked();
    expect(first.closest('tr')).toHaveClass('is-selected');

    await user.click(screen.getByRole('checkbox', { name: 'Select job #1' }));
    expect(screen.getByRole('checkbox', { name: 'Select every failed job' })).not.toBeChecked();
    expect(screen.getByRole('status')).toHaveTextContent(/^3$/);
  });
});
