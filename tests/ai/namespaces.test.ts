// The AI layer's namespaces: Pod Security levels, quotas that fit the workloads, ingress that lets
// only the declared callers in, and the exposure list the policy pack reads.
import { aiIngressRules, aiManifests, aiNamespaces, AiService, declaredExposures, EXPOSURE_ANNOTATION, ServiceManifests } from "../../components/ai";
import { cpuMillis, mebibytes } from "../../components/ai/pod";
import { allowIngressSpec, NamespaceSpec, quotaSpec } from "../../components/namespaces/manifests";
import { allPods, inputs, serviceSpec, stackConfig } from "./fixtures";

const dev = stackConfig("dev");
const staging = stackConfig("staging");
const byName = (specs: NamespaceSpec[]) => Object.fromEntries(specs.map((s) => [s.name, s]));
const devNs = byName(aiNamespaces(dev));
const stagingNs = byName(aiNamespaces(staging));

describe("aiNamespaces", () => {
  it("gives each service its own namespace, restricted except Open WebUI (baseline: root image)", () => {
    for (const specs of [devNs, stagingNs]) {
      expect(Object.keys(specs).sort()).toEqual(["ollama", "open-webui", "openwakeword", "piper", "whisper"]);
      expect(Object.fromEntries(Object.values(specs).map((s) => [s.name, s.podSecurity]))).toEqual({
        ollama: "restricted", "open-webui": "baseline", whisper: "restricted", piper: "restricted", openwakeword: "restricted",
      });
    }
  });

  it("grants GPUs only to Ollama and Whisper, and only with the nvidia accelerator", () => {
    const gpus = (specs: Record<string, NamespaceSpec>) => Object.fromEntries(Object.values(specs).map((s) => [s.name, quotaSpec(s.quota).hard["requests.nvidia.com/gpu"]]));
    expect(gpus(stagingNs)).toEqual({ ollama: "1", whisper: "1", "open-webui": "0", piper: "0", openwakeword: "0" });
    expect(Object.values(gpus(devNs)).every((g) => g === "0")).toBe(true);
  });

  it("sizes each quota to hold the service at its peak (autoscaler ceiling, rollout surge, jobs)", () => {
    const manifests = Object.fromEntries(aiManifests(inputs(staging)).map((m) => [m.service, m])) as Record<AiService, ServiceManifests>;
    const limitCpu = (m: ServiceManifests) => allPods(m).map((p) => p.containers.reduce((sum, c) => sum + cpuMillis(c.resources!.limits!.cpu), 0));
    // Piper: up to 3 replicas plus one surge pod.
    expect(cpuMillis(stagingNs.piper.quota.limitsCpu)).toBeGreaterThanOrEqual(4 * limitCpu(manifests.piper)[0]);
    expect(stagingNs.piper.quota.pods).toBeGreaterThanOrEqual(4);
    // Ollama: the server plus the pull Job and the refresh CronJob running at once.
    const ollamaPods = limitCpu(manifests.ollama);
    expect(ollamaPods).toHaveLength(3);
    expect(cpuMillis(stagingNs.ollama.quota.limitsCpu)).toBeGreaterThanOrEqual(ollamaPods.reduce((a, b) => a + b));
    expect(mebibytes(stagingNs.ollama.quota.storage)).toBeGreaterThanOrEqual(mebibytes("200Gi"));
    expect(mebibytes(devNs.ollama.quota.storage)).toBeGreaterThanOrEqual(mebibytes("20Gi"));
    // Open WebUI's init container counts only if it is larger than the app.
    expect(mebibytes(stagingNs["open-webui"].quota.limitsMemory)).toBeGreaterThanOrEqual(mebibytes("4Gi"));
  });

  it("lets Open WebUI and the model pull jobs (only) call Ollama, on 11434", () => {
    const rules = devNs.ollama.ingress;
    expect(rules.map((r) => ({ from: r.fromNamespaces, pods: r.fromPods, cidrs: r.fromCidrs, ports: r.ports }))).toEqual([
      { from: ["open-webui"], pods: { "app.kubernetes.io/name": "open-webui" }, cidrs: undefined, ports: [11434] },
      { from: undefined, pods: { "app.kubernetes.io/name": "ollama-model-pull" }, cidrs: undefined, ports: [11434] },
    ]);
  });

  it("lets only the declared client hosts reach Ollama, and only when its NodePort is declared", () => {
    const lan = stagingNs.ollama.ingress.filter((r) => r.fromCidrs);
    expect(lan).toEqual([expect.objectContaining({ fromCidrs: ["192.168.1.20/32"], ports: [11434] })]);
    const noPort = byName(aiNamespaces(stackConfig("staging", (raw) => { delete raw.ai.ollama.nodePort; delete raw.ai.ollama.allowedClients; })));
    expect(noPort.ollama.ingress.some((r) => r.fromCidrs)).toBe(false);
  });

  it("admits nobody from outside to Open WebUI or the Wyoming servers in dev", () => {
    for (const name of ["open-webui", "whisper", "piper", "openwakeword"]) expect(devNs[name].ingress).toEqual([]);
  });

  it("admits the declared LAN networks (directly and through K3s ServiceLB) on each Wyoming port in staging", () => {
    const ports = { whisper: 10300, piper: 10200, openwakeword: 10400 } as Record<string, number>;
    for (const [name, port] of Object.entries(ports)) {
      const rules = stagingNs[name].ingress;
      expect(rules).toHaveLength(2);
      expect(rules[0]).toMatchObject({ fromCidrs: ["192.168.1.0/24"], ports: [port] });
      expect(rules[1]).toMatchObject({
        fromNamespaces: ["kube-system"],
        fromPods: { "svccontroller.k3s.cattle.io/svcname": name, "svccontroller.k3s.cattle.io/svcnamespace": name },
        ports: [port],
      });
    }
  });

  it("lets nobody from the LAN into Open WebUI unless its plain port is declared", () => {
    expect(stagingNs["open-webui"].ingress).toEqual([]);
    const declared = byName(aiNamespaces(stackConfig("staging", (raw) => { raw.ai.lanExposure.openWebui = true; })));
    expect(declared["open-webui"].ingress.map((r) => r.ports)).toEqual([[8080], [8080]]);
    expect(declared["open-webui"].ingress[0]).toMatchObject({ fromCidrs: ["192.168.1.0/24"] });
  });

  it("needs no ServiceLB rule when the services are NodePorts", () => {
    const config = stackConfig("staging", (raw) => { raw.ai.lanExposure.serviceType = "NodePort"; });
    expect(aiIngressRules(config).whisper).toEqual([expect.objectContaining({ fromCidrs: ["192.168.1.0/24"], ports: [10300] })]);
  });

  it("writes only rules that name a source, on the services' own ports, never from monitoring", () => {
    for (const spec of [...Object.values(devNs), ...Object.values(stagingNs)]) {
      for (const rule of spec.ingress) {
        expect(() => allowIngressSpec(rule)).not.toThrow();
        expect(rule.fromNamespaces ?? []).not.toContain("monitoring");
        expect(rule.podSelector).toBeDefined();
      }
    }
  });
});

