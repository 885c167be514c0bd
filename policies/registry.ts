// Every policy of the pack, in the order the pack reports them. index.ts serves them through
// @pulumi/policy; the offline tools evaluate the same list (policies/lib/engine.ts).
import { awsPolicies } from "./aws";
import { exposurePolicies } from "./exposure";
import { helmPolicies } from "./helm";
import { hygienePolicies } from "./hygiene";
import { ingressPolicies } from "./ingress";
import { HomelabPolicy } from "./lib/types";
import { nodePolicies } from "./nodes";
import { providerPolicies } from "./providers";
import { pssPolicies } from "./pss";

export const PACK_NAME = "homelab";

export const ALL_POLICIES: HomelabPolicy[] = [
  ...pssPolicies,
  ...hygienePolicies,
  ...exposurePolicies,
  ...ingressPolicies,
  ...awsPolicies,
  ...nodePolicies,
  ...providerPolicies,
  ...helmPolicies,
];
