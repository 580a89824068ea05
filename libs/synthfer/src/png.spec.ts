import sharp from 'sharp';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DOMAINS } from './domains';
import { faceRng, sampleFace } from './face-sample';
import { encodePngGray } from './png';
import { renderFace } from './render';

describe('encodePngGray', () => {
  it('decodes, with sharp and with pngjs, to exactly the rendered pixels (so training sees the same images)', async () => {
    const spec = DOMAINS['raf-syn'];
    for (const [i, size] of [[0, 64], [1, 48], [2, 32]] as const) {
      const px = renderFace(sampleFace(3, spec, 'train', i, size), size, faceRng(3, 'raf-syn', 'train', i, 'render'));
      const png = encodePngGray(px, size, size);
      // The same sharp chain the model's image cache decodes with (libs/models decodeGray), at the native size.
      const { data, info } = await sharp(png).removeAlpha().grayscale().resize(size, size, { fit: 'fill' }).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([size, size, 1]);
      expect(Buffer.compare(data, Buffer.from(px))).toBe(0);
      const back = PNG.sync.read(png);
      expect(Uint8Array.from({ length: size * size }, (_, j) => back.data[j * 4])).toEqual(px);
    }
  });

  it('writes an 8-bit greyscale PNG and refuses a pixel count that does not match the size', () => {
    const png = encodePngGray(new Uint8Array([0, 255, 128, 7, 9, 250]), 3, 2);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]]).toEqual([3, 2, 8, 0]);
    expect(() => encodePngGray(new Uint8Array(5), 3, 2)).toThrow('encodePngGray: pixels must hold 3x2 = 6 bytes, but got 5');
  });
});
