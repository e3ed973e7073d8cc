using System.Security.Cryptography;
using ConformanceSuite.Running;

namespace ConformanceSuite.Engine.Certification;

/// <summary>A certification run and the package written for it.</summary>
/// <param name="Results">The run's results (its reports are in the run's report directory too).</param>
/// <param name="Manifest">The package's manifest.</param>
/// <param name="PackagePath">Where the package is (full path); null when none was written (an incomplete run not accepted).</param>
public sealed record CertificationResult(RunResults Results, CertificationManifest? Manifest, string? PackagePath);

/// <summary>
/// Runs a certification through the engine and writes its signed package. The package is written whatever
/// the verdict (the manifest says it), except for an incomplete run, which is refused unless
/// <c>acceptIncomplete</c> says otherwise (and then the package records what was not checked); a run that
/// cannot start (configuration, unreachable target) writes none.
/// </summary>
public static class Certifier
{
    /// <exception cref="ConfigurationException">The package cannot be written there, or the run's settings are wrong.</exception>
    /// <exception cref="TargetUnreachableException">A live target does not accept connections.</exception>
    public static async Task<CertificationResult> RunAsync(RunSettings settings, ECDsa signingKey, string packagePath, IRunObserver? observer = null, bool acceptIncomplete = false)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        if (settings.FailOn == FailOn.New)
        {
            // A certificate says what the provider is, not that it is no worse than before.
            throw new ConfigurationException("certify judges the provider as it is: --fail-on new is for a CI gate against a baseline (use fail or deviation)");
        }

        // The plan first, which creates and sends nothing, so bad input leaves nothing behind; then the package's place is
        // claimed (its folder made): a path that cannot be written fails before the run, not after it.
        var plan = ConformanceEngine.Plan(settings);
        using var output = PackageOutput.Create(packagePath, plan.ReportDirectory);
        observer?.Planned(plan);
        var results = await ConformanceEngine.RunAsync(plan, observer);
        if ((results.Outcome == RunOutcome.Incomplete && !acceptIncomplete) || settings.Interrupt.IsCancellationRequested)
        {
            // An interrupted run is no certification, whatever it found before: its cases not reached are errors of the suite's.
            return new CertificationResult(results, null, null);
        }

        try
        {
            var manifest = CertificationPackage.Write(output.Stream, plan, results, signingKey);
            output.Commit();
            return new CertificationResult(results, manifest, output.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot write the certification package {output.Path}: {ex.Message}");
        }
    }
}

/// <summary>
/// The package file being written: a hidden temporary file next to it, moved into place only when the
/// package is complete, so a failed run never leaves a partial (or an earlier, stale) package under the name.
/// </summary>
internal sealed class PackageOutput : IDisposable
{
    private readonly string temporary;
    private bool committed;

    private PackageOutput(string path, string temporary, FileStream stream)
    {
        Path = path;
        this.temporary = temporary;
        Stream = stream;
    }

    public string Path { get; }

    public FileStream Stream { get; }

    /// <param name="path">The package file.</param>
    /// <param name="reportDirectory">The run's report folder (full path), which the package must not be, nor a report in it.</param>
    public static PackageOutput Create(string path, string reportDirectory)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ConfigurationException("the package path is empty; give --package FILE.zip");
        }

        string full;
        try
        {
            full = System.IO.Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ConfigurationException($"the package path '{path}' is not a valid path: {ex.Message}");
        }

        var sameFile = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var reports = System.IO.Path.TrimEndingDirectorySeparator(reportDirectory);
        if (string.Equals(full, reports, sameFile)
            || (string.Equals(System.IO.Path.GetDirectoryName(full), reports, sameFile) && RunResults.ReportFiles.Contains(System.IO.Path.GetFileName(full), StringComparer.FromComparison(sameFile))))
        {
            // Found after the whole run, when the package is moved into place (a folder is there), or never (a report overwritten).
            throw new ConfigurationException($"the package path {full} is the run's report folder or one of its reports; give the package a path of its own, such as {System.IO.Path.Combine(reports, "certification.zip")}");
        }

        if (Directory.Exists(full))
        {
            throw new ConfigurationException($"the package path {full} is a folder; give a file name such as {System.IO.Path.Combine(full, "certification.zip")}");
        }

        try
        {
            var folder = System.IO.Path.GetDirectoryName(full)!;
            Directory.CreateDirectory(folder);
            var temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
            return new PackageOutput(full, temporary, new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot write the certification package {full}: {ex.Message}");
        }
    }

    public void Commit()
    {
        Stream.Flush(flushToDisk: true);
        Stream.Dispose();
        File.Move(temporary, Path, overwrite: true);
        committed = true;
    }

    public void Dispose()
    {
        Stream.Dispose();
        if (!committed)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: the temporary file is hidden and named as partial.
            }
        }
    }
}
