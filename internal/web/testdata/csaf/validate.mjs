// Runs @secvisogram/csaf-validator-lib on CSAF documents: the CSAF 2.0
// strict schema, every mandatory test and every optional test but 6.2.3
// (it asks for a CVSS score, which Docket does not hold); the informative
// tests are left aside. Usage: node validate.mjs LIBDIR FILE...
// (LIBDIR holds node_modules/@secvisogram/csaf-validator-lib). Prints one
// JSON object: per file, the tests that reported anything.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [libDir, ...files] = process.argv.slice(2)
const lib = (f) => pathToFileURL(join(libDir, 'node_modules/@secvisogram/csaf-validator-lib', f)).href
const validate = (await import(lib('validate.js'))).default
const schemaTests = await import(lib('schemaTests.js'))
const mandatoryTests = await import(lib('mandatoryTests.js'))
const optionalTests = await import(lib('optionalTests.js'))

const tests = [
  schemaTests.csaf_2_0_strict,
  ...Object.values(mandatoryTests),
  ...Object.entries(optionalTests)
    .filter(([name]) => name !== 'optionalTest_6_2_3')
    .map(([, t]) => t),
]

const out = { tests: tests.length, files: {} }
for (const file of files) {
  const doc = JSON.parse(readFileSync(file, 'utf8'))
  const result = await validate(tests, doc)
  out.files[file] = {
    isValid: result.isValid,
    findings: result.tests
      .filter((t) => t.errors.length || t.warnings.length || t.infos.length)
      .map((t) => ({ name: t.name, errors: t.errors, warnings: t.warnings, infos: t.infos })),
  }
}
console.log(JSON.stringify(out))
