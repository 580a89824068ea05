// pngjs ships no type declarations (and @types/pngjs is not a dependency): the part of its API synthfer uses.
declare module 'pngjs' {
  export interface PackerOptions {
    /** 0 greyscale, 2 RGB, 4 grey + alpha, 6 RGBA (output). */
    colorType?: 0 | 2 | 4 | 6;
    /** Layout of `data` given to write: same codes as colorType. */
    inputColorType?: 0 | 2 | 4 | 6;
    inputHasAlpha?: boolean;
    bitDepth?: 8 | 16;
    /** Row filter: 0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth; -1 (default) picks per row. */
    filterType?: number | number[];
    deflateLevel?: number;
    deflateStrategy?: number;
  }
  export interface PNGImage {
    width: number;
    height: number;
    /** Decoded: RGBA bytes, row-major. To write: pixels in `inputColorType` layout. */
    data: Buffer;
  }
  export class PNG implements PNGImage {
    width: number;
    height: number;
    data: Buffer;
    static sync: {
      read(buffer: Buffer): PNGImage;
      write(png: PNGImage, options?: PackerOptions): Buffer;
    };
  }
}
