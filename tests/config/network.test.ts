import { hasHostBits, networkOf, nodeAddress } from "../../components/config/network";

describe("node network helpers", () => {
  it("finds host bits in either family, comparing numbers rather than spellings", () => {
    expect(hasHostBits("192.168.1.0/24")).toBe(false);
    expect(hasHostBits("192.168.1.7/24")).toBe(true);
    expect(hasHostBits("192.168.1.7/32")).toBe(false);
    expect(hasHostBits("fd00::/64")).toBe(false);
    expect(hasHostBits("fd00:0:0:0::/64")).toBe(false);
    expect(hasHostBits("fd00::1/64")).toBe(true);
  });

  it("suggests the network address", () => {
    expect(networkOf("10.1.2.3/8")).toBe("10.0.0.0/8");
    expect(networkOf("fd00::1/64")).toBe("fd00:0:0:0:0:0:0:0/64");
    expect(networkOf("not-a-cidr")).toBeUndefined();
  });

  it("takes a node's address from nodeIp, else from an IP host, never from a name", () => {
    expect(nodeAddress({ host: "10.0.0.5", nodeIp: "192.168.1.5" })).toBe("192.168.1.5");
    expect(nodeAddress({ host: "10.0.0.5" })).toBe("10.0.0.5");
    expect(nodeAddress({ host: "node.lan" })).toBeUndefined();
  });
});
