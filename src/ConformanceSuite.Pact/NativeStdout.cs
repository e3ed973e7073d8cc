namespace ConformanceSuite.Pact;

/// <summary>
/// The core prints its verification report to the process's stdout (file descriptor 1) whatever it is
/// told, which would break into the suite's own console progress. .NET's console writes through its own
/// duplicate of descriptor 1, so pointing descriptor 1 at /dev/null for the native call silences the core
/// alone; the report is not lost, the verifier returns it.
/// Verifications in one process (runs side by side in a host of the engine) share one redirection: the first
/// call in makes it, the last call out undoes it. None waits for another, so a verification held up by its
/// provider (a relay waiting out a Retry-After) holds up no other run's.
/// </summary>
internal static class NativeStdout
{
    private const int StdoutFd = 1;
    private const int WriteOnly = 1;
    private static readonly Lock Gate = new();

    /// <summary>The native calls inside, sharing the redirection.</summary>
    private static int inside;

    /// <summary>Descriptor 1 as it was before the redirection, while there is one; -1 otherwise (none, or it could not be made).</summary>
    private static int saved = -1;

    public static T Silenced<T>(Func<T> call)
    {
        if (OperatingSystem.IsWindows())
        {
            return call();
        }

        Enter();
        try
        {
            return call();
        }
        finally
        {
            Leave();
        }
    }

    private static void Enter()
    {
        lock (Gate)
        {
            if (++inside > 1)
            {
                return; // the redirection of the first call in serves this one too
            }

            // From here on, .NET's console holds its own descriptor, which the redirection below leaves alone.
            Console.Out.Flush();
            var before = Native.Dup(StdoutFd);
            var sink = Native.Open("/dev/null", WriteOnly);
            if (before < 0 || sink < 0 || Native.Dup2(sink, StdoutFd) < 0)
            {
                Release(before, sink);
                return; // not silenced: the core's report goes to stdout, as it would without this
            }

            _ = Native.Close(sink);
            saved = before;
        }
    }

    private static void Leave()
    {
        lock (Gate)
        {
            if (--inside > 0 || saved < 0)
            {
                return;
            }

            _ = Native.Dup2(saved, StdoutFd);
            _ = Native.Close(saved);
            saved = -1;
        }
    }

    private static void Release(int before, int sink)
    {
        if (before >= 0)
        {
            _ = Native.Close(before);
        }

        if (sink >= 0)
        {
            _ = Native.Close(sink);
        }
    }
}
