using System.Collections;
using System.CommandLine;
using System.Globalization;
using ConformanceSuite.Checks;
using ConformanceSuite.Engine;
using ConformanceSuite.Running;

namespace ConformanceSuite.Cli;

/// <summary>What the CLI runs in: its environment variables, whether stdout is a terminal, and (for tests) the check kinds.</summary>
public sealed record CliContext
{
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>stdout is a terminal: a live status line is drawn under the progress.</summary>
    public bool Interactive { get; init; }

    /// <summary>The check kinds; null for the built-in ones.</summary>
    public CheckRegistry? Checks { get; init; }

    public static CliContext FromProcess() => new()
    {
        Variables = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal),
        Interactive = !Console.IsOutputRedirected,
    };
}

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
        root.Subcommands.Add(ContractsCommand.Create(stdout, stderr));
        root.Subcommands.Add(CertifyCommand.Create(stdout, stderr, context));
        root.Subcommands.Add(VerifyCommand.Create(stdout, stderr));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"conformance: {parse.Errors[0].Message.ReplaceLineEndings(" ")} (see --help)");
            return ExitCodes.UsageOrConfiguration;
        }

        if (parse.CommandResult.Command != root)
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        }

        if (parse.Action is not null && parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version"))
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        }

        var settings = run.Settings(parse, context.Variables, context.Checks);

        try
        {
            if (parse.GetValue(list))
            {
                foreach (var (_, r) in ConformanceEngine.Plan(settings).Catalog.Requirements)
                {
                    await stdout.WriteLineAsync($"{r.Api}  {r.Id}  {r.Level,-6}  {r.Title}{(r.Waived is null ? "" : $"  (waived: {r.Waived})")}");
                }

                return ExitCodes.Conformant;
            }

            var progress = new ConsoleProgress(stdout, context.Interactive);
            var results = await ConformanceEngine.RunAsync(settings, progress);
            progress.Finish();
            await stdout.WriteAsync(TextReports.LatencyLines(results));
            await stdout.WriteAsync(TextReports.ChangeLines(results));
            await stdout.WriteLineAsync(TextReports.Summary(results));
            if (results.Target.InsecureTls)
            {
                await stdout.WriteLineAsync("conformance: TLS certificate validation was OFF for this run (--insecure)");
            }

            await stdout.WriteLineAsync($"conformance: {string.Join(", ", RunResults.ReportFiles)} are in {progress.ReportDirectory}");
            return ExitCodes.Of(results, parse.GetValue(run.AcceptIncomplete));
        }
        catch (ConfigurationException ex)
        {
            await stderr.WriteLineAsync($"conformance: {ex.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.UsageOrConfiguration;
        }
        catch (TargetUnreachableException ex)
        {
            await stderr.WriteLineAsync($"conformance: {ex.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.Unreachable;
        }
    }
}

/// <summary>
/// The console progress: every request with what it is for, every requirement as it finishes, and, on a
/// terminal, a status line with the counts so far that the other lines scroll above.
/// </summary>
internal sealed class ConsoleProgress(TextWriter stdout, bool interactive) : IRunObserver
{
    private readonly Lock gate = new();
    private RunCounts? counts;

    public string ReportDirectory { get; private set; } = "";

    public void Planned(RunPlan plan)
    {
        ReportDirectory = plan.ReportDirectory;
        Line($"conformance: {plan.Catalog.Cases.Count} cases of {string.Join(", ", plan.Catalog.Contracts.Keys)} against '{plan.TargetName}'; results in {plan.ReportDirectory}");
    }

    public void Request(Http.HttpExchange exchange, int requestCount, CheckCase? current)
    {
        lock (gate)
        {
            counts = counts is null ? null : counts with { Requests = requestCount };
            Line($"    · {exchange.Purpose} -> {exchange.Status?.ToString(CultureInfo.InvariantCulture) ?? exchange.Error} (request {requestCount})");
        }
    }

    public void CaseFinished(CaseOutcome outcome, RunCounts counts)
    {
        lock (gate)
        {
            this.counts = counts;
            Status();
        }
    }

    public void RequirementFinished(RequirementResult requirement) => Line(TextReports.Requirement(requirement).TrimEnd());

    /// <summary>Clears the status line before the summary.</summary>
    public void Finish()
    {
        if (interactive)
        {
            lock (gate)
            {
                stdout.Write("\r\u001b[2K");
                stdout.Flush();
            }
        }
    }

    private void Line(string text)
    {
        lock (gate)
        {
            if (interactive)
            {
                stdout.Write("\r\u001b[2K");
            }

            stdout.WriteLine(text);
            Status();
        }
    }

    private void Status()
    {
        if (!interactive || counts is null)
        {
            return;
        }

        var v = counts.Verdicts;
        stdout.Write($"\r\u001b[2K[{counts.CasesDone}/{counts.CasesTotal} cases] {v[Verdict.Pass]} pass · {v[Verdict.Fail]} fail · {v[Verdict.Deviation]} deviation · "
                     + $"{v[Verdict.Skipped]} skipped · {v[Verdict.Error]} error · {counts.Requests} requests · {counts.Elapsed.TotalSeconds:0.0} s");
        stdout.Flush();
    }
}
