using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>A required parameter left out: the request must be refused.</summary>
public sealed class RequiredParameterCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "required-parameter";

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.SuccessfulCall];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var binding = requirement.Check!;
        var endpoint = contract.Endpoint(contract.Scenario(binding.Scenarios[0]).Endpoint);
        return endpoint.Parameters
            .Where(p => p.Required && p.In == "query" && (binding.Parameter is null || p.Name == binding.Parameter))
            .Select(p => new CaseElement(p.Name));
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var parameter = run.Context.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint).Parameter(run.Element.Name);
        var rejection = parameter.Rejection
            ?? throw new ConfigurationException($"{run.Contract.Id}: parameter '{parameter.Name}' has no rejection status in the contract");
        await run.Require.SuccessAsync(scenario, ct);
        var query = run.Context.Values.Query(scenario);
        query.Remove(parameter.Name);
        var exchange = await run.Context.Http.SendAsync(run.Context.Requests.Call(scenario, query, $"without {parameter.Name}"), ct);
        Expect.Rejected(run, exchange, rejection, parameter.Basis, $"without {parameter.Name}");
    }
}

/// <summary>A parameter given a value of the wrong type: the request must be refused.</summary>
public sealed class ParameterTypeCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "parameter-type";

    public string Kind => KindName;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.SuccessfulCall];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement)
    {
        var binding = requirement.Check!;
        var endpoint = contract.Endpoint(contract.Scenario(binding.Scenarios[0]).Endpoint);
        return endpoint.Parameters
            .Where(p => p.In == "query" && (binding.SelectedParameters.Count == 0 || binding.SelectedParameters.Contains(p.Name)))
            .SelectMany(p => p.InvalidExamples.Select(v => new CaseElement(p.Name) { Value = v }));
    }

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var (name, raw) = (run.Element.Name, run.Element.Value);
        var value = raw ?? "";
        var parameter = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint).Parameter(name);
        var rejection = parameter.Rejection
            ?? throw new ConfigurationException($"{run.Contract.Id}: parameter '{name}' has no rejection status in the contract");
        await run.Require.SuccessAsync(scenario, ct);
        var query = run.Context.Values.Query(scenario);
        query[name] = value;
        var exchange = await run.Context.Http.SendAsync(run.Context.Requests.Call(scenario, query, $"{name} of the wrong type"), ct);
        // Accepting the value breaks the documented rule only when what makes it invalid is documented too.
        var ruleBasis = rejection.Basis.IsAssumption ? rejection.Basis : run.Requirement.Source;
        Expect.Rejected(run, exchange, rejection, ruleBasis, $"{name}={value} (invalid for this {parameter.Type} parameter)");
    }
}

/// <summary>
/// An optional filter parameter is accepted and honoured: with it, the download holds a non-empty,
/// strict subset of the baseline's rows.
/// </summary>
public sealed class OptionalParameterNarrowsCheck : ICheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "optional-parameter-narrows";

    public string Kind => KindName;

    public BindingNeeds Needs => BindingNeeds.Scenario | BindingNeeds.Parameter | BindingNeeds.Baseline;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.SuccessfulCall, Precondition.Download];

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) =>
        [new CaseElement(requirement.Check!.Parameter!)];

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var baseline = run.Binding.Baseline!;
        var parameter = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint).Parameter(run.Element.Name);
        if (parameter.Required)
        {
            throw new ConfigurationException($"{run.Requirement.Id}: parameter '{parameter.Name}' is required, not optional");
        }

        var with = run.Keep(await run.Context.Probes.SuccessAsync(scenario, ct));
        var expected = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint).Success.Status;
        var subject = $"with {parameter.Name}";
        if (with.Status != expected || with.Error is not null)
        {
            run.Fail(subject, Finding.OfResponse(expected, with), parameter.Basis, with);
            return;
        }

        await run.Require.SuccessAsync(baseline, ct);
        var all = (await run.Require.CsvAsync(baseline, ct)).Analysis!;
        var narrowed = await run.Require.CsvAsync(scenario, ct);
        run.Keep(narrowed.Download);
        var some = narrowed.Analysis!;
        run.Note($"{all.RowCount} rows without {parameter.Name}, {some.RowCount} with it");
        // A file whose rows were read only in part (a row not UTF-8, a record past the suite's bound) counts the rows
        // read: fewer than it holds. Such a count proves no row missing, and the other file's is no bound on it.
        if (some.RowCount == 0)
        {
            if (some.RowsNotRead is { } unread)
            {
                CheckRun.Skip($"{subject}, no rows were read: {unread}");
            }

            run.Fail(subject, new CountMismatch("rows (the test data's sub-account holds sessions)", CountRelation.Some, 1, 0), parameter.Basis, narrowed.Download);
        }

        if (some.RowCount >= all.RowCount && all.RowCount > 0 && all.RowsNotRead is null)
        {
            run.Fail(subject, new CountMismatch("rows", CountRelation.FewerThan, all.RowCount, some.RowCount), parameter.Basis, narrowed.Download);
        }

        // Exact at any size: both row sets are sorted (on disk past their memory budget) and merged, rows compared
        // on their bytes, repeats counted (a filter cannot show a row more often than the whole list does).
        var comparison = some.RowSet.CompareAsSubsetOf(all.RowSet);
        if (!comparison.Exact)
        {
            // Never a quiet pass: without a row-by-row comparison the requirement is checked only in part.
            run.CheckedInPart($"rows compared by count only, not one by one: {comparison.PartialReason}", comparison.PartialSetting);
            return;
        }

        run.Note($"rows compared one by one{(comparison.Spilled ? $", sorted in a temporary folder ({comparison.SortedRuns} runs merged)" : "")}");
        if (comparison.RowsNotInSuperset > 0)
        {
            var repeats = comparison.RepeatedRows > 0 ? $" ({comparison.RepeatedRows} of them repeat a row that appears fewer times without it)" : "";
            run.Fail(subject, new ExtraItems(comparison.RowsNotInSuperset, $"only rows that also appear without it{repeats}", comparison.Examples[0]), parameter.Basis, narrowed.Download);
        }
    }
}

