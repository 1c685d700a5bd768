import { PNG } from 'pngjs';

/** Inside a shield: flat top, straight sides, then narrowing to a point (coordinates 0..1). */
function inShield(x: number, y: number): boolean {
  if (y < 0.12 || y > 0.9) return false;
  const half = y < 0.5 ? 0.34 : 0.34 * (1 - (y - 0.5) / 0.4);
  return Math.abs(x - 0.5) <= half;
}

function draw(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // 4×4 supersampling: smooth edges without a drawing library.
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const p = pixel((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size);
          r += p[0] * p[3];
          g += p[1] * p[3];
          b += p[2] * p[3];
          a += p[3];
        }
      const i = (py * size + px) * 4;
      // Colour weighted by coverage, so edge pixels of the white outline stay pure white.
      png.data[i] = a ? Math.round(r / a) : 0;
      png.data[i + 1] = a ? Math.round(g / a) : 0;
      png.data[i + 2] = a ? Math.round(b / a) : 0;
      png.data[i + 3] = Math.round(a / 16);
    }
  }
  return PNG.sync.write(png);
}

/** The eye-like "watch" mark in the middle of the shield. */
function inEye(x: number, y: number): boolean {
  const dx = (x - 0.5) / 0.2;
  const dy = (y - 0.45) / 0.1;
  return dx * dx + dy * dy <= 1 && !((x - 0.5) ** 2 + (y - 0.45) ** 2 <= 0.05 ** 2);
}

const memo = new Map<string, Buffer>();
const once = (name: string, make: () => Buffer) => memo.get(name) ?? memo.set(name, make()).get(name)!;

/** Color icon, 192×192: white shield with an eye on the accent color (full bleed, as Teams expects). */
export function colorIcon(): Buffer {
  return once('color', () => draw(192, (x, y) => {
    if (inShield(x, y)) return inEye(x, y) ? [70, 71, 117, 255] : [255, 255, 255, 255];
    return [70, 71, 117, 255];
  }));
}

/** Outline icon, 32×32: white on transparent only (Teams tints it). */
export function outlineIcon(): Buffer {
  return once('outline', () => draw(32, (x, y) => {
    const edge = inShield(x, y) && !inShield(0.5 + (x - 0.5) * 1.35, 0.12 + (y - 0.2) * 1.25);
    return edge || (inShield(x, y) && inEye(x, y)) ? [255, 255, 255, 255] : [255, 255, 255, 0];
  }));
}
