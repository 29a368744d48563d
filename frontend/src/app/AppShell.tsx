import type { ReactNode } from 'react';
import { Link, NavLink } from 'react-router';

import type { Me } from '@/api/types';
import { Button } from '@/components/Button';
import { humanize } from '@/lib/format';
import { hasPermission, isStaff } from '@/lib/use-session';

import { useSignOut } from '@/features/auth/use-sign-out';

import { visibleNavItems } from './navigation';
import { TenantSwitcher } from './TenantSwitcher';

function roleSummary(me: Me): string {
  const roles = [...new Set(me.roles.map((grant) => humanize(grant.role)))];
  return roles.join(', ') || 'No role';
}

/** The one tenant a partner works in, by name. */
function partnerTenant(me: Me): string {
  return me.tenant_name ?? `Tenant #${me.tenant_id ?? ''}`;
}

/** Staff pick the tenant to watch; a partner sees the one they work in. */
function TopbarScope({ me }: { me: Me }) {
  if (!isStaff(me)) return <span className="topbar__tenant">{partnerTenant(me)}</span>;
  return hasPermission(me, 'tenants:read') ? <TenantSwitcher /> : <span />;
}

export function AppShell({ me, children }: { me: Me; children: ReactNode }) {
  const signOut = useSignOut();
  const staff = isStaff(me);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="shell__sidebar">
        <div className="brand">
          <span className="brand__mark" aria-hidden="true">
            O
          </span>
          <span>opsdeck</span>
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {visibleNavItems(me.permissions).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end ?? false} className={({ isActive }) => `nav__link${isActive ? ' nav__link--active' : ''}`}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <p className="shell__scope">{staff ? 'Staff view: every tenant' : `Partner view: ${partnerTenant(me)}`}</p>
      </aside>
      <div className="shell__main">
        <header className="topbar">
          <TopbarScope me={me} />
          <div className="topbar__user">
            <span className="topbar__name">{me.name}</span>
            <span className="topbar__role">{roleSummary(me)}</span>
            <Link className="topbar__link" to="/account/password">
              Change password
            </Link>
            <Button size="small" variant="ghost" busy={signOut.isPending} onClick={() => signOut.mutate()}>
              Sign out
            </Button>
          </div>
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