describe("declaredExposures", () => {
  it("lists nothing in dev", () => {
    expect(declaredExposures(dev)).toEqual([]);
  });

  it("lists exactly the staging Services that leave the cluster, matching their manifests", () => {
    const declared = declaredExposures(staging);
    expect(declared).toEqual([
      { namespace: "ollama", service: "ollama", type: "NodePort", port: 11434, nodePort: 31434, allowedCidrs: ["192.168.1.20/32"] },
      { namespace: "whisper", service: "whisper", type: "LoadBalancer", port: 10300, allowedCidrs: ["192.168.1.0/24"] },
      { namespace: "piper", service: "piper", type: "LoadBalancer", port: 10200, allowedCidrs: ["192.168.1.0/24"] },
      { namespace: "openwakeword", service: "openwakeword", type: "LoadBalancer", port: 10400, allowedCidrs: ["192.168.1.0/24"] },
    ]);
    for (const m of aiManifests(inputs(staging))) {
      const listed = declared.find((d) => d.service === m.svc.metadata.name);
      expect(serviceSpec(m).type).toBe(listed ? listed.type : "ClusterIP");
      expect((m.svc.metadata.annotations as Record<string, string>)[EXPOSURE_ANNOTATION]).toBe(listed ? "declared" : undefined);
    }
  });
});
