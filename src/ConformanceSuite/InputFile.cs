using System.Runtime.InteropServices;
using System.Text;

namespace ConformanceSuite;

/// <summary>A file the user names (a target profile, a baseline, a key, a package), read whole but never without end.</summary>
public static partial class InputFile
{
    /// <summary>
    /// The file's text (UTF-8 unless a byte-order mark says otherwise), as <see cref="File.ReadAllText(string)"/> reads it,
    /// but no further than the length the file says it has: a device or a pipe (/dev/zero, /dev/stdin) says 0 and may never
    /// end, and reading it whole would hang the run. Such a file, or one unreadable, is a configuration error naming it.
    /// </summary>
    public static string ReadAllText(string path, string what)
    {
        try
        {
            RequireRegularFile(path, what);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = stream.Length;
            var bytes = new byte[length + 1];
            var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read > length)
            {
                throw new ConfigurationException($"the {what} {path} is not a regular file (it reads past its length of {length} bytes)");
            }

            using var reader = new StreamReader(new MemoryStream(bytes, 0, read), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot read the {what} {path}: {ex.Message}");
        }
    }

    /// <summary>
    /// Why a path the user names as a file to read names none: it is a folder (said as much; "does not exist" would send
    /// the user looking for a path that is there), or nothing is there. Null when it is a file (or something else that
    /// <see cref="File.Exists(string)"/> finds, which <see cref="RequireRegularFile"/> judges).
    /// </summary>
    public static string? NotAFile(string path) =>
        File.Exists(path) ? null : Directory.Exists(path) ? "is a folder, not a file" : "does not exist";

    /// <summary>
    /// Refuses a path that names something other than a regular file (after symbolic links): a named pipe (mkfifo),
    /// whose opening waits for a writer that may never come, a device, a socket. A path that does not exist is left to
    /// the caller's own message. On Windows, where such files are not in the file system, nothing is refused here.
    /// </summary>
    /// <exception cref="ConfigurationException">The path names a pipe, a device or a socket.</exception>
    public static void RequireRegularFile(string path, string what)
    {
        if (NotRegular(path) is { } kind)
        {
            throw new ConfigurationException($"the {what} {path} is not a regular file ({kind}): give a file whose contents are there to read");
        }
    }

    /// <summary>
    /// Refuses an output path that names something other than a regular file: a folder (whose write fails with "access
    /// denied", which sends the user after permissions), a named pipe, whose opening for writing waits for a reader that
    /// may never come, a device, a socket. A path that does not exist yet is left to the write's own error. On Windows
    /// only a folder is refused here.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="what">What the file is, for the message (<c>--out file</c>).</param>
    /// <param name="instead">What to do instead, for the message (<c>give a regular file, or ...</c>).</param>
    /// <exception cref="ConfigurationException">The path names a folder, a pipe, a device or a socket.</exception>
    public static void RequireRegularOutput(string path, string what, string instead)
    {
        if (Directory.Exists(path))
        {
            throw new ConfigurationException($"the {what} {path} is a folder, not a file: {instead}");
        }

        if (NotRegular(path) is { } kind)
        {
            throw new ConfigurationException($"the {what} {path} is not a regular file ({kind}): {instead}");
        }
    }

    /// <summary>What the path names when that is not a regular file nor a folder (after symbolic links); null otherwise, or when it does not exist.</summary>
    private static string? NotRegular(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows() || path.Length == 0 || path.Contains('\0', StringComparison.Ordinal) || !TryStat(path, out var status))
        {
            return null;
        }

        return (status.Mode & TypeMask) switch
        {
            RegularFile or DirectoryType => null,
            NamedPipe => "a named pipe",
            CharacterDevice => "a character device",
            BlockDevice => "a block device",
            Socket => "a socket",
            _ => "not a file",
        };
    }

    // The file type bits of the .NET runtime's own stat (System.Native's FileStatus.Mode, the same on every Unix).
    private const int TypeMask = 0xF000;
    private const int NamedPipe = 0x1000;
    private const int CharacterDevice = 0x2000;
    private const int DirectoryType = 0x4000;
    private const int BlockDevice = 0x6000;
    private const int RegularFile = 0x8000;
    private const int Socket = 0xC000;

    /// <summary>
    /// The start of System.Native's FileStatus, the runtime's portable struct stat (what File.Exists and FileInfo read):
    /// its flags, then its mode. The runtime's own struct is internal and may grow; the buffer is far larger than it
    /// has ever been (120 bytes), so a runtime whose struct grew cannot write past it.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 1024)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }

    /// <summary>The file's status; false when there is none, or the runtime has no such entry point (then nothing is refused, as on Windows).</summary>
    private static bool TryStat(string path, out FileStatus status)
    {
        try
        {
            return Stat(path, out status) == 0;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            status = default;
            return false;
        }
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, out FileStatus output);
}
