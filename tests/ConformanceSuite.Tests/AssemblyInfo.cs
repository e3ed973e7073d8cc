// Fixtures run side by side: most of their time is spent waiting (mocks, child processes, time limits), and
// none shares state with another: every mock listens on its own ports, every run writes to its own folder,
// and no test touches the process environment (the CLI gets its variables in a CliContext).
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]
