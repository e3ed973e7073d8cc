using System.CommandLine;
using ConformanceSuite.Engine;
using ConformanceSuite.Running;

namespace ConformanceSuite.Cli;

/// <summary>
/// The <c>conformance</c> command: turns its options into run settings and calls the engine in this
/// process, printing every request and every requirement as the run goes.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CliContext? context = null)
    {
        context ??= CliContext.FromProcess();
        var run = new RunOptions();
        var list = new Option<bool>("--list") { Description = "list the selected requirements and exit" };
        var root = new RootCommand("ConformanceSuite: certifies that a provider behaves as its API documentation says.");
        foreach (var option in run.All)
        {
            root.Options.Add(option);
        }

        root.Options.Add(list);
        OpenApiCommand.AddTo(root, stdout, stderr);
        root.Subcommands.Add(ContractsCommand.Create(stdout));
        root.Subcommands.Add(CertifyCommand.Create(stdout, stderr, context));
        root.Subcommands.Add(VerifyCommand.Create(stdout));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"conformance: {parse.Errors[0].Message.ReplaceLineEndings(" ")} (see --help)");
            return ExitCodes.UsageOrConfiguration;
        }

        if (parse.UnmatchedTokens.Count > 0)
        {
            // With --help or --version the parser reports no error for an argument it does not know, and its action
            // would print and exit 0: a typo in a script's command line passes unseen.
            await stderr.WriteLineAsync($"conformance: unrecognized argument '{parse.UnmatchedTokens[0]}' (see --help)");
            return ExitCodes.UsageOrConfiguration;
        }

        try
        {
            if (parse.CommandResult.Command != root
                || (parse.Action is not null && parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version")))
            {
                // A subcommand's error is this method's to report, as the main run's: one line, never System.CommandLine's stack trace.
                return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            }

            var settings = run.Settings(parse, context.Variables, context.Checks);
            if (parse.GetValue(list))
            {
                foreach (var (_, r) in ConformanceEngine.Plan(settings).Catalog.Requirements)
                {
                    await stdout.WriteLineAsync($"{r.Api}  {r.Id}  {r.Level,-6}  {r.Title}{(r.Waived is null ? "" : $"  (waived: {r.Waived})")}");
                }

                return ExitCodes.Conformant;
            }

            var progress = new ConsoleProgress(stdout, context.Interactive);
            using var interrupts = new Interrupts(stderr);
            var results = await ConformanceEngine.RunAsync(settings with { Interrupt = interrupts.Token }, progress);
            progress.Finish();
            await stdout.WriteAsync(TerminalText.Safe(TextReports.LatencyLines(results)));
            await stdout.WriteAsync(TerminalText.Safe(TextReports.ChangeLines(results)));
            await stdout.WriteLineAsync(TerminalText.Safe(TextReports.Summary(results)));
            if (results.Target.InsecureTls)
            {
                await stdout.WriteLineAsync("conformance: TLS certificate validation was OFF for this run (--insecure)");
            }

            await stdout.WriteLineAsync($"conformance: {string.Join(", ", RunResults.ReportFiles)} are in {progress.ReportDirectory}");
            return interrupts.Signal is null ? ExitCodes.Of(results, parse.GetValue(run.AcceptIncomplete)) : interrupts.ExitCode;
        }
        catch (Exception ex)
        {
            return await ExitCodes.ReportAsync(stderr, ex);
        }
    }
}
