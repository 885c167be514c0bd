// A small valid configuration that tests copy and break one piece at a time.
import { ConfigError, parseSettings } from "../../components/config";

/** The problems parseSettings reports for raw settings, as "path: message" lines ([] when valid). */
export function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseSettings(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}
export const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFLNEZkM1TDZSahiIvVc9gtD1bhU6lTeQ1bG2xbBJ4Nu";
// Public host keys of other types, made with ssh-keygen for the tests.
export const ECDSA_P256_HOST_KEY = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBG0OYjut4AMo90/XggbLnSsGRGtLPINXaM4/hfQNsCA3Qo6jaEh4XuQlR04gF+7tvur+GIN0YGuMkyuOFnUUNa0=";
export const RSA_HOST_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC+CEYME+N3r+yZeLz4P5a8qoMRhlAc0S/nDdL/o66t+2hqgea0Gdyib7YZC4Z3tHckyd6uS9hWaWPtWBcVfdJzjSK24rySwtGyrmV/edB7ewB7KjQR4+VG9EG7rdEivnFUdXyjMKSeSs0Nuy9LukIQgngzUAGpKVVgx7ctkZXIGaLSDOvNB1RA0udEfouNKmwYtIC9tWInh7e6QVJJRxMWU/wZskZeBOFru6HX9Z+TFZD52nhBc9sm7K8cewWvpIbH1qXWBdfNvun3UIPYquVpccP2+3I0mnuTwHpZgU1Ux594py30dtJfQqxrBhCVGE/45wVRWDHWM9cNgkgLjiLz";

export function validRaw(): Record<string, any> {
  return {
    k3s: { clusterName: "lab", version: "v1.36.3+k3s1", apiEndpoint: "k3s.home.arpa" },
    aws: { region: "eu-west-1" },
    // server1 and pi1 are reached by name, so the nodes' network is declared.
    network: { nodeCidrs: ["10.0.0.0/24"] },
    nodes: [
      { name: "server1", host: "server1.home.arpa", user: "homelab", hostKey: HOST_KEY, arch: "amd64", role: "server" },
      { name: "gpu1", host: "10.0.0.12", user: "homelab", hostKey: HOST_KEY, arch: "amd64", role: "agent",
        gpu: { vendor: "nvidia", count: 2 }, taints: ["nvidia.com/gpu=present:NoSchedule"] },
      { name: "pi1", host: "pi1.home.arpa", user: "pi", hostKey: HOST_KEY, arch: "arm64", role: "agent" },
    ],
  };
}
