using System.Text;

namespace ConformanceSuite;

/// <summary>A file the user names (a target profile, a baseline, a key), read whole but never without end.</summary>
public static class InputFile
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
}
