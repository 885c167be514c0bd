// Pieces of Helm values that several layers' charts take alike: requests and limits, and the
// restricted Pod Security profile. Only keys the charts' own defaults already carry, so each one is
// known to reach the manifest.
import type { Resources } from "./namespaces/quota";

export type { Resources };

/** Requests and limits in the shape the charts' values take. */
export const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

// The restricted Pod Security profile: non-root and RuntimeDefault seccomp at pod level (they
// apply to every container), no privilege escalation, no capabilities, read-only root per container.
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};
export const RESTRICTED_POD = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
