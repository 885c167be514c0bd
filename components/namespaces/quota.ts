// Quotas computed from the resources a namespace's pods declare, so a resource change can never
// outgrow its quota unnoticed. Pure; shared by the layers whose pods come from charts.
import type { Quota } from "./manifests";

/** Requests and limits in the shape the charts' values take. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export const cpuMillis = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
const UNIT_MI: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
/** A binary byte quantity (e.g. 50Gi, 512Mi) in MiB. */
export function mebibytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(q);
  if (!m) throw new Error(`expected a size in binary units such as 10Gi, got "${q}"`);
  return Number(m[1]) * UNIT_MI[m[2]];
}
export const mi = (n: number) => (n % 1024 === 0 ? `${n / 1024}Gi` : `${Math.ceil(n)}Mi`);
export const millis = (n: number) => (n % 1000 === 0 ? `${n / 1000}` : `${n}m`);

export interface Usage { requestsCpu: number; requestsMemory: number; limitsCpu: number; limitsMemory: number }

/** The sum of `count` pods of each resource shape. */
export function total(items: [Resources, number][]): Usage {
  const sum: Usage = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0 };
  for (const [r, n] of items) {
    sum.requestsCpu += cpuMillis(r.requests.cpu) * n;
    sum.requestsMemory += mebibytes(r.requests.memory) * n;
    sum.limitsCpu += cpuMillis(r.limits.cpu) * n;
    sum.limitsMemory += mebibytes(r.limits.memory) * n;
  }
  return sum;
}

/** A chart namespace's quota: its pods twice over, room for a rolling update; no storage. */
export function chartQuota(items: [Resources, number][], pods: number): Quota {
  const usage = total(items);
  // Room for a rolling update: the new pod starts before the old one stops.
  return {
    requestsCpu: millis(usage.requestsCpu * 2),
    requestsMemory: mi(usage.requestsMemory * 2),
    limitsCpu: millis(usage.limitsCpu * 2),
    limitsMemory: mi(usage.limitsMemory * 2),
    storage: "0",
    pods,
  };
}
