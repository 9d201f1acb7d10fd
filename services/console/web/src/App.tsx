import { useEffect, useState } from 'react';
import { api, ApiError, Me } from './api';
import { CustomerScreen } from './CustomerScreen';
import { MarketingScreen } from './MarketingScreen';
import { OperationsScreen } from './OperationsScreen';
import { PrivacyScreen } from './PrivacyScreen';

type Screen = 'customer' | 'marketing' | 'operations' | 'privacy';

/** The screens a person sees follow the scopes their roles grant. */
function screensFor(me: Me): Screen[] {
  const screens: Screen[] = [];
  if (me.scopes.includes('profiles:read')) screens.push('customer');
  if (me.scopes.includes('segments:read')) screens.push('marketing');
  if (me.scopes.includes('matching:read')) screens.push('operations');
  if (me.scopes.includes('privacy:read')) screens.push('privacy');
  return screens;
}

const titles: Record<Screen, string> = { customer: 'Customer', marketing: 'Marketing', operations: 'Operations', privacy: 'Privacy' };

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const [screen, setScreen] = useState<Screen | null>(null);

  useEffect(() => {
    api<Me>('/api/me')
      .then((found) => {
        setMe(found);
        setScreen(screensFor(found)[0] ?? null);
      })
      .catch((error: unknown) => {
        if (!(error instanceof ApiError && error.status === 401)) setFailed(error instanceof Error ? error.message : String(error));
      });
  }, []);

  if (failed)
    return (
      <main className="page">
        <p role="alert">The console could not start: {failed}</p>
      </main>
    );
  if (!me)
    return (
      <main className="page">
        <p>Loading…</p>
      </main>
    );
  const screens = screensFor(me);
  return (
    <>
      <header className="top">
        <strong className="brand">One-to-one console</strong>
        <nav aria-label="Screens">
          {screens.map((s) => (
            <button
              key={s}
              type="button"
              className={s === screen ? 'tab active' : 'tab'}
              aria-current={s === screen ? 'page' : undefined}
              onClick={() => setScreen(s)}
            >
              {titles[s]}
            </button>
          ))}
        </nav>
        <span className="who">
          {me.name} <span className="muted">({me.roles.join(', ') || 'no role'})</span>
        </span>
        <form method="post" action="/logout">
          <button type="submit" className="link">
            Log out
          </button>
        </form>
      </header>
      <main className="page" id="main">
        {screen === 'customer' && <CustomerScreen channel={me.channel} canDecide={me.scopes.includes('decisions:write')} />}
        {screen === 'marketing' && (
          <MarketingScreen canWrite={me.scopes.includes('segments:write')} canWriteCampaigns={me.scopes.includes('campaigns:write')} />
        )}
        {screen === 'operations' && <OperationsScreen canWrite={me.scopes.includes('matching:write')} scopes={me.scopes} />}
        {screen === 'privacy' && (
          <PrivacyScreen canErase={me.scopes.includes('privacy:erase')} canExport={me.scopes.includes('privacy:export')} />
        )}
        {screen === null && <p>Your roles ({me.roles.join(', ') || 'none'}) give you no console screen.</p>}
      </main>
    </>
  );
}
