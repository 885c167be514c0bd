// The state a `pulumi up` leaves behind, as the offline engine model keeps it: every resource with
// its inputs and outputs (secrets revealed: the plan holds stand-ins and placeholders only, never a
// real secret), and the stack's outputs. The next run is decided against it.

export interface StateResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** The URN of the provider that manages it (custom resources and remote components). */
  providerUrn?: string;
  id: string;
  /** Inputs with secrets revealed (placeholders and stand-ins in the offline plan). */
  inputs: Record<string, unknown>;
  /** Outputs in the engine's wire form (secrets wrapped), as the next run reads them back. */
  outputs: Record<string, unknown>;
  /** Input paths that hold secrets (the diff compares them but never shows them). */
  secretPaths: string[];
  protect: boolean;
  retainOnDelete: boolean;
}

export interface DeploymentState {
  stack: string;
  resources: StateResource[];
  /** The stack's outputs (secrets revealed), what a StackReference to the stack reads. */
  outputs: Record<string, unknown>;
  /** Paths of the stack outputs that are secret. */
  outputSecretPaths: string[];
}
