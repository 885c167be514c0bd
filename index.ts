// The composition root: config, then the cluster, then each layer in turn. Every layer takes only
// what it needs from the ones before it; see README "Architecture".
import { loadConfig } from "./components/config";

const config = loadConfig();

export const stack = config.stack;
export const nodes = config.nodes.map((n) => ({ name: n.name, role: n.role, arch: n.arch }));
