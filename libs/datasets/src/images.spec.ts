import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImage } from './images';
import { tempDir, writeImage, writeTruncatedJpeg } from './fixtures/source-files';

describe('checkImage', () => {
  it('accepts good images, finds truncation only when decoding, and rejects non-images in every checking mode', async () => {
    const dir = tempDir('images');
    const good = join(dir, 'good.png');
    await writeImage(good, 3, 32, 32);
    const truncatedJpeg = join(dir, 'cut.jpg');
    await writeTruncatedJpeg(truncatedJpeg);
    const truncatedPng = join(dir, 'cut.png');
    await writeImage(truncatedPng, 5, 64, 64);
    writeFileSync(truncatedPng, readFileSync(truncatedPng).subarray(0, 120));
    const garbage = join(dir, 'garbage.jpg');
    writeFileSync(garbage, 'this is not an image');

    expect(await checkImage(good, 'decode')).toBeNull();
    expect(await checkImage(good, 'header')).toBeNull();
    expect(await checkImage(truncatedJpeg, 'decode')).not.toBeNull();
    expect(await checkImage(truncatedPng, 'decode')).not.toBeNull();
    // The header of a truncated file still reads: this is why decode is the default.
    expect(await checkImage(truncatedJpeg, 'header')).toBeNull();
    expect(await checkImage(garbage, 'header')).toMatch(/unsupported image format/);
    expect(await checkImage(garbage, 'none')).toBeNull();
  });
});
