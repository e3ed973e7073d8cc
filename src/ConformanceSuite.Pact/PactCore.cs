using System.Reflection;
using System.Runtime.InteropServices;

namespace ConformanceSuite.Pact;

/// <summary>
/// Loading libpact_ffi and the once-per-process set-up: the library is found by OS and architecture
/// (shipped with the program as a native asset, or in the npm packages under tools/pact-core of a
/// checkout), anonymous usage metrics are switched off in the native environment, and the core logs into
/// a buffer that <see cref="DrainLogs"/> hands to the test output.
/// </summary>
public static class PactCore
{
    private static readonly Lock Gate = new();
    private static bool initialised;

    /// <summary>The npm package and file holding the library for an OS and architecture (null when there is none).</summary>
    public static (string Package, string File)? LibraryFor(OSPlatform os, Architecture arch) => (os, arch) switch
    {
        _ when os == OSPlatform.Linux && arch == Architecture.X64 => ("pact-core-linux-x64-glibc", "prebuilds/linux-x64/libpact_ffi.so"),
        _ when os == OSPlatform.Linux && arch == Architecture.Arm64 => ("pact-core-linux-arm64-glibc", "prebuilds/linux-arm64/libpact_ffi.so"),
        _ when os == OSPlatform.OSX && arch == Architecture.X64 => ("pact-core-darwin-x64", "prebuilds/darwin-x64/libpact_ffi.dylib"),
        _ when os == OSPlatform.OSX && arch == Architecture.Arm64 => ("pact-core-darwin-arm64", "prebuilds/darwin-arm64/libpact_ffi.dylib"),
        _ when os == OSPlatform.Windows && arch == Architecture.X64 => ("pact-core-windows-x64", "prebuilds/win32-x64/pact_ffi.dll"),
        _ => null,
    };

    /// <summary>
    /// Where the library is on this machine, or why it is not: <paramref name="explicitPath"/> when given;
    /// else the copy shipped with the program as a <c>runtimes/&lt;rid&gt;/native</c> asset; else the npm
    /// package under <c>tools/pact-core</c> of <paramref name="repositoryRoot"/> (a checkout).
    /// </summary>
    public static (string? Path, string Why) Locate(string? explicitPath, string? repositoryRoot)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return File.Exists(explicitPath) ? (explicitPath, "") : (null, $"libpact_ffi is not at {explicitPath}");
        }

        var os = new[] { OSPlatform.Linux, OSPlatform.OSX, OSPlatform.Windows }.FirstOrDefault(RuntimeInformation.IsOSPlatform);
        var arch = RuntimeInformation.ProcessArchitecture;
        if (LibraryFor(os, arch) is not { } entry)
        {
            return (null, $"the Pact core (libpact_ffi) is not built for {RuntimeInformation.OSDescription} {arch}");
        }

        var shipped = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeId(entry), "native", Path.GetFileName(entry.File));
        if (File.Exists(shipped))
        {
            return (shipped, "");
        }

        var npm = repositoryRoot is null ? null : Path.Combine(repositoryRoot, "tools", "pact-core", "node_modules", "@pact-foundation", entry.Package, entry.File);
        return npm is not null && File.Exists(npm)
            ? (npm, "")
            : (null, $"this copy of the tool carries no Pact core (libpact_ffi) for {RuntimeId(entry)}: it was packed on another platform, or in a checkout the build did not run npm ci in tools/pact-core");
    }

    /// <summary>The .NET runtime identifier of an npm platform package (<c>linux-x64</c>, <c>osx-arm64</c>, <c>win-x64</c>).</summary>
    public static string RuntimeId((string Package, string File) entry) =>
        Path.GetFileName(Path.GetDirectoryName(entry.File)!).Replace("darwin", "osx", StringComparison.Ordinal).Replace("win32", "win", StringComparison.Ordinal);

    /// <summary>The library's path, found as <see cref="Locate"/> says; a <see cref="PactException"/> when it is missing.</summary>
    public static string LibraryPath(string? explicitPath = null, string? repositoryRoot = null)
    {
        var (path, why) = Locate(explicitPath, repositoryRoot);
        return path ?? throw new PactException(why);
    }

    /// <summary>The path the process loaded the library from, once it has.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>Loads the library (from <paramref name="path"/>, or as <see cref="LibraryPath"/> finds it) and sets the process up, once.</summary>
    public static void EnsureInitialised(string? path = null)
    {
        lock (Gate)
        {
            if (initialised)
            {
                return;
            }

            path ??= LibraryPath(null, RepositoryLayout.Discover().Root);
            NativeLibrary.SetDllImportResolver(typeof(PactCore).Assembly, (name, _, _) =>
                name == Native.Library ? NativeLibrary.Load(path) : IntPtr.Zero);

            // The core reads getenv, which Environment.SetEnvironmentVariable does not reach on Unix.
            Environment.SetEnvironmentVariable("PACT_DO_NOT_TRACK", "true");
            if (!OperatingSystem.IsWindows())
            {
                Native.SetEnv("PACT_DO_NOT_TRACK", "true", 1);
            }

            // Once per process: a second logger set-up returns -1 and is harmless.
            _ = Native.LogToBuffer(LevelFilter.Info);
            LoadedFrom = path;
            initialised = true;
        }
    }

    public static string Version()
    {
        EnsureInitialised();
        return Marshal.PtrToStringUTF8(Native.Version()) ?? "";
    }

    /// <summary>The core's global log buffer (drained).</summary>
    public static string DrainLogs()
    {
        EnsureInitialised();
        return TakeString(Native.FetchLogBuffer(null));
    }

    /// <summary>The core's last error on this thread, if it kept one.</summary>
    public static unsafe string? LastError()
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            var n = Native.GetErrorMessage(p, buffer.Length);
            return n > 0 ? System.Text.Encoding.UTF8.GetString(buffer, 0, Math.Min(n, buffer.Length)).TrimEnd('\0') : null;
        }
    }

    /// <summary>Turns a false from a builder call into an exception with the core's message.</summary>
    internal static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new PactException($"pact core refused {what}{(LastError() is { } e ? $": {e}" : " (invalid handle, or the mock server already started)")}");
        }
    }

    /// <summary>A string the core allocated for the caller: read, then freed.</summary>
    internal static string TakeString(nint pointer)
    {
        if (pointer == 0)
        {
            return "";
        }

        try
        {
            return Marshal.PtrToStringUTF8(pointer) ?? "";
        }
        finally
        {
            Native.StringDelete(pointer);
        }
    }

    /// <summary>A string the core keeps (owned by a mock server): read only.</summary>
    internal static string ReadString(nint pointer) => pointer == 0 ? "" : Marshal.PtrToStringUTF8(pointer) ?? "";

    internal static string AssemblyVersion => typeof(PactCore).Assembly.GetName().Version?.ToString(3) ?? "0";

    internal static Assembly Assembly => typeof(PactCore).Assembly;
}
