/**
 * Draws faces (box, 68 landmarks, score) over an image, for visual checks of an extractor (docs/images/faceapi-*.png).
 */
import sharp from 'sharp';

/** A face to draw: box and points in image pixels. */
export interface FaceToDraw {
  box?: { x: number; y: number; width: number; height: number };
  /** x_0..x_67 then y_0..y_67. */
  landmarks: ArrayLike<number>;
  /** Written above the box (e.g. the detection score). */
  label?: string;
  /** Colour of the points (CSS). Default #ff2d55. */
  color?: string;
}

/**
 * Renders `faces` over the image at `path` and returns a PNG.
 * @param maxWidth the output is scaled down to at most this width (pixels); default 960.
 */
export async function drawLandmarks(path: string, faces: readonly FaceToDraw[], maxWidth = 960): Promise<Buffer> {
  const meta = await sharp(path).rotate().metadata();
  const width = meta.autoOrient?.width ?? meta.width ?? 1;
  const height = meta.autoOrient?.height ?? meta.height ?? 1;
  const r = Math.max(2, Math.round(width / 400));
  const parts: string[] = [];
  for (const f of faces) {
    if (f.box) {
      parts.push(`<rect x="${f.box.x}" y="${f.box.y}" width="${f.box.width}" height="${f.box.height}" fill="none" stroke="#00e0ff" stroke-width="${r}"/>`);
      if (f.label) parts.push(`<text x="${f.box.x}" y="${f.box.y - 2 * r}" font-size="${12 * r}" font-family="sans-serif" fill="#00e0ff">${f.label}</text>`);
    }
    const n = f.landmarks.length / 2;
    for (let i = 0; i < n; i++) parts.push(`<circle cx="${f.landmarks[i]}" cy="${f.landmarks[n + i]}" r="${r}" fill="${f.color ?? '#ff2d55'}"/>`);
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`);
  const composed = await sharp(path).rotate().composite([{ input: svg, top: 0, left: 0 }]).png().toBuffer();
  return sharp(composed).resize({ width: Math.min(maxWidth, width) }).png().toBuffer();
}
