import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { PasswordStrength } from '@/components/PasswordStrength';

async function meter(): Promise<HTMLElement> {
  return screen.findByRole('meter', { name: 'Strength' });
}

describe('PasswordStrength', () => {
  it('shows nothing until something is typed', () => {
    const { container } = render(<PasswordStrength password="" username="nina" />);
    expect(container).toBeEmptyDOMElement();
  });

  it('rates a common password weak, with the warning and suggestions', async () => {
    render(<PasswordStrength password="password1234" username="nina" />);

    expect(await meter()).toHaveAttribute('aria-valuetext', 'Weak');
    expect(screen.getByText('Weak')).toBeInTheDocument();
    expect(screen.getByText('This is similar to a commonly used password.')).toBeInTheDocument();
    expect(screen.getByRole('listitem')).toHaveTextContent('Add more words that are less common.');
  });

  it('rates an uncommon passphrase strong or better', async () => {
    render(<PasswordStrength password="velvet-harbor-quiet-lantern" username="nina" />);

    expect((await meter()).getAttribute('aria-valuetext')).toMatch(/^(Strong|Very strong)$/);
    expect(screen.queryByRole('listitem')).not.toBeInTheDocument();
  });

  it('refuses the username and the product name inside, as the server does', async () => {
    const { rerender } = render(<PasswordStrength password="velvet-NINA-harbor-lantern" username="nina" />);
    expect(await meter()).toHaveAttribute('aria-valuetext', 'Too weak');
    expect(screen.getByText('It contains your username.')).toBeInTheDocument();

    rerender(<PasswordStrength password="velvet-OpsDeck-harbor-lantern" username="nina" />);
    expect(await meter()).toHaveAttribute('aria-valuetext', 'Too weak');
    expect(screen.getByText('It contains the product’s name.')).toBeInTheDocument();
  });

  it('counts the display name and email as known words', async () => {
    const { rerender } = render(<PasswordStrength password="Olivia Marsh 2024" username="omarsh" />);
    expect((await meter()).getAttribute('aria-valuetext')).toMatch(/^(Strong|Very strong)$/);

    rerender(<PasswordStrength password="Olivia Marsh 2024" username="omarsh" userInputs={['Olivia Marsh', 'o.marsh@example.com']} />);
    expect((await meter()).getAttribute('aria-valuetext')).toMatch(/^(Too weak|Weak|Fair)$/);
  });
});
