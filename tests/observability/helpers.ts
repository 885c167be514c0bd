// Shared by the observability tests: the stacks' real settings.
import { HomelabConfig } from "../../components/config";
import { stackConfig } from "../helpers/stacks";

export function stackObservability(stack: "dev" | "staging"): Pick<HomelabConfig, "observability" | "nodes" | "secrets"> & { gpu: boolean } {
  const { observability, nodes, gpuNodes, secrets } = stackConfig(stack);
  return { observability, nodes, secrets, gpu: gpuNodes.length > 0 };
}
