namespace ConformanceSuite.Pact;

/// <summary>
/// The core prints its verification report to the process's stdout (file descriptor 1) whatever it is
/// told, which would break into the suite's own console progress. .NET's console writes through its own
/// duplicate of descriptor 1, so pointing descriptor 1 at /dev/null for the native call silences the core
/// alone; the report is not lost, the verifier returns it.
/// </summary>
internal static class NativeStdout
{
    private const int StdoutFd = 1;
    private const int WriteOnly = 1;
    private static readonly Lock Gate = new();

    public static T Silenced<T>(Func<T> call)
    {
        if (OperatingSystem.IsWindows())
        {
            return call();
        }

        lock (Gate)
        {
            // From here on, .NET's console holds its own descriptor, which the redirection below leaves alone.
            Console.Out.Flush();
            var saved = Native.Dup(StdoutFd);
            var sink = Native.Open("/dev/null", WriteOnly);
            if (saved < 0 || sink < 0 || Native.Dup2(sink, StdoutFd) < 0)
            {
                Release(saved, sink);
                return call();
            }

            _ = Native.Close(sink);
            try
            {
                return call();
            }
            finally
            {
                _ = Native.Dup2(saved, StdoutFd);
                _ = Native.Close(saved);
            }
        }
    }

    private static void Release(int saved, int sink)
    {
        if (saved >= 0)
        {
            _ = Native.Close(saved);
        }

        if (sink >= 0)
        {
            _ = Native.Close(sink);
        }
    }
}
