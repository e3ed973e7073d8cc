using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ConformanceSuite.Checks;
using ConformanceSuite.Contracts;
using ConformanceSuite.Engine.Pact;
using ConformanceSuite.Pact;

namespace ConformanceSuite.Engine;

/// <summary>
/// The committed consumer pacts (<c>pacts/</c>) as requirements of the API they describe: one requirement
/// per pact (<c>PACT &lt;provider&gt;</c>), one case per interaction. The Pact core verifies each pact once per
/// run, against a loopback relay that sends every request on through the suite's one HTTP client. An
/// interaction that needs a provider state the target cannot set up (no state URL), or whose state call
/// failed, or whose response was past one of the suite's limits, is skipped with the reason, never failed.
/// Where the Pact core is not available, the verifications are skipped with the reason.
/// </summary>
public sealed partial class PactVerificationCheck : ICheck
{
    public const string KindName = "pact-verification";

    private readonly RepositoryLayout layout;
    private readonly string? pactLibrary;
    private readonly Lazy<IReadOnlyList<PactFile>> pacts;
    private readonly ConditionalWeakTable<ApiContext, Dictionary<string, Lazy<Task<Verification>>>> runs = new();

    public PactVerificationCheck(RepositoryLayout layout, string? pactLibrary)
    {
        this.layout = layout;
        this.pactLibrary = pactLibrary;
        pacts = new(() => Directory.Exists(layout.Pacts)
            ? [.. Directory.EnumerateFiles(layout.Pacts, "*.json").Order(StringComparer.Ordinal).Select(PactFile.Read)]
            : []);
    }

    public string Kind => KindName;

    /// <summary>Each pact, its interactions the elements: no scenario.</summary>
    public BindingNeeds Needs => BindingNeeds.None;

