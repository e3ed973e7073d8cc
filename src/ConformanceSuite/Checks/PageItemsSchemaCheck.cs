using System.Globalization;
using System.Text.Json.Nodes;
using ConformanceSuite.Contracts;
using NJsonSchema;

namespace ConformanceSuite.Checks;

/// <summary>Every page of a walk answers the success status and validates against the body schema (items included).</summary>
public sealed class PageItemsSchemaCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "page-items-schema";

    public override string Kind => KindName;

    /// <summary>
    /// Fails each page of <paramref name="walk"/> on what the body schema found wrong with it (a missing item member on
    /// the basis of the item's required list), and says when the walk was validated only in part. Any walk of the
    /// endpoint: the whole list's, and a filtered or sorted one (<see cref="JudgeOtherWalk"/>), whose items a provider may break alone.
    /// </summary>
    public static void JudgePages(CheckRun run, EndpointSpec endpoint, ListWalk walk, string subject, Func<WalkPage, SchemaViolation, bool>? judged = null)
    {
        var itemsPointer = endpoint.Pagination!.ItemsPointer + "/";
        foreach (var page in walk.Pages.Where(p => p.Violations.Count > 0))
        {
            var violations = judged is null ? page.Violations : [.. page.Violations.Where(v => judged(page, v))];
            if (violations.Count == 0)
            {
                continue;
            }

            // Read once for all the page's violations: past the request log's bound, it comes back from the log's file.
            var exchange = run.Keep(page.Exchange);
            foreach (var v in violations)
            {
                var basis = v.Kind == "PropertyRequired" && v.Pointer.StartsWith(itemsPointer, StringComparison.Ordinal)
                    ? endpoint.Success.ItemRequiredBasis ?? endpoint.Success.Basis
                    : endpoint.Success.Basis;
                run.Fail($"{subject}, page {page.Number}", SchemaViolationFinding.Of(endpoint.Success.BodySchema, v), basis, exchange);
            }
        }

        if (walk.ValidatedInPart is { } part)
        {
            run.CheckedInPart($"{subject}, {part}");
        }
    }

    /// <summary>
    /// <see cref="JudgePages"/> for a walk of the list asked another way (filtered, sorted), when <paramref name="whole"/>,
    /// the list as it is, validates: a provider may break the records of such a list alone, while a schema fault of the
    /// whole list is this requirement's, and said again by every filter and sort it would fail them all for one defect.
    /// <paramref name="window"/>: the window <paramref name="whole"/> is confined to, when <paramref name="walk"/> was asked
    /// without it: a record of <paramref name="walk"/> outside the window is one <paramref name="whole"/> never saw, so a
    /// fault in it may be the list's, not this walk's alone; it is left to this requirement, and counted in a note.
    /// </summary>
    public static void JudgeOtherWalk(CheckRun run, EndpointSpec endpoint, ListWalk whole, ListWalk walk, string subject, WalkWindow? window = null)
    {
        if (whole.Pages.Any(p => p.Violations.Count > 0))
        {
            return;
        }

        if (window is null)
        {
            JudgePages(run, endpoint, walk, subject);
            return;
        }

        // A violation's pointer names its record by its place in the page's items (/list/3/...): that record's date.
        var items = JsonPointer.Tokens(endpoint.Pagination!.ItemsPointer);
        ILookup<int, WalkItem>? byPage = null;
        var left = 0;
        JudgePages(run, endpoint, walk, subject, (page, v) =>
        {
            var tokens = JsonPointer.Tokens(v.Pointer);
            if (tokens.Length <= items.Length || !tokens.AsSpan(0, items.Length).SequenceEqual(items)
                || !int.TryParse(tokens[items.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || (byPage ??= walk.Items.ToLookup(i => i.Page))[page.Number].ElementAtOrDefault(index) is not { } item
                || window.Holds(IsoDates.Parse(item.Text(window.Field))))
            {
                return true;
            }

            left++;
            return false;
        });
        if (left > 0)
        {
            run.Note($"{subject}: {left} schema violation{(left == 1 ? "" : "s")} in records outside the window, which the window's walk never saw, left to the list's own schema requirement");
        }
    }

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var endpoint = EndpointOf(run);
        var walks = await PaginationWalks.OfAsync(run, run.Element.Name, run.Context.Probes.DefaultMode(run.Element.Name), ct);
        foreach (var walk in walks)
        {
            var subject = PaginationWalks.Subject(walk);
            if (walk.FailedExchange is { } failed)
            {
                run.Fail(subject, walk.Failure!, endpoint.Success.Basis, run.Keep(failed));
            }

            JudgePages(run, endpoint, walk, subject);
            run.Note($"{subject}: {walk.Pages.Count} pages, {walk.ItemCount} items validated");
            if (endpoint.Success.ItemSchema is { } itemSchema)
            {
                foreach (var line in EnumCoverage.Describe(run.Contract.BodySchemas[itemSchema], walk.Items))
                {
                    run.Note(line);
                }
            }
        }
    }
}

/// <summary>Which values of each enum in an item schema a walk observed.</summary>
public static class EnumCoverage
{
    public static IEnumerable<string> Describe(JsonSchema itemSchema, IReadOnlyList<WalkItem> items)
    {
        foreach (var (pointer, values) in SchemaEnums.Find(itemSchema))
        {
            var seen = items.Select(i => i.Text(pointer)).OfType<string>().ToHashSet(StringComparer.Ordinal);
            var missing = values.Where(v => !seen.Contains(v)).ToList();
            yield return $"enum coverage {pointer}: {values.Count - missing.Count}/{values.Count} observed"
                         + (missing.Count > 0 ? $" (not observed: {string.Join(", ", missing)})" : "");
        }
    }
}
