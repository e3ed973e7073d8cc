using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>What one case collects while its check runs.</summary>
public sealed class CheckRun
{
    private readonly List<Finding> findings = [];
    private readonly List<string> notes = [];
    private readonly List<HttpExchange> evidence = [];

    public CheckRun(CheckCase @case, ApiContext context, ICheck check)
    {
        Case = @case;
        Context = context;
        Check = check;
        Require = new Prerequisites(this);
    }

    public CheckCase Case { get; }

    public ApiContext Context { get; }

    /// <summary>The check that runs the case.</summary>
    public ICheck Check { get; }

    /// <summary>The shared probes the check relies on, required to have gone well (a case whose precondition is not met is skipped).</summary>
    public Prerequisites Require { get; }

    public ApiContract Contract => Case.Contract;

    public Requirement Requirement => Case.Requirement;

    public CheckBinding Binding => Requirement.Check!;

    public CaseElement Element => Case.Element;

    public IReadOnlyList<Finding> Findings => findings;

    public IReadOnlyList<string> Notes => notes;

    public IReadOnlyList<HttpExchange> Evidence => evidence;

    /// <summary>
    /// The most findings a case keeps. A body can break a schema thousands of times over (a thousand items each
    /// missing five members; an object of 400,000 members a strict schema does not allow), and each finding goes
    /// into every report, with its evidence (an exchange is some kilobytes). Past this, findings are counted
    /// (<see cref="FindingsNotKept"/>), not kept.
    /// </summary>
    public const int MaxFindings = 50;

    /// <summary>The findings past <see cref="MaxFindings"/>: made, counted, and not kept.</summary>
    public long FindingsNotKept { get; private set; }

    /// <summary>Records a broken rule. <paramref name="basis"/> says whether that rule is documented or assumed.</summary>
    /// <remarks>
    /// Every text of the finding is redacted here: checks quote what providers send, and a provider may send a secret back.
    /// Past <see cref="MaxFindings"/>, a finding is only counted; but one of a documented rule takes the last place when
    /// none kept is, since the verdict (fail or deviation) rests on whether one is.
    /// </remarks>
    public void Fail(Finding finding, Basis? basis, HttpExchange? exchange = null)
    {
        var aspect = Finding.AspectOf(basis);
        if (findings.Count >= MaxFindings)
        {
            FindingsNotKept++;
            if (aspect != Aspect.Documented || findings.Exists(f => f.Aspect == Aspect.Documented))
            {
                return;
            }

            findings.RemoveAt(findings.Count - 1);
        }

        findings.Add(finding.Scrubbed(Context.Http.Redactor.Scrub) with { Aspect = aspect, Evidence = exchange ?? finding.Evidence });
    }

    /// <summary>Records <paramref name="finding"/> about what <paramref name="subject"/> was (<c>without customerId</c>, <c>CSV_EXCEL</c>).</summary>
    public void Fail(string subject, Finding finding, Basis? basis, HttpExchange? exchange = null) =>
        Fail(finding with { Subject = subject }, basis, exchange);

    /// <summary>The basis of a rule the requirement rests on an assumption for: its last assumption, or <paramref name="otherwise"/> when it names none.</summary>
    public Basis LastAssumptionOr(Basis otherwise) =>
        Requirement.Assumptions.Count > 0 ? Basis.Assumed(Requirement.Assumptions[^1]) : otherwise;

    /// <summary>Records a note for the report (redacted, then bounded: a note may quote what the provider sent).</summary>
    public void Note(string note) => notes.Add(ProviderText.Bounded(Context.Http.Redactor.Scrub(note)));

    /// <summary>Keeps an exchange as evidence for the report, pass or fail (once, however many times it is read back from the request log).</summary>
    public HttpExchange Keep(HttpExchange exchange)
    {
        if (!evidence.Exists(exchange.IsSameEntry))
        {
            evidence.Add(exchange);
        }

        return exchange;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Skip(string reason) => throw new SkipCheckException(reason);

    /// <summary>Skips the case: not checked, for <paramref name="reason"/>; <paramref name="setting"/> names what in the profile would let it be checked.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Skip(string reason, string? setting) => throw new SkipCheckException(reason, setting);

    /// <summary>What a check that could check only part of its rule did check; the case then counts as not fully checked.</summary>
    public string? Partial { get; private set; }

    public string? PartialSetting { get; private set; }

    /// <summary>
    /// Says the check was partial: what it did (<c>subset compared by row counts only, above N rows</c>), and the setting
    /// that would make it whole. A case checked in part for several reasons keeps each, in the order they came (one said
    /// again is kept once), and the first setting named: a later reason never hides an earlier one.
    /// </summary>
    public void CheckedInPart(string what, string? setting = null)
    {
        var reason = Context.Http.Redactor.Scrub(what);
        Partial = ProviderText.Bounded(Partial is null ? reason
            : Partial.Split("; ").Contains(reason, StringComparer.Ordinal) ? Partial
            : $"{Partial}; {reason}");
        PartialSetting ??= setting;
    }
}
