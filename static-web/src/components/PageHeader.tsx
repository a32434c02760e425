import type { ReactNode } from 'react';
import { PLATFORM_LABELS, type Platform } from '../lib/platforms';

interface PageHeaderProps {
  title: string;
  platform?: Platform;
  description?: ReactNode;
  actions?: ReactNode;
}

/** The page's h1 (with its platform) and the document title. */
export function PageHeader({ title, platform, description, actions }: PageHeaderProps) {
  const platformLabel = platform ? PLATFORM_LABELS[platform] : null;
  return (
    <div className="page-header">
      <title>{`${title}${platformLabel ? ` · ${platformLabel}` : ''} · Access Request Expiry`}</title>
      <div>
        <h1>
          {title}
          {platformLabel ? (
            <>
              {' '}
              <span className="platform-tag">{platformLabel}</span>
            </>
          ) : null}
        </h1>
        {description ? <p className="page-description">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}
