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
    // The hosts' console lifetime turns SIGTERM and Ctrl+C into "stopping"; that is the way out.
    try
    {
        await Task.Delay(Timeout.Infinite, host.Stopping);
    }
    catch (OperationCanceledException)
    {
        // stopping is the normal way out
    }

    return 0;
}
catch (ConfigurationException ex)
{
    Console.Error.WriteLine($"mock: {ex.Message}");
    return 2;
}
