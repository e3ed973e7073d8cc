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
        var target = new Option<string>("--target") { Description = "target profile: a name under targets/ or a path (default: embedded)", DefaultValueFactory = _ => "embedded" };
        var api = new Option<string?>("--api") { Description = "API id(s), comma-separated (default: all)" };
        var filter = new Option<string?>("--filter") { Description = "requirement ids or categories (csv, pact, ...), comma-separated" };
        var reportDir = new Option<string?>("--report-dir") { Description = "where results go (default: artifacts/<time>-<target> under the current directory)" };
        var failOn = new Option<string>("--fail-on") { Description = "which verdicts besides fail and error make the run not conformant: fail or deviation", DefaultValueFactory = _ => "fail" };
        failOn.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } value && value is not ("fail" or "deviation"))
            {
                r.AddError($"--fail-on '{value}': expected fail or deviation");
            }
        });
        var fault = new Option<string?>("--fault") { Description = "embedded mock only: fault mode(s) to switch on, comma-separated" };
        var baseUrl = new Option<string?>("--base-url") { Description = $"ad-hoc target for one --api; credentials from {AdHocTarget.CredentialPrefix}<name>, test data from {AdHocTarget.DataPrefix}<slot>" };
        var list = new Option<bool>("--list") { Description = "list the selected requirements and exit" };
        var insecure = new Option<bool>("--insecure") { Description = "turn TLS certificate validation off (self-signed test endpoints); every report says so" };
        var contracts = new Option<string?>("--contracts") { Description = "the contract data to use (schemas/, fixtures/, targets/, pacts/); default: the copy shipped with the tool" };
        var requestTimeout = Seconds("--request-timeout", "seconds a request may take (headers and body), overriding the profile's");
        var runTimeout = Seconds("--run-timeout", "seconds the whole run may take, overriding the profile's");

        var root = new RootCommand("ConformanceSuite: certifies that a provider behaves as its API documentation says.")
        {
            target, api, filter, reportDir, failOn, fault, baseUrl, list, insecure, contracts, requestTimeout, runTimeout,
        };
        OpenApiCommand.AddTo(root, stdout, stderr);
        root.Subcommands.Add(ContractsCommand.Create(stdout, stderr));
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

        var variables = context.Variables;
        var settings = new RunSettings
        {
            Target = parse.GetValue(target)!,
            AdHoc = parse.GetValue(baseUrl) is { Length: > 0 } url ? AdHocTarget.FromVariables(url, variables) : null,
            Apis = List(parse.GetValue(api)),
            Filter = List(parse.GetValue(filter)),
            FailOn = parse.GetValue(failOn) == "deviation" ? FailOn.Deviation : FailOn.Fail,
            Faults = List(parse.GetValue(fault)),
            ReportDirectory = parse.GetValue(reportDir),
            RequestTimeout = parse.GetValue(requestTimeout),
            RunTimeout = parse.GetValue(runTimeout),
            ContractsDirectory = parse.GetValue(contracts),
            InsecureTls = parse.GetValue(insecure),
            Variables = name => variables.GetValueOrDefault(name),
            Checks = context.Checks,
        };

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
            await stdout.WriteLineAsync(TextReports.Summary(results));
            if (results.Target.InsecureTls)
            {
                await stdout.WriteLineAsync("conformance: TLS certificate validation was OFF for this run (--insecure)");
            }

            await stdout.WriteLineAsync($"conformance: {string.Join(", ", RunResults.ReportFiles)} are in {progress.ReportDirectory}");
            return results.Conformant ? ExitCodes.Conformant : ExitCodes.NotConformant;
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

    /// <summary>An option taking a number of seconds above 0; anything else is a usage error naming the option.</summary>
    private static Option<TimeSpan?> Seconds(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            r.AddError($"{name} '{text}': expected a number of seconds above 0");
            return null;
        },
    };

    private static List<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
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
