using System.Globalization;
using System.Xml.Linq;
using ConformanceSuite.Checks;

namespace ConformanceSuite.Running;

/// <summary>
/// JUnit XML for CI systems: one testsuite per API, one testcase per case. A fail (or a deviation under
/// fail-on deviation) is a failure; an error (the suite could not judge) is an error; under fail-on new, both only
/// within a requirement that newly fails, the others passing with what they say in system-out; skipped is skipped; a
/// deviation otherwise passes with its finding in system-out, so CI does not fail what the certification
/// does not fail.
/// </summary>
public static class JUnitReport
{
    /// <summary>Removes what XML 1.0 cannot carry (control characters other than tab, CR, LF; lone surrogates).</summary>
    public static string XmlSafe(string text) =>
        new(text.Where((c, i) => XmlConvertible(text, i)).ToArray());

    private static bool XmlConvertible(string text, int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
        }

        if (char.IsLowSurrogate(c))
        {
            return i > 0 && char.IsHighSurrogate(text[i - 1]);
        }

        return System.Xml.XmlConvert.IsXmlChar(c);
    }

    public static XDocument Render(RunResults results)
    {
        var suites = results.Requirements.GroupBy(r => r.Api).Select(api =>
        {
            var cases = api.SelectMany(r => r.Cases.Select(c => (Requirement: r, Case: c))).ToList();
            var errors = cases.Count(x => x.Case.Verdict == Verdict.Error && Fails(results, x.Requirement, x.Case));
            var failures = cases.Count(x => x.Case.Verdict != Verdict.Error && Fails(results, x.Requirement, x.Case));
            var skipped = cases.Count(x => Skipped(x.Case));
            return new XElement("testsuite",
                new XAttribute("name", XmlSafe(api.Key)),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", failures),
                new XAttribute("errors", errors),
                new XAttribute("skipped", skipped),
                new XAttribute("time", Seconds(cases.Sum(x => x.Case.DurationMs))),
                new XAttribute("timestamp", results.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
                new XElement("properties",
                    Property("target", results.Target.Name),
                    Property("failOn", results.FailOn),
                    Property("insecureTls", results.Target.InsecureTls ? "true" : "false"),
                    Property("tool", $"{results.Tool.Name} {results.Tool.Version} {results.Tool.Revision}".Trim()),
                    results.Baseline is null ? null : Property("baseline", TextReports.Changes(results)),
                    results.Latency.Where(l => l.Api == api.Key).Select(l => Property($"latency {l.Endpoint}",
                        string.Create(CultureInfo.InvariantCulture, $"n={l.Count} p50={l.P50Ms:0}ms p95={l.P95Ms:0}ms max={l.MaxMs:0}ms")))),
                cases.Select(x => Case(results, x.Requirement, x.Case)));
        }).ToList();
        var root = new XElement("testsuites",
            new XAttribute("name", "ConformanceSuite"),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", suites.Sum(s => (int)s.Attribute("errors")!)),
            new XAttribute("skipped", suites.Sum(s => (int)s.Attribute("skipped")!)),
            new XAttribute("time", Seconds((results.FinishedAt - results.StartedAt).TotalMilliseconds)),
            suites);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    public static void Write(RunResults results, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        Render(results).Save(stream);
    }

    private static XElement Case(RunResults results, RequirementResult r, CaseOutcome c)
    {
        var element = new XElement("testcase",
            new XAttribute("classname", XmlSafe($"{r.Api}.{r.Id}")),
            new XAttribute("name", XmlSafe($"{r.Id} [{c.Element}] {r.Title}")),
            new XAttribute("time", Seconds(c.DurationMs)));
        var found = string.Join(Environment.NewLine, c.Findings.Select(f => $"{f.Message}{(f.Aspect == Aspect.Assumed ? " [assumed rule]" : "")}"
            + (f.Evidence is null ? "" : Environment.NewLine + "  evidence: " + f.Evidence.Describe())));
        // The notes too: what was judged and how much, without which the findings may read as all there was.
        var detail = string.Join(Environment.NewLine, c.Notes.Select(n => "note: " + n).Prepend(found.Length > 0 ? found : c.Message));
        if (c.Verdict == Verdict.Error && Fails(results, r, c))
        {
            element.Add(new XElement("error", new XAttribute("message", XmlSafe(c.Message)), new XAttribute("type", "error"), XmlSafe(c.Message)));
        }
        else if (Fails(results, r, c))
        {
            element.Add(new XElement("failure",
                new XAttribute("message", XmlSafe(First(c))),
                new XAttribute("type", c.Verdict == Verdict.Fail ? "fail" : "deviation"),
                XmlSafe(detail)));
        }
        else if (Skipped(c))
        {
            // Not checked (or only in part), or not applicable: skipped, with the reason and the setting that would let it be checked.
            var why = c.Partial is not null ? $"checked in part: {c.Partial}" : c.Message;
            element.Add(new XElement("skipped", new XAttribute("message", XmlSafe(why + (c.Setting is null ? "" : $" (setting: {c.Setting})")))));
        }
        else if (c.Verdict is Verdict.Fail or Verdict.Error)
        {
            // Under fail-on new, a fail or an error of a requirement failing in the baseline too: not the gate's failure (the
            // exit code passes it, so a JUnit reader must too), but still the provider's or the suite's, never a bare pass;
            // an error keeps its exception's type and message.
            element.Add(new XElement("system-out", XmlSafe($"{TextReports.Word(c.Verdict)} ({TextReports.ChangeWord(r.Change ?? Change.StillFailing)}: failing in the baseline too; not a regression, so it does not fail the gate): "
                + Environment.NewLine + detail)));
        }
        else if (c.Verdict == Verdict.Deviation)
        {
            element.Add(new XElement("system-out", XmlSafe("DEVIATION (a broken assumption; does not fail the run): " + Environment.NewLine + detail)));
        }
        else if (c.Notes.Count > 0)
        {
            element.Add(new XElement("system-out", XmlSafe(string.Join(Environment.NewLine, c.Notes))));
        }

        return element;
    }

    /// <summary>A case that fails the run: as its verdict says, or under fail-on new only within a requirement that newly fails.</summary>
    private static bool Fails(RunResults results, RequirementResult r, CaseOutcome c) =>
        results.FailOn == "new" ? r.Change == Change.NewFail && Baseline.Failing(c.Verdict) : RunResults.FailsRun(c.Verdict, results.FailOn);

    /// <summary>What JUnit shows as skipped: a case not checked, checked only in part, or not applicable.</summary>
    private static bool Skipped(CaseOutcome c) =>
        c.Verdict is Verdict.Skipped or Verdict.NotApplicable || (c.Partial is not null && c.Verdict == Verdict.Pass);

    private static string First(CaseOutcome c) => c.Findings.Count > 0 ? c.Findings[0].Message : c.Message;

    // The target's name and description come from the profile, the endpoints from the contract: either may hold a
    // character XML cannot carry, and one would stop the file half written.
    private static XElement Property(string name, string value) =>
        new("property", new XAttribute("name", XmlSafe(name)), new XAttribute("value", XmlSafe(value)));

    private static string Seconds(double ms) => (ms / 1000).ToString("0.000", CultureInfo.InvariantCulture);
}
