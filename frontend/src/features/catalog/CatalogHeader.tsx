import type { ReactNode } from 'react';
import { NavLink } from 'react-router';

import { PageHeader } from '@/components/Panel';

const SECTIONS = [
  { to: '/catalog/products', label: 'Products' },
  { to: '/catalog/articles', label: 'Articles' },
  { to: '/catalog/comments', label: 'Comments' },
  { to: '/catalog/orders', label: 'Orders' },
  { to: '/catalog/customers', label: 'Customers' },
];

/** The catalog's sections as tabs, above the current section's title. */
export function CatalogHeader({ title, description }: { title: string; description: ReactNode }) {
  return (
    <>
      <nav aria-label="Catalog sections" className="tabs">
        {SECTIONS.map((section) => (
          <NavLink key={section.to} to={section.to} className={({ isActive }) => `tabs__link${isActive ? ' tabs__link--active' : ''}`}>
            {section.label}
          </NavLink>
        ))}
      </nav>
      <PageHeader title={title} description={description} />
    </>
  );
}
