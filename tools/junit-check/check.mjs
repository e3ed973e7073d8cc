// Parses a junit.xml with junit2json (a JUnit consumer used by CI report tools) and prints a summary
// of what that parser understood, as JSON, for the JUnit self-test to compare with results.json.
import { readFile } from 'node:fs/promises'
import { parse } from 'junit2json'

const file = process.argv[2]
const parsed = await parse(await readFile(file, 'utf8'))
const suites = parsed.testsuite ?? []
const cases = suites.flatMap(s => (s.testcase ?? []).map(c => ({
  suite: s.name,
  name: c.name,
  classname: c.classname,
  failed: (c.failure ?? []).length > 0,
  errored: (c.error ?? []).length > 0,
  skipped: (c.skipped ?? []).length > 0,
  time: c.time,
})))
console.log(JSON.stringify({
  name: parsed.name,
  tests: parsed.tests,
  failures: parsed.failures,
  errors: parsed.errors,
  skipped: parsed.skipped,
  suites: suites.map(s => ({ name: s.name, tests: s.tests, failures: s.failures, errors: s.errors, skipped: s.skipped })),
  cases,
}))
