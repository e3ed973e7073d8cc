using System.Text;
using ConformanceSuite.Http;
using ConformanceSuite.Checks;

namespace ConformanceSuite.Running;

/// <summary>The console summary and the Markdown report (for pull-request comments and CI step summaries).</summary>
public static class TextReports
{
    public static string Word(Verdict v) => v switch
    {
        Verdict.Pass => "PASS",
        Verdict.Fail => "FAIL",
        Verdict.Deviation => "DEVIATION",
        Verdict.Error => "ERROR",
        Verdict.NotApplicable => "N/A",
        _ => "SKIPPED",
    };

    /// <summary>How a requirement changed against the baseline, in words.</summary>
    public static string ChangeWord(Change change) => change switch
    {
        Change.NewFail => "NEW FAIL",
        Change.StillFailing => "still failing",
        Change.Fixed => "fixed",
        _ => "unchanged",
    };

    /// <summary>The changes against the baseline, in one phrase (empty without a baseline).</summary>
    public static string Changes(RunResults results) =>
        results.Baseline is not { } b ? "" : $"against the baseline of {b.FinishedAt:yyyy-MM-dd HH:mm} UTC: {ChangeCounts(b)}";

    /// <summary>The counts of changes, and the requirements checked less than in the baseline.</summary>
    public static string ChangeCounts(BaselineInfo b) =>
        $"{b.Changes.GetValueOrDefault("new-fail")} new fail, {b.Changes.GetValueOrDefault("fixed")} fixed, {b.Changes.GetValueOrDefault("still-failing")} still failing"
        + (b.LessChecked.Count > 0 ? $", {b.LessChecked.Count} checked less than in the baseline ({string.Join(", ", b.LessChecked)})" : "");

    /// <summary>A verdict's key in counts and class names: <c>pass</c>, …, <c>not-applicable</c>.</summary>
    public static string Key(Verdict v) => v == Verdict.NotApplicable ? "not-applicable" : v.ToString().ToLowerInvariant();

    /// <summary>The run's outcome in capitals, as the verdict line says it.</summary>
    public static string Outcome(RunResults results) => results.Outcome switch
    {
        RunOutcome.Conformant => "CONFORMANT",
        RunOutcome.Incomplete => "INCOMPLETE",
        _ => "NOT CONFORMANT",
    };

    public static string Console(RunResults results)
    {
        var sb = new StringBuilder();
        foreach (var api in results.Requirements.GroupBy(r => r.Api))
        {
            sb.AppendLine(api.Key);
            foreach (var r in api)
            {
                sb.Append(Requirement(r));
            }
        }

        sb.Append(LatencyLines(results));
        sb.AppendLine(Summary(results));
        return sb.ToString();
    }

