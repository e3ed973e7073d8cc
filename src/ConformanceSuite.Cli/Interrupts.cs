using System.Runtime.InteropServices;

namespace ConformanceSuite.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM while a run goes on. The first stops the run: the case running and those not reached end
/// in error saying so, and the reports are written, so what was found is kept. Another one, from <see cref="RepeatWindow"/>
/// after the first on, ends the process at once, as the signal's default does. One sooner is the same request delivered
/// twice: GNU timeout(1), as CI jobs use it, sends its signal to the process and then to the process group it is in. The
/// kernel mostly merges the two, but not always, and the second was then taken for "stop at once": no report written.
/// </summary>
public sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly TextWriter stderr;
    private readonly PosixSignalRegistration[] registrations;
    /// <summary>When the first signal came (a Stopwatch timestamp); 0 while none has.</summary>
    private long first;

    /// <summary>How long after the first signal another is still taken for the same one.</summary>
    public static readonly TimeSpan RepeatWindow = TimeSpan.FromSeconds(1);

    /// <summary>Whether a signal at <paramref name="now"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp) after a first at <paramref name="first"/> ends the process at once.</summary>
    public static bool StopsAtOnce(long first, long now) => System.Diagnostics.Stopwatch.GetElapsedTime(first, now) >= RepeatWindow;

    public Interrupts(TextWriter stderr)
    {
        this.stderr = stderr;
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, On), PosixSignalRegistration.Create(PosixSignal.SIGTERM, On)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>The first signal received; null while none has been.</summary>
    public PosixSignal? Signal { get; private set; }

    /// <summary>The exit code of a run the signal stopped: 128 and the signal's number, as a shell reports a process it ended.</summary>
    public int ExitCode => Signal == PosixSignal.SIGTERM ? 143 : 130;

    private void On(PosixSignalContext context) => Handle(context, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>What a signal received at <paramref name="now"/> (a Stopwatch timestamp) does: <see cref="PosixSignalContext.Cancel"/> set keeps the process.</summary>
    public void Handle(PosixSignalContext context, long now)
    {
        var firstAt = Interlocked.CompareExchange(ref first, now, 0);
        if (firstAt != 0)
        {
            // Another: not cancelled, so the signal ends the process; unless it is the first one delivered again.
            context.Cancel = !StopsAtOnce(firstAt, now);
            return;
        }

        context.Cancel = true;
        Signal = context.Signal;
        stderr.WriteLine($"conformance: {(context.Signal == PosixSignal.SIGINT ? "interrupted (Ctrl+C)" : "terminated (SIGTERM)")}: stopping the run; "
            + "the cases not finished are errors, and the reports are written (once more, a second from now on, to stop at once without them)");
        stderr.Flush();
        source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        source.Dispose();
    }
}
