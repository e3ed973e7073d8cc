using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ConformanceSuite.Pact;

/// <summary>Where to publish verification results (a Pact Broker): the core reads the broker from its pact sources.</summary>
public sealed record PublishOptions(string ProviderVersion, string? Branch = null, string? BuildUrl = null, IReadOnlyList<string>? Tags = null);

/// <summary>A Pact Broker as the pact source (pacts for this provider's branch); its token comes from the environment.</summary>
public sealed record BrokerSource(Uri Url, string? Token, string? ProviderBranch = null, bool EnablePending = true);

/// <summary>What a verification did: the core's exit code, its report, and the interactions it ran.</summary>
public sealed record VerificationResult(int ExitCode, string Output, JsonNode? Json, string Logs, int Interactions, IReadOnlyList<string> Applied)
{
    /// <summary>A verification that ran no interaction is a failure, not a pass.</summary>
    public bool Passed => ExitCode == 0 && Interactions > 0;

    public string Summary => ExitCode switch
    {
        0 when Interactions == 0 => "no interaction was verified (an empty verification is a failure)",
        0 => $"{Interactions} interactions verified",
        1 => "verification failed",
        _ => $"the verifier could not run (code {ExitCode})",
    };
}

/// <summary>Provider side: verifies pact files against a running provider, with provider states and options.</summary>
public sealed class PactVerifier
{
    public required string Provider { get; init; }

    public required Uri BaseUrl { get; init; }

    public IReadOnlyList<string> PactFiles { get; init; } = [];

    /// <summary>The provider-state endpoint; null runs only the interactions that need no state.</summary>
    public Uri? StateUrl { get; init; }

    public IReadOnlyDictionary<string, string> CustomHeaders { get; init; } = new Dictionary<string, string>();

    public PublishOptions? Publish { get; init; }

    public BrokerSource? Broker { get; init; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the core follows a provider's redirects itself (it does by default); the suite's relay needs it not to.</summary>
    public bool FollowRedirects { get; init; } = true;

    public bool DisableTlsVerification { get; init; }

    public VerificationResult Verify()
    {
        PactCore.EnsureInitialised();
        var applied = new List<string>();
        var handle = Native.VerifierNewForApplication("ConformanceSuite", PactCore.AssemblyVersion);
        if (handle == 0)
        {
            throw new PactException($"the verifier could not be created{(PactCore.LastError() is { } e ? $": {e}" : "")}");
        }

        try
        {
            Native.VerifierSetProviderInfo(handle, Provider, BaseUrl.Scheme, BaseUrl.Host, (ushort)BaseUrl.Port, BaseUrl.AbsolutePath.TrimEnd('/'));
            applied.Add($"provider {Provider} at {BaseUrl}");
            if (StateUrl is not null)
            {
                Native.VerifierSetProviderState(handle, StateUrl.ToString(), 0, 1);
                applied.Add($"provider states at {StateUrl}");
            }
            else
            {
                Native.VerifierSetFilterInfo(handle, null, null, 1);
                applied.Add("only interactions without provider state");
            }

            Expect(Native.VerifierSetVerificationOptions(handle, DisableTlsVerification ? (byte)1 : (byte)0, new CULong((nuint)RequestTimeout.TotalMilliseconds)), "verification options");
            _ = Native.VerifierSetColouredOutput(handle, 0);
            if (!FollowRedirects)
            {
                Native.VerifierSetFollowRedirects(handle, 0);
                applied.Add("redirects not followed");
            }

            foreach (var (name, value) in CustomHeaders)
            {
                Native.VerifierAddCustomHeader(handle, name, value);
                applied.Add($"custom header {name}");
            }

            if (Publish is { } publish)
            {
                var tags = publish.Tags ?? [];
                var pointers = tags.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
                var array = Marshal.AllocHGlobal(IntPtr.Size * Math.Max(1, pointers.Length));
                try
                {
                    for (var i = 0; i < pointers.Length; i++)
                    {
                        Marshal.WriteIntPtr(array, i * IntPtr.Size, pointers[i]);
                    }

                    Expect(Native.VerifierSetPublishOptions(handle, publish.ProviderVersion, publish.BuildUrl, array, (ushort)pointers.Length, publish.Branch), "publish options");
                    applied.Add($"publish version={publish.ProviderVersion} branch={publish.Branch ?? "-"} tags={string.Join(",", tags)} build={publish.BuildUrl ?? "-"}");
                }
                finally
                {
                    Marshal.FreeHGlobal(array);
                    foreach (var p in pointers)
                    {
                        Marshal.FreeCoTaskMem(p);
                    }
                }
            }

            if (Broker is { } broker)
            {
                Expect(Native.VerifierBrokerSourceWithSelectors(handle, broker.Url.ToString(), null, null, broker.Token, broker.EnablePending ? (byte)1 : (byte)0,
                    null, 0, 0, broker.ProviderBranch, 0, 0, 0, 0), "broker source");
                applied.Add($"broker {broker.Url} (token {(broker.Token is null ? "none" : "set")}, branch {broker.ProviderBranch ?? "-"})");
            }

            foreach (var file in PactFiles)
            {
                Native.VerifierAddFileSource(handle, file);
                applied.Add($"pact {Path.GetFileName(file)}");
            }

            var code = NativeStdout.Silenced(() => Native.VerifierExecute(handle));
            var output = PactCore.TakeString(Native.VerifierOutput(handle, 1));
            var jsonText = PactCore.TakeString(Native.VerifierJson(handle));
            var logs = PactCore.TakeString(Native.VerifierLogs(handle));
            JsonNode? json = null;
            try
            {
                json = jsonText.Length > 0 ? JsonNode.Parse(jsonText) : null;
            }
            catch (JsonException)
            {
                json = null;
            }

            var interactions = (json?["interactionResults"] as JsonArray)?.Count ?? 0;
            return new VerificationResult(code, output, json, logs, interactions, applied);
        }
        finally
        {
            Native.VerifierShutdown(handle);
        }
    }

    private static void Expect(int code, string what)
    {
        if (code != 0)
        {
            throw new PactException($"the verifier refused the {what} (code {code}){(PactCore.LastError() is { } e ? $": {e}" : "")}");
        }
    }
}
