export const PLATFORMS = ['databricks', 'palantir'] as const;

export type Platform = (typeof PLATFORMS)[number];

export const PLATFORM_LABELS: Record<Platform, string> = {
  databricks: 'Databricks',
  palantir: 'Palantir',
};

export function isPlatform(value: string | undefined): value is Platform {
  return value !== undefined && (PLATFORMS as readonly string[]).includes(value);
}