    /// <summary>Per-endpoint latency as console lines: count, p50, p95 and max.</summary>
    public static string LatencyLines(RunResults results)
    {
        var sb = new StringBuilder();
        if (results.Latency.Count > 0)
        {
            sb.AppendLine("latency (ms)                                                     n     p50     p95     max");
            foreach (var l in results.Latency)
            {
                sb.AppendLine($"  {Truncate($"{l.Api} {l.Endpoint}", 60),-60} {l.Count,5} {l.P50Ms,7:0} {l.P95Ms,7:0} {l.MaxMs,7:0}");
            }
        }

        return sb.ToString();
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    /// <summary>A requirement's console lines: its verdict, and a line for every case that did not pass.</summary>
    public static string Requirement(RequirementResult r)
    {
        var sb = new StringBuilder();
        sb.Append($"  {Word(r.Verdict),-9}  {r.Id}  {r.Title}");
        sb.Append(AssumptionNote(r));
        sb.AppendLine(r.Change is { } change and not Change.Unchanged ? $"  [{ChangeWord(change)}, was {(r.BaselineVerdict is { } was ? Word(was) : "not in the baseline")}]" : "");
        foreach (var c in r.Cases.Where(c => c.Verdict is not (Verdict.Pass or Verdict.NotApplicable) || c.Partial is not null))
        {
            // One line for each case, whatever the provider's text quoted in it holds (ProviderText.OneLine).
            sb.AppendLine(ProviderText.OneLine($"             [{c.Element}] {(c.Partial is null ? Word(c.Verdict) : $"{Word(c.Verdict)}, IN PART")}: {(c.Partial ?? Detail(c))}"
                + (c.Setting is null ? "" : $" (setting: {c.Setting})")));
        }

        if (r.NotApplicable is not null)
        {
            sb.AppendLine(ProviderText.OneLine($"             not applicable: {r.Waived ?? After(r.NotApplicable, "not applicable: ")}"));
        }

        return sb.ToString();
    }

    /// <summary>What a case that did not pass found, without its heading.</summary>
    public static string Detail(CaseOutcome c) => c.Verdict switch
    {
        Verdict.Skipped => After(c.Message, "skipped: "),
        Verdict.Error => After(c.Message, "ERROR: "),
        _ => string.Join(" | ", c.Findings.Select(f => f.Message).DefaultIfEmpty(c.Message)) + NotesOf(c),
    };

    /// <summary>
    /// A case's notes after its findings, for a case that did not pass: what was judged and how much ("13 slow requests
    /// in all; the slowest 10 are shown"), without which its findings may read as all there was.
    /// </summary>
    private static string NotesOf(CaseOutcome c) => c.Notes.Count == 0 ? "" : $" (notes: {string.Join("; ", c.Notes)})";

    private static string After(string message, string marker) =>
        message.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0 ? message[(at + marker.Length)..] : message;

    /// <summary>Says whether a verdict rests wholly or partly on assumptions.</summary>
    public static string AssumptionNote(RequirementResult r) =>
        r.SourceIsAssumption ? $"  (assumed: {string.Join(", ", r.Assumptions.DefaultIfEmpty(r.Source))})"
        : r.Assumptions.Count > 0 ? $"  (partly assumed: {string.Join(", ", r.Assumptions)})"
        : "";

    public static string Summary(RunResults results) =>
        $"{Outcome(results)}: {results.Counts["pass"]} pass, {results.Counts["fail"]} fail, "
        + $"{results.Counts["deviation"]} deviation, {results.Counts["skipped"]} skipped, {results.Counts.GetValueOrDefault("error")} error"
        + (results.Counts.GetValueOrDefault("not-applicable") is > 0 and var na ? $", {na} not applicable" : "")
        + $" (fail-on: {results.FailOn}); "
        + (results.NotFullyChecked.Count() is > 0 and var open ? $"{open} requirements not fully checked; " : "")
        + (results.Baseline is null ? "" : Changes(results) + (results.FailOn == "new" ? GateWord(results) : "") + "; ")
        + $"{results.RequestCount} requests; target '{results.Target.Name}'";

    /// <summary>For the console after a run against a baseline: each requirement that changed, one line each (empty without a baseline).</summary>
    public static string ChangeLines(RunResults results)
    {
        var sb = new StringBuilder();
        foreach (var r in results.Requirements.Where(r => r.Change is Change.NewFail or Change.Fixed or Change.StillFailing).OrderBy(r => r.Change))
        {
            sb.AppendLine($"  {r.Api}  {r.Id}  {r.Title}  [{ChangeWord(r.Change!.Value)}, was {(r.BaselineVerdict is { } was ? Word(was) : "not in the baseline")}]");
        }

        if (results.Baseline is { LessChecked.Count: > 0 } b)
        {
            sb.AppendLine($"  checked in full in the baseline but not now: {string.Join(", ", b.LessChecked)}");
        }

        return sb.ToString();
    }

    private static string GateWord(RunResults results) =>
        results.Regressed ? " (a regression: the gate fails)"
        : results.Baseline is { LessChecked.Count: > 0 } ? " (no regression, but less was checked: the gate says incomplete)"
        : " (no regression: the gate passes)";

    public static string Markdown(RunResults results)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## ConformanceSuite: {results.Outcome switch { RunOutcome.Conformant => "✅ conformant", RunOutcome.Incomplete => "⚠️ incomplete", _ => "❌ not conformant" }}");
        sb.AppendLine();
        sb.AppendLine($"Target **{MarkdownText(results.Target.Name)}** ({MarkdownText(results.Target.Description)}), tool {results.Tool.Version}{(results.Tool.Revision is null ? "" : $" ({results.Tool.Revision})")}, {results.FinishedAt:yyyy-MM-dd HH:mm} UTC, {results.RequestCount} requests, fail-on `{results.FailOn}`.");
        if (results.Target.InsecureTls)
        {
            sb.AppendLine();
            sb.AppendLine("> ⚠️ TLS certificate validation was **off** for this run (`--insecure`).");
        }
        if (results.Baseline is { } baseline)
        {
            sb.AppendLine();
            sb.AppendLine($"Compared with the baseline run of {baseline.FinishedAt:yyyy-MM-dd HH:mm} UTC (target {MarkdownText(baseline.Target)}): **{MarkdownText(ChangeCounts(baseline))}**.");
            foreach (var r in results.Requirements.Where(r => r.Change is Change.NewFail or Change.Fixed).OrderBy(r => r.Change))
            {
                sb.AppendLine($"- {(r.Change == Change.NewFail ? "🔴 new fail" : "🟢 fixed")}: **{r.Id}** {MarkdownText(r.Title)} ({(r.BaselineVerdict is { } was ? Word(was) : "not in the baseline")} → {Word(r.Verdict)})");
            }
        }

        sb.AppendLine();
        sb.AppendLine(results.Baseline is null ? "| verdict | api | requirement | level | rests on assumption |" : "| verdict | change | api | requirement | level | rests on assumption |");
        sb.AppendLine(results.Baseline is null ? "|---|---|---|---|---|" : "|---|---|---|---|---|---|");
        foreach (var r in results.Requirements)
        {
            var change = results.Baseline is null ? "" : $" {(r.Change is { } c ? ChangeWord(c) : "")} |";
            sb.AppendLine($"| {Word(r.Verdict)} |{change} {r.Api} | **{r.Id}** {MarkdownText(r.Title)} | {r.Level} | {(r.RestsOnAssumption ? AssumptionNote(r).Trim(' ', '(', ')') : "no")} |");
        }

        var problems = results.Requirements.SelectMany(r => r.Cases).Where(c => c.Verdict != Verdict.Pass).ToList();
        if (problems.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("### Findings");
            foreach (var c in problems)
            {
                sb.AppendLine($"- **{c.RequirementId}** [{MarkdownText(c.Element)}] {Word(c.Verdict)}");
                foreach (var f in c.Findings)
                {
                    sb.AppendLine($"  - `{f.Type}` {MarkdownText(f.Message)}{(f.Aspect == Aspect.Assumed ? " _(assumed rule)_" : "")}");
                }

                if (c.Verdict is Verdict.Skipped or Verdict.Error)
                {
                    sb.AppendLine($"  - {MarkdownText(c.Message)}");
                }

                foreach (var n in c.Notes)
                {
                    sb.AppendLine($"  - _note:_ {MarkdownText(n)}");
                }
            }
        }

        var notChecked = results.NotFullyChecked.ToList();
        if (notChecked.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("### Not checked");
            sb.AppendLine();
            sb.AppendLine("Nothing below was judged in full, so the run cannot say the provider conforms to it.");
            sb.AppendLine();
            sb.AppendLine("| requirement | case | why | setting that would let it be checked |");
            sb.AppendLine("|---|---|---|---|");
            foreach (var r in notChecked)
            {
                foreach (var c in r.NotChecked)
                {
                    sb.AppendLine($"| **{r.Id}** | {MarkdownText(c.Element)} | {(c.Partial ? "checked in part: " : "")}{MarkdownText(c.Reason)} | {MarkdownText(c.Setting ?? "—")} |");
                }
            }
        }

        var notApplicable = results.Requirements.Where(r => r.NotApplicable is not null).ToList();
        if (notApplicable.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("### Not applicable");
            foreach (var r in notApplicable)
            {
                sb.AppendLine($"- **{r.Id}** {MarkdownText(r.Waived ?? After(r.NotApplicable!, "not applicable: "))}");
            }
        }

        if (results.Latency.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("### Latency");
            sb.AppendLine();
            sb.AppendLine("| api | endpoint | n | p50 ms | p95 ms | max ms | slowest |");
            sb.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var l in results.Latency)
            {
                sb.AppendLine(System.FormattableString.Invariant($"| {l.Api} | {MarkdownText(l.Endpoint)} | {l.Count} | {l.P50Ms:0} | {l.P95Ms:0} | {l.MaxMs:0} | {MarkdownText(l.Slowest)} |"));
            }
        }

