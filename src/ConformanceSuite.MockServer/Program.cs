using System.Text.Json;
using ConformanceSuite;
using ConformanceSuite.MockServer;

// The reference mock as a process: for people, for other tools, and for certifying the suite end to end.
// Prints one JSON line with its base URLs once it listens; stops on Ctrl+C or SIGTERM.
try
{
    var options = MockCommandLine.Parse(args);
    if (options is null)
    {
        Console.WriteLine(MockCommandLine.Usage);
        return 0;
    }

    await using var host = await MockHost.StartAsync(options);
    foreach (var (api, reason) in host.Unserved)
    {
        Console.Error.WriteLine($"mock: not serving {api}: {reason}");
    }

    var ready = new
    {
        ready = true,
        apiOrigin = host.ApiOrigin.ToString(),
        downloadOrigin = host.DownloadOrigin.ToString(),
        apis = host.Apis.ToDictionary(a => a.ApiId, a => host.BaseUrl(a.ApiId).ToString()),
        faults = host.Faults,
    };
    Console.WriteLine(JsonSerializer.Serialize(ready));
    Console.Out.Flush();
    // Ctrl+C or SIGTERM is the way out: the mock stops its servers and exits 0.
    using var stop = new CancellationTokenSource();
    void Stop(System.Runtime.InteropServices.PosixSignalContext signal)
    {
        signal.Cancel = true;
        stop.Cancel();
    }

    using (System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop))
    using (System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop))
    {
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // stopping is the normal way out
        }
    }

    return 0;
}
catch (ConfigurationException ex)
{
    Console.Error.WriteLine($"mock: {ex.Message}");
    return 2;
}
