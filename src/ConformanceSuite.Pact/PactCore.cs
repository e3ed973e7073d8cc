using System.Reflection;
using System.Runtime.InteropServices;

namespace ConformanceSuite.Pact;

/// <summary>
/// Loading libpact_ffi and the once-per-process set-up: the library is found by OS and architecture
/// in the npm packages under tools/pact-core (or at <c>CONFORMANCE_PACT_FFI</c>), anonymous usage
/// metrics are switched off in the native environment, and the core logs into a buffer that
/// <see cref="DrainLogs"/> hands to the test output.
/// </summary>
public static class PactCore
{
    public const string LibraryVariable = "CONFORMANCE_PACT_FFI";

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

    /// <summary>The library's path on this machine; a clear error when it is missing.</summary>
    public static string LibraryPath()
    {
        if (Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } explicitPath)
        {
            return File.Exists(explicitPath) ? explicitPath : throw new PactException($"{LibraryVariable}={explicitPath}: no such file");
        }

        var os = new[] { OSPlatform.Linux, OSPlatform.OSX, OSPlatform.Windows }.FirstOrDefault(RuntimeInformation.IsOSPlatform);
        var entry = LibraryFor(os, RuntimeInformation.ProcessArchitecture)
            ?? throw new PactException($"no libpact_ffi package for {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}");
        var root = RepositoryLayout.Discover().Root;
        var path = Path.Combine(root, "tools", "pact-core", "node_modules", "@pact-foundation", entry.Package, entry.File);
        return File.Exists(path)
            ? path
            : throw new PactException($"libpact_ffi is not installed at {path}: build the solution (it runs npm ci in tools/pact-core) or set {LibraryVariable}");
    }

    /// <summary>Loads the library and sets the process up, once.</summary>
    public static void EnsureInitialised()
    {
        lock (Gate)
        {
            if (initialised)
            {
                return;
            }

            var path = LibraryPath();
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