        foreach (var api in results.Apis.Where(a => a.DocFindings.Count > 0))
        {
            sb.AppendLine();
            sb.AppendLine($"### Doc findings: {api.Id}");
            foreach (var f in api.DocFindings)
            {
                sb.AppendLine($"- **{f.Id}** {MarkdownText(f.Summary)} Resolution: {MarkdownText(f.Resolution)}");
            }
        }

        sb.AppendLine();
        sb.AppendLine(Summary(results));
        return sb.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> as Markdown shows it literally, within a line or a table cell. Much of what a report quotes
    /// comes from the provider, and report.md goes into CI step summaries and pull-request comments, whose renderer obeys
    /// HTML and Markdown: an <c>&lt;!--</c> in a quoted value would hide the rest of the report, its verdict line
    /// included, and a link or a <c>&lt;/details&gt;</c> would be the provider's to place. So <c>&amp; &lt; &gt;</c> become
    /// entities, the characters Markdown gives a meaning inside a line are escaped with a backslash, and a line end is a space.
    /// </summary>
    public static string MarkdownText(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        // Bidirectional controls and line separators first, as their escapes: the renderer would obey them.
        foreach (var c in ProviderText.Visible(text))
        {
            _ = c switch
            {
                '&' => sb.Append("&amp;"),
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                '\n' or '\r' => sb.Append(' '),
                '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~' => sb.Append('\\').Append(c),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }
}
