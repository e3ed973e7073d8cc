using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using ConformanceSuite.Running;

namespace ConformanceSuite.Cli;

/// <summary>
/// The main job: validates the run's configuration, runs the NUnit conformance suite with <c>dotnet test</c>
/// (TRX under the report folder), then prints a verdict per requirement and writes report.md.
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var target = new Option<string>("--target") { Description = "target profile: a name under targets/ or a path (default: embedded)", DefaultValueFactory = _ => "embedded" };
        var api = new Option<string?>("--api") { Description = "API id(s), comma-separated (default: all)" };
        var filter = new Option<string?>("--filter") { Description = "requirement ids or categories, comma-separated" };
        var reportDir = new Option<string?>("--report-dir") { Description = "where results go (default: artifacts/<time>-<target>)" };
        var failOn = new Option<string>("--fail-on") { Description = "which verdicts make the run not conformant: fail or deviation", DefaultValueFactory = _ => "fail" };
        failOn.AcceptOnlyFromAmong("fail", "deviation");
        var fault = new Option<string?>("--fault") { Description = "embedded mock only: fault mode(s) to switch on, comma-separated" };
        var baseUrl = new Option<string?>("--base-url") { Description = "ad-hoc target for one --api; credentials from CONFORMANCE_CREDENTIAL_<name>, data from CONFORMANCE_DATA_<slot>" };
        var list = new Option<bool>("--list") { Description = "list the selected requirements and exit" };
        var noBuild = new Option<bool>("--no-build") { Description = "do not build the suite before running it" };
        var insecure = new Option<bool>("--insecure") { Description = "turn TLS certificate validation off (self-signed test endpoints); every report says so" };
        var root = new RootCommand("ConformanceSuite: certifies that a provider behaves as its API documentation says.")
        {
            target, api, filter, reportDir, failOn, fault, baseUrl, list, noBuild, insecure,
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"conformance: {error.Message}");
            }

            await stderr.WriteLineAsync("conformance: see --help");
            return ExitCodes.UsageOrConfiguration;
        }

        if (parse.Action is not null && parse.Tokens.Any(t => t.Value is "--help" or "-h" or "-?" or "--version"))
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        }

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["CONFORMANCE_TARGET"] = parse.GetValue(target),
            ["CONFORMANCE_API"] = parse.GetValue(api),
            ["CONFORMANCE_FILTER"] = parse.GetValue(filter),
            ["CONFORMANCE_FAIL_ON"] = parse.GetValue(failOn),
            ["CONFORMANCE_FAULTS"] = parse.GetValue(fault),
            ["CONFORMANCE_BASE_URL"] = parse.GetValue(baseUrl),
            ["CONFORMANCE_INSECURE_TLS"] = parse.GetValue(insecure) ? "true" : null,
        };

        try
        {
            var settings = SuiteSettings.FromEnvironment(name => environment.TryGetValue(name, out var v) ? v : Environment.GetEnvironmentVariable(name));
            var catalog = settings.Catalog();
            if (parse.GetValue(list))
            {
                foreach (var r in catalog.Contracts.Values.SelectMany(c => c.Requirements))
                {
                    await stdout.WriteLineAsync($"{r.Api}  {r.Id}  {r.Level,-6}  {r.Title}{(r.Waived is null ? "" : $"  (waived: {r.Waived})")}");
                }

                return ExitCodes.Conformant;
            }

            if (!settings.AdHoc && settings.Profile is { Embedded: false } profile)
            {
                var resolved = Targets.TargetProfiles.Resolve(profile, catalog.Contracts.Keys);
                foreach (var (id, apiTarget) in resolved.Apis)
                {
                    if (await UnreachableAsync(apiTarget.BaseUrl) is { } why)
                    {
                        await stderr.WriteLineAsync($"conformance: target '{resolved.Name}' is unreachable for {id} at {apiTarget.BaseUrl.GetLeftPart(UriPartial.Authority)}: {why}");
                        return ExitCodes.Unreachable;
                    }
                }
            }
            else if (settings.AdHoc && Uri.TryCreate(parse.GetValue(baseUrl), UriKind.Absolute, out var adHoc) && await UnreachableAsync(adHoc) is { } why)
            {
                await stderr.WriteLineAsync($"conformance: {adHoc.GetLeftPart(UriPartial.Authority)} is unreachable: {why}");
                return ExitCodes.Unreachable;
            }

            var name = settings.AdHoc ? "environment" : settings.Profile!.Name;
            var dir = parse.GetValue(reportDir) is { Length: > 0 } d
                ? Path.GetFullPath(d)
                : Path.Combine(settings.Layout.Root, "artifacts", $"{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{name}");
            Directory.CreateDirectory(dir);
            environment["CONFORMANCE_REPORT_DIR"] = dir;
            environment["CONFORMANCE_REPO_ROOT"] = settings.Layout.Root;
            if (settings.Profile is { } p)
            {
                environment["CONFORMANCE_TARGET"] = p.File;
            }

            await stdout.WriteLineAsync($"conformance: {catalog.Cases.Count} cases of {string.Join(", ", catalog.Contracts.Keys)} against '{name}'; results in {dir}");
            var resultsFile = Path.Combine(dir, "results.json");
            foreach (var old in RunResults.ReportFiles)
            {
                File.Delete(Path.Combine(dir, old));
            }

            // The run's own limit bounds the checks; the child process gets it plus room to build, and no more.
            var limit = (settings.Profile?.RunTimeout ?? TimeSpan.FromMinutes(30)) + TimeSpan.FromMinutes(10);
            var testExit = await RunSuiteAsync(settings.Layout, environment, dir, parse.GetValue(noBuild), stdout, limit);
            if (testExit is null)
            {
                await stderr.WriteLineAsync($"conformance: the suite did not finish within {limit.TotalMinutes:0} minutes and was stopped; its output is in {Path.Combine(dir, "dotnet-test.log")}");
                return ExitCodes.UsageOrConfiguration;
            }

            if (!File.Exists(resultsFile))
            {
                await stderr.WriteLineAsync($"conformance: the suite produced no results (dotnet test exited {testExit}); its output is in {Path.Combine(dir, "dotnet-test.log")}:");
                foreach (var line in File.ReadLines(Path.Combine(dir, "dotnet-test.log")).Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(15))
                {
                    await stderr.WriteLineAsync("  " + line.Trim());
                }

                return ExitCodes.UsageOrConfiguration;
            }

            var results = RunResults.Read(resultsFile);
            await stdout.WriteAsync(TextReports.Console(results));
            var missing = RunResults.ReportFiles.Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
            if (missing.Count > 0)
            {
                await stderr.WriteLineAsync($"conformance: the run wrote no {string.Join(", ", missing)}; see {Path.Combine(dir, "dotnet-test.log")}");
                return ExitCodes.UsageOrConfiguration;
            }

            if (results.Target.InsecureTls)
            {
                await stdout.WriteLineAsync("conformance: TLS certificate validation was OFF for this run (--insecure)");
            }

            await stdout.WriteLineAsync($"conformance: report.html, report.md, junit.xml, results.json, requests.jsonl and conformance.trx are in {dir}");
            return results.Conformant ? ExitCodes.Conformant : ExitCodes.NotConformant;
        }
        catch (ConfigurationException ex)
        {
            await stderr.WriteLineAsync($"conformance: {ex.Message}");
            return ExitCodes.UsageOrConfiguration;
        }
    }

    private static async Task<string?> UnreachableAsync(Uri url)
    {
        using var tcp = new TcpClient();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await tcp.ConnectAsync(url.Host, url.Port, cts.Token);
            return null;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException)
        {
            return "no answer within 5 s";
        }
    }

    /// <summary>Runs dotnet test on the conformance project; null when it had to be stopped at the time limit.</summary>
    private static async Task<int?> RunSuiteAsync(RepositoryLayout layout, Dictionary<string, string?> environment, string dir, bool noBuild, TextWriter stdout, TimeSpan limit)
    {
        var project = Path.Combine(layout.Root, "tests", "ConformanceSuite.Conformance", "ConformanceSuite.Conformance.csproj");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = layout.Root,
        };
        foreach (var arg in new[] { "test", project, "--logger", "trx;LogFileName=conformance.trx", "--logger", "console;verbosity=normal", "--results-directory", dir })
        {
            start.ArgumentList.Add(arg);
        }

        if (noBuild)
        {
            start.ArgumentList.Add("--no-build");
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value ?? "";
        }

        using var process = Process.Start(start) ?? throw new ConfigurationException("cannot start 'dotnet test'");
        await using var log = new StreamWriter(Path.Combine(dir, "dotnet-test.log"));
        async Task PumpAsync(StreamReader reader, bool showProgress)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (log)
                {
                    log.WriteLine(line);
                }

                if (showProgress && (line.StartsWith('[') || line.StartsWith("conformance:", StringComparison.Ordinal)))
                {
                    await stdout.WriteLineAsync("  " + line);
                }
            }
        }

        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await Task.WhenAll(PumpAsync(process.StandardOutput, showProgress: true), PumpAsync(process.StandardError, showProgress: false)).WaitAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return null;
        }
    }
}