/// <summary>Each credential, left out or given a wrong value: the request must be refused.</summary>
public sealed class CredentialCheck(string kind, CredentialMode mode) : ICheck
{
    /// <summary>The kind name of the check that leaves each credential out.</summary>
    public const string MissingKind = "credential-missing";

    /// <summary>The kind name of the check that sends each credential with a wrong value.</summary>
    public const string WrongKind = "credential-wrong";

    /// <summary>The kind name of the check that sends each credential without its scheme.</summary>
    public const string MalformedKind = "credential-malformed";

    public static CredentialCheck Missing() => new(MissingKind, CredentialMode.Missing);

    public static CredentialCheck Wrong() => new(WrongKind, CredentialMode.Wrong);

    /// <summary>The real value without its scheme: only credentials that have a scheme can be malformed this way.</summary>
    public static CredentialCheck Malformed() => new(MalformedKind, CredentialMode.Malformed);

    public string Kind => kind;

    public IReadOnlyList<Precondition> Preconditions { get; } = [Precondition.SuccessfulCall];

    /// <summary>Single calls: the scenario's, one page further on, and a get by id.</summary>
    public bool WalksLists => false;

    public IEnumerable<CaseElement> Expand(ApiContract contract, Requirement requirement) =>
        contract.Auth.Credentials.Where(c => mode != CredentialMode.Malformed || c.Scheme is not null).Select(c => new CaseElement(c.Name));

    public async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var scenario = run.Binding.Scenarios[0];
        var credential = run.Contract.Auth.Credentials.First(c => c.Name == run.Element.Name);
        // A refusal only proves something when the same call with all credentials is accepted.
        var valid = await run.Require.SuccessAsync(scenario, ct);
        var what = mode switch
        {
            CredentialMode.Missing => $"without {credential.Name}",
            CredentialMode.Malformed => $"with {credential.Name} missing its '{credential.Scheme}' scheme",
            _ => $"with a wrong {credential.Name}",
        };
        var nearMiss = mode == CredentialMode.Wrong && CredentialSet.NearMiss(run.Context.Credentials.Values[credential.Name]) is not null;
        var endpoint = run.Contract.Endpoint(run.Contract.Scenario(scenario).Endpoint);
        // Every call needs the credential: the scenario's, its list a page further on, and one of each endpoint that
        // takes an id its list shows (a get by id), which a provider checking the first page alone would answer to anyone.
        var first = new Asked(endpoint, run.Context.Values.Query(scenario), run.Context.Values.Path(scenario), "");
        var calls = FurtherPageCalls(run, scenario, endpoint, valid).Concat(ListedIdCalls(run, endpoint, valid)).Prepend(first)
            .Concat(OtherScenarioCalls(run, ct)).Concat(ExportCalls(run, first, ct));
        foreach (var asked in calls)
        {
            await RefusedAsync(run, asked, credential, mode, what + asked.Where, ct);
            if (nearMiss)
            {
                // An unrelated value is refused by a provider that checks only a token's form (a JWT's claims, not its
                // signature); the real value one character off is refused only by one that verifies it.
                await RefusedAsync(run, asked, credential, CredentialMode.NearMiss, $"with {credential.Name} one character off (in the middle of its last part: a JWT's signature){asked.Where}", ct);
            }
        }

