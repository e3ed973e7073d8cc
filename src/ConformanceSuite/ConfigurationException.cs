namespace ConformanceSuite;

/// <summary>
/// A problem with the user's input (a contract, a target profile, an option): reported as one clear
/// message, never as a stack trace. <see cref="File"/> and <see cref="Pointer"/> locate the problem.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message) : base(message) { }

    public ConfigurationException(string message, Exception inner) : base(message, inner) { }

    public ConfigurationException(string file, string pointer, string reason)
        : base($"{file}: at {(pointer.Length == 0 ? "/" : pointer)}: {reason}")
    {
        File = file;
        Pointer = pointer;
        Reason = reason;
    }

    public ConfigurationException() { }

    public string? File { get; }

    public string? Pointer { get; }

    public string? Reason { get; }
}
