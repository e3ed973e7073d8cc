namespace ConformanceSuite.Checks;

/// <summary>The CSV header matches the spec exactly: names, order, delimiter, BOM, encoding.</summary>
public sealed class CsvHeaderCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "csv-header";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.Download];

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var probe = await run.Require.CsvAsync(run.Element.Name, ct);
        run.Keep(probe.Download);
        var analysis = probe.Analysis!;
        foreach (var problem in analysis.HeaderProblems)
        {
            run.Fail(problem.Finding, problem.Basis, probe.Download);
        }

        run.Note($"header line: '{analysis.HeaderLine ?? "(none)"}'{(analysis.HasBom ? " after a BOM" : "")}");
    }
}

/// <summary>Every row satisfies the spec's row rules (read as a stream; only the first problems are kept).</summary>
public sealed class CsvRowsCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "csv-rows";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.Download];

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var probe = await run.Require.CsvAsync(run.Element.Name, ct);
        run.Keep(probe.Download);
        var analysis = probe.Analysis!;
        foreach (var note in analysis.Notes)
        {
            run.Note(note);
        }

        if (analysis.RowCount == 0 && analysis.RowProblemCount == 0)
        {
            CheckRun.Skip(analysis.RowsNotRead is { } none ? $"no rows checked: {none}" : $"no rows to check: scenario '{run.Element.Name}' gave a CSV without rows");
        }

        foreach (var problem in analysis.RowProblems)
        {
            run.Fail(problem.Finding, problem.Basis, probe.Download);
        }

        if (analysis.RowProblemCount > analysis.RowProblems.Count)
        {
            run.Note($"{analysis.RowProblemCount} row problems in all; the first {analysis.RowProblems.Count} are shown");
        }

        run.Note($"{analysis.RowCount} rows checked, {analysis.Bytes} bytes streamed");
        var notJudged = analysis.NotJudged is { } slow ? $"{analysis.ValuesNotJudged:N0} values not judged, the first at {slow}" : null;
        if (analysis.RowsNotRead is not null || notJudged is not null)
        {
            run.CheckedInPart($"{analysis.RowCount:N0} rows checked; {string.Join("; ", new[] { analysis.RowsNotRead, notJudged }.OfType<string>())}");
        }
    }
}

/// <summary>A scenario without data gets the empty form the spec names (header only, by default).</summary>
public sealed class CsvEmptyCheck : PerScenarioCheck
{
    /// <summary>The kind name requirements use for this check.</summary>
    public const string KindName = "csv-empty";

    public override string Kind => KindName;

    public override IReadOnlyList<Precondition> Preconditions => [Precondition.Download];

    public override async Task RunAsync(CheckRun run, CancellationToken ct)
    {
        var probe = await run.Require.CsvAsync(run.Element.Name, ct);
        run.Keep(probe.Download);
        var spec = run.Contract.CsvSpecs[EndpointOf(run).Download!.CsvSpec];
        var analysis = probe.Analysis!;
        if (spec.Empty.Rule == "header-only")
        {
            if (analysis.Bytes > 0 && analysis.HeaderLine is null && analysis.RowsNotRead is { } unread)
            {
                // A first line the suite could not read (not UTF-8, or past its bound) is no proof of a file without a header.
                CheckRun.Skip($"whether the file holds the header alone was not checked: {unread}");
            }

            if (analysis.Bytes == 0 || analysis.HeaderLine is null)
            {
                run.Fail(new CsvHeaderProblem(CsvHeaderIssue.Missing, "a header-only CSV", $"{analysis.Bytes} bytes (no header line)", null), spec.Empty.Basis, probe.Download);
            }
            else if (analysis.RowCount > 0)
            {
                run.Fail("a scenario without data", new CountMismatch("data rows after the header", CountRelation.Exactly, 0, analysis.RowCount), spec.Empty.Basis, probe.Download);
            }
        }
        else if (analysis.Bytes > 0)
        {
            run.Fail("a scenario without data", new CountMismatch("bytes (an empty file)", CountRelation.Exactly, 0, analysis.Bytes), spec.Empty.Basis, probe.Download);
        }
    }
}
