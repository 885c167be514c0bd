// The homelab's CrossGuard pack. The Pulumi CLI starts this file from policies/ (PulumiPolicy.yaml;
// the version comes from policies/package.json):
//   pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
// The policies themselves are pure (policies/<family>.ts, policies/lib/); the same list runs offline
// in `npm run plan` and `npm run policy:check`.
import { PolicyPack } from "@pulumi/policy";
import { toPackPolicy } from "./lib/pack";
import { ALL_POLICIES, PACK_NAME } from "./registry";

new PolicyPack(PACK_NAME, {
  description: "Blocks insecure homelab deployments: Pod Security Standards, workload hygiene, exposure, HTTPS ingress, AWS, nodes, providers, Helm pins.",
  displayName: "Homelab",
  provider: "kubernetes",
  tags: ["kubernetes", "pod-security", "aws", "homelab"],
  enforcementLevel: "advisory",
  policies: ALL_POLICIES.map(toPackPolicy),
});
