/** `npm run bench`: the benchmark cases. Filled in by the benchmark work; see docs/benchmarks.md. */
console.log('no benchmark cases yet');
