// The offline engine answers a registration without building a protobuf message: the SDK must read
// back exactly what the engine's RegisterResourceResponse would give it, key order included (an
// apply that iterates or stringifies an output object sees that order).
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { registerResponse } from "../../tools/lib/recorder";

describe("the offline engine's answer to a registration", () => {
  const outputs = {
    zeta: 1,
    metadata: { name: "grafana", labels: { "app.kubernetes.io/name": "grafana", app: "x" }, annotations: {} },
    spec: { ports: [{ port: 443, name: "https" }, { port: 80, name: "http" }], selector: null },
    "10": "ten",
    "9": "nine",
    B: true,
    secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "s3cr3t" },
  };

  function engineResponse(): resproto.RegisterResourceResponse {
    const response = new resproto.RegisterResourceResponse();
    response.setUrn("urn:pulumi:dev::homelab::kubernetes:core/v1:Service::grafana");
    response.setId("grafana-id");
    response.setObject(structproto.Struct.fromJavaScript(outputs as Record<string, structproto.JavaScriptValue>));
    return response;
  }

  it("reads back as the engine's protobuf response does, key order included", () => {
    const ours = registerResponse("urn:pulumi:dev::homelab::kubernetes:core/v1:Service::grafana", "grafana-id", outputs);
    const engine = engineResponse();
    const read = (r: typeof ours | resproto.RegisterResourceResponse) => ({
      urn: r.getUrn(),
      id: r.getId(),
      result: r.getResult(),
      unknown: r.getUnknown(),
      outputs: JSON.stringify(r.getObject()!.toJavaScript()),
    });
    expect(read(ours)).toEqual(read(engine));
    // A meaningful check: the outputs as written are in another order.
    expect(JSON.stringify(outputs)).not.toBe(read(engine).outputs);
    // No property dependencies either way: the SDK skips an absent map (`if (rpcDeps)`) and an empty one alike.
    expect(engine.getPropertydependenciesMap().getLength()).toBe(0);
    expect(ours.getPropertydependenciesMap()).toBeUndefined();
  });

  it("hands the SDK a copy: what it reads cannot change what the engine recorded", () => {
    const read = registerResponse("urn", "id", outputs).getObject().toJavaScript() as typeof outputs;
    read.metadata.labels.app = "changed";
    expect(outputs.metadata.labels.app).toBe("x");
  });
});
