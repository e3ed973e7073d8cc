using System.Text.Json.Nodes;

namespace ConformanceSuite.Pact;

/// <summary>
/// Consumer side, in the spirit of PactNet: describe one interaction fluently, then
/// <see cref="VerifyAsync"/> runs the consumer's code against the core's mock server, fails with the
/// mismatches when the code did not do what the interaction says, and merges the interaction into the
/// V4 pact file in <see cref="PactDirectory"/>.
/// </summary>
public sealed class PactBuilder : IDisposable
{
    private readonly PactHandle pact;
    private bool disposed;

    public PactBuilder(string consumer, string provider, string pactDirectory)
    {
        PactCore.EnsureInitialised();
        PactDirectory = pactDirectory;
        pact = Native.NewPact(consumer, provider);
        PactCore.Check(Native.WithSpecification(pact, PactSpecification.V4), "the V4 specification");
    }

    public string PactDirectory { get; }

    /// <summary>The mock server's log of the last verification (for the test output).</summary>
    public string MockServerLog { get; private set; } = "";

    public InteractionBuilder UponReceiving(string description)
    {
        var interaction = Native.NewInteraction(pact, description);
        if (interaction.Ref == 0)
        {
            throw new PactException($"pact core refused a new interaction '{description}'");
        }

        PactCore.Check(Native.UponReceiving(interaction, description), $"upon receiving '{description}'");
        return new InteractionBuilder(interaction);
    }

    public async Task VerifyAsync(Func<Uri, Task> exercise)
    {
        var port = Native.CreateMockServerForTransport(pact, "127.0.0.1", 0, "http", null);
        if (port <= 0)
        {
            throw new PactException(port switch
            {
                -1 => "mock server: invalid pact handle",
                -3 => "mock server: could not start",
                -4 => $"mock server: the core panicked ({PactCore.LastError()})",
                -5 => "mock server: bad address",
                _ => $"mock server: error {port}",
            });
        }

        try
        {
            await exercise(new Uri($"http://127.0.0.1:{port}"));
            var matched = Native.MockServerMatched(port);
            var mismatches = PactCore.ReadString(Native.MockServerMismatches(port));
            MockServerLog = PactCore.ReadString(Native.MockServerLogs(port));
            if (!matched || (mismatches.Length > 0 && mismatches != "[]"))
            {
                throw new PactException($"the consumer did not do what the pact says: {mismatches}");
            }

            Directory.CreateDirectory(PactDirectory);
            var written = Native.PactHandleWriteFile(pact, PactDirectory, false);
            if (written != 0)
            {
                throw new PactException($"writing the pact to {PactDirectory} failed ({written switch { 1 => "panic", 2 => "I/O error", 3 => "unknown pact", _ => written.ToString(System.Globalization.CultureInfo.InvariantCulture) }})");
            }
        }
        finally
        {
            _ = Native.CleanupMockServer(port); // false means nothing ran on that port any more
        }
    }

    public void Dispose()
    {
        if (!disposed)
        {
            _ = Native.FreePactHandle(pact); // 1 means already freed: nothing left to do
            disposed = true;
        }
    }
}

/// <summary>The request side of one interaction.</summary>
public sealed class InteractionBuilder(InteractionHandle interaction)
{
    public InteractionBuilder Given(string state, JsonObject? parameters = null)
    {
        if (parameters is null)
        {
            PactCore.Check(Native.Given(interaction, state), $"given '{state}'");
        }
        else if (Native.GivenWithParams(interaction, state, parameters.ToJsonString()) is var code and not 0)
        {
            throw new PactException($"pact core refused given '{state}' with parameters (code {code})");
        }

        return this;
    }

    public InteractionBuilder WithRequest(string method, string path)
    {
        PactCore.Check(Native.WithRequest(interaction, method, path), $"the request {method} {path}");
        return this;
    }

    /// <summary>A query parameter: a literal, or a matcher.</summary>
    public InteractionBuilder WithQuery(string name, string value) => WithQuery(name, (JsonNode)JsonValue.Create(value));

    public InteractionBuilder WithQuery(string name, JsonNode value)
    {
        PactCore.Check(Native.WithQueryParameter(interaction, name, 0, value is JsonValue v ? v.GetValue<string>() : value.ToJsonString()), $"the query parameter {name}");
        return this;
    }

    public InteractionBuilder WithHeader(string name, string value) => Header(InteractionPart.Request, name, value);

    public InteractionBuilder WithHeader(string name, JsonObject matcher) => Header(InteractionPart.Request, name, matcher.ToJsonString());

    public ResponseBuilder WillRespond(ushort status)
    {
        PactCore.Check(Native.ResponseStatus(interaction, status), $"the status {status}");
        return new ResponseBuilder(interaction);
    }

    private InteractionBuilder Header(InteractionPart part, string name, string value)
    {
        PactCore.Check(Native.WithHeader(interaction, part, name, 0, value), $"the header {name}");
        return this;
    }
}

/// <summary>The response side of one interaction.</summary>
public sealed class ResponseBuilder(InteractionHandle interaction)
{
    public ResponseBuilder WithHeader(string name, string value)
    {
        PactCore.Check(Native.WithHeader(interaction, InteractionPart.Response, name, 0, value), $"the response header {name}");
        return this;
    }

    public ResponseBuilder WithHeader(string name, JsonObject matcher) => WithHeader(name, matcher.ToJsonString());

    public ResponseBuilder WithJsonBody(JsonNode body)
    {
        PactCore.Check(Native.WithBody(interaction, InteractionPart.Response, "application/json", body.ToJsonString()), "the JSON body");
        return this;
    }

    /// <summary>A body compared as it is (text/csv cannot be matched semantically without plugins).</summary>
    public ResponseBuilder WithBody(string contentType, string body)
    {
        PactCore.Check(Native.WithBody(interaction, InteractionPart.Response, contentType, body), $"the {contentType} body");
        return this;
    }
}
