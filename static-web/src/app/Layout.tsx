import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { ErrorAlert, OneAlertPerFailure } from '../components/Feedback';
import { useHealth } from '../features/health/components/HealthProvider';
import { SessionEndedNotice } from '../features/identity/components/SessionEndedNotice';
import { SignedInAs } from '../features/identity/components/SignedInAs';
import { timeZoneName } from '../lib/format';
import { isPlatform, PLATFORM_LABELS, PLATFORMS, type Platform } from '../lib/platforms';
import { SECTIONS, type SectionPath } from '../pages';

function currentLocation(pathname: string): { platform: Platform | null; section: SectionPath } {
  const [first, ...rest] = pathname.split('/').filter(Boolean);
  const platform = isPlatform(first) ? first : null;
  const tail = rest.join('/');
  // A run's page (jobs/{jobId}) belongs to Job History: the other platform's switch goes there.
  const section = SECTIONS.find((s) => s.path === tail)?.path ?? (tail.startsWith('jobs/') ? 'jobs' : 'requests');
  return { platform, section };
}

export function Layout() {
  const { pathname } = useLocation();
  const { platform, section } = currentLocation(pathname);
  const { health, error: healthError } = useHealth();
  const navPlatform: Platform = platform ?? 'databricks';

  return (
    <OneAlertPerFailure>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="app-header">
          <Link to="/" className="brand">
            Access Request Expiry
          </Link>
          <nav aria-label="Platform" className="platform-switch">
            {PLATFORMS.map((p) => (
              <NavLink key={p} to={`/${p}/${section}`} className={() => (p === platform ? 'active' : '')} aria-current={p === platform ? 'page' : undefined}>
                {PLATFORM_LABELS[p]}
              </NavLink>
            ))}
          </nav>
          {health?.testSimulation ? (
            <span className="badge badge-info" title="ALLOW_TEST_SIMULATION is on: test-only options are available">
              Test mode
            </span>
          ) : null}
          <SignedInAs />
        </header>
        <nav aria-label={`${PLATFORM_LABELS[navPlatform]} pages`} className="page-nav">
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.path}>
                <NavLink to={`/${navPlatform}/${s.path}`} end>
                  {s.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <SessionEndedNotice />
          {healthError !== undefined ? <ErrorAlert error={healthError} context="The API health check failed" /> : null}
          <Outlet />
        </main>
        <footer className="app-footer muted small">
          Times are in your local time zone ({timeZoneName()}); hover over a time to see it in UTC.
        </footer>
      </div>
    </OneAlertPerFailure>
  );
}
