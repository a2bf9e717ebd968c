import { deflateSync } from "node:zlib";

/**
 * A landscape picture (sky, sun, two hills) as PNG bytes, drawn here so the
 * test needs no image file: the article's photo is uploaded to Kiosque's
 * media library and served by it, variants and credit included.
 */
export function landscapePng(width = 1200, height = 675): Uint8Array<ArrayBuffer> {
  const rows: Buffer[] = [];
  const sun = { x: width * 0.72, y: height * 0.3, r: height * 0.09 };
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    row[0] = 0; // no filter
    for (let x = 0; x < width; x++) {
      const far = height * (0.62 + 0.06 * Math.sin(x / 140));
      const near = height * (0.74 + 0.05 * Math.sin(x / 90 + 2));
      let rgb: [number, number, number];
      if (y > near) {
        rgb = [70, 120 + (y % 7), 60];
      } else if (y > far) {
        rgb = [110, 150, 95];
      } else if (Math.hypot(x - sun.x, y - sun.y) < sun.r) {
        rgb = [250, 220, 120];
      } else {
        const t = y / far;
        rgb = [Math.round(120 + 90 * t), Math.round(170 + 60 * t), Math.round(230 - 10 * t)];
      }
      row.set(rgb, 1 + x * 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // truecolour
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  return Uint8Array.from(png);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([length, body, crc]);
}

const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c = (TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