        if (mode == CredentialMode.Wrong && credential.Scheme is not null && CredentialSet.OtherCase(run.Context.Credentials.Values[credential.Name]) is not null)
        {
            // A scheme's token is case-sensitive (RFC 6750's b64token): one compared ignoring case passes both wrong
            // values above. Asked on the scenario's call alone, as the comparison is the provider's, not an endpoint's.
            await RefusedAsync(run, first, credential, CredentialMode.OtherCase, $"with {credential.Name} in the other case (its letters' case swapped)", ct);
        }
    }

    /// <summary>
    /// A call the credential is tried on: its endpoint, query and path values, and where it is in words (empty for the
    /// scenario's). <paramref name="Valid"/>, when there is one, is the same call with every credential: an answer that
    /// is neither a refusal nor an acceptance is judged only when that call answers its success status (a call that
    /// fails for a reason of its own, with credentials too, tells nothing of them and is noted). <paramref name="Streamed"/>:
    /// its answer is a file (an export), read as one, not as JSON.
    /// </summary>
    private sealed record Asked(EndpointSpec Endpoint, Dictionary<string, string> Query, Dictionary<string, string> Path, string Where, Func<Task<HttpExchange>>? Valid = null, bool Streamed = false);

    /// <summary>
    /// The binding's other scenarios (a query with an optional parameter the first one leaves out, as Wavy's
    /// subAccountId), each with its valid call (the cached probe). A scenario the target gives no test data for is
    /// noted, not skipped: the case still judges the first scenario's calls.
    /// </summary>
    private static IEnumerable<Asked> OtherScenarioCalls(CheckRun run, CancellationToken ct)
    {
        foreach (var other in run.Binding.Scenarios.Skip(1))
        {
            Dictionary<string, string> query, path;
            try
            {
                (query, path) = (run.Context.Values.Query(other), run.Context.Values.Path(other));
            }
            catch (SkipCheckException skip)
            {
                run.Note($"scenario '{other}' not asked: {skip.Message}");
                continue;
            }

            var extra = query.Where(kv => !run.Context.Values.Query(run.Binding.Scenarios[0]).ContainsKey(kv.Key)).Select(kv => $"{kv.Key}={(run.Context.Values.IsMadeUp(kv.Value) ? "a made-up value" : kv.Value)}").ToList();
            var endpoint = run.Contract.Endpoint(run.Contract.Scenario(other).Endpoint);
            yield return new Asked(endpoint, query, path, $" on scenario '{other}'{(extra.Count == 0 ? "" : $" ({string.Join(", ", extra)})")}",
                () => run.Context.Probes.SuccessAsync(other, ct));
        }
    }

    /// <summary>
    /// The scenario's call as each export the endpoint has: every CSV format, and the zip of the first; each with the
    /// same call with valid credentials, made only when needed (once per case).
    /// </summary>
    private static IEnumerable<Asked> ExportCalls(CheckRun run, Asked first, CancellationToken ct)
    {
        if (first.Endpoint.Exports is not { } exports)
        {
            yield break;
        }

        var csv = exports.Formats.Where(f => f.Value.CsvSpec is not null).Select(f => f.Key).ToList();
        var asked = csv.Select(f => (Query: new Dictionary<string, string>(first.Query) { [exports.FormatParameter] = f }, Where: $" on the {f} export ({exports.FormatParameter}={f})")).ToList();
        if (exports.ZipParameter is { } zip && csv.Count > 0)
        {
            asked.Add((new Dictionary<string, string>(first.Query) { [exports.FormatParameter] = csv[0], [zip] = "true" }, $" on the zip export ({exports.FormatParameter}={csv[0]}, {zip}=true)"));
        }

        foreach (var (query, where) in asked)
        {
            Task<HttpExchange>? valid = null;
            yield return new Asked(first.Endpoint, query, first.Path, where, () => valid ??= SendAsync(run,
                run.Context.Requests.Call(first.Endpoint, query, first.Path, $"{where.Trim()} with valid credentials (its refusal without them tells something only when it works with them)"), streamed: true, ct), Streamed: true);
        }
    }

    /// <summary>The scenario's list a page further on: by the valid page's next cursor; or a walk's page size in, by offset and by page number.</summary>
    private static IEnumerable<Asked> FurtherPageCalls(CheckRun run, string scenario, EndpointSpec list, HttpExchange valid)
    {
        var values = run.Context.Values;
        switch (list.Pagination)
        {
            case CursorPagination cursor:
                var next = JsonPointer.Text(ProviderJson.TryParse(valid.Body), cursor.NextPointer);
                if (string.IsNullOrEmpty(next))
                {
                    run.Note($"no next page asked: the valid page has no cursor at {cursor.NextPointer}");
                    break;
                }

                var query = values.Query(scenario);
                query[cursor.CursorParameter] = next;
                yield return new Asked(list, query, values.Path(scenario), $" on the next page ({cursor.CursorParameter}={ListWalk.Short(next)})");
                break;
            case OffsetPagination offset:
                var size = offset.WalkPageSize.ToString(CultureInfo.InvariantCulture);
                query = values.Query(scenario);
                query[offset.LimitParameter] = size;
                query[offset.OffsetParameter] = size;
                yield return new Asked(list, query, values.Path(scenario), $" on the second page ({offset.OffsetParameter}={size}, {offset.LimitParameter}={size})");
                if (offset.PageParameter is { } page)
                {
                    var second = (offset.PageBase + 1).ToString(CultureInfo.InvariantCulture);
                    query = values.Query(scenario);
                    query[offset.LimitParameter] = size;
                    query[page] = second;
                    yield return new Asked(list, query, values.Path(scenario), $" on the second page ({page}={second}, {offset.LimitParameter}={size})");
                }

                break;
        }
    }

    /// <summary>A call of each other endpoint that takes one path parameter, given the first id on the valid page of the scenario's list.</summary>
    private static IEnumerable<Asked> ListedIdCalls(CheckRun run, EndpointSpec list, HttpExchange valid)
    {
        var others = run.Contract.Endpoints.Where(e => e != list && e.Parameters.Count(p => p.In == "path") == 1).ToList();
        if (list.Pagination is not { } spec || others.Count == 0)
        {
            return [];
        }

        var id = (JsonPointer.Read(ProviderJson.TryParse(valid.Body), spec.ItemsPointer) as JsonArray)?
            .Select(item => JsonPointer.Text(item, spec.IdPointer)) is { } listed ? RequestBuilder.FirstAskable(listed) : null;
        if (id is null)
        {
            run.Note($"{string.Join(", ", others.Select(e => $"{e.Method} {e.Path}"))} not asked: the valid page shows no item with an id at {spec.IdPointer} that a URL can carry");
            return [];
        }

        return others.Select(e =>
        {
            var name = e.Parameters.Single(p => p.In == "path").Name;
            return new Asked(e, [], new() { [name] = id }, $" on {e.Method} {e.Path} ({name}={id}, listed)");
        });
    }

    private static async Task RefusedAsync(CheckRun run, Asked asked, CredentialSpec credential, CredentialMode mode, string what, CancellationToken ct)
    {
        var modes = new Dictionary<string, CredentialMode> { [credential.Name] = mode };
        var exchange = await SendAsync(run, run.Context.Requests.Call(asked.Endpoint, asked.Query, asked.Path, what, modes), asked.Streamed, ct);
        var rejection = run.Contract.Auth.Rejection;
        var answered = exchange.Error is null && exchange.BlockedRedirect is null
            && (exchange.Status == rejection.Status || rejection.Tolerated.Contains(exchange.Status!.Value) || exchange.Status < 400);
        if (!answered && asked.Valid is { } validCall)
        {
            // Neither refused nor accepted (another 4xx, a server error, no answer): about the credential only when the
            // same call with every credential works.
            var valid = run.Keep(await validCall());
            var expected = asked.Endpoint.Success.Status;
            if (valid.Status != expected || valid.Error is not null)
            {
                run.Keep(exchange);
                run.Note($"{what}: not judged, it answered {exchange.Error ?? exchange.Status.ToString()} and the same call with valid credentials did not answer {expected} either but {valid.Error ?? valid.Status.ToString()}");
                return;
            }
        }

        Expect.Rejected(run, exchange, rejection, credential.Basis, what);
    }

    /// <summary>
    /// A call read as JSON, or, <paramref name="streamed"/>, as a file (an export): its body is not judged here, and one
    /// not read as JSON is not held to a JSON response's Content-Type. A refusal's body is read for its excerpt.
    /// </summary>
    private static async Task<HttpExchange> SendAsync(CheckRun run, HttpCall call, bool streamed, CancellationToken ct) =>
        streamed
            ? (await run.Context.Http.StreamAsync(call, (exchange, body) =>
            {
                if (!exchange.IsSuccess)
                {
                    body.CopyTo(Stream.Null);
                }

                return true;
            }, ct)).Exchange
            : await run.Context.Http.SendAsync(call, ct);
}
