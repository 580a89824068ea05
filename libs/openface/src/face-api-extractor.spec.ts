/**
 * The embedded extractor on the real photos shipped with @vladmandic/face-api. The expected face counts were checked by
 * eye on the annotated images (libs/openface/scripts/faceapi-samples.ts; docs/images/faceapi-sample.png): sample1 shows
 * three people, sample5 five, every face visible. Measured on the 2-core machine: ~0.2 s to load the models, 0.3-0.7 s
 * per 1920-px photo on the wasm backend; this file takes ~3-5 s.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { FaceApiExtractor } from './face-api-extractor';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const dir = mkdtempSync(join(tmpdir(), 'faceapi-'));

describe('face-api extractor (wasm) on the package\'s real photos', () => {
  it('finds every face of sample1 (3) and sample5 (5), with 68 points inside each face box', async () => {
    const extractor = await FaceApiExtractor.create();
    expect(extractor.version).toMatchObject({ extractor: 'face-api', backend: 'wasm', detector: 'ssd_mobilenetv1' });
    for (const [photo, expected] of [['sample1.jpg', 3], ['sample5.jpg', 5]] as const) {
      const faces = await extractor.detect(join(demo, photo));
      expect(faces.filter((f) => f.score >= 0.5).length, photo).toBe(expected);
      for (const f of faces) {
        const { x, y, width, height } = f.box;
        let inside = 0;
        for (let i = 0; i < 68; i++) {
          const px = f.landmarks[i];
          const py = f.landmarks[68 + i];
          if (px >= x - 0.15 * width && px <= x + 1.15 * width && py >= y - 0.15 * height && py <= y + 1.15 * height) inside++;
        }
        expect(inside, `${photo} face at ${x.toFixed(0)},${y.toFixed(0)}`).toBeGreaterThanOrEqual(64);
        // a real face's points are spread over the box, not collapsed
        const xs = Array.from(f.landmarks.slice(0, 68));
        expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(0.5 * width);
      }
    }
  });

  it('gives statuses: ok on a grey face crop (points in crop pixels), no-face on a blank image, unreadable on a broken file', async () => {
    const extractor = await FaceApiExtractor.create({ faceBox: 'detect' });
    const photo = join(demo, 'sample5.jpg');
    const [face] = await extractor.detect(photo);
    const m = 0.3;
    const left = Math.max(0, Math.round(face.box.x - m * face.box.width));
    const top = Math.max(0, Math.round(face.box.y - m * face.box.height));
    const width = Math.round((1 + 2 * m) * face.box.width);
    const height = Math.round((1 + 2 * m) * face.box.height);
    const crop = join(dir, 'crop.png');
    await sharp(photo).extract({ left, top, width, height }).greyscale().png().toFile(crop); // single-channel PNG
    const ok = await extractor.extract(crop, 0.5);
    expect(ok.status).toBe('ok');
    expect(ok.au).toBeNull(); // face-api has no AU model
    // the same nose tip (point 30) as in the full photo, shifted by the crop offset (a few pixels of model noise)
    expect(Math.abs(ok.landmarks![30] - (face.landmarks[30] - left))).toBeLessThan(0.08 * face.box.width);
    expect(Math.abs(ok.landmarks![68 + 30] - (face.landmarks[68 + 30] - top))).toBeLessThan(0.08 * face.box.height);

    const blank = join(dir, 'blank.png');
    await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 90, g: 90, b: 90 } } }).png().toFile(blank);
    expect(await extractor.extract(blank, 0.5)).toMatchObject({ status: 'no-face', landmarks: null });

    const broken = join(dir, 'broken.jpg');
    writeFileSync(broken, 'not an image');
    const bad = await extractor.extract(broken, 0.5);
    expect(bad.status).toBe('unreadable');
    expect(bad.reason).toBeTruthy();
  });

  it('reads a small aligned face crop with the landmark net on the whole image (auto mode), close to the detected points', async () => {
    const detectMode = await FaceApiExtractor.create({ faceBox: 'detect' });
    const auto = await FaceApiExtractor.create();
    const photo = join(demo, 'sample1.jpg');
    const [face] = await detectMode.detect(photo);
    // a square crop around the detected box, scaled to 96 px like an aligned dataset image
    const side = Math.round(1.2 * Math.max(face.box.width, face.box.height));
    const left = Math.round(face.box.x + face.box.width / 2 - side / 2);
    const top = Math.round(face.box.y + face.box.height / 2 - side / 2);
    const crop = join(dir, 'aligned.png');
    await sharp(photo).extract({ left, top, width: side, height: side }).resize(96, 96).png().toFile(crop);
    expect(await auto.isCrop(crop)).toBe(true);
    const res = await auto.extract(crop, 0.5);
    expect(res).toMatchObject({ status: 'ok', wholeImage: true, faces: 1 });
    expect(Number.isNaN(res.confidence)).toBe(true);
    const scale = 96 / side;
    let err = 0;
    for (let i = 0; i < 68; i++) {
      err += Math.hypot(res.landmarks![i] - (face.landmarks[i] - left) * scale, res.landmarks![68 + i] - (face.landmarks[68 + i] - top) * scale);
    }
    // mean point distance under 6% of the crop side (~6 px of 96): the same face shape, read without a detector
    expect(err / 68).toBeLessThan(0.06 * 96);
    expect(await auto.isCrop(photo)).toBe(false);
  });
});
