// The AI settings the config layer validates for this layer: wake words openWakeWord 2.x really
// has, and an autoscaled Piper only where metrics-server runs.
import { ConfigError, OPEN_WAKE_WORD_MODELS, parseSettings } from "../../components/config";
import { openWebuiSecretsFrom, pickAiNamespaces } from "../../components/ai";
import type { LabNamespace } from "../../components/namespaces";
import { rawStack, stackConfig } from "./fixtures";

function problems(edit: (raw: Record<string, any>) => void): string[] {
  const raw = rawStack("dev");
  edit(raw);
  try {
    parseSettings(raw);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe("wake word config", () => {
  it("defaults to okay_nabu, the name 2.x uses", () => {
    expect(stackConfig("dev", (raw) => { delete raw.ai.openWakeWord; }).ai.openWakeWord.wakeWords).toEqual(["okay_nabu"]);
  });

  it("refuses the pre-2.0 name with a hint at the rename", () => {
    expect(problems((raw) => { raw.ai.openWakeWord.wakeWords = ["ok_nabu"]; })).toEqual([
      expect.stringMatching(/^homelab:ai\.openWakeWord\.wakeWords\[0\]: .*renamed "ok_nabu" to "okay_nabu"/),
    ]);
  });

  it("refuses a wake word the server does not ship, listing those it does", () => {
    const [problem] = problems((raw) => { raw.ai.openWakeWord.wakeWords = ["alexa", "hey_siri"]; });
    expect(problem).toMatch(/wakeWords\[1\]/);
    for (const name of OPEN_WAKE_WORD_MODELS) expect(problem).toContain(name);
  });

  it("accepts both stacks' wake words", () => {
    expect(stackConfig("dev").ai.openWakeWord.wakeWords).toEqual(["okay_nabu"]);
    expect(stackConfig("staging").ai.openWakeWord.wakeWords).toEqual(["alexa", "hey_jarvis"]);
  });
});

describe("Piper autoscaling config", () => {
  it("refuses an autoscaled Piper in a cluster without metrics-server", () => {
    expect(problems((raw) => {
      raw.ai.piper = { ...raw.ai.piper, minReplicas: 1, maxReplicas: 3 };
      raw.k3s.disable = ["traefik", "metrics-server"];
    })).toEqual([expect.stringMatching(/^homelab:ai\.piper\.maxReplicas: .*metrics-server/)]);
    expect(problems((raw) => { raw.k3s.disable = ["traefik", "metrics-server"]; })).toEqual([]);
  });
});

describe("wiring helpers", () => {
  it("maps the secrets layer's open-webui refs to Open WebUI's secret references", () => {
    const admin = { name: "admin", keys: ["WEBUI_ADMIN_EMAIL", "WEBUI_ADMIN_PASSWORD"] };
    const adminRefs = { email: { name: "admin", key: "WEBUI_ADMIN_EMAIL" }, password: { name: "admin", key: "WEBUI_ADMIN_PASSWORD" } };
    expect(openWebuiSecretsFrom({
      admin,
      "secret-key": { name: "secret-key", keys: ["WEBUI_SECRET_KEY"] },
      "database-url": { name: "database-url", keys: ["DATABASE_URL"] },
    })).toEqual({ secretKey: { name: "secret-key", key: "WEBUI_SECRET_KEY" }, admin: adminRefs, databaseUrl: { name: "database-url", key: "DATABASE_URL" } });
    expect(openWebuiSecretsFrom({ admin, "secret-key": { name: "secret-key", keys: ["WEBUI_SECRET_KEY"] } })).toEqual({ secretKey: { name: "secret-key", key: "WEBUI_SECRET_KEY" }, admin: adminRefs });
    expect(() => openWebuiSecretsFrom({})).toThrow(/WEBUI_SECRET_KEY/);
    // Without an administrator from the catalogue, the first person to sign up would become admin.
    expect(() => openWebuiSecretsFrom({ "secret-key": { name: "secret-key", keys: ["WEBUI_SECRET_KEY"] } })).toThrow(/WEBUI_ADMIN_EMAIL/);
  });

  it("picks the five AI namespaces by name and says which are missing", () => {
    const fake = (name: string) => ({ spec: { name } }) as unknown as LabNamespace;
    const all = Object.fromEntries(["ollama", "open-webui", "whisper", "piper", "openwakeword", "monitoring"].map((n) => [n, fake(n)]));
    expect(Object.keys(pickAiNamespaces(all)).sort()).toEqual(["ollama", "openWakeWord", "openWebui", "piper", "whisper"]);
    expect(pickAiNamespaces(all).openWebui).toBe(all["open-webui"]);
    const { piper: _p, whisper: _w, ...partial } = all;
    expect(() => pickAiNamespaces(partial)).toThrow(/whisper, piper/);
  });
});
