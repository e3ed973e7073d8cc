namespace ConformanceSuite.Pact;

/// <summary>A call into the Pact core failed; the message carries the core's own error when it gave one.</summary>
public sealed class PactException : Exception
{
    public PactException(string message) : base(message) { }

    public PactException() { }

    public PactException(string message, Exception inner) : base(message, inner) { }
}
