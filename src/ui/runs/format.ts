/** Small pure formatters for the Runs view. */

/** 1536 → "1.5 KB" (decimal units, as browsers report storage quotas). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v.toFixed(0) : v < 10 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}

/** Share of quota used as "12.3%" (quota 0 → "?"). */
export function formatShare(usage: number, quota: number): string {
  return quota > 0 ? `${((usage / quota) * 100).toFixed(usage / quota < 0.01 ? 2 : 1)}%` : '?';
}

/** A safe download file name for a run id. */
export function exportFileName(runId: string): string {
  return `${runId.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'run'}.run.json`;
}
