using ConformanceSuite.Contracts;
using ConformanceSuite.Http;

namespace ConformanceSuite.Checks;

/// <summary>What one case collects while its check runs.</summary>
public sealed class CheckRun(CheckCase @case, ApiContext context)
{
    private readonly List<Finding> findings = [];
    private readonly List<string> notes = [];
    private readonly List<HttpExchange> evidence = [];

    public CheckCase Case { get; } = @case;

    public ApiContext Context { get; } = context;

    public ApiContract Contract => Case.Contract;

    public Requirement Requirement => Case.Requirement;

    public CheckBinding Binding => Requirement.Check!;

    public CaseElement Element => Case.Element;

    public IReadOnlyList<Finding> Findings => findings;

    public IReadOnlyList<string> Notes => notes;

    public IReadOnlyList<HttpExchange> Evidence => evidence;

    /// <summary>Records a broken rule. <paramref name="basis"/> says whether that rule is documented or assumed.</summary>
    /// <remarks>The message is redacted here: checks quote what providers send, and a provider may send a secret back.</remarks>
    public void Fail(string message, Basis? basis, HttpExchange? exchange = null) =>
        findings.Add(new Finding(Context.Http.Redactor.Scrub(message), Finding.AspectOf(basis), exchange));

    public void Note(string note) => notes.Add(Context.Http.Redactor.Scrub(note));

    /// <summary>Keeps an exchange as evidence for the report, pass or fail.</summary>
    public HttpExchange Keep(HttpExchange exchange)
    {
        if (!evidence.Contains(exchange))
        {
            evidence.Add(exchange);
        }

        return exchange;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Skip(string reason) => throw new SkipCheckException(reason);
}
