import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { sharedPath } from './shared.js';

const STIX_SCHEMAS = () => sharedPath('standards/stix2.1-json-schemas/schemas');

/** Compiles the STIX 2.1 schemas, which refer to each other by $ref relative to their $id. */
export function stixBundleValidator() {
  // The schemas' patterns use escapes such as \- that are invalid under the regex "u" flag.
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  for (const folder of ['common', 'sdos', 'sros', 'observables']) {
    for (const file of readdirSync(join(STIX_SCHEMAS(), folder))) {
      ajv.addSchema(JSON.parse(readFileSync(join(STIX_SCHEMAS(), folder, file), 'utf8')) as object);
    }
  }
  const bundle = ajv.getSchema('http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/bundle.json')!;
  const byType = (type: string) => {
    for (const folder of ['sdos', 'sros', 'observables']) {
      const validate = ajv.getSchema(`http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/${folder}/${type}.json`);
      if (validate) return validate;
    }
    throw new Error(`No STIX schema for object type ${type}`);
  };
  return { bundle, byType };
}

