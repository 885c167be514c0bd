// A small ustar reader and writer: enough to read a Helm chart (.tgz) or `git archive` output and to
// build test charts, with node:zlib for the gzip layer. No dependency, no extraction to disk unless
// asked, and entry names are checked so an archive cannot write outside its target directory.
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";

export interface TarEntry {
  name: string;
  /** "file", "directory", "symlink" or "other" (hard links, devices, ...). */
  kind: "file" | "directory" | "symlink" | "other";
  mode: number;
  data: Buffer;
  /** Target of a symbolic link. */
  linkName?: string;
}

const BLOCK = 512;

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("utf8");
}

function octal(header: Buffer, offset: number, length: number): number {
  // GNU base-256 for sizes above 8 GiB: high bit set on the first byte.
  if (header[offset] & 0x80) {
    let value = 0;
    for (let i = offset + 1; i < offset + length; i++) value = value * 256 + header[i];
    return value;
  }
  const text = field(header, offset, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

/** Parses PAX extended header records ("<len> <key>=<value>\n"). */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(data.subarray(pos, space).toString("ascii"), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Reads every entry of an uncompressed tar archive. */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  while (pos + BLOCK <= archive.length) {
    const header = archive.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const checksum = octal(header, 148, 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    if (sum !== checksum) throw new Error(`tar: bad header checksum at offset ${pos}`);

    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const data = archive.subarray(pos + BLOCK, pos + BLOCK + size);
    pos += BLOCK + Math.ceil(size / BLOCK) * BLOCK;

    if (type === "L") {
      longName = data.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    if (type === "x") {
      pax = { ...pax, ...paxRecords(data) };
      continue;
    }
    if (type === "g") continue; // global PAX header (git archive writes the commit id here)

    const magic = field(header, 257, 6);
    const prefix = magic.startsWith("ustar") ? field(header, 345, 155) : "";
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    const linkName = pax.linkpath ?? field(header, 157, 100);
    const kind = type === "0" || type === "\0" || type === "7" ? "file" : type === "5" ? "directory" : type === "2" ? "symlink" : "other";
    entries.push({ name, kind, mode: octal(header, 100, 8), data: Buffer.from(data), linkName: kind === "symlink" ? linkName : undefined });
    longName = undefined;
    pax = {};
  }
  return entries;
}

/** Reads a gzip-compressed tar archive (.tgz). */
export function readTgz(archive: Buffer): TarEntry[] {
  return readTar(zlib.gunzipSync(archive));
}

export interface TarInput {
  name: string;
  data?: string | Buffer;
  kind?: "file" | "directory";
  mode?: number;
}

function writeString(header: Buffer, value: string, offset: number, length: number): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar: "${value}" does not fit in ${length} bytes`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  writeString(header, value.toString(8).padStart(length - 1, "0"), offset, length - 1);
}

/** Writes a ustar archive (names longer than 100 bytes use a PAX header). */
export function writeTar(inputs: TarInput[]): Buffer {
  const blocks: Buffer[] = [];
  const headerFor = (name: string, size: number, type: string, mode: number): Buffer => {
    const header = Buffer.alloc(BLOCK);
    writeString(header, name.slice(0, 100), 0, 100);
    writeOctal(header, mode, 100, 8);
    writeOctal(header, 0, 108, 8);
    writeOctal(header, 0, 116, 8);
    writeOctal(header, size, 124, 12);
    writeOctal(header, 0, 136, 12);
    header.write(type, 156, "ascii");
    writeString(header, "ustar", 257, 6);
    writeString(header, "00", 263, 2);
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of header) sum += b;
    writeString(header, sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
    return header;
  };
  const pad = (data: Buffer) => Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK);
  for (const input of inputs) {
    const kind = input.kind ?? "file";
    const data = kind === "directory" ? Buffer.alloc(0) : Buffer.from(input.data ?? "");
    const name = kind === "directory" && !input.name.endsWith("/") ? `${input.name}/` : input.name;
    if (Buffer.byteLength(name) > 100) {
      const body = ` path=${name}\n`;
      // The length prefix counts its own digits: iterate until it is stable.
      let len = Buffer.byteLength(body) + 1;
      while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
      const record = `${len}${body}`;
      const paxData = Buffer.from(record, "utf8");
      blocks.push(headerFor("PaxHeader", paxData.length, "x", 0o644), paxData, pad(paxData));
    }
    blocks.push(headerFor(name, data.length, kind === "directory" ? "5" : "0", input.mode ?? (kind === "directory" ? 0o755 : 0o644)));
    if (data.length > 0) blocks.push(data, pad(data));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(blocks);
}

export function writeTgz(inputs: TarInput[]): Buffer {
  return zlib.gzipSync(writeTar(inputs));
}

/** Writes files and directories under `target`; refuses names that escape it. */
export function extractTo(entries: TarEntry[], target: string): void {
  const root = path.resolve(target);
  for (const entry of entries) {
    const dest = path.resolve(root, entry.name);
    if (dest !== root && !dest.startsWith(root + path.sep)) throw new Error(`tar: entry "${entry.name}" escapes ${root}`);
    if (entry.kind === "directory") fs.mkdirSync(dest, { recursive: true });
    else if (entry.kind === "file") {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, entry.data, { mode: entry.mode & 0o777 || 0o644 });
    } else if (entry.kind === "symlink" && entry.linkName) {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.symlinkSync(entry.linkName, dest);
    }
  }
}
