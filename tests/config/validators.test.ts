import * as fc from "fast-check";
import { validators as v } from "../../components/config";

describe("validators", () => {
  it("accepts every IPv4 and IPv6 literal as an address", () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => v.isAddress(ip) && v.isIpAddress(ip)));
    fc.assert(fc.property(fc.ipV6(), (ip) => v.isAddress(ip) && v.isIpAddress(ip)));
  });

  it("accepts hostnames and refuses malformed addresses", () => {
    expect(v.isAddress("pgmac01.home.arpa")).toBe(true);
    expect(v.isAddress("yeezyai")).toBe(true);
    for (const bad of ["300.1.1.1", "10.0.0", "-bad.lan", "a..b", "host name", "", "x".repeat(64)]) {
      expect(v.isAddress(bad)).toBe(false);
    }
  });

  it("checks CIDR prefix lengths against the address family", () => {
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, bits) => v.isCidr(`${ip}/${bits}`)));
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 33, max: 999 }), (ip, bits) => !v.isCidr(`${ip}/${bits}`)));
    expect(v.isCidr("fd00::/64")).toBe(true);
    expect(v.isCidr("192.168.1.0")).toBe(false);
  });

  it("takes ingress names as lowercase DNS names of two or more labels, and tells which lie under a domain", () => {
    for (const good of ["lab.home.arpa", "ai.lab.home.arpa", "a-1.example.org"]) expect(v.isDnsName(good)).toBe(true);
    for (const bad of ["lab", "*.lab.home.arpa", "Lab.home.arpa", "lab.home.arpa.", "a..b", "-a.b", "10.0.0.1", `${"x".repeat(64)}.org`]) {
      expect(v.isDnsName(bad)).toBe(false);
    }
    expect(v.isUnderDomain("ai.lab.home.arpa", "lab.home.arpa")).toBe(true);
    expect(v.isUnderDomain("lab.home.arpa", "lab.home.arpa")).toBe(true);
    expect(v.isUnderDomain("evillab.home.arpa", "lab.home.arpa")).toBe(false);
    expect(v.isUnderDomain("lab.home.arpa.evil.org", "lab.home.arpa")).toBe(false);
  });

  it("knows the names no public CA issues for", () => {
    for (const name of ["lab.home.arpa", "home.arpa", "nas.local", "x.internal", "lab.lan", "a.test"]) expect(v.isNonPublicDomain(name)).toBe(true);
    for (const name of ["lab.example.org", "arpa.net", "mylan.com", "localnet.org"]) expect(v.isNonPublicDomain(name)).toBe(false);
  });

  it("only accepts pinned K3s releases", () => {
    expect(v.isPinnedK3sVersion("v1.36.3+k3s1")).toBe(true);
    for (const bad of ["stable", "latest", "v1.36", "1.36.3+k3s1", "v1.36.3", "v1.36.3-rc1+k3s1"]) {
      expect(v.isPinnedK3sVersion(bad)).toBe(false);
    }
  });

  it("parses taints in K3s form", () => {
    expect(v.parseTaint("nvidia.com/gpu=present:NoSchedule")).toEqual({ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" });
    expect(v.parseTaint("dedicated:NoExecute")).toEqual({ key: "dedicated", value: undefined, effect: "NoExecute" });
    expect(v.parseTaint("dedicated=x")).toBeUndefined();
    expect(v.parseTaint("a=b:Never")).toBeUndefined();
  });

  it("validates sizes and retention", () => {
    expect(v.isByteQuantity("50Gi")).toBe(true);
    expect(v.isByteQuantity("50GB")).toBe(false);
    expect(v.isRetention("744h")).toBe(true);
    expect(v.isRetention("30 days")).toBe(false);
  });

  it("knows which node labels the kubelet may set", () => {
    expect(v.isKubeletSettableLabel("homelab.dev/class")).toBe(true);
    expect(v.isKubeletSettableLabel("node.kubernetes.io/instance-type")).toBe(true);
    expect(v.isKubeletSettableLabel("node-role.kubernetes.io/worker")).toBe(false);
    expect(v.isKubeletSettableLabel("topology.kubernetes.io/zone")).toBe(true);
    expect(v.isKubeletSettableLabel("k8s.io/anything")).toBe(false);
  });

  it("applies the S3 bucket naming rules", () => {
    for (const good of ["abc", "lab-etcd", "lab.etcd.backups", "a".repeat(63), "0bucket9"]) expect(v.isS3BucketName(good)).toBe(true);
    for (const bad of ["ab", "a".repeat(64), "Lab", "lab_etcd", "-lab", "lab-", "lab..etcd", "192.168.1.10",
      "xn--lab", "sthree-lab", "amzn-s3-demo-lab", "lab-s3alias", "lab--ol-s3", "lab.mrap", "lab--x-s3", "lab--table-s3"]) {
      expect(v.isS3BucketName(bad)).toBe(false);
    }
  });

  it("accepts key-prefix folders and host[:port] endpoints", () => {
    for (const good of ["k3s", "k3s/staging", "a.b_c-d/e"]) expect(v.isS3Folder(good)).toBe(true);
    for (const bad of ["", "/k3s", "k3s/", "k3s//x", "k3s/../x", "k 3s"]) expect(v.isS3Folder(bad)).toBe(false);
    for (const good of ["s3.eu-west-1.amazonaws.com", "minio.home.arpa:9000", "10.0.0.5:9000", "[fd00::5]:9000", "minio"]) {
      expect(v.isHostPort(good)).toBe(true);
    }
    for (const bad of ["https://minio", "minio:0", "minio:65536", "fd00::5", "[10.0.0.5]:9000", "minio/path", ""]) expect(v.isHostPort(bad)).toBe(false);
  });
});

describe("CIDR arithmetic", () => {
  it("finds overlaps and containment in IPv4 and IPv6, never across families", () => {
    expect(v.cidrsOverlap("10.42.0.0/16", "10.43.0.0/16")).toBe(false);
    expect(v.cidrsOverlap("10.0.0.0/8", "10.43.0.0/16")).toBe(true);
    expect(v.cidrsOverlap("fd00::/8", "fd12:3::/64")).toBe(true);
    expect(v.cidrsOverlap("10.0.0.0/8", "fd00::/8")).toBe(false);
    expect(v.cidrContains("10.42.0.0/16", "10.42.255.255")).toBe(true);
    expect(v.cidrContains("10.42.0.0/16", "10.43.0.0")).toBe(false);
    expect(v.cidrContains("fd00::/64", "fd00::ffff:1")).toBe(true);
    expect(v.cidrContains("fd00::/64", "fd00:0:0:1::1")).toBe(false);
    expect(v.cidrContains("::ffff:0:0/96", "::ffff:10.0.0.1")).toBe(true);
    expect(v.cidrContains("10.0.0.0/8", "fd00::1")).toBe(false);
  });
});
