// Shared by the observability tests: the stacks' real settings.
import { HomelabConfig } from "../../components/config";
import { stackConfig } from "../helpers/stacks";

export function stackObservability(stack: "dev" | "staging"): Pick<HomelabConfig, "observability" | "nodes"> & { gpu: boolean } {
  const { observability, nodes, gpuNodes } = stackConfig(stack);
  return { observability, nodes, gpu: gpuNodes.length > 0 };
}
