using Microsoft.Win32.SafeHandles;

namespace ConformanceSuite;

/// <summary>
/// A temporary file the suite writes and reads back (a large run's request log, a walk's items, a CSV's rows, a
/// zip being read), that nothing outlives. On Unix its name is removed as soon as it is open: the open handle keeps
/// the data until it is closed, and nothing is left on disk even when the process is killed (a CI job's time limit).
/// On Windows, where an open file cannot lose its name, it is opened delete-on-close.
/// </summary>
public static class TemporaryFile
{
    /// <summary>Creates <paramref name="path"/> (which must not exist) for reading and writing, as above.</summary>
    public static SafeFileHandle Open(string path)
    {
        var windows = OperatingSystem.IsWindows();
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, windows ? FileOptions.DeleteOnClose : FileOptions.None);
        if (!windows)
        {
            try
            {
                File.Delete(path);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        return handle;
    }

    /// <summary>As <see cref="Open(string)"/>, a new file named after <paramref name="prefix"/> in <paramref name="folder"/> (the system's temporary folder by default), as a stream.</summary>
    public static FileStream Stream(string prefix, string? folder = null) =>
        new(Open(Path.Combine(folder ?? Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}")), FileAccess.ReadWrite, 64 * 1024);
}
