using System.Globalization;

namespace ConformanceSuite.MockServer;

/// <summary>The mock's few options, parsed by hand: it has no other dependency to justify a parser.</summary>
public static class MockCommandLine
{
    public const string Usage = """
        ConformanceSuite reference mock
          --port N            API origin port (default 0: any free port)
          --download-port N   download origin port (default 0: any free port)
          --host ADDRESS      listen address (default 127.0.0.1)
          --fault NAME        switch on a fault mode (repeatable, or comma-separated)
          --rate-limit N/S    answer 429 past N requests per S seconds on the API origin
          --scale N           serve N items per list API (cursor-list and offset-list mocks), generated
                              deterministically from the fixture's (N at least its count); the CSV-link
                              mock ignores it
          --credential API:NAME=VALUE   accept this credential instead of the data set's (repeatable)
          --echo-credentials  echo received credentials into success bodies (a careless provider, for leak tests)
          --accept-pact-examples  also accept the consumer pacts' example credentials (pact verification)
          --contracts DIR     the contract data (schemas/, fixtures/); default: found with the program or above it
          --list-faults       print the fault modes and exit
        """;

    /// <summary>Null when the user asked for help or the fault list (already printed).</summary>
    public static MockOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new MockOptions();
        var faults = new List<string>();
        var credentials = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var listFaults = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ConfigurationException($"{arg} needs a value");
            switch (arg)
            {
                case "--port":
                    options = options with { ApiPort = Port(arg, Next()) };
                    break;
                case "--download-port":
                    options = options with { DownloadPort = Port(arg, Next()) };
                    break;
                case "--host":
                    options = options with { Host = Next() };
                    break;
                case "--fault":
                    faults.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--rate-limit":
                    var spec = Next().Split('/');
                    options = options with
                    {
                        RateLimit = spec.Length == 2 && int.TryParse(spec[0], CultureInfo.InvariantCulture, out var n) && n > 0
                                    && double.TryParse(spec[1], CultureInfo.InvariantCulture, out var sec) && sec > 0
                            ? (n, TimeSpan.FromSeconds(sec))
                            : throw new ConfigurationException($"--rate-limit: expected N/SECONDS, e.g. 100/60"),
                    };
                    break;
                case "--scale":
                    var scale = Next();
                    options = options with
                    {
                        Scale = int.TryParse(scale, NumberStyles.None, CultureInfo.InvariantCulture, out var items) && items >= 1
                            ? items
                            : throw new ConfigurationException($"--scale: '{scale}' is not a number of items (a whole number, at least 1)"),
                    };
                    break;
                case "--credential":
                    var text = Next();
                    var colon = text.IndexOf(':', StringComparison.Ordinal);
                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    if (colon < 1 || equals < colon + 2)
                    {
                        throw new ConfigurationException("--credential: expected API:NAME=VALUE");
                    }

                    if (!credentials.TryGetValue(text[..colon], out var forApi))
                    {
                        credentials[text[..colon]] = forApi = new Dictionary<string, string>(StringComparer.Ordinal);
                    }

                    forApi[text[(colon + 1)..equals]] = text[(equals + 1)..];
                    break;
                case "--accept-pact-examples":
                    options = options with { AcceptPactExamples = true };
                    break;
                case "--echo-credentials":
                    options = options with { EchoCredentials = true };
                    break;
                case "--contracts":
                    options = options with { Layout = RepositoryLayout.Discover(Next()) };
                    break;
                case "--list-faults":
                    listFaults = true;
                    break;
                case "-h" or "--help":
                    return null;
                default:
                    throw new ConfigurationException($"unknown option '{arg}'\n{Usage}");
            }
        }

        if (listFaults)
        {
            foreach (var api in MockHost.Implementations(options.Layout ?? RepositoryLayout.Discover()))
            {
                foreach (var (name, what) in api.Faults)
                {
                    Console.WriteLine($"{api.ApiId}  {name}  {what}");
                }
            }

            return null;
        }

        return options with
        {
            Faults = faults,
            Credentials = credentials.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, string>)kv.Value, StringComparer.Ordinal),
        };
    }

    private static int Port(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new ConfigurationException($"{option}: '{value}' is not a port number");
}
