// Preloaded with --import: prints the process's peak resident set size (worker threads
// included) to stderr at exit, for the benchmarks to read.
process.on('exit', () => {
  process.stderr.write(`peak-rss-kib=${process.resourceUsage().maxRSS}\n`);
});
