/**
 * A small pure-Node zip reader and writer (node:zlib raw deflate), enough for Lambda deployment
 * packages: stored and deflated entries, Unix modes (a `bootstrap` keeps its executable bit), no
 * ZIP64, no encryption. The reader refuses entries that would escape the extraction directory.
 */
import { createRequire } from 'node:module';

type Zlib = typeof import('node:zlib');
let zlibModule: Zlib | undefined;
/**
 * node:zlib is required on the first archive read or written: the emulator's start imports this module
 * (Lambda code) and would otherwise pay ~2 ms of its start-up for a built-in it may never use.
 */
const zlib = (): Zlib => (zlibModule ??= createRequire(import.meta.url)('node:zlib') as Zlib);

export interface ZipEntry {
  /** Path inside the archive, `/`-separated; directories end in `/`. */
  name: string;
  /** Unix mode bits (e.g. 0o755) when the archive recorded them, else undefined. */
  mode?: number;
  isDirectory: boolean;
  size: number;
  /** Decompresses (and CRC-checks) the entry. */
  read(): Buffer;
}

export class ZipError extends Error {}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;

/** Parses the central directory; throws ZipError when the buffer is not a usable zip archive. */
export function readZip(buf: Buffer): ZipEntry[] {
  if (buf.length < 22) throw new ZipError('too short to be a zip archive');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('no end of central directory record');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw new ZipError('ZIP64 archives are not supported');
  if (cdOffset + cdSize > buf.length) throw new ZipError('central directory out of bounds');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CEN_SIG) throw new ZipError('bad central directory entry');
    const madeBy = buf.readUInt16LE(p + 4) >> 8;
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (flags & 1) throw new ZipError(`${name}: encrypted entries are not supported`);
    if (method !== 0 && method !== 8) throw new ZipError(`${name}: compression method ${method} is not supported`);
    if (name.startsWith('/') || name.split(/[\\/]/).includes('..') || name.includes('\0')) throw new ZipError(`${name}: unsafe path`);
    const unixMode = madeBy === 3 ? (external >>> 16) & 0xffff : 0;
    const isDirectory = name.endsWith('/') || (unixMode & 0o170000) === 0o040000;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOC_SIG) throw new ZipError(`${name}: bad local header`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataStart + csize > buf.length) throw new ZipError(`${name}: data out of bounds`);
    entries.push({
      name,
      mode: unixMode ? unixMode & 0o7777 : undefined,
      isDirectory,
      size: usize,
      read() {
        const raw = buf.subarray(dataStart, dataStart + csize);
        let data: Buffer;
        try {
          data = method === 0 ? Buffer.from(raw) : zlib().inflateRawSync(raw, { maxOutputLength: Math.max(usize, 1) });
        } catch (err) {
          throw new ZipError(`${name}: ${(err as Error).message}`);
        }
        if (data.length !== usize) throw new ZipError(`${name}: size mismatch`);
        if (crc32(data) !== crc) throw new ZipError(`${name}: CRC mismatch`);
        return data;
      },
    });
  }
  return entries;
}

export interface ZipInput {
  name: string;
  data: Buffer | string;
  /** Unix mode bits; default 0o644. */
  mode?: number;
}

/** Builds a zip archive (deflated entries, Unix modes, fixed timestamps so equal input gives equal bytes). */
export function writeZip(files: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosTime = 0; // 00:00:00
  const dosDate = (1980 - 1980) << 9 | 1 << 5 | 1; // 1980-01-01
  for (const f of files) {
    const data = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
    const name = Buffer.from(f.name, 'utf8');
    const deflated = zlib().deflateRawSync(data);
    const stored = deflated.length >= data.length;
    const body = stored ? data : deflated;
    // The 26 bytes from "version needed" to "extra field length" are the same in the local header
    // (offset 4) and the central directory header (offset 6): written once, copied.
    const loc = Buffer.alloc(30);
    loc.writeUInt32LE(LOC_SIG, 0);
    loc.writeUInt16LE(20, 4); // version needed
    loc.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    loc.writeUInt16LE(stored ? 0 : 8, 8);
    loc.writeUInt16LE(dosTime, 10);
    loc.writeUInt16LE(dosDate, 12);
    loc.writeUInt32LE(crc32(data), 14);
    loc.writeUInt32LE(body.length, 18);
    loc.writeUInt32LE(data.length, 22);
    loc.writeUInt16LE(name.length, 26);
    loc.writeUInt16LE(0, 28); // extra field length
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(CEN_SIG, 0);
    cen.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    loc.copy(cen, 6, 4, 30);
    cen.writeUInt32LE((((f.mode ?? 0o644) | 0o100000) << 16) >>> 0, 38);
    cen.writeUInt32LE(offset, 42);
    locals.push(loc, name, body);
    centrals.push(cen, name);
    offset += loc.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD_SIG, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

let table: Uint32Array | undefined;

export function crc32(data: Buffer): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
