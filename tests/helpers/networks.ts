// The host networks of the staging stack, for component tests that create namespaces.
import { hostNetworks, HostNetworks } from "../../components/namespaces";
import { stackConfig } from "./stacks";

export function stagingNetworks(): HostNetworks {
  return hostNetworks(stackConfig("staging"));
}
