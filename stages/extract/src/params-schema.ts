/**
 * JSON Schema of the extract stage's parameters: the only home of each one's meaning, range and default. The executor
 * and `alsg extract` apply it (applyParamsSchema); pipelines/schema.json is composed from it.
 */
import { EXTRACTORS } from '@ldl-alsg/openface';

export const extractParamsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    extractor: {
      enum: [...EXTRACTORS],
      default: 'openface-csv',
      description:
        'openface: run OpenFace FaceLandmarkImg on the images; openface-csv: read OpenFace CSVs made elsewhere (<csvDir>/<id>.csv; the synthetic benchmark writes them); face-api: embedded detector + 68 landmarks, no AUs (au.npy all NaN).',
    },
    openfaceBin: { type: 'string', default: '', description: 'openface: path of FaceLandmarkImg or of the OpenFace bin folder. Empty: OPENFACE_BIN, OPENFACE_DIR, then PATH.' },
    openfaceArgs: { type: 'array', items: { type: 'string' }, default: [], description: 'openface: extra OpenFace flags after -2Dfp -aus, e.g. ["-wild"].' },
    csvDir: { type: 'string', default: '', description: 'openface-csv: folder of the CSVs for every dataset. Empty: <ingest dir>/openface per dataset.' },
    csvName: { enum: ['id', 'stem'], default: 'id', description: 'openface-csv: CSV named after the manifest id (default) or the image file stem (OpenFace\'s own naming).' },
    timeoutS: { type: 'number', exclusiveMinimum: 0, default: 30, description: 'openface: seconds allowed per image in one OpenFace call.' },
    minConfidence: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Faces below this confidence (OpenFace confidence / face-api score) get status low-confidence.' },
    batchSize: { type: 'integer', minimum: 1, default: 32, description: 'openface: images per FaceLandmarkImg call.' },
    faceBox: {
      enum: ['auto', 'detect', 'whole-image'],
      default: 'auto',
      description:
        'face-api: detect (SSD detector, for photos and full frames), whole-image (the image is an aligned face crop: landmark net on all of it, no confidence), auto (whole-image for images of at most 200 px a side, else detect).',
    },
    concurrency: { type: 'integer', minimum: 1, default: 1, description: 'openface: OpenFace processes run at the same time (about one core each).' },
    sequences: { type: 'boolean', default: false, description: 'openface: images sharing a folder are one video sequence, run with FeatureExtraction (CK+, MMI, Oulu frames).' },
    maxFailedShare: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0.05,
      description:
        'openface, openface-csv: largest share of rows whose OpenFace CSV exists but cannot be parsed (missing column, bad number) before the stage fails; below it those rows are unreadable with the reason. The stage also fails when no CSV can be parsed at all.',
    },
  },
};
