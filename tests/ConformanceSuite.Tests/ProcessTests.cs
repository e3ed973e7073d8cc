using System.Runtime.InteropServices;
using ConformanceSuite.Cli;
using ConformanceSuite.Testing;

namespace ConformanceSuite.Tests;

/// <summary>
/// The packed .NET tool, installed from its package into an empty folder, certifies the embedded mock with its
/// own contracts and its own Pact core; and a build without npm says what to install. (The NUnit front end's
/// one real <c>dotnet test</c> is in <see cref="NUnitFrontEndTests"/>; every other CLI test runs in-process.)
/// </summary>
[TestFixture]
[Order(3)] // long-running: started first so the short fixtures fill in around it
public sealed class ProcessTests
{
    private static readonly string Configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
    private string dir = "";

    [SetUp]
    public void Make() => Directory.CreateDirectory(dir = Path.Combine(Path.GetTempPath(), "cs-process-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void Clean() => Directory.Delete(dir, recursive: true);

    [Test]
    public void The_packed_tool_installs_from_its_package_and_certifies_the_embedded_mock_from_an_empty_folder()
    {
        var packages = Path.Combine(dir, "packages");
        var tools = Path.Combine(dir, "tools");
        var empty = Path.Combine(dir, "empty");
        Directory.CreateDirectory(empty);
        var cli = Path.Combine(Harness.Layout.Root, "src", "ConformanceSuite.Cli", "ConformanceSuite.Cli.csproj");
        // One MSBuild process (-m:1): with --no-build there is nothing to build side by side, and a worker node of its
        // own cost some 1.5 CPU-s and 4 s here (measured: 4.0 against 5.8 CPU-s, 6-8 against 10-13 s).
        Run("dotnet", ["pack", cli, "--no-build", "-m:1", "-c", Configuration, "-o", packages], TimeSpan.FromMinutes(3));
        var package = Directory.EnumerateFiles(packages, "ConformanceSuite.Tool.*.nupkg").Should().ContainSingle().Subject;
        var version = Path.GetFileNameWithoutExtension(package)["ConformanceSuite.Tool.".Length..];
        // Only the folder with the fresh package is a source: the install must need nothing else.
        var config = Path.Combine(packages, "nuget.config");
        File.WriteAllText(config, $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>""");
        Run("dotnet", ["tool", "install", "ConformanceSuite.Tool", "--version", version, "--tool-path", tools, "--configfile", config], TimeSpan.FromMinutes(3));

        // The installed command, run in the empty folder: it must need nothing but itself.
        string Tool(int expectedExit, params string[] args)
        {
            var (exit, stdout, stderr) = ProcessRun.Run(Path.Combine(tools, "conformance"), args, TimeSpan.FromMinutes(3), workingDirectory: empty);
            exit.Should().Be(expectedExit, $"conformance {string.Join(' ', args)}: {stdout}{stderr}");
            return stdout;
        }

        // The Pact core prints its own report to the process's stdout whatever it is told: silenced around its call, it
        // does not break into the console progress (the report is in the verification's evidence instead).
        Tool(0).Should().Contain("CONFORMANT: 61 pass, 0 fail, 0 deviation, 0 skipped, 0 error").And.NotContain("Verifying a pact between");

        var reports = Directory.EnumerateDirectories(Path.Combine(empty, "artifacts")).Should().ContainSingle().Subject;
        foreach (var file in RunResults.ReportFiles)
        {
            File.Exists(Path.Combine(reports, file)).Should().BeTrue(file);
        }

        var results = RunResults.Read(Path.Combine(reports, "results.json"));
        results.Requirements.Where(r => r.Category == "pact").Should().HaveCount(4).And.OnlyContain(r => r.Verdict == Verdict.Pass, "the tool carries its Pact core");
        results.Tool.Version.Should().Be(version);
        File.ReadAllText(Path.Combine(reports, RunLog.FileName)).Should().Contain(Path.Combine("tools", "net10.0", "any", "contracts"), "the contracts shipped with the tool were used");
        Directory.EnumerateFiles(tools, RepositoryLayout.ManifestFile, SearchOption.AllDirectories).Should().ContainSingle("the pack step validated the shipped contracts and recorded them")
            .Which.Should().Contain(Path.Combine("any", "contracts"));
        // Packed on linux-x64, the assemblies are ReadyToRun images (their IL kept), which the run above started from.
        if (RuntimeInformation.RuntimeIdentifier == "linux-x64")
        {
            foreach (var name in new[] { "conformance.dll", "ConformanceSuite.dll", "ConformanceSuite.Engine.dll", "NJsonSchema.dll" })
            {
                var shipped = Directory.EnumerateFiles(tools, name, SearchOption.AllDirectories).Should().ContainSingle().Subject;
                using var image = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(shipped));
                image.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size.Should().BeGreaterThan(0, $"{name} is shipped compiled ahead of time");
            }
        }

        // The certification package and its verification, and the OpenAPI export. (The CI gate's run, --baseline with
        // --fail-on new, is the main job's code path with other options; WorkflowTests run it as a process of its own.)
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(empty, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(empty, "public.pem"), key.ExportSubjectPublicKeyInfoPem());
        Tool(0, "certify", "--api", "wavy-open-sessions", "--report-dir", "cert", "--package", "cert.zip", "--signing-key", "key.pem");
        Tool(0, "verify", "cert.zip", "--public-key", "public.pem").Should().Contain("conformance: VERIFIED").And.Contain("verdict: conformant").And.Contain($"ConformanceSuite {version}");
        Tool(0, "openapi", "--api", "opencx-chat-sessions", "--out", "opencx.yaml");
        File.ReadAllText(Path.Combine(empty, "opencx.yaml")).Should().StartWith("openapi: '3.1.").And.Contain("x-pagination");

        Terminated(Path.Combine(tools, "conformance"), empty, results.RequestCount);
    }

    /// <summary>
    /// SIGTERM (a CI job cancelled, timeout(1)) in the middle of the main job, delivered twice as timeout(1) does: the run
    /// stops, its reports are written with the cases not finished in error, and the tool exits 143. Before, the embedded mock's host took the signal for
    /// itself and the run went on to its end: exit 0, CONFORMANT. (SIGINT takes the same path; a shell starts a
    /// background job with SIGINT ignored, so the test sends the one no runner ignores.)
    /// </summary>
    private static void Terminated(string tool, string folder, int wholeRunRequests)
    {
        var start = new System.Diagnostics.ProcessStartInfo(tool, ["--report-dir", "terminated"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            output.AppendLine(line);
            if (line.Contains("(request 5)", StringComparison.Ordinal))
            {
                // Twice, microseconds apart, as GNU timeout(1) delivers it: to the process, then to its process group.
                // Before, the second was taken for "stop at once": the process ended with no report written.
                var pid = process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var kill = System.Diagnostics.Process.Start("/bin/sh", ["-c", $"kill -TERM {pid}; kill -TERM {pid}"])!;
                kill.WaitForExit();
                break;
            }
        }

        output.Append(process.StandardOutput.ReadToEnd());
        process.WaitForExit(TimeSpan.FromSeconds(30)).Should().BeTrue("the run stops on the signal");
        process.ExitCode.Should().Be(143, $"{output}{stderr.Result}");
        stderr.Result.Should().Contain("terminated (SIGTERM): stopping the run");
        var results = RunResults.Read(Path.Combine(folder, "terminated", "results.json"));
        results.RequestCount.Should().BeInRange(5, wholeRunRequests / 2, $"the run did not go on to its end (the whole run sent {wholeRunRequests})");
        results.Requirements.SelectMany(r => r.Cases).Should().Contain(c => c.Verdict == Verdict.Error && c.Message.Contains("the run was interrupted", StringComparison.Ordinal));
    }

    [Test]
    public void A_build_without_npm_says_what_to_install()
    {
        // A PATH with a shell (MSBuild's Exec needs one) and nothing else, and an empty folder for the Pact core.
        var bin = Path.Combine(dir, "bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "sh"), "/bin/sh");
        var pact = Path.Combine(Harness.Layout.Root, "src", "ConformanceSuite.Pact", "ConformanceSuite.Pact.csproj");
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "/usr/bin/dotnet";

        var (exit, stdout, stderr) = ProcessRun.Run(dotnet,
            ["msbuild", pact, "-t:FetchPactCore", $"-p:PactCoreDir={Path.Combine(dir, "pact-core")}/", "-nologo", "-v:q"],
            TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["PATH"] = bin });

        exit.Should().NotBe(0);
        (stdout + stderr).Should().Contain("npm was not found").And.Contain("Install Node.js with npm").And.NotContain("MSB3073");
    }

    private static void Run(string file, string[] args, TimeSpan limit)
    {
        var (exit, stdout, stderr) = ProcessRun.Run(file, args, limit);
        exit.Should().Be(0, $"{file} {string.Join(' ', args)}: {stdout}{stderr}");
    }
}
