import { closest, describeValue, editDistance, listOf } from "../../components/config/messages";

describe("editDistance", () => {
  it("counts insertions, deletions, substitutions and swapped neighbours once each, ignoring case", () => {
    expect(editDistance("databse", "database")).toBe(1);
    expect(editDistance("lables", "labels")).toBe(1);
    expect(editDistance("observabilty", "observability")).toBe(1);
    expect(editDistance("hostkey", "hostKey")).toBe(0);
    expect(editDistance("nodes", "k3s")).toBe(4);
  });
});

describe("closest", () => {
  const keys = ["nodes", "k3s", "aws", "storage", "gpu", "database", "observability", "ai"];

  it("finds the one key a word most likely misspells", () => {
    expect(closest("databse", keys)).toBe("database");
    expect(closest("gpus", keys)).toBe("gpu");
    expect(closest("Storage", keys)).toBe("storage");
  });

  it("says nothing when nothing is near or two candidates are equally near", () => {
    expect(closest("frobnicate", keys)).toBeUndefined();
    expect(closest("ab", ["aa", "bb"])).toBeUndefined();
    expect(closest("gxyz1", keys)).toBeUndefined();
  });
});

describe("describeValue", () => {
  it("names the type and shows short values", () => {
    expect(describeValue("yes")).toBe('the string "yes"');
    expect(describeValue(3)).toBe("the number 3");
    expect(describeValue(false)).toBe("false");
    expect(describeValue(null)).toBe("an empty value");
    expect(describeValue([])).toBe("an empty list");
    expect(describeValue({ a: 1 })).toBe("a mapping");
  });

  it("never shows a private key, and only the start of a long string", () => {
    expect(describeValue("-----BEGIN RSA PRIVATE KEY-----\nMIIEow")).not.toContain("MIIEow");
    expect(describeValue("a".repeat(61))).toBe(`a 61-character string starting "${"a".repeat(24)}"`);
  });
});

describe("listOf", () => {
  it("quotes strings and joins the last with 'or'", () => {
    expect(listOf(["a"])).toBe('"a"');
    expect(listOf(["a", "b", "c"])).toBe('"a", "b" or "c"');
  });
});
