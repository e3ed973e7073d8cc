using System.Globalization;
using ConformanceSuite.Contracts;
using ConformanceSuite.Targets;

namespace ConformanceSuite.Checks;

/// <summary>
/// The most requests the checks that need a whole list may send to one API: every page of every walk, and
/// every walked item fetched one by one. Spent one request at a time, shared by all the API's checks.
/// </summary>
public sealed class RequestBudget
{
    private int spent;

    public RequestBudget(int limit, string source)
    {
        Limit = limit;
        Source = source;
    }

    public int Limit { get; }

    /// <summary>Where the limit comes from, in words.</summary>
    public string Source { get; }

    public int Spent => Volatile.Read(ref spent);

    public int Remaining => Math.Max(0, Limit - Spent);

    /// <summary>The profile setting that sets it.</summary>
    public string Setting { get; private init; } = "requestBudget";

    /// <summary>Takes one request from the budget; false when none is left.</summary>
    public bool TrySpend()
    {
        while (true)
        {
            var now = Volatile.Read(ref spent);
            if (now >= Limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref spent, now + 1, now) == now)
            {
                return true;
            }
        }
    }

    /// <summary>The budget of an API on a target: the profile's, else one minute of the contract's rate limit, else none.</summary>
    public static RequestBudget For(ApiContract contract, ApiTarget target)
    {
        var setting = $"apis.{contract.Id}.requestBudget";
        if (target.RequestBudget is { } given)
        {
            return new RequestBudget(given, $"{given} requests, set by the profile ({setting})") { Setting = setting };
        }

        if (contract.RateLimit is { } rate)
        {
            var basis = rate.Basis.Doc is { } doc ? $"documented in {doc}" : $"assumed, {rate.Basis.Assumption}";
            return new RequestBudget(rate.RequestsPerMinute,
                $"{rate.RequestsPerMinute.ToString(CultureInfo.InvariantCulture)} requests: one minute of the rate limit of {rate.RequestsPerMinute.ToString(CultureInfo.InvariantCulture)} requests per minute ({basis})") { Setting = setting };
        }

        return new RequestBudget(int.MaxValue, "none: no rate limit is known for this API, and the profile sets no budget") { Setting = setting };
    }

    public string Describe() => Limit == int.MaxValue
        ? $"request budget: {Source}; {Spent.ToString(CultureInfo.InvariantCulture)} requests spent"
        : $"request budget: {Source}; {Spent.ToString(CultureInfo.InvariantCulture)} of {Limit.ToString(CultureInfo.InvariantCulture)} spent so far";
}

/// <summary>
/// A part of a list the suite confines its whole-list checks to, when the whole list does not fit the request
/// budget, asked for with the list's own date filters: the items whose date field lies strictly between two bounds
/// (an after and a before filter of the field), or, where the endpoint takes one date range on a field a parameter
/// names (<see cref="Selector"/>), the items whose field lies in the range, both bounds included.
/// </summary>
public sealed record WalkWindow(string Field, string AfterParameter, string BeforeParameter, string After, string Before)
{
    /// <summary>Why the window was needed and how it was sized.</summary>
    public string Reason { get; init; } = "";

    /// <summary>The parameter that names the field the range applies to, with that field's name; none for after/before filters of the field's own.</summary>
    public (string Parameter, string Value)? Selector { get; init; }

    public IReadOnlyDictionary<string, string> Query
    {
        get
        {
            var query = new Dictionary<string, string>(StringComparer.Ordinal) { [AfterParameter] = After, [BeforeParameter] = Before };
            if (Selector is { } named)
            {
                query[named.Parameter] = named.Value;
            }

            return query;
        }
    }

    /// <summary>Puts the window's parameters into a call's query changes, so the call asks within the window.</summary>
    public void AddTo(IDictionary<string, string?> changes)
    {
        foreach (var (k, v) in Query)
        {
            changes[k] = v;
        }
    }

    /// <summary>True when <paramref name="date"/> lies inside the window: both bounds excluded, or both included for a named field's range.</summary>
    public bool Holds(DateTimeOffset? date) =>
        date is { } d && IsoDates.Parse(After) is { } a && IsoDates.Parse(Before) is { } b && (Selector is null ? d > a && d < b : d >= a && d <= b);

    /// <summary>
    /// True when <paramref name="query"/> puts the endpoint's one date range on another field: a walk of it then
    /// replaces the window's range instead of narrowing it, so it is not confined to the window.
    /// </summary>
    public bool LeftBy(IReadOnlyDictionary<string, string> query) =>
        Selector is { } named && query.TryGetValue(named.Parameter, out var value) && value != named.Value;

    public string Describe() => Selector is null
        ? $"window {Field} strictly between {After} and {Before} ({AfterParameter}={After}&{BeforeParameter}={Before}); {Reason}"
        : $"window {Field} from {After} to {Before}, both included ({Selector.Value.Parameter}={Selector.Value.Value}&{AfterParameter}={After}&{BeforeParameter}={Before}); {Reason}";
}
