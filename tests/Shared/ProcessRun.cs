using System.Diagnostics;

namespace ConformanceSuite.Testing;

/// <summary>Runs a tool the tests use (npm, node, chromium, pact-verifier) with a time limit; linked into each test project.</summary>
internal static class ProcessRun
{
    public static (int Exit, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "", $"timed out after {limit.TotalSeconds:0} s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
