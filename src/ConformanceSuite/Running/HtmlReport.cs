using System.Globalization;
using System.Net;
using System.Text;
using ConformanceSuite.Checks;

namespace ConformanceSuite.Running;

/// <summary>
/// The certification report: one self-contained HTML page (no scripts, no external assets) with the
/// summary, a category × API matrix of the five verdicts, every requirement with its evidence on
/// demand, the doc findings, the assumptions in force, and the target and tool fingerprint.
/// </summary>
public static class HtmlReport
{
    private static readonly Verdict[] Order = [Verdict.Fail, Verdict.Error, Verdict.Deviation, Verdict.Skipped, Verdict.Pass, Verdict.NotApplicable];

    public static string Render(RunResults results)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>ConformanceSuite certification report</title><style>")
         .Append(Style)
         .Append("</style></head><body>");
        var verdict = TextReports.Outcome(results);
        var css = results.Outcome switch { RunOutcome.Conformant => "pass", RunOutcome.Incomplete => "incomplete", _ => "fail" };
        h.Append($"<header><h1>ConformanceSuite certification report</h1><p class=\"overall {css}\" id=\"overall\">{verdict}</p>");
        h.Append($"<p>Target <b>{E(results.Target.Name)}</b>: {E(results.Target.Description)}</p></header>");
        if (results.Target.InsecureTls)
        {
            h.Append("<p class=\"banner\" id=\"insecure\">TLS certificate validation was OFF for this run (--insecure). Its verdicts say nothing about the provider's certificates.</p>");
        }

        if (results.Target.Faults.Count > 0)
        {
            h.Append($"<p class=\"banner\">The embedded mock ran with fault modes: {E(string.Join(", ", results.Target.Faults))}.</p>");
        }

        Summary(h, results);
        if (results.Baseline is not null)
        {
            h.Append($"<p class=\"banner\" id=\"baseline\">Compared with a baseline run: {E(TextReports.Changes(results))}.</p>");
        }

