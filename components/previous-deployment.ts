// What earlier `pulumi up`s of this stack left behind, read back from the stack's own outputs
// through a StackReference to itself (the engine's builtin provider answers it; a new stack has no
// outputs yet, so every field is absent).
//
// Why the program needs it: the Kubernetes provider renders Helm charts (Chart v4) only against a
// reachable cluster (pulumi-kubernetes provider/pkg/provider/provider_construct.go: "configured
// Kubernetes cluster is unreachable"), so no preview of a new stack can show, or survive, the
// charts of a cluster that does not exist yet. The first `pulumi up` of a stack therefore builds
// the cluster alone; once the stack has recorded its cluster, every later run builds everything.
import * as pulumi from "@pulumi/pulumi";
import type { RecordedDatabase } from "./config";

/** The stack output that records the cluster's identity (the Kubernetes provider's clusterIdentifier). */
export const CLUSTER_IDENTIFIER_OUTPUT = "clusterIdentifier";

/** The stack output that records the PostgreSQL Cluster: its host, bucket, server name and bootstrap. */
export const DATABASE_OUTPUT = "postgres";

export interface PreviousDeployment {
  /** The cluster this stack created in an earlier `pulumi up`, absent on a new stack. */
  clusterIdentifier?: string;
  /** The PostgreSQL Cluster an earlier `pulumi up` created, absent until the database layer ran. */
  database?: RecordedDatabase;
}

/**
 * The recorded Cluster from the `postgres` output. Deployments from before the output recorded
 * them had a Cluster created by initdb, archiving under the plugin's default server name, the
 * Cluster's name ("postgres").
 */
export function recordedDatabase(output: unknown): RecordedDatabase | undefined {
  if (output === null || typeof output !== "object") return undefined;
  const value = output as Record<string, unknown>;
  if (typeof value.host !== "string") return undefined;
  return {
    serverName: typeof value.serverName === "string" ? value.serverName : "postgres",
    bootstrap: typeof value.bootstrap === "string" ? value.bootstrap : "initdb",
  };
}

export const FIRST_DEPLOYMENT_NOTICE =
  "First deployment of this stack: this `pulumi up` creates the K3s cluster only. Run `pulumi up` again " +
  "to deploy everything on it: Helm charts can be previewed only against a running cluster, so a preview " +
  "of the whole lab before the cluster exists would fail or hide what the update does (see README, \"Deploying a real lab\").";

/** Reads the stack's own outputs from its last successful update. */
export async function previousDeployment(): Promise<PreviousDeployment> {
  const self = new pulumi.StackReference("previous-deployment", {
    name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
  });
  const { value } = await self.getOutputDetails(CLUSTER_IDENTIFIER_OUTPUT);
  if (typeof value !== "string" || value.length === 0) return {};
  const database = recordedDatabase((await self.getOutputDetails(DATABASE_OUTPUT)).value);
  return { clusterIdentifier: value, ...(database ? { database } : {}) };
}
