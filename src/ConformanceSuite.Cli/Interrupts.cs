using System.Runtime.InteropServices;

namespace ConformanceSuite.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM while a run goes on. The first stops the run: the case running and those not reached end
/// in error saying so, and the reports are written, so what was found is kept. A second one ends the process at once,
/// as the signal's default does.
/// </summary>
internal sealed class Interrupts : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly TextWriter stderr;
    private readonly PosixSignalRegistration[] registrations;
    private int received;

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

    private void On(PosixSignalContext context)
    {
        if (Interlocked.Exchange(ref received, 1) == 1)
        {
            return; // the second: not cancelled, so the signal ends the process
        }

        context.Cancel = true;
        Signal = context.Signal;
        stderr.WriteLine($"conformance: {(context.Signal == PosixSignal.SIGINT ? "interrupted (Ctrl+C)" : "terminated (SIGTERM)")}: stopping the run; "
            + "the cases not finished are errors, and the reports are written (once more to stop at once, without them)");
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