    /// <summary>The pact requirements of an API: one per pact whose provider is the API or one of its other origins (<c>&lt;api&gt;-downloads</c>).</summary>
    public IEnumerable<Requirement> RequirementsFor(ApiContract contract) =>
        pacts.Value
            .Where(p => p.Provider == contract.Id || p.Provider.StartsWith(contract.Id + "-", StringComparison.Ordinal))
            .Select(p => new Requirement
            {
                Id = $"PACT {p.Provider}",
                Title = $"The provider honours the consumer pact {p.Name}",
                Level = RequirementLevel.Must,
                Category = "pact",
                Source = Basis.Documented("consumer pact"),
                Api = contract.Id,
                Check = new CheckBinding { Kind = KindName, Scenarios = [], Parameter = p.Name },
            });

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) =>
        Pact(requirement).Interactions.Select(i => new CaseElement(i.Key));

    private PactFile Pact(Requirement requirement) => pacts.Value.Single(p => p.Name == requirement.Check!.Parameter);

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var pact = Pact(run.Requirement);
        var interaction = pact.Interactions.Single(i => i.Key == run.Element.Name);
        var target = run.Context.Target;
        if (target.Overrides is JsonObject o && (o.ContainsKey("parameterNames") || o.ContainsKey("paths")))
        {
            CheckRun.Skip("the consumer pacts describe the canonical contract, and this target renames parameters or moves paths; regenerate the pacts against the overridden contract to verify them",
                $"pacts/ (pacts regenerated for apis.{run.Contract.Id}.overrides)");
        }

        if (interaction.States.Count > 0 && target.Pact.StateUrl is null)
        {
            CheckRun.Skip($"the interaction needs the provider state '{string.Join("', '", interaction.States)}', and the target gives no provider-state URL to set it up (pact.stateUrl in the profile)",
                $"apis.{run.Contract.Id}.pact.stateUrl");
        }

        Lazy<Task<Verification>> verification;
        lock (runs)
        {
            var byPact = runs.GetOrCreateValue(run.Context);
            if (!byPact.TryGetValue(pact.Name, out verification!))
            {
                byPact[pact.Name] = verification = new(() => VerifyAsync(run.Context, pact, ct));
            }
        }

        var result = await verification.Value;
        if (result.Unavailable is { } why)
        {
            CheckRun.Skip(why.Reason, why.Setting);
        }

        foreach (var exchange in result.Exchanges.Where(e => e.Interaction == interaction.Key))
        {
            run.Keep(exchange);
        }

        var notes = result.Notes.Where(n => n.Interaction == interaction.Key).ToList();
        if (notes.FirstOrDefault(n => n.Kind == RelayNoteKind.StateFailed) is { } state)
        {
            CheckRun.Skip($"{state.Detail}: the interaction could not be set up, so its result says nothing");
        }

        if (notes.FirstOrDefault(n => n.Kind == RelayNoteKind.Limit) is { } limit)
        {
            CheckRun.Skip($"not checked: the provider's response is past the suite's limit ({limit.Detail})", limit.Exchange?.Limit);
        }

        var outcome = result.Outcomes.GetValueOrDefault(interaction.Description);
        if (outcome is null)
        {
            throw new PactException($"the Pact core reported no result for the interaction '{interaction.Description}' of {pact.Name}.{result.BrokerProblems}");
        }

        run.Note($"verified by the Pact core {PactCore.Version()} through the suite's HTTP layer");
        if (result.Source is { } source)
        {
            run.Note(source);
        }

        foreach (var note in notes.Where(n => n.Kind == RelayNoteKind.Transport))
        {
            Finding finding = note.Exchange switch
            {
                { Error: { } error } => new TransportProblem(error, null),
                { BlockedRedirect: { } location } e => new CrossOriginRedirect(e.Status ?? 0, location),
                _ => new PactMismatch("no response the pact allows"),
            };
            run.Fail(note.Detail, finding, run.Requirement.Source, note.Exchange);
        }

        if (!outcome.Passed && notes.All(n => n.Kind != RelayNoteKind.Transport))
        {
            run.Fail(new PactMismatch(outcome.Mismatch), run.Requirement.Source);
        }

        if (result.UnlistedFailures is { Count: > 0 } unlisted)
        {
            run.Fail($"the pact as the broker serves it has interactions that pacts/ does not, and the provider failed {unlisted.Count}: '{string.Join("', '", unlisted.Take(5))}'{(unlisted.Count > 5 ? " and more" : "")}",
                new PactMismatch($"{unlisted.Count} interaction(s) of the broker's pact failed"), run.Requirement.Source);
        }
    }

    /// <summary>One verification of a pact: the Pact core against the relay, which sends everything on through the run's client.</summary>
    private async Task<Verification> VerifyAsync(ApiContext context, PactFile pact, CancellationToken ct)
    {
        var (library, missing) = PactCore.Locate(pactLibrary, layout.Root);
        if (library is null)
        {
            return Verification.NotAvailable($"{missing}; the rest of the run does not need it", "the Pact core for this platform (a tool packed on it, or a checkout built with npm)");
        }

        var target = context.Target;
        var contract = context.Contract;
        var providerBase = pact.Provider == contract.Id ? target.BaseUrl : target.Pact.Providers.GetValueOrDefault(pact.Provider);
        if (providerBase is null)
        {
            return Verification.NotAvailable($"the target gives no base URL for the pact provider '{pact.Provider}' (pact.providers in the profile)", $"apis.{contract.Id}.pact.providers.{pact.Provider}");
        }

        var onApiOrigin = context.Credentials.BelongsTo(providerBase);
        await using var relay = await PactRelay.StartAsync(new RelaySetup(
            context.Http,
            pact,
            providerBase,
            onApiOrigin ? context.Credentials : null,
            [.. contract.Auth.Credentials.Select(c => c.Name)],
            target.Pact.ExampleCredentials,
            target.Pact.StateUrl,
            contract.Id), ct);
        var broker = target.Pact.Broker;
        // The core reaches the broker only through a relay of its own, and never holds the broker's token.
        await using var brokerRelay = broker is null ? null : await BrokerRelay.StartAsync(context.Http, broker.Url, broker.Token, ct);
        var verifier = new PactVerifier
        {
            Provider = pact.Provider,
            BaseUrl = relay.Address,
            // With a broker, the pacts come from it (and results go back when publishing); otherwise from pacts/.
            PactFiles = broker is null ? [pact.Path] : [],
            Broker = brokerRelay is null ? null : new BrokerSource(brokerRelay.Address, Token: null, broker!.Branch),
            Publish = broker is { Publish: true, ProviderVersion: { } version } ? new PublishOptions(version, broker.Branch) : null,
            // Without a state URL only the interactions that need no state run; the others are skipped with the reason.
            StateUrl = target.Pact.StateUrl is null ? null : relay.StateUrl,
            // The relay's own limits decide first (a request's deadline, its retries and their waits, the rate limit's
            // pacing); the core's timeout is only a backstop past the longest the relay may take, so the core never
            // gives up on an answer the relay is still rightly waiting for.
            RequestTimeout = context.Http.Settings.LongestBufferedCall + TimeSpan.FromSeconds(10),
            FollowRedirects = false,
        };

        // The core's execute blocks its thread for the whole verification, while the provider it calls (the
        // relay, and perhaps the in-process mock behind it) needs pool threads: it gets a thread of its own.
        var result = await Task.Factory.StartNew(() =>
            {
                PactCore.EnsureInitialised(library);
                return verifier.Verify();
            }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            .WaitAsync(ct);

        var redactor = context.Http.Redactor;
        var brokerProblems = brokerRelay is null ? "" : string.Concat(brokerRelay.Problems.Take(3).Select(p => $" The broker's answer to {redactor.Scrub(p)}."));
        if (result.ExitCode > 1)
        {
            throw new PactException($"{result.Summary}: {Excerpt(redactor.Scrub(result.Output).Trim())}{brokerProblems}");
        }

        var source = brokerRelay is null ? null : $"the pact as the Pact Broker {redactor.Scrub(broker!.Url.ToString())} serves it, fetched through the suite's HTTP layer ({brokerRelay.Exchanges.Count} broker requests{(verifier.Publish is null ? "" : ", results published")})";
        var outcomes = Outcomes(result, pact, redactor);
        // A broker's pacts may hold interactions pacts/ does not (a newer version of the consumer's): no case of the
        // catalog is theirs, so their failures are named on every case of the pact, never dropped.
        var unlisted = outcomes.Where(o => !o.Value.Passed && pact.Interactions.All(i => i.Description != o.Key)).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        return new Verification(null, outcomes, relay.Notes, relay.Exchanges, source, brokerProblems, unlisted);
    }

    /// <summary>Each interaction's result from the core's JSON report, with its mismatch text when it failed.</summary>
    private static Dictionary<string, InteractionOutcome> Outcomes(VerificationResult result, PactFile pact, Http.Redactor redactor)
    {
        var errors = (result.Json?["errors"] as JsonArray ?? [])
            .Select(e => (Interaction: e?["interaction"]?.GetValue<string>() ?? "", Mismatch: e?["mismatch"]?.ToJsonString() ?? ""))
            .ToList();
        var outcomes = new Dictionary<string, InteractionOutcome>(StringComparer.Ordinal);
        foreach (var r in result.Json?["interactionResults"] as JsonArray ?? [])
        {
            var description = r?["description"]?.GetValue<string>() ?? "";
            var passed = r?["result"]?.GetValue<string>() == "OK";
            var mismatch = passed ? "" : MismatchText(result.Output, errors, description);
            outcomes[description] = new InteractionOutcome(passed, Excerpt(redactor.Scrub(mismatch)));
        }

        return outcomes;
    }

    /// <summary>The part of the core's report about one failed interaction (its numbered entry under "Failures:"), or its JSON mismatch.</summary>
    private static string MismatchText(string output, List<(string Interaction, string Mismatch)> errors, string description)
    {
        var failures = output.IndexOf("Failures:", StringComparison.Ordinal);
        if (failures >= 0)
        {
            var entries = Numbered().Split(output[failures..]).Where(e => e.Contains(description, StringComparison.Ordinal)).ToList();
            if (entries.Count > 0)
            {
                return InOrder(Timings().Replace(string.Join(Environment.NewLine, entries).Trim(), ""));
            }
        }

        return string.Join("; ", errors.Where(e => e.Interaction.Contains(description, StringComparison.Ordinal)).Select(e => e.Mismatch).DefaultIfEmpty("the Pact core reported a failure"));
    }

    /// <summary>
    /// The core lists a body's mismatches (one line per JSON path) in no fixed order; each run of such lines is
    /// sorted, so two runs against the same provider report the same text.
    /// </summary>
    public static string InOrder(string entry)
    {
        var lines = entry.Split('\n');
        for (var start = 0; start < lines.Length;)
        {
            var end = start;
            while (end < lines.Length && lines[end].TrimStart().StartsWith('$'))
            {
                end++;
            }

            Array.Sort(lines, start, end - start, StringComparer.Ordinal);
            start = Math.Max(end, start + 1);
        }

        return string.Join('\n', lines);
    }

    /// <summary>The core's report without its timings (which differ run to run, so two runs' findings compare equal), cut to a size a report can carry.</summary>
    private static string Excerpt(string output)
    {
        var text = Timings().Replace(output, "");
        return text.Length > 4000 ? text[..4000] + "…" : text;
    }

    [GeneratedRegex(@" \(\d+(?:\.\d+)?m?s loading, \d+(?:\.\d+)?m?s verification\)")]
    private static partial Regex Timings();

    [GeneratedRegex(@"(?m)^(?=\d+\) )")]
    private static partial Regex Numbered();

    private sealed record InteractionOutcome(bool Passed, string Mismatch);

    private sealed record Verification((string Reason, string? Setting)? Unavailable, IReadOnlyDictionary<string, InteractionOutcome> Outcomes, IReadOnlyList<RelayNote> Notes, IReadOnlyList<Http.HttpExchange> Exchanges, string? Source = null, string BrokerProblems = "", IReadOnlyList<string>? UnlistedFailures = null)
    {
        public static Verification NotAvailable(string why, string? setting) => new((why, setting), new Dictionary<string, InteractionOutcome>(), [], []);
    }
}
