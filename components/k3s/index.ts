// K3s over SSH: the cluster component and the pure builders it wires (exported for tests and tools).
export * from "./config";
export * from "./scripts";
export * from "./cluster";
export * from "./restore";