        var anchors = Anchors(results);
        NotChecked(h, results, anchors);
        Matrix(h, results, anchors);
        Requirements(h, results, anchors);
        LatencyTable(h, results);
        Findings(h, results);
        Assumptions(h, results);
        Fingerprint(h, results);
        h.Append("</body></html>");
        return h.ToString();
    }

    public static void Write(RunResults results, string path) => File.WriteAllText(path, Render(results), new UTF8Encoding(false));

    private static void Summary(StringBuilder h, RunResults r)
    {
        h.Append("<section><h2>Summary</h2><table class=\"summary\"><tr><th>API</th>");
        foreach (var v in Order)
        {
            h.Append($"<th>{TextReports.Word(v)}</th>");
        }

        h.Append("</tr>");
        foreach (var api in r.Requirements.GroupBy(x => x.Api))
        {
            h.Append($"<tr><td>{E(api.Key)}</td>");
            foreach (var v in Order)
            {
                var n = api.Count(x => x.Verdict == v);
                h.Append($"<td class=\"{(n > 0 ? Css(v) : "")}\">{n}</td>");
            }

            h.Append("</tr>");
        }

        h.Append($"</table><p>Fail-on: <b>{E(r.FailOn)}</b>. A deviation is a broken assumption or SHOULD; it fails the run only with fail-on deviation. An error means the suite could not judge a case (its check threw, or the run's time limit ended it); it fails the run. {r.RequestCount} requests.</p></section>");
    }

    /// <summary>What was not checked in full, with why and the setting that would let it be; and what the profile declares not applicable.</summary>
    private static void NotChecked(StringBuilder h, RunResults r, IReadOnlyDictionary<RequirementResult, string> anchors)
    {
        var open = r.NotFullyChecked.ToList();
        var notApplicable = r.Requirements.Where(x => x.NotApplicable is not null).ToList();
        if (open.Count == 0 && notApplicable.Count == 0)
        {
            return;
        }

        h.Append("<section id=\"not-checked\"><h2>Not checked</h2>");
        if (open.Count > 0)
        {
            h.Append("<p>Nothing here was judged in full, so the run cannot say the provider conforms to it.</p><table class=\"notchecked\"><tr><th>requirement</th><th>case</th><th>why</th><th>setting that would let it be checked</th></tr>");
            foreach (var x in open)
            {
                foreach (var c in x.NotChecked)
                {
                    h.Append($"<tr><td><a href=\"#{anchors[x]}\">{E(x.Id)}</a></td><td><code>{E(c.Element)}</code></td><td>{(c.Partial ? "checked in part: " : "")}{E(c.Reason)}</td><td><code>{E(c.Setting ?? "—")}</code></td></tr>");
                }
            }

            h.Append("</table>");
        }

        if (notApplicable.Count > 0)
        {
            h.Append("<h3>Not applicable</h3><ul>");
            foreach (var x in notApplicable)
            {
                h.Append($"<li><b>{E(x.Id)}</b> {E(x.Waived ?? x.NotApplicable)}</li>");
            }

            h.Append("</ul>");
        }

        h.Append("</section>");
    }

    private static void Matrix(StringBuilder h, RunResults r, IReadOnlyDictionary<RequirementResult, string> anchors)
    {
        var apis = r.Requirements.Select(x => x.Api).Distinct().ToList();
        h.Append("<section><h2>Requirements × API</h2><table class=\"matrix\"><tr><th>category</th>");
        apis.ForEach(a => h.Append($"<th>{E(a)}</th>"));
        h.Append("</tr>");
        foreach (var category in r.Requirements.Select(x => x.Category).Distinct().Order(StringComparer.Ordinal))
        {
            h.Append($"<tr><td>{E(category)}</td>");
            foreach (var api in apis)
            {
                var cell = r.Requirements.Where(x => x.Api == api && x.Category == category).ToList();
                h.Append("<td>");
                foreach (var x in cell)
                {
                    h.Append($"<a class=\"chip {Css(x.Verdict)}\" href=\"#{anchors[x]}\" title=\"{E(x.Title)}\">{E(x.Id)}</a> ");
                }

                h.Append("</td>");
            }

            h.Append("</tr>");
        }

        h.Append("</table></section>");
    }

    private static void Requirements(StringBuilder h, RunResults r, IReadOnlyDictionary<RequirementResult, string> anchors)
    {
        foreach (var api in r.Requirements.GroupBy(x => x.Api))
        {
            h.Append($"<section><h2>{E(api.Key)}</h2><table class=\"reqs\"><tr><th>verdict</th><th>requirement</th><th>level</th><th>source</th></tr>");
            foreach (var x in api)
            {
                var assumed = TextReports.AssumptionNote(x).Trim();
                var change = x.Change is { } ch and not Change.Unchanged ? $" <span class=\"change {Baseline.Key(ch)}\">{E(TextReports.ChangeWord(ch))}</span>" : "";
                h.Append($"<tr id=\"{anchors[x]}\"><td><span class=\"chip {Css(x.Verdict)}\">{TextReports.Word(x.Verdict)}</span>{change}</td><td><b>{E(x.Id)}</b> {E(x.Title)}");
                if (assumed.Length > 0)
                {
                    h.Append($" <span class=\"assumed\">{E(assumed)}</span>");
                }

                h.Append("<details><summary>evidence</summary>");
                foreach (var c in x.Cases)
                {
                    h.Append($"<div class=\"case\"><p><span class=\"chip {Css(c.Verdict)}\">{TextReports.Word(c.Verdict)}</span> <code>{E(c.Element)}</code> ({c.DurationMs.ToString("0", CultureInfo.InvariantCulture)} ms)</p>");
                    if (c.Verdict is Verdict.Skipped or Verdict.Error or Verdict.NotApplicable || c.Partial is not null)
                    {
                        h.Append($"<p>{E(c.Message)}{(c.Setting is null ? "" : $" <i>(setting: {E(c.Setting)})</i>")}</p>");
                    }

                    foreach (var f in c.Findings)
                    {
                        h.Append($"<p class=\"finding\"><span class=\"ftype\">{E(f.Type)}</span> {E(f.Message)}{(f.Aspect == Aspect.Assumed ? " <i>(assumed rule)</i>" : "")}</p>");
                    }

                    foreach (var n in c.Notes)
                    {
                        h.Append($"<p class=\"note\">{E(n)}</p>");
                    }

                    foreach (var e in c.Evidence.Take(3))
                    {
                        h.Append($"<pre>{E(e.Describe())}</pre>");
                    }

                    h.Append("</div>");
                }

                h.Append($"</details></td><td>{E(x.Level)}</td><td>{E(x.Source)}</td></tr>");
            }

            h.Append("</table></section>");
        }
    }

    /// <summary>
    /// The anchor of each requirement's row, which the matrix and the not-checked table link to: <c>req-</c>, then its API
    /// and its id with every character a URL fragment would have to escape (whitespace, quotes, anything beyond ASCII
    /// letters, digits, '.', '_' and '-') made '-' (<c>PACT wavy-open-sessions</c>: <c>req-wavy-open-sessions-PACT-wavy-open-sessions</c>),
    /// and a number when that is taken already. The prefix keeps them apart from the page's own ids (<c>overall</c>);
    /// the number keeps two ids apart that differ only in what an anchor cannot hold.
    /// </summary>
    public static IReadOnlyDictionary<RequirementResult, string> Anchors(RunResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var anchors = new Dictionary<RequirementResult, string>(ReferenceEqualityComparer.Instance);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var x in results.Requirements)
        {
            var plain = $"req-{FragmentSafe(x.Api)}-{FragmentSafe(x.Id)}";
            var anchor = plain;
            for (var n = 2; !taken.Add(anchor); n++)
            {
                anchor = string.Create(CultureInfo.InvariantCulture, $"{plain}-{n}");
            }

            anchors[x] = anchor;
        }

        return anchors;
    }

    private static string FragmentSafe(string text) =>
        new(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());

    private static void LatencyTable(StringBuilder h, RunResults r)
    {
        h.Append("<section id=\"latency\"><h2>Latency</h2><table class=\"latency\"><tr><th>API</th><th>endpoint</th><th>n</th><th>p50 ms</th><th>p95 ms</th><th>max ms</th><th>slowest</th></tr>");
        foreach (var l in r.Latency)
        {
            h.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(l.Api)}</td><td><code>{E(l.Endpoint)}</code></td><td>{l.Count}</td><td>{l.P50Ms:0}</td><td>{l.P95Ms:0}</td><td>{l.MaxMs:0}</td><td><code>{E(l.Slowest)}</code></td></tr>");
        }

        h.Append("</table></section>");
    }

    private static void Findings(StringBuilder h, RunResults r)
    {
        h.Append("<section><h2>Doc findings</h2>");
        foreach (var api in r.Apis.Where(a => a.DocFindings.Count > 0))
        {
            h.Append($"<h3>{E(api.Id)}</h3><ul>");
            foreach (var f in api.DocFindings)
            {
                h.Append($"<li><b>{E(f.Id)}</b> {E(f.Summary)}<br><i>Resolution:</i> {E(f.Resolution)}</li>");
            }

            h.Append("</ul>");
        }

        h.Append("</section>");
    }

    private static void Assumptions(StringBuilder h, RunResults r)
    {
        h.Append("<section><h2>Assumptions in force</h2>");
        foreach (var api in r.Apis)
        {
            h.Append($"<h3>{E(api.Id)}{(api.Overridden ? " <span class=\"assumed\">(contract overridden by the target profile)</span>" : "")}</h3><table class=\"assumptions\">");
            foreach (var a in api.Assumptions)
            {
                h.Append($"<tr><td><b>{E(a.Id)}</b></td><td>{E(a.Topic)}</td><td>{E(a.Default)}</td></tr>");
            }

            h.Append("</table>");
        }

        h.Append("</section>");
    }

    private static void Fingerprint(StringBuilder h, RunResults r)
    {
        h.Append("<section><h2>Target and tool</h2><table class=\"fingerprint\">");
        Row(h, "target", $"{r.Target.Name}{(r.Target.Embedded ? " (embedded mock)" : "")}");
        foreach (var (api, url) in r.Target.BaseUrls)
        {
            Row(h, $"base URL {api}", url);
        }

        Row(h, "TLS validation", r.Target.InsecureTls ? "OFF (--insecure)" : "on");
        Row(h, "rate limit", r.Target.RequestsPerMinute is { } rpm ? $"{rpm.ToString(CultureInfo.InvariantCulture)} requests/minute" : "none");
        Row(h, "tool", $"{r.Tool.Name} {r.Tool.Version}");
        Row(h, "revision", r.Tool.Revision ?? "unknown");
        Row(h, "runtime", r.Tool.Runtime ?? "unknown");
        Row(h, "run", $"{r.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {r.FinishedAt.UtcDateTime:HH:mm:ss} UTC");
        h.Append("</table></section>");
    }

    private static void Row(StringBuilder h, string key, string value) => h.Append($"<tr><th>{E(key)}</th><td>{E(value)}</td></tr>");

    private static string Css(Verdict v) => TextReports.Key(v);

    // A provider's bidirectional controls would reorder what the browser shows of it: they are shown as escapes.
    private static string E(string? text) => WebUtility.HtmlEncode(Http.ProviderText.Visible(text ?? ""));

    private const string Style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1d2329;padding:0 16px}
        h1{font-size:24px;margin:0}h2{font-size:18px;border-bottom:1px solid #d7dde3;padding-bottom:4px;margin-top:28px}h3{font-size:15px}
        header{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:center}header p{margin:0}
        .overall{font-weight:700;padding:6px 14px;border-radius:6px;color:#fff}.overall.pass{background:#1f7a3d}.overall.fail{background:#b42318}.overall.incomplete{background:#b54708}
        .banner{background:#fff4ce;border:1px solid #e0b100;padding:8px 12px;border-radius:6px}
        table{border-collapse:collapse;width:100%}th,td{border:1px solid #d7dde3;padding:5px 8px;text-align:left;vertical-align:top}th{background:#f3f5f7}
        .summary td{text-align:center}.summary td:first-child{text-align:left}
        .chip{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:600;text-decoration:none;color:#fff;margin:1px}
        .pass{background:#1f7a3d;color:#fff}.fail{background:#b42318;color:#fff}.deviation{background:#b54708;color:#fff}.skipped{background:#667085;color:#fff}.error{background:#6941c6;color:#fff}.not-applicable{background:#d0d5dd;color:#1d2329}
        .change{font-size:11px;font-weight:700;margin-left:4px}.change.new-fail{color:#b42318}.change.fixed{color:#1f7a3d}.change.still-failing{color:#667085}
        td.pass,td.fail,td.deviation,td.skipped,td.error,td.not-applicable{font-weight:700}
        .ftype{font:11px monospace;background:#f2f4f7;color:#344054;padding:0 4px;border-radius:3px}
        .assumed{color:#7a5b00;font-size:12px}.finding{color:#8a1c12;margin:2px 0}.note{color:#475467;margin:2px 0}
        pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:6px;font-size:12px;margin:4px 0}
        details summary{cursor:pointer;color:#175cd3}.case{border-left:3px solid #d7dde3;padding-left:8px;margin:6px 0}
        """;
}
