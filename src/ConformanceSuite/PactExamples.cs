namespace ConformanceSuite;

/// <summary>
/// The credential values the consumer pacts carry as examples. A test provider (the embedded mock) can be
/// told to accept them, so pacts verify without the target's real credentials being written into pacts.
/// </summary>
public static class PactExamples
{
    public const string Token = "pact-example-token";
    public const string User = "pact-example-user";

    /// <summary>The example value of a credential, by the credential's name.</summary>
    public static string For(string credentialName) => credentialName == "userName" ? User : Token;
}
