using System.Diagnostics;
using System.Text.Json;

namespace ConformanceSuite.MockServer;

/// <summary>The reference mock as a separate process (this assembly run with dotnet exec), as people and live-provider runs see it.</summary>
public sealed class MockProcess : IDisposable
{
    private readonly Process process;

    private MockProcess(Process process, JsonElement ready)
    {
        this.process = process;
        Ready = ready;
    }

    public JsonElement Ready { get; }

    public string BaseUrl(string api) => Ready.GetProperty("apis").GetProperty(api).GetString()!;

    public static Task<MockProcess> StartAsync(params string[] faults) => StartWithAsync(faults, []);

    public static async Task<MockProcess> StartWithAsync(string[] faults, string[] extra)
    {
        var dll = typeof(MockHost).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", dll, "--port", "0", "--contracts", RepositoryLayout.Discover().Root }.Concat(faults.SelectMany(f => new[] { "--fault", f })).Concat(extra))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith('{'))
        {
            var err = await process.StandardError.ReadToEndAsync(cts.Token);
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the mock process did not start: {line} {err}");
        }

        return new MockProcess(process, JsonDocument.Parse(line).RootElement.Clone());
    }

    /// <summary>Sends SIGTERM (as a service manager or timeout(1) would) and waits for the exit.</summary>
    public async Task<bool> TerminateAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }
}
